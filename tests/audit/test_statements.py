"""Sentences of the paper about significance against their p-values (crs_compendium.audit.statements).

Outside source: Zhou et al., Front Immunol 2025;16:1530623: Results call tumour load (p = 0.042, P# 0.42)
and CRS grade (p = 0.019, P# 0.19) higher in the tocilizumab group, and the corticosteroid dose (p = 0.004,
P# 0.04); Table 2's Bonferroni column; the 0.05 level of Figure 2's caption.
"""
from crs_compendium.audit.statements import significance_checks
from crs_compendium.vocab import CONSISTENT, INCONSISTENT, NOT_CHECKABLE


def test_significance_statements_against_printed_and_adjusted_p(inputs):
    rows = significance_checks(inputs).set_index("statement_id")
    assert rows.loc["res.tumour_load_higher", "verdict"] == INCONSISTENT  # 0.042, but P# 0.42
    assert rows.loc["res.crs_grade_higher", "verdict"] == INCONSISTENT  # 0.019, but P# 0.19
    assert rows.loc["res.steroid_dose_higher", "verdict"] == CONSISTENT  # 0.004 and P# 0.04
    assert rows.loc["res.baseline_similar", "adjusted p"] == "5.11, 10, 3.95, 10, 1.06"
    assert rows.loc["res.grade3_duration_shorter", "verdict"] == NOT_CHECKABLE  # no p printed, no check given
    assert rows.loc["res.cr_rate_similar", "against adjusted p"] == ""


def test_statements_within_strata_are_judged_by_their_stratified_check(inputs, result):
    """Figure 2B: grade 3 shorter with tocilizumab (star), grade 1-2 and the Discussion's grade 2 not different
    ("ns"): each can meet its mark, and together, once the durations admit data at all."""
    rows = significance_checks(inputs, result.checks).set_index("statement_id")
    for statement in ("abs.grade3_duration_shorter", "res.grade3_duration_shorter", "disc.grade3_duration_shorter",
                      "res.grade1_2_duration_similar", "disc.grade2_duration_similar"):
        assert rows.loc[statement, "verdict"] == CONSISTENT
        assert "fractions of a day" in rows.loc[statement, "assumption"]
        assert rows.loc[statement, "anchor"] == "audit-results-headline"
    assert "no data set at all if durations are whole days" in rows.loc["res.grade3_duration_shorter", "note"]
    assert rows.loc["res.grade3_duration_shorter", "p"] == "<0.05 (figure mark)"
    assert rows.loc["res.baseline_similar", "assumption"] == ""


def test_every_statement_gets_one_row_shown_in_the_significance_section(inputs, result):
    rows = significance_checks(inputs, result.checks)
    assert list(rows["statement_id"]) == list(inputs.statements["statement_id"])
    assert set(rows["anchor"]) == {"audit-results-significance", "audit-results-headline"}
    assert set(rows["verdict"]) <= {CONSISTENT, INCONSISTENT, NOT_CHECKABLE}
    assert rows.equals(result.statements)
