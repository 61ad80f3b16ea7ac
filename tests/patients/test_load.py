"""Loading a patient-data folder (crs_compendium.patients.load): bad input refused with file, column,
line(s) and rule, every violation at once; the data folder chosen by COMPENDIUM_DATA and never written to.

The outside source of every rule is the data dictionary itself (data/ipd_schema.md); each bad-input case
below breaks one of its rules. That the dictionary and the code's column rules agree is
tests/patients/test_schema.py.
"""
import codecs
import hashlib
import shutil

import pandas as pd
import pytest
from sample_data import DAILY, PATIENTS, edit_cell, make_folder

from crs_compendium import cli
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.patients import grading, load
from crs_compendium.patients.load import Cohort, load_cohort, validate_folder
from crs_compendium.patients.schema import SYNTHETIC_DIR
from crs_compendium.reproduce.export import write_fit_report
from crs_compendium.reproduce.fit import fit_report


def violations(folder):
    report = validate_folder(folder)
    assert not report.valid
    return report.violations


def only(folder):
    (violation,) = violations(folder)
    return violation


# ---------------------------------------------------------------------------------------------------------
# A valid folder
# ---------------------------------------------------------------------------------------------------------
def test_the_small_valid_folder_passes_and_loads_with_its_types(tmp_path):
    folder = make_folder(tmp_path)
    assert validate_folder(folder).valid
    cohort = load_cohort(folder)
    assert not cohort.synthetic and cohort.label.startswith("data loaded from")
    assert cohort.patients["age_years"].tolist() == [42, 32]
    assert cohort.patients["tocilizumab"].dtype == bool and cohort.patients["sex"].tolist() == ["F", "M"]
    assert cohort.daily["toci_mg"].isna().sum() == 3 and cohort.daily["o2_support"].isna().sum() == 1


def test_the_shipped_synthetic_cohort_is_valid_and_says_so():
    cohort = load_cohort(SYNTHETIC_DIR)
    assert cohort.synthetic and cohort.label == "synthetic reconstruction"
    assert len(cohort.patients) == 45 and set(cohort.daily["patient_id"]) == set(cohort.patients["patient_id"])
    assert isinstance(cohort, Cohort) and "seed" in cohort.marker
    assert repr(cohort).startswith("Cohort: 45 patients (17 with tocilizumab, 28 without)")


def test_a_synthetic_folder_carries_its_provenance_and_claim_notes():
    """Next to its SYNTHETIC marker the shipped folder says where each column comes from and why some printed
    numbers cannot be met; the cohort reads both, and `notes(kind)` picks one kind."""
    cohort = load_cohort(SYNTHETIC_DIR)
    assert list(cohort.provenance.columns) == ["file", "column", "level", "basis"]
    assert set(cohort.provenance["file"]) == {"patients.csv", "daily.csv"}
    assert list(cohort.claim_notes.columns) == ["claim_id", "kind", "note"]
    assert set(cohort.claim_notes["kind"]) == {"decision", "reading"}
    decisions, readings = cohort.notes("decision"), cohort.notes("reading")
    assert "t2.steroid_mpe_mg.total.max" in decisions and "res.response_d28.p" in readings
    assert cohort.notes() == {**decisions, **readings}


def test_real_data_have_no_provenance_or_notes(tmp_path):
    cohort = load_cohort(make_folder(tmp_path))
    assert cohort.provenance.empty and cohort.claim_notes.empty and cohort.notes() == {}
    assert cohort.marker == ""


def test_extra_columns_are_allowed_and_kept_as_text(tmp_path):
    patients = PATIENTS.replace("os_event\n", "os_event,site\n", 1).replace(",true\n", ",true,north\n", 1)
    patients = patients.replace("610.5,false\n", "610.5,false,south\n")
    cohort = load_cohort(make_folder(tmp_path, patients=patients))
    assert cohort.patients.columns[-1] == "site" and cohort.patients["site"].tolist() == ["north", "south"]


def test_spellings_the_dictionary_allows(tmp_path):
    """integer 36.0, float 1e3, boolean TRUE/False (data/ipd_schema.md, "Types")."""
    patients = edit_cell(edit_cell(edit_cell(PATIENTS, 2, "age_years", "42.0"), 2, "gcsf_total_ug", "1.5e3"),
                         3, "high_risk", "FALSE")
    cohort = load_cohort(make_folder(tmp_path, patients=patients.replace(",true,", ",True,", 1)))
    assert cohort.patients.loc[0, "age_years"] == 42 and cohort.patients.loc[0, "gcsf_total_ug"] == 1500.0


def test_a_validated_daily_table_grades_without_error(tmp_path):
    """What the validator accepts, the ASTCT grader accepts too (same ranges and categories)."""
    summary = grading.summarise_crs(load_cohort(make_folder(tmp_path)).daily).set_index("patient_id")
    assert summary.loc["A1", "crs_max_grade"] == 3 and summary.loc["A1", "crs_duration_days"] == 2
    assert summary.loc["A2", "crs_max_grade"] == 0


# ---------------------------------------------------------------------------------------------------------
# Bad input: the file
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("missing", ["patients.csv", "daily.csv"])
def test_missing_file(tmp_path, missing):
    folder = make_folder(tmp_path)
    (folder / missing).unlink()
    assert str(only(folder)) == f"{missing}: file not found"


def test_folder_that_is_not_a_folder(tmp_path):
    folder = make_folder(tmp_path)
    with pytest.raises(InvalidInputError, match="not a folder"):
        validate_folder(folder / "patients.csv")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "file is empty"),
        (b"\n\n", "file is empty"),
        (PATIENTS.splitlines()[0].encode() + b"\n", "header but no data rows"),
        (PATIENTS.encode("utf-16"), "UTF-16"),
        (PATIENTS.replace(",", ";").encode(), "separated by semicolons, not commas"),
        (PATIENTS.replace(",", "\t").encode(), "separated by tabs, not commas"),
        (PATIENTS.replace("A2,", 'A2,"32,', 1).encode(), "not readable as CSV"),
    ],
    ids=["empty", "blank-lines", "header-only", "utf16", "semicolons", "tabs", "unclosed-quote"],
)
def test_unreadable_patients_file(tmp_path, content, message):
    violation = only(make_folder(tmp_path, patients=content))
    assert violation.file == "patients.csv" and message in violation.rule


def test_non_utf8_byte_names_its_line_the_encoding_and_how_to_re_save(tmp_path):
    latin1 = edit_cell(PATIENTS, 3, "patient_id", "Zoë").encode("latin-1")
    violation = only(make_folder(tmp_path, patients=latin1))
    assert "not UTF-8" in violation.rule and "byte 0xeb on line 3" in violation.rule
    assert "it reads as WINDOWS-1252" in violation.rule and "'CSV UTF-8 (Comma delimited)'" in violation.rule
    assert "iconv -f WINDOWS-1252 -t UTF-8 patients.csv" in violation.rule


def test_a_chinese_locale_excel_export_is_named_gb18030(tmp_path):
    """Excel on a Chinese-locale Windows saves "CSV (comma delimited)" in GB18030 (code page 936)."""
    patients = PATIENTS.replace("os_event\n", "os_event,ward\n", 1).replace("\n", ",血液科\n").replace(
        "os_event,ward,血液科\n", "os_event,ward\n")
    violation = only(make_folder(tmp_path, patients=patients.encode("gb18030")))
    assert "it reads as GB18030" in violation.rule and "Chinese-locale" in violation.rule
    assert "Latin-1" not in violation.rule


def test_what_spreadsheets_write_is_read_as_the_plain_file(tmp_path):
    """Excel's "CSV UTF-8": byte-order mark, CR LF, TRUE/FALSE, every field quoted, a trailing column with no
    name or value and rows of empty fields left behind: the same cohort as the plain file."""
    plain = load_cohort(make_folder(tmp_path / "plain"))
    def excel(text):
        lines = [",".join(f'"{field}"' for field in (line + ",").split(",")) for line in text.splitlines()]
        lines += [",".join([""] * (text.splitlines()[0].count(",") + 2))] * 2
        body = "\r\n".join(lines).replace('"true"', '"TRUE"').replace('"false"', '"FALSE"') + "\r\n"
        return codecs.BOM_UTF8 + body.encode("utf-8")
    exported = load_cohort(make_folder(tmp_path / "excel", patients=excel(PATIENTS), daily=excel(DAILY)))
    pd.testing.assert_frame_equal(exported.patients, plain.patients)
    pd.testing.assert_frame_equal(exported.daily, plain.daily)


@pytest.mark.parametrize("header, meant", [("age_years ", "age_years"), ("Age_Years", "age_years"),
                                           ("age_year", "age_years"), ("Paper_Case", "paper_case")])
def test_a_header_near_miss_is_refused_with_did_you_mean(tmp_path, header, meant):
    patients = PATIENTS if meant != "paper_case" else PATIENTS.replace("os_event\n", "os_event,paper_case\n", 1) \
        .replace(",true\n", ",true,1\n", 1).replace("610.5,false\n", "610.5,false,\n")
    violation = only(make_folder(tmp_path, patients=patients.replace(meant, header, 1)))
    assert violation.column == meant and not violation.lines
    assert f"no column {meant!r}, but the header has {header!r}: did you mean {meant!r}?" in violation.rule


def test_row_with_the_wrong_number_of_fields(tmp_path):
    daily = DAILY.replace("A1,3,37.0,", "A1,3,37.0,extra,", 1)
    violation = only(make_folder(tmp_path, daily=daily))
    assert violation.file == "daily.csv" and violation.lines == (4,) and "have 19 fields" in violation.rule


def test_duplicate_and_empty_column_names(tmp_path):
    """A column without a name is refused when it holds a value (one with neither is a spreadsheet's
    leftover and is ignored)."""
    patients = PATIENTS.replace("os_event\n", "os_event,sex,\n", 1).replace(",true\n", ",true,F,x\n", 1)
    patients = patients.replace("610.5,false\n", "610.5,false,M,\n")
    found = {(v.column, v.rule) for v in violations(make_folder(tmp_path, patients=patients))}
    assert found == {("sex", "column name appears more than once in the header"),
                     ("(position 24)", "column names must be non-empty")}


# ---------------------------------------------------------------------------------------------------------
# Bad input: columns and cells
# ---------------------------------------------------------------------------------------------------------
def test_missing_required_column(tmp_path):
    patients = "\n".join(",".join(f for i, f in enumerate(line.split(",")) if i != 4)
                         for line in PATIENTS.splitlines()) + "\n"
    violation = only(make_folder(tmp_path, patients=patients))
    assert (violation.file, violation.column, violation.rule, violation.lines) == (
        "patients.csv", "prior_lines", "required column", ())


@pytest.mark.parametrize(
    "file, line, column, value, rule",
    [
        ("patients", 2, "age_years", "thirty", "a whole number"),                 # wrong type
        ("patients", 2, "prior_lines", "2.5", "a whole number"),                 # decimal in an integer column
        ("patients", 2, "prior_allo_sct", "yes", "true or false"),               # boolean spelled otherwise
        ("patients", 3, "steroid_mpe_mg", "12,5", None),                         # decimal comma: a field too many
        ("patients", 2, "marrow_blasts_pct", "34%", "a number (decimal point, no units)"),
        ("patients", 2, "age_years", "130", "a whole number 0-100"),             # out of range
        ("patients", 3, "cart_dose_1e6_per_kg", "0", "a number > 0"),            # open lower bound
        ("patients", 2, "gcsf_total_ug", "-300", "a number >= 0"),               # negative
        ("patients", 2, "sex", "female", "one of M, F"),                         # unknown category
        ("patients", 2, "response_d28", "CR", "one of MRD-CR, MRD+CR, PR, NR"),  # unknown category
        ("patients", 3, "crs_grade", "", "non-empty"),                           # empty required cell
        ("daily", 2, "o2_support", "nasal", "one of none, low_flow, high_flow, facemask, positive_pressure"),
        ("daily", 3, "day", "-8", "a whole number -7-400"),                      # day out of range
        ("daily", 4, "tmax_c", "45", "a number 34-43"),                          # temperature out of range
        ("daily", 5, "vasopressors", "6", "a whole number 0-5"),
        ("daily", 2, "il6_pg_ml", "-1", "a number >= 0"),
    ],
)
def test_bad_cell_is_named_by_file_column_line_and_rule(tmp_path, file, line, column, value, rule):
    texts = {"patients": PATIENTS, "daily": DAILY}
    texts[file] = edit_cell(texts[file], line, column, value)
    violation = only(make_folder(tmp_path, **texts))
    if rule is None:  # "12,5" splits into two fields: the row is refused as a whole
        assert violation.lines == (line,) and "fields, like the header" in violation.rule
        return
    assert (violation.file, violation.column, violation.rule, violation.lines) == (f"{file}.csv", column, rule, (line,))
    assert repr(value) in str(violation) if value else "(empty)" in str(violation)


def test_duplicate_patient_id_lists_both_lines(tmp_path):
    violation = only(make_folder(tmp_path, patients=PATIENTS.replace("\nA2,", "\nA1,"),
                                 daily=DAILY.replace("A2,1,", "A1,9,")))
    assert (violation.column, violation.rule, violation.lines) == ("patient_id", "unique", (2, 3))


def test_daily_rows_for_an_unknown_patient(tmp_path):
    violation = only(make_folder(tmp_path, daily=DAILY.replace("A2,1,", "B7,1,")))
    assert (violation.file, violation.column, violation.rule, violation.lines, violation.values) == (
        "daily.csv", "patient_id", "listed in patients.csv", (5,), ("'B7'",))


def test_two_rows_for_one_patient_and_day(tmp_path):
    violation = only(make_folder(tmp_path, daily=DAILY.replace("A1,3,", "A1,2,")))
    assert violation.rule == "one row per patient and day" and violation.lines == (3, 4)


@pytest.mark.parametrize(
    "edits, rule",
    [
        ([(3, "os_days", "500")], "os_days >= pfs_days"),
        ([(3, "os_event", "true")], "pfs_event is true when os_event is true"),
        ([(3, "toci_doses", "1")], "toci_doses and toci_total_mg are 0 when tocilizumab is false"),
        ([(2, "toci_total_mg", "0")], "toci_doses >= 1 and toci_total_mg > 0 when tocilizumab is true"),
        ([(3, "crs_duration_days", "2")], "crs_duration_days is 0 when crs_grade is 0"),
    ],
)
def test_rules_across_columns(tmp_path, edits, rule):
    patients = PATIENTS
    for line, column, value in edits:
        patients = edit_cell(patients, line, column, value)
    violation = only(make_folder(tmp_path, patients=patients))
    assert violation.rule == rule and violation.lines == (edits[0][0],)


def test_oxygen_flow_without_oxygen_support(tmp_path):
    violation = only(make_folder(tmp_path, daily=edit_cell(DAILY, 4, "o2_flow_l_min", "3")))
    assert violation.column == "o2_support, o2_flow_l_min" and violation.lines == (4,)
    assert "o2_support='none' o2_flow_l_min='3'" in str(violation)


# ---------------------------------------------------------------------------------------------------------
# Every violation at once
# ---------------------------------------------------------------------------------------------------------
def test_every_violation_in_both_files_is_reported_in_one_run(tmp_path):
    patients = edit_cell(edit_cell(edit_cell(PATIENTS, 2, "age_years", "130"), 3, "age_years", "-3"), 3, "sex", "X")
    daily = edit_cell(DAILY.replace("A2,1,", "Q9,1,"), 3, "tmax_c", "hot")
    report = validate_folder(make_folder(tmp_path, patients=patients, daily=daily))
    table = report.frame().set_index(["file", "column"])
    assert len(report.violations) == 4
    assert table.loc[("patients.csv", "age_years"), "lines"] == "2, 3"
    assert table.loc[("patients.csv", "age_years"), "values"] == "'130', '-3'"
    assert table.loc[("patients.csv", "sex"), "rule"] == "one of M, F"
    assert table.loc[("daily.csv", "tmax_c"), "rule"] == "a number (decimal point, no units)"
    assert table.loc[("daily.csv", "patient_id"), "lines"] == "5"
    with pytest.raises(InvalidInputError) as error:
        load_cohort(tmp_path / "data")
    message = str(error.value)
    assert "4 violation(s)" in message and all(name in message for name in ("age_years", "sex", "tmax_c", "Q9"))


def test_a_misspelt_required_cell_is_reported_once(tmp_path):
    """'thirty' fails the spelling rule; it is not reported again as empty after conversion."""
    violation = only(make_folder(tmp_path, patients=edit_cell(PATIENTS, 2, "age_years", "thirty")))
    assert violation.rule == "a whole number"


# ---------------------------------------------------------------------------------------------------------
# Which folder, and never writing to it
# ---------------------------------------------------------------------------------------------------------
def test_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(load.DATA_ENV, raising=False)
    assert load.data_dir() == SYNTHETIC_DIR
    monkeypatch.setenv(load.DATA_ENV, str(tmp_path))
    assert load.data_dir() == tmp_path
    folder = make_folder(tmp_path)
    monkeypatch.setenv(load.DATA_ENV, str(folder))
    cohort = load_cohort()
    assert cohort.source == folder and cohort.label == "data loaded from data"


def test_shown_path_is_relative_inside_the_compendium_and_never_absolute_outside(tmp_path):
    assert load.shown_path(SYNTHETIC_DIR) == "data/synthetic_reconstruction"
    assert load.shown_path(tmp_path) == tmp_path.name


def test_a_label_file_names_the_data_on_every_page(tmp_path):
    folder = make_folder(tmp_path)
    assert load.data_label(folder) == "data" and str(validate_folder(folder)).startswith("data: valid")
    (folder / "label.txt").write_text("\n  Centre A, data cut 2024-06  \n", encoding="utf-8")
    assert load.data_label(folder) == "Centre A, data cut 2024-06"
    assert load_cohort(folder).label == "data loaded from Centre A, data cut 2024-06"
    assert str(tmp_path) not in repr(load_cohort(folder)) + str(validate_folder(folder))


def test_the_paper_case_column_is_optional_and_checked_where_given(tmp_path):
    with_cases = PATIENTS.replace("os_event\n", "os_event,paper_case\n", 1)
    given = with_cases.replace(",true\n", ",true,4\n", 1).replace("610.5,false\n", "610.5,false,\n")
    cohort = load_cohort(make_folder(tmp_path / "given", patients=given))
    assert cohort.patients["paper_case"].tolist()[0] == 4 and pd.isna(cohort.patients["paper_case"].tolist()[1])
    untreated = with_cases.replace(",true\n", ",true,\n", 1).replace("610.5,false\n", "610.5,false,4\n")
    violation = only(make_folder(tmp_path / "untreated", patients=untreated))
    assert violation.rule == "paper_case given only to patients with tocilizumab" and violation.lines == (3,)
    zero = with_cases.replace(",true\n", ",true,0\n", 1).replace("610.5,false\n", "610.5,false,\n")
    assert only(make_folder(tmp_path / "zero", patients=zero)).rule == "a whole number >= 1"


def _fingerprint(folder):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_loading_and_reporting_never_write_to_the_input_folder(monkeypatch, tmp_path):
    """What a patient-level page does (validate, load, fit report, write derived files) leaves the input
    folder's files and bytes as they were; derived files go under the build directory."""
    folder = tmp_path / "input"
    shutil.copytree(SYNTHETIC_DIR, folder)
    monkeypatch.setenv(load.DATA_ENV, str(folder))
    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path / "build"))
    before = _fingerprint(folder)
    assert validate_folder().valid
    written = write_fit_report(fit_report(load_cohort()))
    assert cli.main(["validate"]) == 0
    assert _fingerprint(folder) == before
    assert written == tmp_path / "build" / "reconstruction" / "fit_report.csv" and written.is_file()


def test_violation_frame_has_one_row_per_violation(tmp_path):
    frame = validate_folder(make_folder(tmp_path, daily=None)).frame()
    assert frame.to_dict("records") == [{"file": "daily.csv", "column": "", "rule": "file not found", "lines": "",
                                         "values": ""}]
    assert isinstance(frame, pd.DataFrame)
