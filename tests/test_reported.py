"""Checks of printed numbers: exact rounding, percentages, sums, medians and ranges, Bonferroni.

Outside sources: scrutiny's "up_or_down" rounding (a tie rounds either way; vignette "rounding-options",
CRAN scrutiny), SPSS's RND rounding half away from zero (same vignette), Python's round() to even, and
Zhou et al., Front Immunol 2025;16:1530623 (Table 2 and Results) for the paper's own numbers, derived by
hand from the printed counts.
"""
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.reported import (
    audit,
    check_bonferroni,
    check_map,
    check_median_range,
    check_percentage,
    check_pooled_median_range,
    check_sum,
    decimals,
    percentage_denominator_candidates,
    percentage_n_candidates,
    reproduces_p,
    round_fraction,
    rounding_bounds,
    rounds_to,
)
from crs_compendium.verdicts import CONSISTENT, INCONSISTENT


# --------------------------------------------------------------------------------------------------------
# decimals and exact rounding
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "printed, places", [("0.040", 3), ("84.8", 1), ("10", 0), (".042", 3), ("1.000", 3), (" 5.0 ", 1)]
)
def test_decimals_count_trailing_zeros(printed, places):
    assert decimals(printed) == places


@pytest.mark.parametrize("bad", ["", "abc", "nan", "inf", "1,5"])
def test_decimals_refuse_non_numbers(bad):
    with pytest.raises(InvalidInputError):
        decimals(bad)


def test_decimals_refuse_a_float_because_it_has_no_printed_precision():
    with pytest.raises(InvalidInputError, match="as a string"):
        decimals(0.04)


def test_a_tie_rounds_either_way_under_up_or_down():
    """scrutiny's default "up_or_down": 0.0425 is consistent with both 0.042 and 0.043."""
    assert rounds_to("0.0425", "0.042") and rounds_to("0.0425", "0.043")
    assert not rounds_to("0.0425", "0.044")


def test_a_float_tie_is_read_as_printed_not_as_its_binary_value():
    """The double nearest 2.675 lies just below it, so Python's round(2.675, 2) gives 2.67 (Python docs,
    "Floating-Point Arithmetic: Issues and Limitations"); read as printed, 2.675 is a tie."""
    assert Decimal(2.675) < Decimal("2.675") and round(2.675, 2) == 2.67
    assert rounds_to(2.675, "2.68") and rounds_to(2.675, "2.67")
    assert round_fraction(2.675, 2, "half_up") == Decimal("2.68")
    assert rounds_to(0.0425, "0.043") and rounds_to(0.0425, "0.042")


def test_single_tie_rules_match_spss_and_python():
    """SPSS RND rounds half away from zero; Python's round() (and R's) rounds half to even."""
    assert round_fraction("0.0425", 3, "half_up") == Decimal("0.043")
    assert round_fraction("0.0425", 3, "half_down") == Decimal("0.042")
    assert round_fraction("0.0425", 3, "half_even") == Decimal("0.042")
    assert round_fraction("0.0435", 3, "half_even") == Decimal("0.044")
    assert str(round_fraction(Fraction(5, 2), 0, "half_even")) == str(round(2.5)) == "2"
    assert round_fraction("-2.5", 0, "half_up") == Decimal("-3")
    assert str(round_fraction(0, 3)) == "0.000"
    assert not rounds_to("0.0425", "0.042", rounding="half_up")
    assert rounds_to("0.0425", "0.042", rounding="half_even")


def test_rounding_bounds_are_the_closed_half_unit_interval():
    assert rounding_bounds("84.8") == (Fraction("84.75"), Fraction("84.85"))
    assert rounding_bounds("10") == (Fraction("9.5"), Fraction("10.5"))


def test_rounding_arguments_are_validated():
    with pytest.raises(InvalidInputError, match="rounding must be one of"):
        rounds_to("1", "1", rounding="nearest")
    with pytest.raises(InvalidInputError, match="single tie rule"):
        round_fraction("1.5", 0, "up_or_down")
    with pytest.raises(InvalidInputError, match="places"):
        round_fraction("1.5", -1)
    with pytest.raises(InvalidInputError, match="bool"):
        rounds_to(True, "1")
    with pytest.raises(InvalidInputError, match="not finite"):
        rounds_to(float("inf"), "1")


# --------------------------------------------------------------------------------------------------------
# p-values as printed
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, printed, expected",
    [
        (0.04154, "0.042", True),  # FFH p of the blasts table
        (0.0465, "0.042", False),  # its Pearson p
        (0.0425, "0.042", True),  # a tie, either way
        (0.9995, "1.000", True),  # "1.000" means p >= 0.9995
        (0.99949, "1.000", False),
        (1.0, "1.000", True),
        (0.0004, "0.000", True),  # SPSS prints p < 0.0005 as .000
        (0.0006, "0.000", False),
        (0.0009, "<0.001", True),
        (0.001, "<0.001", False),
        (0.05, "≤0.05", True),
        (0.2, ">0.05", True),
        (float("nan"), "0.042", False),
    ],
)
def test_reproduces_p_at_printed_precision(value, printed, expected):
    assert reproduces_p(value, printed) is expected


def test_reproduces_p_refuses_a_printed_float():
    with pytest.raises(InvalidInputError, match="string"):
        reproduces_p(0.04, 0.04)


# --------------------------------------------------------------------------------------------------------
# Percentages
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "printed, n, N",
    [
        ("53.3", 24, 45),  # Results, male
        ("84.4", 38, 45),  # Table 2, high risk
        ("88.9", 40, 45),  # Results, MRD-CR
        ("8.9", 4, 45),
        ("2.2", 1, 45),
        ("91.1", 41, 45),  # any CRS
        ("94.12", 16, 17),  # Safety section, two decimals
        ("85.71", 24, 28),
        ("58.8", 10, 17),
        ("41.2", 7, 17),
        ("52.9", 9, 17),
        ("35.7", 10, 28),
        ("17.6", 3, 17),
        ("0", 0, 17),
    ],
)
def test_the_papers_consistent_percentages(printed, n, N):
    result = check_percentage(printed, n, N)
    assert result.consistent and result.verdict == CONSISTENT


def test_high_risk_848_is_not_38_of_45():
    """Results print 84.8% (38/45); 38/45 = 84.44%, Table 2 prints 84.4; no n out of 45 gives 84.8."""
    result = check_percentage("84.8", 38, 45)
    assert not result.consistent and result.verdict == INCONSISTENT
    assert result.recomputed == "84.4"
    assert "none (38/45 = 84.4%, 39/45 = 86.7%)" in result.note
    assert repr(result).startswith("inconsistent: 84.8% of N=45 with n=38")
    assert "inconsistent" in result._repr_html_()


def test_icans_45_percent_fits_44_not_45():
    """Results print ICANS in two patients as 4.5%: 2/45 = 4.44%, but 2/44 = 4.55%."""
    assert not check_percentage("4.5", 2, 45).consistent
    assert percentage_denominator_candidates("4.5", 2, 60) == (44,)


def test_percentage_ties_and_exact_halves():
    """1/8 = 12.5% exactly: a tie prints as 12 or 13; 1/2 = 50% prints as 50.0 exactly."""
    assert check_percentage("12", 1, 8).consistent and check_percentage("13", 1, 8).consistent
    assert check_percentage("12", 1, 8).recomputed == "12 or 13"
    assert not check_percentage("12", 1, 8, rounding="half_up").consistent
    assert check_percentage("50.0", 1, 2).consistent and not check_percentage("50.1", 1, 2).consistent


def test_percentage_n_candidates_list_every_count():
    assert percentage_n_candidates("53.3", 45).candidates == (24,)
    assert percentage_n_candidates("84.8", 45).candidates == ()
    assert not percentage_n_candidates("84.8", 45).consistent
    assert percentage_n_candidates("12", 8).candidates == (1,)  # 12.5 rounds down at the tie
    assert percentage_n_candidates("33", 100).candidates == (33,)
    assert percentage_n_candidates("0", 3).candidates == (0,)


@pytest.mark.parametrize(
    "n, N, message",
    [
        (5, 4, "cannot exceed"),
        (1, 0, "N must be positive"),
        (-1, 4, "non-negative"),
        ("1.5", 4, "whole"),
        (True, 4, "bool"),
    ],
)
def test_percentage_arguments_are_validated(n, N, message):
    with pytest.raises(InvalidInputError, match=message):
        check_percentage("10.0", n, N)


def test_percentage_accepts_counts_as_strings():
    assert check_percentage("53.3", "24", "45").consistent


# --------------------------------------------------------------------------------------------------------
# Sums
# --------------------------------------------------------------------------------------------------------
def test_counts_add_up_in_table_2_and_the_flow():
    """Table 2: 8 + 16 = 24 men; blasts 31 + 5 + 9 = 45; CRS 4 + 7 + 19 + 15 = 45; flow 1 + 4 + 11 + 45 = 61."""
    assert check_sum([8, 16], 24).consistent
    assert check_sum(["31", "5", "9"], "45").consistent
    assert check_sum({"grade 0": 4, "grade 1": 7, "grade 2": 19, "grade 3-5": 15}, 45).consistent
    assert check_sum([1, 4, 11, 45], 61, label="flow").consistent


def test_a_sum_that_misses_is_flagged_with_the_difference():
    result = check_sum({"toci": 8, "non-toci": 15}, 24, label="male")
    assert not result.consistent and result.recomputed == "23"
    assert "off the total by -1" in result.note and "toci 8" in result.note


def test_rounded_percentages_may_miss_the_total_by_their_rounding():
    """Table 2 blasts 68.9 + 11.1 + 20.0 = 100.0; CRS 8.9 + 15.6 + 42.2 + 33.3 = 100.0; 33.3 x 3 = 99.9."""
    assert check_sum(["68.9", "11.1", "20.0"], "100.0", rounded=True).consistent
    assert check_sum(["8.9", "15.6", "42.2", "33.3"], "100.0", rounded=True).consistent
    assert check_sum(["33.3", "33.3", "33.3"], "100.0", rounded=True).consistent
    assert not check_sum(["33.3", "33.3", "33.3"], "100.0").consistent
    assert not check_sum(["68.9", "11.1", "21.0"], "100.0", rounded=True).consistent


def test_sum_arguments_are_validated():
    with pytest.raises(InvalidInputError, match="empty"):
        check_sum([], 1)
    with pytest.raises(InvalidInputError, match="printed number"):
        check_sum([1.5, 2], 3)


# --------------------------------------------------------------------------------------------------------
# Medians and ranges
# --------------------------------------------------------------------------------------------------------
def test_lines_of_therapy_cannot_end_on_half_lines():
    """Table 2, non-toci: median lines of therapy 2.5 (1.5-3.5) for a whole-number quantity, n = 28."""
    result = check_median_range("2.5", "1.5", "3.5", n=28, integer_valued=True)
    assert not result.consistent
    assert len(result.failures) == 2 and all("not an integer" in failure for failure in result.failures)


def test_median_of_an_odd_number_of_integers_is_an_integer():
    assert not check_median_range("2.5", "1", "3", n=17, integer_valued=True).consistent
    assert check_median_range("2.5", "1", "3", n=28, integer_valued=True).consistent
    assert not check_median_range("2.25", "1", "3", integer_valued=True).consistent


def test_median_must_lie_in_its_range_up_to_rounding():
    assert check_median_range("6.1", "2", "14").consistent  # CRS duration, toci group
    assert not check_median_range("15", "2", "14").consistent
    assert not check_median_range("5", "9", "3").consistent  # reversed range
    assert check_median_range("2.1", "2.14", "3").consistent  # 2.1 may be 2.14, rounded
    assert not check_median_range("2.2", "1", "2.14").consistent  # a true median <= 2.145 prints as <= 2.1


def test_one_or_two_observations_fix_the_median():
    assert check_median_range("4", "4", "4", n=1).consistent
    assert not check_median_range("4", "3", "5", n=1).consistent
    assert check_median_range("4", "3", "5", n=2).consistent
    assert check_median_range("3", "2", "5", n=2).consistent  # 1.5 and 4.5 print as 2 and 5 (ties up)
    assert not check_median_range("2", "2", "5", n=2).consistent


def test_median_range_arguments_are_validated():
    with pytest.raises(InvalidInputError, match="n must be positive"):
        check_median_range("1", "0", "2", n=0)
    with pytest.raises(InvalidInputError, match="printed number"):
        check_median_range(1.5, "0", "2")


@pytest.mark.parametrize(
    "pooled, toci, non_toci, integer_valued",
    [
        (("36", "8", "67"), ("42", "14", "67", 17), ("32", "8", "61", 28), True),  # age
        (("24.0", "0", "96.65"), ("34.15", "0", "93.99", 17), ("17.78", "0", "96.65", 28), False),  # blasts
        (("2.1", "0.15", "5.06"), ("1.5", "0.3", "3.37", 17), ("2.38", "0.15", "5.06", 28), False),  # CAR-T dose
    ],
)
def test_table_2_pooled_summaries_that_hold(pooled, toci, non_toci, integer_valued):
    assert check_pooled_median_range(pooled, [toci, non_toci], integer_valued=integer_valued).consistent


def test_table_2_steroid_dose_range_is_not_the_union_of_the_groups():
    """Table 2: 40 (0-800) overall, but 60 (30-201) and 0 (0-80) in the groups: the maximum 800 is nowhere."""
    result = check_pooled_median_range(("40", "0", "800"), [("60", "30", "201", 17), ("0", "0", "80", 28)])
    assert not result.consistent
    assert result.failures == ("pooled maximum 800 is not the largest group maximum 201",)
    assert result.recomputed == "range 0-201, median in [0, 60]"


def test_table_2_lines_of_therapy_pooled_from_half_lines():
    result = check_pooled_median_range(
        ("2", "1", "3"), [("2", "1", "3", 17), ("2.5", "1.5", "3.5", 28)], integer_valued=True
    )
    assert not result.consistent
    assert "pooled maximum 3 is not the largest group maximum 3.5" in result.failures


def test_pooled_median_outside_the_group_medians_is_flagged():
    result = check_pooled_median_range(("45", "8", "67"), [("42", "14", "67", 17), ("32", "8", "61", 28)])
    assert result.failures == ("pooled median 45 lies outside the group medians' span 32-42",)


def _summary(values: np.ndarray) -> tuple[str, str, str]:
    """Print integer data as a paper would: a median of integers is whole or half, so 1 decimal is exact."""
    return f"{np.median(values):g}", str(values.min()), str(values.max())


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=20),
    st.lists(st.integers(0, 30), min_size=1, max_size=20),
)
def test_real_samples_never_fail_the_pooled_check(first, second):
    """Property: summaries of actual integer samples and of their union always pass (no false alarms)."""
    a, b = np.array(first), np.array(second)
    result = check_pooled_median_range(
        _summary(np.concatenate([a, b])),
        [(*_summary(a), a.size), (*_summary(b), b.size)],
        integer_valued=True,
    )
    assert result.consistent, result.note


def test_pooled_arguments_are_validated():
    with pytest.raises(InvalidInputError, match="median, low, high"):
        check_pooled_median_range(("1", "0"), [("1", "0", "2", 3), ("1", "0", "2", 3)])
    with pytest.raises(InvalidInputError, match="at least two"):
        check_pooled_median_range(("1", "0", "2"), [("1", "0", "2", 3)])


# --------------------------------------------------------------------------------------------------------
# Bonferroni
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "adjusted, p, consistent",
    [
        ("0.33", "0.033", True),  # Table 2, age
        ("0.42", "0.042", True),
        ("0.19", "0.019", True),
        ("0.04", "0.004", True),
        ("1.00", "0.511", True),  # what it should have printed
        ("1", "1.000", True),
        ("5.11", "0.511", False),  # Table 2 prints m*p without the cap
        ("10", "1.000", False),
        ("3.95", "0.395", False),
        ("1.06", "0.106", False),
        ("2.67", "0.267", False),
        ("0.30", "0.033", False),
        ("0.01", "<0.001", True),
    ],
)
def test_bonferroni_with_ten_tests(adjusted, p, consistent):
    """Table 2 has ten p-values; Bonferroni-adjusted p = min(1, 10 p)."""
    assert check_bonferroni(adjusted, p, 10).consistent is consistent


def test_bonferroni_above_one_is_explained_as_the_uncapped_product():
    result = check_bonferroni("5.11", "0.511", 10)
    assert result.recomputed == "1.00"
    assert "exceeds 1" in result.note and "uncapped m*p" in result.note
    assert "uncapped" not in check_bonferroni("7.5", "0.511", 10).note


def test_bonferroni_arguments_are_validated():
    with pytest.raises(InvalidInputError, match="at least 1"):
        check_bonferroni("0.1", "0.1", 0)
    with pytest.raises(InvalidInputError, match="string"):
        check_bonferroni(0.33, "0.033", 10)


# --------------------------------------------------------------------------------------------------------
# Many cases and the summary
# --------------------------------------------------------------------------------------------------------
def test_check_map_keeps_the_callers_columns_and_audit_counts():
    claims = pd.DataFrame(
        {"claim_id": ["res.male.pct", "res.high_risk.pct"], "printed": ["53.3", "84.8"], "n": [24, 38], "N": [45, 45]}
    )
    checked = check_map(claims, check_percentage, printed="printed", n="n", N="N")
    assert list(checked.columns[:4]) == ["claim_id", "printed", "n", "N"]
    assert checked["consistent"].tolist() == [True, False]
    assert checked["verdict"].tolist() == [CONSISTENT, INCONSISTENT]
    summary = audit(checked)
    assert summary.loc[0, ["checks", "consistent", "inconsistent"]].tolist() == [2, 1, 1]
    assert summary.loc[0, "share_inconsistent"] == 0.5


def test_check_map_refuses_missing_or_clashing_columns():
    frame = pd.DataFrame({"printed": ["1.0"], "n": [1], "N": [2], "note": [""]})
    with pytest.raises(InvalidInputError, match="lacks column"):
        check_map(frame, check_percentage, printed="printed", n="count", N="N")
    with pytest.raises(InvalidInputError, match="already has column"):
        check_map(frame, check_percentage, printed="printed", n="n", N="N")
    with pytest.raises(InvalidInputError, match="consistent"):
        audit(frame)


def test_results_are_frozen_and_flatten_to_records():
    result = check_sum([8, 16], 24)
    with pytest.raises(AttributeError):
        result.consistent = False
    record = result.to_record()
    assert record["parts"] == "8; 16" and record["verdict"] == CONSISTENT
