"""The folder-variant generator (tests/variants.py): every kind writes a folder that shows it and
keeps the schema's rules, the same seed gives the same bytes, the combined folders cover every kind.

The rules are the validator's (crs_compendium.patients.load). validate_folder costs about a third of a
second per folder whatever its size, so it runs on the combined folders (which hold every valid kind, and
must all be valid) and on each refused kind; each single kind's cells are checked against the validator's
own rule objects in one pass over all kinds side by side. A refused kind is refused for its file or its
header (the encoding named, or "did you mean"), never for a line of its cells.
"""
from dataclasses import replace
from itertools import combinations

import pandas as pd
import pytest
import variants
from variants import COMBINATIONS, KINDS, combined_folders, make_variant, read_written, write_variant

from crs_compendium.patients import grading
from crs_compendium.patients.load import validate_folder
from crs_compendium.patients.schema import (CASE_COLUMN, DAILY_COLUMNS, DAILY_ROW_RULES, PATIENT_COLUMNS,
                                            PATIENT_ROW_RULES, SYNTHETIC_DIR, SYNTHETIC_MARKER)
from crs_compendium.printed.registry import load_claims

SEED = 20240611
VALID_KINDS = [name for name, kind in KINDS.items() if kind.valid]
REFUSED_KINDS = [name for name, kind in KINDS.items() if not kind.valid]


@pytest.fixture(scope="module")
def singles(tmp_path_factory):
    """Each kind alone: {kind: (record, written folder)}."""
    root = tmp_path_factory.mktemp("single_kinds")
    records = {name: write_variant(root / name, [name], SEED) for name in KINDS}
    return {name: (record, read_written(record.folder)) for name, record in records.items()}


@pytest.fixture(scope="module")
def stacked(singles):
    """Every valid kind's cells side by side, ids prefixed by the kind ("no_icans/SYN-T01"): the rules
    checked on it are per row, per patient or per patient and day, so one check covers every kind and a
    failure names the kinds in its ids."""
    tables = [(name, singles[name][1]) for name in VALID_KINDS]

    def prefixed(table, name):
        return table.assign(patient_id=name + "/" + table["patient_id"])

    def cases_apart(patients, position):
        """Case numbers are unique within a file: each kind's are moved to a range of their own."""
        if CASE_COLUMN not in patients:
            return patients
        cases = patients[CASE_COLUMN]
        return patients.assign(**{CASE_COLUMN: cases.where(cases.eq(""), (pd.to_numeric(cases, errors="coerce")
                                                                          + 1000 * position).map("{:.0f}".format))})

    return variants.Written(raw={},
                            patients=pd.concat([cases_apart(prefixed(w.patients, name), i)
                                                for i, (name, w) in enumerate(tables)]).fillna(""),
                            daily=pd.concat([prefixed(w.daily, name) for name, w in tables]).fillna(""))


@pytest.fixture(scope="module")
def combined(tmp_path_factory):
    """Each combination: {name: (record, written folder)}."""
    records = combined_folders(tmp_path_factory.mktemp("combined"), SEED)
    return {record.folder.name: (record, read_written(record.folder)) for record in records}


@pytest.fixture(scope="module")
def base_folder(tmp_path_factory):
    return write_variant(tmp_path_factory.mktemp("no_kind"), [], SEED).folder


def _file_level_only(report) -> bool:
    """Violations about a file as a whole (its encoding, layout or header), none about a line of cells."""
    return all(not violation.lines for violation in report.violations)


# ------------------------------------------------------------------------------------------------------
# Each kind
# ------------------------------------------------------------------------------------------------------
def test_with_no_kind_the_shipped_files_come_back_byte_for_byte(base_folder):
    for name in variants.FILES:
        assert (base_folder / name).read_bytes() == (SYNTHETIC_DIR / name).read_bytes()


def test_the_shipped_folder_shows_no_kind(base_folder):
    written = read_written(base_folder)
    assert [name for name, kind in KINDS.items() if kind.shows(written)] == []


@pytest.mark.parametrize("name", KINDS)
def test_each_kind_writes_both_files_without_the_synthetic_marker_and_shows_itself(singles, name):
    record, written = singles[name]
    assert sorted(path.name for path in record.folder.iterdir()) == sorted(variants.FILES)
    assert not (record.folder / SYNTHETIC_MARKER).exists()
    assert KINDS[name].shows(written)
    assert record.kinds == (name,) and record.seed == SEED
    assert record.patient_ids == tuple(written.patients["patient_id"])
    assert record.n_daily_rows == len(written.daily)


@pytest.mark.parametrize("name", KINDS)
def test_each_kind_says_what_it_imitates(name):
    assert KINDS[name].imitates
    assert KINDS[name].valid or KINDS[name].expected_refusal


def _typed(table: pd.DataFrame, rules) -> pd.DataFrame:
    """Text cells as the dictionary's types, empty cells missing (NaN), as the validator and the ASTCT
    grader take them; a misspelt number raises."""
    typed = table.copy()
    for rule in rules:
        cells = table[rule.name].mask(table[rule.name].eq(""))
        if rule.kind in ("integer", "float"):
            typed[rule.name] = pd.to_numeric(cells)
        elif rule.kind == "boolean":
            typed[rule.name] = cells.str.lower().map({"true": True, "false": False})
        else:
            typed[rule.name] = cells
    return typed


def _broken_rules(written) -> dict[str, list[str]]:
    """The validator's own rules (crs_compendium.patients.schema's column and row rules) applied to the typed cells,
    as validate_folder applies them after reading the files: {rule: patient ids breaking it}."""
    broken = {}
    known_ids = set(written.patients["patient_id"])
    for table, rules, row_rules in ((written.patients, PATIENT_COLUMNS, PATIENT_ROW_RULES),
                                    (written.daily, DAILY_COLUMNS, DAILY_ROW_RULES)):
        rules = [rule for rule in rules if rule.name in table.columns or not rule.optional]
        row_rules = [rule for rule in row_rules if set(rule.columns) <= set(table.columns)]
        typed = _typed(table, rules)
        checks = {}
        for rule in rules:
            values = typed[rule.name]
            checks[f"{rule.name} non-empty"] = rule.nullable or values.notna()
            if rule.low is not None:
                checks[f"{rule.name} low"] = ~(values.le(rule.low) if rule.low_open else values.lt(rule.low))
            if rule.high is not None:
                checks[f"{rule.name} high"] = ~values.gt(rule.high)
            if rule.categories:
                checks[f"{rule.name} category"] = values.isin(rule.categories) | values.isna()
            if rule.unique:
                checks[f"{rule.name} unique"] = ~values.duplicated(keep=False)
            if rule.references:
                checks[f"{rule.name} listed"] = values.isin(known_ids)
        checks |= {row_rule.description: row_rule.holds(typed) for row_rule in row_rules}
        for label, holds in checks.items():
            holds = pd.Series(holds, index=table.index).fillna(True).astype(bool)
            if not holds.all():
                broken[label] = sorted(set(table.loc[~holds, "patient_id"]))
    return broken


def test_every_valid_kind_keeps_the_schema_rules_of_the_cells(stacked):
    assert _broken_rules(stacked) == {}


def test_the_rule_check_finds_what_the_validator_finds(tmp_path):
    """The fast check above agrees with validate_folder on a folder breaking rules of both kinds."""
    tables = variants.read_base()
    patients = tables.patients.copy()
    patients.loc[0, "os_days"] = "1.0"  # before pfs_days
    patients.loc[1, "sex"] = "X"
    variants.write_folder(tmp_path, replace(tables, patients=patients))
    assert {violation.column for violation in validate_folder(tmp_path).violations} == {"sex", "pfs_days, os_days"}
    assert _broken_rules(read_written(tmp_path)) == {"sex category": [patients.at[1, "patient_id"]],
                                                     "os_days >= pfs_days": [patients.at[0, "patient_id"]]}


@pytest.mark.parametrize("name", REFUSED_KINDS)
def test_a_refused_kind_is_refused_for_the_file_with_the_reason_it_names(singles, name):
    record, _ = singles[name]
    report = validate_folder(record.folder)
    assert not record.valid and not report.valid
    assert _file_level_only(report)
    assert all(KINDS[name].expected_refusal in violation.rule for violation in report.violations), str(report)
    assert record.expected_refusal == KINDS[name].expected_refusal


def _course_disagreements(written) -> list[str]:
    """Patients whose recorded CRS grade, duration, tocilizumab or steroid total is not what their daily
    rows give (ASTCT grading, sums of the daily doses)."""
    daily = _typed(written.daily, DAILY_COLUMNS)
    derived = grading.summarise_crs(daily).set_index("patient_id")
    doses = daily.groupby("patient_id")[["toci_mg", "steroid_mpe_mg"]].sum().loc[derived.index]
    recorded = written.patients.set_index("patient_id").loc[derived.index]
    disagree = ((derived["crs_max_grade"] != pd.to_numeric(recorded["crs_grade"]))
                | (derived["crs_duration_days"] != pd.to_numeric(recorded["crs_duration_days"]))
                | (doses["toci_mg"].round(6) != pd.to_numeric(recorded["toci_total_mg"]))
                | (doses["steroid_mpe_mg"].round(6) != pd.to_numeric(recorded["steroid_mpe_mg"])))
    return list(derived.index[disagree])


def test_the_shipped_folder_records_what_its_daily_rows_give(base_folder):
    assert _course_disagreements(read_written(base_folder)) == []


def test_every_kind_keeps_recorded_crs_and_doses_what_the_daily_rows_give(stacked):
    """A kind changes a course as a whole (a donor's course, quiet days only), never half of it."""
    assert _course_disagreements(stacked) == []


def test_a_patient_without_daily_rows_is_still_in_patients_csv(singles):
    record, written = singles["patient_without_daily_rows"]
    missing = set(written.patients["patient_id"]) - set(written.daily["patient_id"])
    assert len(missing) == 1 and missing <= set(record.patient_ids)


def test_ids_with_commas_are_quoted_in_the_csv_text(singles):
    record, written = singles["ids_with_spaces_and_commas"]
    text = written.raw["patients.csv"].decode("utf-8")
    assert all(f'"{patient_id}"' in text for patient_id in record.patient_ids)


# ------------------------------------------------------------------------------------------------------
# Records: what a folder affects
# ------------------------------------------------------------------------------------------------------
def test_every_claim_criterion_names_values_the_registry_has():
    """A misspelt quantity or group would silently select no claim."""
    claims = load_claims()
    for kind in KINDS.values():
        for criteria in kind.claims:
            for column, values in criteria.items():
                assert set(values) <= set(claims[column]), (kind.name, column, set(values) - set(claims[column]))


def test_a_record_lists_the_claims_and_aspects_of_all_its_kinds(singles, combined):
    for record, _ in combined.values():
        assert set(record.claim_ids) == set().union(*(singles[name][0].claim_ids for name in record.kinds))
        assert set(record.aspects) == {aspect for name in record.kinds for aspect in KINDS[name].aspects}


# ------------------------------------------------------------------------------------------------------
# Seeds and combinations
# ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", COMBINATIONS)
def test_same_kinds_and_seed_give_the_same_bytes_in_any_order(tmp_path, combined, name):
    again = write_variant(tmp_path, list(reversed(COMBINATIONS[name])), SEED)
    assert read_written(again.folder).raw == combined[name][1].raw


def test_another_seed_gives_other_bytes(tmp_path, singles):
    other = write_variant(tmp_path, ["hospital_ids"], SEED + 1)
    assert read_written(other.folder).raw != singles["hospital_ids"][1].raw


def test_a_kind_does_the_same_alone_and_combined(tmp_path, singles):
    """Each kind draws from its own generator: the ids a kind gives do not depend on the other kinds."""
    alone = singles["hospital_ids"][0]
    combined_record = write_variant(tmp_path, ["hospital_ids", "no_gcsf", "crlf_line_ends"], SEED)
    assert combined_record.patient_ids == alone.patient_ids


def test_the_combinations_cover_every_valid_kind():
    covered = {name for kinds in COMBINATIONS.values() for name in kinds}
    assert covered == set(VALID_KINDS)


@pytest.mark.parametrize("name", COMBINATIONS)
def test_each_combined_folder_shows_every_kind_it_claims(combined, name):
    record, written = combined[name]
    assert set(record.kinds) == set(COMBINATIONS[name])
    assert [kind for kind in record.kinds if not KINDS[kind].shows(written)] == []
    assert _course_disagreements(written) == []


@pytest.mark.parametrize("name", COMBINATIONS)
def test_each_combined_folder_is_valid(combined, name):
    """Every combined folder is what a real export looks like and keeps every rule: the validator accepts it
    (a byte-order mark, CR LF, TRUE/FALSE, quoted fields, spreadsheet leftovers and all)."""
    record, written = combined[name]
    report = validate_folder(record.folder)
    assert report.valid, str(report)
    assert _broken_rules(written) == {}


def test_kinds_that_decide_the_same_thing_cannot_be_combined():
    clashing = [(a, b) for a, b in combinations(KINDS.values(), 2) if set(a.decides) & set(b.decides)]
    assert clashing
    for a, b in clashing:
        with pytest.raises(ValueError, match="both decide"):
            make_variant([a.name, b.name], SEED)


def test_a_folder_with_the_synthetic_marker_is_not_written_into(tmp_path):
    (tmp_path / SYNTHETIC_MARKER).write_text("synthetic reconstruction\n", encoding="utf-8")
    with pytest.raises(ValueError, match=SYNTHETIC_MARKER):
        write_variant(tmp_path, ["no_gcsf"], SEED)
    assert [path.name for path in tmp_path.iterdir()] == [SYNTHETIC_MARKER]


def test_an_unknown_kind_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="no_icans"):
        make_variant(["no_such_kind"], SEED)
