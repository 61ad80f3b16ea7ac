"""ASTCT consensus grading of CRS and ICANS (Lee et al. 2019), as tested code.

The paper grades cytokine release syndrome (CRS) by the ASTCT consensus and prints the rules as its
Table 1 (Zhou et al. 2025, Methods); its CRS durations need a grade for every day. This module holds the
rules once, and uses them in four ways: one observation (`grade_crs`, `grade_icans`), a whole `daily.csv`
(`grade_daily`, vectorised), one summary row per patient (`summarise_crs`), and the rule tables printed
from the code itself (`astct_rule_table`, `icans_rule_table`), which `compare_with_printed_table1` sets
against the paper's Table 1 as transcribed in data/published/.

Conventions the consensus leaves to the user (each documented where it is applied):

- An empty cell is no evidence of that sign: no temperature recorded is no fever, an empty
  `hypotension` is no hypotension, an empty `o2_support` is no oxygen.
- Vasopressin never counts towards "multiple vasopressors"; on its own it is one vasopressor. The daily
  schema's `vasopressors` excludes vasopressin, so daily grading sees it only through that count.
- The flow decides between low and high flow on a nasal cannula: a `low_flow` row above 6 L/min is graded
  as high flow, and a `high_flow` row at or below 6 L/min as low flow (Lee et al. 2019, note to the CRS
  grading table).
- Day by day, fever stops being required once tocilizumab or a corticosteroid is given while the patient
  has CRS, and is required again after the first day without CRS (details in `grade_daily`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError
from .schema import daily_rule

__all__ = [
    "FEVER_THRESHOLD_C",
    "LOW_FLOW_MAX_L_MIN",
    "TEMPERATURE_RANGE_C",
    "O2_SUPPORT_CATEGORIES",
    "DAILY_GRADING_COLUMNS",
    "DURATION_RULES",
    "grade_crs",
    "grade_icans",
    "grade_daily",
    "summarise_crs",
    "Sign",
    "HYPOTENSION_SIGNS",
    "HYPOXIA_SIGNS",
    "astct_rule_table",
    "icans_rule_table",
]

FEVER_THRESHOLD_C = 38.0
LOW_FLOW_MAX_L_MIN = 6.0
# Plausible ranges of the daily signs: the schema's (data/ipd_schema.md), so the grader and the validator
# refuse the same values.
TEMPERATURE_RANGE_C = (daily_rule("tmax_c").low, daily_rule("tmax_c").high)
_FLOW_RANGE_L_MIN = (daily_rule("o2_flow_l_min").low, daily_rule("o2_flow_l_min").high)
_MAX_VASOPRESSORS = daily_rule("vasopressors").high
_DAY_RANGE = (daily_rule("day").low, daily_rule("day").high)

# The schema's categories, which it lists in order of increasing support; the position is the code the
# vectorised grader works with (and indexes _HYPOXIA_GRADE by).
O2_SUPPORT_CATEGORIES = daily_rule("o2_support").categories
_O2_CODE = {name: code for code, name in enumerate(O2_SUPPORT_CATEGORIES)}
_HYPOXIA_GRADE = np.array([0, 2, 3, 3, 4])
_LOW_FLOW, _HIGH_FLOW = _O2_CODE["low_flow"], _O2_CODE["high_flow"]

DAILY_GRADING_COLUMNS = (
    "patient_id", "day", "tmax_c", "vasopressors", "hypotension", "o2_support", "o2_flow_l_min",
    "toci_mg", "steroid_mpe_mg",
)
DURATION_RULES = ("span", "count")

# ICANS domains (Lee et al. 2019, ICANS grading table for adults):
# accepted value -> (grade, wording in the rule table).
_CONSCIOUSNESS = {
    "alert": (0, "alert"),
    "awakens_spontaneously": (1, "awakens spontaneously"),
    "awakens_to_voice": (2, "awakens to voice"),
    "awakens_to_touch": (3, "awakens only to touch"),
    "unarousable": (4, "unarousable, or needs vigorous or repeated touch to arouse; stupor or coma"),
}
_SEIZURE = {
    "none": (0, "none"),
    "rapidly_resolving": (3, "a clinical seizure that resolves rapidly, or EEG-only seizures that stop with "
                             "treatment"),
    "prolonged_or_repetitive": (4, "a life-threatening seizure over 5 min, or repeated seizures without "
                                   "recovery in between"),
}
_MOTOR = {
    "none": (0, "none"),
    "tremor": (0, "tremor (graded by CTCAE, not ICANS)"),
    "myoclonus": (0, "myoclonus (graded by CTCAE, not ICANS)"),
    "deep_focal_weakness": (4, "deep focal motor weakness (hemiparesis, paraparesis)"),
}
_CEREBRAL_EDEMA = {
    "none": (0, "none"),
    "focal": (3, "focal or local oedema on imaging"),
    "diffuse": (4, "diffuse oedema on imaging, decerebrate or decorticate posture, cranial nerve VI palsy, "
                   "papilloedema or Cushing's triad"),
}


# --------------------------------------------------------------------------------------------------
# Shared core: every grade the module gives comes from these two array functions.
# --------------------------------------------------------------------------------------------------
def _support_grade(hypotension, vasopressors, vasopressin, o2_code, o2_flow):
    """Grade of the more severe of hypotension and hypoxia, before fever is considered (arrays)."""
    hypotension_grade = np.select(
        [vasopressors >= 2, vasopressors + vasopressin >= 1, hypotension], [4, 3, 2], default=0
    )
    nasal_with_flow = ((o2_code == _LOW_FLOW) | (o2_code == _HIGH_FLOW)) & ~np.isnan(o2_flow)
    by_flow = np.where(o2_flow > LOW_FLOW_MAX_L_MIN, _HIGH_FLOW, _LOW_FLOW)
    hypoxia_grade = _HYPOXIA_GRADE[np.where(nasal_with_flow, by_flow, o2_code)]
    return np.maximum(hypotension_grade, hypoxia_grade)


def _crs_grade(fever, support, fever_waived):
    """Fever with nothing else is grade 1; support sets grades 2-4, with fever or once fever is waived."""
    return np.where(fever, np.maximum(support, 1), np.where(fever_waived, support, 0))


# --------------------------------------------------------------------------------------------------
# One observation
# --------------------------------------------------------------------------------------------------
def _check_flag(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidInputError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _check_number(name, value, low, high, unit):
    """A real number in [low, high], or None/NaN for 'not measured' (returned as NaN)."""
    if value is None:
        return np.nan
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise InvalidInputError(f"{name} must be a number or None, got {value!r}")
    if np.isnan(value):
        return np.nan
    if not low <= value <= high:
        raise InvalidInputError(f"{name} must be between {low:g} and {high:g} {unit}, got {value!r}")
    return float(value)


def _check_choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise InvalidInputError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def grade_crs(
    temperature_c: float | None = None,
    *,
    hypotension: bool = False,
    vasopressors: int = 0,
    vasopressin: bool = False,
    o2_support: str = "none",
    o2_flow_l_min: float | None = None,
    treated_for_crs: bool = False,
    died_of_crs: bool = False,
) -> int:
    """ASTCT CRS grade (0-5) of one observation.

    Parameters
    ----------
    temperature_c : float or None
        Highest temperature, deg C (34-43); None means not measured, i.e. no fever.
    hypotension : bool
        Hypotension present. Any vasopressor implies it.
    vasopressors : int
        Number of vasopressors other than vasopressin (0-5).
    vasopressin : bool
        Vasopressin given. It never makes "multiple vasopressors"; alone it counts as one vasopressor.
    o2_support : {"none", "low_flow", "high_flow", "facemask", "positive_pressure"}
        Oxygen support. ``low_flow`` includes blow-by; ``facemask`` includes non-rebreather and Venturi
        masks; ``positive_pressure`` is CPAP, BiPAP or intubation and mechanical ventilation.
    o2_flow_l_min : float or None
        Nasal cannula flow (0-80 L/min). When given it decides between low flow (<= 6) and high flow (> 6).
    treated_for_crs : bool
        The patient had CRS and then received antipyretic or anti-cytokine therapy (tocilizumab,
        corticosteroids): fever is no longer required for grades 2-4 (it still is for grade 1).
    died_of_crs : bool
        Death due to CRS, with no other principal cause: grade 5.

    Returns
    -------
    int
        0 (no CRS) to 5.

    Raises
    ------
    InvalidInputError
        A value outside its range or category, or a flow recorded with ``o2_support="none"``.

    Notes
    -----
    The inputs are taken as attributable to CRS: whether a fever, hypotension or hypoxia has another
    cause (the consensus excludes those) is the caller's clinical judgement. Organ toxicities do not
    change the CRS grade, so the function takes none.

    References
    ----------
    Lee DW, Santomasso BD, Locke FL, et al. ASTCT consensus grading for cytokine release syndrome and
    neurologic toxicity associated with immune effector cells. Biol Blood Marrow Transplant.
    2019;25:625-638. doi:10.1016/j.bbmt.2018.12.758

    Examples
    --------
    The consensus's own example (note to its CRS grading table): 39.5 C, one vasopressor and low-flow oxygen.

    >>> grade_crs(39.5, vasopressors=1, o2_support="low_flow")
    3
    >>> grade_crs(37.2, vasopressors=1, treated_for_crs=True)
    3
    """
    temperature = _check_number("temperature_c", temperature_c, *TEMPERATURE_RANGE_C, "deg C")
    flow = _check_number("o2_flow_l_min", o2_flow_l_min, *_FLOW_RANGE_L_MIN, "L/min")
    if isinstance(vasopressors, (bool, np.bool_)) or not isinstance(vasopressors, Integral):
        raise InvalidInputError(f"vasopressors must be a whole number, got {vasopressors!r}")
    if not 0 <= vasopressors <= _MAX_VASOPRESSORS:
        raise InvalidInputError(f"vasopressors must be between 0 and {_MAX_VASOPRESSORS}, got {vasopressors!r}")
    o2_support = _check_choice("o2_support", o2_support, O2_SUPPORT_CATEGORIES)
    if o2_support == "none" and flow > 0:
        raise InvalidInputError(f"o2_flow_l_min is {flow:g} L/min but o2_support is 'none'")
    flags = {name: _check_flag(name, value) for name, value in [
        ("hypotension", hypotension), ("vasopressin", vasopressin),
        ("treated_for_crs", treated_for_crs), ("died_of_crs", died_of_crs)]}
    if flags["died_of_crs"]:
        return 5
    support = _support_grade(
        np.array([flags["hypotension"]]), np.array([int(vasopressors)]), np.array([int(flags["vasopressin"])]),
        np.array([_O2_CODE[o2_support]]), np.array([flow]),
    )
    fever = np.array([temperature >= FEVER_THRESHOLD_C])
    return int(_crs_grade(fever, support, np.array([flags["treated_for_crs"]]))[0])


def _ice_grade(score: int) -> int:
    """Grade of the ICE score alone: 10 none, 7-9 grade 1, 3-6 grade 2, 0-2 grade 3."""
    return 0 if score == 10 else 1 if score >= 7 else 2 if score >= 3 else 3


def grade_icans(
    ice_score: int | None = None,
    *,
    consciousness: str = "alert",
    seizure: str = "none",
    motor: str = "none",
    cerebral_edema: str = "none",
    died_of_icans: bool = False,
) -> int:
    """ASTCT ICANS grade (0-5) of one assessment: the most severe of its five domains.

    Parameters
    ----------
    ice_score : int or None
        Immune effector cell-associated encephalopathy score, 0-10 (10 = normal); None if not assessed.
    consciousness : {"alert", "awakens_spontaneously", "awakens_to_voice", "awakens_to_touch", "unarousable"}
        Depressed level of consciousness not due to another cause (e.g. sedation): grades 0-4.
    seizure : {"none", "rapidly_resolving", "prolonged_or_repetitive"}
        Grade 3 and grade 4 seizures.
    motor : {"none", "tremor", "myoclonus", "deep_focal_weakness"}
        Only deep focal weakness counts (grade 4); tremor and myoclonus do not change the ICANS grade.
    cerebral_edema : {"none", "focal", "diffuse"}
        Raised intracranial pressure / cerebral oedema: focal is grade 3; diffuse (or posturing, cranial
        nerve VI palsy, papilloedema, Cushing's triad) grade 4.
    died_of_icans : bool
        Death due to ICANS with no other principal cause: grade 5.

    Returns
    -------
    int
        0 (no ICANS) to 5.

    Notes
    -----
    An ICE score of 0 alone is grade 3 (an awake patient with global aphasia); it is grade 4 only with an
    unarousable patient, which the ``consciousness`` domain carries. An ICE score above 0 cannot come from
    an unarousable patient and is refused. The consensus grades young children with the CAPD instead of
    the ICE score; that table is not implemented. Intracranial haemorrhage is not an ICANS feature.

    References
    ----------
    Lee DW, et al. Biol Blood Marrow Transplant. 2019;25:625-638 (ASTCT ICANS grading for adults).

    Examples
    --------
    >>> grade_icans(3, seizure="rapidly_resolving")   # the consensus's example: grade 3
    3
    >>> grade_icans(0, consciousness="unarousable")
    4
    >>> grade_icans(10, motor="tremor")
    0
    """
    if ice_score is not None:
        if isinstance(ice_score, (bool, np.bool_)) or not isinstance(ice_score, Integral):
            raise InvalidInputError(f"ice_score must be a whole number 0-10 or None, got {ice_score!r}")
        if not 0 <= ice_score <= 10:
            raise InvalidInputError(f"ice_score must be between 0 and 10, got {ice_score!r}")
    domains = [
        _CONSCIOUSNESS[_check_choice("consciousness", consciousness, tuple(_CONSCIOUSNESS))][0],
        _SEIZURE[_check_choice("seizure", seizure, tuple(_SEIZURE))][0],
        _MOTOR[_check_choice("motor", motor, tuple(_MOTOR))][0],
        _CEREBRAL_EDEMA[_check_choice("cerebral_edema", cerebral_edema, tuple(_CEREBRAL_EDEMA))][0],
    ]
    if ice_score is not None:
        if consciousness == "unarousable" and ice_score > 0:
            raise InvalidInputError(f"an unarousable patient cannot score {ice_score} on the ICE; expected 0 or None")
        domains.append(_ice_grade(int(ice_score)))
    return 5 if _check_flag("died_of_icans", died_of_icans) else max(domains)


# --------------------------------------------------------------------------------------------------
# A whole daily.csv
# --------------------------------------------------------------------------------------------------
@dataclass
class _DailySigns:
    """The grading columns of a daily table, checked and as numpy arrays in the table's row order."""

    patient: np.ndarray  # integer codes, in order of first appearance
    day: np.ndarray
    fever: np.ndarray
    support: np.ndarray
    treated: np.ndarray


def _plain(value):
    """A cell as Python shows it (44.5, 'abc'), not as numpy does (np.float64(44.5))."""
    return value.item() if isinstance(value, np.generic) else value


class _Problems:
    """Collects every rule a daily table breaks, so one error reports them all."""

    def __init__(self, daily: pd.DataFrame, source: str):
        self.daily, self.source, self.messages = daily, source, []

    def flag(self, column: str, bad: np.ndarray, rule: str) -> None:
        if not bad.any():
            return
        rows = np.flatnonzero(bad)
        where = self.daily.index.name or "row"
        shown = ", ".join(f"{self.daily.index[i]} ({_plain(self.daily[column].iloc[i])!r})" for i in rows[:5])
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        self.messages.append(f"column {column!r} {rule}; bad value at {where} {shown}{more}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise InvalidInputError(f"{self.source}: " + "; ".join(self.messages))


def _numbers(problems: _Problems, column: str, low: float, high: float, rule: str, whole=False):
    """Column as floats (NaN where empty), flagging text, out-of-range and (if whole) fractional values."""
    raw = problems.daily[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    empty = raw.isna().to_numpy()
    bad = (~empty & np.isnan(values)) | (values < low) | (values > high)
    if whole:
        bad |= ~np.isnan(values) & (values != np.round(values))
    problems.flag(column, bad, rule)
    return values


def _flags(problems: _Problems, column: str) -> np.ndarray:
    """Boolean column (true/false, 1/0, any case), empty read as False."""
    raw = problems.daily[column]
    if raw.dtype == bool:
        return raw.to_numpy()
    text = raw.astype("string").str.strip().str.lower()
    truth = text.map({"true": True, "1": True, "1.0": True, "false": False, "0": False, "0.0": False})
    problems.flag(column, (raw.notna() & truth.isna()).to_numpy(), "must be true, false or empty")
    return truth.eq(True).to_numpy(dtype=bool)


def _daily_signs(daily: pd.DataFrame, source: str) -> _DailySigns:
    """Check the grading columns of a daily table (schema: data/ipd_schema.md) and read them."""
    if not isinstance(daily, pd.DataFrame):
        raise InvalidInputError(f"{source}: expected a pandas DataFrame, got {type(daily).__name__}")
    missing = [column for column in DAILY_GRADING_COLUMNS if column not in daily.columns]
    if missing:
        raise InvalidInputError(f"{source}: missing required column(s) {', '.join(missing)}")
    problems = _Problems(daily, source)
    patient_id = daily["patient_id"]
    problems.flag("patient_id", (patient_id.isna() | (patient_id.astype("string").str.strip() == "")).to_numpy(),
                  "must not be empty")
    day = _numbers(problems, "day", *_DAY_RANGE, "must be a whole number from {:g} to {:g}".format(*_DAY_RANGE),
                   whole=True)
    problems.flag("day", np.isnan(day) & daily["day"].isna().to_numpy(), "must not be empty")
    tmax = _numbers(problems, "tmax_c", *TEMPERATURE_RANGE_C, "must be {:g}-{:g} deg C or empty".format(
        *TEMPERATURE_RANGE_C))
    vasopressors = _numbers(problems, "vasopressors", 0, _MAX_VASOPRESSORS,
                            f"must be a whole number 0-{_MAX_VASOPRESSORS:g} or empty", whole=True)
    flow = _numbers(problems, "o2_flow_l_min", *_FLOW_RANGE_L_MIN, "must be {:g}-{:g} L/min or empty".format(
        *_FLOW_RANGE_L_MIN))
    toci = _numbers(problems, "toci_mg", 0, np.inf, "must be >= 0 mg or empty")
    steroid = _numbers(problems, "steroid_mpe_mg", 0, np.inf, "must be >= 0 mg or empty")
    hypotension = _flags(problems, "hypotension")
    o2_text = daily["o2_support"]
    known = o2_text.isin(O2_SUPPORT_CATEGORIES).to_numpy()
    problems.flag("o2_support", o2_text.notna().to_numpy() & ~known,
                  f"must be one of {', '.join(O2_SUPPORT_CATEGORIES)} or empty")
    problems.raise_if_any()

    o2_code = o2_text.map(_O2_CODE).fillna(0).astype(int).to_numpy()
    problems.flag("o2_flow_l_min", (flow > 0) & (o2_code == 0),
                  "is a flow above 0 on a row whose o2_support is none or empty")
    duplicated = pd.DataFrame({"p": patient_id.to_numpy(), "d": day}).duplicated(keep=False).to_numpy()
    problems.flag("day", duplicated, "must not repeat for a patient (one row per patient per day)")
    problems.raise_if_any()

    return _DailySigns(
        patient=pd.factorize(patient_id)[0],
        day=day.astype(int),
        fever=tmax >= FEVER_THRESHOLD_C,
        support=_support_grade(hypotension, np.nan_to_num(vasopressors).astype(int), 0, o2_code, flow),
        treated=(np.nan_to_num(toci) > 0) | (np.nan_to_num(steroid) > 0),
    )


def _latest_row_where(condition: np.ndarray, first_row_of_patient: np.ndarray) -> np.ndarray:
    """For each row (sorted by patient, day): position of the same patient's latest row up to and including
    it where `condition` holds, or -1."""
    latest = np.maximum.accumulate(np.where(condition, np.arange(len(condition)), -1))
    return np.where(latest >= first_row_of_patient, latest, -1)


def _fever_waived(signs: _DailySigns) -> np.ndarray:
    """Days on which fever is not required (rule in `grade_daily`, Notes), in the table's row order."""
    order = np.lexsort((signs.day, signs.patient))
    patient, fever, support, treated = (a[order] for a in (signs.patient, signs.fever, signs.support, signs.treated))
    n = len(order)
    first_row = np.ones(n, bool)
    first_row[1:] = patient[1:] != patient[:-1]
    first_row_of_patient = np.maximum.accumulate(np.where(first_row, np.arange(n), 0))
    # Before any waiver a day has CRS exactly when it has fever.
    previous_day_fever = np.zeros(n, bool)
    previous_day_fever[1:] = fever[:-1]
    previous_day_fever &= ~first_row
    starts = treated & (fever | previous_day_fever)
    crs_free = ~fever & (support == 0)
    last_start = _latest_row_where(starts, first_row_of_patient)
    waived = np.empty(n, bool)
    waived[order] = (last_start >= 0) & (last_start > _latest_row_where(crs_free, first_row_of_patient))
    return waived


def grade_daily(daily: pd.DataFrame, *, source: str = "daily") -> pd.DataFrame:
    """Grade every row of a daily table (one row per patient per day) by the ASTCT CRS consensus.

    Parameters
    ----------
    daily : DataFrame
        Columns of `DAILY_GRADING_COLUMNS` as in data/ipd_schema.md; other columns are kept and
        ignored (organ function, cytokines: organ toxicities do not change the CRS grade). Rows may come
        in any order. The table is not modified.
    source : str
        Name used in error messages (a file name). Errors name rows by the index; name the index
        (e.g. "line") to make messages say so.

    Returns
    -------
    DataFrame
        A copy of `daily` with two columns added: ``crs_fever_waived`` (fever not required that day) and
        ``crs_grade`` (0-4).

    Raises
    ------
    InvalidInputError
        A missing column, or values breaking the schema (all reported at once, with their rows).

    Notes
    -----
    A day's grade is `grade_crs` of its row, with empty cells as no evidence. Grade 5 (death due to CRS)
    never appears: the schema records no cause of death. All recorded signs are taken as due to CRS.

    Fever waiver (Lee et al. 2019, note on fever to the CRS grading table): fever stops being required on the day
    tocilizumab or a corticosteroid (``toci_mg`` or ``steroid_mpe_mg`` > 0) is given, provided that day
    or the patient's previous recorded day has fever, i.e. CRS; doses before CRS (prophylaxis) do not
    waive it. The waiver lasts until the first day with neither fever, hypotension nor oxygen support, so a
    later course of steroids (e.g. for cytopenias) cannot turn an unrelated afebrile hypotension into CRS.
    While waived, a day with neither hypotension nor oxygen is grade 1 only if fever persists, otherwise 0.
    The schema has no antipyretic column, so antipyretics alone never waive fever here.

    Examples
    --------
    >>> days = pd.DataFrame({"patient_id": "P1", "day": [1, 2, 3], "tmax_c": [39.0, 37.1, 36.8],
    ...     "vasopressors": [0, 1, 0], "hypotension": [False, True, False], "o2_support": "none",
    ...     "o2_flow_l_min": None, "toci_mg": [0, 480, 0], "steroid_mpe_mg": 0})
    >>> grade_daily(days)["crs_grade"].tolist()
    [1, 3, 0]
    """
    signs = _daily_signs(daily, source)
    waived = _fever_waived(signs)
    graded = daily.copy()
    graded["crs_fever_waived"] = waived
    graded["crs_grade"] = _crs_grade(signs.fever, signs.support, waived).astype(int)
    return graded


def summarise_crs(daily: pd.DataFrame, *, duration_rule: str = "span", source: str = "daily") -> pd.DataFrame:
    """One row per patient: CRS onset day, maximum grade, duration and resolution, from the daily grades.

    Parameters
    ----------
    daily : DataFrame
        A daily table as taken by `grade_daily` (it is graded here).
    duration_rule : {"span", "count"}
        ``"span"`` (default): last day graded >= 1 minus the onset day, plus 1, so a single CRS day lasts
        1 day and CRS-free days inside the course count. ``"count"``: number of days graded >= 1.
    source : str
        Name used in error messages.

    Returns
    -------
    DataFrame
        Patients in order of first appearance, with columns ``patient_id``, ``crs_onset_day`` (first day
        graded >= 1; empty if no CRS), ``crs_max_grade``, ``crs_duration_days`` (0 if no CRS),
        ``crs_last_day`` and ``crs_resolution_day`` (first recorded day after the last CRS day; empty if CRS
        lasts to the patient's last row, in which case the duration is a lower bound).

    Notes
    -----
    The paper defines the end of CRS as the loss of fever with falling cytokines (Methods) and reports
    durations with a decimal (6.1 days), so it timed CRS more finely than whole days; daily rows can only
    give whole days.

    Examples
    --------
    >>> days = pd.DataFrame({"patient_id": "P1", "day": [1, 2, 3, 4], "tmax_c": [38.5, 38.1, 37.0, 37.0],
    ...     "vasopressors": 0, "hypotension": False, "o2_support": "none", "o2_flow_l_min": None,
    ...     "toci_mg": 0, "steroid_mpe_mg": 0})
    >>> summarise_crs(days)[["crs_onset_day", "crs_max_grade", "crs_duration_days"]].iloc[0].tolist()
    [1, 1, 2]
    """
    if duration_rule not in DURATION_RULES:
        raise InvalidInputError(f"duration_rule must be one of {', '.join(DURATION_RULES)}; got {duration_rule!r}")
    signs = _daily_signs(daily, source)
    grade = _crs_grade(signs.fever, signs.support, _fever_waived(signs))
    days = pd.DataFrame({"patient": signs.patient, "day": signs.day, "grade": grade})
    days["crs_day"] = days["day"].where(days["grade"] >= 1)
    by_patient = days.groupby("patient")
    summary = by_patient.agg(
        crs_onset_day=("crs_day", "min"),
        crs_max_grade=("grade", "max"),
        crs_last_day=("crs_day", "max"),
        crs_days=("crs_day", "count"),
    )
    after_last_crs = days["day"].where(days["day"] > days["patient"].map(summary["crs_last_day"]))
    summary["crs_resolution_day"] = after_last_crs.groupby(days["patient"]).min()
    span = (summary["crs_last_day"] - summary["crs_onset_day"] + 1).fillna(0)
    summary["crs_duration_days"] = (span if duration_rule == "span" else summary["crs_days"]).astype(int)
    summary.insert(0, "patient_id", pd.unique(daily["patient_id"]))  # factorize codes follow this order
    for column in ("crs_onset_day", "crs_last_day", "crs_resolution_day"):
        summary[column] = summary[column].astype("Int64")
    summary["crs_max_grade"] = summary["crs_max_grade"].astype(int)
    return summary.reset_index(drop=True)[
        ["patient_id", "crs_onset_day", "crs_max_grade", "crs_duration_days", "crs_last_day", "crs_resolution_day"]
    ]


# --------------------------------------------------------------------------------------------------
# The rules as tables, printed from the code
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sign:
    """One presentation of a CRS sign: its wording, how a printed table may spell it, grader inputs."""

    label: str
    pattern: str  # regular expression (case-insensitive) finding this wording in a printed cell
    inputs: tuple[dict, ...] = field(default=({},))  # grade_crs keyword arguments that represent it

    def grades(self) -> set[int]:
        """Grades the code gives this sign with fever (one, unless the code is inconsistent)."""
        return {grade_crs(FEVER_THRESHOLD_C, **kwargs) for kwargs in self.inputs}


_NONE = r"^\s*(×|none)\s*$"
_ONE_PRESSOR = {"hypotension": True, "vasopressors": 1}
_TWO_PRESSORS = {"hypotension": True, "vasopressors": 2}
HYPOTENSION_SIGNS = (
    Sign("none", _NONE),
    Sign("not requiring vasopressors", r"not requiring vasopressors", ({"hypotension": True},)),
    Sign("one vasopressor, with or without vasopressin", r"\b(one|a|1) vasopressor,? with or without vasopressin",
          (_ONE_PRESSOR, {**_ONE_PRESSOR, "vasopressin": True}, {"hypotension": True, "vasopressin": True})),
    Sign("multiple vasopressors (vasopressin not counted)", r"multiple vasopressors\s*\(excluding vasopressin\)",
          (_TWO_PRESSORS, {**_TWO_PRESSORS, "vasopressin": True}, {**_TWO_PRESSORS, "vasopressors": 5})),
)
HYPOXIA_SIGNS = (
    Sign("none", _NONE),
    Sign(f"low-flow nasal cannula (≤ {LOW_FLOW_MAX_L_MIN:.1f} L/min)", r"low-flow nasal cannula",
          ({"o2_support": "low_flow"}, {"o2_support": "low_flow", "o2_flow_l_min": LOW_FLOW_MAX_L_MIN})),
    Sign("blow-by", r"blow-by", ({"o2_support": "low_flow"},)),
    Sign(f"high-flow nasal cannula (> {LOW_FLOW_MAX_L_MIN:.1f} L/min)", r"high-flow nasal cannula",
          ({"o2_support": "high_flow"}, {"o2_support": "low_flow", "o2_flow_l_min": LOW_FLOW_MAX_L_MIN + 0.1})),
    Sign("facemask", r"face ?mask", ({"o2_support": "facemask"},)),
    Sign("non-rebreather mask", r"non-?rebreather mask", ({"o2_support": "facemask"},)),
    Sign("Venturi mask", r"venturi mask", ({"o2_support": "facemask"},)),
    Sign("positive pressure (CPAP, BiPAP, intubation and mechanical ventilation)",
          r"positive pressure|\bCPAP\b|\bBiPAP\b|intubation|mechanical ventilation",
          ({"o2_support": "positive_pressure"},)),
)


def _signs_at(signs: tuple[Sign, ...], grade: int) -> str:
    labels = [sign.label for sign in signs if grade in sign.grades()]
    return " or ".join(labels) if labels else "n/a"


def _fever_rule(grade: int) -> str:
    """Fever cell of a grade's row, from what the code does with an afebrile, treated patient."""
    threshold = f"≥ {FEVER_THRESHOLD_C:.1f} °C"
    at_grade = [sign for sign in HYPOTENSION_SIGNS + HYPOXIA_SIGNS if sign.grades() == {grade}]
    afebrile_treated = {grade_crs(FEVER_THRESHOLD_C - 1, treated_for_crs=True, **sign.inputs[0]) for sign in at_grade}
    if afebrile_treated == {grade}:
        return f"{threshold}, or none needed once CRS has been treated (antipyretic, tocilizumab, corticosteroid)"
    return f"{threshold} (needed even after treatment)"


def astct_rule_table() -> pd.DataFrame:
    """The ASTCT CRS grading table, printed by running the grader (not typed): one row per grade 1-5.

    Each hypotension or hypoxia wording is listed under the grade `grade_crs` gives it with fever; the fever
    cell says whether the code still needs fever once CRS has been treated. Grade 5 comes from
    ``grade_crs(died_of_crs=True)``.

    Examples
    --------
    >>> astct_rule_table().set_index("grade").loc[2, "hypoxia"]
    'low-flow nasal cannula (≤ 6.0 L/min) or blow-by'
    """
    rows = [
        {"grade": grade, "fever": _fever_rule(grade), "hypotension": _signs_at(HYPOTENSION_SIGNS, grade),
         "hypoxia": _signs_at(HYPOXIA_SIGNS, grade), "other": ""}
        for grade in (1, 2, 3, 4)
    ]
    rows.append({"grade": grade_crs(died_of_crs=True), "fever": "any", "hypotension": "any", "hypoxia": "any",
                 "other": "death due to CRS, with no other principal cause"})
    return pd.DataFrame(rows)


def _ice_range(grade: int) -> str:
    scores = [score for score in range(11) if _ice_grade(score) == grade]
    if not scores:
        return "n/a"
    return str(scores[0]) if len(scores) == 1 else f"{scores[0]}–{scores[-1]}"


def icans_rule_table() -> pd.DataFrame:
    """The ASTCT ICANS grading table for adults, printed from the code: one row per grade 0-5.

    Grade 0 lists what does not count (an ICE score of 10, tremor, myoclonus). The grade-4 ICE cell is
    produced only if ``grade_icans(0, consciousness="unarousable")`` is 4.
    """
    domains = {"consciousness": _CONSCIOUSNESS, "seizure": _SEIZURE, "motor findings": _MOTOR,
               "cerebral oedema / raised ICP": _CEREBRAL_EDEMA}
    rows = []
    for grade in range(5):
        row = {"grade": grade, "ICE score": _ice_range(grade)}
        if grade == 4 and grade_icans(0, consciousness="unarousable") == 4:
            row["ICE score"] = "0, patient unarousable (ICE not possible)"
        for name, values in domains.items():
            row[name] = "; ".join(label for g, label in values.values() if g == grade) or "n/a"
        row["other"] = ""
        rows.append(row)
    rows.append({"grade": grade_icans(died_of_icans=True), "ICE score": "any", **{name: "any" for name in domains},
                 "other": "death due to ICANS, with no other principal cause"})
    return pd.DataFrame(rows)
