"""Every patient-level page runs unchanged on every realistic export of a valid folder, says what it cannot
compute, and publishes nothing about an individual.

The folder-variant generator (tests/variants.py) writes the combined folders of
``variants.COMBINATIONS``, which together hold every valid kind of real-export difference (tiny and
unequal groups, absent grades and categories, no or all survival events, no steroid or G-CSF, empty and
sparse columns, ragged daily rows, a patient without daily rows, shuffled rows, other ids, 200+ patients,
Excel's byte-order mark, CR LF, TRUE/FALSE, quoting and leftovers, no case mapping). None carries the
SYNTHETIC marker: each is real data to the book. Each notebook whose .md loads patient data is read from
its .md into memory and executed there (the committed files are never written), with COMPENDIUM_DATA
pointing at the folder and COMPENDIUM_BUILD_DIR at a temporary one; figures are rendered as SVG with their
text kept as text, so that a patient id in a tick label would be found.

The notebooks run one after another in one kernel per two folders, its namespace reset between them
(importing pandas, scipy and matplotlib is most of a small notebook's cost), each folder's environment set
in the kernel before each page. The two kernels are two test classes, which pytest-xdist
(``--dist loadscope``) runs at once.
"""
import hashlib
import re
from pathlib import Path

import jupytext
import pandas as pd
import pytest
import variants
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell

from crs_compendium.vocab import NOT_COMPUTABLE

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PATIENT_LEVEL = sorted(md.stem for md in NOTEBOOKS.glob("*.md") if "load_cohort(" in md.read_text(encoding="utf-8"))
SEED = 20240611
LABEL = "Hospital export, data cut June 2024"
"""The label.txt of the Excel folder: pages name the data by it, never by the folder's path."""
# Run before each notebook in the shared kernel: no variable or open figure of the previous one survives,
# and figures are SVG with their text as text.
FRESH_NAMESPACE = ("%reset -f\nimport matplotlib\nimport matplotlib.pyplot\nmatplotlib.pyplot.close('all')\n"
                   "matplotlib.rcParams['svg.fonttype'] = 'none'\n%config InlineBackend.figure_formats = ['svg']")
PER_PATIENT_RESULTS = {"figure3_il6_change", "s1_expansion"}
"""The results a synthetic build writes with one row per patient; a build on real data never does."""
TEXT_OUTPUTS = ("text/plain", "text/html", "text/markdown", "image/svg+xml")


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _outputs(notebook) -> list[str]:
    """Every text a notebook shows: streams, errors and each text-like representation of each output."""
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            texts += ["\n".join(output.get("traceback", []))]
            texts += [value if isinstance(value, str) else "".join(value)
                      for kind, value in output.get("data", {}).items() if kind in TEXT_OUTPUTS]
    return [text for text in texts if text]


def _run_pages(folders: list[tuple[Path, Path]]) -> dict[Path, dict]:
    """{data folder: {notebook: executed notebook, or the error it raised}}: every page run on each folder
    (with its own build folder), all in one kernel."""
    kernel = KernelManager(kernel_name="python3")
    kernel.start_kernel(cwd=str(folders[0][1]))
    results: dict[Path, dict] = {}
    try:
        for folder, build in folders:
            setup = (f"import os\nos.environ['COMPENDIUM_DATA'] = {str(folder)!r}\n"
                     f"os.environ['COMPENDIUM_BUILD_DIR'] = {str(build)!r}\n"
                     "os.environ.pop('COMPENDIUM_INTERNAL', None)\n")
            results[folder] = {}
            for stem in PATIENT_LEVEL:
                notebook = jupytext.read(NOTEBOOKS / f"{stem}.md")
                notebook.cells.insert(0, new_code_cell(FRESH_NAMESPACE + "\n" + setup))
                client = NotebookClient(notebook, km=kernel, timeout=300)
                try:
                    client.execute()
                    notebook.cells.pop(0)
                    results[folder][stem] = notebook
                except CellExecutionError as error:
                    results[folder][stem] = error
                finally:
                    if client.kc is not None:
                        client.kc.stop_channels()
    finally:
        kernel.shutdown_kernel(now=True)
    return results


def _ids_shown(text: str, patient_ids) -> list[str]:
    """The patient ids a text shows as such: each whole id, not a piece of a longer word or number (one
    pass over the text for all of them)."""
    if not patient_ids:
        return []
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(patient_ids, key=len, reverse=True)))
                         + r")(?![\w.])")
    return sorted(set(pattern.findall(text)))


def _traceable(patient_id: str) -> bool:
    """Ids that can be told from the numbers on a page: any with a letter or a leading zero. Plain study
    numbers (1, 2, 3) cannot; the absence of any per-patient table (no "patient_id" shown) covers them."""
    return bool(re.search(r"[^\d]", patient_id)) or patient_id.startswith("0")


class _DropIn:
    """The pages run on combined folders of the variant generator, one after another in one kernel."""

    combinations: tuple[str, ...] = ()

    @pytest.fixture(scope="class")
    @classmethod
    def runs(cls, tmp_path_factory):
        """{combination: (record, build folder, {notebook: result}, input bytes before)}."""
        runs = {}
        for combination in cls.combinations:
            root = tmp_path_factory.mktemp(f"data_of_{combination}")
            record = variants.write_variant(root / combination, variants.COMBINATIONS[combination], SEED)
            if combination == "excel_csv_utf8":
                (record.folder / "label.txt").write_text(f"{LABEL}\r\n", encoding="utf-8-sig")
            before = _fingerprint(record.folder)
            build = tmp_path_factory.mktemp(f"build_of_{combination}")
            runs[combination] = (record, build, before)
        results = _run_pages([(record.folder, build) for record, build, _ in runs.values()])
        return {combination: (record, build, results[record.folder], before)
                for combination, (record, build, before) in runs.items()}

    @pytest.fixture(params=PATIENT_LEVEL)
    def stem(self, request):
        return request.param

    def test_the_page_runs_and_names_the_data_by_its_label(self, runs, stem):
        for combination, (record, _, results, _) in runs.items():
            result = results[stem]
            assert not isinstance(result, Exception), f"{stem} failed on {combination}:\n{result}"
            first_output = next(cell.outputs for cell in result.cells if cell.cell_type == "code" and cell.outputs)
            banner = first_output[0]["data"]["text/markdown"]
            label = LABEL if combination == "excel_csv_utf8" else combination
            assert f"Data loaded from {label}: {len(record.patient_ids)} patients" in banner
            assert "aggregates only" in banner and "Synthetic reconstruction" not in banner

    def test_no_patient_id_no_path_and_no_per_patient_table_in_any_output(self, runs):
        for record, build, results, _ in runs.values():
            texts = [text for result in results.values() if not isinstance(result, Exception)
                     for text in _outputs(result)]
            texts += [path.read_text(encoding="utf-8") for path in sorted(build.rglob("*.csv"))]
            assert texts
            shown = "\n".join(texts)
            assert str(record.folder.resolve()) not in shown and str(record.folder.parent) not in shown
            assert "/tmp/" not in shown
            assert _ids_shown(shown, [pid for pid in record.patient_ids if _traceable(pid)]) == []
            # No table with a row per patient: none shows a patient_id column (the schema's own description,
            # on the page about the data, names the column in its cells, which is no patient's data).
            assert "<th>patient_id</th>" not in shown
            assert not [path.name for path in build.rglob("*.csv")
                        if "patient_id" in path.read_text(encoding="utf-8").splitlines()[0].split(",")]

    def test_no_per_patient_result_is_written(self, runs):
        for _, build, _, _ in runs.values():
            written = {path.stem for path in (build / "results").glob("*.csv")}
            assert written and not written & PER_PATIENT_RESULTS
            assert {"table2_baseline", "figure2_verdicts", "figure3_verdicts", "figure4_verdicts",
                    "s1_s3_verdicts"} <= written

    def test_every_number_not_computable_says_why(self, runs):
        """In every verdict table and in the fit report, and in every not-computable result a page shows."""
        checked = 0
        for _, build, results, _ in runs.values():
            for path in sorted(build.rglob("*.csv")):
                table = pd.read_csv(path, dtype=str, keep_default_na=False)
                for verdict in ("verdict", "verdict_p", "verdict_p_bonferroni", "status"):
                    if verdict in table and "note" in table:
                        rows = table[table[verdict] == NOT_COMPUTABLE]
                        checked += len(rows)
                        assert rows["note"].str.strip().ne("").all(), f"{path.name}: {verdict} without a reason"
                if NOT_COMPUTABLE in table:
                    assert table.loc[table[NOT_COMPUTABLE].astype(int) > 0, "why it is not computable"].ne("").all()
            shown = [text for result in results.values() if not isinstance(result, Exception)
                     for text in _outputs(result) if f"<em>{NOT_COMPUTABLE}</em>" in text]
            assert all(re.search(rf"<em>{NOT_COMPUTABLE}</em> \(\S", text) for text in shown)
        assert checked, "these folders were chosen to make some numbers not computable"

    def test_the_pages_leave_the_input_folders_byte_for_byte_as_they_were(self, runs):
        for record, _, _, before in runs.values():
            assert _fingerprint(record.folder) == before


# Two classes, so that pytest-xdist (--dist loadscope) runs them at once, of about equal cost (the 240-patient
# registry export costs most, the 3-patient centre least).
class TestRegistryExportAndInterimCut(_DropIn):
    combinations = ("registry_export", "interim_cut")


class TestExcelExportAndTinyCentre(_DropIn):
    combinations = ("excel_csv_utf8", "tiny_centre")


def test_every_combined_folder_is_run_and_every_patient_level_page_with_it():
    covered = [name for cls in _DropIn.__subclasses__() for name in cls.combinations]
    assert sorted(covered) == sorted(variants.COMBINATIONS)
    assert {"02_table2_baseline", "03_figure2_response_crs_infection_gcsf", "04_figure3_cytokines",
            "05_figure4_survival", "06_supplementary_s1_s3", "08_synthetic_cohort"} <= set(PATIENT_LEVEL)
