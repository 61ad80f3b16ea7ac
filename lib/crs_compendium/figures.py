"""Every figure of the compendium: the patient flow, the group comparisons, the Kaplan-Meier plots, the
kinetics, the daily CRS grades, the audit's verdicts. All matplotlib lives here.

Colours, group order and category order come from :mod:`crs_compendium.vocab` (one colour-blind-safe
palette), so a group, a grade or a verdict has the same colour on every page. Helpers follow lifelines'
convention: they take ``ax=None`` (a new figure when None) and return the axes they drew on, so a
notebook can place them in any layout.
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from lifelines.plotting import add_at_risk_counts
from matplotlib.colors import ListedColormap, to_rgb
from matplotlib.patches import FancyBboxPatch

from .computable import NotComputable
from .exceptions import InvalidInputError
from .formatting import p_text
from .patients.derived import group_labels
from .patients.disclosure import SHOW_ALL, Disclosure
from .vocab import (AUDIT_VERDICTS, CHANGE_COLOURS, CHANGE_ORDER, CRS_GRADE_COLOURS, GROUP_COLOURS, GROUP_ORDER,
                    NOT_COMPUTABLE, PALETTE, SECTION_ORDER, VERDICT_COLOURS)

if TYPE_CHECKING:
    from .printed.contingency import CountTableTests
    from .stats.survival import SurvivalComparison
    from .stats.two_groups import MeasurementComparison

__all__ = [
    "figure_title",
    "say_why",
    "comparison_label",
    "plot_group_values",
    "annotate_comparison",
    "plot_stacked_shares",
    "plot_km",
    "plot_aligned_kinetics",
    "plot_time_course",
    "plot_grade_grid",
    "plot_grade_shares",
    "plot_daily_grades",
    "draw_flow",
    "plot_audit_verdicts",
]


def figure_title(text: str, data_label: str) -> str:
    """A figure title that names the data level: "Overall survival (synthetic reconstruction)"."""
    return f"{text} ({data_label})"


def _axes(ax: plt.Axes | None, figsize: tuple[float, float] = (5.0, 4.0)) -> plt.Axes:
    return plt.subplots(figsize=figsize)[1] if ax is None else ax


_WRAP = 52


def say_why(ax: plt.Axes | None, reason: str, *, title: str | None = None) -> plt.Axes:
    """An axes with nothing to draw says why in its middle instead (no empty frame, no bare axis).

    Every plot helper below ends here when the data give it nothing to draw, so a figure is never empty.
    """
    ax = _axes(ax)
    ax.set_axis_off()
    ax.text(0.5, 0.5, textwrap.fill(reason, _WRAP), transform=ax.transAxes, ha="center", va="center", fontsize=9,
            bbox={"boxstyle": "round", "facecolor": "#f2f2f2", "edgecolor": "0.7"})
    if title:
        ax.set_title(title)
    return ax


def comparison_label(comparison: MeasurementComparison | CountTableTests | NotComputable,
                     test: str = "Mann-Whitney U", name: str | None = None) -> str:
    """One test of a comparison as a figure label, "Mann-Whitney p = 0.227" (``name`` replaces the test's
    key in the label), or why the data give no such test."""
    shown = name or test.removesuffix(" U")
    if isinstance(comparison, NotComputable):
        return _why_not(shown, comparison.reason)
    p = comparison.p_values.get(test, math.nan)
    if math.isnan(p):
        return _why_not(shown, getattr(comparison, "tests_note", "") or "the test is undefined for these values")
    return f"{shown} {p_text(p)}"


def _why_not(shown: str, reason: str) -> str:
    """A test the data do not allow, for a figure: the reason, or only that it is withheld (the page's text
    gives the whole reason)."""
    if reason.startswith("withheld"):
        return f"{shown}: withheld (privacy rule for real data)"
    return textwrap.fill(f"{shown}: {NOT_COMPUTABLE} ({reason})", _WRAP)


def _shown_groups(data: pd.DataFrame, group: str, value: str, order: Sequence[str],
                  disclosure: Disclosure) -> tuple[list[str], list[str]]:
    """The groups with values to draw, and why each other group is not drawn."""
    shown, notes = [], []
    for name in order:
        n = int(data.loc[data[group] == name, value].notna().sum())
        if n == 0:
            notes.append(f"{name}: no value")
        elif disclosure.withheld(n, f"group {name}"):
            notes.append(f"{name}: withheld, n < {disclosure.min_patients}")
        else:
            shown.append(name)
    return shown, notes


def plot_group_values(data: pd.DataFrame, value: str, *, group: str = "group", order: Sequence[str] = GROUP_ORDER,
                      colours: Mapping[str, tuple] = GROUP_COLOURS, ylabel: str | None = None, log: bool = False,
                      disclosure: Disclosure = SHOW_ALL, ax: plt.Axes | None = None) -> plt.Axes:
    """Box plot with every patient as a dot, one box per group: the small-sample view of a measurement.

    Parameters
    ----------
    data : DataFrame
        One row per patient with a ``group`` column (categories of ``order``) and the ``value`` column;
        missing values are left out.
    value : str
        Column to plot.
    ylabel : str, optional
        Axis label with its unit; defaults to the column name.
    log : bool
        A logarithmic value axis.
    disclosure : Disclosure, optional
        What may be shown: without row-level disclosure (real data) the boxes are drawn without the dots
        and outliers of single patients, and a group smaller than it allows is left out with the reason.

    A group without a value (or withheld) keeps its place on the axis with the reason under its name; with
    no group to draw the axes say why instead.
    """
    for column in (group, value):
        if column not in data.columns:
            raise InvalidInputError(f"plot_group_values: no column {column!r}")
    shown, notes = _shown_groups(data, group, value, order, disclosure)
    if not shown:
        return say_why(ax, f"{value}: nothing to draw ({'; '.join(notes)})")
    ax = _axes(ax)
    measured = data[data[group].isin(shown)].dropna(subset=[value])
    palette = {name: colours[name] for name in order}
    row_level = disclosure.row_level
    sns.boxplot(data=measured, x=group, y=value, hue=group, order=list(order), hue_order=list(order),
                palette=palette, width=0.5, fliersize=0, boxprops={"alpha": 0.35 if row_level else 0.6},
                whis=1.5 if row_level else (0, 100), legend=False, ax=ax)
    if row_level:
        sns.stripplot(data=measured, x=group, y=value, hue=group, order=list(order), hue_order=list(order),
                      palette=palette, size=5, jitter=0.15, edgecolor="black", linewidth=0.5, legend=False, ax=ax)
    counts = measured[group].value_counts()
    why = dict(note.split(": ", 1) for note in notes)
    labels = [f"{name}\n({why[name]})" if name in why else f"{name}\n(n = {int(counts.get(name, 0))})"
              for name in order]
    ax.set_xticks(range(len(order)), labels)
    ax.set_xlabel("")
    ax.set_ylabel(ylabel or value)
    if log:
        ax.set_yscale("log")
    return ax


def annotate_comparison(ax: plt.Axes, text: str, *, x1: float = 0, x2: float = 1, height: float | None = None) -> plt.Axes:
    """A bracket between two boxes with the test result written above it ("Mann-Whitney p = 0.227").

    The bracket sits just above ``height`` (default: the top of the axis) and the axis grows to hold it; on
    a log axis the spacing is computed in log units, so it looks the same.
    """
    if not ax.axison:  # the axes say why there is nothing to compare
        return ax
    if ax.get_yscale() == "log":
        forward, inverse = np.log10, lambda value: 10 ** value
    else:
        forward, inverse = (lambda value: value), (lambda value: value)
    low, high = (forward(limit) for limit in ax.get_ylim())
    span = high - low
    bracket = (high if height is None else forward(height)) + 0.03 * span
    room = 0.14 + 0.07 * text.count("\n")  # a reason may take several lines
    levels = inverse(np.array([bracket, bracket + 0.02 * span, bracket + 0.03 * span, bracket + room * span]))
    ax.plot([x1, x1, x2, x2], [levels[0], levels[1], levels[1], levels[0]], color="black", linewidth=1)
    ax.text((x1 + x2) / 2, levels[2], text, ha="center", va="bottom", fontsize=9)
    ax.set_ylim(inverse(low), levels[3])
    return ax


def plot_stacked_shares(counts: pd.DataFrame, colours: Mapping[str, tuple], *, ylabel: str = "Patients (%)",
                        legend_title: str | None = None, disclosure: Disclosure = SHOW_ALL,
                        ax: plt.Axes | None = None) -> plt.Axes:
    """Stacked bars of percentages, one bar per group (rows of ``counts``), each segment labelled "n".

    Parameters
    ----------
    counts : DataFrame
        Rows are groups (in plotting order), columns are categories (in stacking order, bottom first),
        cells are patient counts.
    colours : mapping
        Category -> colour; every column of ``counts`` needs one.
    legend_title : str, optional
        Title of the legend of categories.
    disclosure : Disclosure, optional
        What may be shown: a group smaller than it allows gets no bar, and its place says why.

    A group without patients gets no bar either; with no bar to draw the axes say why instead.
    """
    missing = [column for column in counts.columns if column not in colours]
    if missing:
        raise InvalidInputError(f"plot_stacked_shares: no colour for {missing}")
    totals = counts.sum(axis=1)
    reasons = {name: "no patient" if total == 0 else
               (f"withheld, n < {disclosure.min_patients}" if disclosure.withheld(int(total), "")
                else None)
               for name, total in totals.items()}
    if all(reasons.values()):
        return say_why(ax, "nothing to draw: " + "; ".join(f"{name}: {reason}" for name, reason in reasons.items()))
    shares = counts.div(totals.where(totals > 0), axis=0).fillna(0) * 100
    ax = _axes(ax)
    bottom = np.zeros(len(counts))
    positions = np.arange(len(counts))
    drawn = np.array([not reasons[name] for name in counts.index])
    for category in counts.columns:
        heights = np.where(drawn, shares[category].to_numpy(dtype=float), 0.0)
        ax.bar(positions, heights, bottom=bottom, width=0.6, color=colours[category], label=str(category),
               edgecolor="white")
        for x, base, height, n, show in zip(positions, bottom, heights, counts[category], drawn):
            if show and n > 0:
                ax.text(x, base + height / 2, str(int(n)), ha="center", va="center", fontsize=8)
        bottom += heights
    labels = [f"{name}\n(n = {int(total)})" if not reasons[name] else f"{name}\n({reasons[name]})"
              for name, total in totals.items()]
    ax.set_xticks(positions, labels)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 100)
    ax.legend(title=legend_title, bbox_to_anchor=(1.02, 1), loc="upper left", frameon=False)
    return ax


def plot_km(comparison: SurvivalComparison | NotComputable, *, ax: plt.Axes | None = None, title: str | None = None,
            tick_step_months: float = 6.0) -> plt.Axes:
    """Kaplan-Meier curves by group with the clinical conventions of a survival figure.

    Draws, for each group of :data:`GROUP_ORDER`: the step curve, its 95% confidence band, a tick at every
    censored time, the number at risk under the axis (lifelines' ``add_at_risk_counts``, KMunicate), and a
    box with the medians (95% CI), the log-rank p and the Cox hazard ratio.

    Parameters
    ----------
    comparison : crs_compendium.stats.survival.SurvivalComparison or NotComputable
        As returned by :func:`crs_compendium.stats.survival.compare_survival`; when not computable the axes
        say why.
    tick_step_months : float
        Spacing of the time ticks, which are also the times of the at-risk counts.

    References
    ----------
    Morris TP, Jarvis CI, Cragg W, et al. Proposals on Kaplan-Meier plots in medical research and a survey
    of stakeholder views: KMunicate. BMJ Open 2019;9:e030215.
    """
    if isinstance(comparison, NotComputable):
        return say_why(ax, str(comparison), title=title)
    ax = _axes(ax, figsize=(6.5, 5.0))
    fitters = [comparison.fitters[group] for group in GROUP_ORDER]
    for group, fitter in zip(GROUP_ORDER, fitters):
        fitter.plot_survival_function(ax=ax, ci_show=True, ci_alpha=0.15, show_censors=True,
                                      censor_styles={"marker": "|", "ms": 9, "mew": 1.5},
                                      color=GROUP_COLOURS[group], label=group)
    longest = max(float(fitter.timeline.max()) for fitter in fitters)
    ticks = np.arange(0, math.ceil(longest / tick_step_months) * tick_step_months + tick_step_months / 2,
                      tick_step_months)
    ax.set_xlim(0, ticks[-1])
    ax.set_xticks(ticks)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("Time since CAR-T infusion (months)")
    ax.set_ylabel(f"{comparison.name} (probability)")
    summary_table = comparison.frame()
    medians = "\n".join(f"median {group}: {median} mo" for group, median in
                         zip(summary_table["group"], summary_table["median (95% CI), months"]))
    summary = f"{comparison.logrank_text()}\n{comparison.hazard_ratio_text()}\n{medians}"
    ax.text(0.02, 0.03, summary, transform=ax.transAxes, fontsize=8, va="bottom",
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85, "edgecolor": "0.7"})
    ax.legend(loc="upper right", frameon=False)
    if title:
        ax.set_title(title)
    add_at_risk_counts(*fitters, ax=ax, fig=ax.figure, rows_to_show=["At risk"], xticks=list(ticks))
    return ax


def plot_aligned_kinetics(aligned: pd.DataFrame, value: str, *, change: Mapping[str, str] | None = None,
                          ylabel: str | None = None, legend: bool = True, disclosure: Disclosure = SHOW_ALL,
                          ax: plt.Axes | None = None) -> plt.Axes:
    """A marker against days from the first tocilizumab dose, on a log scale: one line per patient, or,
    without row-level disclosure (real data), the median and interquartile band of each kind of change.

    Parameters
    ----------
    aligned : DataFrame
        Long table with ``patient_id``, ``days_from_first_dose`` and the ``value`` column (rows with the
        value missing are skipped, so each line joins the days that were measured).
    change : mapping, optional
        Patient id -> "fell" or "rose": colours the line (and dashes the rises) so the two kinds can be
        told apart without colour.
    legend : bool
        Whether to draw the legend of ``change`` (one legend is enough for a grid of panels).
    disclosure : Disclosure, optional
        What may be shown. Without row-level disclosure a day is drawn for a kind of change only when at
        least as many patients as it allows were measured that day.
    """
    for column in ("patient_id", "days_from_first_dose", value):
        if column not in aligned.columns:
            raise InvalidInputError(f"plot_aligned_kinetics: no column {column!r}")
    measured = aligned.dropna(subset=[value])
    if measured.empty:
        return say_why(ax, f"nothing to draw: no value of {value} in daily.csv for a patient with a recorded "
                           "tocilizumab dose")
    kinds = measured["patient_id"].map(change or {}).fillna("not classified")
    if not disclosure.row_level:
        summary = (measured.assign(kind=kinds).groupby(["kind", "days_from_first_dose"])[value]
                   .agg(n="count", median="median", q1=lambda v: v.quantile(0.25), q3=lambda v: v.quantile(0.75))
                   .reset_index())
        summary = summary[summary["n"] >= max(disclosure.min_patients, 1)]
        if summary.empty:
            return say_why(ax, f"nothing to draw: no day has {value} of {disclosure.min_patients} or more patients "
                               "of one kind of change (privacy rule for real data)")
        ax = _axes(ax)
        for kind, rows in summary.groupby("kind", sort=False):
            colour = CHANGE_COLOURS.get(kind, PALETTE[7])
            ax.plot(rows["days_from_first_dose"], rows["median"].clip(lower=0.1), color=colour, linewidth=1.5,
                    linestyle="--" if kind == "rose" else "-", marker="o", markersize=3)
            ax.fill_between(rows["days_from_first_dose"], rows["q1"].clip(lower=0.1), rows["q3"].clip(lower=0.1),
                            color=colour, alpha=0.15)
    else:
        ax = _axes(ax)
        for patient, rows in measured.groupby("patient_id", sort=False):
            kind = (change or {}).get(patient)
            colour = CHANGE_COLOURS.get(kind, PALETTE[7])
            ax.plot(rows["days_from_first_dose"], rows[value].clip(lower=0.1), color=colour, alpha=0.8,
                    linewidth=1.2, linestyle="--" if kind == "rose" else "-", marker="o", markersize=2.5)
    ax.axvline(0, color="black", linewidth=0.8, linestyle=":")
    ax.set_yscale("log")
    ax.set_xlabel("Days from first tocilizumab dose (days)")
    ax.set_ylabel(ylabel or value)
    if change and legend:
        handles = [plt.Line2D([], [], color=CHANGE_COLOURS[kind], linestyle="--" if kind == "rose" else "-",
                              label=f"{kind} (n = {sum(1 for k in change.values() if k == kind)})")
                   for kind in CHANGE_ORDER]
        ax.legend(handles=handles, frameon=False, fontsize=8)
    return ax


def plot_time_course(daily: pd.DataFrame, value: str, *, group: str = "group", order: Sequence[str] = GROUP_ORDER,
                     colours: Mapping[str, tuple] = GROUP_COLOURS, ylabel: str | None = None,
                     log: bool = False, disclosure: Disclosure = SHOW_ALL, ax: plt.Axes | None = None) -> plt.Axes:
    """Median and interquartile band of a daily measurement per group, against days after infusion.

    With ``disclosure`` a group's day is drawn only when at least as many patients as it allows were
    measured that day (a median of one patient is that patient's value); with nothing to draw the axes say
    why instead.
    """
    for column in ("day", group, value):
        if column not in daily.columns:
            raise InvalidInputError(f"plot_time_course: no column {column!r}")
    measured = daily.dropna(subset=[value])
    if disclosure.min_patients > 1:
        per_day = measured.groupby([group, "day"], observed=True)[value].transform("count")
        measured = measured[per_day >= disclosure.min_patients]
    if measured.empty:
        reason = (f"no value of {value} in daily.csv" if daily[value].isna().all() else
                  f"no day has {value} of {disclosure.min_patients} or more patients of one group "
                  "(privacy rule for real data)")
        return say_why(ax, f"nothing to draw: {reason}")
    ax = _axes(ax)
    drawn = [name for name in order if (measured[group] == name).any()]
    sns.lineplot(data=measured, x="day", y=value, hue=group, hue_order=drawn,
                 palette={name: colours[name] for name in drawn}, estimator="median", errorbar=("pi", 50),
                 marker="o", markersize=3, ax=ax)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("Day after CAR-T infusion (day)")
    ax.set_ylabel(ylabel or value)
    handles, labels = ax.get_legend_handles_labels()
    for name in order:
        if name not in drawn:  # the legend says why a group has no line
            handles.append(plt.Line2D([], [], color=colours[name], linestyle=""))
            labels.append(f"{name}: not drawn (no day with {max(disclosure.min_patients, 1)}+ "
                          "patients)")
    ax.legend(handles, labels, title=None, frameon=False)
    return ax


def plot_grade_grid(grid: pd.DataFrame, *, waived: pd.DataFrame | None = None, annotate: bool = False,
                    ylabel: str = "Patient", ax: plt.Axes | None = None) -> plt.Axes:
    """A heat map of daily ASTCT CRS grades: one row per patient (``grid``'s index), one column per day,
    coloured by grade with :data:`crs_compendium.vocab.CRS_GRADE_COLOURS`, the same colours on every page.

    ``waived`` (same shape, booleans) marks with a dot the days on which fever was not required after
    treatment; ``annotate`` writes the grade in each cell.
    """
    ax = _axes(ax, figsize=(9.0, 8.0))
    top = max(int(np.nanmax(grid.to_numpy())) if grid.size else 0, 1)
    colours = ListedColormap(list(CRS_GRADE_COLOURS[: top + 1]))
    sns.heatmap(grid, ax=ax, cmap=colours, vmin=-0.5, vmax=top + 0.5, annot=annotate, linewidths=0.2 if not annotate
                else 1, linecolor="white", cbar_kws={"ticks": list(range(top + 1)), "label": "ASTCT CRS grade"},
                yticklabels=True)
    if waived is not None:
        for row, patient in enumerate(grid.index):
            for column, day in enumerate(grid.columns):
                if waived.loc[patient, day]:
                    ax.plot(column + 0.85, row + 0.2, marker="o", markersize=4, color="black")
    ax.set_xlabel("Day after infusion (day)")
    ax.set_ylabel(ylabel)
    return ax


def plot_grade_shares(graded: pd.DataFrame, *, min_patients: int = 1, title: str | None = None,
                      ax: plt.Axes | None = None) -> plt.Axes:
    """The aggregate view of daily ASTCT CRS grades: for each day after infusion, the share of patients at
    each grade (stacked bars, :data:`crs_compendium.vocab.CRS_GRADE_COLOURS`), with no row per patient.

    ``graded`` holds ``day`` and ``crs_grade`` (``patients.grading.grade_daily``) of one group; a day with
    fewer than ``min_patients`` graded patients is left out, and with no day left the axes say why.
    """
    for column in ("day", "crs_grade"):
        if column not in graded.columns:
            raise InvalidInputError(f"plot_grade_shares: no column {column!r}")
    counts = pd.crosstab(graded["day"], graded["crs_grade"].astype(int))
    counts = counts[counts.sum(axis=1) >= max(min_patients, 1)]
    if counts.empty:
        return say_why(ax, f"nothing to draw: no day has {max(min_patients, 1)} or more graded patients",
                       title=title)
    ax = _axes(ax, figsize=(9.0, 3.0))
    shares = counts.div(counts.sum(axis=1), axis=0) * 100
    bottom = np.zeros(len(shares))
    for grade in sorted(shares.columns):
        ax.bar(shares.index, shares[grade], bottom=bottom, width=0.9, color=CRS_GRADE_COLOURS[grade],
               edgecolor="0.85", linewidth=0.3, label=f"grade {grade}")
        bottom += shares[grade].to_numpy()
    ax.set_xlabel("Day after infusion (day)")
    ax.set_ylabel("Patients (%)")
    ax.set_ylim(0, 100)
    ax.legend(title="ASTCT CRS grade", bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False, fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_daily_grades(patients: pd.DataFrame, graded: pd.DataFrame, *, disclosure: Disclosure,
                      title: str) -> plt.Figure:
    """The daily ASTCT CRS grades of a cohort as a figure of its own (it picks its layout, so it returns
    the figure): with row-level disclosure one row per patient (:func:`plot_grade_grid`), tocilizumab
    patients above the line, sorted by recorded grade and duration; otherwise, for real data, one panel
    per group of the share of patients at each grade per day (:func:`plot_grade_shares`).

    ``graded`` is :func:`crs_compendium.patients.grading.grade_daily` of the daily rows; a patient without
    daily rows has no row in it and none in the figure.
    """
    labels = group_labels(patients)
    groups = pd.Series(labels.to_numpy(), index=patients["patient_id"])
    if not disclosure.row_level:
        fig, axes = plt.subplots(len(GROUP_ORDER), 1, figsize=(9, 6), sharex=True)
        for ax, group in zip(axes, GROUP_ORDER):
            rows = graded[graded["patient_id"].map(groups) == group]
            plot_grade_shares(rows, min_patients=disclosure.min_patients, ax=ax,
                              title=f"{group} (n = {rows['patient_id'].nunique()} patients with daily rows)")
        fig.suptitle(title, fontsize=11)
        fig.tight_layout()
        return fig
    order = patients.assign(group=labels).sort_values(["group", "crs_grade", "crs_duration_days"],
                                                      ascending=[True, False, False])
    order = order[order["patient_id"].isin(graded["patient_id"])]
    grid = graded.pivot(index="patient_id", columns="day", values="crs_grade").loc[order["patient_id"]]
    fig, ax = plt.subplots(figsize=(9, 8))
    plot_grade_grid(grid, ax=ax)
    ax.axhline(int((order["group"] == GROUP_ORDER[0]).sum()), color="black", linewidth=1.5)
    ax.tick_params(axis="y", labelsize=6)
    ax.set_title(title, fontsize=10)
    return fig


def _layout(flow: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Place retained boxes in a central column, exclusions to the right, groups side by side below."""
    positions: dict[str, tuple[float, float]] = {}
    y = 0.0
    for node in flow.itertuples(index=False):
        if node.role in ("start", "retained"):
            positions[node.node] = (0.0, y)
            y -= 2.2
    for parent, excluded in flow[flow["role"] == "excluded"].groupby("parent", sort=False)["node"]:
        top = positions[parent][1] - 1.1 + 0.5 * (len(excluded) - 1)
        for i, node in enumerate(excluded):
            positions[node] = (3.1, top - 1.0 * i)
    groups = flow[flow["role"] == "group"]
    for i, node in enumerate(groups["node"]):
        x = (i - (len(groups) - 1) / 2) * 2.9
        positions[node] = (x, y)
    return positions


def draw_flow(flow: pd.DataFrame, ax: plt.Axes | None = None, title: str | None = None) -> plt.Axes:
    """Draw the flow diagram from the data: one box per node with its label and n, arrows to children."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 7))
    face = {role: to_rgb(PALETTE[index]) for role, index in (("start", 0), ("retained", 0), ("excluded", 7),
                                                             ("group", 2))}
    positions = _layout(flow)
    width, height = {"excluded": (2.5, 0.85), "group": (2.6, 0.95)}, (2.8, 1.0)
    for node in flow.itertuples(index=False):
        x, y = positions[node.node]
        w, h = width.get(node.role, height)
        ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02",
                facecolor=(*face[node.role], 0.18), edgecolor=face[node.role], linewidth=1.5,
            )
        )
        ax.text(x, y + 0.13, textwrap.fill(node.label, 24 if node.role == "excluded" else 30), ha="center", va="center", fontsize=8.5)
        ax.text(x, y - 0.27, f"n = {node.n}", ha="center", va="center", fontsize=10, fontweight="bold")
        if node.parent:
            px, py = positions[node.parent]
            if node.role == "excluded":
                start, end = (px, y), (x - w / 2, y)
                ax.plot([px, px], [py - height[1] / 2, y], color="0.35", linewidth=1)
            else:
                start, end = (px, py - height[1] / 2), (x, y + h / 2)
            ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": "0.35"})
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    ax.set_xlim(min(xs) - 1.5, max(xs) + 1.4)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def plot_audit_verdicts(verdicts: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Stacked horizontal bars of the claims audit: per section of the paper, its claims by verdict."""
    ax = _axes(ax, figsize=(7.5, 4.0))
    frame = verdicts.assign(section=pd.Categorical(verdicts["section"], categories=SECTION_ORDER))
    sns.histplot(data=frame, y="section", hue="verdict", hue_order=list(AUDIT_VERDICTS), multiple="stack",
                 discrete=True, shrink=0.8, palette=VERDICT_COLOURS, ax=ax)
    ax.set_xlabel("Printed numbers (claims)")
    ax.set_ylabel("Section of the paper")
    return ax

