"""Two groups compared: a measurement by every test the paper's methods name, and counts per category.

The methods say "t tests or Mann-Whitney tests" without saying which, so a measurement is compared by all
of :data:`CONTINUOUS_TESTS`, and a printed p counts as reproduced when any of them gives it.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from ..computable import NotComputable
from ..exceptions import InvalidInputError
from ..formatting import p_text
from ..numbers import reproduces_p
from ..patients.disclosure import SHOW_ALL, Disclosure
from ..vocab import GROUP_ORDER, NOT_COMPUTABLE

__all__ = ["CONTINUOUS_TESTS", "measurement_tests", "MeasurementComparison", "compare_measurement", "counts_by_group"]


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


def _group_list(groups: Sequence[str]) -> str:
    return " and ".join(groups)


def _unusable_group(samples: Mapping[str, pd.Series], value: str, disclosure: Disclosure, needs: str,
                    withheld_what: str) -> str | None:
    """Why two groups' values cannot be compared, or None: a group with fewer than 2 values (``needs`` says
    what for), or one the privacy rule withholds (``withheld_what`` followed by the group names what)."""
    for group, sample in samples.items():
        if len(sample) < 2:
            return f"group {group} has {len(sample)} value(s) of {value}; {needs}"
        withheld = disclosure.withheld(len(sample), f"{withheld_what} {group}")
        if withheld:
            return withheld
    return None


def measurement_tests(samples: Mapping[str, pd.Series], value: str, *,
                      disclosure: Disclosure = SHOW_ALL) -> dict[str, float] | NotComputable:
    """The p of every test of :data:`CONTINUOUS_TESTS` comparing two samples of a measurement, or why not.

    Missing values are left out. Not computable: a group with fewer than 2 values, or every value the same
    in both groups (no test can tell them apart); with ``disclosure``, a group with fewer values than it
    allows (withheld). A test whose p is undefined for the data (a t test of two groups without any spread)
    is left out of the result.

    Examples
    --------
    >>> measurement_tests({"Toci": pd.Series([0.0, 0.0]), "Non-toci": pd.Series([0.0, 0.0, 0.0])}, "gcsf_total_ug")
    tests of gcsf_total_ug between Toci and Non-toci: not computable from these data (every value of gcsf_total_ug is 0 in both groups: no test can tell them apart)
    """
    if len(samples) != 2:
        raise InvalidInputError(f"measurement_tests compares two groups; got {list(samples)}")
    what = f"tests of {value} between {_group_list(list(samples))}"
    values = {group: pd.to_numeric(sample, errors="coerce").astype(float).dropna() for group, sample in samples.items()}
    unusable = _unusable_group(values, value, disclosure, "a test needs at least 2 per group", "a test with group")
    if unusable:
        return NotComputable(what, unusable)
    pooled = pd.concat(list(values.values()))
    if pooled.nunique() == 1:
        return NotComputable(what, f"every value of {value} is {pooled.iloc[0]:g} in both groups: no test can tell "
                                   "them apart")
    with warnings.catch_warnings():
        # Groups without spread make the t statistic undefined; SciPy warns and returns NaN, left out below.
        warnings.simplefilter("ignore", RuntimeWarning)
        p_values = {test: float(function(*values.values())) for test, function in CONTINUOUS_TESTS.items()}
    return {test: p for test, p in p_values.items() if math.isfinite(p)}


@dataclass(frozen=True, repr=False)
class MeasurementComparison:
    """A measurement compared between the groups: per-group summary, the tests the methods name, and
    whether a printed p (or significance mark such as "<0.05") is reproduced.

    ``summary`` has one row per group: ``n``, ``median``, ``q1``, ``q3``, ``min``, ``max``.
    ``p_values`` maps each test of :data:`CONTINUOUS_TESTS` to its p; empty when no test is computable,
    and ``tests_note`` then says why.
    """

    name: str
    summary: pd.DataFrame
    p_values: dict
    printed_p: str | None = None
    tests_note: str = ""

    @property
    def reproducing(self) -> tuple[str, ...]:
        """Tests whose p reproduces the printed p at its precision (or satisfies a printed bound)."""
        if self.printed_p is None:
            return ()
        return tuple(test for test, p in self.p_values.items() if not math.isnan(p) and reproduces_p(p, self.printed_p))

    def __repr__(self) -> str:
        groups = "; ".join(f"{row.Index} n = {row.n}, median {row.median:g} (IQR {row.q1:g}-{row.q3:g}, "
                           f"range {row.min:g}-{row.max:g})" for row in self.summary.itertuples())
        tests = (", ".join(f"{test} {p_text(p)}" for test, p in self.p_values.items()) if self.p_values
                 else f"tests: {NOT_COMPUTABLE} ({self.tests_note})")
        printed = ""
        if self.printed_p is not None:
            printed = (f"\n  printed p {self.printed_p}: reproduced by {', '.join(self.reproducing)}" if self.reproducing
                       else f"\n  printed p {self.printed_p}: reproduced by no test")
        return f"{self.name}: {groups}\n  {tests}{printed}"


def compare_measurement(data: pd.DataFrame, value: str, *, group: str = "group", order: Sequence[str] = GROUP_ORDER,
                        printed_p: str | None = None, name: str | None = None,
                        disclosure: Disclosure = SHOW_ALL) -> MeasurementComparison | NotComputable:
    """Compare a measurement between two groups by every test the methods name.

    Parameters
    ----------
    data : DataFrame
        One row per patient with the ``group`` column and the ``value`` column (missing values are left out).
    order : sequence of two str
        The two groups, in the order of the summary (default :data:`GROUP_ORDER`).
    printed_p : str, optional
        The printed p ("0.227") or significance mark ("<0.05", ">0.05").
    disclosure : Disclosure, optional
        What may be shown (:attr:`crs_compendium.patients.load.Cohort.disclosure`); by default everything.

    Returns
    -------
    MeasurementComparison or NotComputable
        Not computable when a group has fewer than 2 values, or fewer than ``disclosure`` allows to show
        (the reason names the column, the group and the count). When every value is the same, the summary
        is kept and ``tests_note`` says why there is no test.

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
    name = name or value
    values = pd.to_numeric(data[value], errors="coerce").astype(float)
    samples = {name_: values[data[group] == name_].dropna() for name_ in order}
    if not any(len(sample) for sample in samples.values()):
        return NotComputable(name, f"no value of {value} in either group")
    unusable = _unusable_group(samples, value, disclosure, "comparing the groups needs at least 2 in each",
                               "the summary of group")
    if unusable:
        return NotComputable(name, unusable)
    summary = pd.DataFrame({
        name_: {"n": len(sample), "median": sample.median(), "q1": sample.quantile(0.25),
                "q3": sample.quantile(0.75), "min": sample.min(), "max": sample.max()}
        for name_, sample in samples.items()
    }).T
    summary["n"] = summary["n"].astype(int)
    summary.index.name = "group"
    tests = measurement_tests(samples, value, disclosure=disclosure)
    if isinstance(tests, NotComputable):
        return MeasurementComparison(name=name, summary=summary, p_values={}, printed_p=printed_p,
                                     tests_note=tests.reason)
    return MeasurementComparison(name=name, summary=summary, p_values=tests, printed_p=printed_p)
