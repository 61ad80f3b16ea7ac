"""Consistency checks of numbers as a paper prints them: percentages, sums, medians and ranges, p-values.

A printed number is a string: its decimals say how it was rounded ("5.0" is not "5"), so every check here
reads strings and computes with exact fractions, never binary floats. Each check takes one case and returns
a frozen result whose ``repr`` is the verdict line; :func:`check_map` applies a check to every row of a
table and :func:`audit` counts the verdicts (scrutiny's trio: one case, many cases, summary).

A rounded number stands for an interval of true values. Which rounding the authors' software used is
unknown (SPSS rounds half away from zero, Python and R half to even), so by default a value is consistent
with a printed number if rounding it either up or down at a tie gives the printed number, as scrutiny's
``rounding = "up_or_down"`` does: the interval is closed, ``[printed - u/2, printed + u/2]`` with ``u`` one
unit in the last printed place.
"""
from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from numbers import Integral

import pandas as pd

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.verdicts import verdict

__all__ = [
    "ROUNDING_MODES",
    "decimals",
    "round_fraction",
    "rounds_to",
    "rounding_bounds",
    "reproduces_p",
    "CheckResult",
    "PercentageCheck",
    "PercentageCandidates",
    "SumCheck",
    "MedianRangeCheck",
    "PooledSummaryCheck",
    "BonferroniCheck",
    "check_percentage",
    "percentage_n_candidates",
    "percentage_denominator_candidates",
    "check_sum",
    "check_median_range",
    "check_pooled_median_range",
    "check_bonferroni",
    "check_map",
    "audit",
]

ROUNDING_MODES = ("up_or_down", "half_up", "half_down", "half_even")
"""Accepted values of ``rounding``: ties either way (default), half away from zero (SPSS, Excel), half
toward zero, half to even (R's and Python's ``round``)."""

_HALF = Fraction(1, 2)
_INEQUALITY_PREFIXES = ("<=", ">=", "≤", "≥", "<", ">")


# --------------------------------------------------------------------------------------------------------
# Reading printed numbers and rounding exactly
# --------------------------------------------------------------------------------------------------------
def _printed_decimal(printed: object, *, name: str = "printed") -> Decimal:
    """Parse a printed number (a string such as "84.8", ".042", "10") into an exact, finite Decimal."""
    if not isinstance(printed, str):
        raise InvalidInputError(
            f"{name} must be the number as printed, as a string (its decimals carry the precision); "
            f"got {type(printed).__name__} {printed!r}"
        )
    text = printed.strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInputError(f"{name} {printed!r} is not a number") from None
    if not value.is_finite():
        raise InvalidInputError(f"{name} {printed!r} is not a finite number")
    return value


def decimals(printed: str) -> int:
    """Number of decimal places a printed number shows, trailing zeros included.

    Examples
    --------
    >>> decimals("0.040"), decimals("84.8"), decimals("10"), decimals(".042")
    (3, 1, 0, 3)
    """
    exponent = _printed_decimal(printed).as_tuple().exponent
    return max(0, -int(exponent))


def _to_fraction(value: object, *, name: str = "value") -> Fraction:
    """Exact value of a number: ints, Fractions, Decimals and strings exactly; floats via their shortest repr.

    A float is read as a person reads it (``0.0425`` is the tie 425/10000, not the binary number just
    below it), so a computed p-value that prints as a tie is treated as a tie.
    """
    if isinstance(value, bool):
        raise InvalidInputError(f"{name} must be a number, got a bool")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Integral):
        return Fraction(int(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInputError(f"{name} {value!r} is not finite")
        return Fraction(value)
    if isinstance(value, str):
        return Fraction(_printed_decimal(value, name=name))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(f"{name} {value!r} is not finite")
        return Fraction(Decimal(repr(value)))
    raise InvalidInputError(f"{name} must be a number or a printed number, got {type(value).__name__}")


def _check_rounding(rounding: str) -> None:
    if rounding not in ROUNDING_MODES:
        raise InvalidInputError(f"rounding must be one of {ROUNDING_MODES}, got {rounding!r}")


def _check_places(places: object) -> int:
    if isinstance(places, bool) or not isinstance(places, Integral) or places < 0:
        raise InvalidInputError(f"places must be a non-negative integer, got {places!r}")
    return int(places)


def round_fraction(value: object, places: int, rounding: str = "half_up") -> Decimal:
    """Round a number exactly to ``places`` decimals with one tie rule; returns a Decimal with those places.

    ``rounding`` is ``"half_up"`` (half away from zero, as SPSS), ``"half_down"`` (half toward zero) or
    ``"half_even"``; ``"up_or_down"`` has two results, see :func:`rounds_to`.

    Examples
    --------
    >>> round_fraction("0.0425", 3), round_fraction("0.0425", 3, "half_down"), round_fraction(0.0425, 3, "half_even")
    (Decimal('0.043'), Decimal('0.042'), Decimal('0.042'))
    """
    places = _check_places(places)
    if rounding not in ("half_up", "half_down", "half_even"):
        raise InvalidInputError(
            f"round_fraction needs a single tie rule (half_up, half_down, half_even), got {rounding!r}"
        )
    exact = _to_fraction(value)
    scaled = abs(exact) * 10**places
    whole, remainder = divmod(scaled.numerator, scaled.denominator)
    rest = Fraction(remainder, scaled.denominator)
    tie_goes_up = rounding == "half_up" or (rounding == "half_even" and whole % 2 == 1)
    if rest > _HALF or (rest == _HALF and tie_goes_up):
        whole += 1
    signed = -whole if exact < 0 else whole
    return Decimal(signed).scaleb(-places)


def rounding_bounds(printed: str) -> tuple[Fraction, Fraction]:
    """Closed interval of true values that round to ``printed`` when ties may go either way.

    Examples
    --------
    >>> rounding_bounds("0.042")
    (Fraction(83, 2000), Fraction(17, 400))
    """
    center = Fraction(_printed_decimal(printed))
    half_unit = Fraction(1, 10 ** decimals(printed)) / 2
    return center - half_unit, center + half_unit


def rounds_to(value: object, printed: str, *, rounding: str = "up_or_down") -> bool:
    """Whether ``value`` rounded to the decimals of ``printed`` gives ``printed``.

    With the default ``"up_or_down"`` a tie may be rounded either way (the closed interval of
    :func:`rounding_bounds`), so ``0.0425`` rounds to both "0.042" and "0.043".
    """
    _check_rounding(rounding)
    target = _printed_decimal(printed)
    if rounding == "up_or_down":
        low, high = rounding_bounds(printed)
        return low <= _to_fraction(value) <= high
    return round_fraction(value, decimals(printed), rounding) == target


def _rounded_strings(value: Fraction, places: int, rounding: str) -> tuple[str, ...]:
    """The printed forms ``value`` can take at ``places`` decimals (two at a tie under up_or_down)."""
    if rounding == "up_or_down":
        options = {str(round_fraction(value, places, "half_up")), str(round_fraction(value, places, "half_down"))}
        return tuple(sorted(options, key=Decimal))
    return (str(round_fraction(value, places, rounding)),)


def _split_inequality(printed: str) -> tuple[str | None, str]:
    text = printed.strip()
    for prefix in _INEQUALITY_PREFIXES:
        if text.startswith(prefix):
            return prefix, text[len(prefix):].strip()
    return None, text


def reproduces_p(value: object, printed: str) -> bool:
    """Whether a computed p-value reproduces a printed one at the printed precision.

    A plain printed p ("0.042", "1.000", "0.000") is reproduced when rounding the computed value half
    either way to the printed decimals gives it, so "1.000" needs p >= 0.9995 and "0.000" (how SPSS shows
    p < 0.0005) needs p <= 0.0005. A printed bound ("<0.001", "≤0.05", ">0.05") is reproduced when the
    computed value satisfies it. A NaN never reproduces anything.
    """
    if not isinstance(printed, str):
        raise InvalidInputError(f"printed p must be a string, got {type(printed).__name__}")
    if isinstance(value, float) and math.isnan(value):
        return False
    relation, number = _split_inequality(printed)
    exact = _to_fraction(value, name="p-value")
    if relation is None:
        return rounds_to(exact, number)
    bound = Fraction(_printed_decimal(number, name="printed p"))
    return {
        "<": exact < bound,
        ">": exact > bound,
        "<=": exact <= bound,
        "≤": exact <= bound,
        ">=": exact >= bound,
        "≥": exact >= bound,
    }[relation]


def _p_value_bounds(printed: str) -> tuple[Fraction, Fraction]:
    """Closed hull of the p-values a printed p stands for (a printed bound "<0.001" gives [0, 0.001])."""
    relation, number = _split_inequality(printed)
    if relation is None:
        low, high = rounding_bounds(number)
    elif relation in ("<", "<=", "≤"):
        low, high = Fraction(0), Fraction(_printed_decimal(number, name="printed p"))
    else:
        low, high = Fraction(_printed_decimal(number, name="printed p")), Fraction(1)
    return max(low, Fraction(0)), min(high, Fraction(1))


def _as_count(value: object, *, name: str) -> int:
    """A count given as an int or an integer string ("17"); anything else is an input error."""
    if isinstance(value, bool):
        raise InvalidInputError(f"{name} must be a non-negative integer, got a bool")
    if isinstance(value, str):
        parsed = _printed_decimal(value, name=name)
        if parsed != parsed.to_integral_value():
            raise InvalidInputError(f"{name} must be a whole number, got {value!r}")
        value = int(parsed)
    if not isinstance(value, Integral) or value < 0:
        raise InvalidInputError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def _format_fraction(value: Fraction, places: int) -> str:
    return str(round_fraction(value, places, "half_up"))


# --------------------------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    """Verdict of one consistency check: the shared fields every check returns.

    Attributes
    ----------
    consistent : bool
        Whether the printed number(s) can be true.
    printed : str
        What the paper prints (as a string).
    recomputed : str
        What the check recomputes, at the printed precision where that applies.
    method : str
        The rule applied, in a few words.
    note : str
        Why it failed, or what else is worth knowing.
    """

    consistent: bool
    printed: str
    recomputed: str
    method: str
    note: str

    @property
    def verdict(self) -> str:
        """The compendium's verdict word (:mod:`crs_compendium.verdicts`)."""
        return verdict(self.consistent)

    def _subject(self) -> str:
        return self.printed

    def __repr__(self) -> str:
        line = f"{self.verdict}: {self._subject()} -> recomputed {self.recomputed} [{self.method}]"
        return f"{line}\n  note: {self.note}" if self.note else line

    def _repr_html_(self) -> str:
        colour = "#0072B2" if self.consistent else "#D55E00"  # colour-blind-safe blue / vermillion
        body = html.escape(f"{self._subject()} -> recomputed {self.recomputed} [{self.method}]")
        note = f"<br><small>{html.escape(self.note)}</small>" if self.note else ""
        return f'<p><b style="color:{colour}">{self.verdict}</b>: {body}{note}</p>'

    def to_record(self) -> dict[str, object]:
        """The fields as a flat dict (tuples joined to text) for a table row, plus the verdict."""
        record = {
            key: "; ".join(map(str, value)) if isinstance(value, tuple) else value
            for key, value in dataclasses.asdict(self).items()
        }
        record["verdict"] = self.verdict
        return record


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


@dataclass(frozen=True, repr=False)
class SumCheck(CheckResult):
    """Result of :func:`check_sum`: printed parts against a printed total."""

    parts: tuple[str, ...]
    label: str

    def _subject(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"{name}{' + '.join(self.parts)} = {self.printed}"


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
class BonferroniCheck(CheckResult):
    """Result of :func:`check_bonferroni`: a printed adjusted p against min(1, m * printed p)."""

    printed_p: str
    m: int

    def _subject(self) -> str:
        return f"adjusted p {self.printed} for p = {self.printed_p}, m = {self.m}"


# --------------------------------------------------------------------------------------------------------
# Percentages
# --------------------------------------------------------------------------------------------------------
def _check_n_of_N(n: object, N: object) -> tuple[int, int]:
    n_count, N_count = _as_count(n, name="n"), _as_count(N, name="N")
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
    target = Fraction(_printed_decimal(printed))
    below = min(N, max(0, math.floor(target * N / 100)))
    shown = sorted({below, min(N, below + 1)})
    return ", ".join(f"{n}/{N} = {_format_fraction(Fraction(100 * n, N), places)}%" for n in shown)


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
    _check_rounding(rounding)
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
        recomputed=" or ".join(_rounded_strings(exact, places, rounding)),
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
    _check_rounding(rounding)
    N_count = _as_count(N, name="N")
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
    _check_rounding(rounding)
    n_count = _as_count(n, name="n")
    limit = _as_count(max_denominator, name="max_denominator")
    return tuple(
        N for N in range(max(n_count, 1), limit + 1)
        if rounds_to(Fraction(100 * n_count, N), printed, rounding=rounding)
    )


# --------------------------------------------------------------------------------------------------------
# Sums
# --------------------------------------------------------------------------------------------------------
def _as_printed(value: object, *, name: str) -> str:
    """A part or total as printed text: strings stay as they are, integers become their digits."""
    if isinstance(value, str):
        _printed_decimal(value, name=name)
        return value.strip()
    if isinstance(value, Integral) and not isinstance(value, bool):
        return str(int(value))
    raise InvalidInputError(f"{name} must be a printed number (str) or an int, got {value!r}")


def check_sum(
    parts: Sequence[object] | Mapping[str, object],
    total: object,
    *,
    rounded: bool = False,
    label: str = "",
) -> SumCheck:
    """Check that printed parts add up to a printed total.

    Counts (``rounded=False``) must add up exactly: groups to totals, categories to a group size, flow
    boxes to the box above. Rounded numbers such as percentages (``rounded=True``) may miss by the rounding
    of each part and of the total: the sum of the parts' intervals must overlap the total's interval.

    Parameters
    ----------
    parts : sequence, or mapping of name to value
        The printed parts (strings or ints); a mapping's names are shown in the note.
    total : str or int
        The printed total.
    rounded : bool, default False
        Whether the numbers are rounded (percentages, means) rather than exact counts.
    label : str, optional
        What is summed, for the verdict line.
    """
    named = isinstance(parts, Mapping)
    items = list(parts.items()) if named else [("", value) for value in parts]
    if not items:
        raise InvalidInputError("parts is empty: nothing to add up")
    printed_parts = tuple(_as_printed(value, name=f"part {name or index}") for index, (name, value) in enumerate(items))
    printed_total = _as_printed(total, name="total")
    recomputed = sum((Fraction(_printed_decimal(part)) for part in printed_parts), Fraction(0))
    places = max(decimals(part) for part in (*printed_parts, printed_total))
    if rounded:
        low = sum(rounding_bounds(part)[0] for part in printed_parts)
        high = sum(rounding_bounds(part)[1] for part in printed_parts)
        total_low, total_high = rounding_bounds(printed_total)
        consistent = low <= total_high and total_low <= high
        method = "sum of rounded parts within their rounding of the total"
    else:
        consistent = recomputed == Fraction(_printed_decimal(printed_total))
        method = "exact sum of counts"
    note = ""
    if named:
        note = ", ".join(f"{name} {part}" for (name, _), part in zip(items, printed_parts))
    if not consistent:
        difference = _format_fraction(recomputed - Fraction(_printed_decimal(printed_total)), places)
        note = f"parts add up to {_format_fraction(recomputed, places)}, off the total by {difference}" + (
            f" ({note})" if note else ""
        )
    return SumCheck(
        consistent=consistent,
        printed=printed_total,
        recomputed=_format_fraction(recomputed, places),
        method=method,
        note=note,
        parts=printed_parts,
        label=label,
    )


# --------------------------------------------------------------------------------------------------------
# Medians and ranges
# --------------------------------------------------------------------------------------------------------
def _is_integer(printed: str) -> bool:
    value = _printed_decimal(printed)
    return value == value.to_integral_value()


def _is_half_integer(printed: str) -> bool:
    return _is_integer(str(_printed_decimal(printed) * 2))


def _value_bounds(printed: str, exact: bool) -> tuple[Fraction, Fraction]:
    """The true values a printed number can stand for: itself when exact, else its rounding interval."""
    if exact:
        value = Fraction(_printed_decimal(printed))
        return value, value
    return rounding_bounds(printed)


def _may_be_below_or_equal(lower: str, upper: str, exact: bool = False) -> bool:
    """Whether the true values behind two printed numbers can satisfy lower <= upper.

    Rounding to a fixed number of decimals with one tie rule never reverses an order, so two numbers
    printed with the same decimals are compared as printed; otherwise their rounding intervals must meet.
    """
    if exact or decimals(lower) == decimals(upper):
        return Fraction(_printed_decimal(lower)) <= Fraction(_printed_decimal(upper))
    return _value_bounds(lower, exact)[0] <= _value_bounds(upper, exact)[1]


def _may_be_equal(first: str, second: str, exact: bool = False) -> bool:
    return _may_be_below_or_equal(first, second, exact) and _may_be_below_or_equal(second, first, exact)


def _median_range_failures(median: str, low: str, high: str, n: int | None, integer_valued: bool) -> list[str]:
    """Every rule a single median (min-max) summary breaks, as readable sentences.

    Integer-valued data are printed exactly (a whole-number range end, a whole or half median), so their
    values are compared exactly; other values are compared as the rounding intervals they stand for.
    """
    failures = []
    exact = integer_valued
    if not _may_be_below_or_equal(low, high, exact):
        failures.append(f"range is reversed ({low} > {high})")
    if not (_may_be_below_or_equal(low, median, exact) and _may_be_below_or_equal(median, high, exact)):
        failures.append(f"median {median} lies outside its range {low}-{high}")
    if integer_valued:
        for end in (low, high):
            if not _is_integer(end):
                failures.append(f"range end {end} is not an integer, but the quantity is integer-valued")
        if not _is_half_integer(median):
            failures.append(f"median {median} of integers must be a whole or half number")
        elif n is not None and n % 2 == 1 and not _is_integer(median):
            failures.append(f"median {median} of an odd number ({n}) of integers must be an integer")
    if n == 1 and not (_may_be_equal(median, low, exact) and _may_be_equal(median, high, exact)):
        failures.append(f"with n = 1 the median and both range ends are the one value ({median} ({low}-{high}))")
    if n == 2:
        midpoint = (Fraction(_printed_decimal(low)) + Fraction(_printed_decimal(high))) / 2
        mid_low = (_value_bounds(low, exact)[0] + _value_bounds(high, exact)[0]) / 2
        mid_high = (_value_bounds(low, exact)[1] + _value_bounds(high, exact)[1]) / 2
        median_low, median_high = _value_bounds(median, exact)
        if not (median_low <= mid_high and mid_low <= median_high):
            failures.append(f"with n = 2 the median is the midpoint of the range ({_format_fraction(midpoint, 2)})")
    return failures


def _check_summary_strings(median: object, low: object, high: object) -> tuple[str, str, str]:
    return tuple(_as_printed(value, name=name) for value, name in ((median, "median"), (low, "low"), (high, "high")))


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
    n_count = None if n is None else _as_count(n, name="n")
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
    summaries = [(*_check_summary_strings(*group[:3]), _as_count(group[3], name="group n")) for group in groups]
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
    union_low = min((summary[1] for summary in summaries), key=_printed_decimal)
    union_high = max((summary[2] for summary in summaries), key=_printed_decimal)
    median_low = min((summary[0] for summary in summaries), key=_printed_decimal)
    median_high = max((summary[0] for summary in summaries), key=_printed_decimal)
    exact = integer_valued
    if not _may_be_equal(pooled_low, union_low, exact):
        failures.append(f"pooled minimum {pooled_low} is not the smallest group minimum {union_low}")
    if not _may_be_equal(pooled_high, union_high, exact):
        failures.append(f"pooled maximum {pooled_high} is not the largest group maximum {union_high}")
    if not (
        _may_be_below_or_equal(median_low, pooled_median, exact)
        and _may_be_below_or_equal(pooled_median, median_high, exact)
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


# --------------------------------------------------------------------------------------------------------
# Multiplicity
# --------------------------------------------------------------------------------------------------------
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
    m_tests = _as_count(m, name="m")
    if m_tests < 1:
        raise InvalidInputError("m, the number of tests, must be at least 1")
    adjusted_value = Fraction(_printed_decimal(printed_adjusted, name="printed_adjusted"))
    p_low, p_high = _p_value_bounds(printed_p)
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
            span = f"{_format_fraction(capped_low, places + 1)}, {_format_fraction(capped_high, places + 1)}"
            note = f"min(1, m*p) lies in [{span}]"
    return BonferroniCheck(
        consistent=consistent,
        printed=printed_adjusted.strip(),
        recomputed=_format_fraction(center, places),
        method="Bonferroni min(1, m*p)",
        note=note,
        printed_p=printed_p.strip(),
        m=m_tests,
    )


# --------------------------------------------------------------------------------------------------------
# Many cases and the summary
# --------------------------------------------------------------------------------------------------------
def check_map(frame: pd.DataFrame, check: Callable[..., CheckResult], /, **columns: str) -> pd.DataFrame:
    """Apply a single-case check to every row of a table; keeps the caller's columns, adds the verdict.

    ``columns`` maps each argument of ``check`` to a column of ``frame``, e.g.
    ``check_map(claims, check_percentage, printed="printed", n="n", N="N")``. Added columns:
    ``consistent``, ``recomputed``, ``method``, ``note`` and ``verdict``; any name clash is an error.
    """
    missing = sorted(set(columns.values()) - set(frame.columns))
    if missing:
        raise InvalidInputError(f"check_map: frame lacks column(s) {missing}")
    added = ["consistent", "recomputed", "method", "note", "verdict"]
    clashes = sorted(set(added) & set(frame.columns))
    if clashes:
        raise InvalidInputError(f"check_map: frame already has column(s) {clashes}")
    results = [check(**{argument: row[column] for argument, column in columns.items()}) for _, row in frame.iterrows()]
    out = frame.copy()
    for name in added:
        out[name] = [getattr(result, name) for result in results]
    return out


def audit(frame: pd.DataFrame) -> pd.DataFrame:
    """Count verdicts in the output of :func:`check_map`: checks, consistent, inconsistent, share inconsistent."""
    if "consistent" not in frame.columns:
        raise InvalidInputError("audit needs a 'consistent' column, as check_map adds")
    total = len(frame)
    consistent = int(frame["consistent"].astype(bool).sum())
    return pd.DataFrame(
        {
            "checks": [total],
            "consistent": [consistent],
            "inconsistent": [total - consistent],
            "share_inconsistent": [(total - consistent) / total if total else float("nan")],
        }
    )
