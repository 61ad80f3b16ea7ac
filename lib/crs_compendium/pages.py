"""What every patient-level page shows first: which data it runs on, in a banner the reader cannot miss.

The banner is a MyST admonition printed by a cell (the book parses markdown outputs as MyST), with the
class `data-level-banner` that the browser test looks for on every page that loads patient data.
"""
from IPython.display import Markdown

from .ipd import Cohort, banner_text

__all__ = ["BANNER_CLASS", "data_level_banner"]

BANNER_CLASS = "data-level-banner"


def data_level_banner(cohort: Cohort) -> Markdown:
    """A warning banner for the synthetic reconstruction, a note naming the folder for real data."""
    kind, title = ("warning", "Synthetic reconstruction, not patient data") if cohort.synthetic else (
        "note", "Patient data loaded from a data folder")
    # A titled generic admonition keeps the title; the class gives the warning/note colours.
    return Markdown(f":::{{admonition}} {title}\n:class: {kind} {BANNER_CLASS}\n{banner_text(cohort)}\n:::\n")
