"""What every patient-level page shows first: which data it runs on, in a banner the reader cannot miss;
and how a page shows a table with one row per patient, which real data never publish.

The banner is a MyST admonition printed by a cell (the book parses markdown outputs as MyST), with the
class ``data-level-banner`` that the browser test looks for on every page that loads patient data.
"""
from __future__ import annotations

import re

import pandas as pd
from IPython.display import Markdown

from ..computable import NotComputable
from ..patients.disclosure import INTERNAL_ENV, MIN_PATIENTS
from ..patients.load import Cohort, data_label, shown_path
from ..vocab import INTERNAL_MARK

__all__ = ["BANNER_CLASS", "banner_text", "data_level_banner", "patient_rows"]

BANNER_CLASS = "data-level-banner"


def banner_text(cohort: Cohort) -> str:
    """The sentence every patient-level page shows first: synthetic reconstruction, or which real data
    (by their label, never a path) and what the page publishes of them."""
    if cohort.synthetic:
        seed = re.search(r"\bseed ([0-9]+)", cohort.marker)
        detail = f" (seed {seed.group(1)}, folder {shown_path(cohort.source)})" if seed else \
            f" (folder {shown_path(cohort.source)})"
        return (f"Synthetic reconstruction: the {len(cohort.patients)} patients on this page were generated from "
                f"the paper's published aggregates{detail}. They are not the study's patients: no individual "
                "data were published. Point COMPENDIUM_DATA (make book DATA=...) at the authors' data to "
                "replace them.")
    shown = (f"{INTERNAL_MARK}. This book was built with {INTERNAL_ENV}=1 and shows patients one by one "
             "(ids, rows, lines and dots per patient) for the data holder's own checking."
             if cohort.disclosure.internal else
             f"The page shows aggregates only: no patient id, no row, line or dot per patient, and no statistic "
             f"of a group (or a day) of fewer than {MIN_PATIENTS} patients.")
    return (f"Data loaded from {data_label(cohort.source)}: {len(cohort.patients)} patients, {len(cohort.daily)} "
            f"daily rows, validated against data/ipd_schema.md. This is not the shipped synthetic "
            f"reconstruction. {shown}")


def data_level_banner(cohort: Cohort) -> Markdown:
    """A warning banner for the synthetic reconstruction and for an internal view of real data, a note
    naming the data otherwise."""
    if cohort.synthetic:
        kind, title = "warning", "Synthetic reconstruction, not patient data"
    elif cohort.disclosure.internal:
        kind, title = "danger", f"{INTERNAL_MARK}: patient data shown row by row"
    else:
        kind, title = "note", "Patient data: aggregates only"
    # A titled generic admonition keeps the title; the class gives the warning/note colours.
    return Markdown(f":::{{admonition}} {title}\n:class: {kind} {BANNER_CLASS}\n{banner_text(cohort)}\n:::\n")


def patient_rows(table: pd.DataFrame | NotComputable, cohort: Cohort, what: str) -> pd.DataFrame | NotComputable:
    """A table with one row per patient as a page may show it: whole on the synthetic reconstruction (or
    an internal view), otherwise withheld with the reason (pages on real data show aggregates only). A
    table the data do not allow is passed on as it is."""
    if isinstance(table, NotComputable):
        return table
    withheld = cohort.disclosure.rows_withheld(what)
    return NotComputable(what, withheld) if withheld else table
