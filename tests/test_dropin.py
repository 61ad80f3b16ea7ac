"""Every patient-level notebook runs unchanged on another valid data folder (the drop-in of real data).

A second cohort is generated with another seed and written without the SYNTHETIC marker, as the authors'
data would arrive. Each notebook whose .md loads patient data (``load_cohort(``) is read from its .md into
memory and executed there (the committed files are never written), two at a time, with COMPENDIUM_DATA
pointing at that folder and COMPENDIUM_BUILD_DIR at a temporary one. No cell may fail, the page's first
output must be the banner naming the folder, and the page's result tables must land in the build folder.
"""
import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from crs_compendium.ipd import SYNTHETIC_MARKER
from crs_compendium.reconstruction import reconstruct

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PATIENT_LEVEL = sorted(md.stem for md in NOTEBOOKS.glob("*.md") if "load_cohort(" in md.read_text(encoding="utf-8"))
OTHER_SEED = 7


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def dropin(tmp_path_factory):
    """(data folder, build folder, {notebook: executed notebook or the error it raised}, input bytes before)."""
    folder = tmp_path_factory.mktemp("authors_data")
    build = tmp_path_factory.mktemp("build")
    reconstruct(seed=OTHER_SEED).write(folder)
    (folder / SYNTHETIC_MARKER).unlink()
    before = _fingerprint(folder)
    patch = pytest.MonkeyPatch()
    patch.setenv("COMPENDIUM_DATA", str(folder))
    patch.setenv("COMPENDIUM_BUILD_DIR", str(build))

    def execute(stem: str):
        notebook = jupytext.read(NOTEBOOKS / f"{stem}.md")
        try:
            NotebookClient(notebook, timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(build)}}).execute()
        except CellExecutionError as error:
            return error
        return notebook

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = dict(zip(PATIENT_LEVEL, pool.map(execute, PATIENT_LEVEL)))
    finally:
        patch.undo()
    return folder, build, results, before


def test_the_patient_level_notebooks_are_found():
    assert {"02_table2_baseline", "03_figure2_response_crs_infection_gcsf", "04_figure3_cytokines",
            "05_figure4_survival", "06_supplementary_s1_s3"} <= set(PATIENT_LEVEL)


@pytest.mark.parametrize("stem", PATIENT_LEVEL)
def test_notebook_runs_unchanged_on_another_data_folder(dropin, stem):
    folder, _, results, _ = dropin
    result = results[stem]
    assert not isinstance(result, Exception), f"{stem} failed on {folder}:\n{result}"
    first_output = next(cell.outputs for cell in result.cells if cell.cell_type == "code" and cell.outputs)
    banner = first_output[0]["data"]["text/markdown"]
    assert "Data loaded from" in banner and str(folder.resolve()) in banner
    assert "Synthetic reconstruction" not in banner


def test_running_every_page_leaves_the_input_folder_byte_for_byte_as_it_was(dropin):
    folder, _, _, before = dropin
    assert _fingerprint(folder) == before


def test_result_tables_go_to_the_build_folder_not_the_compendium(dropin):
    _, build, _, _ = dropin
    written = {path.stem for path in (build / "results").glob("*.csv")}
    assert {"table2_baseline", "figure2_verdicts", "figure3_verdicts", "figure4_survival", "s1_s3_verdicts"} <= written
