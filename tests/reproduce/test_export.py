"""The result files a build writes (crs_compendium.reproduce.export): reproduced tables and the fit report,
under the build directory, whole or not at all; a per-patient table only where rows may be shown."""
import pandas as pd
import pytest

from crs_compendium.computable import NotComputable
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.patients.disclosure import Disclosure
from crs_compendium.reproduce.export import downloads, write_fit_report, write_result
from crs_compendium.reproduce.fit import FitReport


def test_write_result_writes_csv_under_the_build_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path))
    frame = pd.DataFrame({("A", "x"): [1], ("A", "y"): [2]})
    path = write_result(frame, "example_table")
    assert path == tmp_path / "results" / "example_table.csv"
    assert path.read_text() == "A | x,A | y\n1,2\n"
    with pytest.raises(InvalidInputError, match="lower-case"):
        write_result(frame, "../escape")


def test_a_named_index_is_written_and_an_unnamed_one_is_not(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path))
    frame = pd.DataFrame({"n": [1, 2]}, index=pd.Index(["a", "b"], name="claim_id"))
    assert write_result(frame, "named").read_text() == "claim_id,n\na,1\nb,2\n"
    assert write_result(frame.reset_index(drop=True), "unnamed").read_text() == "n\n1\n2\n"


def test_fit_report_is_written_under_the_build_directory(shipped_fit, tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path))
    result = shipped_fit
    path = write_fit_report(result)
    assert path == tmp_path / "reconstruction" / "fit_report.csv"
    written = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(written.columns) == ["claim_id", "location", "aggregate", "target", "achieved", "status", "note"]
    assert isinstance(result, FitReport)
    assert len(written) == len(result.table) and repr(result).startswith("Fit of the synthetic reconstruction")
    assert write_fit_report(result, tmp_path / "elsewhere") == tmp_path / "elsewhere" / "fit_report.csv"


def test_a_page_lists_the_files_it_wrote_as_downloads_with_rows_and_checksum(tmp_path, monkeypatch):
    import hashlib

    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path))
    path = write_result(pd.DataFrame({"n": [1, 2, 3]}), "three_rows")
    shown = downloads(path).data
    assert 'href="../exports/results/three_rows.csv" data-rows="3"' in shown
    assert hashlib.sha256(path.read_bytes()).hexdigest()[:16] in shown
    assert "no result file" in downloads(None).data  # a result not written has no link


def test_a_per_patient_table_is_written_only_where_rows_may_be_shown(tmp_path, monkeypatch):
    """Real data never leave a per-patient export behind, not even one from an earlier synthetic build."""
    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path))
    per_patient = pd.DataFrame({"patient_id": ["A1", "A2"], "peak": [1.0, 2.0]})
    path = write_result(per_patient, "expansion", disclosure=Disclosure(row_level=True, min_patients=0))
    assert path.read_text() == "patient_id,peak\nA1,1.0\nA2,2.0\n"
    assert write_result(per_patient, "expansion", disclosure=Disclosure(row_level=False, min_patients=5)) is None
    assert not path.exists()
    assert write_result(per_patient.set_index("patient_id"), "expansion") is None  # no disclosure: never


def test_a_result_that_is_not_computable_is_not_written_and_removes_a_stale_file(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path))
    stale = write_result(pd.DataFrame({"n": [1]}), "model")
    assert write_result(NotComputable("model", "group Toci has 1 patient(s)"), "model") is None
    assert not stale.exists()
