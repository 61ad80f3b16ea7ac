"""Numbers as pages show them: one p-value formatter, numbers printed like the paper prints them, and
claim ids in HTML.

Every value is rounded exactly (:func:`crs_compendium.numbers.round_fraction`, half away from zero, as
SPSS prints), never through a float's repr.
"""
from __future__ import annotations

import html
import math
from fractions import Fraction

from .exceptions import InvalidInputError
from .numbers import parse_printed, round_fraction

__all__ = ["format_p", "format_p_bound", "p_text", "format_number", "format_like", "format_percent", "format_count",
           "claim_id_html"]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_p(p: float, decimals: int = 3, *, scientific: bool = False) -> str:
    """A p-value at ``decimals`` decimals (the paper prints three); below half a unit of the last place it
    is shown as a bound ("<0.001"), or with ``scientific`` in two significant digits ("1.0e-08", where the
    size of a tiny bound is the point), and a missing p as "NA".

    Examples
    --------
    >>> format_p(0.0333), format_p(0.0004), format_p(0.51117, 4), format_p(float("nan"))
    ('0.033', '<0.001', '0.5112', 'NA')
    >>> format_p(1.04e-08, 4, scientific=True), format_p(0.0, 4, scientific=True)
    ('1.0e-08', '0')
    """
    if _missing(p):
        return "NA"
    if p < 0.5 * 10 ** -decimals:
        if scientific:
            return "0" if p == 0 else f"{p:.1e}"
        return f"<{10 ** -decimals:.{decimals}f}"
    return f"{p:.{decimals}f}"


def p_text(p: float, decimals: int = 3) -> str:
    """"p = 0.227" or "p < 0.001", for figure labels and verdict lines."""
    shown = format_p(p, decimals)
    return f"p < {shown[1:]}" if shown.startswith("<") else f"p = {shown}"


def format_p_bound(p: float | None) -> str:
    """A p-value an audit derives (an end of an attainable interval, a witness's p): four decimals, and one
    below 0.0001 in two significant digits, where the size of a tiny bound is the point.

    Examples
    --------
    >>> format_p_bound(0.51117), format_p_bound(1.04e-08)
    ('0.5112', '1.0e-08')
    """
    return format_p(p, 4, scientific=True)


def format_number(value: object, places: int) -> str:
    """A number rounded half up to ``places`` decimals, trailing zeros kept ("NA" when missing)."""
    if _missing(value):
        return "NA"
    return str(round_fraction(value if isinstance(value, Fraction) else float(value), places, "half_up"))


def format_like(value: float, printed: str | None, *, default_places: int = 1) -> str:
    """``value`` rounded half up to as many decimals as ``printed`` shows ("24.0", "0.15", "36").

    Examples
    --------
    >>> format_like(24.0, "24.0"), format_like(2.1, "2.38"), format_like(35.5, "36")
    ('24.0', '2.10', '36')
    """
    places = parse_printed(printed).decimals if printed else default_places
    return format_number(value, places)


def format_percent(n: int, total: int, *, places: int = 1) -> str:
    """100 n / total, exactly rounded half up; a zero count as "0", as Table 2 prints it."""
    if total <= 0:
        raise InvalidInputError(f"format_percent: the total must be positive, got {total}")
    if n == 0:
        return "0"
    return str(round_fraction(Fraction(100 * int(n), int(total)), places, "half_up"))


def format_count(n: int, total: int, *, places: int = 1) -> str:
    """"n (%)" as Table 2 prints a count: ``format_count(24, 45)`` gives "24 (53.3)"."""
    return f"{int(n)} ({format_percent(n, total, places=places)})"


def claim_id_html(claim_id: str) -> str:
    """A claim id as HTML code that a narrow table column breaks only after a dot (``<wbr>``, which copying
    leaves out, so a copied id is the id).

    Examples
    --------
    >>> claim_id_html("t2.male.p_bonf")
    '<code>t2.<wbr>male.<wbr>p_bonf</code>'
    """
    return "<code>" + ".<wbr>".join(html.escape(part) for part in claim_id.split(".")) + "</code>"
