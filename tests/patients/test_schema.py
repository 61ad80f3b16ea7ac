"""The patient-data schema as code (crs_compendium.patients.schema) against its one authority, the data
dictionary data/ipd_schema.md: every column, type and allowed value of patients.csv and daily.csv, read
from the dictionary's tables, must be the code's column rules, in the same order.
"""
import re

import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.patients.schema import (
    DAILY_COLUMNS,
    DAILY_FILE,
    PATIENT_COLUMNS,
    PATIENTS_FILE,
    SCHEMA_DOC,
    SCHEMA_FILES,
    ColumnRule,
    daily_rule,
)


def _dictionary_tables(path):
    """{file: [(column, type, allowed)]} from the markdown tables under '## patients.csv' / '## daily.csv'."""
    tables, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+\.csv)", line)
        if heading:
            current = tables.setdefault(heading.group(1), [])
        elif line.startswith("## "):
            current = None
        elif current is not None and line.startswith("| ") and not line.startswith("| column"):
            name, kind, allowed = (cell.strip() for cell in line.strip("|").split("|")[:3])
            current += [(column, kind, allowed) for column in name.split(", ")]
    return tables


def _rule_from_dictionary(name, kind, allowed):
    """Read an 'allowed' cell as a ColumnRule (the data dictionary's own vocabulary)."""
    optional = allowed.startswith("optional column; ")
    allowed = allowed.removeprefix("optional column; ")
    nullable = allowed == "or empty" or allowed.endswith(" or empty")
    text = re.sub(r",? ?or empty$", "", allowed).strip()
    fields = dict(name=name, kind=kind, nullable=nullable, optional=optional)
    if kind == "category":
        return ColumnRule(**fields, categories=tuple(word.strip() for word in text.split(",")))
    if text == "unique, non-empty":
        return ColumnRule(**fields, unique=True)
    if text.startswith("in "):
        return ColumnRule(**fields, references=text[3:])
    bounds = re.fullmatch(r"(-?\d+)(?:-| to )(\d+)", text)
    if bounds:
        return ColumnRule(**fields, low=float(bounds.group(1)), high=float(bounds.group(2)))
    lower = re.fullmatch(r"(>=?) (\d+)(, unique)?", text)
    if lower:
        return ColumnRule(**fields, low=float(lower.group(2)), low_open=lower.group(1) == ">")
    assert text in ("", "true/false"), f"unread allowed cell {allowed!r}"
    return ColumnRule(**fields)


def test_the_dictionary_has_a_table_for_each_file():
    tables = _dictionary_tables(SCHEMA_DOC)
    assert set(tables) >= {PATIENTS_FILE, DAILY_FILE}
    assert len(tables[PATIENTS_FILE]) == len(PATIENT_COLUMNS) == 23
    assert len(tables[DAILY_FILE]) == len(DAILY_COLUMNS) == 19


def test_dictionary_tables_and_validator_schema_agree():
    tables = _dictionary_tables(SCHEMA_DOC)
    for file, rules in ((PATIENTS_FILE, PATIENT_COLUMNS), (DAILY_FILE, DAILY_COLUMNS)):
        documented = [_rule_from_dictionary(*row) for row in tables[file]]
        assert documented == list(rules), f"{file}: data/ipd_schema.md and crs_compendium.patients.schema disagree"


def test_the_dictionary_reader_notices_a_changed_rule(tmp_path):
    """The comparison is not vacuous: a dictionary that allows ages up to 120 no longer matches the code."""
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    changed = re.sub(r"(\| age_years \|[^|]*\| *)0-100", r"\g<1>0-120", text, count=1)
    assert changed != text
    path = tmp_path / "ipd_schema.md"
    path.write_text(changed, encoding="utf-8")
    documented = [_rule_from_dictionary(*row) for row in _dictionary_tables(path)[PATIENTS_FILE]]
    assert documented != list(PATIENT_COLUMNS)


def test_every_row_rule_names_schema_columns():
    for file, columns, row_rules in SCHEMA_FILES:
        names = {rule.name for rule in columns}
        for rule in row_rules:
            assert set(rule.columns) <= names, f"{file}: {rule.description} names unknown columns"


def test_column_rules_describe_themselves_and_refuse_an_unknown_kind():
    assert daily_rule("tmax_c").describe() == "a number 34-43 or empty"
    assert daily_rule("o2_support").describe() == (
        "one of none, low_flow, high_flow, facemask, positive_pressure or empty")
    with pytest.raises(InvalidInputError, match="no column 'weight'"):
        daily_rule("weight")
    with pytest.raises(InvalidInputError, match="kind must be one of"):
        ColumnRule("weight", "decimal")
