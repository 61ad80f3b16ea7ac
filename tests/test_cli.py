"""The command line (crs_compendium.cli). `python -m crs_compendium grade DAILY_CSV`, run as a clinician
would: a subprocess on a CSV file (a success and a refusal; other cases call `cli.main` in-process, as each
subprocess costs about 1.5 s of pandas import). `validate FOLDER` on a small folder in the schema of
data/ipd_schema.md. `reconstruct` is run in tests/synthetic/test_generate.py.

Expected grades follow Lee DW, et al. ASTCT consensus grading (Biol Blood Marrow Transplant
2019;25:625-638), CRS grading table and its notes.
"""
import subprocess
import sys

import pytest
from sample_data import PATIENTS, edit_cell, make_folder

from crs_compendium import cli

HEADER = "patient_id,crs_onset_day,crs_max_grade,crs_duration_days"
COLUMNS = ("patient_id,day,tmax_c,vasopressors,hypotension,o2_support,o2_flow_l_min,toci_mg,steroid_mpe_mg,"
           "creatinine_umol_l")
# 007: fever from day 1; day 2 low flow and tocilizumab; day 3 afebrile on one vasopressor and 7 L/min nasal
#      cannula (high flow, grade 3, fever waived after tocilizumab, Lee 2019 note on fever); day 4 CRS-free.
# 008: afebrile hypotension, never treated: no CRS.
# 009: febrile on days 5 and 7 only: span 3 days, count 2.
DAILY = f"""{COLUMNS}
007,0,37.0,0,false,none,,,,80
007,1,38.6,0,false,none,,,,80
007,2,39.1,0,true,low_flow,3,480,,90
007,3,37.2,1,true,low_flow,7,,40,120
007,4,37.0,0,false,none,,,,
008,1,36.9,,true,,,,,
008,2,37.1,,,,,,,
009,5,38.0,0,false,none,,,,
009,6,37.4,0,false,none,,,,
009,7,38.2,0,false,none,,,,
009,8,37.0,0,false,none,,,,
"""


def _run(*args):
    return subprocess.run([sys.executable, "-m", "crs_compendium", *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def daily_csv(tmp_path):
    path = tmp_path / "daily.csv"
    path.write_text(DAILY)
    return path


def test_grade_prints_one_row_per_patient(daily_csv):
    result = _run("grade", daily_csv)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [HEADER, "007,1,3,3", "008,,0,0", "009,5,1,3"]


def test_count_duration_rule_is_available(daily_csv, capsys):
    assert cli.main(["grade", str(daily_csv), "--duration-rule", "count"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["007,1,3,3", "008,,0,0", "009,5,1,2"]


def test_missing_file_exits_2_with_one_line(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "absent.csv")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("python -m crs_compendium grade: error: ")
    assert "absent.csv: file not found" in captured.err


def test_bad_value_names_column_and_line(daily_csv):
    daily_csv.write_text(DAILY.replace("007,2,39.1", "007,2,44.1"))
    result = _run("grade", daily_csv)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("python -m crs_compendium grade: error: ")
    # The file is read as text (crs_compendium.patients.load.read_csv_text), so the cell is quoted as written.
    assert "column 'tmax_c' must be 34-43 deg C or empty; bad value at line 4 ('44.1')" in result.stderr


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "daily.csv: file is empty"),
        (DAILY.replace(",o2_flow_l_min,", ",flow,"), "missing required column(s) o2_flow_l_min"),
        (DAILY.replace("low_flow,7", "nasal,7"), "column 'o2_support' must be one of none, low_flow"),
        (DAILY.replace("008,2,", "008,1,"), "column 'day' must not repeat for a patient"),
        (DAILY.replace("007,3,37.2,1,true", "007,3,37.2,1,yes"), "column 'hypotension' must be true, false or empty"),
    ],
)
def test_other_invalid_inputs_exit_2(daily_csv, capsys, text, message):
    daily_csv.write_text(text)
    assert cli.main(["grade", str(daily_csv)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and captured.err.count("\n") == 1


def test_help_lists_the_grade_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0 and "grade" in capsys.readouterr().out


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([])
    assert exit_.value.code == 2 and "COMMAND" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------------------------------------
def test_cli_validate_reports_a_valid_folder(tmp_path, capsys):
    assert cli.main(["validate", str(make_folder(tmp_path))]) == 0
    assert "valid (2 patients, 4 daily rows" in capsys.readouterr().out


def test_cli_validate_lists_every_violation_and_exits_2(tmp_path, capsys):
    patients = edit_cell(edit_cell(PATIENTS, 2, "sex", "X"), 3, "age_years", "200")
    assert cli.main(["validate", str(make_folder(tmp_path, patients=patients))]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert "2 violation(s)" in lines[0]
    assert lines[1:] == ["  patients.csv, column 'sex', rule 'one of M, F': line 2 ('X')",
                         "  patients.csv, column 'age_years', rule 'a whole number 0-100': line 3 ('200')"]


def test_cli_validate_refuses_a_missing_folder(tmp_path, capsys):
    assert cli.main(["validate", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err
