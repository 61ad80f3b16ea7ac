"""Statements about named patients and their treatment (crs_compendium.printed.cases).

Outside sources: Zhou et al., Front Immunol 2025;16:1530623, Results: Pt 4 and Pt 11 given tocilizumab on
days 6, 9, 11 and 6, 8; "One to six doses"; "The dosing range for tocilizumab was 24-48 hours"; Pt 3, 6, 9, 10
infected, Pt 9 and 10 stable after infection control, Pt 6 died. Every dosing-hours answer is compared with a
brute-force search over dose times on an hourly (or half-hourly) grid, and every witness re-checked by hand arithmetic.
"""
import itertools
import random
from fractions import Fraction

import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.numbers import rounding_bounds
from crs_compendium.printed.cases import (
    DOSING_READINGS,
    check_cases_among,
    check_cases_at_most,
    check_cases_distinct,
    check_day_order,
    check_dose_count,
    check_dosing_hours,
)


def test_case_labels_against_counts_and_each_other():
    named = {"pt4": "4", "pt11": "11", "pt5": "5", "pt3": "3", "pt6": "6", "pt9": "9", "pt10": "10"}
    assert check_cases_at_most(named, "7").consistent  # the seven named are the 7 with IL-6 still raised
    six = check_cases_at_most(named, "6")
    assert not six.consistent and six.recomputed == "7 distinct of at most 6"
    assert check_cases_at_most({"a": "9", "b": "9"}, "1").labels == (9,)  # one patient named twice
    assert check_cases_among({"pt9": "9", "pt10": "10"}, {"a": "3", "b": "6", "c": "9", "d": "10"}).consistent
    assert not check_cases_among({"pt5": "5"}, {"a": "3", "b": "6"}).consistent
    assert check_cases_distinct({"pt6": "6"}, {"a": "9", "b": "10"}).consistent
    assert not check_cases_distinct({"pt9": "9"}, {"a": "9", "b": "10"}).consistent
    with pytest.raises(InvalidInputError):
        check_cases_at_most({}, "3")


def test_dose_count_and_day_order():
    assert check_dose_count({"d1": "6", "d2": "9", "d3": "11"}, "1", "6").consistent
    assert not check_dose_count({f"d{i}": str(i) for i in range(7)}, "1", "6").consistent
    assert check_day_order([("infusion", "0"), ("dose 1", "6"), ("dose 2", "6"), ("end", "15")]).consistent
    late = check_day_order([("dose 3", "11"), ("end of expansion", "10")])
    assert not late.consistent and "dose 3 (day 11) comes after end of expansion (day 10)" in late.note


def brute_force(days, low, high, step=Fraction(1)):
    """Which readings some dose times on a grid (hours, within each dose's day) satisfy."""
    low, high = rounding_bounds(str(low))[0], rounding_bounds(str(high))[1]
    grids = [[Fraction(24 * day) + step * i for i in range(int(24 / step))] for day in days]
    between = spanning = False
    for times in itertools.product(*grids):
        if list(times) != sorted(times):
            continue
        gaps = [b - a for a, b in zip(times, times[1:])]
        between |= all(low <= gap <= high for gap in gaps)
        spanning |= low <= times[-1] - times[0] <= high
        if between and spanning:
            break
    return {DOSING_READINGS[0]: between, DOSING_READINGS[1]: spanning}


def test_the_papers_dosing_days_against_the_24_48_hour_range():
    pt11 = check_dosing_hours({"d1": "6", "d2": "8"}, "24", "48")
    assert pt11.fitting == DOSING_READINGS
    pt4 = check_dosing_hours({"d1": "6", "d2": "9", "d3": "11"}, "24", "48")
    # days 6 to 11 span more than 96 hours; days 6 and 9 can be 48 hours apart only at the ends of the days
    assert pt4.fitting == (DOSING_READINGS[0],) and pt4.consistent
    # the same by brute force, a pair of doses at a time: days 6 and 9 can be 48 hours apart (to the half
    # hour), days 6 and 11 cannot lie within 48 hours
    assert brute_force([6, 9], "24", "48", step=Fraction(1, 2))[DOSING_READINGS[0]]
    assert not any(brute_force([6, 11], "24", "48", step=Fraction(1, 2)).values())
    assert not check_dosing_hours({"d1": "6", "d2": "10"}, "24", "48").consistent  # at least 72 hours apart


def test_dosing_hours_against_brute_force():
    rng = random.Random(7)
    for _ in range(20):
        count = rng.randint(2, 3)
        days = sorted(rng.randint(0, 4) for _ in range(count))
        low = rng.choice([6, 12, 24])
        high = low + rng.choice([0, 12, 24])
        result = check_dosing_hours({f"d{i}": str(d) for i, d in enumerate(days)}, str(low), str(high))
        found = brute_force(days, low, high)
        for name, fits, times in result.readings:
            if found[name]:
                assert fits, (days, low, high, name)  # a grid solution is a solution
            if fits:  # the witness itself: each dose on its day, in order, the reading's gaps in range
                assert all(24 * d <= t < 24 * (d + 1) for d, t in zip(days, times)) and list(times) == sorted(times)
                lo, hi = rounding_bounds(str(low))[0], rounding_bounds(str(high))[1]
                gaps = [b - a for a, b in zip(times, times[1:])] if name == DOSING_READINGS[0] else [times[-1] - times[0]]
                assert all(lo <= gap <= hi for gap in gaps), (days, low, high, name, times)
    with pytest.raises(InvalidInputError):
        check_dosing_hours({"d1": "9", "d2": "6"}, "24", "48")
