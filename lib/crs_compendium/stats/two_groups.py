"""Two groups compared: a measurement by every test the paper's methods name, and counts per category.

The methods say "t tests or Mann-Whitney tests" without saying which, so a measurement is compared by all
of :data:`CONTINUOUS_TESTS`, and a printed p counts as reproduced when any of them gives it.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from ..exceptions import InvalidInputError
from ..formatting import p_text
from ..numbers import reproduces_p
from ..vocab import GROUP_ORDER

__all__ = ["CONTINUOUS_TESTS", "MeasurementComparison", "compare_measurement", "counts_by_group"]


# Each test takes two samples (or two stacks of samples, one per row, as the synthetic generator's search
# passes them) and returns the p-value(s).
def _mann_whitney(x, y, axis: int = -1):
    # Normal approximation with tie correction and no continuity correction, SPSS's "Asymp. Sig.".
    return stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=False,
                              axis=axis).pvalue


def _student_t(x, y, axis: int = -1):
    return stats.ttest_ind(x, y, axis=axis).pvalue


def _welch_t(x, y, axis: int = -1):
    return stats.ttest_ind(x, y, equal_var=False, axis=axis).pvalue


CONTINUOUS_TESTS: dict[str, Callable] = {"Mann-Whitney U": _mann_whitney, "Welch t": _welch_t,
                                         "Student t": _student_t}
"""Two-group tests of a measurement the methods name ("t tests or Mann-Whitney tests"); a printed p is
reproduced when any of them gives it at the printed precision."""


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
    ``p_values`` maps each test of :data:`CONTINUOUS_TESTS` to its p.
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
    SciPy's ``mannwhitneyu`` example (Conover 1999: ages of 5 males and 4 females), here through the
    compendium's tests; SciPy's documentation gives 0.0864 for the normal approximation without continuity
    correction:

    >>> data = pd.DataFrame({"group": ["Toci"] * 5 + ["Non-toci"] * 4,
    ...                      "age": [19, 22, 16, 29, 24, 20, 11, 17, 12]})
    >>> comparison = compare_measurement(data, "age")
    >>> round(comparison.p_values["Mann-Whitney U"], 4), round(comparison.p_values["Student t"], 4)
    (0.0864, 0.0601)
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
