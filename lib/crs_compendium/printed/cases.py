"""Statements about named patients and their treatment, checked against printed counts and against each other.

The results of Zhou et al. (Front Immunol 2025;16:1530623) name cases ("Pt 4 and Pt 11 ... at day 6, 9, 11
and day 6, 8"; "Pt 3, 6, 9, 10 showed ... infection"; "Pt 6 died ...") and print treatment details for the
whole tocilizumab group ("One to six doses"; "The dosing range for tocilizumab was 24-48 hours"). No record
of any patient is printed, but these statements constrain each other:

* **case labels against a count**: the distinct patients named as examples of a group of n patients
  number at most n (:func:`check_cases_at_most`);
* **case labels against each other**: a patient named for an outcome is one of the patients named for its
  cause (:func:`check_cases_among`), and two outcomes that exclude each other name different patients
  (:func:`check_cases_distinct`);
* **dosing days against the dose count**: a patient's listed dosing days number within the printed range
  of doses per patient (:func:`check_dose_count`);
* **dosing days against a range of hours** (:func:`check_dosing_hours`): a dose on day d was given at some
  time in [d, d + 1) days after the infusion, so two doses on days d1 <= d2 lie between 24 (d2 - d1 - 1)
  and 24 (d2 - d1 + 1) hours apart; whether the printed hours are the interval between consecutive doses
  or the time from the first to the last dose is not said, so both readings are tested, each exactly (the
  consecutive intervals share dose times, so they are propagated along the doses);
* **day numbers in order** (:func:`check_day_order`): doses in the order they are numbered, and before a day
  the text says followed them.

Every function returns a :class:`crs_compendium.printed.result.CheckResult`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..exceptions import InvalidInputError
from ..numbers import as_count, rounding_bounds
from .result import CheckResult

__all__ = [
    "DOSING_READINGS",
    "CasesCheck",
    "DosingHoursCheck",
    "check_cases_at_most",
    "check_cases_among",
    "check_cases_distinct",
    "check_dose_count",
    "check_dosing_hours",
    "check_day_order",
]

DOSING_READINGS = ("between consecutive doses", "from the first to the last dose")
"""The two readings of a printed range of hours over which doses were given."""

_DAY = Fraction(24)
_LAST_MINUTE = 1 - Fraction(1, 24 * 60)
"""The latest time of a day a dose on it can have, in days after the day began (its last minute)."""


@dataclass(frozen=True, repr=False)
class CasesCheck(CheckResult):
    """Result of a check of named cases: the distinct labels it read."""

    labels: tuple[int, ...]


def _labels(cases: Mapping[str, object], what: str) -> list[int]:
    if not cases:
        raise InvalidInputError(f"{what}: no case named")
    return [as_count(value, name=f"{what} {name}") for name, value in cases.items()]


def _show(labels: Sequence[int]) -> str:
    return ", ".join(f"Pt {label}" for label in labels)


def check_cases_at_most(cases: Mapping[str, object], count: object, *, label: str = "") -> CasesCheck:
    """The distinct patients named (case labels, e.g. {"pt4": "4", ...}) number at most ``count``.

    Examples
    --------
    >>> check_cases_at_most({"a": "4", "b": "11", "c": "4"}, "2").consistent
    True
    >>> check_cases_at_most({"a": "4", "b": "11", "c": "5"}, "2").consistent
    False
    """
    distinct = tuple(sorted(set(_labels(cases, label or "cases"))))
    limit = as_count(count, name="count")
    consistent = len(distinct) <= limit
    return CasesCheck(
        consistent=consistent, printed=_show(distinct), recomputed=f"{len(distinct)} distinct of at most {limit}",
        method="the distinct patients named as cases of a group number at most the group's printed count",
        note="" if consistent else f"{len(distinct)} named patients cannot all be among {limit}",
        labels=distinct,
    )


def check_cases_among(cases: Mapping[str, object], among: Mapping[str, object], *, label: str = "") -> CasesCheck:
    """Every patient named in ``cases`` is one of the patients named in ``among``.

    >>> check_cases_among({"a": "9"}, {"b": "3", "c": "9"}).consistent
    True
    """
    named = tuple(sorted(set(_labels(cases, label or "cases"))))
    pool = tuple(sorted(set(_labels(among, "among"))))
    missing = [case for case in named if case not in pool]
    return CasesCheck(
        consistent=not missing, printed=_show(named), recomputed=f"among {_show(pool)}",
        method="a patient named for an outcome is one of the patients named for its cause",
        note=f"{_show(missing)} not among {_show(pool)}" if missing else "", labels=named,
    )


def check_cases_distinct(cases: Mapping[str, object], others: Mapping[str, object], *, label: str = "") -> CasesCheck:
    """No patient named in ``cases`` is named in ``others`` (outcomes that exclude each other).

    >>> check_cases_distinct({"a": "6"}, {"b": "9", "c": "10"}).consistent
    True
    """
    named = tuple(sorted(set(_labels(cases, label or "cases"))))
    other = tuple(sorted(set(_labels(others, "others"))))
    shared = [case for case in named if case in other]
    return CasesCheck(
        consistent=not shared, printed=_show(named), recomputed=f"none of {_show(other)}",
        method="outcomes that exclude each other are named for different patients",
        note=f"{_show(shared)} named for both" if shared else "", labels=named,
    )


def _days(days: Mapping[str, object]) -> list[int]:
    if not days:
        raise InvalidInputError("no dosing day given")
    return [as_count(value, name=f"day {name}") for name, value in days.items()]


def check_dose_count(days: Mapping[str, object], low: object, high: object) -> CheckResult:
    """The number of dosing days listed for one patient lies within the printed range of doses per patient.

    >>> check_dose_count({"d1": "6", "d2": "9", "d3": "11"}, "1", "6").consistent
    True
    """
    count = len(_days(days))
    low_count, high_count = as_count(low, name="low"), as_count(high, name="high")
    consistent = low_count <= count <= high_count
    return CheckResult(
        consistent=consistent, printed=f"{count} doses", recomputed=f"within {low_count}-{high_count}",
        method="a patient's listed doses number within the printed range of doses per patient",
        note="" if consistent else f"{count} doses lie outside {low_count}-{high_count}",
    )


def check_day_order(days: Sequence[tuple[str, object]]) -> CheckResult:
    """Day numbers that must come in order (each at most the next): doses numbered in order, before a day
    the text says followed them.

    >>> check_day_order([("dose 1", "6"), ("dose 2", "9"), ("end", "15")]).consistent
    True
    """
    values = [(name, as_count(value, name=name)) for name, value in days]
    if len(values) < 2:
        raise InvalidInputError("day order needs at least two days")
    broken = [(a, b) for a, b in zip(values, values[1:]) if a[1] > b[1]]
    shown = " <= ".join(str(value) for _, value in values)
    return CheckResult(
        consistent=not broken, printed=shown, recomputed="in order" if not broken else "out of order",
        method="day numbers after the infusion (day 0) in the order the text gives them",
        note="; ".join(f"{a[0]} (day {a[1]}) comes after {b[0]} (day {b[1]})" for a, b in broken),
    )


@dataclass(frozen=True, repr=False)
class DosingHoursCheck(CheckResult):
    """Result of :func:`check_dosing_hours`: per reading of the printed hours, whether some dose times on
    the printed days fit, and such times (hours after the infusion) when they do."""

    readings: tuple[tuple[str, bool, tuple[Fraction, ...] | None], ...]

    @property
    def fitting(self) -> tuple[str, ...]:
        """The readings under which the printed days fit the printed hours."""
        return tuple(name for name, fits, _ in self.readings if fits)


def _times_between(days: Sequence[int], low: Fraction, high: Fraction) -> tuple[Fraction, ...] | None:
    """Dose times t_i in [d_i, d_i + 1) days with every consecutive gap in [low, high] hours, or None.

    Forward propagation of the interval each dose time can take is exact for a chain of gap constraints;
    times are taken to the minute, so a dose on day d lies in [d, d + 1 day - 1 minute].
    """
    lo, hi = low / _DAY, high / _DAY
    reach = [(Fraction(days[0]), days[0] + _LAST_MINUTE)]
    for day in days[1:]:
        start, end = max(Fraction(day), reach[-1][0] + lo), min(day + _LAST_MINUTE, reach[-1][1] + hi)
        if start > end:
            return None
        reach.append((start, end))
    times = [reach[-1][0]]
    for start, end in reversed(reach[:-1]):  # back from the last dose: the latest time that still reaches it
        times.append(min(end, times[-1] - lo))
        if times[-1] < start:
            times[-1] = start
    times.reverse()
    return tuple(t * _DAY for t in times)


def _times_spanning(days: Sequence[int], low: Fraction, high: Fraction) -> tuple[Fraction, ...] | None:
    """Dose times with the first-to-last span in [low, high] hours (doses in between anywhere in order)."""
    first, last = days[0], days[-1]
    span_low = max(low, _DAY * (last - first - _LAST_MINUTE))
    span_high = min(high, _DAY * (last - first + _LAST_MINUTE))
    if span_low > span_high:
        return None
    span = span_low / _DAY
    start = max(Fraction(first), Fraction(last) - span)  # first dose as late as its day allows
    if start > first + _LAST_MINUTE:
        return None
    end = start + span
    times = [start] + [min(max(Fraction(day), start), end) for day in days[1:-1]] + [end]
    return tuple(t * _DAY for t in times)


def _clock(hours: Fraction) -> str:
    """A time after the infusion as its day number and clock time, "day 6 at 23:59"."""
    minutes = round(hours * 60)
    day, rest = divmod(minutes, 24 * 60)
    return f"day {day} at {rest // 60:02d}:{rest % 60:02d}"


def check_dosing_hours(days: Mapping[str, object], low: object, high: object) -> DosingHoursCheck:
    """A patient's dosing days against a printed range of hours, under both readings of the range
    (:data:`DOSING_READINGS`); printed hours stand for every value that rounds to them.

    Consistent when the days fit under at least one reading; the check's ``fitting`` names which.

    Examples
    --------
    Doses on days 6 and 8 can be 24 to 48 hours apart; doses on days 6 and 11 cannot span at most 48 hours:

    >>> check_dosing_hours({"d1": "6", "d2": "8"}, "24", "48").fitting
    ('between consecutive doses', 'from the first to the last dose')
    >>> check_dosing_hours({"d1": "6", "d2": "11"}, "24", "48").consistent
    False
    """
    values = _days(days)
    if values != sorted(values) or len(values) < 2:
        raise InvalidInputError(f"dosing days must be at least two, in order: {values}")
    hours_low, hours_high = rounding_bounds(str(low))[0], rounding_bounds(str(high))[1]
    readings = []
    for name, solve in zip(DOSING_READINGS, (_times_between, _times_spanning)):
        times = solve(values, hours_low, hours_high)
        readings.append((name, times is not None, times))
    fitting = [name for name, fits, _ in readings if fits]
    gaps = [f"{24 * max(b - a - 1, 0)}-{24 * (b - a + 1)}" for a, b in zip(values, values[1:])]
    span = f"{24 * max(values[-1] - values[0] - 1, 0)}-{24 * (values[-1] - values[0] + 1)}"
    recomputed = (f"days {', '.join(map(str, values))}: consecutive doses {', '.join(gaps)} h apart, first to last "
                  f"{span} h")
    if fitting:
        name, _, times = next(r for r in readings if r[1])
        note = f"fits read as {' or '.join(fitting)} (e.g. doses on {'; '.join(_clock(t) for t in times)})"
        missing = [r[0] for r in readings if not r[1]]
        if missing:
            note += f"; not read as {' or '.join(missing)}"
    else:
        note = f"no dose times on these days fit {low}-{high} h under either reading ({' / '.join(DOSING_READINGS)})"
    return DosingHoursCheck(
        consistent=bool(fitting), printed=f"{low}-{high} h", recomputed=recomputed,
        method="dose times within their days against the printed range of hours, both readings", note=note,
        readings=tuple(readings),
    )
