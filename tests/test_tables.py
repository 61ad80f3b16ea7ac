"""Table 2 as printed, Supplementary Table S4, two-group comparisons, kinetics tables and verdicts.

Outside sources: Zhou et al., Front Immunol 2025;16:1530623, Table 2 (its printed counts, percentages,
p-values and Bonferroni column); R 4.x on Student's sleep data (``t.test(extra ~ group, sleep)``:
Welch p = 0.07939, with ``var.equal = TRUE`` p = 0.07919); the normal approximation of the Mann-Whitney
test without continuity correction, z = (U - n1 n2 / 2) / sqrt(n1 n2 (n1 + n2 + 1) / 12), on the example
of SciPy's ``mannwhitneyu`` documentation (U = 17, n = 5 and 4: p = 0.0864); and Greene, Econometric
Analysis (5th ed., Table 21.1), the logit of the Spector-Mazzeo grade data shipped with statsmodels
(GPA 2.826, TUCE 0.0952, PSI 2.379, constant -13.021; GPA p = 0.025).
"""
import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.datasets import spector

from crs_compendium import tables
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.ipd import SYNTHETIC_DIR, Cohort, load_cohort
from crs_compendium.reconstruction import DECISIONS, fit_report
from crs_compendium.registry import load_claims


@pytest.fixture(scope="module")
def claims():
    return load_claims()


@pytest.fixture(scope="module")
def shipped():
    return load_cohort(SYNTHETIC_DIR)


@pytest.fixture(scope="module")
def shipped_table2(shipped, claims):
    return tables.reproduce_table2(shipped.patients, claims, tables.data_basis(shipped))


# --------------------------------------------------------------------------------------------------------
# Numbers as the paper prints them
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "n, total, printed",
    [(24, 45, "24 (53.3)"), (38, 45, "38 (84.4)"), (0, 17, "0 (0)"), (7, 28, "7 (25.0)"), (2, 17, "2 (11.8)")],
)
def test_counts_are_printed_as_in_table_2(n, total, printed):
    assert tables.format_count(n, total) == printed


def test_format_like_takes_the_printed_decimals_and_rounds_half_up():
    assert tables.format_like(24.0, "24.0") == "24.0"
    assert tables.format_like(2.1, "2.38") == "2.10"
    assert tables.format_like(0.0425, "0.042") == "0.043"
    assert tables.format_like(float("nan"), "1") == "NA"


def test_p_values_are_printed_at_three_decimals():
    assert tables.format_p(0.0330276) == "0.033"
    assert tables.format_p(0.0004) == "<0.001"
    assert tables.p_text(0.227) == "p = 0.227"
    assert tables.p_text(1e-5) == "p < 0.001"


def test_bonferroni_is_m_times_p_capped_at_one():
    assert tables.bonferroni(0.033, 10) == pytest.approx(0.33)
    assert tables.bonferroni(0.511, 10) == 1.0
    with pytest.raises(InvalidInputError, match="positive number of tests"):
        tables.bonferroni(0.5, 0)
    with pytest.raises(InvalidInputError):
        tables.format_percent(1, 0)


# --------------------------------------------------------------------------------------------------------
# Which numbers can be a reproduction
# --------------------------------------------------------------------------------------------------------
def test_real_data_make_every_number_a_reproduction():
    basis = tables.DataBasis(synthetic=False, label="data loaded from x")
    assert basis.fixed(["gcsf_total_ug"], "distribution")


def test_synthetic_data_fix_counts_and_order_statistics_of_fixed_columns_only(shipped):
    basis = tables.data_basis(shipped)
    assert basis.fixed(["sex"], "count")
    assert basis.fixed(["age_years"], "order")          # constrained: median and range are printed
    assert not basis.fixed(["age_years"], "distribution")  # a t-test p depends on the drawn values
    assert not basis.fixed(["gcsf_total_ug"], "order")   # simulated: only a p is printed
    with pytest.raises(InvalidInputError, match="kind must be"):
        basis.fixed(["sex"], "mean")
    with pytest.raises(InvalidInputError, match="no provenance"):
        basis.fixed(["weight_kg"], "count")


def test_verdicts():
    assert tables.verdict_for(True, True) == tables.EQUAL
    assert tables.verdict_for(False, True) == tables.DIFFERS
    assert tables.verdict_for(True, False) == tables.SIMULATED
    assert tables.verdict_for(None, True) == tables.NOT_PRINTED


# --------------------------------------------------------------------------------------------------------
# Table 2
# --------------------------------------------------------------------------------------------------------
def test_every_number_the_reconstruction_fixes_equals_the_printed_value(shipped_table2):
    """The compendium's acceptance test: on the shipped cohort, counts, medians and ranges are printed
    values, except where the generator records why no cohort can meet them (DECISIONS)."""
    cells = shipped_table2.cells
    decided = {claim_id for decision in DECISIONS for claim_id in decision.claim_ids}
    fixed = cells[cells["fixed"]]
    differing = set(fixed.loc[fixed["verdict"] != tables.EQUAL, "claim_id"])
    assert len(fixed) == len(cells) == 111
    assert differing == {"t2.prior_lines.non_toci.min", "t2.prior_lines.non_toci.max", "t2.steroid_mpe_mg.total.max"}
    assert differing <= decided
    assert all(cells.loc[cells["verdict"] == tables.DIFFERS, "note"] != "")


def test_count_row_p_values_are_the_printed_ones_and_measurement_p_values_are_flagged(shipped_table2):
    shown = shipped_table2.tests[shipped_table2.tests["shown_in_table"]].set_index("row")
    assert shown.loc["Male, No. (%)", "test"] == "Pearson chi-squared"
    assert shown.loc["Bone marrow blasts, No. (%)", "test"] == "Fisher-Freeman-Halton exact"
    counted = shown[shown["fixed"]]
    assert list(counted["verdict_p"].unique()) == [tables.EQUAL]
    assert set(shown.loc[~shown["fixed"], "verdict_p"]) == {tables.SIMULATED}


def test_bonferroni_uses_the_ten_printed_p_values_and_printed_values_above_one_differ(shipped_table2):
    assert shipped_table2.m == 10
    assert shipped_table2.printed_adjusted_above_one == 6  # 5.11, 10, 3.95, 10, 1.06, 2.67 in Table 2
    shown = shipped_table2.tests[shipped_table2.tests["shown_in_table"]].set_index("row")
    assert (shown["p_bonferroni"] <= 1).all()
    assert shown.loc["ICANS, No. (%)", "verdict_p_bonferroni"] == tables.DIFFERS
    assert "uncapped m*p = 10 x 0.267" in shown.loc["ICANS, No. (%)", "note"]
    assert shown.loc["Grade of CRS, No. (%)", "verdict_p_bonferroni"] == tables.EQUAL


def test_layout_has_the_paper_rows_and_side_by_side_columns(shipped_table2):
    layout = shipped_table2.layout()
    assert layout.shape == (18, 11)  # 11 characteristics, 3 blast bins, 4 CRS grades
    assert layout.loc[("Male, No. (%)", ""), ("Toci (N = 17)", "printed")] == "8 (47.1)"
    assert layout.loc[("Median blasts (range)", ""), ("Total (N = 45)", "recomputed")] == "24.0 (0-96.65)"
    assert layout.loc[("Grade of CRS, No. (%)", "0"), ("Toci (N = 17)", "recomputed")] == "0 (0)"
    verdicts = shipped_table2.row_verdicts()
    assert list(verdicts["characteristic"]) == [row.label for row in tables.TABLE2_ROWS]


def test_table2_agrees_with_the_fit_report_of_the_reconstruction(shipped, shipped_table2, claims):
    """Two implementations of the same comparison (this table and reconstruction.fit_report) agree on
    every Table 2 number they both judge."""
    report = fit_report(shipped, claims).table.set_index("claim_id")
    cells = shipped_table2.cells.set_index("claim_id")
    common = cells.index.intersection(report.index)
    assert len(common) == 111
    assert ((report.loc[common, "status"] == "met") == cells.loc[common, "matches"].astype(bool)).all()


def test_table2_needs_both_groups(shipped, claims):
    with pytest.raises(InvalidInputError, match="no patient in Non-toci"):
        tables.reproduce_table2(shipped.patients.assign(tocilizumab=True), claims, tables.data_basis(shipped))


def test_a_printed_p_from_the_papers_counts_is_reproduced_by_the_audited_test(claims):
    """Sex in Table 2: 8 of 17 against 16 of 28 men; Pearson's chi-squared gives the printed 0.511."""
    patients = pd.DataFrame({"tocilizumab": [True] * 17 + [False] * 28,
                             "sex": ["M"] * 8 + ["F"] * 9 + ["M"] * 16 + ["F"] * 12})
    row = next(row for row in tables.TABLE2_ROWS if row.quantity == "male")
    masks = {"total": pd.Series(True, index=patients.index), "toci": patients["tocilizumab"],
             "non_toci": ~patients["tocilizumab"]}
    labels = row.flag(patients).map({True: "yes", False: "no"})
    basis = tables.DataBasis(synthetic=False, label="test")
    [record] = tables._count_tests(row, labels, masks, claims[claims["claim_id"].str.startswith("t2.")], basis)
    assert record["printed_p"] == "0.511" and record["p_matches"]


# --------------------------------------------------------------------------------------------------------
# Supplementary Table S4
# --------------------------------------------------------------------------------------------------------
def spector_patients():
    data = spector.load_pandas().data
    return data.rename(columns={"GRADE": "tocilizumab"})


SPECTOR = [tables.Covariate(name, (name,), lambda p, name=name: p[name].astype(float), "per unit")
           for name in ("GPA", "TUCE", "PSI")]


def test_logistic_regression_matches_greenes_logit_of_the_spector_data():
    result = tables.logistic_regression(spector_patients(), SPECTOR)
    odds = result.table.set_index("factor")
    assert np.log(odds["odds_ratio"]).to_dict() == pytest.approx({"GPA": 2.826, "TUCE": 0.0952, "PSI": 2.379},
                                                                 abs=0.001)
    assert odds.loc["GPA", "p"] == pytest.approx(0.025, abs=0.001)
    assert odds.loc["GPA", "lower_95"] < odds.loc["GPA", "odds_ratio"] < odds.loc["GPA", "upper_95"]
    assert result.converged and not result.warnings
    assert result.significant == ("GPA", "PSI")
    assert (result.n, result.events) == (32, 11)


def test_perfect_separation_is_reported_not_hidden():
    patients = spector_patients()
    patients["separating"] = patients["tocilizumab"]
    covariate = tables.Covariate("separating", ("separating",), lambda p: p["separating"].astype(float), "yes vs no")
    result = tables.logistic_regression(patients, [covariate])
    assert any("separation" in message.lower() for message in result.warnings)
    assert "warning:" in repr(result)


def test_logistic_regression_refuses_bad_input():
    with pytest.raises(InvalidInputError, match="lacks column"):
        tables.logistic_regression(spector_patients().drop(columns="GPA"), SPECTOR)
    with pytest.raises(InvalidInputError, match="same group"):
        tables.logistic_regression(spector_patients().assign(tocilizumab=1.0), SPECTOR)
    with pytest.raises(InvalidInputError, match="at least one covariate"):
        tables.logistic_regression(spector_patients(), [])


# --------------------------------------------------------------------------------------------------------
# Two-group comparisons
# --------------------------------------------------------------------------------------------------------
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_t_tests_match_r_on_students_sleep_data():
    data = pd.DataFrame({"group": ["Toci"] * 10 + ["Non-toci"] * 10, "extra": SLEEP_1 + SLEEP_2})
    result = tables.compare_measurement(data, "extra", printed_p="0.079")
    assert result.p_values["Welch t"] == pytest.approx(0.07939, abs=1e-5)
    assert result.p_values["Student t"] == pytest.approx(0.07919, abs=1e-5)
    assert set(result.reproducing) == {"Welch t", "Student t"}
    assert result.summary.loc["Toci", "median"] == pytest.approx(0.35)
    assert list(result.summary.index) == ["Toci", "Non-toci"]


def test_mann_whitney_is_the_normal_approximation_without_continuity_correction():
    data = pd.DataFrame({"group": ["Toci"] * 5 + ["Non-toci"] * 4, "age": [19, 22, 16, 29, 24, 20, 11, 17, 12]})
    z = (17 - 5 * 4 / 2) / math.sqrt(5 * 4 * 10 / 12)
    assert tables.compare_measurement(data, "age").p_values["Mann-Whitney U"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert tables.compare_measurement(data, "age").p_values["Mann-Whitney U"] == pytest.approx(0.0864, abs=1e-4)


def test_a_printed_significance_mark_is_a_bound():
    data = pd.DataFrame({"group": ["Toci"] * 10 + ["Non-toci"] * 10, "extra": SLEEP_1 + SLEEP_2})
    assert tables.compare_measurement(data, "extra", printed_p=">0.05").reproducing
    assert not tables.compare_measurement(data, "extra", printed_p="<0.05").reproducing
    assert "reproduced by no test" in repr(tables.compare_measurement(data, "extra", printed_p="<0.05"))


def test_compare_measurement_refuses_too_few_values_and_a_third_group():
    data = pd.DataFrame({"group": ["Toci", "Non-toci", "Non-toci"], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(InvalidInputError, match="at least 2 values"):
        tables.compare_measurement(data, "x")
    with pytest.raises(InvalidInputError, match="two groups"):
        tables.compare_measurement(data, "x", order=("a", "b", "c"))
    with pytest.raises(InvalidInputError, match="no column"):
        tables.compare_measurement(data, "y")


def test_counts_by_group_keeps_empty_categories_in_order():
    labels = pd.Series(["MRD-CR", "MRD-CR", "PR"], name="response")
    groups = pd.Series(["Toci", "Non-toci", "Non-toci"])
    table = tables.counts_by_group(labels, groups, ["MRD-CR", "MRD+CR", "PR", "NR"])
    assert table.to_dict("index") == {"Toci": {"MRD-CR": 1, "MRD+CR": 0, "PR": 0, "NR": 0},
                                      "Non-toci": {"MRD-CR": 1, "MRD+CR": 0, "PR": 1, "NR": 0}}
    with pytest.raises(InvalidInputError, match="not among"):
        tables.counts_by_group(labels, groups, ["MRD-CR"])


# --------------------------------------------------------------------------------------------------------
# Kinetics
# --------------------------------------------------------------------------------------------------------
def test_expansion_summary_takes_peak_day_and_trapezoid_area_within_days_0_to_28():
    daily = pd.DataFrame({"patient_id": "P1", "day": [-1, 0, 7, 14, 35],
                          "car_copies_per_ug_dna": [50.0, 0.0, 10.0, 0.0, 99.0]})
    summary = tables.expansion_summary(daily)
    assert summary.iloc[0].to_dict() == {"patient_id": "P1", "peak": 10.0, "day_of_peak": 7, "auc_0_28": 70.0}
    single = tables.expansion_summary(daily.iloc[[2]])
    assert math.isnan(single.loc[0, "auc_0_28"])
    with pytest.raises(InvalidInputError, match="lacks column"):
        tables.expansion_summary(daily.drop(columns="day"))


def test_align_to_first_dose_counts_days_from_each_patients_first_dose():
    patients = pd.DataFrame({"patient_id": ["A", "B", "C"], "tocilizumab": [True, True, False]})
    daily = pd.DataFrame({"patient_id": ["A"] * 3 + ["B"] * 3 + ["C"] * 3, "day": [1, 2, 3] * 3,
                          "toci_mg": [np.nan, 480, 480, 320, np.nan, np.nan, 400, np.nan, np.nan],
                          "il6_pg_ml": range(9)})
    aligned = tables.align_to_first_dose(patients, daily, ["il6_pg_ml"])
    assert aligned.groupby("patient_id")["days_from_first_dose"].apply(list).to_dict() == {"A": [-1, 0, 1],
                                                                                            "B": [0, 1, 2]}


# --------------------------------------------------------------------------------------------------------
# Verdict tables and exports
# --------------------------------------------------------------------------------------------------------
def test_claim_verdicts_follow_the_fit_report_and_the_data_basis(shipped, claims):
    report = pd.DataFrame({"claim_id": ["res.serious_infection.p", "res.gcsf_dose.p", "res.case_gvhd.pt5",
                                        "res.crs_duration.toci.median"],
                           "achieved": ["0.353", "0.227", "", "6.0"],
                           "status": ["met", "met", "not represented", "approximate"], "note": ""})
    synthetic = tables.claim_verdicts(report, claims, report["claim_id"], tables.data_basis(shipped))
    assert list(synthetic["verdict"]) == [tables.EQUAL, tables.SIMULATED, tables.NOT_COMPUTABLE, tables.DIFFERS]
    real = tables.claim_verdicts(report, claims, report["claim_id"], tables.DataBasis(False, "real"))
    assert list(real["verdict"]) == [tables.EQUAL, tables.EQUAL, tables.NOT_COMPUTABLE, tables.DIFFERS]
    assert list(synthetic["printed"]) == ["0.353", "0.227", "5", "6.1"]
    with pytest.raises(InvalidInputError, match="not in the fit report"):
        tables.claim_verdicts(report, claims, ["res.os.p"], tables.DataBasis(False, "real"))


def test_no_difference_verdict_holds_only_when_every_measure_is_not_significant():
    data = pd.DataFrame({"group": ["Toci"] * 10 + ["Non-toci"] * 10, "extra": SLEEP_1 + SLEEP_2})
    comparison = tables.compare_measurement(data, "extra")
    real = tables.DataBasis(False, "real")
    holds = tables.no_difference_verdict("sleep", {"extra": comparison}, real, columns=["x"], where="here")
    assert holds["verdict"] == tables.EQUAL
    assert holds["recomputed"] == f"extra {tables.p_text(min(comparison.p_values.values()))}"
    fails = tables.no_difference_verdict("sleep", {"extra": comparison}, real, columns=["x"], where="here", alpha=0.1)
    assert fails["verdict"] == tables.DIFFERS
    assert tables.summarise_verdicts(pd.DataFrame([holds, fails])) == (
        "2 numbers: 1 equal to the printed value; 1 differs.")


def test_write_result_writes_csv_under_the_build_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path))
    frame = pd.DataFrame({("A", "x"): [1], ("A", "y"): [2]})
    path = tables.write_result(frame, "example_table")
    assert path == tmp_path / "results" / "example_table.csv"
    assert path.read_text() == "A | x,A | y\n1,2\n"
    with pytest.raises(InvalidInputError, match="lower-case"):
        tables.write_result(frame, "../escape")


def test_data_basis_of_real_data_has_no_levels(tmp_path, shipped):
    real = Cohort(shipped.patients, shipped.daily, source=tmp_path, synthetic=False)
    basis = tables.data_basis(real)
    assert not basis.synthetic and basis.levels == {} and basis.label.startswith("data loaded from")
