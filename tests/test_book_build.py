"""The book builds from scratch with every notebook executed and Sphinx warnings as errors, and a failing
cell fails the build (a build that shrugs off errors would publish stale or missing verdicts)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=1200, cwd=ROOT)


def _build(book: Path) -> subprocess.CompletedProcess:
    """What `make book-force` does: execute every notebook into the cache, then build with -W."""
    executed = _run(str(BIN / "python"), "-m", "crs_compendium.execution", "--book", str(book), "--force")
    if executed.returncode != 0:
        return executed
    return _run(str(BIN / "jupyter-book"), "build", str(book), "-W", "-n", "--keep-going")


def test_book_builds_with_every_notebook_executed_and_no_warnings():
    result = _build(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Executing notebook" not in result.stdout, "the build ran a notebook the executor had not cached"
    html = ROOT / "_build" / "html"
    assert (html / "index.html").is_file()
    flow_page = (html / "notebooks" / "01_patient_flow.html").read_text()
    assert "<img" in flow_page and "Patient flow of the study" in flow_page
    assert "flow checks consistent; exclusions sum to 16." in flow_page


def test_a_failing_cell_fails_the_executor_and_the_build(tmp_path):
    (tmp_path / "_config.yml").write_text((ROOT / "_config.yml").read_text())
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: broken\n")
    front_matter = (ROOT / "notebooks" / "01_patient_flow.md").read_text().split("(figure1-patient-flow)=")[0]
    (tmp_path / "broken.md").write_text(
        front_matter + "# Broken\n\n```{code-cell} ipython3\nraise RuntimeError('deliberately broken cell')\n```\n"
    )
    executed = _run(str(BIN / "python"), "-m", "crs_compendium.execution", "--book", str(tmp_path))
    assert executed.returncode == 1
    assert "broken.md failed" in executed.stderr and "deliberately broken cell" in executed.stderr
    built = _run(str(BIN / "jupyter-book"), "build", str(tmp_path), "-W", "-n", "--keep-going")
    assert built.returncode != 0
    assert "deliberately broken cell" in built.stdout + built.stderr
