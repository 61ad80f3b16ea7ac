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
    assert rows.loc["res.grade3_duration_shorter", "verdict"] == NOT_CHECKABLE
    assert rows.loc["res.cr_rate_similar", "against adjusted p"] == ""


def test_every_statement_gets_one_row_shown_in_the_significance_section(inputs, result):
    rows = significance_checks(inputs)
    assert list(rows["statement_id"]) == list(inputs.statements["statement_id"])
    assert set(rows["anchor"]) == {"audit-results-significance"}
    assert set(rows["verdict"]) <= {CONSISTENT, INCONSISTENT, NOT_CHECKABLE}
    assert rows.equals(result.statements)
