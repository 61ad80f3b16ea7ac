"""Shared fixtures of the unit tests, and this folder on sys.path so that test modules in any sub-folder can
import the outside data sets of ``sample_data.py`` (the test folders have no ``__init__.py``).

The registry, the shipped synthetic cohort and its fit report are read or computed once per test process
(each costs up to two seconds, and a dozen modules use them); tests never modify them in place.
"""
import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture(scope="session")
def claims():
    """The claims registry, data/published/claims.csv."""
    from crs_compendium.printed.registry import load_claims

    return load_claims()


@pytest.fixture(scope="session")
def shipped():
    """The shipped synthetic cohort, data/synthetic_reconstruction/."""
    from crs_compendium.patients.load import load_cohort
    from crs_compendium.patients.schema import SYNTHETIC_DIR

    return load_cohort(SYNTHETIC_DIR)


@pytest.fixture(scope="session")
def shipped_fit(shipped, claims):
    """The fit report of the shipped cohort to every printed number about the patients."""
    from crs_compendium.reproduce.fit import fit_report

    return fit_report(shipped, claims=claims)
