"""What the synthetic generator says about its cohort: the provenance of every column, what it did where
printed numbers cannot all hold, and how it read ambiguous ones. The generator writes these next to the
data (``provenance.csv``, ``claim_notes.csv``), so the pages read them from the folder like any data.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..patients.schema import CLAIM_NOTES_COLUMNS, PROVENANCE_COLUMNS
from ..vocab import PROVENANCE_LEVELS

__all__ = ["PROVENANCE_LEVELS", "PROVENANCE", "Decision", "DECISIONS", "READINGS", "provenance_table",
           "claim_notes_table"]


PROVENANCE = {
    "patients.csv": {
        "patient_id": ("invented", "SYN-T<n> with tocilizumab (n = the paper's case number, Figure 3), "
                                   "SYN-N<n> without"),
        "age_years": ("constrained", "median and range per group and pooled (Table 2); p by t or Mann-Whitney test"),
        "sex": ("exact", "count per group (Table 2)"),
        "high_risk": ("exact", "count per group (Table 2)"),
        "prior_lines": ("constrained", "median and range per group and pooled (Table 2), whole lines; p"),
        "prior_allo_sct": ("exact", "count per group (Table 2); the GVHD case's donor-derived cells imply a transplant"),
        "marrow_blasts_pct": ("constrained", "count per bin (exact), median and range per group and pooled"),
        "cart_dose_1e6_per_kg": ("constrained", "median and range per group and pooled (Table 2); p"),
        "tocilizumab": ("exact", "group sizes"),
        "toci_doses": ("constrained", "range of the number of doses (Results); the doses of the cases named"),
        "toci_total_mg": ("constrained", "median and range of the cumulative dose (Results)"),
        "steroid_mpe_mg": ("constrained", "median and range per group and pooled (Table 2), users per grade "
                                          "without tocilizumab (Results); p"),
        "crs_grade": ("exact", "count per grade and group (Table 2, Results)"),
        "crs_duration_days": ("constrained", "median and range per group (Results); Figure 2B's significance "
                                             "marks by grade; whole days that the daily rows grade back to"),
        "icans_grade": ("constrained", "count per group, one grade 3 (Results, Table 2); the other grade invented"),
        "response_d28": ("exact", "counts (Results); split by group from the printed p"),
        "serious_infection": ("exact", "count per group (Results); the cases named with an infection"),
        "gcsf_total_ug": ("simulated", "only a p-value is printed (Figure 2D)"),
        "pfs_days": ("simulated", "only the log-rank p is printed (Figure 4)"),
        "pfs_event": ("simulated", "only the log-rank p is printed (Figure 4)"),
        "os_days": ("simulated", "only the log-rank p is printed (Figure 4); the case named dies of infection"),
        "os_event": ("simulated", "only the log-rank p is printed (Figure 4); the case named dies of infection"),
        "paper_case": ("invented", "the paper's case numbers 1-17 given to the tocilizumab patients in row order; "
                                   "the cases it names (Pt 3-6, 9-11) carry what it says of them"),
    },
    "daily.csv": {
        "patient_id": ("invented", "as in patients.csv"),
        "day": ("invented", "one row per day from the day before infusion to a month after"),
        "tmax_c": ("constrained", "fever on every CRS day, so grading gives each patient's grade and duration"),
        "vasopressors": ("constrained", "set by the patient's grade on peak days"),
        "hypotension": ("constrained", "set by the patient's grade on peak days"),
        "o2_support": ("constrained", "set by the patient's grade on peak days"),
        "o2_flow_l_min": ("constrained", "low flow up to 6 L/min (grade 2), high flow above (grade 3)"),
        "il6_pg_ml": ("constrained", "after tocilizumab, rises in the cases named and falls in the others, as "
                                     "counted in the Results; levels invented"),
        "il10_pg_ml": ("invented", "follows the CRS course"),
        "ifng_pg_ml": ("invented", "follows the CRS course"),
        "tnfa_pg_ml": ("invented", "follows the CRS course"),
        "crp_mg_l": ("invented", "follows the CRS course, a day later"),
        "ferritin_ng_ml": ("invented", "follows the CRS course, a day later"),
        "car_copies_per_ug_dna": ("constrained", "the cases named expand until the printed day; others invented"),
        "alt_u_l": ("invented", "mild rise with grade 3 CRS"),
        "ast_u_l": ("invented", "mild rise with grade 3 CRS"),
        "creatinine_umol_l": ("invented", "mild rise with grade 3 CRS"),
        "toci_mg": ("constrained", "adds up to each patient's cumulative dose; the printed dose days of the cases"),
        "steroid_mpe_mg": ("constrained", "adds up to each patient's cumulative dose, given on CRS days"),
    },
}
"""Provenance of every column: exact (fixed by printed counts), constrained (by printed medians, ranges
or p-values), simulated (only a test result is printed), invented (nothing printed)."""


@dataclass(frozen=True)
class Decision:
    """What the generator did where printed numbers cannot all hold: the claims concerned, the reason."""

    claim_ids: tuple[str, ...]
    note: str


DECISIONS = (
    Decision(("res.high_risk.total.pct", "res.icans.total.pct"),
             "kept the count, printed alike in the text and Table 2; no whole count of the analysed patients "
             "gives this percentage (Table 2's percentage matches the count)"),
    Decision(("t2.prior_lines.non_toci.min", "t2.prior_lines.non_toci.max"),
             "lines of therapy are whole numbers (schema: integer) and the pooled range holds every patient; "
             "kept the pooled range and the group medians, so this half-line range end cannot be met"),
    Decision(("t2.steroid_mpe_mg.total.max",),
             "kept both group ranges (Table 2): the largest dose of all patients is then the larger group "
             "maximum, below the printed pooled maximum"),
    Decision(("res.steroid_use.total.count",),
             "kept Table 2: its tocilizumab-group minimum is above 0, so every tocilizumab patient received a "
             "corticosteroid; with the text's corticosteroid-only patients without tocilizumab the users "
             "exceed the printed number"),
    Decision(("res.steroid_mpe_mg.steroid_users.median", "res.steroid_mpe_mg.steroid_users.max"),
             "kept Table 2's group summaries: with them more than half of the users received at most the "
             "non-tocilizumab maximum, below the printed users' median, and the users' maximum is the "
             "tocilizumab-group maximum"),
    Decision(("res.crs_duration.toci.median",),
             "durations are whole days so that the daily rows grade back to them (ASTCT, span rule); the "
             "median of an odd number of whole numbers is whole, so the nearest whole number was kept"),
    Decision(("res.toci_dosing_span.toci.max",),
             "kept the dose days printed for the cases named; read as the interval between consecutive doses, "
             "theirs exceed the printed maximum (read as the span from first to last dose, even more so)"),
)
"""The printed numbers the generator cannot meet, each with the constraint it kept instead."""

READINGS = {
    **{claim_id: "read as grade 3 for every patient: the text calls them grade 3 and the paper reports no "
                 "grade 4 or 5 CRS"
       for claim_id in ("t2.crs_grade.g3_5.total.count", "t2.crs_grade.g3_5.toci.count",
                        "t2.crs_grade.g3_5.non_toci.count", "res.crs_grade.g3_5.total.count",
                        "res.crs_grade.g3_5.toci.count", "res.crs_grade.g3_5.non_toci_steroid_only.count")},
    **{claim_id: "read as including the patients without CRS (0 days), as the printed minimum implies"
       for claim_id in ("res.crs_duration.non_toci.min", "res.crs_duration.non_toci.median")},
    "res.steroid_mpe_mg.steroid_users.min": "met by the smallest dose without tocilizumab, compatible with Table 2",
    "res.response_d28.p": "the unprinted split by group is the one that reproduces this p "
                          "(crs_compendium.printed.contingency.splits_reproducing_p)",
}


def provenance_table() -> pd.DataFrame:
    """:data:`PROVENANCE` as a table: file, column, level, basis."""
    return pd.DataFrame([(file, column, level, basis) for file, columns in PROVENANCE.items()
                         for column, (level, basis) in columns.items()], columns=list(PROVENANCE_COLUMNS))


def claim_notes_table() -> pd.DataFrame:
    """Claim id, kind ("decision": the generator could not meet the number; "reading": how it read it) and
    note, for every printed number :data:`DECISIONS` and :data:`READINGS` concern."""
    rows = [{"claim_id": claim_id, "kind": "decision", "note": decision.note}
            for decision in DECISIONS for claim_id in decision.claim_ids]
    rows += [{"claim_id": claim_id, "kind": "reading", "note": note} for claim_id, note in READINGS.items()]
    return pd.DataFrame(rows, columns=list(CLAIM_NOTES_COLUMNS))
