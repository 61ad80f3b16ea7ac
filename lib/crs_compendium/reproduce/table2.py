"""Table 2 recomputed from patient data, every number beside the printed one; and the reading of
Supplementary Table S4 (a logistic regression of the tocilizumab group on Table 2's baseline factors).

Each number of the table body is printed as the paper prints it ("n (%)" and "median (range)" at the
paper's precision), each row's p by the test the claims audit found to reproduce the printed p, and the
Bonferroni-adjusted p capped at 1. How a row's patients are counted is the row's quantity in
``data/published/quantities.csv``, the same rule the fit report uses.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..computable import NotComputable
from ..formatting import format_like, format_p
from ..numbers import matches_printed, parse_printed, reproduces_p, rounds_to
from ..patients.derived import category_labels, category_mask, group_labels
from ..patients.disclosure import Disclosure
from ..patients.load import Cohort
from ..printed.contingency import test_name
from ..printed.multiplicity import bonferroni, check_bonferroni
from ..printed.registry import first_claim, load_quantities, printed_categories
from ..stats.regression import Covariate, LogisticRegressionResult
from ..stats.two_groups import CONTINUOUS_TESTS, measurement_tests
from ..vocab import DIFFERS, EQUAL, GROUP_KEYS, NOT_COMPUTABLE, PAGE_VERDICTS, SIMULATED
from .comparisons import compare_counts
from .verdicts import DataBasis, data_basis, verdict_for, verdict_row

__all__ = ["BaselineRow", "TABLE2_ROWS", "Table2Reproduction", "reproduce_table2", "S4_COVARIATES", "s4_verdict"]


@dataclass(frozen=True)
class BaselineRow:
    """One characteristic of Table 2: the registry quantity it prints, its label, its kind, its tests.

    ``kind`` is "binary" (a "No. (%)" row), "categories" (a row split into categories) or "continuous" (a
    "median (range)" row); ``tests`` lists the tests shown, the first one feeding the table's P column
    (none: the paper prints no p for the row). Which patients a row counts, and the data columns it rests
    on, come from the quantity's row of ``quantities.csv``.
    """

    quantity: str
    label: str
    kind: str
    tests: tuple[str, ...] = ()


TABLE2_ROWS = (
    BaselineRow("age", "Median age (range), years", "continuous", tuple(CONTINUOUS_TESTS)),
    BaselineRow("male", "Male, No. (%)", "binary", ("pearson",)),
    BaselineRow("high_risk", "High-risk phenotype or genotypes, No. (%)", "binary", ("fisher", "yates")),
    BaselineRow("prior_lines", "Median lines of therapy (range)", "continuous", tuple(CONTINUOUS_TESTS)),
    BaselineRow("prior_allo_sct", "Allogeneic SCT, No. (%)", "binary", ("fisher", "yates")),
    BaselineRow("blasts_bin", "Bone marrow blasts, No. (%)", "categories", ("fisher",)),
    BaselineRow("blasts_pct", "Median blasts (range)", "continuous"),
    BaselineRow("cart_dose", "Doses of CAR-T (range) (x10^6/kg)", "continuous", tuple(CONTINUOUS_TESTS)),
    BaselineRow("crs_grade", "Grade of CRS, No. (%)", "categories", ("pearson",)),
    BaselineRow("icans", "ICANS, No. (%)", "binary", ("yates",)),
    BaselineRow("steroid_mpe_mg", "Dose of methylprednisolone-equivalent corticosteroid, mg, (range)", "continuous",
                tuple(CONTINUOUS_TESTS)),
)
"""Table 2's rows in printed order. The test of each count row is the one the claims audit found to
reproduce the printed p (Pearson for sex and CRS grade, Fisher's exact or Yates for high risk and
transplant, Fisher-Freeman-Halton for the blast bins, Yates for ICANS); for measurements the methods name
t tests or Mann-Whitney without saying which, so all of :data:`crs_compendium.stats.two_groups.CONTINUOUS_TESTS`
are shown, Mann-Whitney first."""


def _table2_claims(claims: pd.DataFrame) -> pd.DataFrame:
    return claims[claims["claim_id"].str.startswith("t2.")]


def _printed(claims: pd.DataFrame, **criteria: str) -> tuple[str | None, str | None]:
    """(printed value, claim id) of the first record matching the criteria, or (None, None)."""
    record = first_claim(claims, **criteria)
    return (None, None) if record is None else (record["printed"], record["claim_id"])


@dataclass(frozen=True, repr=False)
class Table2Reproduction:
    """Table 2 recomputed: every printed number beside its recomputed value, the tests, the verdicts.

    Attributes
    ----------
    cells : DataFrame
        One row per number of the table body: ``row``, ``category``, ``group``, ``stat``, ``claim_id``,
        ``printed``, ``recomputed``, ``matches``, ``fixed``, ``verdict``, ``note``.
    tests : DataFrame
        One row per characteristic and test: ``row``, ``test``, ``p``, ``p_bonferroni``, the printed P and
        P#, whether each agrees, the verdicts and a note.
    m : int
        Number of tests the Bonferroni adjustment counts (one per row with a printed p).
    group_sizes : dict
        Patients per column ("Total", "Toci", "Non-toci").
    """

    cells: pd.DataFrame
    tests: pd.DataFrame
    m: int
    group_sizes: dict
    label: str

    def layout(self) -> pd.DataFrame:
        """Table 2 in the paper's shape: each column recomputed and printed side by side, then P and P#."""
        shown = self.cells.copy()
        shown["key"] = list(zip(shown["row"], shown["category"]))
        body: dict[tuple, dict[tuple[str, str], str]] = {}
        for key, rows in shown.groupby("key", sort=False):
            line = body.setdefault(key, {})
            for group, cells in rows.groupby("group", sort=False):
                header = f"{group} (N = {self.group_sizes[group]})"
                line[(header, "recomputed")] = _compose(cells, "recomputed")
                line[(header, "printed")] = _compose(cells, "printed")
        for test in self.tests[self.tests["shown_in_table"]].itertuples():
            line = body.setdefault((test.row, ""), {})
            line[("P", "test")] = test.test
            line[("P", "recomputed")] = NOT_COMPUTABLE if math.isnan(test.p) else format_p(test.p)
            line[("P", "printed")] = test.printed_p or ""
            line[("P# (Bonferroni)", "recomputed")] = (NOT_COMPUTABLE if math.isnan(test.p_bonferroni)
                                                       else format_p(test.p_bonferroni))
            line[("P# (Bonferroni)", "printed")] = test.printed_p_bonferroni or ""
        order = [(row.label, "") for row in TABLE2_ROWS]
        keys = sorted(body, key=lambda key: (order.index((key[0], "")), key[1] != ""))
        frame = pd.DataFrame([body[key] for key in keys],
                             index=pd.MultiIndex.from_tuples(keys, names=["characteristic", "category"]))
        return frame.reindex(columns=pd.MultiIndex.from_tuples(_layout_columns(self.group_sizes))).fillna("")

    def row_verdicts(self) -> pd.DataFrame:
        """One line per characteristic: how many of its numbers (body, P, P#) get each verdict, why any
        differ and why any are not computable from these data."""
        shown = self.tests[self.tests["shown_in_table"]]
        numbers = pd.concat([
            self.cells[["row", "verdict", "note"]],
            shown[["row", "verdict_p", "note"]].rename(columns={"verdict_p": "verdict"})
            .assign(note=[note if verdict == NOT_COMPUTABLE else "" for note, verdict in zip(shown["note"],
                                                                                          shown["verdict_p"])]),
            shown[["row", "verdict_p_bonferroni", "note"]].rename(columns={"verdict_p_bonferroni": "verdict"})
            .assign(note=["P#: " + note if note else "" for note in shown["note"]]),
        ])
        records = []
        for row in TABLE2_ROWS:
            verdicts = numbers[numbers["row"] == row.label]
            counts = verdicts["verdict"].value_counts()
            notes = {verdict: "; ".join(dict.fromkeys(note for note in verdicts.loc[verdicts["verdict"] == verdict,
                                                                                     "note"] if note))
                     for verdict in (DIFFERS, NOT_COMPUTABLE)}
            records.append({"characteristic": row.label,
                            **{verdict: int(counts.get(verdict, 0))
                               for verdict in (EQUAL, DIFFERS, SIMULATED, NOT_COMPUTABLE)},
                            "why it differs": notes[DIFFERS], "why it is not computable": notes[NOT_COMPUTABLE]})
        return pd.DataFrame(records)

    @property
    def printed_adjusted_above_one(self) -> int:
        """How many printed P# values exceed 1 (none can, if they are probabilities)."""
        printed = self.tests.loc[self.tests["shown_in_table"], "printed_p_bonferroni"]
        return int(sum(float(parse_printed(value).value) > 1 for value in printed if value))

    def verdict_counts(self) -> dict[str, int]:
        """Numbers per verdict over the table body and its P and P# columns."""
        verdicts = pd.concat([self.cells["verdict"],
                              self.tests.loc[self.tests["shown_in_table"], "verdict_p"],
                              self.tests.loc[self.tests["shown_in_table"], "verdict_p_bonferroni"]])
        counts = verdicts.value_counts()
        return {verdict: int(counts.get(verdict, 0)) for verdict in PAGE_VERDICTS}

    def __repr__(self) -> str:
        counts = self.verdict_counts()
        lines = [f"Table 2 recomputed from the {self.label}: {sum(counts.values())} printed numbers "
                 f"(body, P and P#; Bonferroni over m = {self.m} tests)"]
        lines += [f"  {n:>3} {verdict}" for verdict, n in counts.items() if n]
        return "\n".join(lines)


def _compose(cells: pd.DataFrame, column: str) -> str:
    """The text of one table cell from its numbers: "n (%)" or "median (low-high)"; "not computable from
    these data" when the data give none of them (the numbers' notes say why)."""
    if column == "recomputed" and (cells["verdict"] == NOT_COMPUTABLE).all():
        return NOT_COMPUTABLE
    values = dict(zip(cells["stat"], cells[column]))
    if "count" in values:
        return f"{values['count']} ({values.get('percent', '')})"
    if "median" in values:
        return f"{values['median']} ({values.get('min', '')}-{values.get('max', '')})"
    return ""


def _layout_columns(group_sizes: Mapping[str, int]) -> list[tuple[str, str]]:
    columns = [(f"{group} (N = {size})", kind) for group, size in group_sizes.items()
               for kind in ("recomputed", "printed")]
    return columns + [("P", "test"), ("P", "recomputed"), ("P", "printed"),
                      ("P# (Bonferroni)", "recomputed"), ("P# (Bonferroni)", "printed")]


def _cell(row: BaselineRow, columns: list[str], category: str, group: str, stat: str, value: float,
          claims: pd.DataFrame, basis: DataBasis, notes: Mapping[str, str], reason: str = "") -> dict:
    """One number of the table body beside its printed value, with its verdict; with a ``reason`` the
    data give no number, and the verdict is not computable."""
    printed, claim_id = _printed(claims, quantity=row.quantity, group=group, stat=stat, category=category)
    fixed = basis.fixed(columns, "count" if stat in ("count", "percent") else "order")
    cell = {"row": row.label, "category": category, "group": GROUP_KEYS[group], "stat": stat,
            "claim_id": claim_id or "", "printed": printed or ""}
    if reason:
        return {**cell, "recomputed": "", "matches": None, "fixed": fixed, "verdict": NOT_COMPUTABLE, "note": reason}
    matches = None if printed is None else matches_printed(value, printed)
    return {**cell, "recomputed": format_like(value, printed, default_places=0 if stat == "count" else 1),
            "matches": matches, "fixed": fixed, "verdict": verdict_for(matches, fixed),
            "note": notes.get(claim_id, "") if matches is False else ""}


def _groups(patients: pd.DataFrame) -> dict[str, pd.Series]:
    labels = group_labels(patients)
    masks = {"total": pd.Series(True, index=patients.index)}
    masks.update({key: labels == name for key, name in GROUP_KEYS.items() if key != "total"})
    return masks


def _group_reason(group: str, size: int, what: str, disclosure: Disclosure) -> str:
    """Why a group's numbers cannot be shown: it has nobody, or too few to show (privacy)."""
    if size == 0:
        return f"no patient in group {GROUP_KEYS[group]}"
    return disclosure.withheld(size, f"{what} of group {GROUP_KEYS[group]}") or ""


def reproduce_table2(cohort: Cohort, claims: pd.DataFrame) -> Table2Reproduction:
    """Recompute Table 2 (baseline by group) and set every number beside the printed one.

    Parameters
    ----------
    cohort : Cohort
        The loaded patient data (:func:`crs_compendium.patients.load.load_cohort`).
    claims : DataFrame
        The claims registry (:func:`crs_compendium.printed.registry.load_claims`); Table 2's records are used.

    Returns
    -------
    Table2Reproduction

    Notes
    -----
    Counts are printed "n (%)" with the percentage at the printed decimals (a zero count as "0"); medians
    and range ends at the decimals of the printed value. A number agrees when it rounds to the printed one
    (ties either way, :func:`crs_compendium.numbers.rounds_to`); a p-value when it reproduces the printed
    p (:func:`crs_compendium.numbers.reproduces_p`). The Bonferroni adjustment multiplies by the number of
    rows with a printed p and caps at 1; a printed P# above 1 therefore always differs, and the note says
    whether it is the uncapped product (:func:`crs_compendium.printed.multiplicity.check_bonferroni`).
    Which numbers can count as reproduced depends on the data (:func:`crs_compendium.reproduce.verdicts.data_basis`);
    on a synthetic folder, a number its generator could not meet carries the generator's note.
    """
    patients, basis, notes = cohort.patients, data_basis(cohort), cohort.notes("decision")
    disclosure = cohort.disclosure
    quantities = load_quantities(claims=claims)
    table_claims = _table2_claims(claims)
    masks = _groups(patients)
    group_sizes = {GROUP_KEYS[key]: int(mask.sum()) for key, mask in masks.items()}
    cells: list[dict] = []
    test_rows: list[dict] = []
    for row in TABLE2_ROWS:
        quantity = quantities.loc[row.quantity]
        columns = quantity["data_columns"].split(";")
        if row.kind == "continuous":
            values = patients[quantity["expression"]].astype(float)
            for group, mask in masks.items():
                selected = values[mask].dropna()
                reason = _group_reason(group, len(selected), "the median and range", disclosure)
                for stat, value in (("median", selected.median()), ("min", selected.min()), ("max", selected.max())):
                    cells.append(_cell(row, columns, "", group, stat, value, table_claims, basis, notes, reason))
            test_rows += _continuous_tests(row, columns, values, masks, table_claims, basis, disclosure)
            continue
        if row.kind == "binary":
            labels = category_mask(patients, quantity["rule"], quantity["expression"]).map({True: "yes", False: "no"})
            categories = ["yes"]
        else:
            printed = printed_categories(table_claims, row.quantity)
            labels = category_labels(patients, quantity["rule"], quantity["expression"], printed)
            categories = printed + sorted(set(labels) - set(printed))
        for category in categories:
            registry_category = "" if row.kind == "binary" else category
            for group, mask in masks.items():
                n, total = int((labels[mask] == category).sum()), int(mask.sum())
                reason = _group_reason(group, total, "the counts", disclosure)
                cells.append(_cell(row, columns, registry_category, group, "count", n, table_claims, basis, notes,
                                   reason))
                cells.append(_cell(row, columns, registry_category, group, "percent", 100 * n / total if total else 0,
                                   table_claims, basis, notes, reason))
        if row.tests:
            test_rows += _count_tests(row, columns, labels.rename(row.quantity), masks, table_claims, basis,
                                      disclosure)
    tests = pd.DataFrame(test_rows)
    m = int(tests.loc[tests["shown_in_table"], "printed_p"].ne("").sum())
    tests = _adjust(tests, m)
    return Table2Reproduction(cells=pd.DataFrame(cells), tests=tests, m=m, group_sizes=group_sizes, label=basis.label)


def _test_record(row: BaselineRow, test: str, p: float, claims: pd.DataFrame, fixed: bool, shown: bool,
                 reason: str = "") -> dict:
    """One test of a row beside the printed P; a NaN p comes with the ``reason`` the data give none."""
    printed_p, claim_id = _printed(claims, quantity=row.quantity, group="toci_vs_non_toci", stat="p")
    printed_adjusted, _ = _printed(claims, quantity=row.quantity, group="toci_vs_non_toci", stat="p_bonferroni")
    p = float(p)
    if math.isnan(p):
        matches, verdict = None, NOT_COMPUTABLE
        reason = reason or "the test is undefined for these values"
    else:
        matches = None if printed_p is None else reproduces_p(p, printed_p)
        verdict, reason = verdict_for(matches, fixed), ""
    return {"row": row.label, "test": test, "p": p, "claim_id": claim_id or "", "printed_p": printed_p or "",
            "p_matches": matches, "fixed": fixed, "verdict_p": verdict, "reason": reason,
            "printed_p_bonferroni": printed_adjusted or "", "shown_in_table": shown}


def _continuous_tests(row: BaselineRow, columns, values: pd.Series, masks, claims, basis: DataBasis,
                      disclosure: Disclosure) -> list[dict]:
    samples = {GROUP_KEYS["toci"]: values[masks["toci"]], GROUP_KEYS["non_toci"]: values[masks["non_toci"]]}
    tests = measurement_tests(samples, columns[0], disclosure=disclosure)
    fixed = basis.fixed(columns, "distribution")
    reason = tests.reason if isinstance(tests, NotComputable) else ""
    p_values = {} if reason else tests
    return [_test_record(row, test, p_values.get(test, math.nan), claims, fixed, shown=index == 0, reason=reason)
            for index, test in enumerate(row.tests)]


def _count_tests(row: BaselineRow, columns, labels: pd.Series, masks, claims, basis: DataBasis,
                 disclosure: Disclosure) -> list[dict]:
    groups = pd.Categorical(np.where(masks["toci"], GROUP_KEYS["toci"], GROUP_KEYS["non_toci"]),
                            categories=[GROUP_KEYS["toci"], GROUP_KEYS["non_toci"]])
    table = pd.crosstab(groups, labels, dropna=False)
    result = compare_counts(table, row.label, disclosure=disclosure)
    fixed = basis.fixed(columns, "count")
    if isinstance(result, NotComputable):
        two_by_two = table.shape[1] <= 2
        return [_test_record(row, test_name(test, two_by_two), math.nan, claims, fixed, shown=index == 0,
                             reason=result.reason)
                for index, test in enumerate(row.tests)]
    two_by_two = np.asarray(result.tested_table).shape == (2, 2)
    return [_test_record(row, test_name(test, two_by_two), result.p_values.get(test, math.nan), claims, fixed,
                         shown=index == 0)
            for index, test in enumerate(row.tests)]


def _adjust(tests: pd.DataFrame, m: int) -> pd.DataFrame:
    """Add the Bonferroni-adjusted p of every test and compare it with the printed P#."""
    tests = tests.copy()
    # No printed p at all: m = 1. A test the data do not allow has no adjusted p either.
    tests["p_bonferroni"] = [math.nan if math.isnan(p) else bonferroni(p, max(m, 1)) for p in tests["p"]]
    matches, notes = [], []
    for record in tests.itertuples():
        if math.isnan(record.p):
            matches.append(None)
            notes.append(record.reason)
            continue
        if not record.printed_p_bonferroni:
            matches.append(None)
            notes.append("")
            continue
        agrees = rounds_to(float(record.p_bonferroni), record.printed_p_bonferroni)
        matches.append(agrees)
        check = check_bonferroni(record.printed_p_bonferroni, record.printed_p, m) if record.printed_p else None
        notes.append(check.note if check is not None and not agrees else "")
    tests["p_bonferroni_matches"] = matches
    # A printed P# above 1 is not a probability: it differs from a correct adjustment whatever the data.
    beyond_one = [bool(printed) and float(parse_printed(printed).value) > 1 for printed in tests["printed_p_bonferroni"]]
    tests["verdict_p_bonferroni"] = [NOT_COMPUTABLE if math.isnan(p) else verdict_for(match, fixed or impossible)
                                     for p, match, fixed, impossible in zip(tests["p"], matches, tests["fixed"],
                                                                            beyond_one)]
    tests["note"] = notes
    return tests[["row", "test", "shown_in_table", "p", "printed_p", "p_matches", "verdict_p", "p_bonferroni",
                  "printed_p_bonferroni", "p_bonferroni_matches", "verdict_p_bonferroni", "fixed", "claim_id", "note"]]


S4_COVARIATES = (
    Covariate("Age", ("age_years",), lambda p: p["age_years"].astype(float) / 10, "per 10 years"),
    Covariate("Male sex", ("sex",), lambda p: (p["sex"] == "M").astype(float), "male vs female"),
    Covariate("High-risk phenotype or genotype", ("high_risk",), lambda p: p["high_risk"].astype(float), "yes vs no"),
    Covariate("Lines of therapy", ("prior_lines",), lambda p: p["prior_lines"].astype(float), "per line"),
    Covariate("Allogeneic SCT", ("prior_allo_sct",), lambda p: p["prior_allo_sct"].astype(float), "yes vs no"),
    Covariate("Bone marrow blasts", ("marrow_blasts_pct",), lambda p: p["marrow_blasts_pct"].astype(float) / 10,
              "per 10 % blasts"),
    Covariate("CAR-T dose", ("cart_dose_1e6_per_kg",), lambda p: p["cart_dose_1e6_per_kg"].astype(float),
              "per 10^6 cells/kg"),
)
"""The factors of Supplementary Table S4 as read here: the baseline characteristics of Table 2 known
before infusion. Supplementary Table S4 is not in the paper's text, so its exact factors are unknown; CRS
grade, ICANS and corticosteroid dose are left out because they follow the infusion (and CRS grade 0-1 and
ICANS each occur in one group only, which separates the groups perfectly)."""


def s4_verdict(s4: LogisticRegressionResult | NotComputable, basis: DataBasis) -> dict:
    """The verdict row of Supplementary Table S4's claim that no factor was significant; not computable
    (with the reason) when the data allow no model."""
    item, printed = "Supplementary Table S4: no factor significant", "none significant (Results, paragraph 1)"
    if isinstance(s4, NotComputable):
        return {"item": item, "recomputed": "", "printed": printed, "claim_id": "", "verdict": NOT_COMPUTABLE,
                "note": s4.reason}
    columns = [column for covariate in S4_COVARIATES for column in covariate.columns]
    return verdict_row(item, recomputed=", ".join(s4.significant) or "no factor significant", printed=printed,
                       matches=not s4.significant, fixed=basis.fixed(columns, "distribution"))
