"""Counts and totals: printed parts that must add up to a printed total, and a subgroup within its group."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..exceptions import InvalidInputError
from ..formatting import format_number
from ..numbers import as_count, as_printed, decimals, printed_decimal, rounding_bounds
from .result import CheckResult

__all__ = ["SumCheck", "AtMostCheck", "check_sum", "check_at_most"]


@dataclass(frozen=True, repr=False)
class SumCheck(CheckResult):
    """Result of :func:`check_sum`: printed parts against a printed total."""

    parts: tuple[str, ...]
    label: str

    def _subject(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"{name}{' + '.join(self.parts)} = {self.printed}"


@dataclass(frozen=True, repr=False)
class AtMostCheck(CheckResult):
    """Result of :func:`check_at_most`: a count of a subgroup against the count of its group."""

    part: int
    whole: int
    label: str

    def _subject(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"{name}{self.part} <= {self.whole}"


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
    printed_parts = tuple(as_printed(value, name=f"part {name or index}") for index, (name, value) in enumerate(items))
    printed_total = as_printed(total, name="total")
    recomputed = sum((Fraction(printed_decimal(part)) for part in printed_parts), Fraction(0))
    places = max(decimals(part) for part in (*printed_parts, printed_total))
    if rounded:
        low = sum(rounding_bounds(part)[0] for part in printed_parts)
        high = sum(rounding_bounds(part)[1] for part in printed_parts)
        total_low, total_high = rounding_bounds(printed_total)
        consistent = low <= total_high and total_low <= high
        method = "sum of rounded parts within their rounding of the total"
    else:
        consistent = recomputed == Fraction(printed_decimal(printed_total))
        method = "exact sum of counts"
    note = ""
    if named:
        note = ", ".join(f"{name} {part}" for (name, _), part in zip(items, printed_parts))
    if not consistent:
        difference = format_number(recomputed - Fraction(printed_decimal(printed_total)), places)
        note = f"parts add up to {format_number(recomputed, places)}, off the total by {difference}" + (
            f" ({note})" if note else ""
        )
    return SumCheck(
        consistent=consistent,
        printed=printed_total,
        recomputed=format_number(recomputed, places),
        method=method,
        note=note,
        parts=printed_parts,
        label=label,
    )


def check_at_most(part: object, whole: object, *, label: str = "") -> AtMostCheck:
    """Check that the count of a subgroup does not exceed the count of the group that contains it.

    Examples
    --------
    >>> check_at_most("1", "2", label="grade 3 ICANS within ICANS").consistent
    True
    """
    part_count, whole_count = as_count(part, name="part"), as_count(whole, name="whole")
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

