"""Table 2 recomputed from a cohort and set beside the printed table (crs_compendium.reproduce.table2).

Outside sources: Zhou et al., Front Immunol 2025;16:1530623, Table 2 (its printed counts, percentages,
p-values and Bonferroni column). Which tests reproduce its p-values is the claims audit's finding
(tests/printed/test_contingency.py).
"""
import math

import pandas as pd
import pytest

from crs_compendium.patients.derived import category_mask
from crs_compendium.patients.disclosure import Disclosure
from crs_compendium.printed.registry import load_quantities
from crs_compendium.reproduce import table2
from crs_compendium.reproduce.table2 import S4_COVARIATES, TABLE2_ROWS, BaselineRow, reproduce_table2
from crs_compendium.reproduce.verdicts import DataBasis
from crs_compendium.stats.regression import logistic_regression
from crs_compendium.vocab import DIFFERS, EQUAL, NOT_COMPUTABLE, SIMULATED


@pytest.fixture(scope="module")
def shipped_table2(shipped, claims):
    return reproduce_table2(shipped, claims)


def test_every_number_the_reconstruction_fixes_equals_the_printed_value(shipped, shipped_table2):
    """The compendium's acceptance test: on the shipped cohort, counts, medians and ranges are printed
    values, except where the generator records why no cohort can meet them (its claim notes of kind
    "decision", which the folder carries in claim_notes.csv)."""
    cells = shipped_table2.cells
    decided = set(shipped.notes("decision"))
    fixed = cells[cells["fixed"]]
    differing = set(fixed.loc[fixed["verdict"] != EQUAL, "claim_id"])
    assert len(fixed) == len(cells) == 111
    assert differing == {"t2.prior_lines.non_toci.min", "t2.prior_lines.non_toci.max", "t2.steroid_mpe_mg.total.max"}
    assert differing <= decided
    assert all(cells.loc[cells["verdict"] == DIFFERS, "note"] != "")


def test_count_row_p_values_are_the_printed_ones_and_measurement_p_values_are_flagged(shipped_table2):
    shown = shipped_table2.tests[shipped_table2.tests["shown_in_table"]].set_index("row")
    assert shown.loc["Male, No. (%)", "test"] == "Pearson chi-squared"
    assert shown.loc["Bone marrow blasts, No. (%)", "test"] == "Fisher-Freeman-Halton exact"
    counted = shown[shown["fixed"]]
    assert list(counted["verdict_p"].unique()) == [EQUAL]
    assert set(shown.loc[~shown["fixed"], "verdict_p"]) == {SIMULATED}


def test_bonferroni_uses_the_ten_printed_p_values_and_printed_values_above_one_differ(shipped_table2):
    assert shipped_table2.m == 10
    assert shipped_table2.printed_adjusted_above_one == 6  # 5.11, 10, 3.95, 10, 1.06, 2.67 in Table 2
    shown = shipped_table2.tests[shipped_table2.tests["shown_in_table"]].set_index("row")
    assert (shown["p_bonferroni"] <= 1).all()
    assert shown.loc["ICANS, No. (%)", "verdict_p_bonferroni"] == DIFFERS
    assert "uncapped m*p = 10 x 0.267" in shown.loc["ICANS, No. (%)", "note"]
    assert shown.loc["Grade of CRS, No. (%)", "verdict_p_bonferroni"] == EQUAL


def test_layout_has_the_paper_rows_and_side_by_side_columns(shipped_table2):
    layout = shipped_table2.layout()
    assert layout.shape == (18, 11)  # 11 characteristics, 3 blast bins, 4 CRS grades
    assert layout.loc[("Male, No. (%)", ""), ("Toci (N = 17)", "printed")] == "8 (47.1)"
    assert layout.loc[("Median blasts (range)", ""), ("Total (N = 45)", "recomputed")] == "24.0 (0-96.65)"
    assert layout.loc[("Grade of CRS, No. (%)", "0"), ("Toci (N = 17)", "recomputed")] == "0 (0)"
    verdicts = shipped_table2.row_verdicts()
    assert list(verdicts["characteristic"]) == [row.label for row in TABLE2_ROWS]


def test_table2_agrees_with_the_fit_report_of_the_reconstruction(shipped_fit, shipped_table2):
    """Two implementations of the same comparison (this table and reproduce.fit.fit_report) agree on
    every Table 2 number they both judge."""
    report = shipped_fit.table.set_index("claim_id")
    cells = shipped_table2.cells.set_index("claim_id")
    common = cells.index.intersection(report.index)
    assert len(common) == 111
    assert ((report.loc[common, "status"] == "met") == cells.loc[common, "matches"].astype(bool)).all()


def _real(cohort, patients):
    """The cohort's patients as real data (no SYNTHETIC marker): aggregates only, at least 5 per number."""
    return type(cohort)(patients, cohort.daily, source=cohort.source, synthetic=False)


def test_an_empty_group_makes_its_numbers_and_every_test_not_computable(shipped, claims):
    everyone_treated = type(shipped)(shipped.patients.assign(tocilizumab=True), shipped.daily, source=shipped.source,
                                     synthetic=shipped.synthetic, provenance=shipped.provenance,
                                     claim_notes=shipped.claim_notes)
    table2 = reproduce_table2(everyone_treated, claims)
    empty = table2.cells[table2.cells["group"] == "Non-toci"]
    assert (empty["verdict"] == NOT_COMPUTABLE).all() and set(empty["note"]) == {"no patient in group Non-toci"}
    assert table2.tests["p"].isna().all() and (table2.tests["verdict_p"] == NOT_COMPUTABLE).all()
    assert table2.group_sizes == {"Total": 45, "Toci": 45, "Non-toci": 0}
    assert set(table2.layout()[("Non-toci (N = 0)", "recomputed")]) == {NOT_COMPUTABLE, ""}  # "": a header row
    assert table2.layout()[("P", "recomputed")].replace("", NOT_COMPUTABLE).eq(NOT_COMPUTABLE).all()


def test_a_category_nobody_has_gives_no_test_and_says_which(shipped, claims):
    """Without ICANS the ICANS row is 0 (0) in every column, and its test has nothing to associate."""
    table2 = reproduce_table2(_real(shipped, shipped.patients.assign(icans_grade=0)), claims)
    icans = table2.tests[table2.tests["row"] == "ICANS, No. (%)"].iloc[0]
    assert math.isnan(icans["p"]) and math.isnan(icans["p_bonferroni"])
    assert icans["note"] == "every patient is in category 'no' of icans: there is no association to test"
    counts = table2.cells[(table2.cells["row"] == "ICANS, No. (%)") & (table2.cells["stat"] == "count")]
    assert counts["recomputed"].tolist() == ["0", "0", "0"]
    why = table2.row_verdicts().set_index("characteristic").loc["ICANS, No. (%)"]
    assert why[NOT_COMPUTABLE] == 2 and "no association to test" in why["why it is not computable"]


def test_a_small_group_of_real_data_is_withheld(shipped, claims):
    patients = shipped.patients[~shipped.patients["tocilizumab"] | shipped.patients["patient_id"].isin(
        ["SYN-T01", "SYN-T02", "SYN-T03"])]
    table2 = reproduce_table2(_real(shipped, patients), claims)
    toci = table2.cells[table2.cells["group"] == "Toci"]
    assert (toci["verdict"] == NOT_COMPUTABLE).all() and toci["recomputed"].eq("").all()
    assert toci["note"].str.startswith("withheld:").all() and toci["note"].str.contains("group Toci").all()
    assert (table2.tests["verdict_p"] == NOT_COMPUTABLE).all()
    total = table2.cells[table2.cells["group"] == "Total"]
    assert (total["verdict"] != NOT_COMPUTABLE).all()


def test_every_row_is_a_quantity_of_the_registry(claims):
    """Which patients a row counts and the columns it rests on are data (quantities.csv), not code."""
    quantities = load_quantities(claims=claims)
    assert all(isinstance(row, BaselineRow) for row in TABLE2_ROWS)
    assert [row.quantity for row in TABLE2_ROWS if row.quantity not in quantities.index] == []
    assert {row.kind for row in TABLE2_ROWS} == {"binary", "categories", "continuous"}


def test_a_printed_p_from_the_papers_counts_is_reproduced_by_the_audited_test(claims):
    """Sex in Table 2: 8 of 17 against 16 of 28 men; Pearson's chi-squared gives the printed 0.511."""
    patients = pd.DataFrame({"tocilizumab": [True] * 17 + [False] * 28,
                             "sex": ["M"] * 8 + ["F"] * 9 + ["M"] * 16 + ["F"] * 12})
    row = next(row for row in TABLE2_ROWS if row.quantity == "male")
    quantity = load_quantities(claims=claims).loc["male"]
    masks = {"total": pd.Series(True, index=patients.index), "toci": patients["tocilizumab"],
             "non_toci": ~patients["tocilizumab"]}
    labels = category_mask(patients, quantity["rule"], quantity["expression"]).map({True: "yes", False: "no"})
    basis = DataBasis(synthetic=False, label="test")
    [record] = table2._count_tests(row, quantity["data_columns"].split(";"), labels, masks,
                                   claims[claims["claim_id"].str.startswith("t2.")], basis,
                                   Disclosure(row_level=False, min_patients=5))
    assert record["printed_p"] == "0.511" and record["p_matches"]


def test_supplementary_table_s4_covariates_fit_the_shipped_cohort(shipped):
    """The factors of Supplementary Table S4 as read here, on the 45 patients (17 treated)."""
    result = logistic_regression(shipped.patients, S4_COVARIATES)
    assert (result.n, result.events) == (45, 17)
    assert list(result.table["factor"]) == [covariate.name for covariate in S4_COVARIATES]
