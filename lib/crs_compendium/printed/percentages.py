"""Percentages against their counts: does n out of N print as the percentage the paper prints?

GRIM for percentages: a percentage printed with one decimal stands for every value that rounds to it, so
it is consistent with n/N when 100 n / N rounds to it (a tie either way, unless a tie rule is given).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..exceptions import InvalidInputError
from ..formatting import format_number
from ..numbers import as_count, check_rounding_mode, decimals, printed_decimal, rounded_strings, rounds_to
from .result import CheckResult

__all__ = [
    "PercentageCheck",
    "PercentageCandidates",
    "check_percentage",
    "percentage_n_candidates",
    "percentage_denominator_candidates",
]


@dataclass(frozen=True, repr=False)
class PercentageCheck(CheckResult):
    """Result of :func:`check_percentage`: a printed percentage against n/N."""

    n: int
    N: int
    rounding: str

    def _subject(self) -> str:
        return f"{self.printed}% of N={self.N} with n={self.n}"


@dataclass(frozen=True, repr=False)
class PercentageCandidates(CheckResult):
    """Result of :func:`percentage_n_candidates`: the counts n out of N that print as the percentage."""

    N: int
    candidates: tuple[int, ...]
    rounding: str

    def _subject(self) -> str:
        return f"{self.printed}% of N={self.N}"


def _check_n_of_N(n: object, N: object) -> tuple[int, int]:
    n_count, N_count = as_count(n, name="n"), as_count(N, name="N")
    if N_count == 0:
        raise InvalidInputError("N must be positive: a percentage of nobody is undefined")
    if n_count > N_count:
        raise InvalidInputError(f"n ({n_count}) cannot exceed N ({N_count})")
    return n_count, N_count


def _candidates(printed: str, N: int, rounding: str) -> tuple[int, ...]:
    return tuple(n for n in range(N + 1) if rounds_to(Fraction(100 * n, N), printed, rounding=rounding))


def _neighbours_note(printed: str, N: int) -> str:
    """The two counts whose percentages bracket the printed one, e.g. '38/45 = 84.4%, 39/45 = 86.7%'."""
    places = decimals(printed)
    target = Fraction(printed_decimal(printed))
    below = min(N, max(0, math.floor(target * N / 100)))
    shown = sorted({below, min(N, below + 1)})
    return ", ".join(f"{n}/{N} = {format_number(Fraction(100 * n, N), places)}%" for n in shown)


def check_percentage(printed: str, n: object, N: object, *, rounding: str = "up_or_down") -> PercentageCheck:
    """Check a printed percentage against the count n out of N at the printed precision.

    Parameters
    ----------
    printed : str
        The percentage as printed, without the % sign ("84.8").
    n, N : int or str
        The count and the denominator it is a percentage of.
    rounding : str, default "up_or_down"
        Tie rule, one of :data:`ROUNDING_MODES`.

    Examples
    --------
    >>> check_percentage("84.8", 38, 45).consistent   # 38/45 is 84.4%
    False
    """
    check_rounding_mode(rounding)
    n_count, N_count = _check_n_of_N(n, N)
    places = decimals(printed)
    exact = Fraction(100 * n_count, N_count)
    consistent = rounds_to(exact, printed, rounding=rounding)
    note = ""
    if not consistent:
        candidates = _candidates(printed, N_count, rounding)
        found = ", ".join(f"{c}/{N_count}" for c in candidates) if candidates else "none"
        note = f"counts of {N_count} that print as {printed}%: {found} ({_neighbours_note(printed, N_count)})"
    return PercentageCheck(
        consistent=consistent,
        printed=printed,
        recomputed=" or ".join(rounded_strings(exact, places, rounding)),
        method=f"100*n/N rounded to {places} decimals, ties {rounding.replace('_', ' ')}",
        note=note,
        n=n_count,
        N=N_count,
        rounding=rounding,
    )


def percentage_n_candidates(printed: str, N: object, *, rounding: str = "up_or_down") -> PercentageCandidates:
    """All counts n in 0..N whose percentage of N prints as ``printed`` (GRIM for percentages).

    ``consistent`` is False when no count works: then the printed percentage cannot be a share of N.

    Examples
    --------
    >>> percentage_n_candidates("53.3", 45).candidates
    (24,)
    >>> percentage_n_candidates("84.8", 45).candidates    # no n out of 45 gives 84.8%
    ()
    """
    check_rounding_mode(rounding)
    N_count = as_count(N, name="N")
    if N_count == 0:
        raise InvalidInputError("N must be positive: a percentage of nobody is undefined")
    found = _candidates(printed, N_count, rounding)
    return PercentageCandidates(
        consistent=bool(found),
        printed=printed,
        recomputed=", ".join(f"{n}/{N_count}" for n in found) if found else "no n",
        method=f"n in 0..N with 100*n/N rounding to {decimals(printed)} decimals, ties {rounding.replace('_', ' ')}",
        note="" if found else f"nearest: {_neighbours_note(printed, N_count)}",
        N=N_count,
        candidates=found,
        rounding=rounding,
    )


def percentage_denominator_candidates(
    printed: str, n: object, max_denominator: int, *, rounding: str = "up_or_down"
) -> tuple[int, ...]:
    """All denominators N in n..max_denominator for which n/N prints as ``printed`` percent.

    Useful when a percentage fails for the stated N: e.g. 2 patients printed as 4.5% fit N = 44, not 45.
    """
    check_rounding_mode(rounding)
    n_count = as_count(n, name="n")
    limit = as_count(max_denominator, name="max_denominator")
    return tuple(
        N for N in range(max(n_count, 1), limit + 1)
        if rounds_to(Fraction(100 * n_count, N), printed, rounding=rounding)
    )

