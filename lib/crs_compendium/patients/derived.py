"""Measures derived from the patient tables: each patient's group and categories, the cytokine and CAR-T
kinetics around treatment, and per-patient summaries of the daily rows.

Each definition the paper leaves open is made explicit here once (IL-6 "fell" or "rose", the peak of
expansion, the highest organ value after infusion), so every page that uses it uses the same rule.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..computable import NotComputable
from ..exceptions import InvalidInputError
from ..vocab import BLAST_BINS, CRS_GRADE_CATEGORIES, GROUP_ORDER, STEROID_ORDER
from .grading import summarise_crs
from .schema import CASE_COLUMN

__all__ = [
    "IL6_WINDOW_DAYS",
    "grade_range",
    "category_mask",
    "category_labels",
    "DERIVED_COLUMNS",
    "patient_mask",
    "with_derived_columns",
    "group_labels",
    "steroid_exposure",
    "blast_category",
    "crs_category",
    "crs_severity",
    "case_patient_ids",
    "case_mapping_gap",
    "named_case_table",
    "il6_after_tocilizumab",
    "align_to_first_dose",
    "expansion_summary",
    "organ_peaks",
    "GRADING_AGREEMENT",
    "recorded_against_graded",
    "duration_check_by_grade",
]

IL6_WINDOW_DAYS = 3
"""Days after the first tocilizumab dose over which IL-6 is compared with the dose day."""


def grade_range(category: str) -> tuple[int, int]:
    """A printed grade category ("2", "3-5") as its lowest and highest grade.

    Examples
    --------
    >>> grade_range("3-5"), grade_range("2")
    ((3, 5), (2, 2))
    """
    low, dash, high = category.partition("-")
    if not low.isdigit() or (dash and not high.isdigit()):
        raise InvalidInputError(f"{category!r} is not a grade category such as '2' or '3-5'")
    return int(low), int(high or low)


def category_mask(patients: pd.DataFrame, rule: str, expression: str, category: str = "") -> pd.Series | None:
    """Which patients a quantity of the registry counts, by its rule (``quantities.csv``): a ``flag``
    expression; the printed ``category`` as a grade range of a column, a blast bin of a column, or a value
    a column ``equals``. None when the rule counts no patients (a measured value, a survival endpoint)."""
    if rule == "flag":
        return patient_mask(patients, expression)
    if rule == "grade_range":
        low, high = grade_range(category)
        return (patients[expression] >= low) & (patients[expression] <= high)
    if rule == "blast_bin":
        return blast_category(patients[expression]) == category
    if rule == "equals":
        return patients[expression] == category
    return None


def category_labels(patients: pd.DataFrame, rule: str, expression: str, categories) -> pd.Series:
    """Each patient's category among ``categories`` (a quantity's partition), "other" outside all of them."""
    labels = pd.Series("other", index=patients.index)
    for category in categories:
        labels[category_mask(patients, rule, expression, category)] = category
    return labels


DERIVED_COLUMNS = ("il6_after",)
"""Per-patient measures derived from the daily rows that the registry's expressions may use besides the
columns of patients.csv: ``il6_after`` ("fell", "rose" or "not monitored", :func:`il6_after_tocilizumab`)."""


def with_derived_columns(patients: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """The patient table with :data:`DERIVED_COLUMNS` added (patients without tocilizumab get no IL-6 change)."""
    change = il6_after_tocilizumab(patients, daily).set_index("patient_id")["il6_after"]
    return patients.assign(il6_after=patients["patient_id"].map(change))


def patient_mask(patients: pd.DataFrame, expression: str) -> pd.Series:
    """Which patients an expression of the registry selects (``groups.csv`` members, ``quantities.csv``
    flags): ``all``, or a pandas expression over the patient table's columns such as
    ``(steroid_mpe_mg > 0) & ~tocilizumab``. A missing value never selects a patient.

    Examples
    --------
    >>> table = pd.DataFrame({"sex": ["M", "F"], "tocilizumab": [True, False]})
    >>> patient_mask(table, 'sex == "M"').tolist(), patient_mask(table, "all").tolist()
    ([True, False], [True, True])
    """
    if expression == "all":
        return pd.Series(True, index=patients.index)
    try:
        selected = patients.eval(expression, engine="python")
    except Exception as error:  # pandas raises many kinds for a bad expression; all are a data error here
        raise InvalidInputError(f"cannot evaluate {expression!r} on the patient table: {error}") from None
    if not isinstance(selected, pd.Series):
        selected = pd.Series(selected, index=patients.index)
    return selected.fillna(False).astype(bool)


def group_labels(patients: pd.DataFrame) -> pd.Series:
    """Each patient's group ("Toci" / "Non-toci") from the ``tocilizumab`` column, as an ordered categorical."""
    if "tocilizumab" not in patients.columns:
        raise InvalidInputError("group_labels: the patient table has no 'tocilizumab' column")
    treated = patients["tocilizumab"].astype(bool).to_numpy()
    labels = np.where(treated, GROUP_ORDER[0], GROUP_ORDER[1])
    return pd.Series(pd.Categorical(labels, categories=GROUP_ORDER, ordered=True), index=patients.index, name="group")


def steroid_exposure(patients: pd.DataFrame) -> pd.Series:
    """Each patient's corticosteroid exposure (Supplementary Figure S3): any dose above 0 mg, or none."""
    exposed = patients["steroid_mpe_mg"].astype(float) > 0
    return pd.Series(np.where(exposed, STEROID_ORDER[0], STEROID_ORDER[1]), index=patients.index, name="exposure")


def blast_category(values: pd.Series) -> pd.Series:
    """Table 2's bone-marrow blast category of each value (:data:`crs_compendium.vocab.BLAST_BINS`).

    The lowest bin holds values below its upper limit, the highest values above its lower limit, and a
    middle bin both of its ends ("30-50" holds 30 and 50); a missing value has no category.

    Examples
    --------
    >>> blast_category(pd.Series([0.0, 29.9, 30.0, 50.0, 50.1])).tolist()
    ['<30', '<30', '30-50', '30-50', '>50']
    """
    values = values.astype(float)
    first, *middle, last = BLAST_BINS
    conditions = [values < first.high] + [(values >= b.low) & (values <= b.high) for b in middle] + [values > last.low]
    labels = np.select(conditions, [b.label for b in BLAST_BINS], default="")
    return pd.Series(labels, index=values.index, name="blasts_bin").replace("", None)


def crs_category(grades: pd.Series) -> pd.Series:
    """Table 2's CRS grade category of each maximum grade: 0, 1, 2, or "3-5" (grades 3 to 5 share a row)."""
    pooled = CRS_GRADE_CATEGORIES[-1]
    return grades.astype(int).map(lambda grade: str(grade) if str(grade) in CRS_GRADE_CATEGORIES else pooled)


def crs_severity(grades: pd.Series) -> pd.Series:
    """Each patient's CRS stratum as Figure 2B compares them: "grade 1-2" or "grade 3-5" (Table 2 pools
    grades 3 to 5; the paper reports no grade 4 or 5), and "no CRS" for grade 0.

    Examples
    --------
    >>> crs_severity(pd.Series([0, 1, 2, 3, 4])).tolist()
    ['no CRS', 'grade 1-2', 'grade 1-2', 'grade 3-5', 'grade 3-5']
    """
    grades = grades.astype(int)
    return pd.Series(np.select([grades >= 3, grades >= 1], ["grade 3-5", "grade 1-2"], "no CRS"), index=grades.index,
                     name="crs_severity")


def case_patient_ids(patients: pd.DataFrame) -> dict[int, str]:
    """The paper's case numbers ("Pt 4") mapped to patient ids, as the data holder gives them in the
    optional column ``paper_case`` (data/ipd_schema.md, "Case numbers"); empty without that column. Row
    order never decides a case.

    Examples
    --------
    >>> case_patient_ids(pd.DataFrame({"patient_id": ["a", "b", "c"], "paper_case": [4, None, 1]}))
    {1: 'c', 4: 'a'}
    >>> case_patient_ids(pd.DataFrame({"patient_id": ["a", "b"]}))
    {}
    """
    if CASE_COLUMN not in patients.columns:
        return {}
    given = patients.loc[patients[CASE_COLUMN].notna(), ["patient_id", CASE_COLUMN]]
    return dict(sorted((int(case), patient_id) for patient_id, case in given.itertuples(index=False)))


def case_mapping_gap(patients: pd.DataFrame, cases: Sequence[int]) -> str:
    """Why the paper's case numbers ``cases`` name no patient of these data (for a not-computable reason)."""
    if CASE_COLUMN not in patients.columns or patients[CASE_COLUMN].isna().all():
        return (f"patients.csv maps no patient to the paper's case numbers (optional column {CASE_COLUMN!r} absent "
                "or empty), so claims about named cases cannot be checked")
    return f"no patient has {CASE_COLUMN} {', '.join(map(str, cases))} in patients.csv"


def named_case_table(patients: pd.DataFrame, daily: pd.DataFrame, named: pd.DataFrame) -> pd.DataFrame | NotComputable:
    """The cases the paper names (``named``: ``case`` and ``reason in the paper``, in the order to show),
    each with its patient id (``paper_case``), its IL-6 change after tocilizumab (:func:`il6_after_tocilizumab`)
    and its serious infection; not computable when patients.csv maps none of these cases."""
    mapped = case_patient_ids(patients)
    unmapped = [int(case) for case in named["case"] if int(case) not in mapped]
    if len(unmapped) == len(named):
        return NotComputable("The cases the paper names", case_mapping_gap(patients, unmapped))
    table = named.assign(patient_id=named["case"].map(mapped))
    table = table.merge(il6_after_tocilizumab(patients, daily)[["patient_id", "il6_after"]], on="patient_id", how="left")
    return table.merge(patients[["patient_id", "serious_infection"]], on="patient_id", how="left")


def il6_after_tocilizumab(patients: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """Whether IL-6 fell or rose after the first tocilizumab dose, per tocilizumab patient.

    The paper counts patients whose cytokines fell after tocilizumab and those whose IL-6 rose (Results,
    Figure 3) without saying how it compared. Here: IL-6 on the day of the first dose (drawn before it)
    against the highest IL-6 of the next three days; "rose" if that is higher, "fell" otherwise, and
    "not monitored" without an IL-6 on the dose day and on one of the next three days.

    Returns
    -------
    DataFrame
        ``patient_id``, ``first_dose_day``, ``il6_dose_day``, ``il6_max_next_3_days``, ``il6_after``.
    """
    rows = []
    by_patient = {pid: frame for pid, frame in daily.groupby("patient_id", sort=False)}
    for patient_id in patients.loc[patients["tocilizumab"].astype(bool), "patient_id"]:
        frame = by_patient.get(patient_id, daily.iloc[0:0])
        dosed = frame.loc[frame["toci_mg"].fillna(0) > 0, "day"]
        record = {"patient_id": patient_id, "first_dose_day": np.nan, "il6_dose_day": np.nan,
                  "il6_max_next_3_days": np.nan, "il6_after": "not monitored"}
        if len(dosed):
            first = int(dosed.min())
            il6 = frame.set_index("day")["il6_pg_ml"].astype(float)
            before = il6.get(first, np.nan)
            after = il6[(il6.index > first) & (il6.index <= first + IL6_WINDOW_DAYS)].max()
            record.update(first_dose_day=first, il6_dose_day=before, il6_max_next_3_days=after)
            if not (np.isnan(before) or np.isnan(after)):
                record["il6_after"] = "rose" if after > before else "fell"
        rows.append(record)
    return pd.DataFrame(rows, columns=["patient_id", "first_dose_day", "il6_dose_day", "il6_max_next_3_days",
                                       "il6_after"])


def align_to_first_dose(patients: pd.DataFrame, daily: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Daily values of the tocilizumab patients, with each day counted from the patient's first dose.

    Returns a long table: ``patient_id``, ``day``, ``first_dose_day``, ``days_from_first_dose`` and the
    requested columns; patients with tocilizumab but no dose recorded in ``toci_mg`` are left out.
    """
    missing = [column for column in ("patient_id", "day", "toci_mg", *columns) if column not in daily.columns]
    if missing:
        raise InvalidInputError(f"align_to_first_dose: the daily table lacks column(s) {missing}")
    treated = set(patients.loc[patients["tocilizumab"].astype(bool), "patient_id"])
    rows = daily[daily["patient_id"].isin(treated)]
    dosed = rows[rows["toci_mg"].fillna(0) > 0]
    first = dosed.groupby("patient_id")["day"].min().rename("first_dose_day")
    aligned = rows[["patient_id", "day", *columns]].merge(first, left_on="patient_id", right_index=True)
    aligned["days_from_first_dose"] = aligned["day"] - aligned["first_dose_day"]
    return aligned[["patient_id", "day", "first_dose_day", "days_from_first_dose", *columns]].reset_index(drop=True)


def expansion_summary(daily: pd.DataFrame, *, value: str = "car_copies_per_ug_dna", last_day: int = 28) -> pd.DataFrame:
    """Per patient: peak CAR-T level, the day of the peak, and the area under the curve to ``last_day``.

    The area is the trapezoid rule over the measured days from day 0 to ``last_day`` (copies/ug DNA x
    days), the usual summary of CAR-T expansion (e.g. AUC0-28 in the tisagenlecleucel label). Patients
    with fewer than two measurements in that window get no area.
    """
    for column in ("patient_id", "day", value):
        if column not in daily.columns:
            raise InvalidInputError(f"expansion_summary: the daily table lacks column {column!r}")
    records = []
    window = daily[(daily["day"] >= 0) & (daily["day"] <= last_day)].dropna(subset=[value])
    for patient_id, rows in window.groupby("patient_id", sort=False):
        rows = rows.sort_values("day")
        levels = rows[value].astype(float).to_numpy()
        days = rows["day"].astype(float).to_numpy()
        peak = int(np.argmax(levels))
        records.append({"patient_id": patient_id, "peak": float(levels[peak]), "day_of_peak": int(days[peak]),
                        "auc_0_28": float(np.trapezoid(levels, days)) if len(levels) >= 2 else math.nan})
    return pd.DataFrame(records, columns=["patient_id", "peak", "day_of_peak", "auc_0_28"])


def organ_peaks(daily: pd.DataFrame, columns: Sequence[str], *, first_day: int = 0) -> pd.DataFrame:
    """Per patient, the highest value of each column from ``first_day`` on (liver and kidney function after
    infusion, Supplementary Figure S2); a patient with no value of a column gets none for it."""
    missing = [column for column in ("patient_id", "day", *columns) if column not in daily.columns]
    if missing:
        raise InvalidInputError(f"organ_peaks: the daily table lacks column(s) {missing}")
    after = daily[daily["day"] >= first_day]
    return after.groupby("patient_id")[list(columns)].max().reset_index()


GRADING_AGREEMENT = ("recorded = graded", "recorded ≠ graded", "no daily rows")
"""How a patient's recorded CRS measure compares with the one the ASTCT grader gives from the daily rows; a
patient may have no daily rows (data/ipd_schema.md), and then nothing is compared."""


def recorded_against_graded(patients: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """Per patient: the CRS grade and duration recorded in patients.csv beside those the ASTCT grader gives
    from the patient's daily rows (:func:`crs_compendium.patients.grading.summarise_crs`).

    Returns
    -------
    DataFrame
        ``patient_id``, ``crs_grade``, ``crs_duration_days``, ``graded_grade``, ``graded_duration_days``
        (missing without daily rows), and two columns of :data:`GRADING_AGREEMENT` (ordered categoricals):
        ``duration`` (the durations) and ``grade_and_duration`` (both).
    """
    graded = summarise_crs(daily)[["patient_id", "crs_max_grade", "crs_duration_days"]].rename(
        columns={"crs_max_grade": "graded_grade", "crs_duration_days": "graded_duration_days"})
    table = patients[["patient_id", "crs_grade", "crs_duration_days"]].merge(graded, on="patient_id", how="left")
    has_rows = table["graded_grade"].notna()
    same_duration = table["crs_duration_days"] == table["graded_duration_days"]
    same_grade = table["crs_grade"] == table["graded_grade"]

    def agreement(agrees: pd.Series) -> pd.Categorical:
        words = np.where(~has_rows, GRADING_AGREEMENT[2], np.where(agrees, *GRADING_AGREEMENT[:2]))
        return pd.Categorical(words, categories=GRADING_AGREEMENT, ordered=True)

    return table.assign(duration=agreement(same_duration), grade_and_duration=agreement(same_duration & same_grade))


def duration_check_by_grade(patients: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame | NotComputable:
    """Patients with CRS by stratum (:func:`crs_severity`) and by how their recorded duration compares with
    the one graded from their daily rows (:data:`GRADING_AGREEMENT`, every column kept); not computable
    when no patient had CRS."""
    checked = recorded_against_graded(patients, daily)
    with_crs = checked[checked["crs_grade"] >= 1]
    if with_crs.empty:
        return NotComputable("Recorded against graded CRS duration", "no patient has CRS (crs_grade 0 for everyone)")
    table = pd.crosstab(crs_severity(with_crs["crs_grade"]).rename("grade group"), with_crs["duration"], dropna=False)
    return table.rename_axis(columns="duration in patients.csv against the daily rows")