"""Which two-group tests can give a printed p-value when only n, median and range of each group are printed.

Table 2 of Zhou et al. (Front Immunol 2025;16:1530623) prints, for each measured variable, n, median and
range (minimum-maximum) per group and one p-value, and the methods say "t tests or Mann-Whitney tests"
without saying which. No patient data exist. :func:`audit_measured_row` asks, for each test the methods
allow, whether ANY data set consistent with the printed summaries gives a p that reproduces the printed p
(:func:`crs_compendium.numbers.reproduces_p`), and which p-values the summaries allow at all: the smallest and
the largest, each with a witness data set. :func:`audit_stratified_claim` asks the same kind of question of a
claim printed only as "p < 0.05" / "p > 0.05" about subgroups (strata) of the two groups, as Figure 2B's
CRS durations by grade.

The six tests (:data:`TESTS`), all two-sided:

``mw_exact``
    Exact Mann-Whitney "without ties": the exact null distribution of U for tie-free data, as
    ``scipy.stats.mannwhitneyu(method="exact")``. On tied data this module does what SciPy does (and what
    SPSS's "Exact Sig. [2*(1-tailed Sig.)]" does: ties are ignored): U = max(U1, U2) with mid-ranks, the
    p-value is 2 P(U0 >= floor(U)) under the tie-free null, capped at 1 (SciPy casts U to an integer before
    its survival function). So the p-value depends on floor(max(U1, U2)) only and takes finitely many values.
``mw_exact_ties``
    Exact Mann-Whitney conditional on the observed ties: the permutation distribution of the rank sum given
    the pooled tie structure (every split of the pooled values into groups of n1 and n2 equally likely),
    computed exactly by dynamic programming over the tie blocks; two-sided p = min(1, 2 min(P(R <= r),
    P(R >= r))), the definition of ``scipy.stats.permutation_test`` (and so of ``mannwhitneyu`` with a
    ``PermutationMethod`` that enumerates every split).
``mw_asymptotic``
    Normal approximation with the tie correction, without continuity correction (SPSS "Asymp. Sig.").
``mw_asymptotic_cc``
    The same with the continuity correction (SciPy's default asymptotic p).
``student`` / ``welch``
    ``scipy.stats.ttest_ind`` with ``equal_var=True`` / ``False``.

What "consistent with the printed summaries" means (every reading is stated in :class:`Scale`):

* each group has exactly its printed n values;
* the sample minimum, median and maximum "read as" the printed strings: on a real-valued scale a printed
  number stands for every value that rounds to it, ties either way (``"3.37"`` is [3.365, 3.375],
  :func:`crs_compendium.numbers.rounding_bounds`); on a grid (whole numbers, or a stated step) a printed
  number is the exact value (a whole-number "42" is 42; the paper prints a half-way median as "2.5", so a
  printed "32" is not a rounded 32.5), unless the scale is built with ``rounded=True``;
* the median of an odd n is the middle value; of an even n it is the mean of the two middle values, so only
  their sum is constrained;
* values lie within the scale's ``lower`` / ``upper`` limits (a dose is not negative) and, on a grid, on the
  grid.

How the answers are obtained (each bound carries ``proved`` and a sentence saying how):

* Every consistent data set is a sorted vector whose j-th value lies in an interval [L_j, H_j] with L and H
  non-decreasing in j (a "monotone box": any vector inside it, once sorted, is again a data set), plus, for
  an even n, the constraint on the sum of the two middle values (fixing that pair leaves a box again).
* U extremes (proved): U1 only rises when a value of the first group rises or one of the second falls, so
  its extremes sit at corner data sets (each group pointwise highest or lowest); an even group's middle
  pair is chosen exactly (every grid option, or every break point against the other group's corner). When
  both groups have an even n on real numbers this is a search. ``mw_exact``'s p depends on U only, so its
  smallest p is proved; its largest p is proved when a data set with the U nearest the centre is found.
* ``mw_exact`` attainability (proved either way when decided): the U values whose p reproduces the printed p
  are listed; none at all, or none inside the range of U, proves it impossible (its p-values are a finite
  set: a printed p that falls between them cannot come from it); otherwise a data set with such a U is a
  witness. The attainable p-values nearest the printed interval are reported (witnessed).
* Small problems (estimated work below ``_LATTICE_BUDGET``): a dynamic programme over "atoms" (every
  interval end and the open gaps between them; every grid point) gives the exact set of attainable U and,
  lexicographically, the most extreme U with the most (or fewest) ties. The smallest normal-approximation p
  is then proved when no less extreme U could beat it even with the largest tie term any data set has.
* Tiny grids (at most ``exhaustive_limit`` pairs of data sets): every pair is enumerated; all exact.
* ``mw_asymptotic(_cc)`` otherwise: largest p = 1 proved when U can reach the centre; else search, with an
  exact outer limit where the U range and tie term allow one.
* ``student`` on a grid: for fixed group sums |t| falls as either group's sum of squares grows, so a dynamic
  programme over each group's positions (achievable sum -> least and largest sum of squares) gives the
  exact extremes; on a small grid a (sum, sum of squares) reachability programme decides attainability
  exactly. On real numbers the smallest p is a search; the largest is p = 1 (proved) when the two means can
  be equal (the data sets of a group form a convex set).
* ``welch``: Welch's df depends on the variances, so search results, with exact outer limits on a grid
  (|t| extremes from the same tables, df between min(n1, n2) - 1 and n1 + n2 - 2; the t tail falls with df).
* ``mw_exact_ties``: search; proved only at the limits any permutation test has (p = 1, and
  p = 2 / C(n1 + n2, n1) at complete separation).
* Searches start from the exact corners, families of patterned data sets, and walks between the U corners
  through the most spread data sets, then move single values between "sites" (best-first, across
  plateaus); on real numbers p of a t test is continuous along the segment between two data sets, so
  bisection turns a bracketing pair into a witness. A witness proves attainability; a printed p outside a
  proved interval or outer limit proves the opposite; anything else is reported as undecided.

Every witness is re-tested with SciPy (``mannwhitneyu``, ``ttest_ind``) or with the exact conditional
computation, and its minimum, median and maximum are checked against the printed strings.
"""
from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats
from scipy.special import ndtr, stdtr

from ..exceptions import InvalidInputError
from ..formatting import format_p_bound
from ..numbers import as_count, p_value_bounds, parse_printed, reproduces_p, to_fraction, value_bounds
from ..vocab import CONSISTENT, INCONSISTENT, NOT_CHECKABLE

__all__ = [
    "TESTS",
    "TEST_LABELS",
    "TEST_SHORT",
    "Scale",
    "GroupSummary",
    "Stratum",
    "StratumComparison",
    "ConsistentSets",
    "PBound",
    "TestReach",
    "MeasuredRowAudit",
    "ComparisonReach",
    "JointReach",
    "StratifiedClaimAudit",
    "consistent_sets",
    "scipy_p",
    "mann_whitney_exact_ties_p",
    "audit_measured_row",
    "audit_stratified_claim",
]

TESTS = ("mw_exact", "mw_exact_ties", "mw_asymptotic", "mw_asymptotic_cc", "student", "welch")
"""The two-sided tests "t tests or Mann-Whitney tests" can mean, by the key used in results."""

TEST_LABELS = {
    "mw_exact": "Mann-Whitney exact, tie-free null (SciPy method='exact')",
    "mw_exact_ties": "Mann-Whitney exact conditional on ties (permutation)",
    "mw_asymptotic": "Mann-Whitney normal approximation, tie-corrected, no continuity correction (SPSS)",
    "mw_asymptotic_cc": "Mann-Whitney normal approximation, tie-corrected, continuity-corrected (SciPy)",
    "student": "Student's t test (pooled variance)",
    "welch": "Welch's t test",
}

TEST_SHORT = {
    "mw_exact": "MW exact",
    "mw_exact_ties": "MW exact (ties)",
    "mw_asymptotic": "MW normal",
    "mw_asymptotic_cc": "MW normal (cc)",
    "student": "Student t",
    "welch": "Welch t",
}
"""Short names of the tests for table columns and verdict lines (:data:`TEST_LABELS` says what each is)."""

_RANK_TESTS = TESTS[:4]
_T_TESTS = TESTS[4:]
_ATTAINABLE_TOLERANCE = 1e-12
"""Relative slack when a bound is compared with an outer limit: both are floats from different formulas."""


# --------------------------------------------------------------------------------------------------------
# Readings: the scale of a quantity and the printed summaries of a group
# --------------------------------------------------------------------------------------------------------
def _optional_fraction(value: object, name: str) -> Fraction | None:
    return None if value is None else to_fraction(value, name=name)


@dataclass(frozen=True)
class Scale:
    """The values a measured quantity can take and how its printed summaries are read.

    Attributes
    ----------
    step : Fraction or None
        Grid step (1 for whole numbers, 1/2 for a half-unit grid); None for real numbers.
    lower, upper : Fraction or None
        Limits every value respects (0 for a dose or a duration); None for none.
    rounded : bool
        Whether a printed summary stands for every value that rounds to it (ties either way) rather than
        for its exact value. Real scales are always rounded; grids are exact unless asked.
    """

    step: Fraction | None = None
    lower: Fraction | None = None
    upper: Fraction | None = None
    rounded: bool = True

    def __post_init__(self) -> None:
        if self.step is not None and self.step <= 0:
            raise InvalidInputError(f"a grid step must be positive, got {self.step}")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise InvalidInputError(f"scale lower limit {self.lower} exceeds upper limit {self.upper}")
        if self.step is None and not self.rounded:
            raise InvalidInputError("on a real-valued scale printed summaries are rounded values")

    @classmethod
    def whole(cls, *, lower: object = None, upper: object = None) -> Scale:
        """Whole numbers (a count, whole years); printed summaries are exact."""
        return cls.grid(1, lower=lower, upper=upper)

    @classmethod
    def grid(cls, step: object, *, lower: object = None, upper: object = None, rounded: bool = False) -> Scale:
        """Multiples of ``step`` (``"0.5"`` for a half-unit grid); printed summaries exact unless ``rounded``."""
        return cls(to_fraction(step, name="step"), _optional_fraction(lower, "lower"),
                   _optional_fraction(upper, "upper"), bool(rounded))

    @classmethod
    def real(cls, *, lower: object = None, upper: object = None) -> Scale:
        """Real numbers; a printed summary stands for its rounding interval."""
        return cls(None, _optional_fraction(lower, "lower"), _optional_fraction(upper, "upper"), True)

    @property
    def is_grid(self) -> bool:
        return self.step is not None

    def halved(self) -> Scale:
        """The same reading on a grid of half the step (the relaxed reading of an impossible summary)."""
        if self.step is None:
            raise InvalidInputError("only a grid can be halved")
        return dataclasses.replace(self, step=self.step / 2)

    def describe(self) -> str:
        """The reading in words."""
        if self.step is None:
            values = "real numbers"
        elif self.step == 1:
            values = "whole numbers"
        else:
            values = f"multiples of {_show(self.step)}"
        limits = []
        if self.lower is not None:
            limits.append(f">= {_show(self.lower)}")
        if self.upper is not None:
            limits.append(f"<= {_show(self.upper)}")
        if limits:
            values += " " + " and ".join(limits)
        reading = ("a printed summary stands for every value that rounds to it (ties either way)" if self.rounded
                   else "printed summaries are exact values")
        return f"{values}; {reading}"


def _show(value: Fraction | float) -> str:
    """A Fraction as a short decimal when it has one, else as a float."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        denominator = value.denominator
        for prime in (2, 5):
            while denominator % prime == 0:
                denominator //= prime
        if denominator == 1:
            return format(value.numerator / value.denominator, ".12g") if abs(value) < 1e12 else str(value)
        return format(float(value), ".6g")
    return format(float(value), ".6g")


@dataclass(frozen=True)
class GroupSummary:
    """What a paper prints about one group's measured variable: n, median and range, as strings."""

    label: str
    n: int
    minimum: str
    median: str
    maximum: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", as_count(self.n, name=f"{self.label} n"))
        if self.n < 1:
            raise InvalidInputError(f"{self.label}: a group needs at least one value")
        for name in ("minimum", "median", "maximum"):
            printed = getattr(self, name)
            if parse_printed(printed, name=f"{self.label} {name}").relation:
                raise InvalidInputError(f"{self.label} {name} {printed!r}: a summary cannot be a bound")

    def describe(self) -> str:
        return f"{self.label}: n={self.n}, median {self.median} ({self.minimum}-{self.maximum})"


@lru_cache(maxsize=1 << 16)
def _to_float(value: Fraction) -> float:
    return float(value)


def _floor_to(value: Fraction, step: Fraction) -> Fraction:
    return math.floor(value / step) * step


def _ceil_to(value: Fraction, step: Fraction) -> Fraction:
    return math.ceil(value / step) * step


@dataclass(frozen=True)
class ConsistentSets:
    """Every data set of one group consistent with its printed summaries under one :class:`Scale`.

    A data set is a sorted vector x_1 <= ... <= x_n with L_j <= x_j <= H_j (``lows``, ``highs``; both
    non-decreasing in j, so any vector inside the box, once sorted, is still inside it) and, when n is even,
    ``pair_sum_low <= x_k + x_{k+1} <= pair_sum_high`` for the two middle values (k = n / 2). On a grid every
    value is a multiple of the step. Built by :func:`consistent_sets`.

    Attributes
    ----------
    summary : GroupSummary
    scale : Scale
    minimum, median, maximum : tuple of Fraction
        Closed interval of values each printed summary stands for (for an even n, of the mean of the two
        middle values).
    lows, highs : tuple of Fraction
        The box.
    feasible : bool
        Whether any data set exists.
    reason : str
        Why none exists, or the reading in words.
    """

    summary: GroupSummary
    scale: Scale
    minimum: tuple[Fraction, Fraction]
    median: tuple[Fraction, Fraction]
    maximum: tuple[Fraction, Fraction]
    lows: tuple[Fraction, ...]
    highs: tuple[Fraction, ...]
    feasible: bool
    reason: str

    @property
    def n(self) -> int:
        return self.summary.n

    @property
    def even(self) -> bool:
        return self.n % 2 == 0

    @property
    def middle(self) -> int:
        """0-based index of the median (odd n) or of the lower of the two middle values (even n)."""
        return (self.n - 1) // 2

    @property
    def pair_sum(self) -> tuple[Fraction, Fraction]:
        return 2 * self.median[0], 2 * self.median[1]

    def to_record(self) -> dict[str, object]:
        """The reading and the intervals each printed summary stands for, as one flat row."""
        return {"group": self.summary.label, "n": self.n, "reading": self.scale.describe(),
                "feasible": self.feasible, "reason": self.reason,
                "minimum": f"[{_show(self.minimum[0])}, {_show(self.minimum[1])}]",
                "median": f"[{_show(self.median[0])}, {_show(self.median[1])}]",
                "maximum": f"[{_show(self.maximum[0])}, {_show(self.maximum[1])}]"}

    def __repr__(self) -> str:
        state = "feasible" if self.feasible else "NO data set"
        return f"ConsistentSets({self.summary.describe()}; {self.scale.describe()}): {state}; {self.reason}"

    def on_scale(self, value: Fraction) -> bool:
        scale = self.scale
        if scale.lower is not None and value < scale.lower:
            return False
        if scale.upper is not None and value > scale.upper:
            return False
        return scale.step is None or (value / scale.step).denominator == 1

    def contains(self, values: Sequence[object]) -> bool:
        """Whether ``values`` (any order) is one of the data sets: right n, on the scale, summaries read right."""
        exact = sorted(to_fraction(value) for value in values)
        if len(exact) != self.n or not all(self.on_scale(value) for value in exact):
            return False
        k = self.middle
        median = (exact[k] + exact[k + 1]) / 2 if self.even else exact[k]
        return all(low <= value <= high for value, (low, high) in
                   ((exact[0], self.minimum), (median, self.median), (exact[-1], self.maximum)))

    def split_options(self, limit: int = 64) -> list[tuple[Fraction, Fraction]]:
        """Pairs (x_k, x_{k+1}) of middle values an even group can have: on a grid all of them (up to
        ``limit``, spread evenly), on real numbers the corners and midpoints of the feasible region."""
        if not self.even or not self.feasible:
            return []
        k = self.middle
        s_low, s_high = self.lows[k], self.highs[k]
        t_low, t_high = self.lows[k + 1], self.highs[k + 1]
        sum_low, sum_high = self.pair_sum
        options: list[tuple[Fraction, Fraction]] = []
        step = self.scale.step
        if step is not None:
            sums = [s for s in _grid_points(max(sum_low, s_low + t_low), min(sum_high, s_high + t_high), step)]
            for total in sums:
                first = max(s_low, total - t_high)
                last = min(s_high, total - t_low, _floor_to(total / 2, step))
                for s in _grid_points(first, last, step):
                    options.append((s, total - s))
        else:
            sums = sorted({max(sum_low, s_low + t_low), min(sum_high, s_high + t_high)})
            sums.append((sums[0] + sums[-1]) / 2)
            for total in sorted(set(sums)):
                first = max(s_low, total - t_high)
                last = min(s_high, total - t_low, total / 2)
                if first > last:
                    continue
                for s in sorted({first, last, (first + last) / 2}):
                    options.append((s, total - s))
        if len(options) > limit:
            stride = (len(options) - 1) / (limit - 1)
            options = [options[round(i * stride)] for i in range(limit)]
        return options

    def box(self, split: tuple[Fraction, Fraction] | None = None) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
        """The monotone box of the data sets; for an even n with ``split`` given, the box of the data sets
        whose middle pair is ``split`` (then no pair constraint is left)."""
        if split is None:
            return self.lows, self.highs
        k = self.middle
        s, t = split
        lows = [low if j <= k else max(low, t) for j, low in enumerate(self.lows)]
        highs = [high if j > k else min(high, s) for j, high in enumerate(self.highs)]
        lows[k], highs[k] = s, s
        lows[k + 1], highs[k + 1] = t, t
        return tuple(lows), tuple(highs)


def _grid_points(first: Fraction, last: Fraction, step: Fraction) -> list[Fraction]:
    start, stop = math.ceil(first / step), math.floor(last / step)
    return [i * step for i in range(start, stop + 1)]


def _read_interval(printed: str, scale: Scale) -> tuple[Fraction, Fraction]:
    """The values a printed summary allows on ``scale``: its rounding interval (or itself), within the scale."""
    low, high = value_bounds(printed, exact=not scale.rounded)
    if scale.lower is not None:
        low = max(low, scale.lower)
    if scale.upper is not None:
        high = min(high, scale.upper)
    return low, high


def consistent_sets(summary: GroupSummary, scale: Scale) -> ConsistentSets:
    """The data sets of one group consistent with its printed n, minimum, median and maximum.

    Parameters
    ----------
    summary : GroupSummary
        The printed strings.
    scale : Scale
        The values the quantity can take and how printed numbers are read.

    Returns
    -------
    ConsistentSets
        The box description; ``feasible`` is False (with the reason) when no data set exists, which is a
        finding, not an error.

    Examples
    --------
    >>> lines = GroupSummary("Non-toci", 28, "1.5", "2.5", "3.5")
    >>> consistent_sets(lines, Scale.whole()).feasible
    False
    >>> consistent_sets(lines, Scale.grid("0.5")).feasible
    True
    """
    n = summary.n
    minimum = _read_interval(summary.minimum, scale)
    median = _read_interval(summary.median, scale)
    maximum = _read_interval(summary.maximum, scale)
    step = scale.step
    k = (n - 1) // 2
    even = n % 2 == 0
    lows: list[Fraction] = [minimum[0]] * n
    highs: list[Fraction] = [maximum[1]] * n
    lows[0], highs[0] = minimum
    lows[-1], highs[-1] = max(lows[-1], maximum[0]), min(highs[-1], maximum[1])
    if n == 1:
        lows[0] = max(minimum[0], median[0], maximum[0])
        highs[0] = min(minimum[1], median[1], maximum[1])
    for j in range(n):
        if even:
            if j <= k:
                highs[j] = min(highs[j], median[1], 2 * median[1] - minimum[0])
            else:
                lows[j] = max(lows[j], median[0], 2 * median[0] - maximum[1])
        elif j < k:
            highs[j] = min(highs[j], median[1])
        elif j == k:
            lows[j], highs[j] = max(lows[j], median[0]), min(highs[j], median[1])
        else:
            lows[j] = max(lows[j], median[0])
    if step is not None:
        lows = [_ceil_to(low, step) for low in lows]
        highs = [_floor_to(high, step) for high in highs]
    for j in range(1, n):  # sorted values: L only rises, H only falls backwards
        lows[j] = max(lows[j], lows[j - 1])
    for j in range(n - 2, -1, -1):
        highs[j] = min(highs[j], highs[j + 1])
    reason = _infeasibility(summary, scale, minimum, median, maximum, lows, highs)
    sets = ConsistentSets(summary, scale, minimum, median, maximum, tuple(lows), tuple(highs),
                          reason is None, reason or scale.describe())
    if sets.feasible and even and not sets.split_options(limit=2):
        return dataclasses.replace(
            sets, feasible=False,
            reason=(f"no two middle values (positions {k + 1} and {k + 2} of {n}) on this scale average to the "
                    f"printed median {summary.median!r} while respecting the printed range"))
    return sets


def _infeasibility(summary, scale, minimum, median, maximum, lows, highs) -> str | None:
    """Why no data set exists, in words, or None when one does."""
    where = "on the grid of step " + _show(scale.step) if scale.step is not None else "on this scale"
    for name, printed, (low, high) in (("minimum", summary.minimum, minimum), ("maximum", summary.maximum, maximum)):
        if low > high or (scale.step is not None and _ceil_to(low, scale.step) > _floor_to(high, scale.step)):
            return f"no value {where} reads as the printed {name} {printed!r} ({scale.describe()})"
    if summary.n % 2 == 1:
        low, high = median
        if low > high or (scale.step is not None and _ceil_to(low, scale.step) > _floor_to(high, scale.step)):
            return (f"n = {summary.n} is odd, so the median is one of the values, and no value {where} reads as "
                    f"the printed median {summary.median!r} ({scale.describe()})")
    elif scale.step is not None and _ceil_to(2 * median[0], scale.step) > _floor_to(2 * median[1], scale.step):
        return (f"n = {summary.n} is even, so the median is the mean of two values {where}, and no such mean "
                f"reads as the printed median {summary.median!r}")
    for j, (low, high) in enumerate(zip(lows, highs)):
        if low > high:
            return (f"the printed minimum {summary.minimum!r}, median {summary.median!r} and maximum "
                    f"{summary.maximum!r} cannot be ordered (value {j + 1} of {summary.n} would need "
                    f"{_show(low)} <= x <= {_show(high)})")
    return None


# --------------------------------------------------------------------------------------------------------
# The six p-values, computed as SciPy computes them
# --------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _tie_free_upper_tail(n1: int, n2: int) -> tuple[tuple[int, ...], int]:
    """Counts of arrangements with U >= u (u = 0..n1 n2) under the tie-free null, and their total.

    Exact integers from the Gaussian binomial coefficient [n1 + n2 choose n1]_q, whose q^u coefficient
    counts the arrangements with U = u.
    """
    small, large = min(n1, n2), max(n1, n2)
    size = small * large + 1
    poly = [0] * size
    poly[0] = 1
    for i in range(1, small + 1):
        # multiply by (1 - q^(large + i)), then divide by (1 - q^i)
        shift = large + i
        for u in range(size - 1, shift - 1, -1):
            poly[u] -= poly[u - shift]
        for u in range(i, size):
            poly[u] += poly[u - i]
    tail = [0] * (size + 1)
    for u in range(size - 1, -1, -1):
        tail[u] = tail[u + 1] + poly[u]
    return tuple(tail[:size]), tail[0]


def _mw_exact_p_from_u(u1: float, n1: int, n2: int) -> float:
    """SciPy's exact p: 2 P(U0 >= floor(max(U1, U2))) under the tie-free null, capped at 1."""
    upper = max(u1, n1 * n2 - u1)
    tail, total = _tie_free_upper_tail(n1, n2)
    statistic = int(upper)  # SciPy: np.asarray(U, np.int64), a truncation
    return min(1.0, float(Fraction(2 * tail[statistic], total)))


def _mw_asymptotic_p(u1, n1: int, n2: int, tie_term, continuity: bool):
    """SciPy's asymptotic p (vectorised over u1 and tie_term)."""
    u1 = np.asarray(u1, dtype=float)
    tie_term = np.asarray(tie_term, dtype=float)
    n = n1 + n2
    upper = np.maximum(u1, n1 * n2 - u1)
    spread = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    numerator = upper - n1 * n2 / 2
    if continuity:
        numerator = numerator - 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        z = numerator / spread
    return np.clip(2 * ndtr(-z), 0.0, 1.0)


def _rank_summary(x: Sequence[float], y: Sequence[float]) -> tuple[float, int, list[tuple[int, int]]]:
    """U1 (x above y, ties half), the tie term sum(t^3 - t), and the pooled tie blocks as (in x, in y)."""
    pooled = sorted([(value, 0) for value in x] + [(value, 1) for value in y])
    blocks: list[tuple[int, int]] = []
    index = 0
    while index < len(pooled):
        end = index
        while end < len(pooled) and pooled[end][0] == pooled[index][0]:
            end += 1
        in_x = sum(1 for _, group in pooled[index:end] if group == 0)
        blocks.append((in_x, end - index - in_x))
        index = end
    u1 = 0.0
    below_y = 0
    for in_x, in_y in blocks:
        u1 += in_x * (below_y + in_y / 2)
        below_y += in_y
    tie_term = sum((a + b) ** 3 - (a + b) for a, b in blocks)
    return u1, tie_term, blocks


def _conditional_p_from_blocks(blocks: Sequence[tuple[int, int]]) -> float:
    """Exact two-sided permutation p of the rank sum of group 1 given the pooled tie blocks (in x, in y)."""
    n1 = sum(a for a, _ in blocks)
    n2 = sum(b for _, b in blocks)
    sizes = tuple(a + b for a, b in blocks)
    if all(size == 1 for size in sizes):  # no ties: the tie-free null of U
        u1 = 0
        below = 0
        for a, b in blocks:
            u1 += a * below
            below += b
        tail, total = _tie_free_upper_tail(n1, n2)
        smaller = min(tail[u1], tail[n1 * n2 - u1])  # P(U >= u1) and, by symmetry, P(U <= u1)
        return min(1.0, float(Fraction(2 * smaller, total)))
    doubled, start = [], 0
    for size in sizes:
        doubled.append(2 * start + size + 1)
        start += size
    observed = sum(a * w for (a, _), w in zip(blocks, doubled))
    at_most, at_least, total = _rank_sum_tails(sizes, n1)
    return min(1.0, float(2 * Fraction(int(min(at_most[observed], at_least[observed])), total)))


@lru_cache(maxsize=512)
def _rank_sum_tails(sizes: tuple[int, ...], n1: int):
    """Counts of splits with doubled rank sum <= r and >= r, for every r, given the pooled tie blocks.

    Dynamic programme over the blocks: ways[c, r] counts the ways to pick c of the values seen so far
    with doubled rank sum r (doubled mid-ranks are whole numbers); a block of size t adds C(t, a) ways for
    taking a of its values. Counts are exact integers (floats below 2**53, else Python integers).
    """
    n = sum(sizes)
    doubled, start = [], 0
    for size in sizes:
        doubled.append(2 * start + size + 1)
        start += size
    top = sum(sorted((w for size, w in zip(sizes, doubled) for _ in range(size)), reverse=True)[:n1])
    total = math.comb(n, n1)
    dtype = float if total < 2**53 else object
    table = np.zeros((n1 + 1, top + 1), dtype=dtype)
    table[0, 0] = 1
    filled, reach = 0, 0  # values seen so far; largest doubled rank sum reachable so far
    for size, w in zip(sizes, doubled):
        rows = min(n1, filled) + 1
        new_reach = min(top, reach + min(size, n1) * w)
        before = table[:rows, : reach + 1].copy()  # only the reachable corner of the table
        for take in range(1, min(size, n1) + 1):
            shift = take * w
            if shift > new_reach:
                break
            width = min(reach + 1, new_reach + 1 - shift)
            upper = min(rows, n1 + 1 - take)
            table[take:take + upper, shift:shift + width] += math.comb(size, take) * before[:upper, :width]
        filled += size
        reach = new_reach
    counts = table[n1]
    at_most = np.cumsum(counts)
    at_least = np.cumsum(counts[::-1])[::-1]
    return at_most, at_least, total


def mann_whitney_exact_ties_p(x: Sequence[float], y: Sequence[float]) -> float:
    """Exact two-sided Mann-Whitney p conditional on the observed ties.

    Every split of the pooled values into groups of len(x) and len(y) is equally likely; the rank sum of x
    (mid-ranks) is compared with its exact permutation distribution, computed by dynamic programming over the
    tie blocks (no sampling). Two-sided p = min(1, 2 min(P(R <= r), P(R >= r))), as
    ``scipy.stats.permutation_test`` defines it.

    Examples
    --------
    >>> round(mann_whitney_exact_ties_p([1, 2, 2, 3], [2, 3, 4, 5, 5]), 6)
    0.111111
    """
    if len(x) == 0 or len(y) == 0:
        raise InvalidInputError("both samples need at least one value")
    return _conditional_p_from_blocks(_rank_summary(x, y)[2])


def _t_p(n1: int, mean1, q1, n2: int, mean2, q2, equal_var: bool):
    """Two-sided t-test p from group sizes, means and centred sums of squares (vectorised)."""
    mean1, q1, mean2, q2 = (np.asarray(v, dtype=float) for v in (mean1, q1, mean2, q2))
    difference = mean1 - mean2
    with np.errstate(divide="ignore", invalid="ignore"):
        if equal_var:
            df = np.full(np.broadcast(difference, q1, q2).shape, float(n1 + n2 - 2))
            pooled = (q1 + q2) / (n1 + n2 - 2)
            error = np.sqrt(pooled * (1 / n1 + 1 / n2))
        else:
            v1, v2 = q1 / (n1 - 1) / n1, q2 / (n2 - 1) / n2
            error = np.sqrt(v1 + v2)
            df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
            df = np.where(np.isfinite(df), df, 1.0)  # both variances 0: SciPy's df is not used (p = 0 or nan)
        t = difference / error
        p = 2 * stdtr(df, -np.abs(t))
    return np.where(np.isnan(t), np.nan, p)


def scipy_p(x: Sequence[float], y: Sequence[float], test: str) -> float:
    """SciPy's own p-value of a data set under one of :data:`TESTS`, to re-test a witness independently of
    this module's formulas: ``scipy.stats.mannwhitneyu`` (method "exact"; "asymptotic" with and without
    continuity correction) and ``scipy.stats.ttest_ind`` (Student, Welch). SciPy has no exact conditional
    Mann-Whitney test for groups of 17 and 28 (``permutation_test`` would enumerate about 10^12 splits), so
    ``mw_exact_ties`` falls back to :func:`mann_whitney_exact_ties_p`, which the tests compare with
    ``permutation_test`` on small samples.

    >>> round(scipy_p([1, 2, 3], [4, 5, 6], "mw_exact"), 4)
    0.1
    """
    import warnings

    x, y = [float(v) for v in x], [float(v) for v in y]
    if test == "mw_exact":
        return float(stats.mannwhitneyu(x, y, method="exact").pvalue)
    if test in ("mw_asymptotic", "mw_asymptotic_cc"):
        return float(stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=test == "mw_asymptotic_cc").pvalue)
    if test in ("student", "welch"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return float(stats.ttest_ind(x, y, equal_var=test == "student").pvalue)
    if test == "mw_exact_ties":
        return mann_whitney_exact_ties_p(x, y)
    raise InvalidInputError(f"unknown test {test!r}; use one of {TESTS}")


def _p_from_summary(test: str, x: Sequence[float], y: Sequence[float]) -> float:
    """Same numbers as :func:`scipy_p` from this module's own formulas (fast, no SciPy call overhead)."""
    n1, n2 = len(x), len(y)
    if test in _RANK_TESTS:
        u1, tie_term, blocks = _rank_summary(x, y)
        if test == "mw_exact":
            return _mw_exact_p_from_u(u1, n1, n2)
        if test == "mw_exact_ties":
            return _conditional_p_from_blocks(blocks)
        return float(_mw_asymptotic_p(u1, n1, n2, tie_term, test == "mw_asymptotic_cc"))
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(_t_p(n1, xs.mean(), ((xs - xs.mean()) ** 2).sum(), n2, ys.mean(), ((ys - ys.mean()) ** 2).sum(),
                      test == "student"))


# --------------------------------------------------------------------------------------------------------
# Rank tests: a dynamic programme over "atoms" of the pooled order
# --------------------------------------------------------------------------------------------------------
def _tie_term(size):
    """t^3 - t of a tie block of ``size`` values (an int, or an array of sizes)."""
    return size**3 - size


@dataclass(frozen=True)
class _Atom:
    """A place values can sit: a point (low == high, closed) or an open gap (low, high) holding any order."""

    low: Fraction
    high: Fraction
    point: bool


def _smear(bits: int, width: int) -> int:
    """OR of ``bits`` shifted by 0..width (an interval of increments), in O(log width) operations."""
    result, span = bits, 1
    while span <= width:
        step = min(span, width + 1 - span)
        result |= result << step
        span += step
    return result


def _gap_arrangement(in_x: int, in_y: int, doubled_u: int) -> list[tuple[int, int]]:
    """Blocks (in x, in y), low to high, of ``in_x`` x-values and ``in_y`` y-values inside one gap whose
    x-above-y count (ties half) is doubled_u / 2; all values distinct except one tie when doubled_u is odd."""
    if in_x == 0 or in_y == 0:
        return [(1, 0)] * in_x + [(0, 1)] * in_y
    area, tie = divmod(doubled_u, 2)
    over_all, over_some = divmod(area, in_y)
    sequence: list[int] = []  # 0 for an x value, 1 for a y value, low to high
    low_x = in_x - over_all - (1 if over_some else 0)
    sequence += [0] * low_x + [1] * over_some + ([0] if over_some else []) + [1] * (in_y - over_some)
    sequence += [0] * over_all
    blocks = [(1, 0) if kind == 0 else (0, 1) for kind in sequence]
    if tie:
        for i in range(len(sequence) - 1):
            if sequence[i] == 0 and sequence[i + 1] == 1:
                blocks[i:i + 2] = [(1, 1)]
                break
        else:  # pragma: no cover - doubled_u odd implies an x directly below a y
            raise AssertionError("no x directly below a y to tie")
    return blocks


class _RankLattice:
    """Every pooled order of two groups' consistent data sets, as paths through atoms.

    State after an atom: (values of group 1 so far, values of group 2 so far, tags), where a tag records the
    atom of an even group's lower middle value while its upper middle value is still to come (their sum is
    constrained). Transitions place a values of group 1 and b of group 2 in the next atom; in a point they
    tie, in an open gap they may be ordered any way, so U1 gains any half-integer from 0 to a b there.
    """

    def __init__(self, first: ConsistentSets, second: ConsistentSets):
        if first.scale.step != second.scale.step:
            raise InvalidInputError("both groups must be read on the same scale")
        self.groups = (first, second)
        self.sizes = (first.n, second.n)
        step = first.scale.step
        if step is not None:
            low = min(first.lows[0], second.lows[0])
            high = max(first.highs[-1], second.highs[-1])
            self.atoms = [_Atom(v, v, True) for v in _grid_points(low, high, step)]
        else:
            marks = sorted(set(first.lows) | set(first.highs) | set(second.lows) | set(second.highs))
            self.atoms = []
            for left, right in zip(marks, marks[1:]):
                self.atoms += [_Atom(left, left, True), _Atom(left, right, False)]
            self.atoms.append(_Atom(marks[-1], marks[-1], True))
        self.bounds = [self._cumulative_bounds(group) for group in self.groups]

    def _cumulative_bounds(self, group: ConsistentSets) -> list[tuple[int, int]]:
        """(least, most) values of ``group`` at or below each atom, from each position's interval."""
        firsts, lasts = [], []
        for low, high in zip(group.lows, group.highs):
            inside = [i for i, atom in enumerate(self.atoms) if low <= atom.low and atom.high <= high]
            firsts.append(inside[0])
            lasts.append(inside[-1])
        return [(sum(1 for last in lasts if last <= i), sum(1 for first in firsts if first <= i))
                for i in range(len(self.atoms))]

    def _compatible(self, group: ConsistentSets, lower_atom: int, upper_atom: int) -> bool:
        """Whether an even group's middle values can sit in these atoms with their sum in range."""
        a, b = self.atoms[lower_atom], self.atoms[upper_atom]
        sum_low, sum_high = group.pair_sum
        low, high = a.low + b.low, a.high + b.high
        open_ends = not (a.point and b.point)
        start, start_open = (low, open_ends) if low >= sum_low else (sum_low, False)
        if low == sum_low:
            start_open = open_ends
        end, end_open = (high, open_ends) if high <= sum_high else (sum_high, False)
        if high == sum_high:
            end_open = open_ends
        return start < end or (start == end and not start_open and not end_open)

    def _tag_step(self, g: int, before: int, after: int, tag: int | None, atom: int) -> tuple[bool, int | None]:
        """Advance group g's middle-pair tag over one atom: (allowed, new tag)."""
        group = self.groups[g]
        if not group.even:
            return True, None
        k = group.middle  # 0-based index of the lower middle value
        if before == after:
            return True, tag
        if after <= k or before >= k + 2:
            return True, None
        if before == k + 1:  # lower middle earlier (tag), upper middle here
            return self._compatible(group, tag, atom), None
        if after == k + 1:  # lower middle here, upper middle later
            return True, atom
        return self._compatible(group, atom, atom), None  # both here

    def _transitions(self, state, i):
        """(new state, a, b) for every allowed placement in atom i."""
        c1, c2, tag1, tag2 = state
        (low1, high1), (low2, high2) = self.bounds[0][i], self.bounds[1][i]
        options2 = []
        for b in range(max(0, low2 - c2), high2 - c2 + 1):
            ok, new_tag2 = self._tag_step(1, c2, c2 + b, tag2, i)
            if ok:
                options2.append((b, new_tag2))
        for a in range(max(0, low1 - c1), high1 - c1 + 1):
            ok, new_tag1 = self._tag_step(0, c1, c1 + a, tag1, i)
            if not ok:
                continue
            for b, new_tag2 in options2:
                yield (c1 + a, c2 + b, new_tag1, new_tag2), a, b

    # ---- the set of attainable U -------------------------------------------------------------------------
    def reachable_u(self) -> int:
        """Bit set of attainable 2 U1 (bit u set when U1 = u / 2 is attainable); keeps layers for witnesses."""
        layers = [{(0, 0, None, None): 1}]
        for i, atom in enumerate(self.atoms):
            new: dict = {}
            for state, bits in layers[-1].items():
                c2 = state[1]
                for new_state, a, b in self._transitions(state, i):
                    if atom.point:
                        shifted = bits << (a * (2 * c2 + b))
                    else:
                        shifted = _smear(bits << (2 * a * c2), 2 * a * b)
                    new[new_state] = new.get(new_state, 0) | shifted
            layers.append(new)
        self._layers = layers
        return layers[-1].get((self.sizes[0], self.sizes[1], None, None), 0)

    def u_witness(self, doubled_u: int):
        """A concrete data set (x, y) with 2 U1 = doubled_u, or None when none exists."""
        if not hasattr(self, "_layers"):
            self.reachable_u()
        final = (self.sizes[0], self.sizes[1], None, None)
        if not (self._layers[-1].get(final, 0) >> doubled_u) & 1:
            return None
        plan = []
        state, target = final, doubled_u
        for i in range(len(self.atoms) - 1, -1, -1):
            atom = self.atoms[i]
            found = None
            for previous, bits in self._layers[i].items():
                for new_state, a, b in self._transitions(previous, i):
                    if new_state != state:
                        continue
                    c2 = previous[1]
                    if atom.point:
                        rest = target - a * (2 * c2 + b)
                        if rest >= 0 and (bits >> rest) & 1:
                            found = (previous, a, b, None, rest)
                    else:
                        for inner in range(2 * a * b, -1, -1):
                            rest = target - 2 * a * c2 - inner
                            if rest >= 0 and (bits >> rest) & 1:
                                found = (previous, a, b, inner, rest)
                                break
                    if found:
                        break
                if found:
                    break
            previous, a, b, inner, target = found
            plan.append((a, b, _gap_arrangement(a, b, inner) if not atom.point else None))
            state = previous
        plan.reverse()
        return self._realise(plan)

    # ---- lexicographic extremes of (U, tie term) ---------------------------------------------------------
    def lexicographic(self, u_sign: int, tie_sign: int):
        """The configuration maximising (u_sign * 2 U1, tie_sign * tie term) lexicographically.

        Returns (2 U1, tie term, (x, y)). In a gap the inner order is one of: all x above all y, all below,
        one tied block; each side either one block (most ties) or all distinct (fewest).
        """
        layers = [{(0, 0, None, None): ((0, 0), 0, 0, None)}]
        for i, atom in enumerate(self.atoms):
            new: dict = {}
            for state, (key, u2, ties, _) in layers[-1].items():
                c2 = state[1]
                for new_state, a, b in self._transitions(state, i):
                    if atom.point:
                        options = [(a * (2 * c2 + b), _tie_term(a + b), None)]
                    else:
                        options = self._gap_options(a, b)
                    for gain_u, gain_t, inner in options:
                        if not atom.point:
                            gain_u += 2 * a * c2
                        total_u, total_t = u2 + gain_u, ties + gain_t
                        new_key = (u_sign * total_u, tie_sign * total_t)
                        held = new.get(new_state)
                        if held is None or new_key > held[0]:
                            new[new_state] = (new_key, total_u, total_t, (state, a, b, inner))
            layers.append(new)
        final = (self.sizes[0], self.sizes[1], None, None)
        _, u2, ties, _ = layers[-1][final]
        plan, state = [], final
        for i in range(len(self.atoms), 0, -1):
            previous, a, b, inner = layers[i][state][3]
            plan.append((a, b, inner))
            state = previous
        plan.reverse()
        return u2, ties, self._realise(plan)

    @staticmethod
    def _gap_options(a: int, b: int):
        """(2 U gain inside the gap, tie term, blocks) for the inner orders the lexicographic search uses."""
        if a == 0 or b == 0:
            return [(0, _tie_term(a + b), [(a, b)]), (0, 0, [(1, 0)] * a + [(0, 1)] * b)]
        return [
            (2 * a * b, _tie_term(a) + _tie_term(b), [(0, b), (a, 0)]),
            (2 * a * b, 0, [(0, 1)] * b + [(1, 0)] * a),
            (0, _tie_term(a) + _tie_term(b), [(a, 0), (0, b)]),
            (0, 0, [(1, 0)] * a + [(0, 1)] * b),
            (a * b, _tie_term(a + b), [(a, b)]),
        ]

    # ---- concrete values ---------------------------------------------------------------------------------
    def _realise(self, plan):
        """Concrete values (as Fractions) for a path: (a, b, blocks or None) per atom."""
        blocks_per_atom = [[(a, b)] if blocks is None else [blk for blk in blocks if blk != (0, 0)]
                           for a, b, blocks in plan]
        fixed: dict[tuple[int, int], Fraction] = {}  # (atom, block) -> value forced by a middle pair
        for g, group in enumerate(self.groups):
            if not group.even:
                continue
            k = group.middle
            where = []
            count = 0
            for i, blocks in enumerate(blocks_per_atom):
                for j, block in enumerate(blocks):
                    for _ in range(block[g]):
                        if count in (k, k + 1):
                            where.append((i, j))
                        count += 1
            (ia, ja), (ib, jb) = where
            s, t = self._middle_values(group, ia, ib, same_block=(ia, ja) == (ib, jb))
            for key, value in (((ia, ja), s), ((ib, jb), t)):
                if key in fixed and fixed[key] != value:
                    raise _WitnessError("two middle pairs want different values in one tie block")
                fixed[key] = value
        x: list[Fraction] = []
        y: list[Fraction] = []
        for i, blocks in enumerate(blocks_per_atom):
            atom = self.atoms[i]
            values = _spread_in_gap(atom, len(blocks), {j: v for (ia, j), v in fixed.items() if ia == i})
            for value, (in_x, in_y) in zip(values, blocks):
                x += [value] * in_x
                y += [value] * in_y
        return x, y

    def _middle_values(self, group: ConsistentSets, lower_atom: int, upper_atom: int,
                       same_block: bool = False) -> tuple[Fraction, Fraction]:
        """Concrete middle values s <= t in the two atoms with s + t in the group's pair-sum range."""
        a, b = self.atoms[lower_atom], self.atoms[upper_atom]
        if a.point and b.point:
            return a.low, b.low
        sum_low, sum_high = group.pair_sum
        total = (max(a.low + b.low, sum_low) + min(a.high + b.high, sum_high)) / 2
        if same_block:  # one tie block holds both middle values
            return total / 2, total / 2
        if a.point:
            return a.low, total - a.low
        if b.point:
            return total - b.low, b.low
        s = (max(a.low, total - b.high) + min(a.high, total - b.low, total / 2)) / 2
        return s, total - s


class _WitnessError(Exception):
    """A path of the dynamic programme could not be turned into concrete values."""


def _spread_in_gap(atom: _Atom, count: int, fixed: Mapping[int, Fraction]) -> list[Fraction]:
    """``count`` increasing values for the blocks of one atom; blocks in ``fixed`` get their value."""
    if atom.point:
        return [atom.low] * count
    anchors = [(-1, atom.low)] + sorted(fixed.items()) + [(count, atom.high)]
    values: list[Fraction] = [Fraction(0)] * count
    for (left, left_value), (right, right_value) in zip(anchors, anchors[1:]):
        if not left_value < right_value:
            raise _WitnessError("fixed values inside a gap are out of order")
        for j in range(left + 1, right):
            values[j] = left_value + (right_value - left_value) * (j - left) / (right - left)
        if right < count:
            values[right] = right_value
    return values


# --------------------------------------------------------------------------------------------------------
# Corner configurations: the exact extremes of U (monotonicity argument)
# --------------------------------------------------------------------------------------------------------
def _reflect(sets: ConsistentSets) -> ConsistentSets:
    """The group of negated values (x -> -x): its low corner is the original's high corner."""
    sum_low, sum_high = sets.pair_sum
    return dataclasses.replace(
        sets,
        minimum=(-sets.maximum[1], -sets.maximum[0]),
        maximum=(-sets.minimum[1], -sets.minimum[0]),
        median=(-sets.median[1], -sets.median[0]),
        lows=tuple(-h for h in reversed(sets.highs)),
        highs=tuple(-low for low in reversed(sets.lows)),
        scale=dataclasses.replace(
            sets.scale,
            lower=None if sets.scale.upper is None else -sets.scale.upper,
            upper=None if sets.scale.lower is None else -sets.scale.lower),
    )


def _low_corners(sets: ConsistentSets, opponent: Sequence[Fraction], limit: int = 400) -> tuple[list[tuple], bool]:
    """Candidate pointwise-lowest data sets of ``sets``; one of them has the largest U against ``opponent``.

    For an odd n the box's lower corner (every x_j = L_j) is the unique pointwise minimum. For an even n,
    once the middle pair (s, t) is fixed the data sets form a box again, whose lower corner is the minimum;
    lowering t never hurts (it only lowers values), so t = max(L_{k+1}, s, sum_low - s), and U against
    fixed opponent values is a step function of s with steps where s or t meets an opponent value, so the
    break points and one point strictly between each pair of neighbours cover every case. On a grid every
    feasible split is tried. Returns the candidates and whether they are exhaustive in that sense.
    """
    if not sets.even:
        return [sets.lows], True
    k = sets.middle
    sum_low, sum_high = sets.pair_sum
    t_floor, t_ceiling = sets.lows[k + 1], sets.highs[k + 1]
    step = sets.scale.step
    if step is not None:
        options = sets.split_options(limit=limit)
        complete = len(sets.split_options(limit=10**9)) <= limit if len(options) == limit else True
        return [sets.box(split)[0] for split in options], complete

    def t_for(s: Fraction) -> Fraction:
        return max(t_floor, s, sum_low - s)

    s_first = max(sets.lows[k], sum_low - t_ceiling)  # below this, t would exceed its ceiling
    s_last = min(sets.highs[k], sum_high / 2, sum_high - t_floor)
    marks = {s_first, s_last, sum_low / 2, sum_low - t_floor, t_floor}
    for value in opponent:
        marks |= {value, sum_low - value}
    marks = sorted(m for m in marks if s_first <= m <= s_last)
    points = list(marks) + [(a + b) / 2 for a, b in zip(marks, marks[1:])]
    corners = []
    for s in sorted(set(points)):
        t = t_for(s)
        if t > t_ceiling or s + t > sum_high:
            continue
        corners.append(sets.box((s, t))[0])
    return corners, True


def _high_corners(sets: ConsistentSets, opponent: Sequence[Fraction], limit: int = 400) -> tuple[list[tuple], bool]:
    corners, complete = _low_corners(_reflect(sets), [-v for v in opponent], limit)
    return [tuple(-v for v in reversed(c)) for c in corners], complete


def _u1_exact(x: Sequence[Fraction], y: Sequence[Fraction]) -> Fraction:
    """U1 (pairs with x above y, ties half) with exact comparisons (floats when they keep every distinction)."""
    exact = set(x) | set(y)
    floats = {_to_float(v) for v in exact}
    if len(floats) == len(exact):  # float order is the exact order: equal floats only for equal values
        xf = np.array([_to_float(v) for v in x])
        yf = np.sort(np.array([_to_float(v) for v in y]))
        doubled = int((np.searchsorted(yf, xf, "left") + np.searchsorted(yf, xf, "right")).sum())
        return Fraction(doubled, 2)
    import bisect

    ys = sorted(y)
    total = Fraction(0)
    for value in x:
        below = bisect.bisect_left(ys, value)
        equal = bisect.bisect_right(ys, value) - below
        total += below + Fraction(equal, 2)
    return total


def _u_extremes(first: ConsistentSets, second: ConsistentSets):
    """Exact least and largest U1 with witnesses: ((U, x, y), (U, x, y), proved).

    U1 can only rise when a value of the first group rises or one of the second falls, so its maximum sits
    at a pair of corners: the first group at a pointwise-highest data set, the second at a pointwise-lowest
    one (and the other way round for the minimum). When both groups have an even n on real numbers, each
    group's middle pair is optimised against the other's corner in turn, which is a search (proved False).
    """
    results = []
    proved = True
    for direction in (+1, -1):  # +1: first high, second low
        high_group, low_group = (first, second) if direction > 0 else (second, first)
        best = None
        high_candidates, complete_high = _high_corners(high_group, low_group.lows)
        low_candidates, complete_low = _low_corners(low_group, high_group.highs)
        proved &= complete_high and complete_low
        if high_group.even and low_group.even and high_group.scale.step is None:
            proved = False
            for _ in range(2):  # alternate: each side's break points against the other's best corner
                if best is not None:
                    high_candidates, _ = _high_corners(high_group, best[2])
                    low_candidates, _ = _low_corners(low_group, best[1])
                for high in high_candidates:
                    for low in low_candidates:
                        u = _u1_exact(high, low)
                        if best is None or u > best[0]:
                            best = (u, high, low)
        else:
            if high_group.even and not low_group.even:
                high_candidates, complete_high = _high_corners(high_group, low_candidates[0])
            if low_group.even and not high_group.even:
                low_candidates, complete_low = _low_corners(low_group, high_candidates[0])
            proved &= complete_high and complete_low
            for high in high_candidates:
                for low in low_candidates:
                    u = _u1_exact(high, low)
                    if best is None or u > best[0]:
                        best = (u, high, low)
        u, high, low = best
        if direction > 0:
            results.append((u, tuple(high), tuple(low)))
        else:
            results.append((first.n * second.n - u, tuple(low), tuple(high)))
    maximum, minimum = results
    return minimum, maximum, proved


# --------------------------------------------------------------------------------------------------------
# Search: families of consistent data sets, walks between them, statistics in bulk
# --------------------------------------------------------------------------------------------------------
def _snap(value: Fraction, low: Fraction, high: Fraction, step: Fraction | None) -> Fraction:
    """``value`` moved onto the grid (down) and into [low, high]."""
    if step is not None:
        value = _floor_to(value, step)
    return min(max(value, low), high)


def _block_patterns(low: Fraction, high: Fraction, size: int, step: Fraction | None) -> list[tuple]:
    """Ways to fill ``size`` positions that share the interval [low, high]: all low, all high, all at the
    middle, half and half, and spread out (distinct where the grid allows)."""
    if low == high:
        return [(low,) * size]
    middle = _snap((low + high) / 2, low, high, step)
    patterns = {(low,) * size, (high,) * size}
    if size == 1:
        patterns.add((middle,))
        return sorted(patterns)
    patterns.add((middle,) * size)
    patterns.add((low,) * (size // 2) + (high,) * (size - size // 2))
    spread = tuple(_snap(low + (high - low) * (i + 1) / (size + 1), low, high, step) for i in range(size))
    patterns.add(spread)
    return sorted(patterns)


def _spread_config(sets: ConsistentSets) -> tuple:
    """A data set with its values as distinct as the box allows: every block of positions spread evenly
    over its interval, anchors in the middle of theirs (a middle pair at the middle of its options)."""
    split = None
    if sets.even:
        options = sets.split_options(limit=9)
        split = options[len(options) // 2]
    lows, highs = sets.box(split)
    values: list[Fraction] = []
    j = 0
    while j < len(lows):
        end = j
        while end < len(lows) and lows[end] == lows[j] and highs[end] == highs[j]:
            end += 1
        size = end - j
        low, high = lows[j], highs[j]
        if size == 1:
            values.append(_snap((low + high) / 2, low, high, sets.scale.step))
        else:
            values += [_snap(low + (high - low) * (i + 1) / (size + 1), low, high, sets.scale.step) for i in range(size)]
        j = end
    return tuple(sorted(values))


def _pattern_configs(sets: ConsistentSets, splits: int = 5, limit: int = 120) -> list[tuple]:
    """A family of consistent data sets built from corners, middles and spreads of each block of
    positions sharing an interval (anchors: low, high or middle; free blocks: the five block patterns).
    Every member lies in a box of the group (for an even n, the box of one of its middle pairs), so it is
    consistent by construction."""
    if not sets.feasible:
        return []
    configs: set[tuple] = set()
    split_list = sets.split_options(limit=splits) if sets.even else [None]
    per_split = max(1, limit // len(split_list))
    for split in split_list:
        lows, highs = sets.box(split)
        blocks: list[tuple[Fraction, Fraction, int]] = []
        for low, high in zip(lows, highs):
            if blocks and blocks[-1][0] == low and blocks[-1][1] == high:
                blocks[-1] = (low, high, blocks[-1][2] + 1)
            else:
                blocks.append((low, high, 1))
        options = [_block_patterns(low, high, size, sets.scale.step) for low, high, size in blocks]
        total = math.prod(len(o) for o in options)
        stride = max(1, total // per_split)
        indices = list(range(0, total, stride)) + [total - 1]
        for index in indices:
            values: list[Fraction] = []
            rest = index
            for option in options:
                rest, choice = divmod(rest, len(option))
                values += option[choice]
            configs.add(tuple(sorted(values)))
    return sorted(configs)


def _as_array(configs: Sequence[Sequence[Fraction]]) -> np.ndarray:
    return np.array([[_to_float(v) for v in c] for c in configs], dtype=float)


def _pair_stats(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """U1, tie term, means and centred sums of squares for paired rows of x (B x n1) and y (B x n2)."""
    u1 = (x[:, :, None] > y[:, None, :]).sum(axis=(1, 2)) + 0.5 * (x[:, :, None] == y[:, None, :]).sum(axis=(1, 2))
    pooled = np.concatenate([x, y], axis=1)
    equal = (pooled[:, :, None] == pooled[:, None, :]).sum(axis=2)
    ties = (equal.astype(float) ** 2 - 1).sum(axis=1)
    return {"u1": u1, "ties": ties, "mean1": x.mean(axis=1), "q1": ((x - x.mean(axis=1, keepdims=True)) ** 2).sum(axis=1),
            "mean2": y.mean(axis=1), "q2": ((y - y.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)}


def _product_stats(first: np.ndarray, second: np.ndarray) -> dict[str, np.ndarray]:
    """The same statistics for every pair (row of ``first``, row of ``second``), as P1 x P2 matrices,
    through counts over the distinct values (U and the tie term are bilinear in the counts)."""
    values = np.unique(np.concatenate([first.ravel(), second.ravel()]))
    a = np.zeros((len(first), len(values)))
    b = np.zeros((len(second), len(values)))
    np.add.at(a, (np.repeat(np.arange(len(first)), first.shape[1]), np.searchsorted(values, first.ravel())), 1)
    np.add.at(b, (np.repeat(np.arange(len(second)), second.shape[1]), np.searchsorted(values, second.ravel())), 1)
    below = np.cumsum(b, axis=1) - b
    u1 = a @ (below + 0.5 * b).T
    ties = ((a**3).sum(axis=1)[:, None] + 3 * (a**2) @ b.T + 3 * a @ (b**2).T + (b**3).sum(axis=1)[None, :]
            - first.shape[1] - second.shape[1])
    mean1, mean2 = first.mean(axis=1), second.mean(axis=1)
    q1 = ((first - mean1[:, None]) ** 2).sum(axis=1)
    q2 = ((second - mean2[:, None]) ** 2).sum(axis=1)
    shape = (len(first), len(second))
    return {"u1": u1, "ties": ties, "mean1": np.broadcast_to(mean1[:, None], shape),
            "q1": np.broadcast_to(q1[:, None], shape), "mean2": np.broadcast_to(mean2[None, :], shape),
            "q2": np.broadcast_to(q2[None, :], shape)}


def _p_from_stats(test: str, stats_: Mapping[str, np.ndarray], n1: int, n2: int) -> np.ndarray:
    """Every test but ``mw_exact_ties`` from bulk statistics (same formulas as SciPy)."""
    if test == "mw_exact":
        u1 = np.asarray(stats_["u1"], dtype=float)
        tail, total = _tie_free_upper_tail(n1, n2)
        table = np.minimum(1.0, 2 * np.array(tail, dtype=float) / float(total))
        upper = np.maximum(u1, n1 * n2 - u1).astype(np.int64)
        return table[upper]
    if test in ("mw_asymptotic", "mw_asymptotic_cc"):
        return _mw_asymptotic_p(stats_["u1"], n1, n2, stats_["ties"], test == "mw_asymptotic_cc")
    if test in _T_TESTS:
        return _t_p(n1, stats_["mean1"], stats_["q1"], n2, stats_["mean2"], stats_["q2"], test == "student")
    raise InvalidInputError(f"no bulk formula for {test!r}")


class _Sites:
    """The values a search may use, sorted and indexed: a data set is a sorted tuple of site indices.

    On a grid every grid point between the lowest and highest possible value; on real numbers every
    interval end, every value of the seed data sets, their mirror images through an even group's
    middle-pair sum (so a middle value can move with its partner), and a point between each two neighbours
    (so a value can sit strictly between two others). Ties and order are then comparisons of indices.
    """

    def __init__(self, groups: Sequence[ConsistentSets], seeds: Iterable[Fraction]):
        step = groups[0].scale.step
        low = min(g.lows[0] for g in groups)
        high = max(g.highs[-1] for g in groups)
        if step is not None:
            values = _grid_points(low, high, step)
        else:
            base = set(seeds)
            for g in groups:
                base |= set(g.lows) | set(g.highs)
            for g in groups:
                if g.even:
                    sum_low, sum_high = g.pair_sum
                    base |= {total - v for v in list(base) for total in (sum_low, sum_high)}
            ordered = sorted(v for v in base if low <= v <= high)
            values = sorted(set(ordered) | {(a + b) / 2 for a, b in zip(ordered, ordered[1:])})
        self.values: list[Fraction] = values
        self.floats = np.array([float(v) for v in values])
        self.index = {v: i for i, v in enumerate(values)}
        self.groups = tuple(groups)
        self.ranges = [self._position_ranges(g) for g in groups]
        self.pairs = [self._pair_table(g) if g.even else None for g in groups]

    def __len__(self) -> int:
        return len(self.values)

    def _position_ranges(self, sets: ConsistentSets) -> tuple[np.ndarray, np.ndarray]:
        import bisect

        starts = np.array([bisect.bisect_left(self.values, low) for low in sets.lows])
        stops = np.array([bisect.bisect_right(self.values, high) - 1 for high in sets.highs])
        return starts, stops

    def _pair_table(self, sets: ConsistentSets) -> tuple[np.ndarray, np.ndarray]:
        """For an even group, per site of the lower middle value, the range of sites its partner may take."""
        import bisect

        k = sets.middle
        sum_low, sum_high = sets.pair_sum
        starts, stops = self.ranges[self.groups.index(sets)] if sets in self.groups else self._position_ranges(sets)
        first, last = np.full(len(self.values), 1), np.full(len(self.values), 0)
        for i in range(starts[k], stops[k] + 1):
            s = self.values[i]
            lo = max(bisect.bisect_left(self.values, sum_low - s), i, starts[k + 1])
            hi = min(bisect.bisect_right(self.values, sum_high - s) - 1, stops[k + 1])
            first[i], last[i] = lo, hi
        return first, last

    def config(self, values: Sequence[Fraction]) -> tuple[int, ...]:
        return tuple(sorted(self.index[v] for v in values))

    def fractions(self, config: Sequence[int]) -> tuple[Fraction, ...]:
        return tuple(self.values[i] for i in config)

    def pair_fractions(self, pair: tuple[tuple, tuple]) -> tuple[tuple, tuple]:
        return self.fractions(pair[0]), self.fractions(pair[1])

    def array(self, configs: Sequence[Sequence[int]]) -> np.ndarray:
        return self.floats[np.array(configs, dtype=np.int64)]


def _walk(sites: _Sites, start: tuple[tuple, tuple], end: tuple[tuple, tuple], limit: int = 8000,
          order: tuple[int, int] = (1, 0)) -> list:
    """Index data sets visited moving one value at a time from ``start`` to ``end``.

    Each group's sorted values move position by position; an even group's middle pair moves as one, and the
    values below (above) it move before the pair when the pair moves down (up), so every step stays
    consistent. A value stops at every site the other group occupies on its way and at a site between
    each two such stops, so U changes by one crossing at a time where the sites allow.
    """
    visited: list[tuple[tuple, tuple]] = []
    current = [list(start[0]), list(start[1])]
    for g in order:
        sets = sites.groups[g]
        target = list(end[g])
        n = sets.n
        if sets.even:
            k = sets.middle
            s0, t0, s1, t1 = current[g][k], current[g][k + 1], target[k], target[k + 1]
            lower, upper = list(range(k)), list(range(k + 2, n))
            before = (lower if s1 < s0 else []) + (upper if t1 > t0 else [])
            after = [j for j in lower + upper if j not in before]
            order = [[j] for j in before] + [[k, k + 1]] + [[j] for j in after]
        else:
            order = [[j] for j in (range(n - 1, -1, -1) if target[-1] >= current[g][-1] else range(n))]
        for move in order:
            others = sorted(set(current[1 - g]))
            if len(move) == 1:
                j = move[0]
                a, b = current[g][j], target[j]
                if a == b:
                    continue
                stops = sorted({o for o in others if min(a, b) < o < max(a, b)} | {b}, reverse=b < a)
                previous = a
                for stop in stops:
                    middle = (previous + stop) // 2
                    if min(previous, stop) < middle < max(previous, stop):
                        current[g][j] = middle
                        visited.append((tuple(sorted(current[0])), tuple(sorted(current[1]))))
                    current[g][j] = stop
                    visited.append((tuple(sorted(current[0])), tuple(sorted(current[1]))))
                    previous = stop
            else:
                j, i = move
                current[g][j], current[g][i] = target[j], target[i]
                visited.append((tuple(sorted(current[0])), tuple(sorted(current[1]))))
            if len(visited) > limit:
                break
    return visited


class _Neighbourhood:
    """Every data set one move away from an index data set (x, y), with its statistics in bulk.

    A move puts one value at any other site inside its position's interval (any vector inside a monotone
    box is a data set once sorted); an even group's middle pair moves as one to pairs whose sum stays in
    range, with the partner as low or as high as allowed. Statistics per move: U1, tie term, means and
    centred sums of squares, updated from site histograms.
    """

    def __init__(self, sites: _Sites, x: tuple, y: tuple):
        self.sites = sites
        self.x, self.y = x, y
        n1, n2 = len(x), len(y)
        m = len(sites)
        values = sites.floats
        hist = [np.bincount(np.array(x), minlength=m), np.bincount(np.array(y), minlength=m)]
        pooled = hist[0] + hist[1]
        below = [np.cumsum(h) - h for h in hist]
        # score[g][i]: U1 contribution of one value of group g at site i
        score = [below[1] + 0.5 * hist[1], n1 - below[0] - 0.5 * hist[0]]
        base_u = float(score[0][np.array(x)].sum())
        base_t = float(_tie_term(pooled).sum())
        sums = [values[np.array(x)].sum(), values[np.array(y)].sum()]
        squares = [(values[np.array(x)] ** 2).sum(), (values[np.array(y)] ** 2).sum()]
        parts = []
        for g, config in enumerate((x, y)):
            sets = sites.groups[g]
            starts, stops = sites.ranges[g]
            starts, stops = starts.copy(), stops.copy()
            movable = list(range(len(config)))
            if sets.even:
                k = sets.middle
                stops[:k] = np.minimum(stops[:k], config[k])
                starts[k + 2:] = np.maximum(starts[k + 2:], config[k + 1])
                movable = [j for j in movable if j not in (k, k + 1)]
            seen = set()
            old, new, position = [], [], []
            for j in movable:
                key = (config[j], starts[j], stops[j])
                if key in seen:
                    continue
                seen.add(key)
                destinations = np.arange(starts[j], stops[j] + 1)
                destinations = destinations[destinations != config[j]]
                old.append(np.full(len(destinations), config[j]))
                new.append(destinations)
                position.append(np.full(len(destinations), j))
            if old:
                old_, new_ = np.concatenate(old), np.concatenate(new)
                du = score[g][new_] - score[g][old_]
                dt = (_tie_term(pooled[old_] - 1) - _tie_term(pooled[old_])
                      + _tie_term(pooled[new_] + 1) - _tie_term(pooled[new_]))
                moved_sum = sums[g] - values[old_] + values[new_]
                moved_squares = squares[g] - values[old_] ** 2 + values[new_] ** 2
                parts.append((g, np.concatenate(position), new_, np.full(len(new_), -1), base_u + du, base_t + dt,
                              moved_sum, moved_squares))
            if sets.even:
                parts.append(self._pair_part(g, config, score[g], pooled, base_u, base_t, sums[g], squares[g]))
        parts = [part for part in parts if part is not None and len(part[1])]
        if not parts:
            self.size = 0
            self.stats = {key: np.empty(0) for key in ("u1", "ties", "mean1", "q1", "mean2", "q2")}
            return
        self.group = np.concatenate([np.full(len(part[1]), part[0]) for part in parts])
        self.position = np.concatenate([part[1] for part in parts])
        self.new = np.concatenate([part[2] for part in parts])
        self.partner = np.concatenate([part[3] for part in parts])
        u1 = np.concatenate([part[4] for part in parts])
        ties = np.concatenate([part[5] for part in parts])
        moved_sum = np.concatenate([part[6] for part in parts])
        moved_squares = np.concatenate([part[7] for part in parts])
        s1 = np.where(self.group == 0, moved_sum, sums[0])
        ss1 = np.where(self.group == 0, moved_squares, squares[0])
        s2 = np.where(self.group == 1, moved_sum, sums[1])
        ss2 = np.where(self.group == 1, moved_squares, squares[1])
        self.size = len(u1)
        self.stats = {"u1": u1, "ties": ties, "mean1": s1 / n1, "q1": np.maximum(ss1 - s1**2 / n1, 0.0),
                      "mean2": s2 / n2, "q2": np.maximum(ss2 - s2**2 / n2, 0.0)}

    def _pair_part(self, g, config, score, pooled, base_u, base_t, total, squares):
        """Moves of an even group's middle pair (s, t) -> (s', t')."""
        sites = self.sites
        sets = sites.groups[g]
        k = sets.middle
        first, last = sites.pairs[g]
        starts, stops = sites.ranges[g]
        s_low = max(starts[k], config[k - 1] if k > 0 else 0)
        t_cap = min(stops[k + 1], config[k + 2] if k + 2 < len(config) else len(sites) - 1)
        lows, highs = [], []
        for s in range(s_low, stops[k] + 1):
            lo, hi = first[s], min(last[s], t_cap)
            if lo <= hi:
                lows.append(s)
                highs.append((lo, hi))
        candidates = set()
        for s, (lo, hi) in zip(lows, highs):
            candidates |= {(s, lo), (s, hi)}
            if lo <= config[k + 1] <= hi:
                candidates.add((s, config[k + 1]))
        candidates.discard((config[k], config[k + 1]))
        if not candidates:
            return None
        pairs = np.array(sorted(candidates))
        s_new, t_new = pairs[:, 0], pairs[:, 1]
        s_old, t_old = config[k], config[k + 1]
        du = score[s_new] + score[t_new] - score[s_old] - score[t_old]
        h = pooled.astype(float)
        dt = _tie_term(h[s_old] - 1) - _tie_term(h[s_old])
        after_first = h[t_old] - (t_old == s_old)
        dt = dt + _tie_term(after_first - 1) - _tie_term(after_first)
        count_s = h[s_new] - (s_new == s_old) - (s_new == t_old)
        dt = dt + _tie_term(count_s + 1) - _tie_term(count_s)
        count_t = h[t_new] - (t_new == s_old) - (t_new == t_old) + (t_new == s_new)
        dt = dt + _tie_term(count_t + 1) - _tie_term(count_t)
        v = sites.floats
        moved_sum = total - v[s_old] - v[t_old] + v[s_new] + v[t_new]
        moved_squares = squares - v[s_old] ** 2 - v[t_old] ** 2 + v[s_new] ** 2 + v[t_new] ** 2
        return (g, np.full(len(s_new), k), s_new, t_new, base_u + du, base_t + dt, moved_sum, moved_squares)

    def pair(self, index: int) -> tuple[tuple, tuple]:
        g, j, new, partner = int(self.group[index]), int(self.position[index]), int(self.new[index]), \
            int(self.partner[index])
        values = list((self.x, self.y)[g])
        values[j] = new
        if partner >= 0:
            values[j + 1] = partner
        moved = tuple(sorted(values))
        return (moved, self.y) if g == 0 else (self.x, moved)


class _Explorer:
    """Evaluates the six tests on index data sets of two groups and searches among them."""

    def __init__(self, sites: _Sites):
        self.sites = sites
        self.first, self.second = sites.groups
        self.n1, self.n2 = self.first.n, self.second.n
        self._conditional: dict[tuple, float] = {}
        self._hoods: dict[tuple, _Neighbourhood] = {}

    # ---- p-values ----------------------------------------------------------------------------------------
    def conditional(self, pair: tuple[tuple, tuple]) -> float:
        if pair not in self._conditional:
            m = len(self.sites)
            hx = np.bincount(np.array(pair[0]), minlength=m)
            hy = np.bincount(np.array(pair[1]), minlength=m)
            occupied = np.flatnonzero(hx + hy)
            self._conditional[pair] = _conditional_p_from_blocks(list(zip(hx[occupied].tolist(),
                                                                           hy[occupied].tolist())))
        return self._conditional[pair]

    def stats(self, pairs: Sequence[tuple[tuple, tuple]]) -> dict[str, np.ndarray]:
        return _pair_stats(self.sites.array([p[0] for p in pairs]), self.sites.array([p[1] for p in pairs]))

    def p_values(self, test: str, pairs: Sequence[tuple[tuple, tuple]]) -> np.ndarray:
        """p of ``test`` for each index pair; ``test="u2"`` gives 2 U1 instead (for searches aiming at U)."""
        if not pairs:
            return np.empty(0)
        if test == "mw_exact_ties":
            return np.array([self.conditional(pair) for pair in pairs])
        return self.from_stats(test, self.stats(pairs))

    def from_stats(self, test: str, stats_: Mapping[str, np.ndarray]) -> np.ndarray:
        if test == "u2":
            return 2 * np.asarray(stats_["u1"], dtype=float)
        return np.asarray(_p_from_stats(test, stats_, self.n1, self.n2), dtype=float)

    def p(self, test: str, pair) -> float:
        return float(self.p_values(test, [pair])[0])

    # ---- search ------------------------------------------------------------------------------------------
    def neighbourhood(self, pair: tuple[tuple, tuple]) -> _Neighbourhood:
        if pair not in self._hoods:
            self._hoods[pair] = _Neighbourhood(self.sites, pair[0], pair[1])
        return self._hoods[pair]

    def beam(self, test: str, seeds: Sequence[tuple[tuple, tuple]], score: callable, *, rounds: int = 8,
             width: int = 3, stop: callable = lambda value: False, exact_share: int = 5, patience: int = 2):
        """Best-first search over single moves: keeps the ``width`` best data sets by ``score`` (lower is
        better) of their p-values and returns (best score, p, pair). For ``mw_exact_ties`` neighbours are
        ranked by the continuity-corrected normal p first and only the most promising are computed exactly."""
        unique = list(dict.fromkeys(seeds))
        p_seeds = self.p_values(test, unique)
        order = np.argsort(score(p_seeds), kind="stable")[:width]
        scores = score(p_seeds)
        beam = [(float(scores[i]), float(p_seeds[i]), unique[i]) for i in order]
        best, stale = beam[0], 0
        visited = set(unique)
        for _ in range(rounds):
            if stop(best[0]):
                break
            pool: list[tuple[float, float, tuple]] = []
            for _, _, pair in beam:
                hood = self.neighbourhood(pair)
                if not hood.size:
                    continue
                if test == "mw_exact_ties":
                    # the normal p, scaled by its ratio to the exact conditional p here, ranks the neighbours
                    parent_proxy = self.p("mw_asymptotic_cc", pair)
                    ratio = self.conditional(pair) / parent_proxy if parent_proxy > 0 else 1.0
                    proxy = np.minimum(1.0, ratio * self.from_stats("mw_asymptotic_cc", hood.stats))
                    chosen = np.argsort(score(proxy), kind="stable")[:exact_share]
                    pairs = [hood.pair(int(i)) for i in chosen]
                    values = self.p_values(test, pairs)
                else:
                    values = self.from_stats(test, hood.stats)
                    chosen = np.argsort(score(values), kind="stable")[: 2 * width]
                    pairs = [hood.pair(int(i)) for i in chosen]
                    values = values[chosen]
                value_scores = score(values)
                for s_value, p_value, pair_ in zip(value_scores.tolist(), values.tolist(), pairs):
                    if pair_ not in visited:
                        visited.add(pair_)
                        pool.append((s_value, p_value, pair_))
            if not pool:
                break
            # the next beam is the best new data sets, so a plateau (equal scores) is walked across
            beam = sorted(pool, key=lambda item: item[0])[:width]
            if beam[0][0] < best[0]:
                best, stale = beam[0], 0
            else:
                stale += 1
                if stale > patience:
                    break
        return best

    def bisect_between(self, test: str, a: tuple[tuple, tuple], b: tuple[tuple, tuple], target: "_Target",
                       steps: int = 60):
        """On a real-valued scale p moves continuously along the segment between two consistent data sets
        (given as Fractions; the set of data sets is convex), so when p(a) and p(b) lie on either side of the
        printed interval a point of the segment hits it: bisection finds one. Returns the pair or None."""
        if self.first.scale.step is not None:
            return None

        def p_of(pair):
            return _p_from_summary(test, *_floats(pair))

        rising = p_of(a) < p_of(b)
        low, high = Fraction(0), Fraction(1)
        for _ in range(steps):
            middle = (low + high) / 2
            pair = _interpolate(a, b, middle)
            value = p_of(pair)
            if target.hits(value):
                return pair if self.first.contains(pair[0]) and self.second.contains(pair[1]) else None
            if target.below(value) == rising:
                low = middle
            else:
                high = middle
        return None


def _interpolate(a: tuple[tuple, tuple], b: tuple[tuple, tuple], weight: Fraction) -> tuple[tuple, tuple]:
    """The data sets (1 - weight) a + weight b, position by position (sorted vectors mix to sorted vectors)."""
    def mix(u: Sequence[Fraction], v: Sequence[Fraction]) -> tuple:
        return tuple(sorted(p + (q - p) * weight for p, q in zip(u, v)))

    return mix(a[0], b[0]), mix(a[1], b[1])


@dataclass(frozen=True)
class _Target:
    """The p-values that reproduce a printed p (:func:`crs_compendium.numbers.reproduces_p`)."""

    printed: str

    @property
    def interval(self) -> tuple[float, float]:
        return _float_bounds(self.printed)

    @cached_property
    def relation(self) -> str:
        return parse_printed(self.printed).relation

    def _bound_hits(self, values: np.ndarray) -> np.ndarray:
        """For a printed bound ("<0.05"): the comparison in floats, which agrees with the exact one because
        the float nearest a short decimal bound reads back as that decimal."""
        alpha = float(parse_printed(self.printed).value)
        relation = self.relation
        with np.errstate(invalid="ignore"):
            if relation == "<":
                return values < alpha
            if relation in ("<=", "≤"):
                return values <= alpha
            if relation == ">":
                return values > alpha
            return values >= alpha

    def hits(self, p: float) -> bool:
        if not np.isfinite(p):
            return False
        if self.relation:
            return bool(self._bound_hits(np.array([float(p)]))[0])
        low, high = self.interval
        if p < low - 1e-9 * max(low, 1e-300) or p > high + 1e-9 * high:
            return False
        if low + 1e-9 * low < p < high - 1e-9 * high:
            return True
        return reproduces_p(float(p), self.printed)  # close to an end: decide exactly

    def below(self, p: float) -> bool:
        return p < self.interval[0]

    def distance(self, values: np.ndarray) -> np.ndarray:
        """0 inside, else the distance on a log scale to the nearer end (NaN: infinitely far)."""
        low, high = self.interval
        shape = np.shape(values)
        values = np.asarray(values, dtype=float).ravel()
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log(np.maximum(values, 1e-300))
            gap = np.where(values < low, np.log(max(low, 1e-300)) - logs,
                           np.where(values > high, logs - np.log(high), 0.0))
        if self.relation:
            inside = self._bound_hits(values) & np.isfinite(values)
        else:
            inside = (values >= low) & (values <= high)
            near = (np.abs(values - low) <= 1e-9 * max(low, 1e-300)) | (np.abs(values - high) <= 1e-9 * high)
            for index in np.flatnonzero(near):
                inside[index] = self.hits(float(values[index]))
        gap = np.where(inside, 0.0, np.maximum(gap, 1e-15))
        return np.where(np.isnan(values), np.inf, gap).reshape(shape)


@lru_cache(maxsize=256)
def _float_bounds(printed: str) -> tuple[float, float]:
    low, high = p_value_bounds(printed)
    return float(low), float(high)


# --------------------------------------------------------------------------------------------------------
# Student's t on a grid: exact extremes from (sum -> least / largest sum of squares) tables
# --------------------------------------------------------------------------------------------------------
class _SumTable:
    """For one group on a grid: every achievable sum (in grid units, from ``offset``) with the least and the
    largest sum of squares of a data set having it; ``least_set(i)`` / ``largest_set(i)`` rebuild those data
    sets from the programme's choices (only when asked)."""

    def __init__(self, offset: int, least: np.ndarray, largest: np.ndarray, entries: dict, step: Fraction):
        self.offset, self.least, self.largest = offset, least, largest
        self._entries, self._step = entries, step

    def _realise(self, kind: str, index: int) -> tuple:
        split, choices, position, lo_units = self._entries[kind][index]
        units = []
        for j in range(len(choices) - 1, -1, -1):
            extra = int(choices[j][position])
            units.append(lo_units[j] + extra)
            position -= extra
        return tuple(sorted(u * self._step for u in units))

    def least_set(self, index: int) -> tuple:
        return self._realise("least", index)

    def largest_set(self, index: int) -> tuple:
        return self._realise("largest", index)


@lru_cache(maxsize=32)
def _sum_table(sets: ConsistentSets, max_cells: int = 60_000_000) -> _SumTable | None:
    """Dynamic programme over positions (any vector in the box, once sorted, is a data set, so positions
    are independent): achievable sum -> least and largest sum of squares, with witnesses. For an even n
    every middle pair is its own box. None when the tables would be too large."""
    step = sets.scale.step
    if step is None:
        return None
    splits = sets.split_options(limit=10**6) if sets.even else [None]
    units_low = [math.ceil(v / step) for v in sets.lows]
    units_high = [math.floor(v / step) for v in sets.highs]
    offset = sum(units_low)
    size = sum(units_high) - offset + 1
    work = len(splits) * sum(h - l + 1 for l, h in zip(units_low, units_high)) * size
    if work > max_cells:
        return None
    least = np.full(size, np.inf)
    largest = np.full(size, -np.inf)
    least_sets: dict[int, tuple] = {}
    largest_sets: dict[int, tuple] = {}
    for split in splits:
        lows, highs = sets.box(split)
        lo_units = [int(v / step) for v in lows]
        hi_units = [int(v / step) for v in highs]
        base = sum(lo_units)
        width = sum(hi_units) - base + 1
        tables = []
        for sign in (+1, -1):  # +1: least squares, -1: largest
            best = np.full(width, np.inf)
            best[0] = sign * sum(u * u for u in lo_units)
            choices = []
            for lo, hi in zip(lo_units, hi_units):
                # every value lo + extra of this position at once: window j of the padded table holds
                # best[j - extra] for extra = k - 1 ... 0; the first extra reaching the least total wins
                k = hi - lo + 1
                extras = np.arange(k)
                gains = sign * ((lo + extras) ** 2 - lo * lo).astype(float)
                padded = np.concatenate([np.full(k - 1, np.inf), best])
                totals = sliding_window_view(padded, k)[:, ::-1] + gains
                choice = np.argmin(totals, axis=1).astype(np.int64)
                best = totals[np.arange(width), choice]
                choices.append(choice)
            tables.append((best, choices))
        for sign, (best, choices), store, target in ((+1, tables[0], least_sets, least),
                                                       (-1, tables[1], largest_sets, largest)):
            values = sign * best
            shift = base - offset
            for index in np.flatnonzero(np.isfinite(best)):
                current = target[index + shift]
                if (sign > 0 and values[index] < current) or (sign < 0 and values[index] > current):
                    target[index + shift] = values[index]
                    store[int(index + shift)] = (split, choices, int(index), lo_units)
    return _SumTable(offset, least, largest, {"least": least_sets, "largest": largest_sets}, step)


def _t_extremes_on_grid(first: ConsistentSets, second: ConsistentSets):
    """Exact least and largest Student p (and |t| extremes for Welch's outer limits) over two grids.

    For fixed group sums the mean difference is fixed and |t| falls as the pooled sum of squares grows,
    so the largest |t| uses each sum's least sum of squares and the smallest |t| the largest. Returns None
    when the tables are too large, else a dict with witnesses.
    """
    tables = [_sum_table(first), _sum_table(second)]
    if any(t is None for t in tables):
        return None
    step = float(first.scale.step)
    n1, n2 = first.n, second.n
    (t1, t2) = tables
    sums1 = (np.arange(len(t1.least)) + t1.offset) * step
    sums2 = (np.arange(len(t2.least)) + t2.offset) * step
    ok1, ok2 = np.isfinite(t1.least), np.isfinite(t2.least)
    sums1, sums2 = sums1[ok1], sums2[ok2]
    idx1, idx2 = np.flatnonzero(ok1), np.flatnonzero(ok2)
    difference = sums1[:, None] / n1 - sums2[None, :] / n2
    result = {}
    for label, ss1, ss2, sets1, sets2 in (("least", t1.least[ok1], t2.least[ok2], t1.least_set, t2.least_set),
                                           ("largest", t1.largest[ok1], t2.largest[ok2], t1.largest_set,
                                            t2.largest_set)):
        q1 = np.maximum(ss1 * step * step - sums1**2 / n1, 0.0)
        q2 = np.maximum(ss2 * step * step - sums2**2 / n2, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            student = np.abs(difference) / np.sqrt((q1[:, None] + q2[None, :]) / (n1 + n2 - 2) * (1 / n1 + 1 / n2))
            welch = np.abs(difference) / np.sqrt(q1[:, None] / (n1 - 1) / n1 + q2[None, :] / (n2 - 1) / n2)
        for name, values in (("student", student), ("welch", welch)):
            finite = np.where(np.isnan(values), -np.inf if label == "least" else np.inf, values)
            flat = int(np.argmax(finite) if label == "least" else np.argmin(finite))
            i, j = np.unravel_index(flat, values.shape)
            result[(name, label)] = (float(values[i, j]), (sets1(int(idx1[i])), sets2(int(idx2[j]))))
    return result


# --------------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------------
def _floats(pair: tuple[Sequence[Fraction], Sequence[Fraction]]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return tuple(float(v) for v in pair[0]), tuple(float(v) for v in pair[1])


@dataclass(frozen=True)
class PBound:
    """One end of the interval of p-values a test can give on data consistent with the printed summaries.

    Attributes
    ----------
    p : float
        The p-value of ``witness`` (the smallest or largest found or proved).
    witness : tuple of two tuples of float
        A consistent data set (group 1 values, group 2 values) giving ``p`` when re-tested with SciPy.
    proved : bool
        True when no consistent data set goes beyond ``p`` (an exact argument); False for a search result.
    how : str
        How the bound was obtained, in one sentence.
    limit : float or None
        A proved outer limit no consistent data set passes (equal to ``p`` when proved; None when unknown).
    """

    p: float
    witness: tuple[tuple[float, ...], tuple[float, ...]]
    proved: bool
    how: str
    limit: float | None = None

    def to_record(self) -> dict[str, object]:
        """The fields as a flat dict (witness as text)."""
        return {"p": self.p, "proved": self.proved, "limit": self.limit, "how": self.how,
                "witness_first": ", ".join(_show(v) for v in self.witness[0]),
                "witness_second": ", ".join(_show(v) for v in self.witness[1])}

    def __repr__(self) -> str:
        kind = "proved" if self.proved else "search"
        limit = "" if self.proved or self.limit is None else f", limit {format_p_bound(self.limit)}"
        return f"{format_p_bound(self.p)} ({kind}{limit}; witness n={len(self.witness[0])}+{len(self.witness[1])})"


@dataclass(frozen=True)
class TestReach:
    """What one test can give on data consistent with a row's printed summaries.

    Attributes
    ----------
    test : str
        Key in :data:`TESTS`.
    printed_p : str
        The printed p.
    attainable : bool or None
        Whether some consistent data set gives a p that reproduces ``printed_p``; None when not decided.
    proved : bool
        Whether ``attainable`` is certain: a witness proves True; an exact argument proves False.
    how : str
        How attainability was decided, in one sentence.
    witness, witness_p
        The data set reproducing the printed p and its p (None when not attainable).
    low, high : PBound
        The smallest and the largest p the summaries allow under this test.
    neighbours : tuple
        For ``mw_exact``: the attainable p-values nearest below and above the printed interval (the test
        cannot give anything in between); (None, None) otherwise.
    """

    test: str
    printed_p: str
    attainable: bool | None
    proved: bool
    how: str
    witness: tuple[tuple[float, ...], tuple[float, ...]] | None
    witness_p: float | None
    low: PBound
    high: PBound
    neighbours: tuple[float | None, float | None] = (None, None)

    def verdict_line(self) -> str:
        word = {True: "can give", False: "CANNOT give", None: "undecided whether it can give"}[self.attainable]
        return (f"{self.test}: {word} p = {self.printed_p} ({'proved' if self.proved else 'not proved'}); "
                f"summaries allow p in [{format_p_bound(self.low.p)}, {format_p_bound(self.high.p)}]")

    def __repr__(self) -> str:
        lines = [self.verdict_line(), f"  {self.how}", f"  smallest p {self.low!r}: {self.low.how}",
                 f"  largest p {self.high!r}: {self.high.how}"]
        if self.witness is not None:
            lines.append(f"  witness p = {format_p_bound(self.witness_p)}")
        if self.neighbours != (None, None):
            lines.append(f"  nearest attainable p below/above: {format_p_bound(self.neighbours[0])}, "
                         f"{format_p_bound(self.neighbours[1])}")
        return "\n".join(lines)

    def to_record(self) -> dict[str, object]:
        return {
            "test": self.test, "printed_p": self.printed_p, "attainable": self.attainable,
            "attainability_proved": self.proved, "p_low": self.low.p, "p_low_proved": self.low.proved,
            "p_low_limit": self.low.limit, "p_high": self.high.p, "p_high_proved": self.high.proved,
            "p_high_limit": self.high.limit, "witness_p": self.witness_p, "how": self.how,
            "nearest_below": self.neighbours[0], "nearest_above": self.neighbours[1],
        }


# --------------------------------------------------------------------------------------------------------
# The analysis of one pair of groups
# --------------------------------------------------------------------------------------------------------
_LATTICE_BUDGET = 60_000
"""Largest estimated number of transitions for which the exact atom programme runs (about 0.1 s)."""


def _lattice_cost(lattice: _RankLattice) -> int:
    """A cheap over-estimate of the programme's work: states times placements, atom by atom."""
    cost = 0
    previous = [(0, 0), (0, 0)]
    for i in range(len(lattice.atoms)):
        (l1, h1), (l2, h2) = lattice.bounds[0][i], lattice.bounds[1][i]
        states = (previous[0][1] - previous[0][0] + 1) * (previous[1][1] - previous[1][0] + 1)
        cost += states * (h1 - previous[0][0] + 1) * (h2 - previous[1][0] + 1)
        previous = [(l1, h1), (l2, h2)]
    return cost


class _PairAnalysis:
    """Bounds and attainability of every test for two groups' consistent data sets and one printed p.

    Data sets found by exact arguments (U corners, grid tables, equal means, the atom programme) seed the
    searches; searches run on :class:`_Sites` indices and every reported data set is turned back into exact
    values and re-tested with SciPy.
    """

    def __init__(self, first: ConsistentSets, second: ConsistentSets, printed_p: str):
        self.first, self.second = first, second
        self.n1, self.n2 = first.n, second.n
        self.target = _Target(printed_p)
        self.printed_p = printed_p
        (u_lo, x_lo, y_lo), (u_hi, x_hi, y_hi), self.u_proved = _u_extremes(first, second)
        self.u_range = (u_lo, u_hi)
        exact_corners = {"low": (x_lo, y_lo), "high": (x_hi, y_hi)}
        self.lattice = _RankLattice(first, second)
        self.exact = _lattice_cost(self.lattice) <= _LATTICE_BUDGET and not (first.even and second.even)
        self.u_bits = self.lattice.reachable_u() if self.exact else None
        self.lex = {}
        if self.exact:
            self.lex = {key: self.lattice.lexicographic(*key) for key in ((1, 1), (-1, 1), (0, 1), (0, -1), (1, -1),
                                                                          (-1, -1))}
        configs1, configs2 = _pattern_configs(first), _pattern_configs(second)
        spread = (_spread_config(first), _spread_config(second))
        configs1, configs2 = configs1 + [spread[0]], configs2 + [spread[1]]
        self.t_tables = _t_extremes_on_grid(first, second) if first.scale.step is not None else None
        self.equal_means = _equal_means(first, second)
        fraction_seeds = list(exact_corners.values())
        fraction_seeds += [tuple(tuple(v) for v in entry[2]) for entry in self.lex.values()]
        if self.t_tables is not None:
            fraction_seeds += [entry[1] for entry in self.t_tables.values()]
        if self.equal_means is not None:
            fraction_seeds.append(self.equal_means)
        values = {v for pair in fraction_seeds for group in pair for v in group}
        values |= {v for config in configs1 + configs2 for v in config}
        self.sites = _Sites((first, second), values)
        self.explorer = _Explorer(self.sites)
        to_index = self.sites.config
        self.corners = {key: (to_index(x), to_index(y)) for key, (x, y) in exact_corners.items()}
        self.seed_pairs = list(dict.fromkeys((to_index(x), to_index(y)) for x, y in fraction_seeds))
        self.pool = ([to_index(c) for c in configs1], [to_index(c) for c in configs2])
        self.pool_stats = _product_stats(self.sites.array(self.pool[0]), self.sites.array(self.pool[1]))
        # walks between the U corners through the most spread data sets, each group moving first in turn,
        # so that the group moving sees the other spread out and U changes a crossing at a time
        reference = (to_index(spread[0]), to_index(spread[1]))
        walk = []
        for order in ((1, 0), (0, 1)):
            walk += _walk(self.sites, self.corners["low"], reference, order=order)
            walk += _walk(self.sites, reference, self.corners["high"], order=order)
        self.walk = list(dict.fromkeys(walk + self.seed_pairs + [reference]))
        self.walk_stats = self.explorer.stats(self.walk)
        self._bulk: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def fractions(self, pair) -> tuple[tuple, tuple]:
        return self.sites.pair_fractions(pair)

    # ---- candidates --------------------------------------------------------------------------------------
    def seeds(self, test: str, score: callable, count: int = 5) -> list[tuple[tuple, tuple]]:
        """The ``count`` best pool pairs and walk pairs by ``score`` of the test's p (the continuity-corrected
        normal p stands in for the conditional test), plus the exact seeds."""
        proxy = "mw_asymptotic_cc" if test == "mw_exact_ties" else test
        if proxy not in self._bulk:
            self._bulk[proxy] = (self.explorer.from_stats(proxy, self.pool_stats),
                                 self.explorer.from_stats(proxy, self.walk_stats))
        pool_values, walk_values = self._bulk[proxy]
        chosen = list(self.seed_pairs)
        flat = score(pool_values.ravel())
        for index in np.argsort(flat, kind="stable")[:count]:
            i, j = np.unravel_index(int(index), pool_values.shape)
            chosen.append((self.pool[0][i], self.pool[1][j]))
        for index in np.argsort(score(walk_values), kind="stable")[:count]:
            chosen.append(self.walk[int(index)])
        return list(dict.fromkeys(chosen))

    def _extreme(self, test: str, largest: bool) -> tuple[float, tuple]:
        """(p, Fraction pair) of the smallest or largest p found."""
        sign = -1.0 if largest else 1.0

        def score(values):
            values = np.asarray(values, dtype=float)
            return np.where(np.isnan(values), np.inf, sign * values)

        _, best_p, best_pair = self.explorer.beam(test, self.seeds(test, score), score)
        return best_p, self.fractions(best_pair)

    def _find(self, test: str):
        """A (Fraction pair, p) whose p reproduces the printed p, or None: pool, walk, best-first search, and on
        real numbers for the t tests bisection between data sets on either side (p is continuous there)."""
        target = self.target
        seeds = self.seeds(test, target.distance, count=6)
        values = self.explorer.p_values(test, seeds)
        for value, pair in zip(values.tolist(), seeds):
            if target.hits(value):
                return self.fractions(pair), value
        _, best_p, best_pair = self.explorer.beam(test, seeds, target.distance, stop=lambda value: value == 0)
        if target.hits(best_p):
            return self.fractions(best_pair), best_p
        if test == "student" and self.t_tables is not None:
            exact = _student_exact_attainability(self.first, self.second, target)
            if exact is not None:
                self.student_exact = True
                if exact[0]:
                    return exact[1], _p_from_summary(test, *_floats(exact[1]))
                return None
        if test in _T_TESTS and self.t_tables is not None:
            found, nearest = self._find_t_on_grid(test)
            if found is not None:
                return found
            if nearest:  # continue from the path data sets nearest the printed p, by single moves
                seeds = [(self.sites.config(x), self.sites.config(y)) for x, y in nearest]
                _, best_p, best_pair = self.explorer.beam(test, seeds, target.distance, rounds=12, width=4,
                                                         stop=lambda value: value == 0)
                if target.hits(best_p):
                    return self.fractions(best_pair), best_p
        if test in _T_TESTS and self.first.scale.step is None:
            candidates = list(zip(values.tolist(), seeds)) + [(best_p, best_pair)]
            below = [(v, p) for v, p in candidates if np.isfinite(v) and target.below(v)]
            above = [(v, p) for v, p in candidates if np.isfinite(v) and not target.below(v)]
            if below and above:
                a = self.fractions(max(below, key=lambda item: item[0])[1])
                b = self.fractions(min(above, key=lambda item: item[0])[1])
                pair = self.explorer.bisect_between(test, a, b, target)
                if pair is not None:
                    return pair, _p_from_summary(test, *_floats(pair))
        return None

    def _find_t_on_grid(self, test: str, tries: int = 12):
        """On a grid: for pairs of group sums whose p-range (least to largest sums of squares) brackets the
        printed p, walk from the least-spread to the most-spread data sets keeping both sums, one grid step
        at a time, and look for a p that reproduces the printed one."""
        table1, table2 = _sum_table(self.first), _sum_table(self.second)
        step = self.first.scale.step
        n1, n2 = self.n1, self.n2
        ok1, ok2 = np.flatnonzero(np.isfinite(table1.least)), np.flatnonzero(np.isfinite(table2.least))
        sums1 = (ok1 + table1.offset) * float(step)
        sums2 = (ok2 + table2.offset) * float(step)
        f = float(step) ** 2

        def q(ss, sums, n):
            return np.maximum(ss * f - sums**2 / n, 0.0)

        q1_least, q1_largest = q(table1.least[ok1], sums1, n1), q(table1.largest[ok1], sums1, n1)
        q2_least, q2_largest = q(table2.least[ok2], sums2, n2), q(table2.largest[ok2], sums2, n2)
        means1, means2 = sums1[:, None] / n1, sums2[None, :] / n2
        equal_var = test == "student"
        p_spread = _t_p(n1, means1, q1_largest[:, None], n2, means2, q2_largest[None, :], equal_var)
        p_tight = _t_p(n1, means1, q1_least[:, None], n2, means2, q2_least[None, :], equal_var)
        low, high = self.target.interval
        bracket = (np.fmin(p_spread, p_tight) <= high) & (np.fmax(p_spread, p_tight) >= low)
        candidates = np.argwhere(bracket)
        if not len(candidates):
            return None, []
        nearest: list[tuple[float, tuple]] = []
        middle = (low + high) / 2
        closeness = np.abs(np.log(np.maximum(p_tight[bracket], 1e-300)) + np.log(np.maximum(p_spread[bracket],
                                                                                              1e-300)) - 2 * np.log(middle))
        for index in np.argsort(closeness)[:tries]:
            i, j = candidates[index]
            a = (table1.least_set(int(ok1[i])), table2.least_set(int(ok2[j])))
            b = (table1.largest_set(int(ok1[i])), table2.largest_set(int(ok2[j])))
            path = _sum_preserving_path(self.first, a[0], b[0], step)
            pairs = [(x, a[1]) for x in path] + [(b[0], y) for y in _sum_preserving_path(self.second, a[1], b[1], step)]
            if not pairs:
                continue
            values = _p_from_stats(test, _pair_stats(_as_array([p[0] for p in pairs]), _as_array([p[1] for p in pairs])),
                                   n1, n2)
            distances = self.target.distance(values)
            for value, pair in zip(np.asarray(values).tolist(), pairs):
                if self.target.hits(value) and self.first.contains(pair[0]) and self.second.contains(pair[1]):
                    return (pair, value), []
            for index in np.argsort(distances)[:2]:
                pair = pairs[int(index)]
                if self.first.contains(pair[0]) and self.second.contains(pair[1]):
                    nearest.append((float(distances[int(index)]), pair))
        nearest.sort(key=lambda item: item[0])
        return None, [pair for _, pair in nearest[:6]]

    def _find_u(self, wanted: set[int]):
        """A Fraction pair whose 2 U1 is in ``wanted``, or None."""
        if not wanted:
            return None
        wanted_sorted = np.array(sorted(wanted), dtype=float)

        def score(values):
            values = np.asarray(values, dtype=float)
            return np.min(np.abs(values[:, None] - wanted_sorted[None, :]), axis=1)

        candidates = self.seeds("u2", score, count=6)
        values = self.explorer.p_values("u2", candidates)
        for value, pair in zip(values.tolist(), candidates):
            if int(round(value)) in wanted:
                return self.fractions(pair)
        _, value, pair = self.explorer.beam("u2", candidates, score, rounds=10, stop=lambda v: v == 0)
        if int(round(value)) in wanted:
            return self.fractions(pair)
        if self.exact:
            for u2 in sorted(wanted):
                if (self.u_bits >> u2) & 1:
                    return tuple(tuple(v) for v in self.lattice.u_witness(u2))
        return None

    # ---- per test ----------------------------------------------------------------------------------------
    def reach(self, test: str) -> TestReach:
        if test == "mw_exact":
            return self._reach_mw_exact()
        if test in ("mw_asymptotic", "mw_asymptotic_cc"):
            return self._reach_asymptotic(test)
        if test == "mw_exact_ties":
            return self._reach_conditional()
        return self._reach_t(test)

    def _bound(self, test: str, p: float, pair, proved: bool, how: str, limit: float | None = None) -> PBound:
        _check_witness(self.first, self.second, test, pair, p)
        return PBound(float(p), _floats(pair), proved, how, float(p) if proved else limit)

    def _attainability(self, test: str, low: PBound, high: PBound):
        self.student_exact = False
        found = self._find(test)
        if found is not None:
            pair, value = found
            _check_witness(self.first, self.second, test, pair, value)
            return True, True, "a consistent data set reproduces the printed p (witness)", _floats(pair), value
        if self.student_exact:
            return False, True, ("exact: no reachable (sum, sum of squares) of the two groups gives a p that "
                                 "reproduces the printed p"), None, None
        p_low, p_high = _float_bounds(self.printed_p)
        lowest = low.limit if low.limit is not None else (low.p if low.proved else None)
        highest = high.limit if high.limit is not None else (high.p if high.proved else None)
        if lowest is not None and lowest > p_high:
            return False, True, "every consistent data set gives a larger p (proved lower limit)", None, None
        if highest is not None and highest < p_low:
            return False, True, "every consistent data set gives a smaller p (proved upper limit)", None, None
        if low.p > p_high or high.p < p_low:
            return None, False, ("no data set found: the printed p lies outside the interval found by search, "
                                 "which is not proved"), None, None
        return None, False, "no data set found by search, though the printed p lies inside the interval found", \
            None, None

    def _reach_mw_exact(self) -> TestReach:
        n1, n2 = self.n1, self.n2
        u_lo, u_hi = self.u_range
        p_of = {u2: _mw_exact_p_from_u(u2 / 2, n1, n2) for u2 in range(int(2 * u_lo), int(2 * u_hi) + 1)}
        corners = {key: self.fractions(pair) for key, pair in self.corners.items()}
        end, pair = min(((p_of[int(2 * u_lo)], corners["low"]), (p_of[int(2 * u_hi)], corners["high"])),
                        key=lambda item: item[0])
        how = ("p depends only on U, and U only rises as a value of the first group rises or one of the second "
               "falls, so the extreme U sits at corner data sets (each group pointwise highest or lowest)")
        low = self._bound("mw_exact", end, pair, self.u_proved, how)
        best_p = max(p_of.values())
        high = None
        for level in sorted(set(p_of.values()), reverse=True)[:6]:
            found = self._find_u({u2 for u2, value in p_of.items() if value == level})
            if found is not None:
                proved = self.u_proved and (level == best_p or self.exact)
                text = ("p depends only on U; a data set reaches the U nearest the centre within the exact range "
                        "of U" if level == best_p else "largest p over the exact set of attainable U" if self.exact
                        else "largest p found by search over U")
                high = self._bound("mw_exact", level, found, proved, text, best_p)
                break
        if high is None:
            pair = max(corners.values(), key=lambda pr: _p_from_summary("mw_exact", *_floats(pr)))
            high = self._bound("mw_exact", _p_from_summary("mw_exact", *_floats(pair)), pair, False,
                               "largest p at the U corners (search found nothing nearer the centre)", best_p)
        wanted = {u2 for u2, value in p_of.items() if self.target.hits(value)}
        all_u = {u2 for u2 in range(0, 2 * n1 * n2 + 1) if self.target.hits(_mw_exact_p_from_u(u2 / 2, n1, n2))}
        neighbours = self._mw_neighbours(p_of)
        if not all_u:
            return TestReach("mw_exact", self.printed_p, False, True,
                             "no value of U at all gives a p that reproduces the printed p (the exact p-values for "
                             f"n = {n1} and {n2} jump over it)", None, None, low, high, neighbours)
        if not wanted:
            return TestReach("mw_exact", self.printed_p, False, self.u_proved,
                             f"the U values that reproduce the printed p ({_u_text(all_u)}) lie outside the attainable "
                             f"range of U [{_show(u_lo)}, {_show(u_hi)}]", None, None, low, high, neighbours)
        found = self._find_u(wanted)
        if found is not None:
            value = _p_from_summary("mw_exact", *_floats(found))
            _check_witness(self.first, self.second, "mw_exact", found, value)
            return TestReach("mw_exact", self.printed_p, True, True,
                             f"a consistent data set has U1 = {_show(_u1_exact(*found))}, whose p reproduces the "
                             "printed p (witness)", _floats(found), value, low, high, neighbours)
        if self.exact:
            return TestReach("mw_exact", self.printed_p, False, True,
                             f"the exact set of attainable U misses every U that reproduces the printed p "
                             f"({_u_text(wanted)})", None, None, low, high, neighbours)
        return TestReach("mw_exact", self.printed_p, None, False,
                         f"U values {_u_text(wanted)} would reproduce the printed p and lie in the attainable range, "
                         "but no data set with them was found", None, None, low, high, neighbours)

    def _mw_neighbours(self, p_of: Mapping[int, float]) -> tuple[float | None, float | None]:
        """The attainable mw_exact p-values nearest below and above the printed interval (witnessed)."""
        low, high = _float_bounds(self.printed_p)
        below = sorted({v for v in p_of.values() if v < low and not self.target.hits(v)}, reverse=True)
        above = sorted({v for v in p_of.values() if v > high and not self.target.hits(v)})
        found = []
        for levels in (below, above):
            result = None
            for level in levels[:3]:
                if self._find_u({u2 for u2, value in p_of.items() if value == level}) is not None:
                    result = level
                    break
            found.append(result)
        return found[0], found[1]

    def _reach_asymptotic(self, test: str) -> TestReach:
        continuity = test == "mw_asymptotic_cc"
        n1, n2 = self.n1, self.n2
        centre2 = n1 * n2
        value, pair = self._extreme(test, largest=False)
        limit_low, proved_low = None, False
        how_low = "smallest p found by search from corner data sets (most extreme U, most ties) over single moves"
        if self.exact:
            limit_low, (attained_value, attained_pair) = self._asymptotic_low_limit(test)
            if attained_value <= value:
                value, pair = attained_value, attained_pair
            proved_low = value <= limit_low * (1 + _ATTAINABLE_TOLERANCE)
            if proved_low:
                how_low = ("exact: the most extreme U with the most ties among them (atom programme); no less "
                           "extreme U can do better even with the largest tie term any data set has")
        low = self._bound(test, value, pair, proved_low, how_low, limit_low)
        wanted = {u2 for u2 in range(int(2 * self.u_range[0]), int(2 * self.u_range[1]) + 1)
                  if abs(u2 - centre2) <= (1 if continuity else 0)}
        found = self._find_u(wanted)
        if found is not None:
            high = self._bound(test, _p_from_summary(test, *_floats(found)), found, True,
                               "p = 1: a data set puts U at the centre (within the continuity correction)")
        else:
            value, pair = self._extreme(test, largest=True)
            limit, proved = None, False
            if self.u_proved and not (self.u_range[0] <= centre2 / 2 <= self.u_range[1]):
                # every U on one side of the centre: the U nearest it with the fewest ties bounds p
                nearest = min(self.u_range, key=lambda u: abs(2 * u - centre2))
                fewest = self.lex[(0, -1)][1] if self.exact else 0
                limit = float(_mw_asymptotic_p(float(nearest), n1, n2, float(fewest), continuity))
                key = (1, -1) if nearest == self.u_range[1] else (-1, -1)
                if self.exact:
                    u2, ties, lex_pair = self.lex[key]
                    candidate = float(_mw_asymptotic_p(u2 / 2, n1, n2, float(ties), continuity))
                    if candidate > value:
                        value, pair = candidate, tuple(tuple(v) for v in lex_pair)
                proved = value >= limit * (1 - _ATTAINABLE_TOLERANCE)
            high = self._bound(test, value, pair, proved,
                               "exact: the U nearest the centre with the fewest ties any data set has" if proved
                               else "largest p found by search over single moves", limit)
        attainable, sure, how, witness, witness_p = self._attainability(test, low, high)
        return TestReach(test, self.printed_p, attainable, sure, how, witness, witness_p, low, high)

    def _asymptotic_low_limit(self, test: str):
        """Exact outer limit of the smallest asymptotic p, and the best attained data set, from the atom
        programme: at each side's most extreme U the most ties (lexicographic optimum); at any less extreme
        U at most the largest tie term any data set has."""
        continuity = test == "mw_asymptotic_cc"
        n1, n2 = self.n1, self.n2
        bits = self.u_bits
        attainable = [u2 for u2 in range(bits.bit_length()) if (bits >> u2) & 1]
        most_ties = self.lex[(0, 1)][1]
        best = None
        limits = []
        for key, side in (((1, 1), attainable[::-1]), ((-1, 1), attainable)):
            u2, ties, pair = self.lex[key]
            value = float(_mw_asymptotic_p(u2 / 2, n1, n2, float(ties), continuity))
            if best is None or value < best[0]:
                best = (value, tuple(tuple(v) for v in pair))
            limits.append(value)
            if len(side) > 1:
                limits.append(float(_mw_asymptotic_p(side[1] / 2, n1, n2, float(most_ties), continuity)))
        return min(limits), best

    def _reach_conditional(self) -> TestReach:
        floor = min(1.0, 2 / math.comb(self.n1 + self.n2, self.n1))
        value, pair = self._extreme("mw_exact_ties", largest=False)
        proved = value <= floor * (1 + _ATTAINABLE_TOLERANCE)
        low = self._bound("mw_exact_ties", value, pair, proved,
                          "p = 2 / C(n1 + n2, n1), the least any permutation test can give (complete separation)"
                          if proved else "smallest p found by search (exact conditional p of each candidate)",
                          floor)
        value, pair = self._extreme("mw_exact_ties", largest=True)
        high = self._bound("mw_exact_ties", value, pair, value >= 1.0,
                           "p = 1, the largest possible" if value >= 1.0 else "largest p found by search", 1.0)
        attainable, sure, how, witness, witness_p = self._attainability("mw_exact_ties", low, high)
        return TestReach("mw_exact_ties", self.printed_p, attainable, sure, how, witness, witness_p, low, high)

    def _reach_t(self, test: str) -> TestReach:
        n1, n2 = self.n1, self.n2
        equal_var = test == "student"
        tables = self.t_tables
        if tables is not None and equal_var:
            pair = tables[("student", "least")][1]
            low = self._bound(test, _p_from_summary(test, *_floats(pair)), pair, True,
                              "exact: for fixed group sums |t| falls as either sum of squares grows; the least sum of "
                              "squares of every achievable sum (dynamic programme over the grid) gives the largest |t|")
        else:
            value, pair = self._extreme(test, largest=False)
            limit = None
            if tables is not None:  # Welch: |t| at most the largest Welch |t|, df at most n1 + n2 - 2
                limit = float(2 * stdtr(n1 + n2 - 2, -tables[("welch", "least")][0]))
            proved = limit is not None and value <= limit * (1 + _ATTAINABLE_TOLERANCE)
            low = self._bound(test, value, pair, proved,
                              "exact: the largest Welch |t| of the grid tables with the largest possible df" if proved
                              else "smallest p found by search (corners, grid tables, single moves)", limit)
        if self.equal_means is not None:
            pair = self.equal_means
            high = self._bound(test, _p_from_summary(test, *_floats(pair)), pair, True,
                               "p = 1: the two means can be equal (each group mixed between its lowest and highest "
                               "data set, or a pair of sums in the grid tables)")
        elif tables is not None and equal_var:
            pair = tables[("student", "largest")][1]
            high = self._bound(test, _p_from_summary(test, *_floats(pair)), pair, True,
                               "exact: the largest sum of squares of every achievable sum gives the smallest |t|")
        else:
            value, pair = self._extreme(test, largest=True)
            limit = None
            if tables is not None:
                limit = float(2 * stdtr(min(n1, n2) - 1, -tables[("welch", "largest")][0]))
            proved = limit is not None and value >= limit * (1 - _ATTAINABLE_TOLERANCE)
            high = self._bound(test, value, pair, proved, "largest p found by search (corners, single moves)", limit)
        attainable, sure, how, witness, witness_p = self._attainability(test, low, high)
        return TestReach(test, self.printed_p, attainable, sure, how, witness, witness_p, low, high)


def _sum_preserving_path(sets: ConsistentSets, start: tuple, end: tuple, step: Fraction) -> list[tuple]:
    """Data sets between two of the same sum: one value up and one down by a grid step at a time."""
    current = list(start)
    path = [tuple(current)]
    for _ in range(10_000):
        up = [j for j in range(len(current)) if current[j] < end[j]]
        down = [j for j in range(len(current)) if current[j] > end[j]]
        if not up or not down:
            break
        current[up[0]] += step
        current[down[-1]] -= step
        path.append(tuple(sorted(current)))
    return path  # checked for consistency only where used (an even group's middle pair may break)


def _u_text(doubled: Iterable[int]) -> str:
    values = sorted(doubled)
    return ", ".join(_show(Fraction(u, 2)) for u in values[:6]) + (" ..." if len(values) > 6 else "")


def _equal_means(first: ConsistentSets, second: ConsistentSets):
    """A pair of data sets with equal means (and some spread), or None when the mean ranges do not meet.

    On real numbers the data sets of a group form a convex set, so every mean between its lowest and
    highest is reached by mixing those two corners; on a grid the sum tables say which means exist.
    """
    step = first.scale.step
    if step is not None:
        tables = [_sum_table(first), _sum_table(second)]
        if any(t is None for t in tables):
            return None
        sums = []
        for t in tables:
            sums.append({(i + t.offset): i for i in np.flatnonzero(np.isfinite(t.least)).tolist()})
        for s1, i1 in sums[0].items():
            total = Fraction(s1) * second.n / first.n
            if total.denominator == 1 and int(total) in sums[1]:
                i2 = sums[1][int(total)]
                pair = (tables[0].largest_set(i1), tables[1].largest_set(i2))
                if np.std([float(v) for v in pair[0] + pair[1]]) > 0:
                    return pair
        return None
    lows = [min(_low_corners(g, [])[0], key=sum) for g in (first, second)]
    highs = [max(_high_corners(g, [])[0], key=sum) for g in (first, second)]
    means = [(sum(lows[i]) / g.n, sum(highs[i]) / g.n) for i, g in enumerate((first, second))]
    start, end = max(means[0][0], means[1][0]), min(means[0][1], means[1][1])
    if start > end:
        return None
    mean = (start + end) / 2
    pair = []
    for i, g in enumerate((first, second)):
        low, high = means[i]
        weight = Fraction(0) if high == low else (mean - low) / (high - low)
        pair.append(tuple(sorted(a + (b - a) * weight for a, b in zip(lows[i], highs[i]))))
    return pair[0], pair[1]


def _check_witness(first: ConsistentSets, second: ConsistentSets, test: str, pair, p: float) -> None:
    """Every witness must be consistent with the printed summaries and give ``p`` when re-tested with SciPy
    (a failure is a bug in this module, hence an AssertionError)."""
    if not (first.contains(pair[0]) and second.contains(pair[1])):
        raise AssertionError(f"witness is not consistent with the printed summaries: {pair}")
    _check_p(test, pair[0], pair[1], p)


def _check_p(test: str, x, y, p: float) -> None:
    """A witness's p as SciPy gives it must be the p this module found for it (AssertionError otherwise)."""
    recomputed = scipy_p(x, y, test)
    if not (math.isclose(recomputed, p, rel_tol=1e-7, abs_tol=1e-12) or (math.isnan(recomputed) and math.isnan(p))):
        raise AssertionError(f"{test}: witness gives p = {recomputed}, expected {p}")


@dataclass(frozen=True)
class MeasuredRowAudit:
    """Result of :func:`audit_measured_row`: what each allowed test can give for one Table 2 row.

    Attributes
    ----------
    label : str
        The row's name.
    printed_p : str
        The printed p.
    groups : tuple of GroupSummary
        The printed summaries (first group first).
    scale : Scale
        The reading of the values.
    feasible : bool
        Whether any data set fits both groups' printed summaries under ``scale``.
    infeasible_reason : str
        Why not ("" when feasible).
    tests : tuple of TestReach
        One per test (empty when infeasible).
    relaxed : MeasuredRowAudit or None
        When a grid reading admits no data set, the same audit on a grid of half the step (a verdict
        conditional on that reading).
    seconds : float
        Wall-clock time of this audit (without ``relaxed``).
    """

    label: str
    printed_p: str
    groups: tuple[GroupSummary, GroupSummary]
    scale: Scale
    feasible: bool
    infeasible_reason: str
    tests: tuple[TestReach, ...]
    relaxed: MeasuredRowAudit | None
    seconds: float

    @property
    def reproducing(self) -> tuple[str, ...]:
        """Tests that can give the printed p (with a witness)."""
        return tuple(t.test for t in self.tests if t.attainable)

    @property
    def undecided(self) -> tuple[str, ...]:
        return tuple(t.test for t in self.tests if t.attainable is None)

    @property
    def consistent(self) -> bool | None:
        """True when some allowed test can give the printed p; False when none can (or no data set
        exists); None when that is not decided."""
        if not self.feasible:
            return False
        if self.reproducing:
            return True
        return None if self.undecided else False

    @property
    def verdict(self) -> str:
        return {True: CONSISTENT, False: INCONSISTENT, None: NOT_CHECKABLE}[self.consistent]

    def verdict_line(self) -> str:
        head = f"{self.label}: printed p = {self.printed_p} is {self.verdict}"
        if not self.feasible:
            return f"{head}: no data set fits the printed summaries ({self.infeasible_reason})"
        if self.reproducing:
            return f"{head}: reproduced by {', '.join(self.reproducing)}"
        if self.undecided:
            return f"{head}: no test shown to give it; undecided for {', '.join(self.undecided)}"
        return f"{head}: none of the allowed tests can give it"

    def __repr__(self) -> str:
        lines = [self.verdict_line(), f"  reading: {self.scale.describe()}"]
        for group in self.groups:
            lines.append(f"  {group.describe()}")
        for reach in self.tests:
            lines.append("  " + reach.verdict_line())
        lines.append(f"  ({self.seconds:.2f} s)")
        if self.relaxed is not None:
            lines.append("  relaxed reading: " + self.relaxed.verdict_line())
            lines += ["    " + r.verdict_line() for r in self.relaxed.tests]
        return "\n".join(lines)

    def to_record(self) -> dict[str, object]:
        """One flat row: the verdict, and per test whether it can give the printed p and its p interval."""
        record: dict[str, object] = {
            "row": self.label, "printed_p": self.printed_p, "reading": self.scale.describe(),
            "feasible": self.feasible, "verdict": self.verdict, "reproducing": ", ".join(self.reproducing),
            "infeasible_reason": self.infeasible_reason, "seconds": self.seconds,
        }
        for reach in self.tests:
            record[f"{reach.test}_attainable"] = reach.attainable
            record[f"{reach.test}_p_low"] = reach.low.p
            record[f"{reach.test}_p_high"] = reach.high.p
            record[f"{reach.test}_bounds_proved"] = reach.low.proved and reach.high.proved
        if self.relaxed is not None:
            record["relaxed_reading"] = self.relaxed.scale.describe()
            record["relaxed_verdict"] = self.relaxed.verdict
            record["relaxed_reproducing"] = ", ".join(self.relaxed.reproducing)
        return record


def _all_data_sets(sets: ConsistentSets, cap: int) -> list[tuple] | None:
    """Every data set of a group on a grid (sorted tuples), or None when there could be more than ``cap``."""
    import itertools

    step = sets.scale.step
    if step is None:
        return None
    points = _grid_points(sets.lows[0], sets.highs[-1], step)
    if math.comb(len(points) + sets.n - 1, sets.n) > cap:
        return None
    return [c for c in itertools.combinations_with_replacement(points, sets.n) if sets.contains(c)]


def _exhaustive_reaches(first: ConsistentSets, second: ConsistentSets, printed_p: str, tests: Sequence[str],
                        limit: int) -> tuple[TestReach, ...] | None:
    """On a small grid: every pair of data sets enumerated, so every bound and answer is exact."""
    if limit <= 0 or first.scale.step is None:
        return None
    sizes = []
    for sets in (first, second):  # multisets of grid points: an upper bound on the data sets, cheap to get
        points = math.floor((sets.highs[-1] - sets.lows[0]) / sets.scale.step) + 1
        sizes.append(math.comb(points + sets.n - 1, sets.n))
    if sizes[0] > 20 * limit or sizes[1] > 20 * limit or sizes[0] * sizes[1] > 50 * limit:
        return None
    sets1 = _all_data_sets(first, 20 * limit)
    sets2 = _all_data_sets(second, 20 * limit) if sets1 is not None else None
    if sets1 is None or sets2 is None or len(sets1) * len(sets2) > limit:
        return None
    target = _Target(printed_p)
    stats_ = _product_stats(_as_array(sets1), _as_array(sets2))
    how = f"exhaustive: all {len(sets1)} x {len(sets2)} consistent data sets enumerated"
    reaches = []
    for test in tests:
        if test == "mw_exact_ties":
            values = np.array([[mann_whitney_exact_ties_p([float(v) for v in a], [float(v) for v in b])
                                for b in sets2] for a in sets1])
        else:
            values = np.asarray(_p_from_stats(test, stats_, first.n, second.n), dtype=float)
        if np.all(np.isnan(values)):  # e.g. every value tied: the test gives no p at all
            pair = (sets1[0], sets2[0])
            empty = PBound(math.nan, _floats(pair), True, f"{how}; the test gives no p (NaN) on any of them",
                           math.nan)
            reaches.append(TestReach(test, printed_p, False, True, empty.how, None, None, empty, empty))
            continue
        low_index = np.unravel_index(int(np.nanargmin(values)), values.shape)
        high_index = np.unravel_index(int(np.nanargmax(values)), values.shape)

        def bound(index) -> PBound:
            pair = (sets1[index[0]], sets2[index[1]])
            _check_witness(first, second, test, pair, float(values[index]))
            return PBound(float(values[index]), _floats(pair), True, how, float(values[index]))

        hits = np.argwhere(target.distance(values) == 0)
        neighbours = (None, None)
        if test == "mw_exact":
            level = np.unique(values[~np.isnan(values)])
            p_low, p_high = target.interval
            below = [v for v in level if v < p_low and not target.hits(v)]
            above = [v for v in level if v > p_high and not target.hits(v)]
            neighbours = (float(max(below)) if below else None, float(min(above)) if above else None)
        if len(hits):
            index = tuple(hits[0])
            pair = (sets1[index[0]], sets2[index[1]])
            _check_witness(first, second, test, pair, float(values[index]))
            reaches.append(TestReach(test, printed_p, True, True, f"{how}; a data set reproduces the printed p",
                                     _floats(pair), float(values[index]), bound(low_index), bound(high_index),
                                     neighbours))
        else:
            reaches.append(TestReach(test, printed_p, False, True, f"{how}; none reproduces the printed p", None,
                                     None, bound(low_index), bound(high_index), neighbours))
    return tuple(reaches)


def _check_tests(tests: Sequence[str]) -> tuple[str, ...]:
    tests = tuple(tests)
    unknown = [t for t in tests if t not in TESTS]
    if unknown or not tests:
        raise InvalidInputError(f"tests must be a non-empty selection of {TESTS}; got {tests}")
    return tests


def audit_measured_row(first: GroupSummary, second: GroupSummary, printed_p: str, scale: Scale, *,
                       label: str = "", tests: Sequence[str] = TESTS, relax: bool = True,
                       exhaustive_limit: int = 4000) -> MeasuredRowAudit:
    """Which of the allowed two-group tests can give a printed p, given only n, median and range per group.

    Parameters
    ----------
    first, second : GroupSummary
        The printed n, minimum, median and maximum of each group, as strings.
    printed_p : str
        The printed p-value ("0.033", "<0.05").
    scale : Scale
        The values the variable can take and how its printed summaries are read.
    label : str
        Name of the row, for the verdict line.
    tests : sequence of str
        Subset of :data:`TESTS` (all six by default).
    relax : bool
        When a grid reading admits no data set, also audit the row on a grid of half the step.
    exhaustive_limit : int
        On a grid with at most this many pairs of data sets, enumerate them all (every answer exact);
        0 switches enumeration off.

    Returns
    -------
    MeasuredRowAudit
        Per test: whether it can give the printed p (with a witness, or a proof it cannot), and the
        smallest and largest p the summaries allow, each with a witness and a ``proved`` flag.

    Notes
    -----
    Exact parts: the range of U (corner data sets), hence every bound of ``mw_exact`` and whether it can give
    the printed p (its p-values are a finite set: a printed p between two of them cannot come from it);
    ``student`` on a grid (sum / sum-of-squares tables); p = 1 wherever the centre of U or equal means can be
    reached; and, for small problems (estimated work below :data:`_LATTICE_BUDGET`), the exact set of
    attainable U and the exact smallest asymptotic p. Everything else is a search over corner data sets,
    pattern families, walks between corners and single-value moves; its bounds carry ``proved=False`` and,
    where one is known, a proved outer ``limit``. A data set found by search proves attainability; a printed
    p outside a proved interval proves the opposite; other cases are reported as undecided.
    When both groups have an even n on real numbers the U extremes are a search too (each middle pair is
    optimised against the other group's corner).

    Examples
    --------
    >>> toci = GroupSummary("Toci", 17, "14", "42", "67")
    >>> non_toci = GroupSummary("Non-toci", 28, "8", "32", "61")
    >>> audit = audit_measured_row(toci, non_toci, "0.033", Scale.whole(), label="age", tests=["mw_exact"])
    >>> audit.verdict, audit.tests[0].attainable
    ('consistent', True)
    """
    tests = _check_tests(tests)
    if min(first.n, second.n) < 2 and any(t in _T_TESTS for t in tests):
        raise InvalidInputError("t tests need at least two values in each group; leave them out of tests")
    started = time.perf_counter()
    sets = (consistent_sets(first, scale), consistent_sets(second, scale))
    p_value_bounds(printed_p)  # validates the printed p
    problems = [f"{s.summary.label}: {s.reason}" for s in sets if not s.feasible]
    if problems:
        relaxed = None
        if relax and scale.is_grid:
            relaxed = audit_measured_row(first, second, printed_p, scale.halved(), label=f"{label} (half-unit grid)",
                                         tests=tests, relax=False, exhaustive_limit=exhaustive_limit)
        return MeasuredRowAudit(label, printed_p, (first, second), scale, False, "; ".join(problems), (), relaxed,
                                time.perf_counter() - started)
    reaches = _exhaustive_reaches(sets[0], sets[1], printed_p, tests, exhaustive_limit)
    if reaches is None:
        analysis = _PairAnalysis(sets[0], sets[1], printed_p)
        reaches = tuple(analysis.reach(test) for test in tests)
    return MeasuredRowAudit(label, printed_p, (first, second), scale, True, "", reaches, None,
                            time.perf_counter() - started)


class _MomentSets:
    """On a small grid: every (sum, sum of squares) a group's data sets can have, in grid units, with a way
    back to a data set. Dynamic programme over positions (positions of a box are independent); an even
    group's middle pairs each give a box."""

    def __init__(self, sets: ConsistentSets, max_cells: int = 3_000_000):
        step = sets.scale.step
        self.sets, self.step = sets, step
        self.layers: list = []  # per box: (units low, units high, list of reach arrays)
        self.ok = True
        boxes = [sets.box(split) for split in (sets.split_options(limit=10**6) if sets.even else [None])]
        lo_s = min(sum(int(v / step) for v in lows) for lows, _ in boxes)
        hi_s = max(sum(int(v / step) for v in highs) for _, highs in boxes)
        hi_q = max(sum(max(int(a / step) ** 2, int(b / step) ** 2) for a, b in zip(lows, highs)) for lows, highs in boxes)
        lo_q = 0
        self.offset_s, self.offset_q = lo_s, lo_q
        self.shape = (hi_s - lo_s + 1, hi_q - lo_q + 1)
        if self.shape[0] * self.shape[1] * len(boxes) > max_cells or any(int(v / step) < 0 for v in sets.lows):
            self.ok = False
            return
        self.reach = np.zeros(self.shape, dtype=bool)
        for lows, highs in boxes:
            units = [(int(a / step), int(b / step)) for a, b in zip(lows, highs)]
            base_s = sum(a for a, _ in units) - lo_s
            layer = np.zeros(self.shape, dtype=bool)
            layer[base_s, sum(a * a for a, _ in units)] = True
            history = [layer]
            for a, b in units:
                new = np.zeros(self.shape, dtype=bool)
                for u in range(a, b + 1):
                    ds, dq = u - a, u * u - a * a
                    if dq >= 0:
                        new[ds:, dq:] |= layer[: self.shape[0] - ds, : self.shape[1] - dq]
                    else:
                        new[ds:, : dq] |= layer[: self.shape[0] - ds, -dq:]
                layer = new
                history.append(layer)
            self.layers.append((units, history))
            self.reach |= layer

    def data_set(self, total: int, squares: int) -> tuple | None:
        """A data set with sum ``total`` and sum of squares ``squares`` (grid units), or None."""
        s, q = total - self.offset_s, squares - self.offset_q
        for units, history in self.layers:
            if not history[-1][s, q]:
                continue
            chosen = []
            for j in range(len(units) - 1, -1, -1):
                a, b = units[j]
                for u in range(a, b + 1):
                    ps, pq = s - (u - a), q - (u * u - a * a)
                    if 0 <= ps < self.shape[0] and 0 <= pq < self.shape[1] and history[j][ps, pq]:
                        chosen.append(u)
                        s, q = ps, pq
                        break
            return tuple(sorted(u * self.step for u in chosen))
        return None


def _student_exact_attainability(first: ConsistentSets, second: ConsistentSets, target: _Target):
    """Exact answer on a small grid: (True, data set) / (False, None), or None when too large.

    For fixed sums Student's p rises with the pooled centred sum of squares Q1 + Q2, so the printed p fixes
    a window of Q1 + Q2 per pair of sums; the reachable (sum, sum of squares) sets say whether the window
    can be met.
    """
    moments = [_MomentSets(first), _MomentSets(second)]
    if not all(m.ok for m in moments):
        return None
    step = float(first.scale.step)
    n1, n2 = first.n, second.n
    f = step * step
    sums1 = np.flatnonzero(moments[0].reach.any(axis=1))
    sums2 = np.flatnonzero(moments[1].reach.any(axis=1))
    low, high = target.interval
    for i in sums1:
        total1 = i + moments[0].offset_s
        squares1 = np.flatnonzero(moments[0].reach[i]) + moments[0].offset_q
        q1 = squares1 * f - (total1 * step) ** 2 / n1
        for j in sums2:
            total2 = j + moments[1].offset_s
            squares2 = np.flatnonzero(moments[1].reach[j]) + moments[1].offset_q
            q2 = squares2 * f - (total2 * step) ** 2 / n2
            p = _t_p(n1, total1 * step / n1, q1[:, None], n2, total2 * step / n2, q2[None, :], True)
            inside = (p >= low * (1 - 1e-9)) & (p <= high * (1 + 1e-9))
            for a, b in np.argwhere(inside):
                if target.hits(float(p[a, b])):
                    pair = (moments[0].data_set(int(total1), int(squares1[a])),
                            moments[1].data_set(int(total2), int(squares2[b])))
                    return True, pair
    return False, None


# --------------------------------------------------------------------------------------------------------
# Claims about strata (subgroups) printed only as "p < 0.05" / "p > 0.05"
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stratum:
    """A subgroup of a group (a CRS grade): its size and, when every member's value is known, that value.

    ``fixed`` is a printed exact value ("0": a patient with grade 0 CRS has no CRS, so its duration is 0);
    ``at_least`` a least value every member has ("1": a CRS episode lasts at least one day).
    """

    label: str
    size: int
    fixed: str | None = None
    at_least: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", as_count(self.size, name=f"stratum {self.label} size"))
        for name in ("fixed", "at_least"):
            value = getattr(self, name)
            if value is not None and parse_printed(value, name=f"stratum {self.label} {name}").relation:
                raise InvalidInputError(f"stratum {self.label}: {name} cannot be a bound")
        if self.fixed is not None and self.at_least is not None and \
                Fraction(parse_printed(self.fixed).value) < Fraction(parse_printed(self.at_least).value):
            raise InvalidInputError(f"stratum {self.label}: fixed value {self.fixed} is below at_least {self.at_least}")

    @property
    def minimum(self) -> Fraction | None:
        """The least value a member can have (``at_least`` or ``fixed``), or None."""
        value = self.fixed if self.fixed is not None else self.at_least
        return None if value is None else Fraction(parse_printed(value).value)


@dataclass(frozen=True)
class StratumComparison:
    """A printed claim comparing the values of some strata of one group with some strata of the other.

    Attributes
    ----------
    first_group, second_group : str
        Group labels (the two groups of :func:`audit_stratified_claim`, in either order).
    first_strata, second_strata : tuple of str
        The strata pooled on each side.
    printed : str
        What the paper prints as the p-value ("<0.05", ">0.05").
    direction : str or None
        "lower" when the claim says the first side's values are lower (shorter), "higher", or None.
    label : str
        Name for the verdict lines.
    """

    first_group: str
    first_strata: tuple[str, ...]
    second_group: str
    second_strata: tuple[str, ...]
    printed: str
    direction: str | None = None
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "first_strata", tuple(self.first_strata))
        object.__setattr__(self, "second_strata", tuple(self.second_strata))
        number = parse_printed(self.printed, name="printed p")
        if number.relation not in ("<", "<=", "≤", ">", ">=", "≥"):
            raise InvalidInputError(f"{self.label}: the printed p of a stratum claim is a bound such as '<0.05'")
        if self.direction not in (None, "lower", "higher"):
            raise InvalidInputError(f"direction must be 'lower', 'higher' or None, got {self.direction!r}")

    @property
    def wants_small(self) -> bool:
        return parse_printed(self.printed).relation in ("<", "<=", "≤")

    def describe(self) -> str:
        side = f"{self.first_group} {'+'.join(self.first_strata)} vs {self.second_group} {'+'.join(self.second_strata)}"
        trend = f", {self.first_group} {self.direction}" if self.direction else ""
        return f"{self.label or side}: p {self.printed}{trend}"


@dataclass(frozen=True)
class ComparisonReach:
    """What one test can give for one stratum comparison, over every assignment consistent with the
    printed summaries.

    Attributes
    ----------
    comparison : StratumComparison
    test : str
    attainable : bool or None
        Whether some assignment satisfies the printed bound (and direction); None: not decided.
    proved : bool
    how : str
    extreme : PBound
        The smallest p (for a "<" claim, among assignments in the claimed direction) or the largest p (for a
        ">" claim), with the two compared samples as witness.
    assignment : tuple
        The whole witness assignment: (group, stratum, values) triples.
    """

    comparison: StratumComparison
    test: str
    attainable: bool | None
    proved: bool
    how: str
    extreme: PBound
    assignment: tuple

    def verdict_line(self) -> str:
        word = {True: "attainable", False: "NOT attainable", None: "undecided"}[self.attainable]
        kind = "smallest" if self.comparison.wants_small else "largest"
        return (f"{self.comparison.describe()} [{self.test}]: {word} ({'proved' if self.proved else 'not proved'}); "
                f"{kind} p {self.extreme!r}")

    def __repr__(self) -> str:
        return f"{self.verdict_line()}\n  {self.how}\n  {self.extreme.how}"

    def to_record(self) -> dict[str, object]:
        return {"comparison": self.comparison.describe(), "test": self.test, "attainable": self.attainable,
                "proved": self.proved, "extreme_p": self.extreme.p, "extreme_proved": self.extreme.proved,
                "how": self.how}


@dataclass(frozen=True)
class JointReach:
    """Whether one assignment satisfies every comparison at once under one test."""

    test: str
    attainable: bool | None
    proved: bool
    how: str
    p_values: tuple[float, ...]
    assignment: tuple

    def verdict_line(self) -> str:
        word = {True: "all claims hold at once", False: "the claims CANNOT all hold at once",
                None: "undecided whether the claims can all hold at once"}[self.attainable]
        shown = ", ".join(format_p_bound(p) for p in self.p_values) if self.p_values else "-"
        return f"[{self.test}] {word} ({'proved' if self.proved else 'not proved'}); witness p: {shown}"

    def __repr__(self) -> str:
        return f"{self.verdict_line()}\n  {self.how}"

    def to_record(self) -> dict[str, object]:
        return {"test": self.test, "attainable": self.attainable, "proved": self.proved,
                "p_values": "; ".join(format_p_bound(p) for p in self.p_values), "how": self.how}


@dataclass(frozen=True)
class StratifiedClaimAudit:
    """Result of :func:`audit_stratified_claim`.

    Attributes
    ----------
    label : str
    scale : Scale
    groups : tuple of (GroupSummary, tuple of Stratum)
    comparisons : tuple of StratumComparison
    feasible : bool
        Whether any assignment fits the printed summaries, group sizes and fixed values.
    reason : str
        Why not ("" when feasible).
    reaches : tuple of ComparisonReach
        Per comparison and test.
    joint : tuple of JointReach
        Per test: all comparisons in one assignment.
    seconds : float
    """

    label: str
    scale: Scale
    groups: tuple
    comparisons: tuple[StratumComparison, ...]
    feasible: bool
    reason: str
    reaches: tuple[ComparisonReach, ...]
    joint: tuple[JointReach, ...]
    seconds: float

    @property
    def jointly_attainable(self) -> tuple[str, ...]:
        return tuple(j.test for j in self.joint if j.attainable)

    @property
    def verdict(self) -> str:
        if not self.feasible:
            return INCONSISTENT
        if self.jointly_attainable:
            return CONSISTENT
        return INCONSISTENT if all(j.attainable is False for j in self.joint) else NOT_CHECKABLE

    def verdict_line(self) -> str:
        head = f"{self.label}: {self.verdict}"
        if not self.feasible:
            return f"{head}: no assignment fits the printed summaries ({self.reason})"
        if self.jointly_attainable:
            return f"{head}: every claim can hold at once under {', '.join(self.jointly_attainable)}"
        return f"{head}: no allowed test makes every claim hold at once"

    def __repr__(self) -> str:
        lines = [self.verdict_line(), f"  reading: {self.scale.describe()}"]
        lines += ["  " + r.verdict_line() for r in self.reaches]
        lines += ["  " + j.verdict_line() for j in self.joint]
        lines.append(f"  ({self.seconds:.2f} s)")
        return "\n".join(lines)

    def to_record(self) -> dict[str, object]:
        record: dict[str, object] = {"claim": self.label, "reading": self.scale.describe(), "feasible": self.feasible,
                                     "verdict": self.verdict, "reason": self.reason, "seconds": self.seconds}
        for r in self.reaches:
            key = f"{r.comparison.label or r.comparison.describe()}_{r.test}"
            record[f"{key}_attainable"] = r.attainable
            record[f"{key}_extreme_p"] = r.extreme.p
            record[f"{key}_extreme_proved"] = r.extreme.proved
        for j in self.joint:
            record[f"joint_{j.test}"] = j.attainable
        return record


class _StrataGroup:
    """One group of a stratified claim: its consistent data sets and its strata, some with fixed values."""

    def __init__(self, summary: GroupSummary, strata: Sequence[Stratum], scale: Scale):
        self.summary = summary
        self.label = summary.label
        self.strata = tuple(strata)
        self.sets = consistent_sets(summary, scale)
        labels = [s.label for s in self.strata]
        if len(set(labels)) != len(labels):
            raise InvalidInputError(f"{self.label}: stratum labels repeat: {labels}")
        if sum(s.size for s in self.strata) != summary.n:
            raise InvalidInputError(f"{self.label}: strata sizes add up to {sum(s.size for s in self.strata)}, "
                                    f"not n = {summary.n}")
        self.fixed: list[tuple[Fraction, str]] = []
        for stratum in self.strata:
            if stratum.fixed is not None:
                value = Fraction(parse_printed(stratum.fixed).value)
                self.fixed += [(value, stratum.label)] * stratum.size
        self.free = [s for s in self.strata if s.fixed is None]
        self.minimum = {s.label: s.minimum for s in self.strata if s.at_least is not None}
        self._choices: dict[int, list] = {}
        self._eligible: dict = {}
        if self.sets.feasible and self.minimum:
            self.sets = _with_least_values(self.sets, self.strata)
        self.reason = "" if self.sets.feasible else self.sets.reason
        if self.sets.feasible:
            bad = [value for value, _ in self.fixed if not self.sets.on_scale(value)]
            if bad:
                self.reason = f"fixed value {_show(bad[0])} is not a value of the scale"
            elif not self._fixed_fit():
                self.reason = "the fixed values cannot be placed among data sets that fit the printed summaries"

    @property
    def feasible(self) -> bool:
        return not self.reason

    def _fixed_fit(self) -> bool:
        """Whether the fixed values fit some box of the group (greedy placement into positions)."""
        splits = self.sets.split_options(limit=64) if self.sets.even else [None]
        return any(self._with_fixed(self.sets.box(split)[0], split) is not None for split in splits)

    def _with_fixed(self, config: Sequence[Fraction], split) -> tuple[Fraction, ...] | None:
        """``config`` with the fixed values put in place of the values nearest them, within the box (an even
        group's middle pair stays, as it carries the median); None when they do not fit."""
        if not self.fixed:
            return tuple(config)
        key = split
        if key not in self._eligible:
            lows, highs = self.sets.box(split)
            blocked = {self.sets.middle, self.sets.middle + 1} if self.sets.even else set()
            self._eligible[key] = {value: [j for j in range(len(lows)) if j not in blocked and lows[j] <= value <= highs[j]]
                                   for value in {v for v, _ in self.fixed}}
        eligible = self._eligible[key]
        values = list(config)
        floats = [float(v) for v in values]
        used: set[int] = set()
        for value, count in sorted(_counts(v for v, _ in self.fixed).items()):
            options = [j for j in eligible[value] if j not in used]
            if len(options) < count:
                return None
            target = float(value)
            options.sort(key=lambda j: (abs(floats[j] - target), j))
            for j in options[:count]:
                values[j] = value
                used.add(j)
        return tuple(sorted(values))  # inside the box, so consistent

    def respects_minimum(self, choice: tuple[tuple, tuple]) -> bool:
        """Whether every member of a stratum with ``at_least`` has at least that value."""
        return all(value >= self.minimum[label] for value, label in zip(*choice) if label in self.minimum)

    def choices(self, limit: int = 400) -> list[tuple[tuple, tuple]]:
        if limit not in self._choices:
            made = self._make_choices(limit)
            self._choices[limit] = [choice for choice in made if self.respects_minimum(choice)] if self.minimum \
                else made
        return self._choices[limit]

    def _make_choices(self, limit: int) -> list[tuple[tuple, tuple]]:
        """(sorted values, stratum label per value) pairs: pattern and corner data sets holding the fixed values,
        with the free strata laid over the remaining values in contiguous blocks in every order, and data
        sets where one free stratum is piled on a single value (as tied as the printed range allows)."""
        import itertools

        sets = self.sets
        configs: list[tuple] = []
        bases: list[tuple] = []
        for split in (sets.split_options(limit=5) if sets.even else [None]):
            lows, highs = sets.box(split)
            bases += [(lows, highs, split)]
            for base in [lows, highs] + _pattern_configs(dataclasses.replace(sets, lows=lows, highs=highs),
                                                        limit=40):
                with_fixed = self._with_fixed(base, split)
                if with_fixed is not None:
                    configs.append(with_fixed)
        configs = list(dict.fromkeys(configs))
        orders = list(itertools.permutations(range(len(self.free))))
        result = []
        for config in configs:
            remaining = list(config)
            fixed_labels = []
            for value, label in sorted(self.fixed):
                remaining.remove(value)
                fixed_labels.append((value, label))
            for order in orders:
                labelled = list(fixed_labels)
                position = 0
                for index in order:
                    stratum = self.free[index]
                    labelled += [(v, stratum.label) for v in remaining[position:position + stratum.size]]
                    position += stratum.size
                labelled.sort(key=lambda item: item[0])
                result.append((tuple(v for v, _ in labelled), tuple(label for _, label in labelled)))
        result += self._piles(bases)
        result = list(dict.fromkeys(result))
        if len(result) > limit:
            stride = len(result) / limit
            piles = self._piles(bases)
            result = list(dict.fromkeys(piles + [result[int(i * stride)] for i in range(limit)]))
        return result

    def _piles(self, bases) -> list[tuple[tuple, tuple]]:
        """One free stratum on a single value v (every position that may hold v takes it, lowest first), the
        rest of the group at the box's low or high corner, the other free strata in every order."""
        import itertools

        sets = self.sets
        marks = sorted(set(sets.lows) | set(sets.highs))
        result = []
        for lows, highs, split in bases:
            for corner in (lows, highs):
                for stratum_index, stratum in enumerate(self.free):
                    for value in marks:
                        if not sets.on_scale(value):
                            continue
                        values = list(corner)
                        able = [j for j in range(len(values)) if lows[j] <= value <= highs[j]]
                        if sets.even:
                            k = sets.middle
                            able = [j for j in able if j not in (k, k + 1)] + [j for j in able if j in (k, k + 1)
                                                                                and values[j] == value]
                        if len(able) < stratum.size + 0:
                            continue
                        for offset in sorted({0, len(able) - stratum.size}):
                            chosen = able[offset:offset + stratum.size]
                            for j in chosen:
                                values[j] = value
                            config = self._with_fixed(values, split)
                            if config is None:
                                continue
                            remaining = list(config)
                            labelled = []
                            for fixed_value, label in sorted(self.fixed):
                                remaining.remove(fixed_value)
                                labelled.append((fixed_value, label))
                            taken = 0
                            rest = []
                            for v in remaining:
                                if v == value and taken < stratum.size:
                                    labelled.append((v, stratum.label))
                                    taken += 1
                                else:
                                    rest.append(v)
                            if taken < stratum.size:
                                continue
                            others = [s for i, s in enumerate(self.free) if i != stratum_index]
                            for order in itertools.permutations(others):
                                full = list(labelled)
                                position = 0
                                for other in order:
                                    full += [(v, other.label) for v in rest[position:position + other.size]]
                                    position += other.size
                                full.sort(key=lambda item: item[0])
                                result.append((tuple(v for v, _ in full), tuple(lab for _, lab in full)))
        return result

    def sample(self, choice: tuple[tuple, tuple], strata: Sequence[str]) -> tuple[Fraction, ...]:
        values, labels = choice
        return tuple(v for v, label in zip(values, labels) if label in strata)

    def moves(self, choice: tuple[tuple, tuple], marks: Sequence[Fraction]) -> list[tuple[tuple, tuple]]:
        """Assignments one step away: a free value moved to another mark inside its position's interval
        (keeping its stratum; inside the box, so still consistent), or two values of different free strata
        swapping strata."""
        import bisect

        values, labels = choice
        sets = self.sets
        fixed_labels = {s.label for s in self.strata if s.fixed is not None}
        if sets.even:
            k = sets.middle
            lows, highs = sets.box((values[k], values[k + 1]))
            movable = [j for j in range(len(values)) if j not in (k, k + 1)]
        else:
            lows, highs = sets.lows, sets.highs
            movable = list(range(len(values)))
        results = []
        seen = set()
        for j in movable:
            if labels[j] in fixed_labels or (values[j], labels[j], lows[j], highs[j]) in seen:
                continue
            seen.add((values[j], labels[j], lows[j], highs[j]))
            start, stop = bisect.bisect_left(marks, lows[j]), bisect.bisect_right(marks, highs[j])
            for mark in marks[start:stop]:
                if mark != values[j]:
                    new = sorted(zip(values[:j] + (mark,) + values[j + 1:], labels[:j] + (labels[j],) + labels[j + 1:]))
                    results.append((tuple(v for v, _ in new), tuple(lab for _, lab in new)))
        free_positions = [j for j in range(len(values)) if labels[j] not in fixed_labels]
        pairs_seen = set()
        for a in free_positions:
            for b in free_positions:
                if labels[a] < labels[b] and values[a] != values[b]:
                    key = (values[a], labels[a], values[b], labels[b])
                    if key in pairs_seen:
                        continue
                    pairs_seen.add(key)
                    new_labels = list(labels)
                    new_labels[a], new_labels[b] = labels[b], labels[a]
                    results.append((values, tuple(new_labels)))
        if self.minimum:
            results = [choice for choice in results if self.respects_minimum(choice)]
        return results


def _with_least_values(sets: ConsistentSets, strata: Sequence[Stratum]) -> ConsistentSets:
    """The box of a group whose strata have least values: when the members that must reach a value b number
    R, at most n - R values lie below b, so the sorted values from position n - R on are at least b.

    Any data set in the tightened box can be labelled so that every stratum keeps its least value (the
    members free to lie low take the lowest positions); the search still checks each labelling.
    """
    n = sets.n
    lows = list(sets.lows)
    marks = sorted({s.minimum for s in strata if s.minimum is not None})
    for mark in marks:
        required = sum(s.size for s in strata if s.minimum is not None and s.minimum >= mark)
        for j in range(n - required, n):
            lows[j] = max(lows[j], mark)
    if sets.scale.step is not None:
        lows = [_ceil_to(low, sets.scale.step) for low in lows]
    for j in range(1, n):
        lows[j] = max(lows[j], lows[j - 1])
    bad = [j for j in range(n) if lows[j] > sets.highs[j]]
    if bad:
        return dataclasses.replace(sets, lows=tuple(lows), feasible=False, reason=(
            f"the least values of the strata cannot be met: value {bad[0] + 1} of {n} would need "
            f"{_show(lows[bad[0]])} <= x <= {_show(sets.highs[bad[0]])}"))
    tightened = dataclasses.replace(sets, lows=tuple(lows))
    if sets.even and not tightened.split_options(limit=2):
        return dataclasses.replace(tightened, feasible=False, reason=(
            "with the least values of the strata no two middle values average to the printed median"))
    return tightened


def _counts(values: Iterable) -> dict:
    counts: dict = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def _stratum_p(test: str, x: Sequence[Fraction], y: Sequence[Fraction]) -> float:
    """p of one comparison (NaN where SciPy gives none: Welch with a single value on one side)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _p_from_summary(test, [float(v) for v in x], [float(v) for v in y])


def _direction_mask(direction: str | None, test: str, stats_: dict, m0: int, m1: int, shape) -> np.ndarray:
    """Which data sets (of :func:`_pair_stats`) lie on the claimed side ("lower": the first group's ranks or
    mean below the second's; "higher": above; None: every data set); the vectorised :func:`_direction_ok`."""
    if direction is None:
        return np.ones(shape, dtype=bool)
    sign = (stats_["u1"] - m0 * m1 / 2) if test in _RANK_TESTS else (stats_["mean1"] - stats_["mean2"])
    return sign < 0 if direction == "lower" else sign > 0


def _direction_ok(direction: str | None, x: Sequence[Fraction], y: Sequence[Fraction], test: str) -> bool:
    """Whether the samples point the claimed way (rank tests: U against its centre; t tests: the means)."""
    if direction is None:
        return True
    if test in _RANK_TESTS:
        sign = _u1_exact(x, y) - Fraction(len(x) * len(y), 2)
    else:
        sign = Fraction(sum(x), len(x)) - Fraction(sum(y), len(y))
    return sign < 0 if direction == "lower" else sign > 0


def _check_assignment(groups: Sequence[_StrataGroup], choices: Sequence[tuple[tuple, tuple]]) -> None:
    """A witness assignment must fit each group's printed summaries (AssertionError otherwise: a bug here)."""
    for group, choice in zip(groups, choices):
        if not (group.sets.contains(choice[0]) and group.respects_minimum(choice)):
            raise AssertionError(f"{group.label}: witness assignment does not fit the printed summaries")


def _assignment(groups: Sequence[_StrataGroup], choices: Sequence[tuple[tuple, tuple]]) -> tuple:
    triples = []
    for group, choice in zip(groups, choices):
        for stratum in group.strata:
            triples.append((group.label, stratum.label,
                            tuple(float(v) for v in group.sample(choice, (stratum.label,)))))
    return tuple(triples)


class _StrataSearch:
    """Evaluates stratum comparisons over assignments of two groups and searches for extremes and for
    assignments meeting every printed bound at once."""

    def __init__(self, groups: Sequence[_StrataGroup], comparisons: Sequence[StratumComparison]):
        self.groups = tuple(groups)
        self.comparisons = tuple(comparisons)
        self.sides = []  # per comparison: (strata of group 0, strata of group 1, first side is group 0)
        labels = [g.label for g in groups]
        for c in comparisons:
            first = labels.index(c.first_group)
            strata = [None, None]
            strata[first] = c.first_strata
            strata[1 - first] = c.second_strata
            self.sides.append((tuple(strata[0]), tuple(strata[1]), first == 0))
        self.choices = [g.choices() for g in groups]
        self._directions: dict = {}
        self._product: dict = {}
        self.max_moves = 250
        self.base_marks = set()
        for g in groups:
            self.base_marks |= set(g.sets.lows) | set(g.sets.highs) | {v for v, _ in g.fixed}

    def samples(self, index: int, choices: Sequence[tuple]) -> tuple[tuple, tuple]:
        """The compared samples (first side, second side) of comparison ``index`` under an assignment."""
        strata0, strata1, first_is_0 = self.sides[index]
        a = self.groups[0].sample(choices[0], strata0)
        b = self.groups[1].sample(choices[1], strata1)
        return (a, b) if first_is_0 else (b, a)

    def p(self, test: str, index: int, choices: Sequence[tuple]) -> float:
        return _stratum_p(test, *self.samples(index, choices))

    def meets(self, test: str, index: int, choices: Sequence[tuple], p: float | None = None) -> bool:
        c = self.comparisons[index]
        x, y = self.samples(index, choices)
        p = self.p(test, index, choices) if p is None else p
        return _Target(c.printed).hits(p) and _direction_ok(c.direction, x, y, test)

    def matrix(self, test: str, index: int) -> tuple[np.ndarray, np.ndarray]:
        """p and "meets the claim" for every pair of group choices (a proxy p for the conditional test)."""
        strata0, strata1, first_is_0 = self.sides[index]
        c = self.comparisons[index]
        if index not in self._product:
            a = _as_array([self.groups[0].sample(ch, strata0) for ch in self.choices[0]])
            b = _as_array([self.groups[1].sample(ch, strata1) for ch in self.choices[1]])
            self._product[index] = (a, b, _product_stats(a, b))
        a, b, stats_ = self._product[index]
        m0, m1 = a.shape[1], b.shape[1]
        if not first_is_0:  # orient as (first side, second side)
            stats_ = {"u1": m0 * m1 - stats_["u1"], "ties": stats_["ties"], "mean1": stats_["mean2"],
                      "q1": stats_["q2"], "mean2": stats_["mean1"], "q2": stats_["q1"]}
            m0, m1 = m1, m0
        proxy = "mw_asymptotic_cc" if test == "mw_exact_ties" else test
        p = np.asarray(_p_from_stats(proxy, stats_, m0, m1), dtype=float)
        direction = _direction_mask(c.direction, test, stats_, m0, m1, p.shape)
        target = _Target(c.printed)
        meets = (target.distance(p) == 0) & direction
        self._directions[(test, index)] = direction
        return p, meets

    def direction_matrix(self, test: str, index: int) -> np.ndarray:
        if (test, index) not in self._directions:
            self.matrix(test, index)
        return self._directions[(test, index)]

    def marks_for(self, choices: Sequence[tuple]) -> list[Fraction]:
        """Places a value may move to: interval ends, fixed values, the current values, and between them."""
        step = self.groups[0].sets.scale.step
        marks = set(self.base_marks)
        for values, _ in choices:
            marks |= set(values)
        ordered = sorted(marks)
        if step is None:
            return sorted(set(ordered) | {(a + b) / 2 for a, b in zip(ordered, ordered[1:])})
        points = set(ordered)
        for a, b in zip(ordered, ordered[1:]):
            middle = _floor_to((a + b) / 2, step)
            if a < middle < b:
                points.add(middle)
        return sorted(points)

    def evaluate(self, test: str, index: int, candidates: Sequence[Sequence[tuple]]) -> tuple[np.ndarray, np.ndarray]:
        """p (exact for every test) and "points the claimed way" for each candidate assignment."""
        c = self.comparisons[index]
        pairs = [self.samples(index, choices) for choices in candidates]
        x = _as_array([a for a, _ in pairs])
        y = _as_array([b for _, b in pairs])
        stats_ = _pair_stats(x, y)
        m0, m1 = x.shape[1], y.shape[1]
        direction = _direction_mask(c.direction, test, stats_, m0, m1, (len(pairs),))
        if test == "mw_exact_ties":
            p = np.array([mann_whitney_exact_ties_p([float(v) for v in a], [float(v) for v in b])
                          for a, b in pairs])
        else:
            p = np.asarray(_p_from_stats(test, stats_, m0, m1), dtype=float)
        return p, direction

    def objective(self, test: str, kind: str, candidates: Sequence[Sequence[tuple]], index: int | None = None,
                  exact: bool = True) -> np.ndarray:
        """Lower is better. kind "min": p of comparison ``index`` (inf against the claimed direction);
        "max": minus that p; "joint": minus the worst margin over all comparisons (log of alpha / p for a
        "<" claim, of p / alpha for a ">" claim; negative when a claim is missed)."""
        use = test if exact else ("mw_asymptotic_cc" if test == "mw_exact_ties" else test)
        if kind in ("min", "max"):
            p, direction = self.evaluate(use, index, candidates)
            value = np.where(direction, p, np.inf) if kind == "min" else -p
            return np.where(np.isnan(p), np.inf, value)
        worst = np.full(len(candidates), np.inf)
        for i, c in enumerate(self.comparisons):
            p, direction = self.evaluate(use, i, candidates)
            alpha = _alpha(c.printed)
            with np.errstate(divide="ignore"):
                logs = np.log(np.maximum(p, 1e-300))
            margin = (np.log(alpha) - logs) if c.wants_small else (logs - np.log(alpha))
            target = _Target(c.printed)
            hits = target.distance(p) == 0
            margin = np.where(hits, np.maximum(margin, 0.0), np.minimum(margin, -1e-12))
            if c.wants_small:
                margin = np.where(direction, margin, -np.inf)
            margin = np.where(np.isnan(p), -np.inf, margin)
            worst = np.minimum(worst, margin)
        return -worst

    def climb(self, test: str, kind: str, start: Sequence[tuple], index: int | None = None,
              rounds: int = 6) -> tuple[float, list]:
        """Hill climbing over single moves in either group (vectorised); returns (objective, assignment)."""
        current = list(start)
        best = float(self.objective(test, kind, [current], index)[0])
        for _ in range(rounds):
            marks = self.marks_for(current)
            candidates = []
            for g in (0, 1):
                moves = self.groups[g].moves(current[g], marks)
                if len(moves) > self.max_moves:  # an even spread of them keeps a round cheap
                    stride = len(moves) / self.max_moves
                    moves = [moves[int(i * stride)] for i in range(self.max_moves)]
                for moved in moves:
                    trial = list(current)
                    trial[g] = moved
                    candidates.append(trial)
            if not candidates:
                break
            if test == "mw_exact_ties":  # rank by the normal p, compute the most promising exactly
                rough = self.objective(test, kind, candidates, index, exact=False)
                order = np.argsort(rough, kind="stable")[:8]
                candidates = [candidates[int(i)] for i in order]
            values = self.objective(test, kind, candidates, index)
            position = int(np.argmin(values))
            if values[position] < best:
                best, current = float(values[position]), candidates[position]
            else:
                break
        return best, current


def _alpha(printed: str) -> float:
    return float(parse_printed(printed).value)


def _comparison_reach(search: _StrataSearch, test: str, index: int) -> tuple[ComparisonReach, np.ndarray]:
    """The most favourable p of one comparison under one test, and whether the printed bound can be met."""
    c = search.comparisons[index]
    p, meets = search.matrix(test, index)
    kind = "min" if c.wants_small else "max"
    if c.wants_small and c.direction is not None:
        scored = np.where(search.direction_matrix(test, index), p, np.inf)
    else:
        scored = p if c.wants_small else -p
    scored = np.where(np.isnan(scored), np.inf, scored)
    order = np.argsort(scored, axis=None, kind="stable")[: (3 if test == "mw_exact_ties" else 2)]
    best = None
    for flat in order:
        i, j = np.unravel_index(int(flat), p.shape)
        value, choices = search.climb(test, kind, [search.choices[0][i], search.choices[1][j]], index,
                                      rounds=4 if test == "mw_exact_ties" else 8)
        if best is None or value < best[0]:
            best = (value, choices)
    _, choices = best
    if kind == "max" and test in _T_TESTS and search.p(test, index, choices) < 1.0:
        # try to make the means equal (p = 1) from the climbed assignment or from the best starting ones
        starts = [choices] + [[search.choices[0][i], search.choices[1][j]]
                              for i, j in (np.unravel_index(int(f), p.shape)
                                           for f in np.argsort(scored, axis=None, kind="stable")[:20])]
        for start in starts:
            equal = _equalise_means(search, index, start)
            if equal is not None:
                choices = equal
                break
    x, y = search.samples(index, choices)
    m0, m1 = len(x), len(y)
    p_value = search.p(test, index, choices)
    floor = 2 / math.comb(m0 + m1, m0)
    if c.wants_small:
        if test in ("mw_asymptotic", "mw_asymptotic_cc"):
            floor = _asymptotic_floor(m0, m1, test == "mw_asymptotic_cc", c.direction)
        proved = (test in _RANK_TESTS and p_value <= floor * (1 + 1e-9)) or (test in _T_TESTS and p_value == 0.0)
        how = ("the least p the test can give for samples of these sizes at all (complete separation"
               + (", most ties)" if test.startswith("mw_asymptotic") else ")") if proved and test in _RANK_TESTS else
               "p = 0: both samples constant, with different values" if proved else
               "smallest p found by search over assignments (corners, patterns, piles, strata orders, single moves)")
    else:
        # t = 0 exactly when the means are equal (floats may print 1 - 1e-16)
        equal_means = test in _T_TESTS and sum(x) * len(y) == sum(y) * len(x) and len(set(x + y)) > 1
        proved = p_value >= 1.0 or equal_means
        how = ("p = 1, the largest possible" + (" (the two means are exactly equal, t = 0)" if equal_means else "")
               if proved else "largest p found by search over assignments")
    _check_p(test, x, y, p_value)
    _check_assignment(search.groups, choices)
    extreme = PBound(float(p_value), _floats((x, y)), proved, how, float(p_value) if proved else None)
    if search.meets(test, index, choices, p_value):
        attainable, sure, text = True, True, "an assignment meets the printed bound (witness)"
    elif proved:
        attainable, sure, text = False, True, "the most favourable p the test can give still misses the printed bound"
    else:
        attainable, sure, text = None, False, "no assignment found that meets the printed bound"
    reach = ComparisonReach(c, test, attainable, sure, text, extreme, _assignment(search.groups, choices))
    return reach, meets


def _equalise_means(search: _StrataSearch, index: int, choices: Sequence[tuple]) -> list | None:
    """Move one free value of a compared sample so that both samples have the same mean (t = 0, p = 1),
    when some value can go where that needs inside its interval; None otherwise."""
    x, y = search.samples(index, choices)
    strata0, strata1, first_is_0 = search.sides[index]
    sums = (sum(x), sum(y))
    sizes = (len(x), len(y))
    for g in (0, 1):
        group = search.groups[g]
        values, labels = choices[g]
        side = 0 if (g == 0) == first_is_0 else 1  # which sample this group's strata form
        strata = strata0 if g == 0 else strata1
        other = 1 - side
        lows, highs = group.sets.lows, group.sets.highs
        pair = set()
        if group.sets.even:
            k = group.sets.middle
            lows, highs = group.sets.box((values[k], values[k + 1]))
            pair = {k, k + 1}
        for j, (value, label) in enumerate(zip(values, labels)):
            if label not in strata or j in pair:
                continue
            needed = sizes[side] * sums[other] / sizes[other] - sums[side] + value
            if lows[j] <= needed <= highs[j] and group.sets.on_scale(needed):
                new = sorted(zip(values[:j] + (needed,) + values[j + 1:], labels))
                moved = (tuple(v for v, _ in new), tuple(lab for _, lab in new))
                if group.sets.contains(moved[0]):
                    trial = list(choices)
                    trial[g] = moved
                    a, b = search.samples(index, trial)
                    if sum(a) * len(b) == sum(b) * len(a) and len(set(a + b)) > 1:
                        return trial
    return None


@lru_cache(maxsize=64)
def _asymptotic_floor(n1: int, n2: int, continuity: bool, direction: str | None) -> float:
    """The least normal-approximation p ANY two samples of sizes n1 and n2 can give (first sample lower when
    ``direction`` is "lower", higher when "higher").

    Every pooled order is a sequence of tie blocks (a of the first sample, b of the second); a dynamic
    programme over blocks keeps, per (first placed, second placed), the Pareto set of (2 U1, tie term):
    with U1 pushed towards its extreme and the tie term as large as possible (p falls with both), which is
    all the smallest p can need. Small samples only (a few hundred states).
    """
    results = []
    for sign in ((-1,) if direction == "lower" else (1,) if direction == "higher" else (-1, 1)):
        # keep pairs (sign * 2 U1, tie term), both to be maximised
        frontier: dict[tuple[int, int], list[tuple[int, int]]] = {(0, 0): [(0, 0)]}
        for total in range(n1 + n2):
            for i in range(0, min(n1, total) + 1):
                j = total - i
                if j > n2 or (i, j) not in frontier:
                    continue
                for a in range(0, n1 - i + 1):
                    for b in range(0, n2 - j + 1):
                        if a + b == 0:
                            continue
                        gain_u = sign * a * (2 * j + b)
                        gain_t = _tie_term(a + b)
                        key = (i + a, j + b)
                        merged = frontier.get(key, []) + [(u + gain_u, t + gain_t) for u, t in frontier[(i, j)]]
                        merged.sort(key=lambda item: (-item[0], -item[1]))
                        pareto, best_t = [], -1
                        for u, t in merged:
                            if t > best_t:
                                pareto.append((u, t))
                                best_t = t
                        frontier[key] = pareto
        for u, t in frontier[(n1, n2)]:
            u1 = sign * u / 2
            if (direction == "lower" and u1 >= n1 * n2 / 2) or (direction == "higher" and u1 <= n1 * n2 / 2):
                continue
            results.append(float(_mw_asymptotic_p(u1, n1, n2, float(t), continuity)))
    return min(results) if results else 1.0


def _joint_reach(search: _StrataSearch, test: str, meets: Sequence[np.ndarray],
                 singles: Sequence[ComparisonReach]) -> JointReach:
    """Whether one assignment meets every comparison's printed bound under one test."""
    count = len(search.comparisons)
    if any(r.attainable is False and r.proved for r in singles):
        return JointReach(test, False, True, "one of the claims cannot hold on its own", (), ())
    together = np.logical_and.reduce(list(meets))
    cells = [np.unravel_index(int(i), together.shape) for i in np.flatnonzero(together)]
    if cells:  # the pair of starting data sets with the widest worst margin, then climb to widen it
        candidates = [[search.choices[0][i], search.choices[1][j]] for i, j in cells[:400]]
        values = search.objective(test, "joint", candidates)
        starts = [candidates[int(np.argmin(values))]]
    else:
        starts = []
        for m in meets:
            starts += [[search.choices[0][i], search.choices[1][j]]
                       for i, j in (np.unravel_index(int(k), m.shape) for k in np.flatnonzero(m)[:2])]
        starts = starts[:4] or [[search.choices[0][0], search.choices[1][0]]]
    best = None
    for start in starts:
        value, choices = search.climb(test, "joint", start, rounds=3 if test == "mw_exact_ties" else 5)
        if best is None or value < best[0]:
            best = (value, choices)
    _, choices = best
    p_values = tuple(search.p(test, index, choices) for index in range(count))
    if all(search.meets(test, index, choices, p) for index, p in enumerate(p_values)):
        _check_assignment(search.groups, choices)
        return JointReach(test, True, True, "one assignment meets every printed bound (witness)", p_values,
                          _assignment(search.groups, choices))
    return JointReach(test, None, False, "no single assignment found that meets every printed bound", p_values,
                      _assignment(search.groups, choices))


def audit_stratified_claim(groups: Sequence[tuple[GroupSummary, Sequence[Stratum]]],
                           comparisons: Sequence[StratumComparison], scale: Scale, *, label: str = "",
                           tests: Sequence[str] = TESTS) -> StratifiedClaimAudit:
    """Can any assignment of values to patients, consistent with every printed summary, make printed
    "p < 0.05" / "p > 0.05" claims about strata hold, under each allowed test, one at a time and at once?

    Parameters
    ----------
    groups : sequence of two (GroupSummary, strata)
        Each group's printed n, median and range (over all its members) and its strata (sizes adding up
        to n; a stratum may have a fixed value every member has).
    comparisons : sequence of StratumComparison
        The printed claims (strata of one group against strata of the other).
    scale : Scale
        The values and how printed summaries are read.
    label : str
    tests : sequence of str
        Subset of :data:`TESTS`.

    Returns
    -------
    StratifiedClaimAudit
        Per comparison and test: whether the printed bound (and direction) can be met and the most
        favourable p (smallest for "<", largest for ">") with a witness assignment; per test: whether one
        assignment meets every claim at once.

    Notes
    -----
    An assignment is a consistent data set of each group (as in :func:`consistent_sets`, holding the fixed
    values) with its values split among the strata; nothing ties a stratum to a range of values (a grade-3
    patient may have a shorter CRS than a grade-2 one). The search starts from corner and pattern data sets
    with the free strata laid in contiguous blocks in every order, keeps the pairs that meet each claim,
    and climbs by single moves (a value moved, or two values of different strata swapping strata).
    Proved: a witness proves attainability; the smallest p is proved when it is the least the test can give
    at all (2 / C(m1 + m2, m1) for the exact Mann-Whitney tests at complete separation; 0 for t tests when
    both samples are constant), the largest when it is 1. A claim or a joint claim is proved impossible only
    through those limits; otherwise a failed search is reported as undecided. Exactly two groups.

    Examples
    --------
    Figure 2B of Zhou et al. (durations in days; grade 0 CRS lasts 0 days), real-valued reading:

    >>> toci = (GroupSummary("Toci", 17, "2", "6.1", "14"), [Stratum("2", 8), Stratum("3", 9)])
    >>> non_toci = (GroupSummary("Non-toci", 28, "0", "5.5", "12"),
    ...             [Stratum("0", 4, fixed="0"), Stratum("1", 7), Stratum("2", 11), Stratum("3", 6)])
    >>> shorter = StratumComparison("Toci", ("3",), "Non-toci", ("3",), "<0.05", "lower", "grade 3")
    >>> same = StratumComparison("Toci", ("2",), "Non-toci", ("1", "2"), ">0.05", None, "grade 1-2")
    >>> audit = audit_stratified_claim([toci, non_toci], [shorter, same], Scale.real(lower=0),
    ...                                tests=["mw_exact"])
    >>> audit.verdict, audit.joint[0].attainable
    ('consistent', True)
    """
    tests = _check_tests(tests)
    started = time.perf_counter()
    if len(groups) != 2:
        raise InvalidInputError("a stratified claim compares exactly two groups")
    strata_groups = [_StrataGroup(summary, strata, scale) for summary, strata in groups]
    labels = [g.label for g in strata_groups]
    if len(set(labels)) != 2:
        raise InvalidInputError(f"the two groups need different labels, got {labels}")
    comparisons = tuple(comparisons)
    for c in comparisons:
        if {c.first_group, c.second_group} != set(labels):
            raise InvalidInputError(f"{c.describe()}: compare strata of {labels[0]} with strata of {labels[1]}")
        for group_label, strata in ((c.first_group, c.first_strata), (c.second_group, c.second_strata)):
            known = {s.label for s in strata_groups[labels.index(group_label)].strata}
            if not strata or not set(strata) <= known:
                raise InvalidInputError(f"{c.describe()}: unknown strata {sorted(set(strata) - known)} of {group_label}")
    reasons = [f"{g.label}: {g.reason}" for g in strata_groups if not g.feasible]
    summaries = tuple((g.summary, g.strata) for g in strata_groups)
    if reasons:
        return StratifiedClaimAudit(label, scale, summaries, comparisons, False, "; ".join(reasons), (), (),
                                    time.perf_counter() - started)
    search = _StrataSearch(strata_groups, comparisons)
    reaches, joint = [], []
    for test in tests:
        singles, meets = [], []
        for index in range(len(comparisons)):
            reach, meet = _comparison_reach(search, test, index)
            singles.append(reach)
            meets.append(meet)
        reaches += singles
        joint.append(_joint_reach(search, test, meets, singles))
    return StratifiedClaimAudit(label, scale, summaries, comparisons, True, "", tuple(reaches), tuple(joint),
                                time.perf_counter() - started)
