"""The pins: requirements.txt (what the README's commands install), environment.yml (what Binder builds)
and requirements.in (the top-level choices) must describe one environment, and .venv must be that one."""
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{line}: every pin must be exact (==)"
            pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


@pytest.fixture(scope="module")
def locked():
    return _pins((ROOT / "requirements.txt").read_text().splitlines())


@pytest.fixture(scope="module")
def environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_environment_yml_lists_exactly_the_locked_pins(locked, environment):
    pip_sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    assert len(pip_sections) == 1
    assert _pins(pip_sections[0]) == locked


def test_environment_yml_is_python_3_11_and_conda_brings_nothing_else(environment):
    conda_packages = [d for d in environment["dependencies"] if isinstance(d, str)]
    assert sorted(conda_packages) == ["pip", "python=3.11"]


def test_top_level_pins_are_locked_at_the_same_versions(locked):
    top = _pins((ROOT / "requirements.in").read_text().splitlines())
    assert {name: locked.get(name) for name in top} == top
    assert top["jupyter-book"] == "1.0.4.post1"


def test_the_running_environment_is_the_locked_one(locked):
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {name: (version, installed.get(name)) for name, version in locked.items()
             if installed.get(name) != version}
    assert not wrong, f"locked vs installed differ (run `make test` to reinstall): {wrong}"
