"""Checks that set one printed number against other printed numbers, or a sentence against its p-value.

:mod:`crs_compendium.reported` checks a number against what it is computed from (a percentage against
n/N, a sum against its parts). The checks here relate numbers the paper prints in different places: two
printings of one number, a subgroup count against its group, a median against the counts of a binned
version of the same variable, a printed value against the interval other printed numbers leave for it,
and a narrative claim of (no) significance against the printed p-value.

Every check takes printed numbers as strings (their decimals are their precision) and returns a frozen
result whose ``repr`` is the verdict line, like the checks of :mod:`crs_compendium.reported`.
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.registry import parse_printed
from crs_compendium.reported import CheckResult, rounding_bounds
from crs_compendium.verdicts import CONSISTENT, INCONSISTENT, NOT_CHECKABLE

__all__ = [
    "SIGNIFICANT",
    "NOT_SIGNIFICANT",
    "UNDETERMINED",
    "PrintingsCheck",
    "AtMostCheck",
    "IntervalCheck",
    "SignificanceCheck",
    "check_printings_agree",
    "check_at_most",
    "median_bounds",
    "check_in_interval",
    "classify_p",
    "check_significance",
]

SIGNIFICANT = "significant"
NOT_SIGNIFICANT = "not significant"
UNDETERMINED = "undetermined"
"""What a printed p-value says at a significance level: below it, at or above it, or either (a printed
p whose rounding interval contains the level, such as "0.05")."""


def _printed(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be the number as printed, a string; got {type(value).__name__}")
    return value.strip()


def _plain_fraction(printed: str, name: str) -> Fraction:
    number = parse_printed(_printed(printed, name))
    if number.relation:
        raise InvalidInputError(f"{name} {printed!r}: a bound such as '<0.05' is not a value to compare")
    return Fraction(number.value)


def _as_count(value: object, name: str) -> int:
    text = _printed(value, name) if isinstance(value, str) else value
    if isinstance(text, str):
        number = parse_printed(text)
        if number.relation or number.value != number.value.to_integral_value():
            raise InvalidInputError(f"{name} must be a whole count, got {value!r}")
        return int(number.value)
    if isinstance(text, bool) or not isinstance(text, int) or text < 0:
        raise InvalidInputError(f"{name} must be a non-negative whole count, got {value!r}")
    return text


def _show(value: Fraction) -> str:
    """A bound for display: integers as integers, anything else to 4 significant decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4g}"


# --------------------------------------------------------------------------------------------------------
# Two printings of one number
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class PrintingsCheck(CheckResult):
    """Result of :func:`check_printings_agree`: every printing of one quantity, by where it is printed."""

    printings: tuple[tuple[str, str], ...]

    def _subject(self) -> str:
        return " vs ".join(f"{value} ({where})" for where, value in self.printings)


def _may_be_equal(first: str, second: str) -> bool:
    """Whether two printings can stand for the same true value.

    Printed with the same decimals (and the same relation sign), they must be identical, since rounding
    one value the same way twice gives one result; printed with different decimals ("0.35" and
    "0.350"), their rounding intervals must meet.
    """
    a, b = parse_printed(first), parse_printed(second)
    if a.relation != b.relation:
        return False
    if a.decimals == b.decimals:
        return a.value == b.value
    a_low, a_high = rounding_bounds(str(a.value))
    b_low, b_high = rounding_bounds(str(b.value))
    return a_low <= b_high and b_low <= a_high


def check_printings_agree(printings: Mapping[str, str]) -> PrintingsCheck:
    """Check that a number printed in several places is printed the same everywhere (up to rounding).

    Parameters
    ----------
    printings : mapping of str to str
        Where each printing is (a claim id or location) to the number as printed there; at least two.

    Examples
    --------
    >>> check_printings_agree({"text": "84.8", "Table 2": "84.4"}).consistent
    False
    >>> check_printings_agree({"text": "0.35", "figure": "0.350"}).consistent
    True
    """
    if not isinstance(printings, Mapping) or len(printings) < 2:
        raise InvalidInputError("printings must map at least two places to the number printed there")
    items = tuple((str(where), _printed(value, f"printing at {where}")) for where, value in printings.items())
    for _, value in items:
        parse_printed(value)  # refuse anything that is not a printed number
    values = [value for _, value in items]
    disagreeing = sorted({f"{a} vs {b}" for a in values for b in values if a < b and not _may_be_equal(a, b)})
    distinct = sorted(set(values), key=lambda value: (parse_printed(value).value, value))
    return PrintingsCheck(
        consistent=not disagreeing,
        printed=" / ".join(values),
        recomputed=distinct[0] if not disagreeing else "no single value",
        method="printings of one quantity agree (same decimals: identical; else overlapping rounding)",
        note="" if not disagreeing else f"printed differently: {'; '.join(disagreeing)}",
        printings=items,
    )


# --------------------------------------------------------------------------------------------------------
# A subgroup against its group
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class AtMostCheck(CheckResult):
    """Result of :func:`check_at_most`: a count of a subgroup against the count of its group."""

    part: int
    whole: int
    label: str

    def _subject(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"{name}{self.part} <= {self.whole}"


def check_at_most(part: object, whole: object, *, label: str = "") -> AtMostCheck:
    """Check that the count of a subgroup does not exceed the count of the group that contains it.

    Examples
    --------
    >>> check_at_most("1", "2", label="grade 3 ICANS within ICANS").consistent
    True
    """
    part_count, whole_count = _as_count(part, "part"), _as_count(whole, "whole")
    consistent = part_count <= whole_count
    return AtMostCheck(
        consistent=consistent,
        printed=str(part_count),
        recomputed=f"at most {whole_count}",
        method="a subgroup count is at most its group's count",
        note="" if consistent else f"{part_count} patients cannot be a subgroup of {whole_count}",
        part=part_count,
        whole=whole_count,
        label=label,
    )


# --------------------------------------------------------------------------------------------------------
# A value against the interval other numbers leave for it
# --------------------------------------------------------------------------------------------------------
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


@dataclass(frozen=True, repr=False)
class IntervalCheck(CheckResult):
    """Result of :func:`check_in_interval`: a printed value against the interval other numbers allow."""

    low: Fraction
    high: Fraction
    what: str

    def _subject(self) -> str:
        return f"{self.what} {self.printed}" if self.what else self.printed


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
    text = _printed(printed, "printed")
    number = parse_printed(text)
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


# --------------------------------------------------------------------------------------------------------
# Narrative significance against the printed p-value
# --------------------------------------------------------------------------------------------------------
def classify_p(printed_p: str, alpha: str = "0.05") -> str:
    """What a printed p-value says at level alpha: significant (p < alpha), not significant, undetermined.

    A plain printed p stands for its rounding interval; a printed bound ("<0.05", ">0.05") for the values
    it allows. A p above 1 (an uncapped Bonferroni product) is a probability of 1 and not significant.

    Examples
    --------
    >>> classify_p("0.042"), classify_p("0.42"), classify_p("0.05"), classify_p("<0.05"), classify_p("5.11")
    ('significant', 'not significant', 'undetermined', 'significant', 'not significant')
    """
    level = _plain_fraction(alpha, "alpha")
    if not 0 < level < 1:
        raise InvalidInputError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    number = parse_printed(_printed(printed_p, "printed_p"))
    bound = Fraction(number.value)
    if number.relation in ("<", "≤"):
        below = bound <= level if number.relation == "<" else bound < level
        return SIGNIFICANT if below else UNDETERMINED
    if number.relation in (">", "≥"):
        return NOT_SIGNIFICANT if bound >= level else UNDETERMINED
    low, high = rounding_bounds(str(number.value))
    if high < level:
        return SIGNIFICANT
    if min(low, Fraction(1)) >= level:
        return NOT_SIGNIFICANT
    return UNDETERMINED


@dataclass(frozen=True)
class SignificanceCheck:
    """Result of :func:`check_significance`: what a sentence asserts against what its p-values say.

    Attributes
    ----------
    asserts : str
        ``"significant"`` or ``"not significant"``.
    printed : tuple of (str, str)
        The p-values the sentence rests on, as (label, printed p).
    findings : tuple of str
        What each p-value says at ``alpha`` (:func:`classify_p`).
    alpha : str
        The significance level.
    """

    asserts: str
    printed: tuple[tuple[str, str], ...]
    findings: tuple[str, ...]
    alpha: str

    @property
    def verdict(self) -> str:
        """Consistent if every p-value says what the sentence asserts; inconsistent if any says the
        opposite; not checkable if there is no p-value or one is undetermined (and none contradicts)."""
        if any(finding not in (self.asserts, UNDETERMINED) for finding in self.findings):
            return INCONSISTENT
        if not self.findings or UNDETERMINED in self.findings:
            return NOT_CHECKABLE
        return CONSISTENT

    @property
    def consistent(self) -> bool | None:
        """True or False for a decided verdict, None when not checkable."""
        return {CONSISTENT: True, INCONSISTENT: False}.get(self.verdict)

    @property
    def note(self) -> str:
        """Which p-values contradict the sentence, or why none can be judged."""
        if not self.findings:
            return "no p-value is printed for this statement"
        contradicting = [f"p = {p} ({label}) is {finding}" for (label, p), finding in zip(self.printed, self.findings)
                         if finding not in (self.asserts, UNDETERMINED)]
        if contradicting:
            return "; ".join(contradicting) + f" at alpha = {self.alpha}"
        undetermined = [f"p = {p} ({label})" for (label, p), finding in zip(self.printed, self.findings)
                        if finding == UNDETERMINED]
        return f"{', '.join(undetermined)} straddles alpha = {self.alpha}" if undetermined else ""

    def __repr__(self) -> str:
        values = ", ".join(f"{label} p = {p} ({finding})" for (label, p), finding in zip(self.printed, self.findings))
        line = f"{self.verdict}: asserts {self.asserts}; {values or 'no printed p'}"
        return f"{line}\n  note: {self.note}" if self.note and self.verdict != CONSISTENT else line

    def _repr_html_(self) -> str:
        colour = {CONSISTENT: "#0072B2", INCONSISTENT: "#D55E00"}.get(self.verdict, "#555555")
        return f'<p><b style="color:{colour}">{self.verdict}</b>: {html.escape(repr(self).split(": ", 1)[1])}</p>'


def check_significance(asserts: str, printed_ps: Mapping[str, str], *, alpha: str = "0.05") -> SignificanceCheck:
    """Check a narrative claim of (no) significant difference against the printed p-values it rests on.

    Parameters
    ----------
    asserts : {"significant", "not significant"}
        What the sentence claims.
    printed_ps : mapping of str to str
        Label (e.g. a claim id) to printed p-value; may be empty when the paper prints none.
    alpha : str, default "0.05"
        The significance level (the paper's figures mark p < 0.05).

    Examples
    --------
    >>> check_significance("significant", {"Table 2 blasts, P#": "0.42"}).verdict
    'inconsistent'
    """
    if asserts not in (SIGNIFICANT, NOT_SIGNIFICANT):
        raise InvalidInputError(f"asserts must be {SIGNIFICANT!r} or {NOT_SIGNIFICANT!r}, got {asserts!r}")
    if not isinstance(printed_ps, Mapping):
        raise InvalidInputError("printed_ps must map a label to a printed p-value")
    printed = tuple((str(label), _printed(value, f"p of {label}")) for label, value in printed_ps.items())
    findings = tuple(classify_p(value, alpha) for _, value in printed)
    return SignificanceCheck(asserts=asserts, printed=printed, findings=findings, alpha=alpha)
