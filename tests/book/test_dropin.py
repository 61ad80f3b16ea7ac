"""Every patient-level notebook runs unchanged on another valid data folder (the drop-in of real data).

A second cohort is generated with another seed and written without the SYNTHETIC marker, as the authors'
data would arrive. Each notebook whose .md loads patient data (``load_cohort(``) is read from its .md into
memory and executed there (the committed files are never written), with COMPENDIUM_DATA pointing at that
folder and COMPENDIUM_BUILD_DIR at a temporary one. No cell may fail, the page's first output must be the
banner naming the folder, and the page's result tables must land in the build folder.

The notebooks run one after another in one kernel, its namespace reset between them: importing pandas,
scipy and matplotlib is most of a small notebook's cost, and paying it once makes this check about a third
of the CPU of six fresh kernels. (nbval runs every notebook in a kernel of its own.)
"""
import hashlib
from pathlib import Path

import jupytext
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell

from crs_compendium.patients.schema import SYNTHETIC_MARKER
from crs_compendium.synthetic.generate import reconstruct

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PATIENT_LEVEL = sorted(md.stem for md in NOTEBOOKS.glob("*.md") if "load_cohort(" in md.read_text(encoding="utf-8"))
OTHER_SEED = 7
# Run before each notebook in the shared kernel: no variable or open figure of the previous one survives.
FRESH_NAMESPACE = "%reset -f\nimport matplotlib.pyplot\nmatplotlib.pyplot.close('all')"


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

    kernel = KernelManager(kernel_name="python3")
    kernel.start_kernel(cwd=str(build))
    results = {}
    try:
        for stem in PATIENT_LEVEL:
            notebook = jupytext.read(NOTEBOOKS / f"{stem}.md")
            notebook.cells.insert(0, new_code_cell(FRESH_NAMESPACE))
            client = NotebookClient(notebook, km=kernel, timeout=300)
            try:
                client.execute()
                notebook.cells.pop(0)
                results[stem] = notebook
            except CellExecutionError as error:
                results[stem] = error
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()
    finally:
        kernel.shutdown_kernel(now=True)
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
