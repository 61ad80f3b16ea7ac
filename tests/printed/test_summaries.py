"""Medians and ranges (crs_compendium.printed.summaries): a "median (range)" on its own, pooled from two
groups, bounded by category counts, and a value that must lie where other numbers leave room.

Outside sources:
* The sample median (R ``median``; NumPy ``numpy.median``): the middle value for odd n, the mean of the
  two middle values for even n; e.g. ``median(c(1, 2, 10, 11))`` is 6 and ``median(c(1, 2, 3, 4, 100))``
  is 3 (R documentation, stats::median).
* The "median class" of grouped data (e.g. Freund's Mathematical Statistics, grouped distributions): the
  median lies in the class where the cumulative frequency first reaches n/2.
* Zhou et al., Front Immunol 2025;16:1530623 (Table 2 and Results) for the paper's own numbers.
"""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.printed.summaries import (
    check_in_interval,
    check_median_range,
    check_pooled_median_range,
    median_bounds,
)


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
