"""Two groups compared on a count table, computable or not: the association tests of
:func:`crs_compendium.printed.contingency.count_table_tests` on patient counts, with the reasons the data
may not allow them (an empty group, one category only, a group too small to show).

Figure 2A and 2C, Table 2's count rows and the fit report's count p-values all compare counts through
:func:`compare_counts`, so each says the same thing when the data are thin.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..computable import NotComputable
from ..patients.disclosure import SHOW_ALL, Disclosure
from ..printed.contingency import CountTableTests, count_table_tests
from ..stats.two_groups import MeasurementComparison

__all__ = ["compare_counts", "shown_counts", "comparison_summaries"]


def _category_name(counts: pd.DataFrame) -> str:
    return str(counts.columns.name or "the category")


def compare_counts(counts: pd.DataFrame, what: str, *, printed_p: str | None = None,
                   disclosure: Disclosure = SHOW_ALL) -> CountTableTests | NotComputable:
    """Every association test of a groups x categories count table, or why the data allow none.

    Parameters
    ----------
    counts : DataFrame
        Groups as rows, categories as columns (``stats.two_groups.counts_by_group``), patient counts.
    what : str
        The comparison in words, for the reason ("Response at day 28 by group").
    printed_p : str, optional
        The printed p, to say which tests reproduce it.
    disclosure : Disclosure, optional
        What may be shown; a group smaller than it allows is withheld.

    Returns
    -------
    CountTableTests or NotComputable
        Not computable when a group has no patient, fewer than ``disclosure`` allows, or every patient is in
        one category (there is then no association to test, and no p-value is honest).

    Examples
    --------
    >>> counts = pd.DataFrame({"yes": [0, 0], "no": [3, 5]}, index=["Toci", "Non-toci"]).rename_axis(columns="ICANS")
    >>> compare_counts(counts, "ICANS by group")
    ICANS by group: not computable from these data (every patient is in category 'no' of ICANS: there is no association to test)
    """
    sizes = counts.sum(axis=1)
    for group, size in sizes.items():
        if size == 0:
            return NotComputable(what, f"no patient in group {group}")
        withheld = disclosure.withheld(int(size), f"a test with group {group}")
        if withheld:
            return NotComputable(what, withheld)
    observed = [category for category, total in counts.sum(axis=0).items() if total > 0]
    if len(observed) < 2:
        return NotComputable(what, f"every patient is in category {observed[0]!r} of {_category_name(counts)}: "
                                   "there is no association to test")
    return count_table_tests(counts.to_numpy(), printed_p)


def shown_counts(counts: pd.DataFrame, disclosure: Disclosure) -> pd.DataFrame:
    """A groups x categories count table as a page may show it: a group with fewer patients than
    ``disclosure`` allows has every cell replaced by "withheld (fewer than 5 patients)" (on synthetic data
    nothing changes)."""
    small = [group for group, size in counts.sum(axis=1).items() if disclosure.withheld(int(size), "")]
    if not small:
        return counts
    shown = counts.astype(object)
    shown.loc[small] = f"withheld (fewer than {disclosure.min_patients} patients)"
    return shown


def comparison_summaries(comparisons: Mapping[str, MeasurementComparison | NotComputable], level: str) -> pd.DataFrame:
    """The per-group summaries of several comparisons in one table (``level``, group) for the results
    export, with a ``note``: why a comparison has no test, or, for one not computable, why it has no summary
    (one row with the reason)."""
    frames = {}
    for label, comparison in comparisons.items():
        if isinstance(comparison, NotComputable):
            frames[label] = pd.DataFrame({"note": [comparison.reason]}, index=pd.Index([""], name="group"))
        else:
            frames[label] = comparison.summary.assign(
                note=f"tests: {comparison.tests_note}" if comparison.tests_note else "")
    return pd.concat(frames, names=[level])
