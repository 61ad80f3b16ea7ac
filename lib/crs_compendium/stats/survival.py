"""Progression-free and overall survival by group: Kaplan-Meier, log-rank test and Cox hazard ratio.

Figure 4 of the paper compares PFS and OS between the tocilizumab and non-tocilizumab groups and prints
only the two log-rank p-values (Results, "Safety of tocilizumab in treating CRS"). A survival comparison
that a reader can judge needs more: the Kaplan-Meier curves with their confidence bands, the median
survival of each group with its confidence interval, the log-rank test and a hazard ratio with its
interval. :func:`compare_survival` computes all of them from one patient table and returns one result
object; :func:`crs_compendium.figures.plot_km` draws it. :func:`logrank` is the one log-rank test of the
compendium: the pages, the fit report and the synthetic generator's search all call it.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.exceptions import ConvergenceWarning
from lifelines.utils import median_survival_times
from statsmodels.duration.survfunc import survdiff

from ..computable import NotComputable
from ..exceptions import InvalidInputError
from ..formatting import p_text
from ..patients.derived import group_labels
from ..patients.disclosure import SHOW_ALL, Disclosure
from ..vocab import GROUP_ORDER, NOT_COMPUTABLE

__all__ = [
    "ENDPOINTS",
    "DAYS_PER_MONTH",
    "SurvivalComparison",
    "logrank",
    "logrank_or_reason",
    "compare_survival",
    "survival_table",
    "format_median",
]

ENDPOINTS = {
    "pfs": ("pfs_days", "pfs_event", "Progression-free survival"),
    "os": ("os_days", "os_event", "Overall survival"),
}
"""Endpoint key -> (time column in days, event column, name) in the patient schema."""

EVENT_NAMES = {"pfs": "progression or death", "os": "death"}
"""What an event of each endpoint is, for the reasons a test is not computable."""

DAYS_PER_MONTH = 365.25 / 12
"""Days in an average month: survival times are shown in months, as clinical papers usually do."""


def logrank(times, events, groups) -> tuple[float, float]:
    """Log-rank test of equal survival in two or more groups: (chi-squared statistic, p-value).

    Every event time is weighted equally (Mantel 1966), as SPSS, Prism and R's ``survdiff`` do;
    statsmodels' ``survdiff`` computes it (fast enough for the synthetic generator's search, which calls
    it thousands of times). Times in any unit: only their order matters.

    Examples
    --------
    R's ``survdiff(Surv(futime, fustat) ~ rx, data = ovarian)`` gives chi-squared 1.1, p = 0.3:

    >>> futime = [59, 115, 156, 421, 431, 448, 464, 475, 477, 563, 638, 744, 769, 770, 803, 855, 1040, 1106,
    ...           1129, 1206, 1227, 268, 329, 353, 365, 377]
    >>> fustat = [1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0]
    >>> rx = [1, 1, 1, 2, 1, 1, 2, 2, 1, 2, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 1, 1, 2, 2, 2]
    >>> statistic, p = logrank(futime, fustat, rx)
    >>> round(statistic, 2), round(p, 3)
    (1.06, 0.303)
    """
    statistic, p_value = survdiff(np.asarray(times, float), np.asarray(events, int), np.asarray(groups))
    return float(statistic), float(p_value)


def logrank_or_reason(times, events, groups, event_name: str = "event") -> tuple[float, float] | str:
    """:func:`logrank`, or why the data give no log-rank test: no event at all (every patient censored),
    one group only, or groups never at risk together at an event time (the test's variance is 0).

    Examples
    --------
    >>> logrank_or_reason([30, 60, 90, 120], [False] * 4, [1, 1, 0, 0], "progression or death")
    'no progression or death in either group: the log-rank test needs at least one'
    """
    events = np.asarray(events, bool)
    if not events.any():
        return f"no {event_name} in either group: the log-rank test needs at least one"
    if len(set(np.asarray(groups).tolist())) < 2:
        return "only one group has patients: the log-rank test compares two"
    try:
        return logrank(times, events, groups)
    except np.linalg.LinAlgError:
        return (f"the groups are never at risk together when an {event_name} occurs: the log-rank variance is 0")


def format_median(median: float, lower: float, upper: float, digits: int = 1) -> str:
    """A median survival with its 95% CI as clinicians write it; "NR" where a bound is not reached.

    Examples
    --------
    >>> format_median(23.0, 13.0, math.inf, digits=0)
    '23 (95% CI 13-NR)'
    """
    def shown(value: float) -> str:
        return "NR" if not math.isfinite(value) else f"{value:.{digits}f}"

    return f"{shown(median)} (95% CI {shown(lower)}-{shown(upper)})"


@dataclass(frozen=True, repr=False)
class SurvivalComparison:
    """Kaplan-Meier estimates, log-rank test and Cox hazard ratio of one endpoint, by group.

    Attributes
    ----------
    endpoint : str
        "pfs" or "os".
    name : str
        The endpoint in words ("Progression-free survival").
    fitters : dict
        Group -> fitted lifelines ``KaplanMeierFitter`` (times in months), in :data:`GROUP_ORDER`.
    medians : DataFrame
        One row per group: ``n``, ``events``, ``median_months``, ``lower_95``, ``upper_95`` (inf when the
        curve or its bound does not fall to 0.5: "not reached").
    logrank_statistic, logrank_p : float
        Log-rank chi-squared (1 df) and its p-value; NaN when the data give no test, and ``logrank_note``
        says why (no event at all, say).
    hazard_ratio, hazard_ratio_lower, hazard_ratio_upper, hazard_ratio_p : float
        Cox proportional-hazards ratio of the first group against the second in :data:`GROUP_ORDER`,
        its 95% Wald interval and Wald p; NaN when a group has no event (the ratio is then 0 or infinite).
    note : str
        Why the hazard ratio is missing, if it is.
    logrank_note : str
        Why the log-rank test is missing, if it is.
    """

    endpoint: str
    name: str
    fitters: dict = field(compare=False)
    medians: pd.DataFrame = field(compare=False)
    logrank_statistic: float
    logrank_p: float
    hazard_ratio: float
    hazard_ratio_lower: float
    hazard_ratio_upper: float
    hazard_ratio_p: float
    note: str = ""
    logrank_note: str = ""

    def hazard_ratio_text(self) -> str:
        """The hazard ratio as a line of a figure or table: "HR 1.23 (95% CI 0.55-2.74), p = 0.61"."""
        if math.isnan(self.hazard_ratio):
            return f"HR not estimable ({self.note})"
        return (f"HR {GROUP_ORDER[0]} vs {GROUP_ORDER[1]} {self.hazard_ratio:.2f} "
                f"(95% CI {self.hazard_ratio_lower:.2f}-{self.hazard_ratio_upper:.2f}), {p_text(self.hazard_ratio_p)}")

    def logrank_p_text(self) -> str:
        """The log-rank p for a sentence ("p = 0.350"), or why there is none."""
        if math.isnan(self.logrank_p):
            return f"{NOT_COMPUTABLE} ({self.logrank_note})"
        return p_text(self.logrank_p)

    def logrank_text(self) -> str:
        """The log-rank test as a line of a figure: "log-rank p = 0.350", or why there is none."""
        if math.isnan(self.logrank_p):
            return f"log-rank test {NOT_COMPUTABLE} ({self.logrank_note})"
        return f"log-rank {p_text(self.logrank_p)}"

    def frame(self) -> pd.DataFrame:
        """One row per group with the median and its CI as text, and the between-group tests repeated."""
        table = self.medians.copy()
        table.insert(0, "endpoint", self.name)
        table["median (95% CI), months"] = [
            format_median(row.median_months, row.lower_95, row.upper_95) for row in self.medians.itertuples()
        ]
        table["log-rank p"] = self.logrank_p
        table["hazard ratio (Toci vs Non-toci)"] = self.hazard_ratio
        table["HR lower 95%"] = self.hazard_ratio_lower
        table["HR upper 95%"] = self.hazard_ratio_upper
        table["HR p"] = self.hazard_ratio_p
        table["note"] = "; ".join(filter(None, (self.logrank_note and f"log-rank test: {self.logrank_note}",
                                               self.note and f"hazard ratio: {self.note}")))
        return table

    def __repr__(self) -> str:
        medians = "; ".join(
            f"{row.group} n = {row.n}, {row.events} events, median {format_median(row.median_months, row.lower_95, row.upper_95)} months"
            for row in self.medians.itertuples()
        )
        logrank_text = (self.logrank_text() if math.isnan(self.logrank_p) else
                        f"log-rank chi2 = {self.logrank_statistic:.3f}, {p_text(self.logrank_p)}")
        return f"{self.name}: {logrank_text}; {self.hazard_ratio_text()}\n  {medians}"


def _check_columns(patients: pd.DataFrame, time: str, event: str) -> None:
    missing = [name for name in (time, event, "tocilizumab") if name not in patients.columns]
    if missing:
        raise InvalidInputError(f"compare_survival: the patient table lacks column(s) {', '.join(missing)}")
    times = pd.to_numeric(patients[time], errors="coerce")
    if times.isna().any() or (times <= 0).any():
        raise InvalidInputError(f"compare_survival: {time} must be a positive number for every patient")


def _median_row(group: str, fitter: KaplanMeierFitter, events: pd.Series) -> dict:
    bounds = median_survival_times(fitter.confidence_interval_)
    return {
        "group": group,
        "n": int(len(events)),
        "events": int(events.sum()),
        "median_months": float(fitter.median_survival_time_),
        "lower_95": float(bounds.iloc[0, 0]),
        "upper_95": float(bounds.iloc[0, 1]),
    }


def compare_survival(patients: pd.DataFrame, endpoint: str = "pfs", *,
                     disclosure: Disclosure = SHOW_ALL) -> SurvivalComparison | NotComputable:
    """Kaplan-Meier curves, median survival, log-rank test and Cox hazard ratio of PFS or OS by group.

    Parameters
    ----------
    patients : DataFrame
        The patient table of the schema (``tocilizumab`` and the endpoint's time and event columns).
    endpoint : {"pfs", "os"}
        Which endpoint (:data:`ENDPOINTS`).
    disclosure : Disclosure, optional
        What may be shown; a group smaller than it allows is withheld. By default everything.

    Returns
    -------
    SurvivalComparison or NotComputable
        Not computable when a group has no patient (or fewer than ``disclosure`` allows). Without any event
        the curves stay flat and the log-rank test and hazard ratio are missing, each with its reason.

    Notes
    -----
    Times are converted from days to months (:data:`DAYS_PER_MONTH`). Kaplan-Meier confidence intervals
    are lifelines' exponential Greenwood (log(-log)) intervals; the median's interval is where those
    bounds cross 0.5 (Brookmeyer and Crowley). The log-rank test weights every event time equally (Mantel
    1966), as SPSS and Prism do. The Cox model has one covariate, tocilizumab (1) versus not (0), with
    Efron's handling of tied times, as R's ``coxph``.

    References
    ----------
    Brookmeyer R, Crowley J. A confidence interval for the median survival time. Biometrics
    1982;38:29-41. Mantel N. Evaluation of survival data and two new rank order statistics arising in its
    consideration. Cancer Chemother Rep 1966;50:163-170.

    Examples
    --------
    >>> patients = pd.DataFrame({"tocilizumab": [True] * 3 + [False] * 3,
    ...     "pfs_days": [30.0, 90, 200, 60, 120, 400], "pfs_event": [True, True, False, True, False, False]})
    >>> round(compare_survival(patients, "pfs").logrank_p, 3)
    0.485
    """
    if endpoint not in ENDPOINTS:
        raise InvalidInputError(f"endpoint must be one of {', '.join(ENDPOINTS)}; got {endpoint!r}")
    time, event, name = ENDPOINTS[endpoint]
    _check_columns(patients, time, event)
    groups = group_labels(patients)
    months = patients[time].astype(float) / DAYS_PER_MONTH
    events = patients[event].astype(bool)
    for group in GROUP_ORDER:
        size = int((groups == group).sum())
        if size == 0:
            return NotComputable(name, f"no patient in group {group}: survival is compared between two groups")
        withheld = disclosure.withheld(size, f"the survival curve of group {group}")
        if withheld:
            return NotComputable(name, withheld)

    fitters, rows = {}, []
    for group in GROUP_ORDER:
        members = np.asarray(groups == group)
        fitter = KaplanMeierFitter(label=group).fit(months[members], events[members])
        fitters[group] = fitter
        rows.append(_median_row(group, fitter, events[members]))
    first = np.asarray(groups == GROUP_ORDER[0])
    tested = logrank_or_reason(months, events, first.astype(int), EVENT_NAMES[endpoint])
    statistic, p_value, logrank_note = (math.nan, math.nan, tested) if isinstance(tested, str) else (*tested, "")

    hazard = dict(hazard_ratio=math.nan, hazard_ratio_lower=math.nan, hazard_ratio_upper=math.nan,
                  hazard_ratio_p=math.nan, note="")
    without_events = [row["group"] for row in rows if row["events"] == 0]
    if without_events:
        hazard["note"] = f"no event in group {', '.join(without_events)}"
    else:
        data = pd.DataFrame({"months": months, "event": events, "group": first.astype(int)})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            cox = CoxPHFitter().fit(data, duration_col="months", event_col="event")
        if any(issubclass(warning.category, ConvergenceWarning) for warning in caught):
            # Near separation (say, a group of one): the estimate runs off and its interval is 0 to infinity.
            hazard["note"] = "the Cox model does not converge on these data"
        else:
            summary = cox.summary.loc["group"]
            hazard.update(
                hazard_ratio=float(summary["exp(coef)"]),
                hazard_ratio_lower=float(summary["exp(coef) lower 95%"]),
                hazard_ratio_upper=float(summary["exp(coef) upper 95%"]),
                hazard_ratio_p=float(summary["p"]),
            )
    return SurvivalComparison(
        endpoint=endpoint,
        name=name,
        fitters=fitters,
        medians=pd.DataFrame(rows),
        logrank_statistic=statistic,
        logrank_p=p_value,
        logrank_note=logrank_note,
        **hazard,
    )


def survival_table(comparisons: Mapping[str, SurvivalComparison | NotComputable]) -> pd.DataFrame:
    """The medians, log-rank p and hazard ratio of several endpoints in one table
    (:meth:`SurvivalComparison.frame`); an endpoint the data do not allow is one row with its reason."""
    frames = [comparison.frame() if isinstance(comparison, SurvivalComparison) else
              pd.DataFrame({"endpoint": [ENDPOINTS[endpoint][2]], "note": [comparison.reason]})
              for endpoint, comparison in comparisons.items()]
    columns = list(dict.fromkeys(column for frame in frames for column in frame.columns))
    return pd.concat(frames, ignore_index=True)[columns]
