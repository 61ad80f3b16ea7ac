"""Association tests of count tables against R's documented examples, and the paper's printed p-values.

Outside sources:
* R ``fisher.test`` help page (stats package): Agresti's tea-tasting table [[3, 1], [1, 3]], one-sided
  p = 0.2429 (= 17/70), so two-sided 34/70 = 0.4857 (Fisher 1935); the Job satisfaction 4 x 4 table
  (Agresti 2002, p. 57), ``fisher.test(Job)`` p = 0.7827.
* R ``chisq.test`` help page: M <- as.table(rbind(c(762, 327, 468), c(484, 239, 477))) (Agresti 2007,
  p. 39) prints X-squared = 30.07, df = 2, p-value = 2.954e-07; ``chisq.test(matrix(c(12, 5, 7, 7),
  ncol = 2))$p.value`` is 0.4233 (Yates-corrected, R's default for 2 x 2).
* vcdExtra ``GSS`` help page (Agresti 2002, Table 3.11): the independence model of sex x party
  [[279, 73, 225], [165, 47, 191]] has residual deviance, i.e. G^2, 7.003 on 2 df.
* OEIS A001496: 3 x 3 tables of non-negative integers with every row and column summing to k number
  1, 6, 21, 55, 120 for k = 0..4.
* Zhou et al., Front Immunol 2025;16:1530623, Table 2 and Results: counts and printed p-values.
* statsmodels' ``Table.test_ordinal_association`` (the linear-by-linear association test) as a second
  implementation of SPSS's linear-by-linear chi-squared.
"""
import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import gammaln
from statsmodels.stats.contingency_tables import Table

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.printed.contingency import (
    TEST_LABELS,
    TEST_NAMES,
    count_table_tests,
    fisher_freeman_halton_exact,
    splits_reproducing_p,
    tables_with_margins,
)
from crs_compendium.vocab import CONSISTENT, INCONSISTENT

TEA_TASTING = [[3, 1], [1, 3]]
JOB_SATISFACTION = [[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]]  # R fills by column
PARTY_BY_GENDER = [[762, 327, 468], [484, 239, 477]]


# --------------------------------------------------------------------------------------------------------
# Against R's documentation
# --------------------------------------------------------------------------------------------------------
def test_tea_tasting_two_sided_fisher():
    """R fisher.test help: one-sided p = 0.2429 (17/70); the symmetric two-sided p is 34/70 = 0.4857."""
    assert fisher_freeman_halton_exact(TEA_TASTING) == pytest.approx(34 / 70, rel=1e-12)
    result = count_table_tests(TEA_TASTING)
    assert round(result.p_values["fisher"], 4) == 0.4857
    assert round(result.p_values["fisher_one_sided"], 4) == 0.2429


def test_job_satisfaction_fisher_freeman_halton_matches_r():
    """R fisher.test help: fisher.test(Job) # 0.7827 (exact network algorithm)."""
    assert round(fisher_freeman_halton_exact(JOB_SATISFACTION), 4) == 0.7827
    transposed = np.array(JOB_SATISFACTION).T
    assert fisher_freeman_halton_exact(transposed) == pytest.approx(fisher_freeman_halton_exact(JOB_SATISFACTION))


def test_pearson_chi_squared_matches_r_chisq_test_example():
    """R chisq.test help (Agresti 2007 p. 39): X-squared = 30.07, df = 2, p-value = 2.954e-07."""
    result = count_table_tests(PARTY_BY_GENDER)
    statistic, df = result.statistics["pearson"]
    assert round(statistic, 2) == 30.07 and df == 2
    assert result.p_values["pearson"] == pytest.approx(2.954e-07, rel=5e-4)
    assert "yates" not in result.p_values  # no continuity correction beyond 2 x 2, as in R


def test_yates_corrected_2x2_matches_r():
    """R chisq.test help: chisq.test(matrix(c(12, 5, 7, 7), ncol = 2))$p.value # 0.4233."""
    assert round(count_table_tests([[12, 7], [5, 7]]).p_values["yates"], 4) == 0.4233


def test_likelihood_ratio_matches_the_deviance_of_the_independence_model():
    """vcdExtra GSS help: glm(count ~ sex + party, family = poisson) residual deviance 7.003 on 2 df."""
    statistic, df = count_table_tests([[279, 73, 225], [165, 47, 191]]).statistics["likelihood_ratio"]
    assert round(statistic, 3) == 7.003 and df == 2


@pytest.mark.parametrize(
    "table", [[[8, 9], [16, 12]], [[2, 15], [0, 28]], [[0, 5], [5, 0]], [[10, 0], [3, 1]], [[1, 1], [1, 1]]]
)
def test_ffh_on_2x2_equals_scipy_fisher_exact(table):
    """For 2 x 2 the FFH p is Fisher's two-sided p as SciPy (and R) define it."""
    assert fisher_freeman_halton_exact(table) == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)


def test_ffh_equals_brute_force_enumeration_of_a_3x4_table():
    """Sum, over every table with the margins, of the hypergeometric probabilities <= the observed one."""
    observed = np.array([[5, 3, 4, 3], [2, 6, 3, 4], [4, 2, 5, 0]])
    rows, cols, total = observed.sum(axis=1), observed.sum(axis=0), observed.sum()
    tables = tables_with_margins(rows, cols)
    log_margins = gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(total + 1)
    probabilities = np.exp(log_margins - gammaln(tables + 1).sum(axis=(1, 2)))
    observed_probability = np.exp(log_margins - gammaln(observed + 1).sum())
    assert probabilities.sum() == pytest.approx(1.0)
    expected = probabilities[probabilities <= observed_probability * (1 + 1e-7)].sum()
    assert fisher_freeman_halton_exact(observed) == pytest.approx(expected, rel=1e-9)


# --------------------------------------------------------------------------------------------------------
# Enumerating tables
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("k, count", [(0, 1), (1, 6), (2, 21), (3, 55), (4, 120)])
def test_number_of_3x3_tables_with_equal_margins_is_oeis_a001496(k, count):
    tables = tables_with_margins([k] * 3, [k] * 3)
    assert tables.shape == (count, 3, 3)
    assert np.all(tables.sum(axis=2) == k) and np.all(tables.sum(axis=1) == k)
    assert len({table.tobytes() for table in tables}) == count


def test_2x2_tables_are_the_hypergeometric_support():
    tables = tables_with_margins([17, 28], [24, 21])
    assert [int(table[0, 0]) for table in tables] == list(range(0, 18))


def test_fixed_cells_narrow_the_enumeration():
    tables = tables_with_margins([17, 28], [40, 4, 1], {(0, 0): 16})
    assert tables.tolist() == [[[16, 0, 1], [24, 4, 0]], [[16, 1, 0], [24, 3, 1]]]
    assert tables_with_margins([17, 28], [40, 4, 1], {(0, 0): 16, (1, 2): 1}).shape[0] == 1
    assert tables_with_margins([2, 2], [2, 2], {(0, 0): 3}).shape == (0, 2, 2)


def test_one_row_or_column_margins_have_one_table():
    assert tables_with_margins([6], [1, 2, 3]).tolist() == [[[1, 2, 3]]]
    assert tables_with_margins([1, 2, 3], [6]).tolist() == [[[1], [2], [3]]]


def test_zero_margins_are_allowed():
    tables = tables_with_margins([0, 3], [1, 2])
    assert tables.tolist() == [[[0, 0], [1, 2]]]


@pytest.mark.parametrize(
    "rows, cols, fixed, message",
    [
        ([1, 2], [4], None, "sum to 3 but column totals to 4"),
        ([1, -1], [0], None, "non-negative whole"),
        ([1.5, 1.5], [3], None, "non-negative whole"),
        ([], [], None, "non-empty"),
        ([2, 2], [2, 2], {(2, 0): 1}, "outside a 2 x 2"),
        ([2, 2], [2, 2], {(0, 0): -1}, "non-negative integer"),
        ([2, 2], [2, 2], {0: 1}, r"\(row, column\) pair"),
        ([2, 2], [2, 2], [(0, 0)], "must map"),
    ],
)
def test_invalid_margins_are_refused(rows, cols, fixed, message):
    with pytest.raises(InvalidInputError, match=message):
        tables_with_margins(rows, cols, fixed)


def test_enumeration_refuses_to_explode():
    with pytest.raises(InvalidInputError, match="max_tables"):
        tables_with_margins([30, 30, 30], [18] * 5, max_tables=1000)


def test_3x4_enumeration_and_exact_test_at_n45_are_fast():
    """Brief: a 2 x 3 or 3 x 4 enumeration at n = 45 must take well under a second."""
    start = time.perf_counter()
    tables = tables_with_margins([15, 15, 15], [11, 11, 11, 12])
    p_value = fisher_freeman_halton_exact([[5, 3, 4, 3], [2, 6, 3, 4], [4, 2, 4, 5]])
    elapsed = time.perf_counter() - start
    assert tables.shape[0] == 204_651 and 0 < p_value < 1
    assert elapsed < 1.0


# --------------------------------------------------------------------------------------------------------
# Input errors and degenerate tables
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "table, message",
    [
        ([[1, 2, 3]], "at least 2 rows and 2 columns"),
        ([[1], [2]], "at least 2 rows and 2 columns"),
        ([1, 2], "two-way"),
        ([[[1, 2], [3, 4]]], "two-way"),
        ([[1, -2], [3, 4]], "non-negative whole"),
        ([[1.5, 2], [3, 4]], "non-negative whole"),
        ([[0, 0], [0, 0]], "no observations"),
        ([["a", 1], [2, 3]], "array of counts"),
    ],
)
def test_invalid_tables_are_refused(table, message):
    with pytest.raises(InvalidInputError, match=message):
        count_table_tests(table)
    with pytest.raises(InvalidInputError, match=message):
        fisher_freeman_halton_exact(table)


def test_an_empty_category_is_dropped_before_testing():
    """A zero column makes expected counts 0; SPSS would not show the category, so it is removed."""
    with_empty = count_table_tests([[3, 0, 1], [1, 0, 3]])
    without = count_table_tests([[3, 1], [1, 3]])
    assert with_empty.tested_table == ((3, 1), (1, 3))
    assert with_empty.p_values == pytest.approx(without.p_values)


def test_a_table_with_a_single_nonempty_column_has_exact_p_one_and_no_chi_squared():
    result = count_table_tests([[3, 0], [4, 0]], printed_p="1.000")
    assert result.p_values["fisher"] == 1.0 and np.isnan(result.p_values["pearson"])
    assert result.reproducing == ("fisher",)
    assert fisher_freeman_halton_exact([[3, 0], [4, 0]]) == 1.0


def test_zero_cells_are_fine():
    result = count_table_tests([[2, 15], [0, 28]])
    assert result.min_expected == pytest.approx(2 * 17 / 45)


# --------------------------------------------------------------------------------------------------------
# The paper's printed p-values (Zhou et al. 2025, Table 2 and Results): values verified by hand
# --------------------------------------------------------------------------------------------------------
PAPER_TABLES = {
    # name: (rows toci / non-toci, printed p, {test: p to 4 decimals}, reproducing tests, rule tests)
    "male": ([[8, 9], [16, 12]], "0.511",
             {"pearson": 0.5109, "yates": 0.7269, "likelihood_ratio": 0.5110, "fisher": 0.5521},
             ("pearson", "likelihood_ratio"), ("pearson", "yates")),
    "high_risk": ([[14, 3], [24, 4]], "1.000",
                  {"pearson": 0.7629, "yates": 1.0, "likelihood_ratio": 0.7644, "fisher": 1.0},
                  ("yates", "fisher"), ("fisher",)),
    "allo_sct": ([[3, 14], [6, 22]], "1.000",
                 {"pearson": 0.7585, "yates": 1.0, "likelihood_ratio": 0.7570, "fisher": 1.0},
                 ("yates", "fisher"), ("fisher",)),
    "blasts_bins": ([[8, 3, 6], [23, 2, 3]], "0.042",
                    {"pearson": 0.0465, "likelihood_ratio": 0.0479, "fisher": 0.0415, "linear_by_linear": 0.0173},
                    ("fisher",), ("fisher",)),
    "crs_grade": ([[0, 0, 8, 9], [4, 7, 11, 6]], "0.019",
                  {"pearson": 0.0187, "likelihood_ratio": 0.0035, "fisher": 0.0130, "linear_by_linear": 0.0029},
                  ("pearson",), ("fisher",)),
    "icans": ([[2, 15], [0, 28]], "0.267",
              {"pearson": 0.0634, "yates": 0.2667, "likelihood_ratio": 0.0442, "fisher": 0.1374},
              ("yates",), ("fisher",)),
    "serious_infection": ([[9, 8], [10, 18]], "0.353",
                          {"pearson": 0.2566, "yates": 0.4104, "likelihood_ratio": 0.2573, "fisher": 0.3532},
                          ("fisher",), ("pearson", "yates")),
}


@pytest.mark.parametrize("name", PAPER_TABLES)
def test_the_papers_p_values_and_which_tests_reproduce_them(name):
    table, printed, p_values, reproducing, rule_tests = PAPER_TABLES[name]
    result = count_table_tests(table, printed_p=printed)
    assert {test: round(result.p_values[test], 4) for test in p_values} == p_values
    assert result.reproducing == reproducing
    assert result.rule_tests == rule_tests
    assert result.consistent is True
    assert result.follows_rule is (name not in {"crs_grade", "icans", "serious_infection"})


def test_verdict_line_and_display():
    crs = count_table_tests([[0, 0, 8, 9], [4, 7, 11, 6]], printed_p="0.019")
    assert repr(crs).splitlines()[0] == (
        f"{CONSISTENT}: 2x4 [[0, 0, 8, 9], [4, 7, 11, 6]] printed p = 0.019 reproduced by pearson; "
        "does NOT follow the expected-count rule (fisher)"
    )
    assert "4/8 cells expect < 5 (smallest 1.51)" in repr(crs)
    assert "<table>" in crs._repr_html_()
    unreproduced = count_table_tests([[8, 9], [16, 12]], printed_p="0.400")
    assert unreproduced.consistent is False and repr(unreproduced).startswith(INCONSISTENT)
    assert count_table_tests([[8, 9], [16, 12]]).consistent is None


def test_one_row_per_table_for_a_summary_frame():
    """Every test's p-value is a column of a table's record (the removed count_table_tests_map built its
    frame from these records)."""
    records = {name: count_table_tests(case[0], printed_p=case[1]).to_record() for name, case in PAPER_TABLES.items()}
    frame = pd.DataFrame.from_dict(records, orient="index")
    assert list(frame.index) == list(PAPER_TABLES)
    assert {f"p_{test}" for test in TEST_LABELS} <= set(frame.columns)
    assert frame.loc["icans", "reproducing"] == "yates"
    assert frame["follows_rule"].sum() == 4
    assert set(TEST_NAMES) <= set(TEST_LABELS)


# --------------------------------------------------------------------------------------------------------
# Cell splits the paper does not print
# --------------------------------------------------------------------------------------------------------
RESPONSE_GROUPINGS = {
    "MRD-CR / MRD+CR / PR": None,
    "CR vs PR": [[0, 1], [2]],
    "MRD-CR vs other": [[0], [1, 2]],
}


def test_cr_rate_p_0616_is_pearson_on_the_full_response_table():
    """Results: p = 0.616 for MRD-CR 16/17 vs 24/28, with 40 MRD-CR, 4 MRD+CR and 1 PR in total.

    Only toci 16/1/0 vs non-toci 24/3/1, tested as the 2 x 3 table by Pearson's chi-squared, gives 0.616
    (0.6160); no 2 x 2 collapse under any test does, and the exact test gives 1.000.
    """
    search = splits_reproducing_p("0.616", [17, 28], [40, 4, 1], {(0, 0): 16}, column_groupings=RESPONSE_GROUPINGS)
    assert len(search.candidates) == 2 * 3
    assert [(c.table, c.grouping, c.tests.reproducing) for c in search.reproducing] == [
        (((16, 1, 0), (24, 3, 1)), "MRD-CR / MRD+CR / PR", ("pearson",))
    ]
    winner = search.reproducing[0].tests
    assert round(winner.p_values["pearson"], 4) == 0.6160 and round(winner.p_values["fisher"], 3) == 1.0
    assert winner.follows_rule is False
    assert repr(search).startswith(f"{CONSISTENT}: p = 0.616: 2 table(s)")
    frame = search.frame()
    assert frame.shape[0] == 6 and list(frame.columns[:3]) == ["table", "grouping", "tested_as"]
    assert frame.loc[frame["reproducing"] != "", "tested_as"].tolist() == ["[[16, 1, 0], [24, 3, 1]]"]


def test_a_p_no_split_reproduces_is_inconsistent():
    search = splits_reproducing_p("0.900", [17, 28], [40, 4, 1], {(0, 0): 16})
    assert not search.consistent and repr(search).startswith(INCONSISTENT)


@pytest.mark.parametrize(
    "groupings, message",
    [
        ({"one group": [[0, 1, 2]]}, "at least two"),
        ({"overlap": [[0, 1], [1, 2]]}, "distinct column indices"),
        ({"out of range": [[0], [3]]}, "distinct column indices"),
        ({}, "must map"),
    ],
)
def test_invalid_groupings_are_refused(groupings, message):
    with pytest.raises(InvalidInputError, match=message):
        splits_reproducing_p("0.5", [17, 28], [40, 4, 1], column_groupings=groupings)


def test_split_search_refuses_too_many_tables_and_bad_printed_p():
    with pytest.raises(InvalidInputError, match="max_tables"):
        splits_reproducing_p("0.5", [17, 28], [20, 15, 10], max_tables=10)
    with pytest.raises(InvalidInputError, match="not a printed number"):
        splits_reproducing_p("p=0.5", [17, 28], [40, 4, 1])


# --------------------------------------------------------------------------------------------------------
# The linear-by-linear test against statsmodels
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("table", [
    [[8, 3, 6], [23, 2, 3]],          # Table 2, blast bins
    [[0, 0, 8, 9], [4, 7, 11, 6]],    # Table 2, CRS grades
    JOB_SATISFACTION,                  # R's fisher.test example, 4 x 4
    [[12, 7], [5, 7]],                 # a 2 x 2 table
])
def test_linear_by_linear_equals_statsmodels_ordinal_association(table):
    """statsmodels' null variance of sum(u v n) divides by N - 1 (the exact permutation variance), so its
    z-score squared is SPSS's M^2 = (N - 1) r^2 itself, and the p-values agree. Scores 0..k-1 (statsmodels)
    and 1..k (SPSS) differ by a shift, which changes neither. The other form of the test, N r^2 (variance
    over N), would be larger by N / (N - 1): the statistic must not be that one. statsmodels' Table adds
    0.5 to every cell of a table with a zero unless told not to (``shift_zeros=False``)."""
    result = count_table_tests(table)
    statistic, df = result.statistics["linear_by_linear"]
    ordinal = Table(np.asarray(result.tested_table), shift_zeros=False).test_ordinal_association()
    total = np.asarray(result.tested_table).sum()
    assert df == 1
    assert statistic == pytest.approx(ordinal.zscore ** 2, rel=1e-10)
    assert result.p_values["linear_by_linear"] == pytest.approx(ordinal.pvalue, rel=1e-8)
    assert statistic * total / (total - 1) != pytest.approx(ordinal.zscore ** 2, rel=1e-6)


def test_blast_bins_linear_by_linear_p_is_statsmodels_p():
    """The Table 2 blast bins: 0.0173 (see PAPER_TABLES), from statsmodels too."""
    ordinal = Table(np.array([[8, 3, 6], [23, 2, 3]])).test_ordinal_association()
    assert round(ordinal.pvalue, 4) == 0.0173
