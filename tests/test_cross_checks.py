"""Checks that relate printed numbers to each other: printings, subgroups, median bounds, significance.

Outside sources:
* The sample median (R ``median``; NumPy ``numpy.median``): the middle value for odd n, the mean of the
  two middle values for even n; e.g. ``median(c(1, 2, 10, 11))`` is 6 and ``median(c(1, 2, 3, 4, 100))``
  is 3 (R documentation, stats::median).
* The "median class" of grouped data (e.g. Freund's Mathematical Statistics, grouped distributions): the
  median lies in the class where the cumulative frequency first reaches n/2.
* The 0.05 significance level the paper's Figure 2 caption uses (* p < 0.05; ns, p > 0.05).
* Zhou et al., Front Immunol 2025;16:1530623: 84.8 % (Results) vs 84.4 % (Table 2) for 38 of 45 patients.
"""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crs_compendium.cross_checks import (
    NOT_SIGNIFICANT,
    SIGNIFICANT,
    UNDETERMINED,
    check_at_most,
    check_in_interval,
    check_printings_agree,
    check_significance,
    classify_p,
    median_bounds,
)
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.verdicts import CONSISTENT, INCONSISTENT, NOT_CHECKABLE


# --------------------------------------------------------------------------------------------------------
# Printings of one number
# --------------------------------------------------------------------------------------------------------
def test_the_papers_two_high_risk_percentages_disagree():
    result = check_printings_agree({"res.high_risk.total.pct": "84.8", "t2.high_risk.total.pct": "84.4"})
    assert not result.consistent and result.verdict == INCONSISTENT
    assert result.note == "printed differently: 84.4 vs 84.8"
    assert repr(result).startswith("inconsistent: 84.8 (res.high_risk.total.pct) vs 84.4")


@pytest.mark.parametrize(
    "values, agree",
    [
        (("45", "45", "45"), True),
        (("45", "46"), False),  # same decimals: identical or not, even though 45.5 rounds to either
        (("0.35", "0.350"), True),  # different decimals: rounding intervals meet
        (("0.35", "0.356"), False),
        (("<0.05", "0.05"), False),  # a bound is not a value
        (("<0.05", "<0.05"), True),
    ],
)
def test_printings_agree_up_to_rounding(values, agree):
    result = check_printings_agree({f"place {i}": value for i, value in enumerate(values)})
    assert result.consistent is agree


@pytest.mark.parametrize("printings", [{"only one": "45"}, {"a": "45", "b": 45}, {"a": "45", "b": "4 5"}, ["45", "45"]])
def test_printings_arguments_are_validated(printings):
    with pytest.raises(InvalidInputError):
        check_printings_agree(printings)


# --------------------------------------------------------------------------------------------------------
# Subgroups
# --------------------------------------------------------------------------------------------------------
def test_a_subgroup_count_cannot_exceed_its_group():
    assert check_at_most("1", "2").consistent
    assert check_at_most(6, 6).consistent  # all of the group
    failed = check_at_most("3", "2", label="grade 3 ICANS within ICANS")
    assert not failed.consistent and failed.note == "3 patients cannot be a subgroup of 2"
    assert repr(failed).startswith("inconsistent: grade 3 ICANS within ICANS: 3 <= 2")


@pytest.mark.parametrize("part, whole", [("1.5", "2"), (-1, 2), ("<3", "4"), (True, 2)])
def test_at_most_takes_whole_counts_only(part, whole):
    with pytest.raises(InvalidInputError):
        check_at_most(part, whole)


# --------------------------------------------------------------------------------------------------------
# Where a median can lie
# --------------------------------------------------------------------------------------------------------
def test_median_bounds_of_r_examples():
    """R: median(c(1, 2, 3, 4, 100)) is 3: four values <= 4 (a majority of 5) and three >= 3."""
    assert median_bounds(5, at_most={4: 4, 100: 5}, at_least={3: 3, 1: 5}) == (3, 4)


def test_an_even_half_does_not_bound_the_median():
    """R: median(c(1, 2, 10, 11)) is 6 although two of four values are <= 2: a half is not a majority."""
    low, high = median_bounds(4, at_most={2: 2, 11: 4}, at_least={1: 4})
    assert (low, high) == (1, 11) and low <= 6 <= high
    low, high = median_bounds(4, at_most={2: 3, 11: 4}, at_least={1: 4})
    assert high == 2  # three of four values <= 2 pin both middle values at or below 2


def test_median_class_of_the_papers_blast_categories():
    """Table 2, tocilizumab group: 8 < 30 %, 3 in 30-50 %, 6 > 50 % of 17: the median class is 30-50 %."""
    assert median_bounds(17, at_most={30: 8, 50: 11, 100: 17}, at_least={0: 17, 30: 9, 50: 6}) == (30, 50)
    assert median_bounds(28, at_most={30: 23, 50: 25, 100: 28}, at_least={0: 28, 30: 5, 50: 3}) == (0, 30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=40), st.integers(0, 100))
def test_median_bounds_always_hold_numpy_median(values, cut):
    """Whatever the sample, the median NumPy computes lies inside the bounds its counts imply."""
    n = len(values)
    at_most = {100: n, cut: sum(v <= cut for v in values)}
    at_least = {0: n, cut: sum(v >= cut for v in values)}
    low, high = median_bounds(n, at_most=at_most, at_least=at_least)
    assert low <= Fraction(str(float(np.median(values)))) <= high


@pytest.mark.parametrize(
    "n, at_most, at_least, message",
    [
        (0, {1: 0}, {0: 0}, "positive"),
        (5, {1: 6}, {0: 5}, "between 0 and n"),
        (5, {}, {0: 5}, "each side"),
        (5, {1: 2}, {0: 5}, "majority"),
    ],
)
def test_median_bounds_arguments_are_validated(n, at_most, at_least, message):
    with pytest.raises(InvalidInputError, match=message):
        median_bounds(n, at_most=at_most, at_least=at_least)


def test_a_value_must_lie_where_other_numbers_leave_room():
    pinned = check_in_interval("302.5", 201, 201, what="maximum")
    assert not pinned.consistent and pinned.recomputed == "201" and pinned.note == "302.5 lies outside 201"
    assert check_in_interval("34.15", 30, 50, what="median").consistent
    # rounding alone never fails: "80" stands for [79.5, 80.5], which meets [30, 79.6]
    assert check_in_interval("80", 30, Fraction(796, 10)).consistent
    assert not check_in_interval("81", 30, Fraction(796, 10)).consistent


@pytest.mark.parametrize("printed, low, high", [("<5", 0, 10), ("5", 10, 0), (5, 0, 10)])
def test_interval_arguments_are_validated(printed, low, high):
    with pytest.raises(InvalidInputError):
        check_in_interval(printed, low, high)


# --------------------------------------------------------------------------------------------------------
# Narrative significance
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "printed, finding",
    [
        ("0.042", SIGNIFICANT),
        ("0.049", SIGNIFICANT),  # stands for [0.0485, 0.0495]
        ("0.04", SIGNIFICANT),  # [0.035, 0.045]
        ("0.05", UNDETERMINED),  # [0.045, 0.055] holds the level
        ("0.050", UNDETERMINED),  # a tie at the level: p might be 0.0499
        ("0.0505", NOT_SIGNIFICANT),
        ("0.42", NOT_SIGNIFICANT),
        ("<0.05", SIGNIFICANT),
        ("<0.1", UNDETERMINED),
        (">0.05", NOT_SIGNIFICANT),
        ("5.11", NOT_SIGNIFICANT),  # an uncapped Bonferroni product is a probability of 1
        ("1.000", NOT_SIGNIFICANT),
    ],
)
def test_what_a_printed_p_says_at_alpha_005(printed, finding):
    assert classify_p(printed) == finding


def test_a_significance_claim_against_printed_and_adjusted_p():
    """Zhou et al. Table 2: blasts p = 0.042 (significant) but its own Bonferroni value 0.42 is not."""
    assert check_significance("significant", {"t2.blasts_bin.p": "0.042"}).verdict == CONSISTENT
    adjusted = check_significance("significant", {"t2.blasts_bin.p_bonf": "0.42"})
    assert adjusted.verdict == INCONSISTENT and adjusted.consistent is False
    assert adjusted.note == "p = 0.42 (t2.blasts_bin.p_bonf) is not significant at alpha = 0.05"
    several = check_significance("not significant", {"male": "0.511", "risk": "1.000", "age": "0.033"})
    assert several.verdict == INCONSISTENT and "p = 0.033 (age) is significant" in several.note


def test_no_p_or_a_p_at_the_level_is_not_checkable():
    none = check_significance("significant", {})
    assert none.verdict == NOT_CHECKABLE and none.consistent is None
    assert none.note == "no p-value is printed for this statement"
    tie = check_significance("significant", {"x": "0.05"})
    assert tie.verdict == NOT_CHECKABLE and "straddles" in tie.note
    assert "not checkable" in tie._repr_html_()


@pytest.mark.parametrize(
    "asserts, ps, alpha",
    [("maybe", {"x": "0.1"}, "0.05"), ("significant", ["0.1"], "0.05"), ("significant", {"x": 0.1}, "0.05"),
     ("significant", {"x": "0.1"}, "1.5"), ("significant", {"x": "0.1"}, "<0.05")],
)
def test_significance_arguments_are_validated(asserts, ps, alpha):
    with pytest.raises(InvalidInputError):
        check_significance(asserts, ps, alpha=alpha)
