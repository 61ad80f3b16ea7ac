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

Each folder's notebooks run one after another in one kernel, its namespace reset between them (importing
pandas, scipy and matplotlib is most of a small notebook's cost). Each folder is a test class of its own,
so pytest-xdist (``--dist loadscope``) runs the folders two at a time.
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


def _run_pages(folder: Path, build: Path) -> dict:
    """{notebook: executed notebook, or the error it raised}, every page run on ``folder``."""
    patch = pytest.MonkeyPatch()
    patch.setenv("COMPENDIUM_DATA", str(folder))
    patch.setenv("COMPENDIUM_BUILD_DIR", str(build))
    patch.delenv("COMPENDIUM_INTERNAL", raising=False)
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
    """The pages run on one combined folder of the variant generator."""

    combination = ""

    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, tmp_path_factory):
        root = tmp_path_factory.mktemp(f"data_of_{cls.combination}")
        record = variants.write_variant(root / cls.combination, variants.COMBINATIONS[cls.combination], SEED)
        if cls.combination == "excel_csv_utf8":
            (record.folder / "label.txt").write_text(f"{LABEL}\r\n", encoding="utf-8-sig")
        before = _fingerprint(record.folder)
        build = tmp_path_factory.mktemp(f"build_of_{cls.combination}")
        results = _run_pages(record.folder, build)
        return record, build, results, before

    @pytest.mark.parametrize("stem", PATIENT_LEVEL)
    def test_the_page_runs_and_names_the_data_by_its_label(self, run, stem):
        record, _, results, _ = run
        result = results[stem]
        assert not isinstance(result, Exception), f"{stem} failed on {self.combination}:\n{result}"
        first_output = next(cell.outputs for cell in result.cells if cell.cell_type == "code" and cell.outputs)
        banner = first_output[0]["data"]["text/markdown"]
        label = LABEL if self.combination == "excel_csv_utf8" else self.combination
        assert f"Data loaded from {label}: {len(record.patient_ids)} patients" in banner
        assert "aggregates only" in banner and "Synthetic reconstruction" not in banner

    def test_no_patient_id_no_path_and_no_per_patient_table_in_any_output(self, run):
        record, build, results, _ = run
        texts = [text for result in results.values() if not isinstance(result, Exception) for text in _outputs(result)]
        texts += [path.read_text(encoding="utf-8") for path in sorted(build.rglob("*.csv"))]
        assert texts
        shown = "\n".join(texts)
        folder = str(record.folder.resolve())
        assert folder not in shown and str(record.folder.parent) not in shown and "/tmp/" not in shown
        assert _ids_shown(shown, [pid for pid in record.patient_ids if _traceable(pid)]) == []
        # No table with a row per patient: none shows a patient_id column (the schema's own description,
        # on the page about the data, names the column in its cells, which is no patient's data).
        assert "<th>patient_id</th>" not in shown
        assert not [path.name for path in build.rglob("*.csv")
                    if "patient_id" in path.read_text(encoding="utf-8").splitlines()[0].split(",")]

    def test_no_per_patient_result_is_written(self, run):
        _, build, _, _ = run
        written = {path.stem for path in (build / "results").glob("*.csv")}
        assert written and not written & PER_PATIENT_RESULTS
        assert {"table2_baseline", "figure2_verdicts", "figure3_verdicts", "figure4_verdicts", "s1_s3_verdicts"} \
            <= written

    def test_every_number_not_computable_says_why(self, run):
        """In every verdict table and in the fit report, and in every not-computable result a page shows."""
        _, build, results, _ = run
        checked = 0
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
                 for text in _outputs(result) if "<em>" in text]
        assert all(re.search(rf"<em>{NOT_COMPUTABLE}</em> \(\S", text)
                   for text in shown if f"<em>{NOT_COMPUTABLE}</em>" in text)
        assert checked, "these folders were chosen to make some numbers not computable"

    def test_the_pages_leave_the_input_folder_byte_for_byte_as_it_was(self, run):
        record, _, _, before = run
        assert _fingerprint(record.folder) == before


class TestTinyCentre(_DropIn):
    combination = "tiny_centre"


class TestInterimCut(_DropIn):
    combination = "interim_cut"


class TestRegistryExport(_DropIn):
    combination = "registry_export"


class TestExcelCsvUtf8(_DropIn):
    combination = "excel_csv_utf8"


def test_every_combined_folder_is_run_and_every_patient_level_page_with_it():
    assert {cls.combination for cls in _DropIn.__subclasses__()} == set(variants.COMBINATIONS)
    assert {"02_table2_baseline", "03_figure2_response_crs_infection_gcsf", "04_figure3_cytokines",
            "05_figure4_survival", "06_supplementary_s1_s3", "08_synthetic_cohort"} <= set(PATIENT_LEVEL)
