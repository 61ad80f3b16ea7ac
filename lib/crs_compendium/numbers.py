"""Printed numbers: the one parser, exact rounding, and whether a computed value reproduces a printed one.

A printed number is a string: its decimals say how it was rounded ("5.0" is not "5"), and a threshold
keeps its relation sign ("<0.05"). Everything here reads strings and computes with exact fractions, never
binary floats.

A rounded number stands for an interval of true values. Which rounding the authors' software used is
unknown (SPSS rounds half away from zero, Python and R half to even), so by default a value is consistent
with a printed number if rounding it either up or down at a tie gives the printed number, as scrutiny's
``rounding = "up_or_down"`` does: the interval is closed, ``[printed - u/2, printed + u/2]`` with ``u`` one
unit in the last printed place.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from numbers import Integral

from .exceptions import InvalidInputError

__all__ = [
    "RELATION_SIGNS",
    "ROUNDING_MODES",
    "check_rounding_mode",
    "PrintedNumber",
    "parse_printed",
    "printed_decimal",
    "decimals",
    "to_fraction",
    "as_count",
    "as_printed",
    "round_fraction",
    "rounding_bounds",
    "value_bounds",
    "may_be_below_or_equal",
    "may_be_equal",
    "rounds_to",
    "rounded_strings",
    "reproduces_p",
    "p_value_bounds",
    "matches_printed",
]

RELATION_SIGNS = ("<=", ">=", "≤", "≥", "<", ">")
"""Relation signs a printed threshold may carry, the two-character ones first so they are read whole."""

ROUNDING_MODES = ("up_or_down", "half_up", "half_down", "half_even")
"""Accepted values of ``rounding``: ties either way (default), half away from zero (SPSS, Excel), half
toward zero, half to even (R's and Python's ``round``)."""

_HALF = Fraction(1, 2)


@dataclass(frozen=True)
class PrintedNumber:
    """A printed number taken apart: relation sign ("" when none), exact value, digits after the point."""

    relation: str
    value: Decimal
    decimals: int

    def __str__(self) -> str:
        return f"{self.relation}{self.value}"


def printed_decimal(printed: object, *, name: str = "printed") -> Decimal:
    """Parse a bare printed number (a string such as "84.8", ".042", "10") into an exact, finite Decimal."""
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


def parse_printed(printed: str, *, name: str = "printed") -> PrintedNumber:
    """Split a printed number into relation sign, exact decimal value and number of decimals.

    Examples
    --------
    >>> parse_printed("<0.05")
    PrintedNumber(relation='<', value=Decimal('0.05'), decimals=2)
    >>> parse_printed("1.000").decimals
    3
    """
    if not isinstance(printed, str):
        raise InvalidInputError(f"{name}: expected the printed string, got {type(printed).__name__}")
    text = printed.strip()
    relation = next((sign for sign in RELATION_SIGNS if text.startswith(sign)), "")
    digits = text[len(relation):].strip()
    try:
        value = printed_decimal(digits, name=name)
    except InvalidInputError:
        raise InvalidInputError(f"{name} {printed!r} is not a printed number such as '84.8' or '<0.05'") from None
    return PrintedNumber(relation, value, max(0, -int(value.as_tuple().exponent)))


def decimals(printed: str) -> int:
    """Number of decimal places a printed number shows, trailing zeros included.

    Examples
    --------
    >>> decimals("0.040"), decimals("84.8"), decimals("10"), decimals(".042")
    (3, 1, 0, 3)
    """
    return parse_printed(printed).decimals


def to_fraction(value: object, *, name: str = "value") -> Fraction:
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
        return Fraction(printed_decimal(value, name=name))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(f"{name} {value!r} is not finite")
        # float() first: NumPy 2 writes its own scalars as "np.float64(0.5)".
        return Fraction(Decimal(repr(float(value))))
    if hasattr(value, "__float__"):  # NumPy scalars
        return to_fraction(float(value), name=name)
    raise InvalidInputError(f"{name} must be a number or a printed number, got {type(value).__name__}")


def as_count(value: object, *, name: str) -> int:
    """A count given as an int or as a printed whole number ("17"); anything else is an input error."""
    if isinstance(value, bool):
        raise InvalidInputError(f"{name} must be a non-negative whole count, got a bool")
    if isinstance(value, str):
        number = parse_printed(value, name=name)
        if number.relation or number.value != number.value.to_integral_value():
            raise InvalidInputError(f"{name} must be a whole count, got {value!r}")
        value = int(number.value)
    if not isinstance(value, Integral) or value < 0:
        raise InvalidInputError(f"{name} must be a non-negative whole count, got {value!r}")
    return int(value)


def as_printed(value: object, *, name: str) -> str:
    """A part or total as printed text: strings stay as they are, integers become their digits."""
    if isinstance(value, str):
        printed_decimal(value, name=name)
        return value.strip()
    if isinstance(value, Integral) and not isinstance(value, bool):
        return str(int(value))
    raise InvalidInputError(f"{name} must be a printed number (str) or an int, got {value!r}")


def check_rounding_mode(rounding: str) -> None:
    """Refuse a tie rule that is not one of :data:`ROUNDING_MODES`."""
    if rounding not in ROUNDING_MODES:
        raise InvalidInputError(f"rounding must be one of {ROUNDING_MODES}, got {rounding!r}")


def round_fraction(value: object, places: int, rounding: str = "half_up") -> Decimal:
    """Round a number exactly to ``places`` decimals with one tie rule; returns a Decimal with those places.

    ``rounding`` is ``"half_up"`` (half away from zero, as SPSS), ``"half_down"`` (half toward zero) or
    ``"half_even"``; ``"up_or_down"`` has two results, see :func:`rounds_to`.

    Examples
    --------
    >>> round_fraction("0.0425", 3), round_fraction("0.0425", 3, "half_down"), round_fraction(0.0425, 3, "half_even")
    (Decimal('0.043'), Decimal('0.042'), Decimal('0.042'))
    """
    if isinstance(places, bool) or not isinstance(places, Integral) or places < 0:
        raise InvalidInputError(f"places must be a non-negative integer, got {places!r}")
    if rounding not in ("half_up", "half_down", "half_even"):
        raise InvalidInputError(
            f"round_fraction needs a single tie rule (half_up, half_down, half_even), got {rounding!r}"
        )
    exact = to_fraction(value)
    scaled = abs(exact) * 10**places
    whole, remainder = divmod(scaled.numerator, scaled.denominator)
    rest = Fraction(remainder, scaled.denominator)
    tie_goes_up = rounding == "half_up" or (rounding == "half_even" and whole % 2 == 1)
    if rest > _HALF or (rest == _HALF and tie_goes_up):
        whole += 1
    signed = -whole if exact < 0 else whole
    return Decimal(signed).scaleb(-int(places))


def rounding_bounds(printed: str) -> tuple[Fraction, Fraction]:
    """Closed interval of true values that round to ``printed`` when ties may go either way.

    Examples
    --------
    >>> rounding_bounds("0.042")
    (Fraction(83, 2000), Fraction(17, 400))
    """
    center = Fraction(printed_decimal(printed))
    half_unit = Fraction(1, 10 ** decimals(printed)) / 2
    return center - half_unit, center + half_unit


def value_bounds(printed: str, exact: bool = False) -> tuple[Fraction, Fraction]:
    """The true values a printed number can stand for: itself when ``exact``, else its rounding interval."""
    if exact:
        value = Fraction(printed_decimal(printed))
        return value, value
    return rounding_bounds(printed)


def may_be_below_or_equal(lower: str, upper: str, exact: bool = False) -> bool:
    """Whether the true values behind two printed numbers can satisfy lower <= upper.

    Rounding to a fixed number of decimals with one tie rule never reverses an order, so two numbers
    printed with the same decimals are compared as printed; otherwise their rounding intervals must meet.
    """
    if exact or decimals(lower) == decimals(upper):
        return Fraction(printed_decimal(lower)) <= Fraction(printed_decimal(upper))
    return value_bounds(lower, exact)[0] <= value_bounds(upper, exact)[1]


def may_be_equal(first: str, second: str, exact: bool = False) -> bool:
    """Whether two printed numbers can stand for the same true value: printed with the same decimals they
    must be identical (rounding one value the same way twice gives one result); with different decimals
    ("0.35" and "0.350") their rounding intervals must meet.

    Examples
    --------
    >>> may_be_equal("0.35", "0.350"), may_be_equal("0.35", "0.36"), may_be_equal("0.35", "0.354")
    (True, False, True)
    """
    return may_be_below_or_equal(first, second, exact) and may_be_below_or_equal(second, first, exact)


def rounds_to(value: object, printed: str, *, rounding: str = "up_or_down") -> bool:
    """Whether ``value`` rounded to the decimals of ``printed`` gives ``printed``.

    With the default ``"up_or_down"`` a tie may be rounded either way (the closed interval of
    :func:`rounding_bounds`), so ``0.0425`` rounds to both "0.042" and "0.043".
    """
    check_rounding_mode(rounding)
    target = printed_decimal(printed)
    if rounding == "up_or_down":
        low, high = rounding_bounds(printed)
        return low <= to_fraction(value) <= high
    return round_fraction(value, decimals(printed), rounding) == target


def rounded_strings(value: Fraction, places: int, rounding: str) -> tuple[str, ...]:
    """The printed forms ``value`` can take at ``places`` decimals (two at a tie under up_or_down)."""
    check_rounding_mode(rounding)
    if rounding == "up_or_down":
        options = {str(round_fraction(value, places, "half_up")), str(round_fraction(value, places, "half_down"))}
        return tuple(sorted(options, key=Decimal))
    return (str(round_fraction(value, places, rounding)),)


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
    number = parse_printed(printed, name="printed p")
    exact = to_fraction(value, name="p-value")
    if not number.relation:
        return rounds_to(exact, str(number.value))
    bound = Fraction(number.value)
    return {
        "<": exact < bound,
        ">": exact > bound,
        "<=": exact <= bound,
        "≤": exact <= bound,
        ">=": exact >= bound,
        "≥": exact >= bound,
    }[number.relation]


def p_value_bounds(printed: str) -> tuple[Fraction, Fraction]:
    """Closed hull of the p-values a printed p stands for (a printed bound "<0.001" gives [0, 0.001])."""
    number = parse_printed(printed, name="printed p")
    if not number.relation:
        low, high = rounding_bounds(str(number.value))
    elif number.relation in ("<", "<=", "≤"):
        low, high = Fraction(0), Fraction(number.value)
    else:
        low, high = Fraction(number.value), Fraction(1)
    return max(low, Fraction(0)), min(high, Fraction(1))


def matches_printed(value: object, printed: str) -> bool:
    """Whether a recomputed number agrees with a printed one: a printed threshold ("<0.05") is a p-value
    bound the value must satisfy; anything else must round to the printed number."""
    if parse_printed(printed).relation:
        return reproduces_p(float(value), printed)
    return rounds_to(float(value), printed)
