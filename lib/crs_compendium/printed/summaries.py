"""Medians and ranges: a printed "median (min-max)" on its own, pooled from group summaries, and a value
against the interval other printed numbers leave for it.

Integer-valued data are printed exactly (a whole-number range end, a whole or half median), so their
values are compared exactly; other values are compared as the rounding intervals they stand for, so that
rounding alone never fails a rule.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..exceptions import InvalidInputError
from ..formatting import format_number
from ..numbers import (as_count, as_printed, may_be_below_or_equal, may_be_equal, parse_printed, printed_decimal,
                       rounding_bounds, value_bounds)
from .result import CheckResult

__all__ = [
    "MedianRangeCheck",
    "PooledSummaryCheck",
    "IntervalCheck",
    "check_median_range",
    "check_pooled_median_range",
    "median_bounds",
    "check_in_interval",
]


@dataclass(frozen=True, repr=False)
class MedianRangeCheck(CheckResult):
    """Result of :func:`check_median_range`: one printed "median (min-max)" summary."""

    failures: tuple[str, ...]

    def _subject(self) -> str:
        return f"median (range) {self.printed}"


@dataclass(frozen=True, repr=False)
class PooledSummaryCheck(CheckResult):
    """Result of :func:`check_pooled_median_range`: a pooled summary against its subgroup summaries."""

    groups: tuple[str, ...]
    failures: tuple[str, ...]

    def _subject(self) -> str:
        return f"pooled {self.printed} from {' and '.join(self.groups)}"


@dataclass(frozen=True, repr=False)
class IntervalCheck(CheckResult):
    """Result of :func:`check_in_interval`: a printed value against the interval other numbers allow."""

    low: Fraction
    high: Fraction
    what: str

    def _subject(self) -> str:
        return f"{self.what} {self.printed}" if self.what else self.printed


def _is_integer(printed: str) -> bool:
    value = printed_decimal(printed)
    return value == value.to_integral_value()


def _is_half_integer(printed: str) -> bool:
    return _is_integer(str(printed_decimal(printed) * 2))


def _median_range_failures(median: str, low: str, high: str, n: int | None, integer_valued: bool) -> list[str]:
    """Every rule a single median (min-max) summary breaks, as readable sentences.

    Integer-valued data are printed exactly (a whole-number range end, a whole or half median), so their
    values are compared exactly; other values are compared as the rounding intervals they stand for.
    """
    failures = []
    exact = integer_valued
    if not may_be_below_or_equal(low, high, exact):
        failures.append(f"range is reversed ({low} > {high})")
    if not (may_be_below_or_equal(low, median, exact) and may_be_below_or_equal(median, high, exact)):
        failures.append(f"median {median} lies outside its range {low}-{high}")
    if integer_valued:
        for end in (low, high):
            if not _is_integer(end):
                failures.append(f"range end {end} is not an integer, but the quantity is integer-valued")
        if not _is_half_integer(median):
            failures.append(f"median {median} of integers must be a whole or half number")
        elif n is not None and n % 2 == 1 and not _is_integer(median):
            failures.append(f"median {median} of an odd number ({n}) of integers must be an integer")
    if n == 1 and not (may_be_equal(median, low, exact) and may_be_equal(median, high, exact)):
        failures.append(f"with n = 1 the median and both range ends are the one value ({median} ({low}-{high}))")
    if n == 2:
        midpoint = (Fraction(printed_decimal(low)) + Fraction(printed_decimal(high))) / 2
        mid_low = (value_bounds(low, exact)[0] + value_bounds(high, exact)[0]) / 2
        mid_high = (value_bounds(low, exact)[1] + value_bounds(high, exact)[1]) / 2
        median_low, median_high = value_bounds(median, exact)
        if not (median_low <= mid_high and mid_low <= median_high):
            failures.append(f"with n = 2 the median is the midpoint of the range ({format_number(midpoint, 2)})")
    return failures


def _check_summary_strings(median: object, low: object, high: object) -> tuple[str, str, str]:
    return tuple(as_printed(value, name=name) for value, name in ((median, "median"), (low, "low"), (high, "high")))


def check_median_range(
    median: object, low: object, high: object, *, n: object | None = None, integer_valued: bool = False
) -> MedianRangeCheck:
    """Check one printed "median (min-max)" summary for rules any sample obeys.

    Rules: the range is not reversed and holds the median; for an integer-valued quantity (counts, lines
    of therapy) the range ends are integers, the median is a whole or half number, and a whole number
    when n is odd; with n = 1 all three coincide; with n = 2 the median is the midpoint of the range.
    Printed values are compared as the intervals they stand for, so rounding alone never fails a rule.

    Examples
    --------
    >>> check_median_range("2.5", "1.5", "3.5", n=28, integer_valued=True).consistent
    False
    """
    median_s, low_s, high_s = _check_summary_strings(median, low, high)
    n_count = None if n is None else as_count(n, name="n")
    if n_count == 0:
        raise InvalidInputError("n must be positive: an empty group has no median")
    failures = tuple(_median_range_failures(median_s, low_s, high_s, n_count, integer_valued))
    rules = "median within range" + ("; integer-valued data" if integer_valued else "")
    return MedianRangeCheck(
        consistent=not failures,
        printed=f"{median_s} ({low_s}-{high_s})",
        recomputed="all rules hold" if not failures else f"{len(failures)} rule(s) broken",
        method=rules + (f"; n = {n_count}" if n_count is not None else ""),
        note="; ".join(failures),
        failures=failures,
    )


def check_pooled_median_range(
    pooled: Sequence[object],
    groups: Sequence[Sequence[object]],
    *,
    integer_valued: bool = False,
) -> PooledSummaryCheck:
    """Check a pooled "median (min-max)" against the summaries of the groups it pools.

    Parameters
    ----------
    pooled : (median, low, high)
        The printed summary of all patients.
    groups : sequence of (median, low, high, n)
        The printed summaries of disjoint groups that together make up the pooled sample, with sizes.
    integer_valued : bool, default False
        Whether the quantity takes whole values only (adds the integer rules of :func:`check_median_range`).

    Notes
    -----
    What the groups imply for the pool:

    * the pooled minimum is the smallest group minimum and the pooled maximum the largest group maximum;
    * the pooled median lies between the smallest and the largest group median. At least
      ceil(n_g / 2) values of group g lie at or below its median m_g and as many at or above it, so at
      least sum_g ceil(n_g / 2) >= ceil(N / 2) pooled values lie at or below max(m_g) and as many at or
      above min(m_g). With n = 17 and 28 that is 9 + 14 = 23 values: the 23rd of 45 sorted values, the
      pooled median, lies in [min(m_g), max(m_g)]. When N is even and the median is the mean of the two
      middle values the bound still holds (if both middle values straddled the bound, some group's own
      median would too). Nothing tighter follows from the medians alone: any value in the interval is
      attainable with continuous data.

    Each summary is also checked on its own with :func:`check_median_range` (its size; the pooled size is
    the sum of the group sizes).
    """
    if len(pooled) != 3:
        raise InvalidInputError("pooled must be (median, low, high)")
    if len(groups) < 2 or any(len(group) != 4 for group in groups):
        raise InvalidInputError("groups must hold at least two (median, low, high, n) summaries")
    pooled_median, pooled_low, pooled_high = _check_summary_strings(*pooled)
    summaries = [(*_check_summary_strings(*group[:3]), as_count(group[3], name="group n")) for group in groups]
    total_n = sum(summary[3] for summary in summaries)
    failures = [
        f"pooled: {failure}"
        for failure in _median_range_failures(pooled_median, pooled_low, pooled_high, total_n, integer_valued)
    ]
    for index, (median, low, high, size) in enumerate(summaries, start=1):
        failures += [
            f"group {index}: {failure}"
            for failure in _median_range_failures(median, low, high, size, integer_valued)
        ]
    union_low = min((summary[1] for summary in summaries), key=printed_decimal)
    union_high = max((summary[2] for summary in summaries), key=printed_decimal)
    median_low = min((summary[0] for summary in summaries), key=printed_decimal)
    median_high = max((summary[0] for summary in summaries), key=printed_decimal)
    exact = integer_valued
    if not may_be_equal(pooled_low, union_low, exact):
        failures.append(f"pooled minimum {pooled_low} is not the smallest group minimum {union_low}")
    if not may_be_equal(pooled_high, union_high, exact):
        failures.append(f"pooled maximum {pooled_high} is not the largest group maximum {union_high}")
    if not (
        may_be_below_or_equal(median_low, pooled_median, exact)
        and may_be_below_or_equal(pooled_median, median_high, exact)
    ):
        failures.append(
            f"pooled median {pooled_median} lies outside the group medians' span {median_low}-{median_high}"
        )
    return PooledSummaryCheck(
        consistent=not failures,
        printed=f"{pooled_median} ({pooled_low}-{pooled_high})",
        recomputed=f"range {union_low}-{union_high}, median in [{median_low}, {median_high}]",
        method="range = union of group ranges; median between group medians"
        + ("; integer-valued data" if integer_valued else ""),
        note="; ".join(failures),
        groups=tuple(f"{median} ({low}-{high}), n={size}" for median, low, high, size in summaries),
        failures=tuple(failures),
    )


def _show(value: Fraction) -> str:
    """A bound for display: integers as integers, anything else to 4 significant decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4g}"

def median_bounds(
    n: int,
    *,
    at_most: Mapping[object, int] | None = None,
    at_least: Mapping[object, int] | None = None,
) -> tuple[Fraction, Fraction]:
    """Interval the median of n values must lie in, given how many values lie at or below (above) bounds.

    Parameters
    ----------
    n : int
        Number of values.
    at_most : mapping of bound to count, optional
        ``{b: k}``: at least k of the n values are <= b.
    at_least : mapping of bound to count, optional
        ``{a: k}``: at least k of the n values are >= a.

    Returns
    -------
    (Fraction, Fraction)
        Lower and upper limit of the median.

    Raises
    ------
    InvalidInputError
        When no bound on one side holds for a majority of the values: pass the variable's natural
        limits with count n (e.g. ``{0: n}`` and ``{100: n}`` for a percentage) so that each side has one.

    Notes
    -----
    Sort the values x(1) <= ... <= x(n). The median is x(m+1) for n = 2m + 1 and (x(m) + x(m+1)) / 2 for
    n = 2m. If k >= floor(n/2) + 1 values are <= b, then x(floor(n/2) + 1) <= b, and with it the median
    (both middle values are at most x(floor(n/2) + 1)). With k = n/2 for even n the upper middle value may
    exceed b, so floor(n/2) + 1 is the smallest count that bounds the median. The lower side is symmetric.

    Examples
    --------
    Table 2, tocilizumab group: 8 of 17 patients below 30 % marrow blasts, 3 in 30-50 % and 6 above 50 %:
    11 values are <= 50 and 9 are >= 30, so the median blast percentage lies in [30, 50].

    >>> median_bounds(17, at_most={100: 17, 50: 11, 30: 8}, at_least={0: 17, 30: 9, 50: 6})
    (Fraction(30, 1), Fraction(50, 1))
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInputError(f"n must be a positive whole number, got {n!r}")
    needed = n // 2 + 1
    at_most, at_least = dict(at_most or {}), dict(at_least or {})
    for name, bounds in (("at_most", at_most), ("at_least", at_least)):
        for bound, count in bounds.items():
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= n:
                raise InvalidInputError(f"{name}[{bound!r}] must be a count between 0 and n = {n}, got {count!r}")
    if not at_most or not at_least:
        raise InvalidInputError(
            "give at least one bound on each side (e.g. the variable's natural limits with count n)")
    uppers = [Fraction(str(bound)) for bound, count in at_most.items() if count >= needed]
    lowers = [Fraction(str(bound)) for bound, count in at_least.items() if count >= needed]
    if not uppers or not lowers:
        raise InvalidInputError(
            f"no bound holds for a majority (>= {needed} of {n}) on one side; add the variable's natural limits"
        )
    return max(lowers), min(uppers)


def check_in_interval(printed: str, low: object, high: object, *, what: str = "", why: str = "") -> IntervalCheck:
    """Check that a printed value can lie in the closed interval [low, high] that other numbers leave.

    The printed value stands for its rounding interval, so it is consistent when that interval meets
    [low, high] (rounding alone never fails the check).

    Parameters
    ----------
    printed : str
        The value as printed.
    low, high : number or str
        The limits derived from other printed numbers (equal limits pin the value).
    what : str, optional
        What the value is, for the verdict line ("median").
    why : str, optional
        How the limits were derived; becomes the ``method``.

    Examples
    --------
    >>> check_in_interval("302.5", "201", "201", what="maximum").consistent
    False
    """
    number = parse_printed(printed, name="printed")
    text = printed.strip()
    if number.relation:
        raise InvalidInputError(f"printed {printed!r}: a bound such as '<5' is not a value to place")
    value_low, value_high = rounding_bounds(str(number.value))
    low_f, high_f = Fraction(str(low)), Fraction(str(high))
    if low_f > high_f:
        raise InvalidInputError(f"low ({low}) exceeds high ({high})")
    consistent = value_low <= high_f and low_f <= value_high
    interval = _show(low_f) if low_f == high_f else f"[{_show(low_f)}, {_show(high_f)}]"
    return IntervalCheck(
        consistent=consistent,
        printed=text,
        recomputed=interval,
        method=why or "value within the interval other printed numbers allow",
        note="" if consistent else f"{text} lies outside {interval}",
        low=low_f,
        high=high_f,
        what=what,
    )

