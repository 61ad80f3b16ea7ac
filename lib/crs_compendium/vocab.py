"""The compendium's shared vocabulary: the study's groups, the categories it reports, every verdict word, and
the colours that stand for them. Everything above this module spells these once, here.

Three families of verdict words exist because three different questions are asked:

* the **claims audit** asks whether a printed number can be true given the other printed numbers
  (:data:`AUDIT_VERDICTS`);
* a **patient-level page** sets a number recomputed from patient data beside the printed one
  (:data:`PAGE_VERDICTS`);
* the **fit report** says how a cohort meets each printed number about the patients (:data:`FIT_STATUSES`).
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "GROUP_ORDER",
    "GROUP_KEYS",
    "CONSISTENT",
    "INCONSISTENT",
    "NOT_CHECKABLE",
    "AUDIT_VERDICTS",
    "audit_verdict",
    "conditional_verdict",
    "PROVED",
    "SEARCHED",
    "BOUND_KINDS",
    "bound_kind",
    "ATTAINABLE",
    "NOT_ATTAINABLE",
    "UNDECIDED",
    "ATTAINABILITY_WORDS",
    "EQUAL",
    "DIFFERS",
    "SIMULATED",
    "PROVENANCE_LEVELS",
    "NOT_PRINTED",
    "NOT_COMPUTABLE",
    "PAGE_VERDICTS",
    "MET",
    "APPROXIMATE",
    "NOT_MET",
    "NOT_REPRESENTED",
    "FIT_STATUSES",
    "SIGNIFICANT",
    "NOT_SIGNIFICANT",
    "UNDETERMINED",
    "INTERNAL_MARK",
    "SECTION_ORDER",
    "Bin",
    "BLAST_BINS",
    "CRS_GRADE_CATEGORIES",
    "RESPONSE_ORDER",
    "INFECTION_ORDER",
    "CHANGE_ORDER",
    "STEROID_ORDER",
    "PALETTE",
    "GROUP_COLOURS",
    "RESPONSE_COLOURS",
    "INFECTION_COLOURS",
    "CHANGE_COLOURS",
    "STEROID_COLOURS",
    "CRS_GRADE_COLOURS",
    "VERDICT_COLOURS",
]

# --------------------------------------------------------------------------------------------------------
# The study's groups
# --------------------------------------------------------------------------------------------------------
GROUP_ORDER = ("Toci", "Non-toci")
"""The two groups, in the order of the paper's Table 2 columns, on every axis, legend and table."""

GROUP_KEYS = {"total": "Total", "toci": GROUP_ORDER[0], "non_toci": GROUP_ORDER[1]}
"""The claims registry's group keys and the labels pages show for them."""

# --------------------------------------------------------------------------------------------------------
# Verdict words
# --------------------------------------------------------------------------------------------------------
CONSISTENT = "consistent"
INCONSISTENT = "inconsistent"
NOT_CHECKABLE = "not checkable from the published numbers"
AUDIT_VERDICTS = (CONSISTENT, INCONSISTENT, NOT_CHECKABLE)
"""The claims audit's verdicts on a printed number."""


def audit_verdict(agrees: bool) -> str:
    """Turn the outcome of a check into its verdict word."""
    return CONSISTENT if agrees else INCONSISTENT


def conditional_verdict(verdict: str, assumption: str) -> str:
    """A verdict with the unstated assumption it rests on ("inconsistent if durations are whole days"); the
    verdict word alone when it rests on none."""
    return f"{verdict} if {assumption}" if assumption else verdict


PROVED = "proved"
SEARCHED = "search result"
BOUND_KINDS = (PROVED, SEARCHED)
"""How an end of an interval of attainable p-values is known: by an exact argument (no consistent data set
goes beyond it), or as the most extreme value a search found (its witness proves only that it is reached)."""


def bound_kind(proved: bool) -> str:
    """The word of :data:`BOUND_KINDS` for an end of an interval that is, or is not, proved."""
    return PROVED if proved else SEARCHED

ATTAINABLE = "yes"
NOT_ATTAINABLE = "no"
UNDECIDED = "undecided"
ATTAINABILITY_WORDS = {True: ATTAINABLE, False: NOT_ATTAINABLE, None: UNDECIDED}
"""Whether a test can give a printed p (or meet a printed bound) on some data set consistent with the printed
summaries: a witness proves yes, an exact argument no; undecided when neither was found."""


EQUAL = "equal to the printed value"
DIFFERS = "differs"
SIMULATED = "depends on simulated data, not a reproduction"
NOT_PRINTED = "not printed in the paper"
NOT_COMPUTABLE = "not computable from these data"
PAGE_VERDICTS = (EQUAL, DIFFERS, SIMULATED, NOT_PRINTED, NOT_COMPUTABLE)
"""Every verdict a recomputed number gets on the patient-level pages."""

MET = "met"
APPROXIMATE = "approximate"
NOT_MET = "not met"
NOT_REPRESENTED = "not represented"
FIT_STATUSES = (MET, APPROXIMATE, NOT_MET, NOT_REPRESENTED, NOT_COMPUTABLE)
"""How a cohort meets a printed number: at the printed precision, within a tolerance, not at all, not at
all computable because the schema holds no column for it, or not computable from these data (too few
values, no event, a withheld small group; the note says which)."""

SIGNIFICANT = "significant"
NOT_SIGNIFICANT = "not significant"
UNDETERMINED = "undetermined"
"""What a printed p-value says at a significance level: below it, at or above it, or either (a printed
p whose rounding interval contains the level, such as "0.05")."""

INTERNAL_MARK = "Internal: not for publication"
"""The words every page of a row-level (internal) build of real data carries."""

SECTION_ORDER = ("abstract", "introduction", "methods", "table1", "results", "table2", "figure2", "discussion")
"""The paper's sections that print numbers, in reading order."""


# --------------------------------------------------------------------------------------------------------
# Categories the paper reports
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bin:
    """A printed category of a measured variable and the closed interval of values that can fall in it.

    Which bin an edge value belongs to is decided by ``label``: "<30" holds values below 30, ">50" values
    above 50, and "30-50" both of its ends (:func:`crs_compendium.patients.derived.blast_category`).
    """

    label: str
    low: float
    high: float


BLAST_BINS = (Bin("<30", 0, 30), Bin("30-50", 30, 50), Bin(">50", 50, 100))
"""Table 2's bone-marrow blast categories (% blasts), lowest first."""

CRS_GRADE_CATEGORIES = ("0", "1", "2", "3-5")
"""Table 2's CRS grade categories: grades 3, 4 and 5 share a row."""

RESPONSE_ORDER = ("MRD-CR", "MRD+CR", "PR", "NR")
"""Day-28 responses from best to worst (schema column ``response_d28``)."""

INFECTION_ORDER = ("serious infection", "no serious infection")
"""Figure 2C's two outcomes."""

CHANGE_ORDER = ("fell", "rose")
"""Direction of a cytokine after tocilizumab (Figure 3)."""

STEROID_ORDER = ("Corticosteroid", "No corticosteroid")
"""Exposure groups of Supplementary Figure S3."""

PROVENANCE_LEVELS = ("exact", "constrained", "simulated", "invented")
"""How a column of a synthetic folder came about (``provenance.csv``): set by printed numbers ("exact",
"constrained": the first two), or drawn ("simulated" from a printed distribution, "invented")."""

# --------------------------------------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------------------------------------
PALETTE = ("#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC", "#CA9161", "#FBAFE4", "#949494", "#ECE133",
           "#56B4E9")
"""seaborn's colour-blind-safe palette ("colorblind", Okabe-Ito-like) as hex; every figure colour comes from
it (a test compares it with seaborn's)."""

GROUP_COLOURS = {"Toci": PALETTE[0], "Non-toci": PALETTE[1]}
RESPONSE_COLOURS = {"MRD-CR": PALETTE[2], "MRD+CR": PALETTE[9], "PR": PALETTE[4], "NR": PALETTE[7]}
INFECTION_COLOURS = {"serious infection": PALETTE[3], "no serious infection": PALETTE[7]}
CHANGE_COLOURS = {"fell": PALETTE[2], "rose": PALETTE[3]}
STEROID_COLOURS = {"Corticosteroid": PALETTE[4], "No corticosteroid": PALETTE[7]}
CRS_GRADE_COLOURS = ("#f2f2f2", PALETTE[9], PALETTE[0], PALETTE[3], PALETTE[4], PALETTE[7])
"""CRS grade 0 (no CRS, near white) to grade 5, for every grade heat map."""

VERDICT_COLOURS = {CONSISTENT: "#0072B2", INCONSISTENT: "#D55E00", NOT_CHECKABLE: "#555555"}
"""Text colours of the audit's verdict words (Okabe-Ito blue and vermillion, and a grey dark enough to read
on white); the word is always written too, so colour is never the only carrier."""
