"""Realistic variations of a valid patient-data folder, for tests that the book builds on any valid folder.

Hospitals will drop in their own exports of ``patients.csv`` and ``daily.csv`` (schema:
``data/ipd_schema.md``). Those differ from the shipped synthetic folder the way real exports differ: other
ids, empty or sparse columns, ragged daily courses, tiny groups, categories that never occur, another
spreadsheet's idea of a CSV file. Each *kind* below imitates one such difference and changes only that
aspect of the folder; several kinds combine into one folder, and :data:`COMBINATIONS` names a handful of
combined folders that together cover every kind, so the book's tests can stay fast.

- :data:`KINDS` is the catalogue, in the order kinds are applied whatever order a caller names them in:
  what no patient had (kept when patients are dropped or resampled), cohort size, what some patients had
  (after sizing, so they stay in), daily rows, ids, columns, row order, and last how the files are written.
- :func:`make_variant` builds the tables in memory, :func:`write_folder` writes them, and
  :func:`write_variant` does both and returns a :class:`VariantRecord` (kinds, seed, patient ids, affected
  aspects and claims). :func:`combined_folders` writes every combination of :data:`COMBINATIONS`.
- :func:`read_written` reads a written folder back (bytes and text cells) and each kind's ``shows`` says
  whether a folder shows that kind, so a test can check that a combination still carries all its kinds.

Everything is seeded: the same kinds and seed give byte-identical files. Each kind draws from its own
generator (the seed and the kind's name), so it does the same thing alone or combined with others.
No folder carries the ``SYNTHETIC`` marker: real data never does.
"""
from __future__ import annotations

import codecs
import csv
import io
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from crs_compendium.patients.schema import (CASE_COLUMN, DAILY_COLUMNS, DAILY_FILE, PATIENT_COLUMNS, PATIENTS_FILE,
                                            SYNTHETIC_DIR, SYNTHETIC_MARKER)
from crs_compendium.printed.registry import claims_for, load_claims

__all__ = ["Layout", "Tables", "Written", "Kind", "VariantRecord", "KINDS", "COMBINATIONS", "read_base",
           "make_variant", "write_folder", "write_variant", "combined_folders", "read_written"]

FILES = (PATIENTS_FILE, DAILY_FILE)
BOOLEAN_COLUMNS = {rule.name for rule in PATIENT_COLUMNS + DAILY_COLUMNS if rule.kind == "boolean"}
CYTOKINES = ("il6_pg_ml", "il10_pg_ml", "ifng_pg_ml", "tnfa_pg_ml")
# Labs a clinic draws at weekly visits rather than daily on the ward.
WEEKLY_LABS = ("crp_mg_l", "ferritin_ng_ml", "ast_u_l", "creatinine_umol_l")
WEEKLY_LAB_DAYS = ("-1", "7", "14", "21", "28")
# What a patient's CRS course consists of, in patients.csv; the rest of the course is its daily rows.
CRS_COURSE = ("toci_doses", "toci_total_mg", "steroid_mpe_mg", "crs_grade", "crs_duration_days")
EARLIEST_DAY = -7  # the schema's first day: lymphodepletion starts about a week before infusion


# --------------------------------------------------------------------------------------------------------
# What a variant is: text tables and how they are written
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """How the tables become bytes: encoding, byte-order mark, line ends, quoting, boolean spelling."""

    encoding: str = "utf-8"
    byte_order_mark: bool = False
    line_end: str = "\n"
    quote_all: bool = False
    excel_booleans: bool = False
    trailing_empty_line: bool = False


@dataclass(frozen=True)
class Tables:
    """A folder's two tables, every cell text as it will be written ("" for an empty cell), and its layout.

    Cells stay text so that values a kind does not touch are written exactly as in the base folder.
    """

    patients: pd.DataFrame
    daily: pd.DataFrame
    layout: Layout = Layout()


@dataclass(frozen=True)
class Written:
    """A folder as written: each file's bytes and its cells as text (booleans as spelled in the file)."""

    raw: dict[str, bytes]
    patients: pd.DataFrame
    daily: pd.DataFrame


@dataclass(frozen=True)
class Kind:
    """One way real exports differ from the shipped folder.

    ``make`` changes the tables (its docstring says which export does this); ``shows`` says whether a
    written folder shows the kind. ``aspects`` are what the book reads differently; ``claims`` selects the
    published claims whose recomputation the kind affects: each entry holds the keywords of one
    ``registry.claims_for`` call, and a claim any entry selects is affected.
    ``decides`` names what the kind fixes on its own: two kinds that decide the same thing cannot be
    combined. ``valid`` is False for a kind that must be refused, with ``expected_refusal`` a phrase the
    refusal must contain.
    """

    name: str
    make: Callable[[Tables, np.random.Generator], Tables] = field(repr=False)
    shows: Callable[[Written], bool] = field(repr=False)
    aspects: tuple[str, ...]
    claims: tuple[dict[str, tuple[str, ...]], ...] = ()
    decides: tuple[str, ...] = ()
    valid: bool = True
    expected_refusal: str = ""

    @property
    def imitates(self) -> str:
        """The first line of ``make``'s docstring: the real export this kind imitates."""
        return self.make.__doc__.strip().splitlines()[0]


@dataclass(frozen=True)
class VariantRecord:
    """What :func:`write_variant` did: where, which kinds (in the order applied), the seed, and what the
    folder holds and affects, e.g. for asserting that no patient id reaches the built book."""

    folder: Path
    kinds: tuple[str, ...]
    seed: int
    patient_ids: tuple[str, ...]
    n_daily_rows: int
    aspects: tuple[str, ...]
    claim_ids: tuple[str, ...]
    valid: bool
    expected_refusal: str


# --------------------------------------------------------------------------------------------------------
# Small helpers on text tables
# --------------------------------------------------------------------------------------------------------
def _is_true(cells: pd.Series) -> pd.Series:
    return cells.str.lower().eq("true")


def _numbers(cells: pd.Series) -> pd.Series:
    return pd.to_numeric(cells.replace("", np.nan))


def _days_text(days: pd.Series | np.ndarray) -> list[str]:
    """Days as the base folder writes survival times: whole days with one decimal ("244.0")."""
    return [f"{float(day):.1f}" for day in days]


def _group(tables: Tables, tocilizumab: bool) -> pd.Series:
    """Which patients are in the tocilizumab group (or the other one)."""
    return _is_true(tables.patients["tocilizumab"]) == tocilizumab


def _keep_patients(tables: Tables, keep: pd.Series) -> Tables:
    """Only the patients where ``keep`` holds, with their daily rows; row order unchanged."""
    patients = tables.patients[keep].reset_index(drop=True)
    daily = tables.daily[tables.daily["patient_id"].isin(patients["patient_id"])].reset_index(drop=True)
    return replace(tables, patients=patients, daily=daily)


def _quiet_days(daily: pd.DataFrame) -> pd.Series:
    """Rows with no sign of CRS and no drug for it: the ASTCT grade of every other day does not depend on
    whether such a row is there, except a quiet day that ends a fever waiver, so kinds remove only quiet
    days outside each patient's CRS episode (and the patient's recorded grade stays the derived one)."""
    fever = _numbers(daily["tmax_c"]).ge(38)
    support = (_numbers(daily["vasopressors"]).fillna(0).gt(0) | _is_true(daily["hypotension"])
               | ~daily["o2_support"].isin(["none", ""]))
    drug = daily["toci_mg"].ne("") | daily["steroid_mpe_mg"].ne("")
    return ~(fever | support | drug)


def _courses(daily: pd.DataFrame) -> pd.DataFrame:
    """Per patient (in order of appearance): first and last day, and the first and last day that is not
    quiet (the CRS episode); a patient without any gets the middle of its course for both."""
    days = daily["day"].astype(int)
    by_patient = days.groupby(daily["patient_id"], sort=False)
    loud = days.where(~_quiet_days(daily)).groupby(daily["patient_id"], sort=False)
    middle = by_patient.median().astype(int)
    return pd.DataFrame({"first": by_patient.min(), "last": by_patient.max(),
                         "crs_start": loud.min().fillna(middle).astype(int),
                         "crs_end": loud.max().fillna(middle).astype(int)})


def _draw_until(draw: Callable[[], object], acceptable: Callable[[object], bool], what: str):
    """Redraw until the result shows what the kind promises; refuse a folder where it never can."""
    for _ in range(1000):
        result = draw()
        if acceptable(result):
            return result
    raise ValueError(f"cannot {what} in this folder")


def _courses_copied(daily: pd.DataFrame, sources, new_ids) -> pd.DataFrame:
    """The daily rows of each source patient, relabelled with the matching new id, in the order given."""
    rows_of = daily.groupby("patient_id", sort=False).indices
    positions = [rows_of.get(source, np.array([], dtype=int)) for source in sources]
    copied = daily.iloc[np.concatenate(positions)]
    return copied.assign(patient_id=np.repeat(np.asarray(new_ids, dtype=object), [len(p) for p in positions]))


def _in_patient_order(daily: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """Daily rows grouped in the order of patients.csv, as the base folder has them."""
    order = pd.Series(range(len(patients)), index=patients["patient_id"])
    return daily.sort_values("patient_id", key=lambda ids: ids.map(order), kind="stable").reset_index(drop=True)


def _replace_courses(tables: Tables, targets: pd.Series, donors: pd.Series, rng, what: str) -> Tables:
    """Give each target patient the CRS course of a donor drawn from ``donors``: the patient-level course
    columns and every daily row, so recorded grade, drugs and daily signs stay one consistent story."""
    if not targets.any():
        return tables
    donor_ids = tables.patients.loc[donors, "patient_id"].to_numpy()
    if donor_ids.size == 0:
        raise ValueError(f"cannot {what}: no patient with a suitable course to copy")
    chosen = rng.choice(donor_ids, size=int(targets.sum()))
    patients = tables.patients.copy()
    target_ids = patients.loc[targets, "patient_id"].to_numpy()
    patients.loc[targets, list(CRS_COURSE)] = (
        tables.patients.set_index("patient_id").loc[chosen, list(CRS_COURSE)].to_numpy())
    kept = tables.daily[~tables.daily["patient_id"].isin(target_ids)]
    daily = pd.concat([kept, _courses_copied(tables.daily, chosen, target_ids)])
    return replace(tables, patients=patients, daily=_in_patient_order(daily, patients))


def _new_ids(tables: Tables, ids: list[str]) -> Tables:
    """Rename the patients (in row order) in both files."""
    mapping = dict(zip(tables.patients["patient_id"], ids, strict=True))
    patients = tables.patients.assign(patient_id=ids)
    daily = tables.daily.assign(patient_id=tables.daily["patient_id"].map(mapping))
    return replace(tables, patients=patients, daily=daily)


# --------------------------------------------------------------------------------------------------------
# The kinds: what each does to the tables
# --------------------------------------------------------------------------------------------------------
def _no_grade3_crs_in_toci_group(tables: Tables, rng) -> Tables:
    """A centre whose treated patients all had mild CRS (grade 1-2): no grade 3 or higher in the
    tocilizumab group; each such patient takes the course of a treated grade 1-2 patient."""
    treated = _group(tables, True)
    grade = _numbers(tables.patients["crs_grade"])
    return _replace_courses(tables, treated & grade.ge(3), treated & grade.between(1, 2), rng,
                            "remove grade 3 CRS from the tocilizumab group")


def _no_crs_in_non_toci_group(tables: Tables, rng) -> Tables:
    """A centre where no untreated patient had CRS at all (low tumour burden, low doses): every patient
    without tocilizumab takes the course of an untreated patient without CRS (no steroid either)."""
    untreated = _group(tables, False)
    grade = _numbers(tables.patients["crs_grade"])
    return _replace_courses(tables, untreated & grade.gt(0), untreated & grade.eq(0), rng,
                            "remove CRS from the group without tocilizumab")


def _nr_response_added(tables: Tables, rng) -> Tables:
    """A cohort with primary non-responders (NR at day 28), a category the shipped data lack; a
    non-responder's disease progresses: progression is recorded at assessment, four to eight weeks in."""
    patients = tables.patients.copy()
    count = max(1, min(int(rng.integers(1, 4)), len(patients) // 3))
    rows = rng.choice(patients.index, size=count, replace=False)
    progression = np.minimum(_numbers(patients.loc[rows, "pfs_days"]), rng.integers(28, 57, size=count))
    patients.loc[rows, "response_d28"] = "NR"
    patients.loc[rows, "pfs_days"] = _days_text(progression)  # never after os_days: only ever earlier
    patients.loc[rows, "pfs_event"] = "true"
    return replace(tables, patients=patients)


def _no_icans(tables: Tables, rng) -> Tables:
    """A centre that saw no neurotoxicity (ICANS grade 0 for everyone), as many small series report."""
    return replace(tables, patients=tables.patients.assign(icans_grade="0"))


def _no_survival_events(tables: Tables, rng) -> Tables:
    """An early data cut: every patient is censored before the first progression or death, each at its
    own follow-up (patients were infused on different dates), progression-free and alive."""
    patients = tables.patients.copy()
    times = _numbers(patients["pfs_days"])
    first_event = times[_is_true(patients["pfs_event"])].min()
    if np.isnan(first_event):
        first_event = times.max() + 1
    first_event = int(np.ceil(first_event))
    earliest = max(1, min(28, first_event - 1))  # a day-28 assessment where the cut allows it
    follow_up = np.minimum(rng.integers(earliest, max(first_event, earliest + 1), size=len(patients)),
                           _numbers(patients["os_days"]))
    patients["pfs_days"] = patients["os_days"] = _days_text(follow_up)
    patients["pfs_event"] = patients["os_event"] = "false"
    return replace(tables, patients=patients)


def _every_patient_has_event(tables: Tables, rng) -> Tables:
    """A long follow-up of a refractory cohort: every patient progressed and died (times unchanged)."""
    patients = tables.patients.assign(pfs_event="true", os_event="true")
    return replace(tables, patients=patients)


def _no_corticosteroids(tables: Tables, rng) -> Tables:
    """A centre that gave no corticosteroid for CRS (tocilizumab only): 0 mg for everyone and an empty
    daily steroid column, as the pharmacy export leaves it."""
    patients = tables.patients.assign(steroid_mpe_mg="0.0")
    daily = tables.daily.assign(steroid_mpe_mg="")
    return replace(tables, patients=patients, daily=daily)


def _no_gcsf(tables: Tables, rng) -> Tables:
    """A centre that gave no G-CSF after infusion: gcsf_total_ug 0 for everyone."""
    return replace(tables, patients=tables.patients.assign(gcsf_total_ug="0.0"))


def _group_of(tocilizumab: bool, size: int):
    def keep(tables: Tables, rng) -> Tables:
        in_group = _group(tables, tocilizumab)
        if in_group.sum() < size:
            raise ValueError(f"cannot keep {size} patients of a group of {in_group.sum()}")
        chosen = rng.choice(tables.patients.index[in_group], size=size, replace=False)
        return _keep_patients(tables, ~in_group | tables.patients.index.isin(chosen))

    group = "tocilizumab" if tocilizumab else "non-tocilizumab"
    keep.__doc__ = (f"A small centre's export: a {group} group of {size}, the other group as it is; "
                    "the patients kept are drawn at random, in their original row order.")
    return keep


def _large_cohort(tables: Tables, rng) -> Tables:
    """A multicentre registry export: 200-260 patients, each group resampled (with replacement) in the
    base proportions, every copy with a new id and its own daily rows; the first copy of a study patient
    keeps its paper case number, the other copies are other patients and have none."""
    total = int(rng.integers(200, 261))
    treated_share = _group(tables, True).mean()
    sizes = {True: round(total * treated_share), False: total - round(total * treated_share)}
    drawn = np.concatenate([rng.choice(tables.patients.index[_group(tables, treated)], size=size, replace=True)
                            for treated, size in sizes.items()])
    patients = tables.patients.loc[drawn].reset_index(drop=True)
    if CASE_COLUMN in patients:
        patients.loc[patients["patient_id"].duplicated(), CASE_COLUMN] = ""
    ids = [f"REG-{number:04d}" for number in range(1, len(patients) + 1)]
    daily = _courses_copied(tables.daily, patients["patient_id"], ids)
    return replace(tables, patients=patients.assign(patient_id=ids), daily=daily.reset_index(drop=True))


def _empty_columns(*columns: str, doc: str):
    def empty(tables: Tables, rng) -> Tables:
        return replace(tables, daily=tables.daily.assign(**{column: "" for column in columns}))

    empty.__doc__ = doc
    return empty


def _sparse_lab_columns(tables: Tables, rng) -> Tables:
    """A centre that sends CRP, ferritin, AST and creatinine at baseline and weekly visits only (days -1,
    7, 14, 21, 28): most cells of those columns are empty."""
    daily = tables.daily.copy()
    daily.loc[~daily["day"].isin(WEEKLY_LAB_DAYS), list(WEEKLY_LABS)] = ""
    return replace(tables, daily=daily)


def _missing_days(tables: Tables, rng) -> Tables:
    """An export with gaps: days at home between clinic visits after CRS has settled are missing in the
    middle of about a third of the courses (2-5 days each), never a day of CRS or of a drug for it."""
    daily = tables.daily.assign(day=tables.daily["day"].astype(int))
    crs_end = daily["patient_id"].map(_courses(tables.daily)["crs_end"])
    # Each patient's quiet days after its CRS (quiet by definition of the episode), in day order.
    after_crs = daily[daily["day"] > crs_end].sort_values("day", kind="stable").groupby("patient_id").groups
    room = [patient_id for patient_id, rows in after_crs.items() if len(rows) >= 4]  # day, 2-day gap, day
    if not room:
        raise ValueError("cannot leave a gap: no patient has enough quiet days after CRS")
    dropped = []
    for patient_id in rng.choice(room, size=max(1, len(room) // 3), replace=False):
        rows = after_crs[patient_id]
        gap = int(rng.integers(2, min(5, len(rows) - 2) + 1))
        start = int(rng.integers(1, len(rows) - gap))  # keep a day before and after the gap
        dropped.extend(rows[start:start + gap])
    return replace(tables, daily=tables.daily.drop(index=dropped).reset_index(drop=True))


def _different_day_ranges(tables: Tables, rng) -> Tables:
    """Courses of different lengths: some exports start at admission for lymphodepletion (day -7 to -2,
    afebrile baseline rows added), some at infusion, and end at discharge; no CRS day is cut off."""
    courses = _courses(tables.daily)
    # Keep a quiet day on each side of the CRS episode where the course has one.
    latest_start = np.maximum(courses["first"], courses["crs_start"] - 1)
    earliest_end = np.minimum(courses["last"], courses["crs_end"] + 1)
    ranges = _draw_until(
        lambda: pd.DataFrame({"start": rng.integers(EARLIEST_DAY, latest_start + 1),
                              "end": rng.integers(earliest_end, courses["last"] + 1)}, index=courses.index),
        lambda drawn: drawn["start"].nunique() > 1 and drawn["end"].nunique() > 1,
        "vary the first and last days")
    day = tables.daily["day"].astype(int)
    patient = tables.daily["patient_id"]
    kept = tables.daily[day.between(patient.map(ranges["start"]), patient.map(ranges["end"]))]
    earlier = ranges["start"] < courses["first"]
    added = _baseline_rows([(patient_id, range(ranges.at[patient_id, "start"], courses.at[patient_id, "first"]))
                            for patient_id in courses.index[earlier]], rng, tables.daily.columns)
    daily = pd.concat([added, kept]).sort_values("day", key=lambda days: days.astype(int), kind="stable")
    return replace(tables, daily=_in_patient_order(daily, tables.patients))


def _baseline_rows(days_by_patient: list[tuple[str, range]], rng, columns) -> pd.DataFrame:
    """Pre-infusion ward days: afebrile, no support, nothing else measured."""
    rows = pd.DataFrame({"patient_id": [patient_id for patient_id, days in days_by_patient for _ in days],
                         "day": [str(day) for _, days in days_by_patient for day in days]})
    rows = rows.reindex(columns=columns, fill_value="")
    rows["tmax_c"] = [f"{t:.1f}" for t in np.clip(rng.normal(36.8, 0.3, size=len(rows)), 36.0, 37.5)]
    rows["vasopressors"], rows["hypotension"], rows["o2_support"] = "0", "false", "none"
    return rows


def _patient_without_daily_rows(tables: Tables, rng) -> Tables:
    """A patient infused elsewhere and followed up here: in patients.csv, but the ward chart that feeds
    daily.csv has no row for them."""
    chosen = rng.choice(tables.patients["patient_id"].to_numpy())
    return replace(tables, daily=tables.daily[tables.daily["patient_id"] != chosen].reset_index(drop=True))


def _numeric_ids(tables: Tables, rng) -> Tables:
    """Study numbers 1, 2, 3, ... in row order (a spreadsheet's row number used as id)."""
    return _new_ids(tables, [str(number) for number in range(1, len(tables.patients) + 1)])


def _zero_padded_ids(tables: Tables, rng) -> Tables:
    """Zero-padded study numbers ("007"), which a spreadsheet or a careless reader turns into 7."""
    width = len(str(len(tables.patients))) + 1  # every id then starts with a zero
    return _new_ids(tables, [f"{number:0{width}d}" for number in range(1, len(tables.patients) + 1)])


def _hospital_ids(tables: Tables, rng) -> Tables:
    """Hospital record numbers: site code, year of admission, sequence number ("TJ-2021-0042")."""
    years = np.sort(rng.integers(2019, 2024, size=len(tables.patients)))
    sequence = rng.choice(np.arange(1, 10000), size=len(tables.patients), replace=False)
    return _new_ids(tables, [f"TJ-{year}-{number:04d}" for year, number in zip(years, sequence)])


def _ids_with_spaces_and_commas(tables: Tables, rng) -> Tables:
    """A multicentre export whose id is "site, number" ("Union Hospital, 007"): spaces and a comma in
    every id, so the CSV quotes it."""
    sites = rng.choice(["Tongji", "Union Hospital", "Wuhan No. 1"], size=len(tables.patients))
    counters: dict[str, int] = {}
    ids = []
    for site in sites:
        counters[site] = counters.get(site, 0) + 1
        ids.append(f"{site}, {counters[site]:03d}")
    return _new_ids(tables, ids)


WARDS = ("Haematology 1", "Haematology 2", "BMT unit", "ICU")
NOTES = ("", "", "", "transferred to ICU on day 6, back on day 9", 'relapse "CD19-negative"',
         "infused as outpatient", "")


def _no_case_column(tables: Tables, rng) -> Tables:
    """An export by a data holder who has not mapped the paper's case numbers: patients.csv has no
    paper_case column, so claims about named cases cannot be checked."""
    return replace(tables, patients=tables.patients.drop(columns=[CASE_COLUMN], errors="ignore"))


def _all_mrd_negative(tables: Tables, rng) -> Tables:
    """A cohort in which every patient was in MRD-negative complete response at day 28: one response
    category only, so no test of response by group exists."""
    return replace(tables, patients=tables.patients.assign(response_d28="MRD-CR"))


def _spreadsheet_leftovers(tables: Tables, rng) -> Tables:
    """What a spreadsheet leaves in a CSV file: a trailing column with neither a name nor a value (a cell
    once formatted) and, at the end, rows of empty fields (rows once used)."""
    def leftovers(table: pd.DataFrame) -> pd.DataFrame:
        widened = table.assign(**{"": ""})
        blank = pd.DataFrame([[""] * widened.shape[1]] * 2, columns=widened.columns)
        return pd.concat([widened, blank], ignore_index=True)

    return replace(tables, patients=leftovers(tables.patients), daily=leftovers(tables.daily))


def _header_near_miss(tables: Tables, rng) -> Tables:
    """A header typed by hand: one column name with a trailing space ("age_years ") and one in another
    letter case ("Sex"), which must be refused with "did you mean", never read as a missing column."""
    return replace(tables, patients=tables.patients.rename(columns={"age_years": "age_years ", "sex": "Sex"}))


def _windows1252_encoding(tables: Tables, rng) -> Tables:
    """Excel on Western-locale Windows, "CSV (comma delimited)": saved in Windows-1252, not UTF-8; the
    ward is written with an accent ("Hématologie")."""
    patients = tables.patients.assign(hospital_ward="Hématologie")
    return replace(tables, patients=patients, layout=replace(tables.layout, encoding="cp1252"))


def _extra_columns(tables: Tables, rng) -> Tables:
    """A hospital export carrying columns the schema does not know: the ward and free-text notes (with
    commas and quotes) in patients.csv, a platelet count in daily.csv."""
    patients = tables.patients.assign(hospital_ward=rng.choice(WARDS, size=len(tables.patients)),
                                      notes=rng.choice(NOTES, size=len(tables.patients)))
    counted = rng.random(len(tables.daily)) < 0.4  # a blood count on about two days in five
    platelets = np.where(counted, [str(count) for count in rng.integers(8, 250, size=len(tables.daily))], "")
    return replace(tables, patients=patients, daily=tables.daily.assign(platelets_10e9_l=platelets))


def _columns_reordered(tables: Tables, rng) -> Tables:
    """A database view with its own column order (patient_id not first, schema order lost)."""
    def reorder(table: pd.DataFrame) -> pd.DataFrame:
        columns = _draw_until(lambda: [str(name) for name in rng.permutation(table.columns)],
                              lambda order: order[0] != "patient_id", "reorder the columns")
        return table[columns]

    return replace(tables, patients=reorder(tables.patients), daily=reorder(tables.daily))


def _shuffled_rows(tables: Tables, rng) -> Tables:
    """An export in no particular order (a query without ORDER BY): patients of both groups interleaved,
    daily rows of a patient scattered. The paper's named cases ("Pt 4") stay the same patients: the
    optional column paper_case names them, never the row order."""
    patients = _draw_until(lambda: tables.patients.iloc[rng.permutation(len(tables.patients))],
                           lambda table: not _in_group_blocks(table), "interleave the groups")
    daily = _draw_until(lambda: tables.daily.iloc[rng.permutation(len(tables.daily))],
                        lambda table: not _grouped_by_patient(table), "scatter the daily rows")
    return replace(tables, patients=patients.reset_index(drop=True), daily=daily.reset_index(drop=True))


def _in_group_blocks(patients: pd.DataFrame) -> bool:
    treated = _is_true(patients["tocilizumab"])
    return treated.is_monotonic_increasing or treated.is_monotonic_decreasing


def _grouped_by_patient(daily: pd.DataFrame) -> bool:
    runs = daily["patient_id"].ne(daily["patient_id"].shift()).sum()
    return runs == daily["patient_id"].nunique()


def _layout(doc: str, **settings):
    def write_differently(tables: Tables, rng) -> Tables:
        return replace(tables, layout=replace(tables.layout, **settings))

    write_differently.__doc__ = doc
    return write_differently


def _gb18030_encoding(tables: Tables, rng) -> Tables:
    """Excel on Chinese-locale Windows, "CSV (comma delimited)": saved in the ANSI code page (936, GBK,
    which GB18030 extends), not UTF-8; the ward is written in Chinese ("血液科", haematology)."""
    patients = tables.patients.assign(hospital_ward="血液科")
    return replace(tables, patients=patients, layout=replace(tables.layout, encoding="gb18030"))


# --------------------------------------------------------------------------------------------------------
# The kinds: how a written folder shows each
# --------------------------------------------------------------------------------------------------------
def _grades(written: Written, column: str, tocilizumab: bool | None = None) -> pd.Series:
    patients = written.patients
    if tocilizumab is not None:
        patients = patients[_is_true(patients["tocilizumab"]) == tocilizumab]
    return _numbers(patients[column])


def _all_empty(*columns: str):
    return lambda written: all(written.daily[column].eq("").all() for column in columns)


def _group_size(tocilizumab: bool, size: int):
    return lambda written: int((_is_true(written.patients["tocilizumab"]) == tocilizumab).sum()) == size


def _shows_sparse(written: Written) -> bool:
    filled = [written.daily[column].ne("").mean() for column in WEEKLY_LABS]
    return all(0 < share <= 0.25 for share in filled)


def _day_spans(written: Written) -> pd.DataFrame:
    days = written.daily.assign(day=written.daily["day"].astype(int)).groupby("patient_id")["day"]
    return pd.DataFrame({"first": days.min(), "last": days.max(), "rows": days.size()})


def _shows_gaps(written: Written) -> bool:
    spans = _day_spans(written)
    return bool((spans["last"] - spans["first"] + 1 > spans["rows"]).any())


def _shows_ragged_ends(written: Written) -> bool:
    spans = _day_spans(written)
    return spans["first"].nunique() > 1 and spans["last"].nunique() > 1


def _shows_patient_without_rows(written: Written) -> bool:
    return not set(written.patients["patient_id"]) <= set(written.daily["patient_id"])


def _ids_match(pattern: str):
    return lambda written: bool(written.patients["patient_id"].str.fullmatch(pattern).all())


def _schema_order_lost(written: Written) -> bool:
    for table, rules in ((written.patients, PATIENT_COLUMNS), (written.daily, DAILY_COLUMNS)):
        known = [column for column in table.columns if column in {rule.name for rule in rules}]
        if known == [rule.name for rule in rules if rule.name in table.columns]:
            return False
    return True


def _has_extra_columns(written: Written) -> bool:
    return all(set(table.columns) - {rule.name for rule in rules}
               for table, rules in ((written.patients, PATIENT_COLUMNS), (written.daily, DAILY_COLUMNS)))


def _every_file(test: Callable[[bytes], bool]):
    return lambda written: all(test(raw) for raw in written.raw.values())


def _crlf_only(raw: bytes) -> bool:
    return raw.count(b"\n") == raw.count(b"\r\n") > 0


def _every_field_quoted(written: Written) -> bool:
    for name, table in ((PATIENTS_FILE, written.patients), (DAILY_FILE, written.daily)):
        quoted = io.StringIO()
        writer = csv.writer(quoted, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.itertuples(index=False, name=None))
        if _text_of(written.raw[name]).replace("\r\n", "\n").rstrip("\n") != quoted.getvalue().rstrip("\n"):
            return False
    return True


def _excel_booleans(written: Written) -> bool:
    cells = pd.concat([table[column] for table in (written.patients, written.daily)
                       for column in BOOLEAN_COLUMNS if column in table])
    return bool(cells[cells.ne("")].isin(["TRUE", "FALSE"]).all())


def _ends_with_empty_line(raw: bytes) -> bool:
    return raw.endswith((b"\n\n", b"\r\n\r\n"))


def _shows_leftovers(written: Written) -> bool:
    """Both files end their header with an empty name and hold a line of nothing but commas."""
    for raw in written.raw.values():
        lines = _text_of(raw).splitlines()
        if not (lines[0].endswith(",") and any(line and not line.strip(",") for line in lines)):
            return False
    return True


def _not_utf8_with_accent(written: Written) -> bool:
    raw = written.raw[PATIENTS_FILE]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return written.patients.apply(lambda cells: cells.str.contains("é")).any(axis=None)
    return False


def _not_utf8_with_chinese(written: Written) -> bool:
    raw = written.raw[PATIENTS_FILE]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return written.patients.apply(lambda cells: cells.str.contains("[\u4e00-\u9fff]")).any(axis=None)
    return False


# --------------------------------------------------------------------------------------------------------
# The catalogue, in the order kinds are applied
# --------------------------------------------------------------------------------------------------------
GROUP_CLAIMS = {"group": ("total", "toci", "non_toci", "toci_vs_non_toci", "steroid_users",
                          "non_toci_steroid_only")}
NAMED_CASE_CLAIMS = {"quantity": ("case_persistent_expansion", "case_gvhd", "case_infection",
                                  "case_infection_controlled", "case_infection_death", "car_expansion_end_day")}
CRS_CLAIMS = ("crs_any", "crs_grade", "crs_duration", "crs_mild_grades", "crs_severe_grades")
STEROID_CLAIMS = ("steroid_use", "steroid_mpe_mg", "steroid_without_toci")


def _quantities(*names: str) -> tuple[dict[str, tuple[str, ...]], ...]:
    return ({"quantity": names},)


_CATALOGUE = (
    # What the patients went through: absences, which survive dropping or resampling patients, so first
    Kind("no_grade3_crs_in_toci_group", _no_grade3_crs_in_toci_group,
         lambda w: _grades(w, "crs_grade", True).size > 0 and not _grades(w, "crs_grade", True).ge(3).any(),
         ("CRS grade by group", "CRS duration", "ASTCT grading"),
         _quantities(*CRS_CLAIMS, *STEROID_CLAIMS, "toci_doses", "toci_total_mg")),
    Kind("no_crs_in_non_toci_group", _no_crs_in_non_toci_group,
         lambda w: _grades(w, "crs_grade", False).size > 0 and _grades(w, "crs_grade", False).eq(0).all(),
         ("CRS grade by group", "CRS duration", "ASTCT grading", "corticosteroid use"),
         _quantities(*CRS_CLAIMS, *STEROID_CLAIMS)),
    Kind("all_mrd_negative", _all_mrd_negative, lambda w: w.patients["response_d28"].eq("MRD-CR").all(),
         ("day-28 response categories",), _quantities("response_d28"), decides=("responses",)),
    Kind("no_icans", _no_icans, lambda w: _grades(w, "icans_grade").eq(0).all(), ("ICANS",),
         _quantities("icans", "icans_grade", "icans_duration", "icans_due_to_il6")),
    Kind("no_survival_events", _no_survival_events,
         lambda w: not (_is_true(w.patients["pfs_event"]) | _is_true(w.patients["os_event"])).any(),
         ("survival curves", "log-rank tests"), _quantities("pfs", "os", "case_infection_death"),
         decides=("survival events",)),
    Kind("every_patient_has_event", _every_patient_has_event,
         lambda w: (_is_true(w.patients["pfs_event"]) & _is_true(w.patients["os_event"])).all(),
         ("survival curves", "log-rank tests"), _quantities("pfs", "os"), decides=("survival events",)),
    Kind("no_corticosteroids", _no_corticosteroids,
         lambda w: _grades(w, "steroid_mpe_mg").eq(0).all() and w.daily["steroid_mpe_mg"].eq("").all(),
         ("corticosteroid use", "ASTCT fever waiver"), _quantities(*STEROID_CLAIMS)),
    Kind("no_gcsf", _no_gcsf, lambda w: _grades(w, "gcsf_total_ug").eq(0).all(), ("G-CSF dose",),
         _quantities("gcsf_dose")),
    # How many patients
    Kind("toci_group_of_1", _group_of(True, 1), _group_size(True, 1), ("group sizes", "case numbers"),
         (GROUP_CLAIMS, NAMED_CASE_CLAIMS), decides=("tocilizumab group size",)),
    Kind("toci_group_of_3", _group_of(True, 3), _group_size(True, 3), ("group sizes", "case numbers"),
         (GROUP_CLAIMS, NAMED_CASE_CLAIMS), decides=("tocilizumab group size",)),
    Kind("non_toci_group_of_2", _group_of(False, 2), _group_size(False, 2), ("group sizes",), (GROUP_CLAIMS,),
         decides=("non-tocilizumab group size",)),
    Kind("large_cohort", _large_cohort,
         lambda w: len(w.patients) >= 200 and w.daily["patient_id"].nunique() >= 200,
         ("group sizes", "case numbers", "speed"), (GROUP_CLAIMS, NAMED_CASE_CLAIMS),
         decides=("tocilizumab group size", "non-tocilizumab group size")),
    # What some patients went through: after the cohort is sized, so the patients changed stay in it
    Kind("nr_response_added", _nr_response_added, lambda w: w.patients["response_d28"].eq("NR").any(),
         ("day-28 response categories", "progression-free survival"), _quantities("response_d28", "pfs"),
         decides=("survival events", "responses")),
    # What the daily rows hold
    Kind("empty_car_copies", _empty_columns("car_copies_per_ug_dna", doc=(
        "A centre that sends CAR-T copy numbers (qPCR) to an outside lab: the column is there, every cell "
        "empty.")), _all_empty("car_copies_per_ug_dna"), ("CAR-T expansion",), (NAMED_CASE_CLAIMS,)),
    Kind("empty_alt", _empty_columns("alt_u_l", doc=(
        "A lab system that does not export ALT (only AST): the column is there, every cell empty.")),
         _all_empty("alt_u_l"), ("organ function",)),
    Kind("empty_cytokines", _empty_columns(*CYTOKINES, doc=(
        "A centre without a cytokine panel: IL-6, IL-10, IFN-gamma and TNF-alpha all empty.")),
         _all_empty(*CYTOKINES), ("cytokine kinetics",),
         _quantities("cytokine_monitored", "cytokine_decrease", "il6_elevated")),
    Kind("sparse_lab_columns", _sparse_lab_columns, _shows_sparse, ("inflammation markers", "organ function")),
    Kind("missing_days", _missing_days, _shows_gaps, ("daily course", "ASTCT grading")),
    Kind("different_day_ranges", _different_day_ranges, _shows_ragged_ends, ("daily course", "ASTCT grading")),
    Kind("patient_without_daily_rows", _patient_without_daily_rows, _shows_patient_without_rows,
         ("daily course", "ASTCT grading", "cytokine kinetics")),
    # Who the patients are called
    Kind("numeric_ids", _numeric_ids, _ids_match(r"[1-9][0-9]*"), ("patient ids",), decides=("patient ids",)),
    Kind("zero_padded_ids", _zero_padded_ids, _ids_match(r"0[0-9]+"), ("patient ids",), decides=("patient ids",)),
    Kind("hospital_ids", _hospital_ids, _ids_match(r"TJ-20[0-9]{2}-[0-9]{4}"), ("patient ids",),
         decides=("patient ids",)),
    Kind("ids_with_spaces_and_commas", _ids_with_spaces_and_commas, _ids_match(r"[^,]+, [0-9]{3}"),
         ("patient ids",), decides=("patient ids",)),
    # Which columns, in which order
    Kind("no_case_column", _no_case_column, lambda w: CASE_COLUMN not in w.patients.columns, ("case numbers",),
         (NAMED_CASE_CLAIMS,)),
    Kind("extra_columns", _extra_columns, _has_extra_columns, ("columns",)),
    Kind("columns_reordered", _columns_reordered, _schema_order_lost, ("columns",)),
    # Which rows, in which order
    Kind("shuffled_rows", _shuffled_rows,
         lambda w: not _in_group_blocks(w.patients) and not _grouped_by_patient(w.daily),
         ("row order", "case numbers"), (NAMED_CASE_CLAIMS,)),
    # How the files are written
    Kind("utf8_bom", _layout("Excel's 'CSV UTF-8' format: the files start with a UTF-8 byte-order mark.",
                             byte_order_mark=True),
         _every_file(lambda raw: raw.startswith(codecs.BOM_UTF8)), ("encoding",), decides=("encoding",)),
    Kind("crlf_line_ends", _layout("A file saved on Windows: every line ends with CR LF.", line_end="\r\n"),
         _every_file(_crlf_only), ("line ends",)),
    Kind("quote_all_fields", _layout("A database client or statistics package set to quote every value, "
                                     "numbers and empty cells included.", quote_all=True),
         _every_field_quoted, ("quoting",)),
    Kind("excel_booleans", _layout("Excel's spelling of booleans: TRUE and FALSE.", excel_booleans=True),
         _excel_booleans, ("boolean spelling",)),
    Kind("trailing_empty_line", _layout("A hand-edited file that ends with an empty line.",
                                        trailing_empty_line=True),
         _every_file(_ends_with_empty_line), ("line ends",)),
    Kind("spreadsheet_leftovers", _spreadsheet_leftovers, _shows_leftovers, ("layout",)),
    # Exports that must be refused, each with the reason it names
    Kind("gb18030_encoding", _gb18030_encoding, _not_utf8_with_chinese, ("encoding",), decides=("encoding",),
         valid=False, expected_refusal="it reads as GB18030"),
    Kind("windows1252_encoding", _windows1252_encoding, _not_utf8_with_accent, ("encoding",), decides=("encoding",),
         valid=False, expected_refusal="it reads as WINDOWS-1252"),
    Kind("header_near_miss", _header_near_miss, lambda w: {"age_years ", "Sex"} <= set(w.patients.columns),
         ("columns",), valid=False, expected_refusal="did you mean"),
)
KINDS: dict[str, Kind] = {kind.name: kind for kind in _CATALOGUE}
"""Every kind by name, in the order they are applied."""

COMBINATIONS: dict[str, tuple[str, ...]] = {
    # One treated and two untreated patients, ids 1-3: the smallest folder the book must still build on.
    "tiny_centre": ("no_crs_in_non_toci_group", "nr_response_added", "no_icans", "toci_group_of_1",
                    "non_toci_group_of_2", "numeric_ids", "quote_all_fields"),
    # An interim export at a data cut: three treated patients, no events yet, no steroid, G-CSF or cytokines.
    "interim_cut": ("no_grade3_crs_in_toci_group", "no_survival_events", "no_corticosteroids", "no_gcsf",
                    "all_mrd_negative", "toci_group_of_3", "empty_cytokines", "empty_alt", "zero_padded_ids",
                    "crlf_line_ends", "excel_booleans"),
    # A multicentre registry: many patients, rows in no order, ragged and sparse daily data, extra columns.
    "registry_export": ("every_patient_has_event", "large_cohort", "empty_car_copies", "sparse_lab_columns",
                        "missing_days", "different_day_ranges", "patient_without_daily_rows",
                        "ids_with_spaces_and_commas", "extra_columns", "columns_reordered", "shuffled_rows",
                        "trailing_empty_line"),
    # Excel on Windows, "Save as CSV UTF-8": byte-order mark, CR LF, TRUE/FALSE, the hospital's record numbers,
    # what the spreadsheet left behind, and no mapping of the paper's case numbers.
    "excel_csv_utf8": ("hospital_ids", "no_case_column", "extra_columns", "utf8_bom", "crlf_line_ends",
                       "excel_booleans", "spreadsheet_leftovers"),
}
"""Combined folders that together cover every valid kind, each keeping the schema's rules in every cell and
each valid. The kinds that must be refused are in none: each gets a folder of its own."""


# --------------------------------------------------------------------------------------------------------
# Building, writing and reading folders
# --------------------------------------------------------------------------------------------------------
def _csv_cells(data: bytes) -> pd.DataFrame:
    """A CSV file's cells as text, "" for an empty cell; blank lines, rows of empty fields and trailing
    columns without a name or a value skipped, as the validator does."""
    rows = [row for row in csv.reader(io.StringIO(_text_of(data), newline="")) if any(field for field in row)]
    table = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    while table.columns[-1] == "" and table.iloc[:, -1].eq("").all():
        table = table.iloc[:, :-1]
    return table


def _text_of(data: bytes) -> str:
    """The text of a file in any encoding a kind writes: UTF-8 (with or without a byte-order mark), else
    GB18030 when every non-ASCII character reads as two high bytes (Chinese), else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if all(min(character.encode("gb18030")) >= 0x80 for character in text if ord(character) > 127):
            return text
    except UnicodeDecodeError:
        pass
    return data.decode("cp1252")


def read_base(folder: str | Path = SYNTHETIC_DIR) -> Tables:
    """The tables of a valid folder (default: the shipped synthetic reconstruction), cells as text."""
    parsed = _parsed_folder(Path(folder).resolve())
    return Tables(parsed.patients.copy(), parsed.daily.copy())  # callers may change their copy


@cache
def _parsed_folder(folder: Path) -> Tables:
    # Parsed once per folder and session: tests build dozens of variants of the same base.
    return Tables(*(_csv_cells((folder / name).read_bytes()) for name in FILES))


def _chosen(kinds: Iterable[str]) -> tuple[Kind, ...]:
    names = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = sorted(set(names) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
    chosen = tuple(kind for kind in _CATALOGUE if kind.name in names)
    for position, kind in enumerate(chosen):
        for other in chosen[position + 1:]:
            shared = set(kind.decides) & set(other.decides)
            if shared:
                raise ValueError(f"kinds {kind.name} and {other.name} both decide {', '.join(sorted(shared))}")
    return chosen


def _generator(seed: int, kind: Kind) -> np.random.Generator:
    """The kind's own generator: the same draws whatever other kinds are combined with it."""
    return np.random.default_rng([seed, zlib.crc32(kind.name.encode("utf-8"))])


def make_variant(kinds: Iterable[str], seed: int, base: Tables | None = None) -> Tables:
    """The base tables (default: :func:`read_base`) with each kind applied, in catalogue order."""
    tables = base if base is not None else read_base()
    for kind in _chosen(kinds):
        tables = kind.make(tables, _generator(seed, kind))
    return tables


def _csv_bytes(table: pd.DataFrame, layout: Layout) -> bytes:
    if layout.excel_booleans:
        table = table.replace({"true": "TRUE", "false": "FALSE"})  # the only spelling kinds write
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=layout.line_end,
                        quoting=csv.QUOTE_ALL if layout.quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(table.columns)
    writer.writerows(table.to_numpy().tolist())
    if layout.trailing_empty_line:
        text.write(layout.line_end)
    data = text.getvalue().encode(layout.encoding)
    return codecs.BOM_UTF8 + data if layout.byte_order_mark else data


def write_folder(folder: str | Path, tables: Tables) -> None:
    """Write ``patients.csv`` and ``daily.csv`` (and nothing else) into ``folder``, creating it.

    A folder holding the ``SYNTHETIC`` marker is refused: the variant would pass for the shipped cohort.
    """
    folder = Path(folder)
    if (folder / SYNTHETIC_MARKER).exists():
        raise ValueError(f"{folder} holds a {SYNTHETIC_MARKER} marker; write variants into another folder")
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in zip(FILES, (tables.patients, tables.daily)):
        (folder / name).write_bytes(_csv_bytes(table, tables.layout))


@cache
def _claims() -> pd.DataFrame:
    return load_claims()


def write_variant(folder: str | Path, kinds: Iterable[str], seed: int, base: Tables | None = None) -> VariantRecord:
    """Write a variant of the base folder into ``folder`` and say what it did.

    Parameters
    ----------
    folder : str or Path
        Created if missing; ``patients.csv`` and ``daily.csv`` are (over)written, never a ``SYNTHETIC``
        marker (a folder holding one is refused).
    kinds : iterable of str, or one str
        Names from :data:`KINDS`; applied in catalogue order. Kinds that decide the same thing (two id
        formats, two group sizes for one group, ...) cannot be combined: ValueError.
    seed : int
        Same kinds and seed, same bytes.
    base : Tables, optional
        Defaults to the shipped synthetic reconstruction.
    """
    chosen = _chosen(kinds)
    tables = make_variant([kind.name for kind in chosen], seed, base)
    write_folder(folder, tables)
    claim_ids = set()
    for kind in chosen:
        for criteria in kind.claims:
            claim_ids |= set(claims_for(_claims(), **criteria)["claim_id"])
    refused = [kind for kind in chosen if not kind.valid]
    return VariantRecord(
        folder=Path(folder),
        kinds=tuple(kind.name for kind in chosen),
        seed=seed,
        patient_ids=tuple(patient_id for patient_id in tables.patients["patient_id"] if patient_id),
        n_daily_rows=int(tables.daily["patient_id"].ne("").sum()),  # a spreadsheet's empty rows are no rows
        aspects=tuple(dict.fromkeys(aspect for kind in chosen for aspect in kind.aspects)),
        claim_ids=tuple(sorted(claim_ids)),
        valid=not refused,
        expected_refusal="; ".join(kind.expected_refusal for kind in refused),
    )


def combined_folders(root: str | Path, seed: int) -> list[VariantRecord]:
    """Write every combination of :data:`COMBINATIONS` into ``root/<name>``; together they cover every
    valid kind at least once."""
    return [write_variant(Path(root) / name, kinds, seed) for name, kinds in COMBINATIONS.items()]


def read_written(folder: str | Path) -> Written:
    """A written folder's bytes and text cells, whatever its encoding (for the kinds' ``shows``)."""
    raw = {name: (Path(folder) / name).read_bytes() for name in FILES}
    return Written(raw, _csv_cells(raw[PATIENTS_FILE]), _csv_cells(raw[DAILY_FILE]))
