"""The book builds from scratch with every notebook executed and Sphinx warnings as errors, and a failing
cell fails the build (a build that shrugs off errors would publish stale or missing verdicts)."""
import subprocess
import sys
from pathlib import Path

import pytest

from crs_compendium.bookconfig import forced_config

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def _build(source: Path, config: Path, output: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(source), "-W", "-n", "--keep-going",
         "--config", str(config), "--path-output", str(output)],
        capture_output=True, text=True, timeout=1200,
    )


@pytest.fixture(scope="module")
def forced_config_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "_config.yml"
    path.write_text(forced_config())
    return path


def test_book_builds_with_forced_execution_and_no_warnings(forced_config_file):
    result = _build(ROOT, forced_config_file, ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = ROOT / "_build" / "html"
    assert (html / "index.html").is_file()
    flow_page = (html / "notebooks" / "01_patient_flow.html").read_text()
    assert "<img" in flow_page and "Patient flow of the study" in flow_page
    assert "flow checks consistent; exclusions sum to 16." in flow_page


def test_a_failing_cell_fails_the_build(tmp_path, forced_config_file):
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: broken\n")
    (tmp_path / "broken.md").write_text(
        (ROOT / "notebooks" / "01_patient_flow.md").read_text().split("(figure1-patient-flow)=")[0]
        + "# Broken\n\n```{code-cell} ipython3\nraise RuntimeError('deliberately broken cell')\n```\n"
    )
    result = _build(tmp_path, forced_config_file, tmp_path)
    assert result.returncode != 0
    assert "deliberately broken cell" in result.stdout + result.stderr
