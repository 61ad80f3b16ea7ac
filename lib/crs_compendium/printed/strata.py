"""Grade labels that qualify a statement: do two printings name the same patients?

Zhou et al. (Front Immunol 2025;16:1530623) compare CRS durations "separately" by grade. The Figure 2
caption and the Results name the strata "grade 1-2" and "grade 3", the Discussion "grade 2" and "grade 3",
the Methods define mild CRS as grade 1-2 and severe as grade 3-4, and Table 2 pools grades 3-5. Two labels
name the same patients when every grade one has and the other lacks holds no patient; whether a grade holds
patients is read from the printed counts by grade (:func:`grade_occupancy`): a category printed with a count
of 0 is empty, a single grade printed with a positive count is occupied, and a grade only inside a pooled
category with a positive count ("3-5") is unknown unless another printed zero empties it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..exceptions import InvalidInputError
from ..numbers import as_count
from .result import CheckResult

__all__ = ["grades_of", "grade_occupancy", "StrataCheck", "check_same_patients"]


def grades_of(text: str) -> tuple[int, ...]:
    """The grades a printed label or category names: "3" -> (3,), "1-2" -> (1, 2), "3-5" -> (3, 4, 5).

    >>> grades_of("3-5")
    (3, 4, 5)
    """
    first, _, last = str(text).partition("-")
    low = as_count(first, name="grade")
    high = as_count(last, name="grade") if last else low
    if high < low:
        raise InvalidInputError(f"grade label {text!r} runs backwards")
    return tuple(range(low, high + 1))


def grade_occupancy(counts: Sequence[tuple[str, object]]) -> dict[int, bool | None]:
    """For every grade a category of ``counts`` (category label, printed count) names: True when some
    patient has it, False when none does, None when the printed counts do not say.

    >>> occupancy = grade_occupancy([("1", "7"), ("3-5", "15"), ("4", "0")])
    >>> occupancy[1], occupancy[3], occupancy[4], occupancy[5]
    (True, None, False, None)
    """
    occupancy: dict[int, bool | None] = {}
    empty: set[int] = set()
    for category, count in counts:
        grades = grades_of(category)
        if as_count(count, name=f"count of grade {category}") == 0:
            empty |= set(grades)
    for category, count in counts:
        grades = grades_of(category)
        for grade in grades:
            occupancy.setdefault(grade, None)
        positive = as_count(count, name=f"count of grade {category}") > 0
        candidates = [grade for grade in grades if grade not in empty]
        if positive and len(candidates) == 1:
            occupancy[candidates[0]] = True
    for grade in empty:
        occupancy[grade] = False
    return occupancy


@dataclass(frozen=True, repr=False)
class StrataCheck(CheckResult):
    """Result of :func:`check_same_patients`: the grades only one label names, and what the counts say of them."""

    differing: tuple[int, ...]


def _label(grades: Sequence[int]) -> str:
    return f"grade {grades[0]}" if len(grades) == 1 else f"grades {grades[0]}-{grades[-1]}"


def check_same_patients(first: Sequence[int], second: Sequence[int], occupancy: Mapping[int, bool | None]) -> StrataCheck:
    """Whether two grade labels name the same patients: every grade in one and not the other is empty.

    Returns a check that is consistent when they do, inconsistent when an occupied grade tells them apart;
    a grade whose occupancy the counts leave open raises :class:`InvalidInputError` (nothing to decide).

    >>> check_same_patients((3,), (3, 4), {3: True, 4: False}).consistent
    True
    >>> check_same_patients((2,), (1, 2), {1: True, 2: True}).consistent
    False
    """
    first, second = tuple(sorted(first)), tuple(sorted(second))
    differing = tuple(sorted(set(first) ^ set(second)))
    unknown = [grade for grade in differing if occupancy.get(grade) is None]
    if unknown:
        raise InvalidInputError(f"the printed counts do not say whether grade {unknown[0]} holds patients")
    occupied = [grade for grade in differing if occupancy[grade]]
    if not differing:
        why = "the labels name the same grades"
    elif occupied:
        why = f"{_label(occupied)} holds patients, so the labels name different patients"
    else:
        why = f"{_label(differing)} holds no patient, so the labels name the same patients"
    return StrataCheck(
        consistent=not occupied, printed=_label(first), recomputed=f"{_label(second)}: {why}",
        method="two grade labels name the same patients when the grades only one of them has hold no patient",
        note="" if not occupied else why, differing=differing,
    )
