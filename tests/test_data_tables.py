"""The data tables that say how the registry's numbers relate to patient data and to the book's pages
(data/published/quantities.csv, groups.csv, audit_pages.csv, audit_links.csv) hold together:

* every quantity of claims.csv is listed in quantities.csv;
* every ``flag`` expression of quantities.csv and every group's ``members`` expression evaluates on the
  shipped synthetic cohort, with its derived columns
  (``patient_mask`` of crs_compendium.patients.derived on ``with_derived_columns``);
* every ``data_columns`` entry (and every column a rule reads) is a schema column or a derived column;
* every anchor of audit_pages.csv and audit_links.csv is a MyST label ``(anchor)=`` in the notebook page
  that audit_pages.csv names for it.
"""
import re
from pathlib import Path

import pandas as pd
import pytest

from crs_compendium.audit.inputs import LINKS_PATH, PAGES_PATH, load_audit_pages
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.files import read_text_csv
from crs_compendium.patients.derived import DERIVED_COLUMNS, patient_mask, with_derived_columns
from crs_compendium.patients.schema import DAILY_COLUMNS, PATIENT_COLUMNS
from crs_compendium.printed.registry import GROUPS_PATH, QUANTITIES_PATH, REGISTRY_PATH, load_groups, load_quantities

ROOT = Path(__file__).resolve().parents[1]
PATIENT_TABLE_COLUMNS = {rule.name for rule in PATIENT_COLUMNS} | set(DERIVED_COLUMNS)
KNOWN_COLUMNS = PATIENT_TABLE_COLUMNS | {rule.name for rule in DAILY_COLUMNS}
COLUMN_RULES = ("value", "equals", "grade_range", "blast_bin", "survival")
"""Rules whose expression is one or more columns of the patient table (";"-separated), not an expression."""

QUANTITIES = read_text_csv(QUANTITIES_PATH, ["quantity", "rule", "expression", "data_columns"])
GROUPS = read_text_csv(GROUPS_PATH, ["group", "members"])
FLAGS = QUANTITIES[QUANTITIES["rule"] == "flag"]
MEMBERS = GROUPS[GROUPS["members"] != ""]


@pytest.fixture(scope="module")
def patients(shipped):
    return with_derived_columns(shipped.patients, shipped.daily)


def unknown_columns(table: pd.DataFrame) -> list[str]:
    """``quantity: column`` for every data column, or column a rule reads, that no table of the schema has."""
    problems = []
    for row in table.to_dict("records"):
        named = [column for column in row["data_columns"].split(";") if column]
        if row["rule"] in COLUMN_RULES:
            named += [column for column in row["expression"].split(";") if column not in PATIENT_TABLE_COLUMNS]
        problems += [f"{row['quantity']}: {column}" for column in named if column not in KNOWN_COLUMNS]
    return problems


def missing_labels(pages: pd.DataFrame, read_page) -> list[str]:
    """``anchor (page)`` for every row whose anchor is not a MyST label ``(anchor)=`` on its own line of the page."""
    problems = []
    for anchor, page in pages[["anchor", "page"]].drop_duplicates().itertuples(index=False):
        if not re.search(rf"^\({re.escape(anchor)}\)=\s*$", read_page(page), re.MULTILINE):
            problems.append(f"{anchor} ({page})")
    return problems


def read_notebook_page(page: str) -> str:
    return (ROOT / f"{page}.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------------
# quantities.csv and groups.csv against the registry and the patient data
# --------------------------------------------------------------------------------------------------------
def test_every_quantity_of_the_registry_is_listed():
    claims = read_text_csv(REGISTRY_PATH, ["quantity"])
    assert sorted(set(claims["quantity"]) - set(QUANTITIES["quantity"])) == []
    assert QUANTITIES["quantity"].is_unique
    load_quantities()  # the loader's own checks (rules, p kinds, unlisted quantities) pass too


@pytest.mark.parametrize("quantity, expression", list(zip(FLAGS["quantity"], FLAGS["expression"])),
                         ids=list(FLAGS["quantity"]))
def test_every_flag_expression_evaluates_on_the_shipped_cohort(patients, quantity, expression):
    selected = patient_mask(patients, expression)
    assert selected.dtype == bool and len(selected) == len(patients) == 45


@pytest.mark.parametrize("group, members", list(zip(MEMBERS["group"], MEMBERS["members"])),
                         ids=list(MEMBERS["group"]))
def test_every_group_expression_evaluates_on_the_shipped_cohort(patients, group, members):
    selected = patient_mask(patients, members)
    assert selected.dtype == bool and len(selected) == 45
    printed_sizes = {"total": 45, "toci": 17, "non_toci": 28}  # Table 2's header
    if group in printed_sizes:
        assert int(selected.sum()) == printed_sizes[group]


def test_there_are_expressions_to_evaluate():
    assert len(FLAGS) >= 10 and {"total", "toci", "non_toci", "steroid_users"} <= set(MEMBERS["group"])
    assert set(load_groups().index) == set(GROUPS["group"])


def test_every_data_column_is_a_schema_or_derived_column():
    assert unknown_columns(QUANTITIES) == []
    assert QUANTITIES.loc[QUANTITIES["rule"].isin(COLUMN_RULES), "expression"].ne("").all()


# --------------------------------------------------------------------------------------------------------
# The audit's anchors and the notebook pages
# --------------------------------------------------------------------------------------------------------
def test_every_anchor_of_the_pages_file_is_a_label_on_its_page():
    pages = read_text_csv(PAGES_PATH, ["anchor", "page"])
    assert len(pages) >= 20
    assert missing_labels(pages, read_notebook_page) == []


def test_every_anchor_of_the_links_file_is_a_label_on_the_page_that_shows_it():
    links = read_text_csv(LINKS_PATH, ["link_id", "anchor"])
    audit_pages = load_audit_pages()
    located = pd.DataFrame({"anchor": links["anchor"],
                            "page": [audit_pages.page(anchor) for anchor in links["anchor"]]})
    assert len(located) >= 30
    assert missing_labels(located, read_notebook_page) == []


# --------------------------------------------------------------------------------------------------------
# Planted problems: each check catches what it is meant to
# --------------------------------------------------------------------------------------------------------
def test_planted_problems_are_caught(patients):
    with pytest.raises(InvalidInputError, match="cannot evaluate"):
        patient_mask(patients, "weight_kg > 70")
    table = pd.DataFrame({"quantity": ["a", "b", "c"], "rule": ["flag", "value", "survival"],
                          "expression": ["sex == 'M'", "weight_kg", "pfs_days;pfs_event"],
                          "data_columns": ["sex;height_cm", "age_years", "pfs_days"]})
    assert unknown_columns(table) == ["a: height_cm", "b: weight_kg"]
    pages = pd.DataFrame({"anchor": ["audit-here", "audit-gone", "audit-inline"], "page": ["p", "p", "p"]})
    text = "(audit-here)=\n# Here\nSee (audit-inline)= in a sentence.\n"
    assert missing_labels(pages, lambda page: text) == ["audit-gone (p)", "audit-inline (p)"]
