"""The audit's inputs and its result, computed once per test process for every audit test module (the audit
of the whole registry takes a few seconds). ``claims`` comes from tests/conftest.py."""
import pytest

from crs_compendium.audit import run_audit
from crs_compendium.audit.inputs import load_inputs


@pytest.fixture(scope="session")
def inputs(claims):
    return load_inputs(claims)


@pytest.fixture(scope="session")
def result(claims):
    return run_audit(claims)
