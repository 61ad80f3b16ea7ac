"""What a page may publish about the patients of a data folder.

The synthetic reconstruction holds no one's data: its pages show everything, patient by patient. Any other
folder is taken to be real patients, and a book built on it shows aggregates only, so that it can be
published as it is (data/ipd_schema.md, "What a book on real data publishes"):

* no patient id, no table with a row per patient, no figure with a line, dot, row or label per patient,
  and no per-patient export under the build's results;
* no statistic that rests on fewer than :data:`MIN_PATIENTS` patients: a count or percentage of a group
  that small, a median, quartile or range over fewer values, a test or survival curve with a group that
  small, one named case's values. Such a number is shown as *not computable from these data* with the
  reason "withheld: ...".

A data holder who wants the row-level view for their own checking sets ``COMPENDIUM_INTERNAL=1`` (``make book
DATA=... INTERNAL=1``); every page of that book then carries "Internal: not for publication".
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..vocab import INTERNAL_MARK

__all__ = ["MIN_PATIENTS", "INTERNAL_ENV", "INTERNAL_MARK", "Disclosure", "SHOW_ALL", "disclosure_for",
           "internal_requested"]

MIN_PATIENTS = 5
"""The fewest patients a statistic published from real data may rest on (the small-cell rule of many
disclosure-control guidelines, which suppress counts and summaries of fewer than 5 people)."""

INTERNAL_ENV = "COMPENDIUM_INTERNAL"
"""Set to 1 to build the row-level view of real data for the data holder's own checking (never to publish)."""

def internal_requested() -> bool:
    """Whether the row-level view of real data was asked for (``COMPENDIUM_INTERNAL=1``)."""
    return os.environ.get(INTERNAL_ENV, "").strip() == "1"


@dataclass(frozen=True)
class Disclosure:
    """What the pages of one data folder may show.

    ``row_level``: patient ids, per-patient tables, figures and exports may be shown (synthetic data, or
    real data built as internal). ``min_patients``: the fewest patients a shown statistic may rest on.
    ``internal``: real data shown row by row, so every page says it is not for publication.
    """

    row_level: bool
    min_patients: int
    internal: bool = False

    def withheld(self, n: int, what: str) -> str | None:
        """Why a statistic resting on ``n`` patients may not be shown, or None when it may.

        Examples
        --------
        >>> Disclosure(row_level=False, min_patients=5).withheld(3, "the median of group Toci")
        'withheld: the median of group Toci would rest on 3 patients, fewer than 5 (privacy rule for real data)'
        >>> Disclosure(row_level=True, min_patients=1).withheld(3, "the median") is None
        True
        """
        if n >= self.min_patients:
            return None
        patients = "patient" if n == 1 else "patients"
        return (f"withheld: {what} would rest on {n} {patients}, fewer than {self.min_patients} "
                "(privacy rule for real data)")

    def about_one_patient(self, what: str) -> str | None:
        """Why a claim about one named patient may not be shown, or None when it may."""
        if self.row_level:
            return None
        return f"withheld: {what} is about one patient, and pages on real data show aggregates only"

    def rows_withheld(self, what: str) -> str | None:
        """Why a table or figure with one row, line or dot per patient may not be shown, or None."""
        if self.row_level:
            return None
        return f"withheld: {what} has one row per patient, and pages on real data show aggregates only"


SHOW_ALL = Disclosure(row_level=True, min_patients=0)
"""Everything may be shown: the synthetic reconstruction's disclosure, and the default of every statistic
and figure called without one."""


def disclosure_for(synthetic: bool) -> Disclosure:
    """The disclosure of a folder: everything for the synthetic reconstruction; for real data aggregates
    over at least :data:`MIN_PATIENTS` patients, or everything when the internal view is requested."""
    if synthetic:
        return SHOW_ALL
    if internal_requested():
        return Disclosure(row_level=True, min_patients=0, internal=True)
    return Disclosure(row_level=False, min_patients=MIN_PATIENTS)
