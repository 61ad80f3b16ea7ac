"""The verdict of every number a patient-level page recomputes, set beside the number the paper prints.

Which verdict a number can get depends on where the data come from (:func:`data_basis`): on the authors'
data every number is a reproduction that agrees or not; on the synthetic reconstruction only numbers the
reconstruction fixed from printed counts, medians and ranges can be "equal to the printed value", and
anything that depends on values the generator drew (a t-test p, a hazard ratio, a peak) "depends on
simulated data". A page ends with :func:`page_verdicts`: the table, the counts it glues into its prose, and
one summary line.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..computable import NotComputable
from ..exceptions import InvalidInputError
from ..formatting import p_text
from ..patients.load import Cohort
from ..printed.registry import load_claims, load_quantities
from ..stats.two_groups import MeasurementComparison
from ..vocab import (DIFFERS, EQUAL, NOT_COMPUTABLE, NOT_PRINTED, NOT_REPRESENTED, PAGE_VERDICTS, PROVENANCE_LEVELS,
                     SIMULATED)
from .fit import fit_report

__all__ = [
    "FIXING_LEVELS",
    "DataBasis",
    "data_basis",
    "verdict_for",
    "verdict_row",
    "claim_verdicts",
    "smallest_p",
    "smallest_p_text",
    "no_difference_verdict",
    "summarise_verdicts",
    "PageVerdicts",
    "page_verdicts",
]

FIXING_LEVELS = PROVENANCE_LEVELS[:2]
"""Provenance levels of a synthetic folder (``provenance.csv``) whose counts, medians and ranges the
reconstruction sets from printed numbers; values of "simulated" and "invented" columns are drawn."""

_STAT_KINDS = ("count", "order", "distribution")
_DRAWN_LEVELS = PROVENANCE_LEVELS[2:]


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
    """The :class:`DataBasis` of a loaded cohort: a synthetic folder's provenance, or observed data."""
    if not cohort.synthetic:
        return DataBasis(synthetic=False, label=cohort.label)
    levels: dict[str, str] = {}
    for column, level in zip(cohort.provenance["column"], cohort.provenance["level"]):
        # A column in both files (patient_id, steroid_mpe_mg) counts as drawn if drawn in either.
        if levels.get(column) not in _DRAWN_LEVELS:
            levels[column] = level
    return DataBasis(synthetic=True, label=cohort.label, levels=levels)


def verdict_for(matches: bool | None, fixed: bool) -> str:
    """The verdict of one recomputed number: no printed value, drawn by the generator, equal, or different."""
    if matches is None:
        return NOT_PRINTED
    if not fixed:
        return SIMULATED
    return EQUAL if matches else DIFFERS


def verdict_row(item: str, recomputed: str, printed: str | None, matches: bool | None, fixed: bool,
                note: str = "", claim_id: str = "") -> dict:
    """One line of a page's verdict table (what, recomputed, printed, verdict, note), for a claim the
    registry holds no number for (a sentence such as "no significant difference")."""
    return {"item": item, "recomputed": recomputed, "printed": printed or "", "claim_id": claim_id,
            "verdict": verdict_for(None if printed is None else matches, fixed), "note": note}


_STAT_KIND = {"count": "count", "percent": "count", "denominator": "count", "value": "order", "median": "order",
              "min": "order", "max": "order"}


def claim_verdicts(report: pd.DataFrame, claims: pd.DataFrame, claim_ids: Iterable[str], basis: DataBasis) -> pd.DataFrame:
    """A page's verdict table for printed numbers, from the fit report of the cohort.

    Parameters
    ----------
    report : DataFrame
        ``fit_report(cohort).table`` (:func:`crs_compendium.reproduce.fit.fit_report`), which recomputes
        every printed number about the patients from any cohort, real data included.
    claims : DataFrame
        The claims registry, for each number's quantity and statement.
    claim_ids : iterable of str
        The printed numbers of the page, in the order to show them.
    basis : DataBasis
        Decides which recomputed numbers can be called reproduced; the data columns each quantity rests
        on, and the kind of its p-value, are data (``quantities.csv``).

    Returns
    -------
    DataFrame
        ``item`` (the registry's statement), ``recomputed``, ``printed``, ``claim_id``, ``verdict``, ``note``.
        A number counts as equal when the report says "met" (an "approximate" value differs); one the
        report cannot compute from these data (say, a named case beyond the number of treated patients) is
        :data:`~crs_compendium.vocab.NOT_COMPUTABLE`.
    """
    quantities = load_quantities(claims=claims)
    claim_ids = list(claim_ids)
    by_id = report.set_index("claim_id")
    records = claims.set_index("claim_id")
    missing = [claim_id for claim_id in claim_ids if claim_id not in by_id.index or claim_id not in records.index]
    if missing:
        raise InvalidInputError(f"claim_verdicts: claim(s) {missing} are not in the fit report and the registry")
    rows = []
    for claim_id in claim_ids:
        record, result = records.loc[claim_id], by_id.loc[claim_id]
        quantity = quantities.loc[record["quantity"]]
        if result["status"] in (NOT_REPRESENTED, NOT_COMPUTABLE):
            verdict = NOT_COMPUTABLE
        elif not quantity["data_columns"]:
            raise InvalidInputError(f"claim_verdicts: quantities.csv gives no data columns for {record['quantity']!r}")
        else:
            columns = quantity["data_columns"].split(";")
            kind = quantity["p_kind"] if record["stat"] == "p" else _STAT_KIND.get(record["stat"], "distribution")
            verdict = verdict_for(result["status"] == "met", basis.fixed(columns, kind))
        rows.append({"item": record["statement"], "recomputed": result["achieved"], "printed": record["printed"],
                     "claim_id": claim_id, "verdict": verdict, "note": result["note"]})
    return pd.DataFrame(rows, columns=["item", "recomputed", "printed", "claim_id", "verdict", "note"])


def smallest_p(comparisons: Mapping[str, MeasurementComparison | NotComputable]) -> tuple[dict[str, float],
                                                                                          dict[str, str]]:
    """Each measure's smallest p over the tests the methods name, and why each other measure has none."""
    smallest = {name: min(comparison.p_values.values()) for name, comparison in comparisons.items()
                if not isinstance(comparison, NotComputable) and comparison.p_values}
    missing = {name: (comparison.reason if isinstance(comparison, NotComputable) else comparison.tests_note)
               for name, comparison in comparisons.items() if name not in smallest}
    return smallest, missing


def smallest_p_text(comparisons: Mapping[str, MeasurementComparison | NotComputable]) -> str:
    """Each measure's smallest p ("peak p = 0.412"), or that it is not computable and why, in one line."""
    smallest, missing = smallest_p(comparisons)
    return "; ".join([f"{name} {p_text(p)}" for name, p in smallest.items()]
                     + [f"{name} {NOT_COMPUTABLE} ({reason})" for name, reason in missing.items()])


def no_difference_verdict(item: str, comparisons: Mapping[str, MeasurementComparison | NotComputable],
                          basis: DataBasis, *, columns: Sequence[str], where: str, alpha: float = 0.05) -> dict:
    """One line of a verdict table for a sentence such as "tocilizumab did not affect expansion".

    The sentence holds when every measure's smallest p over the tests the methods name is at least
    ``alpha``; ``where`` locates the sentence in the paper; ``columns`` are the data it rests on. Measures
    the data give no test for are named in the note; when none has a test, the verdict is
    :data:`~crs_compendium.vocab.NOT_COMPUTABLE` and the note gives each reason.
    """
    if not comparisons:
        raise InvalidInputError("no_difference_verdict: no comparison given")
    smallest, missing = smallest_p(comparisons)
    missing_note = "; ".join(f"{name} {NOT_COMPUTABLE}: {reason}" for name, reason in missing.items())
    printed = f"no significant difference ({where})"
    if not smallest:
        return {"item": item, "recomputed": "", "printed": printed, "claim_id": "", "verdict": NOT_COMPUTABLE,
                "note": missing_note}
    row = verdict_row(item, "; ".join(f"{name} {p_text(p)}" for name, p in smallest.items()), printed=printed,
                      matches=all(p >= alpha for p in smallest.values()), fixed=basis.fixed(columns, "distribution"),
                      note=f"smallest p of the named tests per measure, against {alpha}")
    if missing_note:
        row["note"] += f"; {missing_note}"
    return row


def summarise_verdicts(verdicts: pd.DataFrame) -> str:
    """One sentence counting a verdict table's verdicts, for the end of a page."""
    if "verdict" not in verdicts.columns:
        raise InvalidInputError("summarise_verdicts needs a 'verdict' column")
    counts = verdicts["verdict"].value_counts()
    parts = [f"{int(counts[verdict])} {verdict}" for verdict in PAGE_VERDICTS if counts.get(verdict, 0)]
    return f"{len(verdicts)} numbers: " + "; ".join(parts) + "."


@dataclass(frozen=True, repr=False)
class PageVerdicts:
    """The closing block of a patient-level page: its verdict table, the counts its prose quotes, and one
    summary line (its display).

    ``table`` has one row per printed number (``item``, ``recomputed``, ``printed``, ``claim_id``,
    ``verdict``, ``note``); ``page`` names the paper's artefact ("Figure 2"), ``label`` the data.
    """

    page: str
    label: str
    table: pd.DataFrame = field(repr=False)

    def counts(self) -> dict[str, int]:
        """Numbers per verdict, every verdict word present (zero when absent)."""
        counted = self.table["verdict"].value_counts()
        return {verdict: int(counted.get(verdict, 0)) for verdict in PAGE_VERDICTS}

    def glue(self, prefix: str) -> None:
        """Glue the counts for the page's prose as ``{prefix}_n_numbers``, ``_n_equal``, ``_n_differs``,
        ``_n_simulated``, ``_n_not_printed`` and ``_n_not_computable``."""
        from myst_nb import glue  # only a notebook glues; importing it elsewhere costs time

        counts = self.counts()
        glue(f"{prefix}_n_numbers", len(self.table), display=False)
        for verdict, name in ((EQUAL, "equal"), (DIFFERS, "differs"), (SIMULATED, "simulated"),
                              (NOT_PRINTED, "not_printed"), (NOT_COMPUTABLE, "not_computable")):
            glue(f"{prefix}_n_{name}", counts[verdict], display=False)

    def __repr__(self) -> str:
        return f"{self.page} ({self.label}): {summarise_verdicts(self.table)}"


def page_verdicts(page: str, cohort: Cohort, claim_ids: Iterable[str], *, claims: pd.DataFrame | None = None,
                  extra_rows: Sequence[Mapping] = ()) -> PageVerdicts:
    """The verdicts of a page's printed numbers on a cohort (through its fit report), plus any rows for
    sentences the registry holds no number for (:func:`verdict_row`, :func:`no_difference_verdict`)."""
    claims = load_claims() if claims is None else claims
    claim_ids = list(claim_ids)
    # The report of the page's own numbers only (and Figure 2B's marks, which every report computes): the
    # same rows as the whole report's, at a fraction of its cost.
    page_claims = claims[claims["claim_id"].isin(claim_ids) | (claims["quantity"] == "significance_threshold")]
    table = claim_verdicts(fit_report(cohort, page_claims).table, claims, claim_ids, data_basis(cohort)) if claim_ids \
        else pd.DataFrame(columns=["item", "recomputed", "printed", "claim_id", "verdict", "note"])
    if extra_rows:
        table = pd.concat([table, pd.DataFrame(list(extra_rows))], ignore_index=True) if len(table) \
            else pd.DataFrame(list(extra_rows))
    return PageVerdicts(page=page, label=cohort.label, table=table)
