"""The fit report: every number the paper prints about its patients, recomputed from a cohort (synthetic or
real) and set beside the printed value with a status.

How each quantity is computed from patient data is data, not code: ``data/published/quantities.csv`` gives
its rule (a yes/no flag, a measured value, a category, a survival endpoint, ...) and ``groups.csv`` which
patients each group holds. Named cases ("Pt 4"), the interval between tocilizumab doses and Figure 2B's
significance marks have computations of their own here.
"""
from __future__ import annotations

import functools
import html
import itertools
import math
import re
from dataclasses import dataclass

import pandas as pd

from ..computable import NotComputable
from ..formatting import format_like
from ..numbers import parse_printed, reproduces_p, rounds_to
from ..patients.derived import (case_mapping_gap, case_patient_ids, category_labels, category_mask, patient_mask,
                                with_derived_columns)
from ..patients.load import Cohort
from ..printed.registry import claims_for, load_claims, load_groups, load_quantities
from ..stats.survival import EVENT_NAMES, logrank_or_reason
from ..stats.two_groups import measurement_tests
from ..vocab import APPROXIMATE, FIT_STATUSES, GROUP_ORDER, MET, NOT_COMPUTABLE, NOT_MET, NOT_REPRESENTED
from .comparisons import compare_counts

__all__ = ["APPROXIMATE_WITHIN", "ALIVE_AFTER_INFECTION_DAY", "FitReport", "fit_report"]

APPROXIMATE_WITHIN = 0.10
"""A median, range end or p-value within this relative distance of the printed one, but not equal to it
at the printed precision, is "approximate". Counts and percentages are met or not met."""

ALIVE_AFTER_INFECTION_DAY = 90
""""Stable after infection control" (a named case) is read as alive at this day after infusion."""

_CASE_GROUP = re.compile(r"^pt[0-9]+(_pt[0-9]+)*$")


@dataclass(frozen=True)
class FitReport:
    """Every printed number about the patients against a cohort: target, achieved, status, note.

    ``table`` columns: claim_id, location, aggregate, target, achieved, status, note. Its display is the
    verdict: how many are met, approximate, not met and not represented, and each one not met.
    """

    table: pd.DataFrame
    label: str = "cohort"

    def counts(self) -> dict[str, int]:
        counted = self.table["status"].value_counts()
        return {status: int(counted.get(status, 0)) for status in FIT_STATUSES}

    def _headline(self) -> str:
        counts = self.counts()
        return (f"Fit of the {self.label} to {len(self.table)} printed numbers: "
                + ", ".join(f"{counts[s]} {s}" for s in FIT_STATUSES))

    def __repr__(self) -> str:
        lines = [self._headline()]
        for row in self.table[self.table["status"].isin([NOT_MET, APPROXIMATE])].itertuples():
            lines.append(f"  - {row.status}: {row.claim_id} printed {row.target}, achieved {row.achieved}"
                         + (f" ({row.note})" if row.note else ""))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        shown = self.table[self.table["status"].isin([NOT_MET, APPROXIMATE])]
        return f"<p><strong>{html.escape(self._headline())}</strong></p>" + shown.to_html(index=False)


def _status(value: float, printed: str, met: bool | None = None) -> str:
    """met at the printed precision (or as ``met`` says, for p-values), else approximate or not met."""
    if met if met is not None else rounds_to(float(value), printed):
        return MET
    target = float(parse_printed(printed).value)
    close = target != 0 and abs(value - target) <= APPROXIMATE_WITHIN * abs(target)
    return APPROXIMATE if close else NOT_MET


def _not_computable(reason: str) -> tuple[str, str, str]:
    return "", NOT_COMPUTABLE, reason


class _Evaluator:
    """Computes, from a cohort, the number each registry record prints, or says why it cannot."""

    def __init__(self, cohort: Cohort, claims: pd.DataFrame, quantities: pd.DataFrame, groups: pd.DataFrame):
        self.p = with_derived_columns(cohort.patients, cohort.daily)
        self.daily, self.claims, self.quantities, self.groups = cohort.daily, claims, quantities, groups
        self.toci = self.p["tocilizumab"].astype(bool)
        self.cases = case_patient_ids(self.p)
        self.disclosure = cohort.disclosure
        self._masks: dict[str, pd.Series] = {}

    def rule(self, quantity: str) -> tuple[str, str]:
        row = self.quantities.loc[quantity]
        return row["rule"], row["expression"]

    def mask(self, expression: str) -> pd.Series:
        """The patients an expression selects (:func:`patient_mask`), each expression evaluated once: the
        registry's few expressions are asked for hundreds of times, and pandas' eval of one takes milliseconds."""
        if expression not in self._masks:
            self._masks[expression] = patient_mask(self.p, expression)
        return self._masks[expression]

    def group(self, name: str) -> pd.Series:
        return self.mask(self.groups.at[name, "members"])

    def flags(self, quantity: str, category: str) -> pd.Series | None:
        rule, expression = self.rule(quantity)
        if rule == "flag":
            return self.mask(expression)
        return category_mask(self.p, rule, expression, category)

    def labels(self, quantity: str) -> pd.Series:
        """Each patient's category among the quantity's partition (quantities.csv), "other" outside it."""
        rule, expression = self.rule(quantity)
        return category_labels(self.p, rule, expression, self.quantities.at[quantity, "partition"].split(";"))

    def evaluate(self, record) -> tuple[str, str, str]:
        """(achieved, status, note) for one registry record; the note gives the reason of a number that is
        not computable from these data."""
        quantity, category, group, stat, printed = (record.quantity, record.category, record.group, record.stat,
                                                    record.printed)
        rule, expression = self.rule(quantity)
        if rule == "not_in_schema":
            return "", NOT_REPRESENTED, expression
        if _CASE_GROUP.match(group):
            return self._case(quantity, category, group, printed)
        if rule == "dosing_interval":
            return self._dosing_interval(stat, printed)
        if stat == "p":
            return self._p(quantity, printed)
        members = self.group(group)
        size = int(members.sum())
        if stat in ("count", "denominator", "percent"):
            flags = self.flags(quantity, category)
            if flags is None:
                return "", NOT_REPRESENTED, "no column holds this quantity"
            count = int((flags & members).sum())
            if stat == "denominator":
                return str(size), MET if str(size) == printed else NOT_MET, ""
            if size == 0:
                return _not_computable(f"no patient in group {group}")
            withheld = self.disclosure.withheld(size, f"a count of group {group}")
            if withheld:
                return _not_computable(withheld)
            if stat == "count":
                return str(count), MET if str(count) == printed else NOT_MET, ""
            percent = 100 * count / size
            status = MET if rounds_to(percent, printed) else NOT_MET
            return format_like(percent, printed), status, f"{count}/{size}"
        if stat in ("median", "min", "max") and rule == "value":
            values = self.p.loc[members, expression].astype(float).dropna()
            if values.empty:
                return _not_computable(f"no value of {expression} in group {group}")
            withheld = self.disclosure.withheld(len(values), f"the {stat} of {expression} in group {group}")
            if withheld:
                return _not_computable(withheld)
            value = {"median": values.median, "min": values.min, "max": values.max}[stat]()
            return format_like(value, printed), _status(value, printed), f"n = {len(values)}"
        return "", NOT_REPRESENTED, "no column holds this quantity"

    def _withheld_groups(self, what: str) -> str | None:
        for label, mask in ((GROUP_ORDER[0], self.toci), (GROUP_ORDER[1], ~self.toci)):
            withheld = self.disclosure.withheld(int(mask.sum()), f"{what} with group {label}")
            if withheld:
                return withheld
        return None

    def _p(self, quantity: str, printed: str) -> tuple[str, str, str]:
        p = self.p
        rule, expression = self.rule(quantity)
        if rule == "survival":
            days, events = expression.split(";")
            withheld = self._withheld_groups("a log-rank test")
            if withheld:
                return _not_computable(withheld)
            tested = logrank_or_reason(p[days], p[events].astype(bool), (~self.toci).astype(int),
                                       EVENT_NAMES.get(quantity, "event"))
            if isinstance(tested, str):
                return _not_computable(tested)
            value = tested[1]
            return format_like(value, printed), _status(value, printed, reproduces_p(value, printed)), "log-rank (two-sided)"
        if rule == "value":
            column = p[expression].astype(float)
            tests = measurement_tests({GROUP_ORDER[0]: column[self.toci], GROUP_ORDER[1]: column[~self.toci]},
                                      expression, disclosure=self.disclosure)
            if isinstance(tests, NotComputable):
                return _not_computable(tests.reason)
            return self._best_p(tests, printed)
        if rule == "flag" or self.quantities.at[quantity, "partition"]:
            if rule == "flag":
                labels = self.mask(expression).map({True: "yes", False: "no"})
            else:
                labels = self.labels(quantity)
            table = pd.crosstab(self.toci.map({True: "toci", False: "non_toci"}), labels)
            table = table.reindex(["toci", "non_toci"], fill_value=0).rename_axis(columns=quantity)
            result = compare_counts(table, quantity, printed_p=printed, disclosure=self.disclosure)
            if isinstance(result, NotComputable):
                return _not_computable(result.reason)
            shown = "; ".join(f"{group} {dict(zip(table.columns, map(int, counts)))}"
                              for group, counts in zip(table.index, table.to_numpy()))
            return self._best_p(result.p_values, printed, prefix=shown)
        return "", NOT_REPRESENTED, "no column holds this quantity"

    @staticmethod
    def _best_p(values: dict[str, float], printed: str, prefix: str = "") -> tuple[str, str, str]:
        finite = {test: v for test, v in values.items() if not math.isnan(v)}
        if not finite:
            return _not_computable("no test gives a p-value for these data")
        reproducing = [test for test, v in finite.items() if reproduces_p(v, printed)]
        target = float(parse_printed(printed).value)
        best = reproducing[0] if reproducing else min(finite, key=lambda test: abs(finite[test] - target))
        listing = "; ".join(f"{test} {v:.4f}" for test, v in finite.items())
        note = (f"{prefix}: " if prefix else "") + (f"reproduced by {', '.join(reproducing)}" if reproducing
                                                    else "no test reproduces it") + f" ({listing})"
        return format_like(finite[best], printed), _status(finite[best], printed, bool(reproducing)), note

    @functools.cached_property
    def _days_dosed(self) -> dict[str, list[int]]:
        """{patient id: the days with a tocilizumab dose (toci_mg), in order}, for patients with any."""
        dosed = self.daily[self.daily["toci_mg"].fillna(0) > 0]
        return {pid: sorted(map(int, days)) for pid, days in dosed.groupby("patient_id", sort=False)["day"]}

    def _dose_days(self, patient_id: str) -> list[int]:
        return self._days_dosed.get(patient_id, [])

    def _dosing_interval(self, stat: str, printed: str) -> tuple[str, str, str]:
        dose_days = {pid: self._dose_days(pid) for pid in self.p.loc[self.toci, "patient_id"]}
        gaps = [24 * (b - a) for days in dose_days.values() for a, b in itertools.pairwise(days)]
        if not gaps:
            return _not_computable("no patient has two days with a tocilizumab dose in daily.csv (toci_mg)")
        redosed = sum(len(days) >= 2 for days in dose_days.values())
        withheld = self.disclosure.withheld(redosed, "the interval between tocilizumab doses")
        if withheld:
            return _not_computable(withheld)
        value = min(gaps) if stat == "min" else max(gaps)
        return str(value), MET if rounds_to(value, printed) else NOT_MET, \
            "read as hours between consecutive dose days (whole days in daily rows)"

    def _case(self, quantity: str, category: str, group: str, printed: str) -> tuple[str, str, str]:
        numbers = [int(n) for n in re.findall(r"pt([0-9]+)", group)]
        unmapped = [n for n in numbers if n not in self.cases]
        if unmapped:
            return _not_computable(case_mapping_gap(self.p, unmapped))
        withheld = self.disclosure.about_one_patient(f"a claim about case {', '.join(map(str, numbers))}")
        if withheld:
            return _not_computable(withheld)
        ids = [self.cases[n] for n in numbers]
        patient = self.p.set_index("patient_id").loc[ids[0]]
        without_rows = [n for n, pid in zip(numbers, ids) if not (self.daily["patient_id"] == pid).any()]
        needs_rows = quantity in ("toci_administration_day", "car_expansion_end_day", "case_persistent_expansion")
        if needs_rows and without_rows:
            return _not_computable(f"case {without_rows[0]} has no rows in daily.csv")
        if quantity == "toci_administration_day":
            days = self._dose_days(ids[0])
            k = int(category.removeprefix("dose")) - 1
            if not days:
                return _not_computable(f"no tocilizumab dose of case {numbers[0]} in daily.csv (toci_mg)")
            value = str(days[k]) if k < len(days) else f"no dose {k + 1} ({len(days)} dose days)"
            return value, MET if value == printed else NOT_MET, f"{ids[0]}: dose days {days}"
        peaks = {pid: self._car_peak_day(pid) for pid in ids}
        unmeasured = [n for n, pid in zip(numbers, ids) if peaks[pid] is None]
        if quantity in ("car_expansion_end_day", "case_persistent_expansion") and unmeasured:
            return _not_computable(f"no CAR-T copies (car_copies_per_ug_dna) of case {unmeasured[0]} in daily.csv")
        if quantity == "car_expansion_end_day":
            value = ", ".join(map(str, sorted(set(peaks.values()))))
            return value, MET if value == printed else NOT_MET, "day of the highest CAR copies, " + \
                ", ".join(f"{pid} {day}" for pid, day in peaks.items())
        checks = {
            "case_persistent_expansion": (lambda: peaks[ids[0]] >= max(self._dose_days(ids[0]) or [0]),
                                          "CAR copies peak on or after the last tocilizumab dose"),
            "case_infection": (lambda: bool(patient["serious_infection"]), "serious infection"),
            "case_infection_controlled": (lambda: bool(patient["serious_infection"]) and not (
                patient["os_event"] and patient["os_days"] < ALIVE_AFTER_INFECTION_DAY),
                f"serious infection, alive at day {ALIVE_AFTER_INFECTION_DAY}"),
            "case_infection_death": (lambda: bool(patient["serious_infection"]) and bool(patient["os_event"])
                                     and patient["os_days"] < ALIVE_AFTER_INFECTION_DAY,
                                     f"serious infection, death before day {ALIVE_AFTER_INFECTION_DAY}"),
        }
        if quantity not in checks:
            return "", NOT_REPRESENTED, "no column holds this quantity"
        holds, meaning = checks[quantity]
        holds = holds()
        return (printed if holds else "no"), (MET if holds else NOT_MET), f"{ids[0]}: {meaning}"

    def _car_peak_day(self, patient_id: str) -> int | None:
        """The day of a patient's highest CAR-T copies, or None when daily.csv records none."""
        frame = self.daily[(self.daily["patient_id"] == patient_id) & self.daily["car_copies_per_ug_dna"].notna()]
        return int(frame.loc[frame["car_copies_per_ug_dna"].astype(float).idxmax(), "day"]) if len(frame) else None


# Figure 2B's marks, by the CRS strata the figure compares: grade 3 shorter with tocilizumab (*), grades 1-2
# not different (ns).
_FIGURE2B_STRATA = (("grade 3", "crs_grade >= 3", "significant"), ("grades 1-2", "(crs_grade >= 1) & (crs_grade <= 2)",
                                                                   "not_significant"))


def _figure2b_rows(evaluator: _Evaluator) -> list[dict]:
    """Figure 2B's marks (grade 3 significant, grades 1-2 not), which the registry holds as thresholds."""
    p, toci = evaluator.p, evaluator.toci
    rows = []
    for label, stratum, category in _FIGURE2B_STRATA:
        selected = evaluator.mask(stratum)
        record = claims_for(evaluator.claims, quantity="significance_threshold", category=category).iloc[0]
        printed = record["printed"]
        durations = p["crs_duration_days"].astype(float)
        row = {"claim_id": record["claim_id"], "location": "Figure 2B; Results, CRS duration by grade",
               "aggregate": f"crs_duration / {label} / toci_vs_non_toci / p", "target": printed}
        values = measurement_tests({GROUP_ORDER[0]: durations[toci & selected],
                                    GROUP_ORDER[1]: durations[~toci & selected]},
                                   f"crs_duration_days ({label} CRS)", disclosure=evaluator.disclosure)
        if isinstance(values, NotComputable) or "Mann-Whitney U" not in values:
            reason = values.reason if isinstance(values, NotComputable) else "the Mann-Whitney test is undefined"
            rows.append({**row, "achieved": "", "status": NOT_COMPUTABLE, "note": reason})
            continue
        reproducing = [test for test, v in values.items() if reproduces_p(v, printed)]
        rows.append({**row, "achieved": f"{values['Mann-Whitney U']:.3f}",
                     "status": MET if "Mann-Whitney U" in reproducing else NOT_MET,
                     "note": "Mann-Whitney U; " + "; ".join(f"{k} {v:.4f}" for k, v in values.items())})
    return rows


def fit_report(cohort: Cohort, claims: pd.DataFrame | None = None) -> FitReport:
    """Set a cohort against every printed number about the patients (claims registry).

    Parameters
    ----------
    cohort : Cohort
        From :func:`crs_compendium.patients.load.load_cohort`; synthetic and real data alike.
    claims : DataFrame, optional
        The claims registry (default :func:`crs_compendium.printed.registry.load_claims`).

    Returns
    -------
    FitReport
        One row per registry record about the analysed patients (the groups of kind ``patients`` or
        ``comparison`` in groups.csv and the named cases), plus Figure 2B's two significance marks. Status:
        ``met`` at the printed precision (a p-value by any test the methods name), ``approximate`` (a
        median, range end or p within :data:`APPROXIMATE_WITHIN` of the printed value), ``not met``, or
        ``not represented`` (the schema has no column for it). A synthetic folder's notes say what its
        generator kept where printed numbers conflict, or how it read a number (``cohort.claim_notes``).

    Notes
    -----
    Bonferroni-adjusted p-values (Table 2's P#) are left out: they are arithmetic on the printed p, which
    the claims audit checks, not a property of the patients. So is the patient flow (topic ``flow``).
    """
    claims = load_claims() if claims is None else claims
    quantities, groups = load_quantities(claims=claims), load_groups()
    evaluator = _Evaluator(cohort, claims, quantities, groups)
    cohort_groups = groups.index[groups["kind"].isin(["patients", "comparison"])]
    in_scope = claims[(claims["group"].isin(cohort_groups) | claims["group"].str.match(_CASE_GROUP))
                      & (claims["stat"] != "p_bonferroni")
                      & (claims["quantity"].map(quantities["topic"]) != "flow")]
    notes = cohort.notes()
    rows = []
    for record in in_scope.itertuples(index=False):
        achieved, status, note = evaluator.evaluate(record)
        rows.append({"claim_id": record.claim_id, "location": record.location,
                     "aggregate": "/".join(filter(None, (record.quantity, record.category, record.group,
                                                         record.stat))),
                     "target": record.printed, "achieved": achieved, "status": status,
                     "note": "; ".join(filter(None, (notes.get(record.claim_id), note)))})
    rows += _figure2b_rows(evaluator)
    return FitReport(pd.DataFrame(rows), label=cohort.label)

