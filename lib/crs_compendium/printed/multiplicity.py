"""Multiplicity: Bonferroni's adjustment of a table's p-values, and a printed adjusted p checked against it."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from numbers import Integral

from ..exceptions import InvalidInputError
from ..formatting import format_number
from ..numbers import as_count, decimals, p_value_bounds, printed_decimal, rounding_bounds
from .result import CheckResult

__all__ = ["BonferroniCheck", "bonferroni", "check_bonferroni"]


def bonferroni(p: float, m: int) -> float:
    """Bonferroni-adjusted p: m times p, capped at 1 (an adjusted p is still a probability).

    Examples
    --------
    >>> bonferroni(0.033, 10), bonferroni(0.511, 10)
    (0.33, 1.0)
    """
    if isinstance(m, bool) or not isinstance(m, Integral) or m < 1:
        raise InvalidInputError(f"bonferroni: m must be a positive number of tests, got {m!r}")
    return min(1.0, float(m) * float(p))


@dataclass(frozen=True, repr=False)
class BonferroniCheck(CheckResult):
    """Result of :func:`check_bonferroni`: a printed adjusted p against min(1, m * printed p)."""

    printed_p: str
    m: int

    def _subject(self) -> str:
        return f"adjusted p {self.printed} for p = {self.printed_p}, m = {self.m}"


def check_bonferroni(printed_adjusted: str, printed_p: str, m: object) -> BonferroniCheck:
    """Check a printed Bonferroni-adjusted p against min(1, m * p) from the printed unadjusted p.

    The printed p stands for an interval (see :func:`reproduces_p`); the adjusted value is consistent if
    it is a probability (at most 1) and its own rounding interval meets ``min(1, m * interval)``. A value
    above 1 is reported with whether it equals the uncapped product m * p (the usual slip).

    Examples
    --------
    >>> check_bonferroni("5.11", "0.511", 10).consistent   # Bonferroni caps at 1
    False
    >>> check_bonferroni("0.33", "0.033", 10).consistent
    True
    """
    m_tests = as_count(m, name="m")
    if m_tests < 1:
        raise InvalidInputError("m, the number of tests, must be at least 1")
    adjusted_value = Fraction(printed_decimal(printed_adjusted, name="printed_adjusted"))
    p_low, p_high = p_value_bounds(printed_p)
    capped_low, capped_high = min(Fraction(1), m_tests * p_low), min(Fraction(1), m_tests * p_high)
    adjusted_low, adjusted_high = rounding_bounds(printed_adjusted)
    places = decimals(printed_adjusted)
    center = min(Fraction(1), m_tests * (p_low + p_high) / 2)
    note = ""
    if adjusted_value > 1:
        consistent = False
        uncapped = adjusted_low <= m_tests * p_high and m_tests * p_low <= adjusted_high
        note = f"{printed_adjusted} exceeds 1 and is not a probability" + (
            f"; it equals the uncapped m*p = {m_tests} x {printed_p}" if uncapped else ""
        )
    else:
        consistent = adjusted_low <= capped_high and capped_low <= adjusted_high
        if not consistent:
            span = f"{format_number(capped_low, places + 1)}, {format_number(capped_high, places + 1)}"
            note = f"min(1, m*p) lies in [{span}]"
    return BonferroniCheck(
        consistent=consistent,
        printed=printed_adjusted.strip(),
        recomputed=format_number(center, places),
        method="Bonferroni min(1, m*p)",
        note=note,
        printed_p=printed_p.strip(),
        m=m_tests,
    )

