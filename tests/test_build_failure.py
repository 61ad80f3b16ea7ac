"""A failing cell fails `make book`: its first step (the parallel executor) exits 1 with the traceback, and
Jupyter Book itself, run on the same page, fails too (`raise_on_error`), so neither path hides an error."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)


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
