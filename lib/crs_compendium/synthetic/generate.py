"""A synthetic patient-level cohort rebuilt from the paper's published aggregates.

No individual data were published (Zhou et al. 2025, "Data availability statement"), yet the ASTCT
grading, the kinetics and the survival pages need patients. :func:`reconstruct` generates 17 patients
with tocilizumab and 28 without, with a daily course each, in the schema of ``data/ipd_schema.md``:

- every count the paper prints per group is met exactly (sex, risk, transplant, blast bins, CRS grades,
  ICANS, day-28 response, infections, corticosteroid users); where a split by group is not printed, the
  split that reproduces the printed p-value is taken
  (:func:`crs_compendium.printed.contingency.splits_reproducing_p`);
- medians and ranges per group and pooled are met as order statistics, and the unprinted values between
  them are drawn at random; a local search moves those free values until the printed p-value is
  reproduced by one of the tests the methods name (t tests or Mann-Whitney; log-rank for survival);
- the daily rows are built so that the ASTCT grader (:mod:`crs_compendium.patients.grading`) gives back
  each patient's maximum grade and duration, and the IL-6 of 10 tocilizumab patients falls after the
  first dose while that of the 7 cases the paper names rises.

Every target is read from the claims registry (:func:`crs_compendium.printed.registry.load_claims`), never
typed here. Where printed numbers contradict each other no cohort can meet them all:
:data:`crs_compendium.synthetic.provenance.DECISIONS` says which one the generator kept and why, and the
fit report (:func:`crs_compendium.reproduce.fit.fit_report`, which works on any cohort) lists every
printed number about the patients with its target, the value achieved and a status.
"""
from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import InconsistentDataError, InvalidInputError
from ..numbers import parse_printed, reproduces_p, rounds_to
from ..patients.derived import GRADING_AGREEMENT, IL6_WINDOW_DAYS, blast_category, grade_range, recorded_against_graded
from ..patients.load import Cohort
from ..patients.schema import (CASE_COLUMN, CLAIM_NOTES_FILE, DAILY_COLUMNS, DAILY_FILE, PATIENT_COLUMNS, PATIENTS_FILE,
                               PROVENANCE_FILE, SCHEMA_DOC, SYNTHETIC_DIR, SYNTHETIC_MARKER)
from ..printed.contingency import splits_reproducing_p
from ..printed.registry import claims_for, load_claims
from ..reproduce.fit import ALIVE_AFTER_INFECTION_DAY, FitReport, fit_report
from ..stats.survival import logrank
from ..stats.two_groups import CONTINUOUS_TESTS
from ..vocab import APPROXIMATE, BLAST_BINS, FIT_STATUSES, NOT_MET
from . import DEFAULT_SEED
from .provenance import claim_notes_table, provenance_table

__all__ = ["DEFAULT_SEED", "Reconstruction", "reconstruct"]

_ID_PREFIX = "SYN-"
_DAYS = range(-1, 31)                                     # one daily row per patient per day (invented design)
_LAB_DAYS = (*range(-1, 15), 21, 28)                      # cytokines, CRP, ferritin measured (invented)
_CAR_BASE_DAYS = (1, 4, 7, 10, 14, 21, 28)                # CAR transgene copies measured (invented)
_ORGAN_DAYS = (-1, 1, 3, 5, 7, 10, 14, 21, 28)            # ALT, AST, creatinine measured (invented)
_TOCI_DOSE_UNIT_MG = 80                                   # one 80 mg vial; doses are whole vials (invented)
_TOCI_MAX_VIALS_PER_DOSE = 5
_STEROID_UNIT_MG = 0.5
_GCSF_UNIT_UG = 150
_SEARCH_STEPS = 150
_SEARCH_BATCH = 24
_SEARCH_RESTARTS = 4

# Plausible bounds the paper does not print (invented): CRS duration in days by grade, onset day.
_DURATION_BOUNDS = {1: (1, 5), 2: (2, 14), 3: (3, 14)}
_ONSET_DAYS = (1, 4)


# --------------------------------------------------------------------------------------------------------
# Targets: printed numbers from the claims registry
# --------------------------------------------------------------------------------------------------------
def _blast_bins(t: "_Targets", group: str):
    """Table 2's blast bins (:data:`crs_compendium.vocab.BLAST_BINS`), checked against the printed ones."""
    printed = t.categories("blasts_bin", group)
    if printed != [bin_.label for bin_ in BLAST_BINS]:
        raise InconsistentDataError(f"registry: blast categories {printed} are not {[b.label for b in BLAST_BINS]}")
    return BLAST_BINS


class _Targets:
    """Printed numbers looked up by what they state (quantity, group, stat, category)."""

    def __init__(self, claims: pd.DataFrame):
        self.claims = claims
        self._printed: dict[tuple[str, ...], set[str]] = {}
        for record in claims.itertuples(index=False):
            key = (record.quantity, record.group, record.stat, record.category)
            self._printed.setdefault(key, set()).add(record.printed)

    def text(self, quantity: str, group: str, stat: str, category: str = "") -> str:
        printed = sorted(self._printed.get((quantity, group, stat, category), ()))
        if len(printed) != 1:
            raise InconsistentDataError(
                f"registry: expected one printed value for {quantity}/{category}/{group}/{stat}, found {printed}"
            )
        return printed[0]

    def number(self, *key: str, **category: str) -> float:
        return float(parse_printed(self.text(*key, **category)).value)

    def count(self, *key: str, **category: str) -> int:
        value = self.number(*key, **category)
        if value != int(value):
            raise InconsistentDataError(f"registry: {key} is not a whole count")
        return int(value)

    def categories(self, quantity: str, group: str) -> list[str]:
        rows = claims_for(self.claims, quantity=quantity, group=group, stat="count")
        return list(dict.fromkeys(rows["category"]))

    def case_numbers(self, quantity: str) -> list[int]:
        rows = claims_for(self.claims, quantity=quantity)
        return sorted({int(value) for value in rows["printed"]})

    def case_days(self, quantity: str, case: int) -> list[int]:
        rows = claims_for(self.claims, quantity=quantity, group=f"pt{case}")
        return sorted(int(value) for value in rows["printed"])

    def day_for_cases(self, quantity: str) -> tuple[list[int], int]:
        rows = claims_for(self.claims, quantity=quantity)
        (group, printed), = set(zip(rows["group"], rows["printed"]))
        return [int(number) for number in re.findall(r"pt([0-9]+)", group)], int(printed)


# --------------------------------------------------------------------------------------------------------
# Sorted samples with fixed order statistics
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _OrderedSpec:
    """n values on an integer grid, sorted, some positions fixed (``anchors``) and some counts of values
    below a threshold fixed (``cuts``: the free positions before k lie below T, the others above).

    Free values between two anchors may tie with them, so a median or a range end stays where it is; they
    never equal a cut's threshold, so a bin boundary is never ambiguous.
    """

    n: int
    lo: int
    hi: int
    anchors: tuple[tuple[int, int], ...] = ()
    cuts: tuple[tuple[int, int], ...] = ()

    @property
    def free(self) -> list[int]:
        fixed = {position for position, _ in self.anchors}
        return [position for position in range(self.n) if position not in fixed]

    def with_anchor(self, position: int, value: int) -> _OrderedSpec:
        return replace(self, anchors=tuple(sorted((*self.anchors, (position, value)))))

    def with_cut(self, below: int, threshold: int) -> _OrderedSpec:
        return replace(self, cuts=tuple(sorted((*self.cuts, (below, threshold)))))

    def bounds(self, position: int) -> tuple[int, int]:
        lower = max([self.lo] + [v for j, v in self.anchors if j < position]
                    + [t + 1 for k, t in self.cuts if k <= position])
        upper = min([self.hi] + [v for j, v in self.anchors if j > position]
                    + [t - 1 for k, t in self.cuts if k > position])
        return lower, upper

    def feasible(self) -> bool:
        positions, values = [j for j, _ in self.anchors], [v for _, v in self.anchors]
        if len(set(positions)) != len(positions):
            return False
        if values != sorted(values) or any(not self.lo <= v <= self.hi for v in values):
            return False
        if any((j < k and v >= t) or (j >= k and v < t) for j, v in self.anchors for k, t in self.cuts):
            return False
        return all(low <= high for low, high in map(self.bounds, self.free))

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        values = np.zeros(self.n, dtype=np.int64)
        for position, value in self.anchors:
            values[position] = value
        for position in self.free:
            low, high = self.bounds(position)
            values[position] = rng.integers(low, high + 1)
        return np.sort(values)

    def perturb(self, rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
        position = self.free[rng.integers(len(self.free))]
        low, high = self.bounds(position)
        moved = values.copy()
        moved[position] = rng.integers(low, high + 1)
        return np.sort(moved)


def _units(value: float, unit: float) -> int:
    """A printed value in grid units; refuses one that is not on the grid."""
    units = round(value / unit)
    if not math.isclose(units * unit, value, abs_tol=1e-9):
        raise InconsistentDataError(f"printed value {value} is not a multiple of the grid unit {unit}")
    return units


def _summary_spec(n: int, low: int, median_units: tuple[int, int] | int, high: int, lo: int, hi: int) -> _OrderedSpec:
    """Spec of a sample with a printed minimum, median and maximum (the two middle values when n is even)."""
    spec = _OrderedSpec(n=n, lo=lo, hi=hi, anchors=((0, low), (n - 1, high)))
    if n % 2:
        return spec.with_anchor(n // 2, median_units)
    below, above = median_units
    return spec.with_anchor(n // 2 - 1, below).with_anchor(n // 2, above)


def _even_median_pair(rng, median: float, unit: float, max_gap_units: int) -> tuple[int, int]:
    """Two middle values averaging a printed median, on the grid, a random small distance apart."""
    twice = _units(2 * median, unit)
    gaps = [gap for gap in range(max_gap_units + 1) if (twice - gap) % 2 == 0]
    gap = gaps[rng.integers(len(gaps))]
    return (twice - gap) // 2, (twice + gap) // 2


def _plan_pooled_median(rng, specs: list[_OrderedSpec], value: int) -> list[_OrderedSpec]:
    """Fix how many values of each group lie below the pooled median, and which group holds it, at random
    among the feasible plans (the pooled sample has an odd size here, so its median is one value)."""
    pooled_below = sum(spec.n for spec in specs) // 2
    plans = []
    for holder, counts in itertools.product(range(len(specs)), itertools.product(*(range(s.n) for s in specs))):
        if sum(counts) != pooled_below:
            continue
        plan = [spec.with_cut(k, value) for spec, k in zip(specs, counts)]
        plan[holder] = plan[holder].with_anchor(counts[holder], value)
        if all(spec.feasible() for spec in plan):
            plans.append(plan)
    if not plans:
        raise InconsistentDataError("no split of the groups gives the printed pooled median")
    return plans[rng.integers(len(plans))]


@dataclass
class _SearchResult:
    values: list[np.ndarray]
    p: float
    test: str
    reproduced: bool


def _search_p(rng, specs: list[_OrderedSpec], printed_p: str, tests: Iterable[str],
              plan: Callable[[], list[_OrderedSpec]] | None = None) -> _SearchResult:
    """Move the free values of two samples until one of ``tests`` reproduces ``printed_p``.

    Each step tries a batch of moves (one free value redrawn each), tested at once, and keeps the one
    whose p-value is closest to the printed one unless it is farther than the current p. Each test gets a
    few restarts (a new pooled-median plan and a new draw); the closest result is returned when none
    reproduces the printed p.
    """
    target = float(parse_printed(printed_p).value)
    best = None
    for test in tests:
        function = CONTINUOUS_TESTS[test]
        for _ in range(_SEARCH_RESTARTS):
            current = plan() if plan is not None else specs
            values = [spec.draw(rng) for spec in current]
            p = float(function(*values))
            for _ in range(_SEARCH_STEPS):
                if reproduces_p(p, printed_p):
                    return _SearchResult(values, p, test, True)
                moved = rng.integers(len(current), size=_SEARCH_BATCH)
                trials = [[current[g].perturb(rng, v) if g == group else v for g, v in enumerate(values)]
                          for group in moved]
                batch = function(*(np.stack([trial[g] for trial in trials]) for g in range(len(current))), axis=1)
                pick = int(np.argmin(np.abs(batch - target)))
                if abs(batch[pick] - target) <= abs(p - target):
                    values, p = trials[pick], float(batch[pick])
            if best is None or abs(p - target) < abs(best.p - target):
                best = _SearchResult(values, p, test, reproduces_p(p, printed_p))
    return best


# --------------------------------------------------------------------------------------------------------
# Counts: exact per group
# --------------------------------------------------------------------------------------------------------
def _exactly(rng, n: int, count: int, forced: Iterable[int] = (), excluded: Iterable[int] = ()) -> np.ndarray:
    """n flags with exactly ``count`` true: ``forced`` positions true, ``excluded`` false, the rest at random."""
    forced, excluded = sorted(set(forced)), set(excluded)
    pool = [i for i in range(n) if i not in forced and i not in excluded]
    if not len(forced) <= count <= len(forced) + len(pool):
        raise InconsistentDataError(f"cannot set {count} of {n} with {len(forced)} forced and {len(excluded)} excluded")
    flags = np.zeros(n, dtype=bool)
    flags[forced] = True
    flags[rng.permutation(pool)[: count - len(forced)]] = True
    return flags


def _levels_by_score(score: np.ndarray, levels: list[tuple[object, int]]) -> np.ndarray:
    """Give the highest-scoring patients the first level, and so on: exact counts, ordered by score."""
    if sum(count for _, count in levels) != len(score):
        raise InconsistentDataError(f"level counts {levels} do not add up to {len(score)} patients")
    labels = np.empty(len(score), dtype=object)
    order = np.argsort(-score, kind="stable")
    start = 0
    for label, count in levels:
        labels[order[start:start + count]] = label
        start += count
    return labels


def _response_split(t: _Targets, groups: tuple[str, str]) -> tuple[list[str], np.ndarray]:
    """Day-28 response by group: printed totals and tocilizumab MRD-CR count; the unprinted cells are the
    split that reproduces the printed p (unique for this paper)."""
    (printed_by_group,) = set(t.categories("response_d28", groups[0])) & set(t.categories("response_d28", groups[1]))
    categories = [printed_by_group] + [c for c in t.categories("response_d28", "total") if c != printed_by_group]
    totals = [t.count("response_d28", "total", "count", category=c) for c in categories]
    sizes = [t.count("patients", g, "denominator") for g in groups]
    fixed = {(row, 0): t.count("response_d28", g, "count", category=printed_by_group) for row, g in enumerate(groups)}
    search = splits_reproducing_p(t.text("response_d28", "toci_vs_non_toci", "p"), sizes, totals,
                                  {(0, 0): fixed[(0, 0)]})
    tables = sorted({c.table for c in search.reproducing if c.table[1][0] == fixed[(1, 0)]})
    if not tables:
        raise InconsistentDataError("no response split by group reproduces the printed p")
    return categories, np.array(tables[0])


# --------------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Course:
    """One patient's CRS course and drugs, in days after infusion."""

    onset: int | None = None
    grades: tuple[int, ...] = ()                  # grade of each CRS day, from onset
    toci_days: tuple[int, ...] = ()
    toci_mg: tuple[float, ...] = ()
    steroid_days: tuple[int, ...] = ()
    steroid_mg: tuple[float, ...] = ()
    il6_peak_day: int | None = None
    car_peak_day: int = 10

    @property
    def last_day(self) -> int | None:
        return None if self.onset is None else self.onset + len(self.grades) - 1


@dataclass(frozen=True)
class Reconstruction:
    """A generated cohort: ``patients`` and ``daily`` as the schema writes them, its seed, and the registry
    its targets were read from (``None``: the shipped one)."""

    patients: pd.DataFrame
    daily: pd.DataFrame
    seed: int
    claims: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def cohort(self, source: Path = SYNTHETIC_DIR) -> Cohort:
        """The reconstruction as a :class:`crs_compendium.patients.load.Cohort` (flagged synthetic, with the
        provenance and claim notes its folder carries)."""
        return Cohort(self.patients, self.daily, source=Path(source), synthetic=True, marker=self.marker_text(),
                      provenance=provenance_table(), claim_notes=claim_notes_table())

    @cached_property
    def report(self) -> FitReport:
        """The cohort's fit to every printed number about the patients (computed once; the folder's README
        and the command line both show it)."""
        return fit_report(self.cohort(), claims=self.claims)

    def marker_text(self) -> str:
        """Text of the SYNTHETIC marker file: what the folder is, its seed, how to regenerate it."""
        return (f"synthetic reconstruction, seed {self.seed}\n"
                f"regenerate: python -m crs_compendium reconstruct --seed {self.seed} --out DIR\n")

    def write(self, folder: str | Path) -> list[Path]:
        """Write patients.csv, daily.csv, README.md, the SYNTHETIC marker and the folder's description of
        itself (provenance.csv, claim_notes.csv); return the paths written.

        Refuses a folder that holds a patients.csv without the marker: it may hold real data.
        """
        folder = Path(folder)
        if (folder / PATIENTS_FILE).exists() and not (folder / SYNTHETIC_MARKER).exists():
            raise InvalidInputError(f"{folder}: holds {PATIENTS_FILE} but no {SYNTHETIC_MARKER} marker; refusing to "
                                    "overwrite what may be real data")
        folder.mkdir(parents=True, exist_ok=True)
        outputs = {
            PATIENTS_FILE: _csv_text(self.patients),
            DAILY_FILE: _csv_text(self.daily),
            "README.md": _readme_text(self, self.report),
            SYNTHETIC_MARKER: self.marker_text(),
            PROVENANCE_FILE: _csv_text(provenance_table()),
            CLAIM_NOTES_FILE: _csv_text(claim_notes_table()),
        }
        paths = []
        for name, text in outputs.items():
            path = folder / name
            path.write_bytes(text.encode("utf-8"))
            paths.append(path)
        return paths

    def __repr__(self) -> str:
        return (f"Reconstruction(seed={self.seed}): {len(self.patients)} patients, {len(self.daily)} daily rows "
                "(synthetic)")


def reconstruct(seed: int = DEFAULT_SEED, claims: pd.DataFrame | None = None) -> Reconstruction:
    """Generate the synthetic cohort for a seed; the same seed always gives the same cohort.

    Parameters
    ----------
    seed : int
        Seed of NumPy's default generator; every random choice draws from it in a fixed order.
    claims : DataFrame, optional
        The claims registry (default :func:`crs_compendium.printed.registry.load_claims`), source of every target.

    Returns
    -------
    Reconstruction
        ``patients`` (45 rows) and ``daily`` (one row per patient and day, days -1 to 30).

    Raises
    ------
    InvalidInputError
        If ``seed`` is not a non-negative integer.
    InconsistentDataError
        If the registry's numbers leave no cohort at all, or the daily rows fail to grade back (a bug).

    Notes
    -----
    What is met, and how, is listed per column in :data:`crs_compendium.synthetic.provenance.PROVENANCE`;
    what cannot be met, in :data:`~crs_compendium.synthetic.provenance.DECISIONS`.
    :func:`crs_compendium.reproduce.fit.fit_report` checks the result against every printed number.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidInputError(f"seed must be a non-negative integer, got {seed!r}")
    t = _Targets(load_claims() if claims is None else claims)
    rng = np.random.default_rng(int(seed))
    patients = _baseline(rng, t)
    toci = patients["tocilizumab"].to_numpy()
    for column, values in _measurements(rng, t, patients).items():
        patients[column] = values
    courses, durations = _courses(rng, t, patients)
    patients["crs_duration_days"] = durations.astype(float)
    patients["toci_doses"] = [len(c.toci_days) for c in courses]
    patients["toci_total_mg"] = [float(sum(c.toci_mg)) for c in courses]
    patients["gcsf_total_ug"] = _gcsf(rng, t, toci)
    for column, values in _survival(rng, t, patients).items():
        patients[column] = values
    daily = _daily(rng, patients, courses, t.day_for_cases("car_expansion_end_day")[1])
    # The paper's case N is the generator's N-th tocilizumab patient; the column says so (data/ipd_schema.md,
    # "Case numbers"), so no page has to guess it from the row order.
    patients[CASE_COLUMN] = pd.Series(pd.NA, index=patients.index, dtype="Int64")
    patients.loc[toci, CASE_COLUMN] = np.arange(1, int(toci.sum()) + 1)
    patients = patients[[rule.name for rule in PATIENT_COLUMNS]]
    _check_grades_back(patients, daily)
    return Reconstruction(patients=patients, daily=daily, seed=int(seed), claims=claims)


def _baseline(rng, t: _Targets) -> pd.DataFrame:
    """Groups and every column fixed by printed counts, assigned within each group."""
    groups = ("toci", "non_toci")
    sizes = {g: t.count("patients", g, "denominator") for g in groups}
    frames = []
    rising = _il6_rising_cases(t)
    (icans_category,) = t.categories("icans_grade", "total")
    icans_severe_grade, icans_severe_count = grade_range(icans_category)[0], t.count(
        "icans_grade", "total", "count", category=icans_category)
    response_levels, response_table = _response_split(t, groups)
    for row, group in enumerate(groups):
        n = sizes[group]
        prefix = "T" if group == "toci" else "N"
        case = {number - 1 for number in rising} if group == "toci" else set()
        burden = rng.normal(size=n)
        frame = pd.DataFrame({"patient_id": [f"{_ID_PREFIX}{prefix}{i:02d}" for i in range(1, n + 1)],
                              "tocilizumab": group == "toci"})
        frame["sex"] = np.where(_exactly(rng, n, t.count("male", group, "count")), "M", "F")
        frame["high_risk"] = _exactly(rng, n, t.count("high_risk", group, "count"))
        gvhd = [c - 1 for c in t.case_numbers("case_gvhd")] if group == "toci" else []
        frame["prior_allo_sct"] = _exactly(rng, n, t.count("prior_allo_sct", group, "count"), forced=gvhd)
        bins = [bin_.label for bin_ in _blast_bins(t, group)]
        frame["blast_bin"] = _levels_by_score(burden, [(b, t.count("blasts_bin", group, "count", category=b))
                                                        for b in reversed(bins)])
        frame["crs_grade"] = _levels_by_score(burden + rng.normal(size=n), _grade_counts(t, group)).astype(int)
        infected = [c - 1 for c in t.case_numbers("case_infection")] if group == "toci" else []
        frame["serious_infection"] = _exactly(rng, n, t.count("serious_infection", group, "count"), forced=infected)
        icans = _exactly(rng, n, t.count("icans", group, "count"), excluded=case)
        frame["icans_grade"] = 0
        if icans.any():
            with_icans = np.flatnonzero(icans)
            # The grade of the ICANS the paper does not grade is invented, milder than the one it does.
            severe = rng.permutation(with_icans)[:icans_severe_count]
            frame.loc[with_icans, "icans_grade"] = rng.integers(1, icans_severe_grade, size=len(with_icans))
            frame.loc[severe, "icans_grade"] = icans_severe_grade
        frame["response_d28"] = _levels_by_score(burden + rng.normal(size=n), [
            (level, int(count)) for level, count in reversed(list(zip(response_levels, response_table[row])))])
        frame["steroid_user"] = _steroid_users(rng, t, group, frame["crs_grade"].to_numpy())
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _grade_counts(t: _Targets, group: str) -> list[tuple[int, int]]:
    """CRS grade counts of a group, highest grade first; a printed range ("3-5") is read as its lowest
    grade, since the paper reports no grade 4 or 5 CRS (a reading noted in the fit report)."""
    counts: dict[int, int] = {}
    for category in t.categories("crs_grade", group):
        count = t.count("crs_grade", group, "count", category=category)
        grade = grade_range(category)[0]
        if count and grade in counts:
            raise InconsistentDataError(f"two printed CRS categories of group {group} start at grade {grade}")
        if count:
            counts[grade] = count
    return sorted(counts.items(), reverse=True)


def _il6_rising_cases(t: _Targets) -> list[int]:
    """The tocilizumab cases whose IL-6 rose: those the paper names to explain the rise (expansion, GVHD,
    infection); checked against the printed count."""
    named = sorted({n for q in ("case_persistent_expansion", "case_gvhd", "case_infection") for n in t.case_numbers(q)})
    if len(named) != t.count("il6_elevated", "toci", "count"):
        raise InconsistentDataError(f"the cases named for rising IL-6 ({named}) are not the printed count")
    return named


def _steroid_users(rng, t: _Targets, group: str, grades: np.ndarray) -> np.ndarray:
    """Every tocilizumab patient (Table 2's minimum dose is above 0); without tocilizumab, the printed count
    per CRS grade (Results)."""
    if group == "toci":
        if t.number("steroid_mpe_mg", "toci", "min") <= 0:
            raise InconsistentDataError("Table 2's tocilizumab-group steroid minimum is 0: users unknown")
        return np.ones(len(grades), dtype=bool)
    users = np.zeros(len(grades), dtype=bool)
    for category in t.categories("crs_grade", "non_toci_steroid_only"):
        count = t.count("crs_grade", "non_toci_steroid_only", "count", category=category)
        low, high = grade_range(category)
        eligible = np.flatnonzero((grades >= low) & (grades <= high))
        if count > len(eligible):
            raise InconsistentDataError(f"{count} steroid-only patients with grade {category}, only {len(eligible)}")
        users[rng.permutation(eligible)[:count]] = True
    if users.sum() != t.count("steroid_without_toci", "non_toci", "count"):
        raise InconsistentDataError("steroid-only patients by grade do not add up to the printed total")
    return users


def _measurements(rng, t: _Targets, patients: pd.DataFrame) -> dict[str, list]:
    """Age, lines, blasts, CAR-T dose and corticosteroid dose: order statistics met, p searched."""
    toci = patients["tocilizumab"].to_numpy()
    index = {True: np.flatnonzero(toci), False: np.flatnonzero(~toci)}
    n = {True: len(index[True]), False: len(index[False])}
    out = {}

    def summary(quantity, group, unit, lo, hi, max_gap):
        size = n[group == "toci"]
        median = t.number(quantity, group, "median")
        middle = _units(median, unit) if size % 2 else _even_median_pair(rng, median, unit, max_gap)
        return _summary_spec(size, _units(t.number(quantity, group, "min"), unit), middle,
                             _units(t.number(quantity, group, "max"), unit), lo, hi)

    def searched(quantity, unit, lo, hi, max_gap, decimals):
        """Values meeting the group and pooled order statistics and the printed p, in random patient order."""
        specs = [summary(quantity, g, unit, lo, hi, max_gap) for g in ("toci", "non_toci")]
        pooled = _units(t.number(quantity, "total", "median"), unit)
        result = _search_p(rng, specs, t.text(quantity, "toci_vs_non_toci", "p"), CONTINUOUS_TESTS,
                           plan=lambda: _plan_pooled_median(rng, specs, pooled))
        column = np.zeros(len(patients))
        for group, values in zip((True, False), result.values):
            column[index[group][rng.permutation(n[group])]] = np.round(values * unit, decimals)
        return column

    out["age_years"] = searched("age", 1, 0, 100, 4, 0).astype(int)
    out["prior_lines"] = _prior_lines(rng, t, toci)
    out["cart_dose_1e6_per_kg"] = searched("cart_dose", 0.01, 1, 1000, 20, 2)
    out["marrow_blasts_pct"] = _blasts(rng, t, patients, index)
    out["steroid_mpe_mg"] = _steroid_doses(rng, t, patients, index)
    return out


def _prior_lines(rng, t: _Targets, toci: np.ndarray) -> np.ndarray:
    """Whole lines of therapy: every way to fill the pooled range's whole values that meets the printed
    medians (and the range ends that are whole), tested; one that reproduces the printed p is drawn (the
    printed half-line range is a DECISION)."""
    levels = np.arange(int(t.number("prior_lines", "total", "min")), int(t.number("prior_lines", "total", "max")) + 1)
    printed_p = t.text("prior_lines", "toci_vs_non_toci", "p")
    sizes = (int(toci.sum()), int((~toci).sum()))
    summaries = {group: [t.text("prior_lines", group, stat) for stat in ("median", "min", "max")]
                 for group in ("toci", "non_toci", "total")}
    options = [[c for c in _compositions(size, len(levels)) if _lines_fit(c, levels, summaries[group])]
               for size, group in zip(sizes, ("toci", "non_toci"))]
    pairs = [(a, b) for a, b in itertools.product(*options)
             if _lines_fit(np.add(a, b), levels, summaries["total"])]
    samples = [(np.repeat(levels, a), np.repeat(levels, b)) for a, b in pairs]
    closest = None
    for test, function in CONTINUOUS_TESTS.items():
        p = function(np.stack([x for x, _ in samples]), np.stack([y for _, y in samples]), axis=1)
        reproducing = [k for k, value in enumerate(p) if reproduces_p(float(value), printed_p)]
        if reproducing:
            closest = reproducing[rng.integers(len(reproducing))]
            break
        best = int(np.argmin(np.abs(np.array(p) - float(printed_p))))
        if closest is None:
            closest = best
    x, y = samples[closest]
    column = np.zeros(len(toci), dtype=int)
    column[np.flatnonzero(toci)[rng.permutation(len(x))]] = x
    column[np.flatnonzero(~toci)[rng.permutation(len(y))]] = y
    return column


def _compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    """Every way to write ``total`` as ``parts`` non-negative counts, in lexicographic order."""
    if parts == 1:
        return [(total,)]
    return [(first, *rest) for first in range(total + 1) for rest in _compositions(total - first, parts - 1)]


def _lines_fit(counts, levels: np.ndarray, printed: list[str]) -> bool:
    """Whether whole-number lines with these counts per level meet a printed median and the range ends
    that are whole numbers."""
    values = np.repeat(levels, counts)
    median, low, high = printed
    if not rounds_to(float(np.median(values)), median):
        return False
    return all(value == float(end) for value, end in ((values.min(), low), (values.max(), high))
               if float(end) == int(float(end)))


def _blasts(rng, t: _Targets, patients: pd.DataFrame, index: dict) -> np.ndarray:
    """Blasts per patient: in the patient's printed bin, with the printed group and pooled medians and ranges."""
    unit = 0.01
    specs, groups = [], (("toci", True), ("non_toci", False))
    for group, key in groups:
        size = len(index[key])
        median = t.number("blasts_pct", group, "median")
        middle = _units(median, unit) if size % 2 else _even_median_pair(rng, median, unit, 200)
        spec = _summary_spec(size, _units(t.number("blasts_pct", group, "min"), unit), middle,
                             _units(t.number("blasts_pct", group, "max"), unit), 0, _units(100, unit))
        below = 0
        for label, high in ((bin_.label, bin_.high) for bin_ in _blast_bins(t, group)[:-1]):
            below += t.count("blasts_bin", group, "count", category=label)
            spec = spec.with_cut(below, _units(high, unit))
        specs.append(spec)
    plan = _plan_pooled_median(rng, specs, _units(t.number("blasts_pct", "total", "median"), unit))
    column = np.zeros(len(patients))
    for (group, key), spec in zip(groups, plan):
        values = spec.draw(rng) * unit
        labels = blast_category(pd.Series(values))
        members = index[key]
        for label in labels.unique():
            slots = members[(patients["blast_bin"].to_numpy()[members] == label)]
            column[rng.permutation(slots)] = np.round(values[(labels == label).to_numpy()], 2)
    return column


def _steroid_doses(rng, t: _Targets, patients: pd.DataFrame, index: dict) -> np.ndarray:
    """Cumulative corticosteroid per patient: Table 2's group medians and ranges (all tocilizumab patients,
    the corticosteroid-only patients without), the users' printed minimum, the pooled median, the p."""
    unit = _STEROID_UNIT_MG
    users = patients["steroid_user"].to_numpy()
    non_users = int((~users[index[False]]).sum())
    toci_spec = _summary_spec(len(index[True]), _units(t.number("steroid_mpe_mg", "toci", "min"), unit),
                              _units(t.number("steroid_mpe_mg", "toci", "median"), unit),
                              _units(t.number("steroid_mpe_mg", "toci", "max"), unit), 1, 10_000)
    size = len(index[False])
    non_spec = _OrderedSpec(n=size, lo=0, hi=10_000, anchors=tuple(
        [(i, 0) for i in range(non_users)]
        + [(non_users, _units(t.number("steroid_mpe_mg", "steroid_users", "min"), unit)),
           (size - 1, _units(t.number("steroid_mpe_mg", "non_toci", "max"), unit))]))
    specs = [toci_spec, non_spec]
    pooled = _units(t.number("steroid_mpe_mg", "total", "median"), unit)
    result = _search_p(rng, specs, t.text("steroid_mpe_mg", "toci_vs_non_toci", "p"), CONTINUOUS_TESTS,
                       plan=lambda: _plan_pooled_median(rng, specs, pooled))
    column = np.zeros(len(patients))
    column[rng.permutation(index[True])] = result.values[0] * unit
    non_toci_users = index[False][users[index[False]]]
    column[rng.permutation(non_toci_users)] = result.values[1][non_users:] * unit
    return column


def _gcsf(rng, t: _Targets, toci: np.ndarray) -> np.ndarray:
    """Cumulative G-CSF: only a p is printed (Figure 2D). Multiples of 150 micrograms, up to a little more
    with tocilizumab than without (invented), searched until a test reproduces that p."""
    specs = [_OrderedSpec(n=int(toci.sum()), lo=0, hi=30), _OrderedSpec(n=int((~toci).sum()), lo=0, hi=24)]
    result = _search_p(rng, specs, t.text("gcsf_dose", "toci_vs_non_toci", "p"), CONTINUOUS_TESTS)
    column = np.zeros(len(toci))
    column[np.flatnonzero(toci)[rng.permutation(specs[0].n)]] = result.values[0] * _GCSF_UNIT_UG
    column[np.flatnonzero(~toci)[rng.permutation(specs[1].n)]] = result.values[1] * _GCSF_UNIT_UG
    return column


# --------------------------------------------------------------------------------------------------------
# CRS courses: durations, days, drugs
# --------------------------------------------------------------------------------------------------------
def _durations(rng, t: _Targets, patients: pd.DataFrame, minimum: dict[int, int]) -> np.ndarray:
    """Whole-day CRS durations per patient: printed medians and ranges per group (the tocilizumab median
    rounded to a whole day, a DECISION), plausible by grade, and Figure 2B's marks (grade 3 shorter with
    tocilizumab, significant; grades 1-2 not), found by local search."""
    toci = patients["tocilizumab"].to_numpy()
    grades = patients["crs_grade"].to_numpy()
    ids = {key: np.flatnonzero(toci == key) for key in (True, False)}
    toci_spec = _summary_spec(len(ids[True]), int(t.number("crs_duration", "toci", "min")),
                              round(t.number("crs_duration", "toci", "median")),
                              int(t.number("crs_duration", "toci", "max")), 1, 30)
    n_non = len(ids[False])
    zeros = int((grades[ids[False]] == 0).sum())
    if zeros and t.number("crs_duration", "non_toci", "min") != 0:
        raise InconsistentDataError("patients without CRS, but the printed minimum duration is not 0")
    middle = _even_median_pair(rng, t.number("crs_duration", "non_toci", "median"), 1, 3)
    non_spec = _OrderedSpec(n=n_non, lo=1, hi=30, anchors=tuple(
        [(i, 0) for i in range(zeros)] + [(n_non // 2 - 1, middle[0]), (n_non // 2, middle[1]),
                                          (n_non - 1, int(t.number("crs_duration", "non_toci", "max")))]))
    significant = t.text("significance_threshold", "study", "p", category="significant")
    not_significant = t.text("significance_threshold", "study", "p", category="not_significant")
    low = np.array([_DURATION_BOUNDS.get(g, (0, 0))[0] for g in grades])
    high = np.array([_DURATION_BOUNDS.get(g, (0, 0))[1] for g in grades])
    non_grades = grades[ids[False]]

    def assemble(state):
        toci_values, toci_order, non_values, non_order = state
        durations = np.zeros(len(patients), dtype=int)
        durations[ids[True][toci_order]] = toci_values
        durations[ids[False][non_order]] = non_values
        return durations

    def penalty(durations):
        score = float(((durations < low) | (durations > high)).sum())
        score += sum(int(durations[i] < days) for i, days in minimum.items())
        for selected, printed in (((grades >= 3), significant), ((grades >= 1) & (grades <= 2), not_significant)):
            p = float(CONTINUOUS_TESTS["Mann-Whitney U"](durations[toci & selected], durations[~toci & selected]))
            if not reproduces_p(p, printed):
                score += abs(p - float(parse_printed(printed).value)) + 0.01
        return score

    def move(state):
        toci_values, toci_order, non_values, non_order = state
        kind = rng.integers(4)
        if kind == 0:
            return toci_spec.perturb(rng, toci_values), toci_order, non_values, non_order
        if kind == 1:
            return toci_values, toci_order, non_spec.perturb(rng, non_values), non_order
        order = (toci_order if kind == 2 else non_order).copy()
        # Swaps keep the patients without CRS on the zero durations.
        swappable = np.arange(len(order)) if kind == 2 else np.arange(zeros, len(order))
        i, j = rng.choice(swappable, size=2, replace=False)
        order[[i, j]] = order[[j, i]]
        return (toci_values, order, non_values, non_order) if kind == 2 else \
            (toci_values, toci_order, non_values, order)

    for _ in range(_SEARCH_RESTARTS):
        # Start with longer CRS for higher grades (some overlap); the patients without CRS take the zeros.
        non_order = np.argsort(np.where(non_grades == 0, -1.0, non_grades + rng.random(n_non) * 1.2), kind="stable")
        state = (toci_spec.draw(rng), rng.permutation(len(ids[True])), non_spec.draw(rng), non_order)
        score = penalty(assemble(state))
        for _ in range(1500):
            if score == 0:
                return assemble(state)
            trial = move(state)
            trial_score = penalty(assemble(trial))
            if trial_score <= score:
                state, score = trial, trial_score
    raise InconsistentDataError("no CRS durations meet the printed medians, ranges and Figure 2B marks")


def _split(rng, total_units: int, parts: int, cap: int) -> list[int]:
    """A random composition of ``total_units`` into ``parts`` positive parts of at most ``cap`` each."""
    sizes = [1] * parts
    for _ in range(total_units - parts):
        open_parts = [i for i, size in enumerate(sizes) if size < cap]
        sizes[open_parts[rng.integers(len(open_parts))]] += 1
    return sizes


def _grade_profile(rng, grade: int, duration: int, lead: int) -> tuple[int, ...]:
    """Grade of each CRS day: ``lead`` days of fever alone, then the peak, then easing back to fever alone."""
    if grade <= 1:
        return (1,) * duration
    peak = int(rng.integers(1, min(3, duration - lead) + 1))
    easing = [2] * int(rng.integers(0, 3)) if grade == 3 else []
    profile = [1] * lead + [grade] * peak + easing
    profile = (profile + [1] * duration)[:duration]
    return tuple(profile)


def _courses(rng, t: _Targets, patients: pd.DataFrame) -> tuple[list[_Course], np.ndarray]:
    """Onset, daily grades, tocilizumab and corticosteroid days and doses for every patient."""
    toci = patients["tocilizumab"].to_numpy()
    cases = {number: int(np.flatnonzero(toci)[number - 1]) for number in
             t.case_numbers("case_persistent_expansion") + t.case_numbers("case_infection")
             + t.case_numbers("case_gvhd")}
    named_days = {cases[n]: t.case_days("toci_administration_day", n) for n in t.case_numbers("case_persistent_expansion")}
    minimum = {i: days[-1] - days[0] + 1 for i, days in named_days.items()}
    durations = _durations(rng, t, patients, minimum)
    vials = _toci_vials(rng, t, patients, durations, named_days)
    expansion_cases, expansion_day = t.day_for_cases("car_expansion_end_day")
    rising = {cases[n] for n in _il6_rising_cases(t)}
    courses = []
    for i, row in patients.iterrows():
        grade, duration = int(row["crs_grade"]), int(durations[i])
        car_peak = expansion_day if i in {cases[n] for n in expansion_cases} else int(rng.integers(6, 13))
        if grade == 0:
            courses.append(_Course(car_peak_day=car_peak))
            continue
        doses = len(vials.get(i, ()))
        if i in named_days:
            lead = int(rng.integers(0, min(duration - minimum[i], named_days[i][0] - _ONSET_DAYS[0]) + 1))
            onset = named_days[i][0] - lead
            toci_days = tuple(named_days[i])
        else:
            lead = int(rng.integers(0, 2)) if grade >= 2 and duration - doses >= 1 and duration >= 2 else 0
            onset = int(rng.integers(_ONSET_DAYS[0], _ONSET_DAYS[1] + 1))
            toci_days = _dose_days(rng, onset + lead, onset + duration - 1, doses)
        profile = _grade_profile(rng, grade, duration, lead)
        first_dose = toci_days[0] if toci_days else None
        steroid_days, steroid_mg = _steroid_schedule(rng, row["steroid_mpe_mg"], first_dose or onset + lead,
                                                     onset + duration - 1)
        il6_peak = onset + lead
        if first_dose is not None:
            il6_peak = first_dose + int(rng.integers(1, IL6_WINDOW_DAYS + 1)) if i in rising else first_dose
        courses.append(_Course(onset=onset, grades=profile, toci_days=toci_days,
                               toci_mg=tuple(float(v * _TOCI_DOSE_UNIT_MG) for v in vials.get(i, ())),
                               steroid_days=steroid_days, steroid_mg=steroid_mg, il6_peak_day=il6_peak,
                               car_peak_day=car_peak))
    return courses, durations


def _toci_vials(rng, t: _Targets, patients, durations, named_days) -> dict[int, list[int]]:
    """Vials per tocilizumab dose per patient: the printed median and range of the cumulative dose and of
    the number of doses, the named cases' dose counts, and at most one dose per CRS day."""
    toci_rows = np.flatnonzero(patients["tocilizumab"].to_numpy())
    unit = _TOCI_DOSE_UNIT_MG
    spec = _summary_spec(len(toci_rows), _units(t.number("toci_total_mg", "toci", "min"), unit),
                         _units(t.number("toci_total_mg", "toci", "median"), unit),
                         _units(t.number("toci_total_mg", "toci", "max"), unit), 1, 100)
    fewest, most = int(t.number("toci_doses", "toci", "min")), int(t.number("toci_doses", "toci", "max"))
    for _ in range(2000):
        totals = dict(zip(toci_rows, rng.permutation(spec.draw(rng))))
        ranges = {}
        for i in toci_rows:
            if i in named_days:
                ranges[i] = (len(named_days[i]),) * 2
            else:
                ranges[i] = (max(fewest, -(-totals[i] // _TOCI_MAX_VIALS_PER_DOSE)), min(most, totals[i], durations[i]))
        if any(low > high or not low * 1 <= totals[i] <= high * _TOCI_MAX_VIALS_PER_DOSE
               for i, (low, high) in ranges.items()):
            continue
        counts = {i: int(rng.integers(low, high + 1)) for i, (low, high) in ranges.items()}
        free = [i for i in toci_rows if i not in named_days]
        can_most = [i for i in free if ranges[i][1] >= most]
        can_fewest = [i for i in free if ranges[i][0] <= fewest]
        if not can_most or not can_fewest:
            continue
        pick_most = can_most[rng.integers(len(can_most))]
        others = [i for i in can_fewest if i != pick_most]
        if not others:
            continue
        counts[pick_most], counts[others[rng.integers(len(others))]] = most, fewest
        return {i: _split(rng, int(totals[i]), counts[i], _TOCI_MAX_VIALS_PER_DOSE) for i in toci_rows}
    raise InconsistentDataError("no tocilizumab doses meet the printed dose counts and cumulative doses")


def _dose_days(rng, first: int, last: int, doses: int) -> tuple[int, ...]:
    """Dose days from ``first``, one or two days apart, all within the CRS course."""
    if doses == 0:
        return ()
    gaps = [1] * (doses - 1)
    slack = last - first - (doses - 1)
    for k in range(len(gaps)):
        if slack > 0 and rng.random() < 0.4:
            gaps[k] += 1
            slack -= 1
    return tuple(int(first + sum(gaps[:k])) for k in range(doses))


def _steroid_schedule(rng, total_mg: float, first: int, last: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Corticosteroid days (consecutive CRS days from ``first``) and amounts adding up to ``total_mg``."""
    units = int(round(total_mg / _STEROID_UNIT_MG))
    if units == 0:
        return (), ()
    days = int(rng.integers(1, min(3, last - first + 1, units) + 1))
    amounts = _split(rng, units, days, units)
    return tuple(range(first, first + days)), tuple(a * _STEROID_UNIT_MG for a in amounts)


# --------------------------------------------------------------------------------------------------------
# Survival
# --------------------------------------------------------------------------------------------------------
def _survival(rng, t: _Targets, patients: pd.DataFrame) -> dict[str, np.ndarray]:
    """PFS and OS: invented follow-up and hazards (longer after MRD-negative CR), searched until the
    log-rank p of each reproduces the printed one; Pt 6 dies of infection early, and the patients whose
    infection was controlled live past :data:`ALIVE_AFTER_INFECTION_DAY`.

    The search runs in two stages: the progression times (PFS), then the times from progression to death,
    which move OS and leave PFS as found. A stage that misses its p restarts from new draws.
    """
    n = len(patients)
    toci = patients["tocilizumab"].to_numpy()
    groups = (~toci).astype(int)
    scale = patients["response_d28"].map({"MRD-CR": 700.0, "MRD+CR": 250.0, "PR": 60.0, "NR": 40.0}).to_numpy()
    follow_up = rng.integers(240, 1401, size=n)
    minimum = int(t.number("followup_min_days", "study", "value"))
    treated = np.flatnonzero(toci)
    death_case = int(treated[t.case_numbers("case_infection_death")[0] - 1])
    earliest = np.full(n, minimum + 1)
    earliest[[treated[c - 1] for c in t.case_numbers("case_infection_controlled")]] = ALIVE_AFTER_INFECTION_DAY
    movable = np.array([i for i in range(n) if i != death_case])

    def observed(latent):
        progression, post = latent
        death = progression + post
        return (np.minimum(progression, follow_up), progression <= follow_up,
                np.minimum(death, follow_up), death <= follow_up)

    # Half the moves redraw a time, half shift it by up to a month: the shifts fine-tune the p-value.
    def new_progression(latent, i):
        redrawn = earliest[i] + int(rng.exponential(scale[i]))
        latent[0][i] = redrawn if rng.random() < 0.5 else max(earliest[i], latent[0][i] + int(rng.integers(-30, 31)))

    def new_post(latent, i):
        latent[1][i] = int(rng.exponential(300.0)) if rng.random() < 0.5 else max(0, latent[1][i] + int(rng.integers(-30, 31)))

    def tuned(latent, redraw, stat):
        printed = t.text(stat, "toci_vs_non_toci", "p")
        target = float(parse_printed(printed).value)
        columns = (0, 1) if stat == "pfs" else (2, 3)

        def p_of(values):
            outcome = observed(values)
            return logrank(outcome[columns[0]], outcome[columns[1]], groups)[1]

        p = p_of(latent)
        for _ in range(2000):
            if reproduces_p(p, printed):
                return latent, True
            i = int(movable[rng.integers(len(movable))])
            trial = [array.copy() for array in latent]
            redraw(trial, i)
            trial_p = p_of(trial)
            if abs(trial_p - target) <= abs(p - target):
                latent, p = trial, trial_p
        return latent, False

    for _ in range(_SEARCH_RESTARTS):
        latent = [earliest + np.floor(rng.exponential(scale)).astype(int),
                  np.floor(rng.exponential(300.0, size=n)).astype(int)]
        latent[0][death_case], latent[1][death_case] = int(rng.integers(minimum + 2, 2 * minimum + 5)), 0
        latent, pfs_met = tuned(latent, new_progression, "pfs")
        if not pfs_met:
            continue
        for _ in range(_SEARCH_RESTARTS):
            fresh = [latent[0], np.floor(rng.exponential(300.0, size=n)).astype(int)]
            fresh[1][death_case] = 0
            found, os_met = tuned(fresh, new_post, "os")
            if os_met:
                latent = found
                break
        if os_met:
            break
    pfs_days, pfs_event, os_days, os_event = observed(latent)
    return {"pfs_days": pfs_days.astype(float), "pfs_event": pfs_event, "os_days": os_days.astype(float),
            "os_event": os_event}


# --------------------------------------------------------------------------------------------------------
# Daily rows
# --------------------------------------------------------------------------------------------------------
def _signs(rng, grade: int, febrile: bool) -> dict:
    """Vital signs of one day with the given CRS grade (0 = no CRS that day)."""
    day = {"tmax_c": (rng.integers(381, 401) if febrile else rng.integers(362, 377)) / 10,
           "vasopressors": 0, "hypotension": False, "o2_support": "none", "o2_flow_l_min": np.nan}
    if grade == 2:
        kind = rng.integers(3)
        day["hypotension"] = kind != 1
        if kind >= 1:
            day["o2_support"], day["o2_flow_l_min"] = "low_flow", float(rng.integers(1, 6))
    elif grade == 3:
        kind = rng.integers(3)
        if kind != 1:
            day["vasopressors"], day["hypotension"] = 1, True
        if kind >= 1:
            day["o2_support"] = "high_flow" if rng.random() < 0.7 else "facemask"
            day["o2_flow_l_min"] = float(rng.integers(8, 41)) if day["o2_support"] == "high_flow" else np.nan
    return day


def _bump(days: np.ndarray, start: int, peak: int, end: int) -> np.ndarray:
    """0 before ``start``, rising to 1 at ``peak``, falling back to 0 at ``end`` (linear on each side)."""
    rise = np.clip((days - start) / max(peak - start, 1), 0, 1)
    fall = np.clip((end - days) / max(end - peak, 1), 0, 1)
    return np.where(days <= peak, rise, fall)


def _daily(rng, patients: pd.DataFrame, courses: list[_Course], expansion_day: int) -> pd.DataFrame:
    """One row per patient per day: signs that grade to the patient's course, labs following it."""
    days = np.array(list(_DAYS))
    car_days = sorted(set(_CAR_BASE_DAYS) | {expansion_day})
    peak_il6 = {1: (1.5, 2.2), 2: (2.0, 3.0), 3: (2.7, 3.7)}
    frames = []
    for (_, row), course in zip(patients.iterrows(), courses):
        grade = int(row["crs_grade"])
        crs_grade_by_day = np.zeros(len(days), dtype=int)
        if course.onset is not None:
            crs_grade_by_day[(days >= course.onset) & (days <= course.last_day)] = course.grades
        rows = [_signs(rng, g, g > 0) for g in crs_grade_by_day]
        frame = pd.DataFrame(rows)
        frame.insert(0, "day", days)
        frame.insert(0, "patient_id", row["patient_id"])
        frame["toci_mg"] = [dict(zip(course.toci_days, course.toci_mg)).get(d, np.nan) for d in days]
        frame["steroid_mpe_mg"] = [dict(zip(course.steroid_days, course.steroid_mg)).get(d, np.nan) for d in days]
        if course.onset is None:
            shape = np.zeros(len(days))
            il6_log = shape
            amplitude = 0.0
        else:
            end = max(course.last_day + 2, course.il6_peak_day + 2)
            shape = _bump(days, course.onset - 1, course.onset + course.grades.index(max(course.grades)), end)
            amplitude = rng.uniform(*peak_il6[grade])
            first_dose = course.toci_days[0] if course.toci_days else course.il6_peak_day
            # IL-6 peaks on the first tocilizumab day; where it rises afterwards, a second, higher wave follows.
            il6_log = amplitude * _bump(days, course.onset - 1, min(first_dose, course.il6_peak_day), end)
            if course.il6_peak_day > first_dose:
                second = (amplitude + rng.uniform(0.3, 0.8)) * _bump(days, first_dose, course.il6_peak_day, end)
                il6_log = np.maximum(il6_log, second)
        lagged = np.interp(days - 1, days, shape)
        noise = lambda: np.exp(rng.normal(0, 0.08, len(days)))  # noqa: E731
        baseline = {name: 10 ** rng.uniform(*bounds) for name, bounds in
                    {"il6": (0.3, 1.2), "il10": (0.3, 1.0), "ifng": (0.5, 1.3), "tnfa": (0.3, 1.0),
                     "crp": (0.3, 1.2), "ferritin": (2.5, 3.2), "alt": (1.1, 1.6), "ast": (1.1, 1.5)}.items()}
        labs = {
            "il6_pg_ml": baseline["il6"] * 10 ** il6_log,
            "il10_pg_ml": baseline["il10"] * 10 ** (0.7 * amplitude * shape) * noise(),
            "ifng_pg_ml": baseline["ifng"] * 10 ** (0.6 * amplitude * shape) * noise(),
            "tnfa_pg_ml": baseline["tnfa"] * 10 ** (0.3 * amplitude * shape) * noise(),
            "crp_mg_l": (baseline["crp"] + 10 ** (0.5 * amplitude + 0.5) * lagged) * noise(),
            "ferritin_ng_ml": baseline["ferritin"] * 10 ** (0.3 * amplitude * lagged) * noise(),
        }
        labs["il6_pg_ml"] = _noisy_il6(rng, days, labs["il6_pg_ml"], course)
        measured = np.isin(days, _LAB_DAYS)
        for name, values in labs.items():
            frame[name] = np.where(measured, np.round(values, 1 if name != "ferritin_ng_ml" else 0), np.nan)
        width = rng.uniform(3.0, 4.5)
        car_peak = 10 ** rng.uniform(3.5, 5.0)
        car = np.maximum(1.0, car_peak * np.exp(-((days - course.car_peak_day) ** 2) / (2 * width ** 2)))
        frame["car_copies_per_ug_dna"] = np.where(np.isin(days, car_days), np.round(car), np.nan)
        organ = np.isin(days, _ORGAN_DAYS)
        strain = (grade == 3) * rng.uniform(0.5, 2.0) * lagged
        frame["alt_u_l"] = np.where(organ, np.round(baseline["alt"] * (1 + strain) * noise()), np.nan)
        frame["ast_u_l"] = np.where(organ, np.round(baseline["ast"] * (1 + strain) * noise()), np.nan)
        frame["creatinine_umol_l"] = np.where(organ, np.round(rng.uniform(45, 90) * (1 + 0.3 * strain) * noise(), 1),
                                              np.nan)
        frames.append(frame)
    daily = pd.concat(frames, ignore_index=True)
    daily["vasopressors"] = daily["vasopressors"].astype(int)
    return daily[[rule.name for rule in DAILY_COLUMNS]]


def _noisy_il6(rng, days: np.ndarray, il6: np.ndarray, course: _Course) -> np.ndarray:
    """IL-6 with measurement noise, unless the noise would turn a fall after tocilizumab into a rise (or back)."""
    noisy = np.round(il6 * np.exp(rng.normal(0, 0.05, len(days))), 1)
    if not course.toci_days:
        return noisy
    first = course.toci_days[0]
    window = (days > first) & (days <= first + IL6_WINDOW_DAYS)
    rises = course.il6_peak_day > first
    keeps_direction = (noisy[window].max() > noisy[days == first][0]) == rises
    return noisy if keeps_direction else np.round(il6, 1)


def _check_grades_back(patients: pd.DataFrame, daily: pd.DataFrame) -> None:
    """Guard: the ASTCT grader must give back every patient's grade and duration from the daily rows."""
    checked = recorded_against_graded(patients, daily)
    wrong = checked.loc[checked["grade_and_duration"] != GRADING_AGREEMENT[0], "patient_id"]
    if len(wrong):
        raise InconsistentDataError(f"daily rows do not grade back for {list(wrong)}")


# --------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------
def _csv_text(table: pd.DataFrame) -> str:
    """CSV as the schema spells it: booleans true/false, empty for missing, '\\n' line ends."""
    written = table.copy()
    for column in written.columns:
        if written[column].dtype == bool:
            written[column] = written[column].map({True: "true", False: "false"})
    return written.to_csv(index=False, lineterminator="\n")


def _readme_text(reconstruction: Reconstruction, report: FitReport) -> str:
    counts = report.counts()
    provenance = provenance_table()
    patients, daily = reconstruction.patients, reconstruction.daily
    treated = int(patients["tocilizumab"].sum())
    lines = [
        "# Synthetic reconstruction of the Zhou et al. 2025 cohort (not real patients)",
        "",
        f"**What this is.** {len(patients)} synthetic patients ({treated} with tocilizumab, {len(patients) - treated} "
        "without) and their daily course,",
        f"in the schema of `{SCHEMA_DOC.relative_to(SCHEMA_DOC.parents[1]).as_posix()}`, generated from the numbers the paper prints",
        "(Zhou et al., Front. Immunol. 2025;16:1530623, via `data/published/claims.csv`). Counts per group are",
        "met exactly; medians, ranges and p-values where the printed numbers allow it; everything else is",
        "simulated or invented (provenance below). Every patient-level page of the book runs on it and says so.",
        "",
        "**What this is not.** These are not the study's patients and carry no information about them beyond the",
        "published aggregates. No analysis of them is evidence about tocilizumab. The authors' data, in the same",
        "schema, replace them unchanged: `make book DATA=path/to/folder`.",
        "",
        f"**Seed** {reconstruction.seed}. **Regenerate** (byte-identical for the same seed and registry):",
        "",
        "```",
        f"python -m crs_compendium reconstruct --seed {reconstruction.seed} --out data/synthetic_reconstruction",
        "```",
        "",
        "**How.** `crs_compendium.synthetic.generate.reconstruct`: counts are assigned within each group; medians and",
        "ranges are fixed order statistics with the other values drawn between them; a local search moves the",
        "free values until one of the tests the methods name reproduces the printed p; the daily rows are built",
        "so that the ASTCT grader gives back each patient's grade and duration. The file `SYNTHETIC` marks the",
        "folder as synthetic for `crs_compendium.patients.load.load_cohort`; `provenance.csv` and `claim_notes.csv`",
        "say where each column's values come from and what the generator did where printed numbers conflict.",
        "",
        f"**Fit to the published numbers** ({len(report.table)} printed numbers about the patients): "
        + ", ".join(f"{counts.get(status, 0)} {status}" for status in FIT_STATUSES)
        + ". Those not met or only approximately met, with what the generator kept instead:",
        "",
    ]
    for row in report.table[report.table["status"].isin([NOT_MET, APPROXIMATE])].itertuples():
        lines.append(f"- `{row.claim_id}` ({row.status}): printed {row.target}, here {row.achieved}; {row.note}")
    lines += ["", "## Files", "", "| file | rows | what |", "|---|---|---|",
              f"| `{PATIENTS_FILE}` | {len(patients)} | one row per patient |",
              f"| `{DAILY_FILE}` | {len(daily)} | one row per patient per day, days {daily['day'].min()} to "
              f"{daily['day'].max()} |",
              f"| `{SYNTHETIC_MARKER}` | 1 | marker: this folder is synthetic (seed, command) |",
              f"| `{PROVENANCE_FILE}` | {len(provenance)} | where each column's values come from (below) |",
              f"| `{CLAIM_NOTES_FILE}` | {len(claim_notes_table())} | printed numbers the generator could not meet "
              "or had to read one way |",
              "| `README.md` | | this file, generated with the data |",
              "", "## Provenance of each column", "", "| file | column | level | basis |", "|---|---|---|---|"]
    lines += [f"| {r.file} | `{r.column}` | {r.level} | {r.basis} |" for r in provenance.itertuples()]
    lines += ["", "Levels: *exact* (fixed by printed counts), *constrained* (by printed medians, ranges or p-values),",
              "*simulated* (only a test result is printed), *invented* (nothing printed; plausible values only).", ""]
    return "\n".join(lines)
