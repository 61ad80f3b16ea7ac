"""Each notebook is a jupytext pair: the .md people read and diff, the .ipynb whose outputs nbval checks.
The two must hold the same cells, and the .ipynb must be executed (nbval skips cells that never ran)."""
from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
STEMS = sorted({p.stem for p in NOTEBOOKS.glob("*.md")} | {p.stem for p in NOTEBOOKS.glob("*.ipynb")})


def _cells(notebook):
    return [
        (cell.cell_type, cell.source.strip(), tuple(cell.metadata.get("tags", ())))
        for cell in notebook.cells
    ]


def test_there_are_notebooks():
    assert "01_patient_flow" in STEMS


@pytest.mark.parametrize("stem", STEMS)
def test_both_halves_of_the_pair_exist(stem):
    missing = [suffix for suffix in (".md", ".ipynb") if not (NOTEBOOKS / f"{stem}{suffix}").is_file()]
    assert not missing, f"{stem}: missing {missing}; run `make notebooks`"


@pytest.mark.parametrize("stem", STEMS)
def test_md_and_ipynb_hold_the_same_cells(stem):
    text = jupytext.read(NOTEBOOKS / f"{stem}.md")
    executed = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    assert _cells(text) == _cells(executed), f"{stem}: .md and .ipynb differ; run `make notebooks`"


@pytest.mark.parametrize("stem", STEMS)
def test_ipynb_carries_executed_outputs(stem):
    executed = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    code = [cell for cell in executed.cells if cell.cell_type == "code" and cell.source.strip()]
    never_ran = [i for i, cell in enumerate(code) if cell.get("execution_count") is None]
    assert code and not never_ran, f"{stem}: code cells {never_ran} have no outputs; run `make notebooks`"
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), f"{stem}: not executed top to bottom in one run"
