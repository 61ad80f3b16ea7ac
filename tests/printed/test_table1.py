"""The paper's Table 1 (ASTCT grading of CRS, as printed) against the grader that codes the consensus
(crs_compendium.printed.table1).

Sources: Zhou et al., Front Immunol 2025;16:1530623, Table 1 and its notes (data/published/
table1_astct_as_printed.csv and table1_astct_notes_as_printed.csv); Lee DW, et al. ASTCT consensus
grading. Biol Blood Marrow Transplant 2019;25:625-638 ("Lee 2019"), its CRS grading table and notes.
"""
import pandas as pd
import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.printed.table1 import Table1Comparison, compare_with_printed_table1, load_printed_table1
from crs_compendium.vocab import CONSISTENT, INCONSISTENT


# ---------------------------------------------------------------------------------------------------
# The paper's Table 1 (Zhou et al. 2025) against the code
# ---------------------------------------------------------------------------------------------------
def test_printed_table1_differences_are_found():
    """Zhou et al. 2025, Table 1 and its notes, read against the Lee 2019 CRS table."""
    comparison = compare_with_printed_table1(*load_printed_table1())
    assert set(zip(comparison.differences["location"], comparison.differences["check"])) == {
        ("grade 3, hypoxia", "hypoxia wording"),        # "nonbreather mask"
        ("grade 4, hypoxia", "connective"),             # "and or"
        ("Table 1, rows", "grades covered"),            # no grade 5
        ("note on fever", "what waives fever"),         # antipyretics omitted
        ("note on flow", "low-flow boundary"),          # "is 6 L/min", no <=
        ("notes", "more severe sign sets the grade"),
        ("notes", "organ toxicities"),
        ("Table 1", "ICANS grading"),
    }
    assert comparison.n_inconsistent == 8 and len(comparison.checks) == 23
    could_change = comparison.checks.loc[comparison.checks["could change a CRS grade"], "check"]
    assert set(could_change) == {"grades covered", "what waives fever", "low-flow boundary",
                                 "more severe sign sets the grade"}
    nonbreather = comparison.differences.set_index("check").loc["hypoxia wording"]
    assert "nearest: 'non-rebreather mask', grade 3" in nonbreather["code (Lee et al. 2019)"]
    assert "omits antipyretic" in comparison.differences.set_index("check").loc["what waives fever", "consequence"]
    assert repr(comparison).startswith("Table 1 against the consensus as coded: 15 of 23 checks consistent")
    assert "<table" in comparison._repr_html_()
    assert isinstance(comparison, Table1Comparison)


def test_a_table_worded_as_the_consensus_passes_every_check_but_grade_5():
    """The Lee 2019 CRS table and its notes, in their own words, pass every check (so the checks can say
    'consistent'); like the paper's table it has rows for grades 1-4 only, grade 5 being defined in the text."""
    table = pd.DataFrame({
        "grade": ["1", "2", "3", "4"],
        "fever": ["Temperature ≥38°C"] * 4,
        "hypotension": ["None", "Not requiring vasopressors", "Requiring a vasopressor with or without vasopressin",
                        "Requiring multiple vasopressors (excluding vasopressin)"],
        "hypoxia": ["None", "and/or requiring low-flow nasal cannula or blow-by",
                    "and/or requiring high-flow nasal cannula, facemask, nonrebreather mask, or Venturi mask",
                    "and/or requiring positive pressure (eg, CPAP, BiPAP, intubation and mechanical ventilation)"],
    })
    notes = pd.DataFrame({"marker": ["*", "†", "‡", "", ""], "attached_to": "", "text": [
        "Fever is temperature ≥38°C not attributable to any other cause. In patients who have CRS then receive "
        "antipyretic or anticytokine therapy such as tocilizumab or steroids, fever is no longer required.",
        "CRS grade is determined by the more severe event: hypotension or hypoxia.",
        "Low-flow nasal cannula is oxygen delivered at ≤6 L/minute; high-flow nasal cannula is > 6 L/minute.",
        "Organ toxicities associated with CRS do not influence CRS grading.",
        "ICANS is graded separately (ICE score).",
    ]})
    comparison = compare_with_printed_table1(table, notes)
    assert comparison.differences["check"].tolist() == ["grades covered"]
    assert comparison.checks["verdict"].value_counts().to_dict() == {CONSISTENT: 22, INCONSISTENT: 1}


def test_a_printed_cell_graded_differently_is_inconsistent():
    table, notes = load_printed_table1()
    swapped = table.assign(hypoxia=table["hypoxia"].replace(
        {"and/or requiring low-flow nasal cannula or blow-by": "and/or requiring facemask"}))
    checks = compare_with_printed_table1(swapped, notes).checks.set_index(["location", "check"])
    cell = checks.loc[("grade 2, hypoxia", "hypoxia wording")]
    assert cell["verdict"] == INCONSISTENT
    assert cell["consequence"] == "the code grades this wording [3], not 2"


def test_printed_table_files_are_checked(tmp_path):
    with pytest.raises(InvalidInputError, match="table1_astct_as_printed.csv: file not found"):
        load_printed_table1(tmp_path)
    table, notes = load_printed_table1()
    with pytest.raises(InvalidInputError, match="missing column"):
        compare_with_printed_table1(table.drop(columns="hypoxia"), notes)
