"""Agreement between printed statements: one number printed in several places, and a sentence that calls a
difference significant (or not) against the p-values it rests on."""
from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from ..exceptions import InvalidInputError
from ..numbers import may_be_equal, parse_printed, rounding_bounds
from ..vocab import (CONSISTENT, INCONSISTENT, NOT_CHECKABLE, NOT_SIGNIFICANT, SIGNIFICANT, UNDETERMINED,
                     VERDICT_COLOURS)
from .result import CheckResult

__all__ = [
    "PrintingsCheck",
    "SignificanceCheck",
    "check_printings_agree",
    "classify_p",
    "check_significance",
]


def _printed(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be the number as printed, a string; got {type(value).__name__}")
    return value.strip()


def _plain_fraction(printed: str, name: str) -> Fraction:
    number = parse_printed(printed, name=name)
    if number.relation:
        raise InvalidInputError(f"{name} {printed!r}: a bound such as '<0.05' is not a value to compare")
    return Fraction(number.value)


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
    """Whether two printings can stand for the same true value: the same relation sign ("<0.001" is not
    "0.001"), and numbers whose rounding allows one value (:func:`crs_compendium.numbers.may_be_equal`)."""
    a, b = parse_printed(first), parse_printed(second)
    return a.relation == b.relation and may_be_equal(str(a.value), str(b.value))


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
        colour = VERDICT_COLOURS[self.verdict]
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
