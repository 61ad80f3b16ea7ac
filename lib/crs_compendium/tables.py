"""The paper's tables and figure statistics recomputed from patient data, each number beside the printed one.

Every patient-level page ends the same way: each number it recomputes is set beside the number the paper
prints (taken from the claims registry, never re-typed) with a verdict (:data:`VERDICT_ORDER`). Which
verdict a number can get depends on where the data come from (:func:`data_basis`): on the authors' data
every number is a reproduction that agrees or not; on the synthetic reconstruction only numbers the
reconstruction fixed from printed counts, medians and ranges can be "equal to the printed value", and
anything that depends on values the generator drew (a t-test p, a hazard ratio, a peak) "depends on
simulated data".

The module holds Table 2 as printed (:func:`reproduce_table2`: "n (%)" and "median (range)" at the
paper's precision, the test of each row, Bonferroni-adjusted p capped at 1), Supplementary Table S4
(:func:`logistic_regression`), the two-group comparisons of Figures 2 and S1-S3
(:func:`compare_measurement`, :func:`counts_by_group`), the kinetics tables of Figures 3 and S1
(:func:`align_to_first_dose`, :func:`expansion_summary`), and :func:`write_result` for the CSV exports.
"""
from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from .count_tables import count_table_tests
from .exceptions import InvalidInputError
from .ipd import Cohort
from .paths import build_dir
from .plots import GROUP_ORDER, group_labels
from .reconstruction import CONTINUOUS_TESTS, DECISIONS, PROVENANCE
from .registry import claims_for, parse_printed
from .reported import check_bonferroni, reproduces_p, round_fraction, rounds_to

__all__ = [
    "EQUAL",
    "DIFFERS",
    "SIMULATED",
    "NOT_PRINTED",
    "NOT_COMPUTABLE",
    "VERDICT_ORDER",
    "FIXING_LEVELS",
    "DataBasis",
    "data_basis",
    "verdict_for",
    "format_like",
    "format_percent",
    "format_count",
    "format_p",
    "p_text",
    "bonferroni",
    "BaselineRow",
    "TABLE2_ROWS",
    "Table2Reproduction",
    "reproduce_table2",
    "Covariate",
    "S4_COVARIATES",
    "LogisticRegressionResult",
    "logistic_regression",
    "counts_by_group",
    "MeasurementComparison",
    "compare_measurement",
    "align_to_first_dose",
    "expansion_summary",
    "verdict_row",
    "claim_verdicts",
    "no_difference_verdict",
    "summarise_verdicts",
    "write_result",
]

EQUAL = "equal to the printed value"
DIFFERS = "differs"
SIMULATED = "depends on simulated data, not a reproduction"
NOT_PRINTED = "not printed in the paper"
NOT_COMPUTABLE = "not computable from these data"
VERDICT_ORDER = (EQUAL, DIFFERS, SIMULATED, NOT_PRINTED, NOT_COMPUTABLE)
"""Every verdict a recomputed number gets on the patient-level pages."""

FIXING_LEVELS = ("exact", "constrained")
"""Provenance levels (:data:`crs_compendium.reconstruction.PROVENANCE`) whose counts, medians and ranges the
reconstruction sets from printed numbers; values of "simulated" and "invented" columns are drawn."""

_GROUP_KEYS = {"total": "Total", "toci": GROUP_ORDER[0], "non_toci": GROUP_ORDER[1]}
"""Registry group keys and the column names the tables use for them."""

_STAT_KINDS = ("count", "order", "distribution")


# --------------------------------------------------------------------------------------------------------
# Which numbers can be a reproduction
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataBasis:
    """Where the numbers of a page come from, and so which of them can count as a reproduction.

    ``levels`` maps each column of the patient and daily tables to its provenance level; empty for real
    data, where every number is computed from observed values.
    """

    synthetic: bool
    label: str
    levels: Mapping[str, str] = field(default_factory=dict)

    def fixed(self, columns: Iterable[str], kind: str) -> bool:
        """Whether a number is pinned by the data rather than by random draws of the generator.

        ``kind`` is "count" (counts, percentages and the p-value of a count table, functions of the
        counts), "order" (a median, minimum or maximum) or "distribution" (anything that depends on every
        value: a t-test or Mann-Whitney p, an area under a curve, a hazard ratio). On synthetic data, the
        first two are fixed when every column used is exact or constrained; the third never is, because
        the generator draws the values between the printed order statistics.
        """
        if kind not in _STAT_KINDS:
            raise InvalidInputError(f"kind must be one of {_STAT_KINDS}, got {kind!r}")
        if not self.synthetic:
            return True
        columns = list(columns)
        unknown = [column for column in columns if column not in self.levels]
        if unknown:
            raise InvalidInputError(f"no provenance for column(s) {unknown}")
        return kind != "distribution" and all(self.levels[column] in FIXING_LEVELS for column in columns)


def data_basis(cohort: Cohort) -> DataBasis:
    """The :class:`DataBasis` of a loaded cohort: the reconstruction's provenance, or observed data."""
    if not cohort.synthetic:
        return DataBasis(synthetic=False, label=cohort.label)
    levels: dict[str, str] = {}
    for columns in PROVENANCE.values():
        for column, (level, _) in columns.items():
            # A column in both files (patient_id, steroid_mpe_mg) counts as drawn if drawn in either.
            if levels.get(column) not in ("simulated", "invented"):
                levels[column] = level
    return DataBasis(synthetic=True, label=cohort.label, levels=levels)


def verdict_for(matches: bool | None, fixed: bool) -> str:
    """The verdict of one recomputed number: no printed value, drawn by the generator, equal, or different."""
    if matches is None:
        return NOT_PRINTED
    if not fixed:
        return SIMULATED
    return EQUAL if matches else DIFFERS


# --------------------------------------------------------------------------------------------------------
# Numbers as the paper prints them
# --------------------------------------------------------------------------------------------------------
def format_like(value: float, printed: str | None, *, default_places: int = 1) -> str:
    """``value`` rounded half up to as many decimals as ``printed`` shows ("24.0", "0.15", "36").

    Examples
    --------
    >>> format_like(24.0, "24.0"), format_like(2.1, "2.38"), format_like(35.5, "36")
    ('24.0', '2.10', '36')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    places = parse_printed(printed).decimals if printed else default_places
    return str(round_fraction(float(value), places, "half_up"))


def format_percent(n: int, total: int, *, places: int = 1) -> str:
    """100 n / total, exactly rounded half up; a zero count as "0", as Table 2 prints it."""
    if total <= 0:
        raise InvalidInputError(f"format_percent: the total must be positive, got {total}")
    if n == 0:
        return "0"
    return str(round_fraction(Fraction(100 * int(n), int(total)), places, "half_up"))


def format_count(n: int, total: int, *, places: int = 1) -> str:
    """"n (%)" as Table 2 prints a count: ``format_count(24, 45)`` gives "24 (53.3)"."""
    return f"{int(n)} ({format_percent(n, total, places=places)})"


def format_p(p: float) -> str:
    """A p-value at the paper's three decimals; "<0.001" below that."""
    if math.isnan(p):
        return "NA"
    return "<0.001" if p < 0.0005 else f"{p:.3f}"


def p_text(p: float) -> str:
    """"p = 0.227" or "p < 0.001", for figure labels and verdict lines."""
    shown = format_p(p)
    return f"p < {shown[1:]}" if shown.startswith("<") else f"p = {shown}"


def bonferroni(p: float, m: int) -> float:
    """Bonferroni-adjusted p: m times p, capped at 1 (an adjusted p is still a probability)."""
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise InvalidInputError(f"bonferroni: m must be a positive number of tests, got {m!r}")
    return min(1.0, float(m) * float(p))


def _matches(value: float, printed: str) -> bool:
    """Whether a recomputed number rounds to the printed one (a printed bound such as "<0.05" is a p)."""
    if printed[:1] in "<>≤≥":
        return reproduces_p(float(value), printed)
    return rounds_to(float(value), printed)


# --------------------------------------------------------------------------------------------------------
# Table 2
# --------------------------------------------------------------------------------------------------------
def _blast_category(values: pd.Series) -> pd.Series:
    # Table 2's bins: below 30, 30 to 50 with both ends, above 50 (% blasts).
    return pd.Series(np.select([values < 30, values <= 50], ["<30", "30-50"], ">50"), index=values.index)


def _crs_category(grades: pd.Series) -> pd.Series:
    # Table 2 pools grades 3, 4 and 5 in one row.
    return grades.astype(int).map(lambda grade: str(grade) if grade < 3 else "3-5")


@dataclass(frozen=True)
class BaselineRow:
    """One characteristic of Table 2: how to compute it from the patient table and how to test it.

    ``quantity`` is the registry's name for it; ``kind`` is "binary" (a "No. (%)" row), "categories"
    (a row split into categories) or "continuous" (a "median (range)" row); ``flag`` gives the binary
    row's yes/no per patient, ``categorise`` the category of each patient; ``tests`` lists the tests
    shown, the first one feeding the table's P column (none: the paper prints no p for the row).
    """

    quantity: str
    label: str
    kind: str
    columns: tuple[str, ...]
    tests: tuple[str, ...] = ()
    flag: Callable[[pd.DataFrame], pd.Series] | None = field(default=None, compare=False)
    categorise: Callable[[pd.DataFrame], pd.Series] | None = field(default=None, compare=False)


_COUNT_TESTS = {"pearson": "Pearson chi-squared", "yates": "chi-squared with Yates' correction",
                "fisher": "Fisher's exact"}

TABLE2_ROWS = (
    BaselineRow("age", "Median age (range), years", "continuous", ("age_years",), tuple(CONTINUOUS_TESTS)),
    BaselineRow("male", "Male, No. (%)", "binary", ("sex",), ("pearson",), flag=lambda p: p["sex"] == "M"),
    BaselineRow("high_risk", "High-risk phenotype or genotypes, No. (%)", "binary", ("high_risk",),
                ("fisher", "yates"), flag=lambda p: p["high_risk"].astype(bool)),
    BaselineRow("prior_lines", "Median lines of therapy (range)", "continuous", ("prior_lines",),
                tuple(CONTINUOUS_TESTS)),
    BaselineRow("prior_allo_sct", "Allogeneic SCT, No. (%)", "binary", ("prior_allo_sct",), ("fisher", "yates"),
                flag=lambda p: p["prior_allo_sct"].astype(bool)),
    BaselineRow("blasts_bin", "Bone marrow blasts, No. (%)", "categories", ("marrow_blasts_pct",), ("fisher",),
                categorise=lambda p: _blast_category(p["marrow_blasts_pct"].astype(float))),
    BaselineRow("blasts_pct", "Median blasts (range)", "continuous", ("marrow_blasts_pct",)),
    BaselineRow("cart_dose", "Doses of CAR-T (range) (x10^6/kg)", "continuous", ("cart_dose_1e6_per_kg",),
                tuple(CONTINUOUS_TESTS)),
    BaselineRow("crs_grade", "Grade of CRS, No. (%)", "categories", ("crs_grade",), ("pearson",),
                categorise=lambda p: _crs_category(p["crs_grade"])),
    BaselineRow("icans", "ICANS, No. (%)", "binary", ("icans_grade",), ("yates",),
                flag=lambda p: p["icans_grade"].astype(int) >= 1),
    BaselineRow("steroid_mpe_mg", "Dose of methylprednisolone-equivalent corticosteroid, mg, (range)", "continuous",
                ("steroid_mpe_mg",), tuple(CONTINUOUS_TESTS)),
)
"""Table 2's rows in printed order. The test of each count row is the one the claims audit found to
reproduce the printed p (Pearson for sex and CRS grade, Fisher's exact or Yates for high risk and
transplant, Fisher-Freeman-Halton for the blast bins, Yates for ICANS); for measurements the methods name
t tests or Mann-Whitney without saying which, so all of :data:`crs_compendium.reconstruction.CONTINUOUS_TESTS`
are shown, Mann-Whitney first."""


def _table2_claims(claims: pd.DataFrame) -> pd.DataFrame:
    return claims[claims["claim_id"].str.startswith("t2.")]


def _printed(claims: pd.DataFrame, **criteria: str) -> tuple[str | None, str | None]:
    """(printed value, claim id) of the one record matching the criteria, or (None, None)."""
    rows = claims_for(claims, **criteria)
    if rows.empty:
        return None, None
    return rows["printed"].iloc[0], rows["claim_id"].iloc[0]


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
            line[("P", "recomputed")] = format_p(test.p)
            line[("P", "printed")] = test.printed_p or ""
            line[("P# (Bonferroni)", "recomputed")] = format_p(test.p_bonferroni)
            line[("P# (Bonferroni)", "printed")] = test.printed_p_bonferroni or ""
        order = [(row.label, "") for row in TABLE2_ROWS]
        keys = sorted(body, key=lambda key: (order.index((key[0], "")), key[1] != ""))
        frame = pd.DataFrame([body[key] for key in keys],
                             index=pd.MultiIndex.from_tuples(keys, names=["characteristic", "category"]))
        return frame.reindex(columns=pd.MultiIndex.from_tuples(_layout_columns(self.group_sizes))).fillna("")

    def row_verdicts(self) -> pd.DataFrame:
        """One line per characteristic: how many of its numbers (body, P, P#) get each verdict, and why any
        differ."""
        shown = self.tests[self.tests["shown_in_table"]]
        numbers = pd.concat([
            self.cells[["row", "verdict", "note"]],
            shown[["row", "verdict_p"]].rename(columns={"verdict_p": "verdict"}).assign(note=""),
            shown[["row", "verdict_p_bonferroni"]].rename(columns={"verdict_p_bonferroni": "verdict"})
            .assign(note=["P#: " + note if note else "" for note in shown["note"]]),
        ])
        records = []
        for row in TABLE2_ROWS:
            verdicts = numbers[numbers["row"] == row.label]
            counts = verdicts["verdict"].value_counts()
            notes = verdicts.loc[verdicts["verdict"] == DIFFERS, "note"]
            records.append({"characteristic": row.label,
                            **{verdict: int(counts.get(verdict, 0)) for verdict in (EQUAL, DIFFERS, SIMULATED)},
                            "why it differs": "; ".join(dict.fromkeys(note for note in notes if note))})
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
        return {verdict: int(counts.get(verdict, 0)) for verdict in VERDICT_ORDER}

    def __repr__(self) -> str:
        counts = self.verdict_counts()
        lines = [f"Table 2 recomputed from the {self.label}: {sum(counts.values())} printed numbers "
                 f"(body, P and P#; Bonferroni over m = {self.m} tests)"]
        lines += [f"  {n:>3} {verdict}" for verdict, n in counts.items() if n]
        return "\n".join(lines)


def _compose(cells: pd.DataFrame, column: str) -> str:
    """The text of one table cell from its numbers: "n (%)" or "median (low-high)"."""
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


def _decision_notes(synthetic: bool) -> dict[str, str]:
    """Why the reconstruction cannot meet a printed number, by claim id (only for the synthetic data)."""
    if not synthetic:
        return {}
    return {claim_id: decision.note for decision in DECISIONS for claim_id in decision.claim_ids}


def _cell(row: BaselineRow, category: str, group: str, stat: str, value: float, claims: pd.DataFrame,
          basis: DataBasis, notes: Mapping[str, str]) -> dict:
    """One number of the table body beside its printed value, with its verdict."""
    printed, claim_id = _printed(claims, quantity=row.quantity, group=group, stat=stat, category=category)
    matches = None if printed is None else _matches(value, printed)
    fixed = basis.fixed(row.columns, "count" if stat in ("count", "percent") else "order")
    return {"row": row.label, "category": category, "group": _GROUP_KEYS[group], "stat": stat,
            "claim_id": claim_id or "", "printed": printed or "",
            "recomputed": format_like(value, printed, default_places=0 if stat == "count" else 1),
            "matches": matches, "fixed": fixed, "verdict": verdict_for(matches, fixed),
            "note": notes.get(claim_id, "") if matches is False else ""}


def _groups(patients: pd.DataFrame) -> dict[str, pd.Series]:
    labels = group_labels(patients)
    masks = {"total": pd.Series(True, index=patients.index)}
    masks.update({key: labels == name for key, name in _GROUP_KEYS.items() if key != "total"})
    empty = [name for key, name in _GROUP_KEYS.items() if not masks[key].any()]
    if empty:
        raise InvalidInputError(f"Table 2 compares two groups; no patient in {', '.join(empty)}")
    return masks


def reproduce_table2(patients: pd.DataFrame, claims: pd.DataFrame, basis: DataBasis) -> Table2Reproduction:
    """Recompute Table 2 (baseline by group) and set every number beside the printed one.

    Parameters
    ----------
    patients : DataFrame
        The patient table of the schema (``Cohort.patients``).
    claims : DataFrame
        The claims registry (:func:`crs_compendium.registry.load_claims`); Table 2's records are used.
    basis : DataBasis
        From :func:`data_basis`: decides which numbers can be called reproduced.

    Returns
    -------
    Table2Reproduction

    Notes
    -----
    Counts are printed "n (%)" with the percentage at the printed decimals (a zero count as "0"); medians
    and range ends at the decimals of the printed value. A number agrees when it rounds to the printed one
    (ties either way, :func:`crs_compendium.reported.rounds_to`); a p-value when it reproduces the printed
    p (:func:`crs_compendium.reported.reproduces_p`). The Bonferroni adjustment multiplies by the number of
    rows with a printed p and caps at 1; a printed P# above 1 therefore always differs, and the note says
    whether it is the uncapped product (:func:`crs_compendium.reported.check_bonferroni`).
    """
    table_claims = _table2_claims(claims)
    masks = _groups(patients)
    group_sizes = {_GROUP_KEYS[key]: int(mask.sum()) for key, mask in masks.items()}
    notes = _decision_notes(basis.synthetic)
    cells: list[dict] = []
    test_rows: list[dict] = []
    for row in TABLE2_ROWS:
        if row.kind == "continuous":
            values = patients[row.columns[0]].astype(float)
            for group, mask in masks.items():
                selected = values[mask]
                for stat, value in (("median", selected.median()), ("min", selected.min()), ("max", selected.max())):
                    cells.append(_cell(row, "", group, stat, value, table_claims, basis, notes))
            test_rows += _continuous_tests(row, values, masks, table_claims, basis)
            continue
        if row.kind == "binary":
            labels = row.flag(patients).map({True: "yes", False: "no"})
            categories = ["yes"]
        else:
            labels = row.categorise(patients)
            printed_categories = list(dict.fromkeys(claims_for(table_claims, quantity=row.quantity, group="total",
                                                               stat="count")["category"]))
            categories = printed_categories + sorted(set(labels) - set(printed_categories))
        for category in categories:
            registry_category = "" if row.kind == "binary" else category
            for group, mask in masks.items():
                n, total = int((labels[mask] == category).sum()), int(mask.sum())
                cells.append(_cell(row, registry_category, group, "count", n, table_claims, basis, notes))
                cells.append(_cell(row, registry_category, group, "percent", 100 * n / total, table_claims, basis,
                                   notes))
        if row.tests:
            test_rows += _count_tests(row, labels, masks, table_claims, basis)
    tests = pd.DataFrame(test_rows)
    m = int(tests.loc[tests["shown_in_table"], "printed_p"].ne("").sum())
    tests = _adjust(tests, m)
    return Table2Reproduction(cells=pd.DataFrame(cells), tests=tests, m=m, group_sizes=group_sizes, label=basis.label)


def _test_record(row: BaselineRow, test: str, p: float, claims: pd.DataFrame, fixed: bool, shown: bool) -> dict:
    printed_p, claim_id = _printed(claims, quantity=row.quantity, group="toci_vs_non_toci", stat="p")
    printed_adjusted, _ = _printed(claims, quantity=row.quantity, group="toci_vs_non_toci", stat="p_bonferroni")
    p = float(p)
    matches = None if printed_p is None else reproduces_p(p, printed_p)
    return {"row": row.label, "test": test, "p": p, "claim_id": claim_id or "", "printed_p": printed_p or "",
            "p_matches": matches, "fixed": fixed, "verdict_p": verdict_for(matches, fixed),
            "printed_p_bonferroni": printed_adjusted or "", "shown_in_table": shown}


def _continuous_tests(row: BaselineRow, values: pd.Series, masks, claims, basis: DataBasis) -> list[dict]:
    toci, non_toci = values[masks["toci"]], values[masks["non_toci"]]
    fixed = basis.fixed(row.columns, "distribution")
    return [_test_record(row, test, CONTINUOUS_TESTS[test](toci, non_toci), claims, fixed, shown=index == 0)
            for index, test in enumerate(row.tests)]


def _count_tests(row: BaselineRow, labels: pd.Series, masks, claims, basis: DataBasis) -> list[dict]:
    table = pd.crosstab(pd.Categorical(np.where(masks["toci"], "toci", "non_toci"), categories=["toci", "non_toci"]),
                        labels).to_numpy()
    result = count_table_tests(table)
    fixed = basis.fixed(row.columns, "count")
    larger_than_2x2 = np.asarray(result.tested_table).shape != (2, 2)
    return [_test_record(row, "Fisher-Freeman-Halton exact" if test == "fisher" and larger_than_2x2
                         else _COUNT_TESTS[test], result.p_values.get(test, math.nan), claims, fixed,
                         shown=index == 0)
            for index, test in enumerate(row.tests)]


def _adjust(tests: pd.DataFrame, m: int) -> pd.DataFrame:
    """Add the Bonferroni-adjusted p of every test and compare it with the printed P#."""
    tests = tests.copy()
    tests["p_bonferroni"] = [bonferroni(p, max(m, 1)) for p in tests["p"]]  # no printed p at all: m = 1
    matches, notes = [], []
    for record in tests.itertuples():
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
    tests["verdict_p_bonferroni"] = [verdict_for(match, fixed or impossible)
                                     for match, fixed, impossible in zip(matches, tests["fixed"], beyond_one)]
    tests["note"] = notes
    return tests[["row", "test", "shown_in_table", "p", "printed_p", "p_matches", "verdict_p", "p_bonferroni",
                  "printed_p_bonferroni", "p_bonferroni_matches", "verdict_p_bonferroni", "fixed", "claim_id", "note"]]


# --------------------------------------------------------------------------------------------------------
# Supplementary Table S4: logistic regression of tocilizumab use
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Covariate:
    """A factor of the logistic model: its name, how to compute it per patient, and its unit."""

    name: str
    columns: tuple[str, ...]
    compute: Callable[[pd.DataFrame], pd.Series] = field(compare=False)
    unit: str


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


@dataclass(frozen=True, repr=False)
class LogisticRegressionResult:
    """Odds ratios of tocilizumab use with 95% Wald intervals and p-values, and how the fit went."""

    table: pd.DataFrame
    n: int
    events: int
    converged: bool
    warnings: tuple[str, ...]
    alpha: float = 0.05

    @property
    def significant(self) -> tuple[str, ...]:
        """Factors whose p-value is below ``alpha``."""
        return tuple(self.table.loc[self.table["p"] < self.alpha, "factor"])

    def __repr__(self) -> str:
        fit = "converged" if self.converged else "did NOT converge"
        lines = [f"Logistic regression of tocilizumab use: n = {self.n}, {self.events} treated, "
                 f"{len(self.table)} factors; fit {fit}; significant at {self.alpha}: "
                 f"{', '.join(self.significant) or 'none'}"]
        for row in self.table.itertuples():
            lines.append(f"  {row.factor} ({row.unit}): OR {row.odds_ratio:.2f} (95% CI {row.lower_95:.2f}-"
                         f"{row.upper_95:.2f}), {p_text(row.p)}")
        lines += [f"  warning: {message}" for message in self.warnings]
        return "\n".join(lines)


def logistic_regression(patients: pd.DataFrame, covariates: Sequence[Covariate] = S4_COVARIATES,
                        *, alpha: float = 0.05) -> LogisticRegressionResult:
    """Logistic regression of tocilizumab use on several factors at once (Supplementary Table S4).

    Parameters
    ----------
    patients : DataFrame
        The patient table of the schema.
    covariates : sequence of Covariate
        The factors, all entered together (default :data:`S4_COVARIATES`).

    Returns
    -------
    LogisticRegressionResult
        ``table`` has one row per factor: ``factor``, ``unit``, ``odds_ratio``, ``lower_95``,
        ``upper_95``, ``p`` (Wald); warnings of the fit (perfect separation, no convergence) are kept.

    Notes
    -----
    Maximum likelihood with statsmodels' ``Logit`` (Newton-Raphson). With 17 treated patients and seven
    factors the model has about two events per factor, far below the ten usually asked for (Peduzzi et
    al. 1996): intervals are wide and p-values unstable, so "none significant" says little.

    References
    ----------
    Peduzzi P, Concato J, Kemper E, Holford TR, Feinstein AR. A simulation study of the number of events
    per variable in logistic regression analysis. J Clin Epidemiol 1996;49:1373-1379.
    """
    # Imported here: statsmodels' discrete models cost about a second to import, and only this page needs them.
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning
    from statsmodels.tools.tools import add_constant

    if not covariates:
        raise InvalidInputError("logistic_regression: at least one covariate is needed")
    missing = sorted({column for covariate in covariates for column in covariate.columns} - set(patients.columns))
    if missing:
        raise InvalidInputError(f"logistic_regression: the patient table lacks column(s) {missing}")
    outcome = patients["tocilizumab"].astype(float)
    if outcome.nunique() < 2:
        raise InvalidInputError("logistic_regression: every patient is in the same group; nothing to model")
    design = pd.DataFrame({covariate.name: covariate.compute(patients) for covariate in covariates})
    design = add_constant(design, has_constant="add")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PerfectSeparationWarning)
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("always", RuntimeWarning)
        fit = Logit(outcome.to_numpy(), design).fit(disp=0, maxiter=100)
    intervals = fit.conf_int(alpha=0.05)
    with np.errstate(over="ignore"):  # a separated factor's estimate runs off to infinity; inf is the answer
        table = pd.DataFrame({
            "factor": [covariate.name for covariate in covariates],
            "unit": [covariate.unit for covariate in covariates],
            "odds_ratio": np.exp(fit.params[1:].to_numpy()),
            "lower_95": np.exp(intervals.iloc[1:, 0].to_numpy()),
            "upper_95": np.exp(intervals.iloc[1:, 1].to_numpy()),
            "p": fit.pvalues[1:].to_numpy(),
        })
    messages = tuple(dict.fromkeys(str(warning.message).splitlines()[0] for warning in caught))
    return LogisticRegressionResult(table=table, n=len(outcome), events=int(outcome.sum()),
                                    converged=bool(fit.mle_retvals.get("converged", False)), warnings=messages,
                                    alpha=alpha)


# --------------------------------------------------------------------------------------------------------
# Two-group comparisons for the figures
# --------------------------------------------------------------------------------------------------------
def counts_by_group(labels: pd.Series, groups: pd.Series, categories: Sequence[str]) -> pd.DataFrame:
    """Patients per group (rows, :data:`GROUP_ORDER`) and category (columns, in the order given).

    Categories nobody has are kept as zero columns, so a figure keeps its legend whatever the data.
    """
    unknown = sorted(set(labels.dropna()) - set(categories))
    if unknown:
        raise InvalidInputError(f"counts_by_group: categories {unknown} are not among {list(categories)}")
    table = pd.crosstab(pd.Categorical(groups, categories=GROUP_ORDER),
                        pd.Categorical(labels, categories=list(categories)), dropna=False)
    table.index.name, table.columns.name = "group", labels.name
    return table


@dataclass(frozen=True, repr=False)
class MeasurementComparison:
    """A measurement compared between the groups: per-group summary, the tests the methods name, and
    whether a printed p (or significance mark such as "<0.05") is reproduced.

    ``summary`` has one row per group: ``n``, ``median``, ``q1``, ``q3``, ``min``, ``max``.
    ``p_values`` maps each test of :data:`crs_compendium.reconstruction.CONTINUOUS_TESTS` to its p.
    """

    name: str
    summary: pd.DataFrame
    p_values: dict
    printed_p: str | None = None

    @property
    def reproducing(self) -> tuple[str, ...]:
        """Tests whose p reproduces the printed p at its precision (or satisfies a printed bound)."""
        if self.printed_p is None:
            return ()
        return tuple(test for test, p in self.p_values.items() if not math.isnan(p) and reproduces_p(p, self.printed_p))

    def __repr__(self) -> str:
        groups = "; ".join(f"{row.Index} n = {row.n}, median {row.median:g} (IQR {row.q1:g}-{row.q3:g}, "
                           f"range {row.min:g}-{row.max:g})" for row in self.summary.itertuples())
        tests = ", ".join(f"{test} {p_text(p)}" for test, p in self.p_values.items())
        printed = ""
        if self.printed_p is not None:
            printed = (f"\n  printed p {self.printed_p}: reproduced by {', '.join(self.reproducing)}" if self.reproducing
                       else f"\n  printed p {self.printed_p}: reproduced by no test")
        return f"{self.name}: {groups}\n  {tests}{printed}"


def compare_measurement(data: pd.DataFrame, value: str, *, group: str = "group", order: Sequence[str] = GROUP_ORDER,
                        printed_p: str | None = None, name: str | None = None) -> MeasurementComparison:
    """Compare a measurement between two groups by every test the methods name.

    Parameters
    ----------
    data : DataFrame
        One row per patient with the ``group`` column and the ``value`` column.
    order : sequence of two str
        The two groups, in the order of the summary (default :data:`GROUP_ORDER`).
    printed_p : str, optional
        The printed p ("0.227") or significance mark ("<0.05", ">0.05").

    Examples
    --------
    SciPy's ``mannwhitneyu`` example (Conover 1999), here through the compendium's tests:

    >>> data = pd.DataFrame({"group": ["Toci"] * 5 + ["Non-toci"] * 4,
    ...                      "age": [19, 22, 16, 29, 24, 20, 11, 17, 12]})
    >>> round(compare_measurement(data, "age").p_values["Student t"], 4)
    0.0901
    """
    for column in (group, value):
        if column not in data.columns:
            raise InvalidInputError(f"compare_measurement: no column {column!r}")
    if len(order) != 2:
        raise InvalidInputError(f"compare_measurement compares two groups; got order {list(order)}")
    values = data[value].astype(float)
    samples = {name_: values[data[group] == name_].dropna() for name_ in order}
    small = [name_ for name_, sample in samples.items() if len(sample) < 2]
    if small:
        raise InvalidInputError(f"compare_measurement: {value!r} needs at least 2 values per group; "
                                f"group(s) {small} have fewer")
    summary = pd.DataFrame({
        name_: {"n": len(sample), "median": sample.median(), "q1": sample.quantile(0.25),
                "q3": sample.quantile(0.75), "min": sample.min(), "max": sample.max()}
        for name_, sample in samples.items()
    }).T
    summary["n"] = summary["n"].astype(int)
    summary.index.name = "group"
    with warnings.catch_warnings():
        # Identical values in both groups make the t statistic 0/0; SciPy warns and returns NaN, kept as such.
        warnings.simplefilter("ignore", RuntimeWarning)
        p_values = {test: float(function(*samples.values())) for test, function in CONTINUOUS_TESTS.items()}
    return MeasurementComparison(name=name or value, summary=summary, p_values=p_values, printed_p=printed_p)


# --------------------------------------------------------------------------------------------------------
# Kinetics: days from the first tocilizumab dose, CAR-T expansion per patient
# --------------------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------------------
# Verdict tables and exports
# --------------------------------------------------------------------------------------------------------
def verdict_row(item: str, recomputed: str, printed: str | None, matches: bool | None, fixed: bool,
                note: str = "", claim_id: str = "") -> dict:
    """One line of a page's verdict table (what, recomputed, printed, verdict, note), for a claim the
    registry holds no number for (a sentence such as "no significant difference")."""
    return {"item": item, "recomputed": recomputed, "printed": printed or "", "claim_id": claim_id,
            "verdict": verdict_for(None if printed is None else matches, fixed), "note": note}


_CLAIM_COLUMNS = {
    "patients": (("tocilizumab",), "count"),
    "response_d28": (("response_d28",), "count"),
    "serious_infection": (("serious_infection",), "count"),
    "crs_duration": (("crs_duration_days",), "distribution"),
    "significance_threshold": (("crs_duration_days", "crs_grade"), "distribution"),
    "gcsf_dose": (("gcsf_total_ug",), "distribution"),
    "pfs": (("pfs_days", "pfs_event"), "distribution"),
    "os": (("os_days", "os_event"), "distribution"),
    "cytokine_monitored": (("il6_pg_ml", "toci_mg"), "count"),
    "cytokine_decrease": (("il6_pg_ml", "toci_mg"), "count"),
    "il6_elevated": (("il6_pg_ml", "toci_mg"), "count"),
    "icans_due_to_il6": (("il6_pg_ml", "toci_mg", "icans_grade"), "count"),
    "case_persistent_expansion": (("car_copies_per_ug_dna", "toci_mg"), "count"),
    "car_expansion_end_day": (("car_copies_per_ug_dna",), "count"),
    "toci_administration_day": (("toci_mg",), "count"),
    "case_infection": (("serious_infection",), "count"),
    "case_infection_controlled": (("serious_infection", "os_days", "os_event"), "count"),
    "case_infection_death": (("serious_infection", "os_days", "os_event"), "count"),
}
"""Registry quantity -> (the data columns its numbers are computed from, the kind of its p-value)."""

_STAT_KIND = {"count": "count", "percent": "count", "denominator": "count", "value": "order", "median": "order",
              "min": "order", "max": "order"}


def claim_verdicts(report: pd.DataFrame, claims: pd.DataFrame, claim_ids: Iterable[str], basis: DataBasis) -> pd.DataFrame:
    """A page's verdict table for printed numbers, from the fit report of the cohort.

    Parameters
    ----------
    report : DataFrame
        ``fit_report(cohort).table`` (:func:`crs_compendium.reconstruction.fit_report`), which recomputes
        every printed number about the patients from any cohort, real data included.
    claims : DataFrame
        The claims registry, for each number's quantity and statement.
    claim_ids : iterable of str
        The printed numbers of the page, in the order to show them.
    basis : DataBasis
        Decides which recomputed numbers can be called reproduced.

    Returns
    -------
    DataFrame
        ``item`` (the registry's statement), ``recomputed``, ``printed``, ``claim_id``, ``verdict``, ``note``.
        A number counts as equal when the report says "met" (an "approximate" value differs); one the
        report cannot compute from these data (say, a named case beyond the number of treated patients) is
        :data:`NOT_COMPUTABLE`.
    """
    claim_ids = list(claim_ids)
    by_id = report.set_index("claim_id")
    records = claims.set_index("claim_id")
    missing = [claim_id for claim_id in claim_ids if claim_id not in by_id.index or claim_id not in records.index]
    if missing:
        raise InvalidInputError(f"claim_verdicts: claim(s) {missing} are not in the fit report and the registry")
    rows = []
    for claim_id in claim_ids:
        record, result = records.loc[claim_id], by_id.loc[claim_id]
        if result["status"] == "not represented":
            verdict = NOT_COMPUTABLE
        elif record["quantity"] not in _CLAIM_COLUMNS:
            raise InvalidInputError(f"claim_verdicts: no data columns known for quantity {record['quantity']!r}")
        else:
            columns, p_kind = _CLAIM_COLUMNS[record["quantity"]]
            kind = p_kind if record["stat"] == "p" else _STAT_KIND.get(record["stat"], "distribution")
            verdict = verdict_for(result["status"] == "met", basis.fixed(columns, kind))
        rows.append({"item": record["statement"], "recomputed": result["achieved"], "printed": record["printed"],
                     "claim_id": claim_id, "verdict": verdict, "note": result["note"]})
    return pd.DataFrame(rows, columns=["item", "recomputed", "printed", "claim_id", "verdict", "note"])


def no_difference_verdict(item: str, comparisons: Mapping[str, MeasurementComparison], basis: DataBasis, *,
                          columns: Sequence[str], where: str, alpha: float = 0.05) -> dict:
    """One line of a verdict table for a sentence such as "tocilizumab did not affect expansion".

    The sentence holds when every measure's smallest p over the tests the methods name is at least
    ``alpha``; ``where`` locates the sentence in the paper; ``columns`` are the data it rests on.
    """
    if not comparisons:
        raise InvalidInputError("no_difference_verdict: no comparison given")
    smallest = {name: min(comparison.p_values.values()) for name, comparison in comparisons.items()}
    return verdict_row(item, "; ".join(f"{name} {p_text(p)}" for name, p in smallest.items()),
                       printed=f"no significant difference ({where})",
                       matches=all(p >= alpha for p in smallest.values()),
                       fixed=basis.fixed(columns, "distribution"),
                       note=f"smallest p of the named tests per measure, against {alpha}")


def summarise_verdicts(verdicts: pd.DataFrame) -> str:
    """One sentence counting a verdict table's verdicts, for the end of a page."""
    if "verdict" not in verdicts.columns:
        raise InvalidInputError("summarise_verdicts needs a 'verdict' column")
    counts = verdicts["verdict"].value_counts()
    parts = [f"{int(counts[verdict])} {verdict}" for verdict in VERDICT_ORDER if counts.get(verdict, 0)]
    return f"{len(verdicts)} numbers: " + "; ".join(parts) + "."


_RESULT_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def write_result(frame: pd.DataFrame, name: str) -> Path:
    """Write a reproduced table to ``<build dir>/results/<name>.csv`` (for diffing) and return the path.

    ``name`` is lower case letters, digits and underscores; the index is written only when it is named.
    """
    if not isinstance(name, str) or not _RESULT_NAME.match(name):
        raise InvalidInputError(f"write_result: name must be lower-case letters, digits and underscores; got {name!r}")
    path = build_dir("results") / f"{name}.csv"
    flat = frame.copy()
    if isinstance(flat.columns, pd.MultiIndex):
        flat.columns = [" | ".join(str(part) for part in column if part) for column in flat.columns]
    keep_index = any(name_ is not None for name_ in flat.index.names)
    flat.to_csv(path, index=keep_index, lineterminator="\n")
    return path
