"""What every patient-level page shows first: which data it runs on, in a banner the reader cannot miss.

The banner is a MyST admonition printed by a cell (the book parses markdown outputs as MyST), with the
class ``data-level-banner`` that the browser test looks for on every page that loads patient data.
"""
from __future__ import annotations

import re

from IPython.display import Markdown

from ..patients.load import Cohort, shown_path

__all__ = ["BANNER_CLASS", "banner_text", "data_level_banner"]

BANNER_CLASS = "data-level-banner"


def banner_text(cohort: Cohort) -> str:
    """The sentence every patient-level page shows first: synthetic reconstruction, or where real data came from."""
    if cohort.synthetic:
        seed = re.search(r"\bseed ([0-9]+)", cohort.marker)
        detail = f" (seed {seed.group(1)}, folder {shown_path(cohort.source)})" if seed else \
            f" (folder {shown_path(cohort.source)})"
        return (f"Synthetic reconstruction: the {len(cohort.patients)} patients on this page were generated from "
                f"the paper's published aggregates{detail}. They are not the study's patients: no individual "
                "data were published. Point COMPENDIUM_DATA (make book DATA=...) at the authors' data to "
                "replace them.")
    return (f"Data loaded from {shown_path(cohort.source)}: {len(cohort.patients)} patients, {len(cohort.daily)} "
            "daily rows, validated against data/ipd_schema.md. This is not the shipped synthetic reconstruction.")


def data_level_banner(cohort: Cohort) -> Markdown:
    """A warning banner for the synthetic reconstruction, a note naming the folder for real data."""
    kind, title = ("warning", "Synthetic reconstruction, not patient data") if cohort.synthetic else (
        "note", "Patient data loaded from a data folder")
    # A titled generic admonition keeps the title; the class gives the warning/note colours.
    return Markdown(f":::{{admonition}} {title}\n:class: {kind} {BANNER_CLASS}\n{banner_text(cohort)}\n:::\n")
