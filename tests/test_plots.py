"""The one palette and group order of every figure, and the plot helpers (ax in, ax out).

Outside sources: seaborn's "colorblind" palette (seaborn 0.13 documentation, "Choosing color palettes";
its first colours are #0173b2 and #de8f05); the KMunicate proposals for Kaplan-Meier plots (Morris et al.,
BMJ Open 2019;9:e030215): the curve, a confidence band, censoring marks, and the number at risk under
the time axis; the 6-MP trial of tests/test_survival.py, where 21 patients per arm are at risk at time 0.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from crs_compendium import plots  # noqa: E402
from crs_compendium.exceptions import InvalidInputError  # noqa: E402
from crs_compendium.survival import compare_survival  # noqa: E402
from test_survival import gehan  # noqa: E402


# seaborn 0.13.2's box plot still passes matplotlib 3.11 the deprecated `vert` argument; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:vert. bool was deprecated:matplotlib.MatplotlibDeprecationWarning")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_groups_have_one_order_and_the_first_two_colorblind_colours():
    assert plots.GROUP_ORDER == ("Toci", "Non-toci")
    assert [to_hex(plots.GROUP_COLOURS[group]) for group in plots.GROUP_ORDER] == ["#0173b2", "#de8f05"]


@pytest.mark.parametrize("colours", [plots.GROUP_COLOURS, plots.RESPONSE_COLOURS, plots.CHANGE_COLOURS,
                                     plots.STEROID_COLOURS, plots.INFECTION_COLOURS])
def test_every_colour_comes_from_the_one_palette_and_differs_within_a_figure(colours):
    palette = {to_hex(colour) for colour in plots.PALETTE}
    used = [to_hex(colour) for colour in colours.values()]
    assert set(used) <= palette
    assert len(set(used)) == len(used)


def test_group_labels_follow_the_tocilizumab_column_in_book_order():
    labels = plots.group_labels(pd.DataFrame({"tocilizumab": [False, True, False]}, index=[5, 6, 7]))
    assert labels.tolist() == ["Non-toci", "Toci", "Non-toci"]
    assert list(labels.cat.categories) == list(plots.GROUP_ORDER)
    assert labels.index.tolist() == [5, 6, 7]
    with pytest.raises(InvalidInputError, match="tocilizumab"):
        plots.group_labels(pd.DataFrame({"x": [1]}))


def test_figure_title_names_the_data_level():
    assert plots.figure_title("Overall survival", "synthetic reconstruction") == "Overall survival (synthetic reconstruction)"


def values_by_group():
    return pd.DataFrame({"group": pd.Categorical(["Toci"] * 3 + ["Non-toci"] * 4, categories=plots.GROUP_ORDER),
                         "dose": [1.0, 2, 3, 2, 3, 4, 5]})


def test_plot_group_values_draws_every_patient_in_group_order_and_returns_the_axes():
    fig, ax = plt.subplots()
    returned = plots.plot_group_values(values_by_group(), "dose", ylabel="Dose (mg)", ax=ax)
    assert returned is ax
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["Toci\n(n = 3)", "Non-toci\n(n = 4)"]
    dots = sum(len(collection.get_offsets()) for collection in ax.collections)
    assert dots == 7
    assert ax.get_ylabel() == "Dose (mg)"
    top = ax.get_ylim()[1]
    plots.annotate_comparison(ax, "Mann-Whitney p = 0.227")
    assert any(text.get_text() == "Mann-Whitney p = 0.227" for text in ax.texts)
    assert ax.get_ylim()[1] > top  # the axis grew to hold the bracket


def test_a_bracket_on_a_log_axis_is_spaced_in_log_units():
    fig, ax = plt.subplots()
    ax.set_yscale("log")
    ax.set_ylim(1, 1000)
    plots.annotate_comparison(ax, "p = 0.5")
    bracket = ax.lines[-1].get_ydata()
    assert bracket[0] == pytest.approx(10 ** 3.09)
    assert ax.get_ylim()[1] == pytest.approx(10 ** 3.51)


def test_plot_group_values_makes_its_own_axes_and_refuses_a_missing_column():
    assert isinstance(plots.plot_group_values(values_by_group(), "dose"), plt.Axes)
    with pytest.raises(InvalidInputError, match="no column 'weight'"):
        plots.plot_group_values(values_by_group(), "weight")


def test_stacked_shares_fill_each_bar_to_100_and_label_the_counts():
    counts = pd.DataFrame({"MRD-CR": [16, 24], "MRD+CR": [1, 3], "PR": [0, 1], "NR": [0, 0]},
                          index=list(plots.GROUP_ORDER))
    ax = plots.plot_stacked_shares(counts, plots.RESPONSE_COLOURS, legend_title="Response")
    heights = np.array([patch.get_height() for patch in ax.patches]).reshape(4, 2)
    assert heights.sum(axis=0) == pytest.approx([100, 100])
    assert sorted(text.get_text() for text in ax.texts) == sorted(["16", "24", "1", "3", "1"])
    assert ax.get_legend().get_title().get_text() == "Response"
    with pytest.raises(InvalidInputError, match="no colour"):
        plots.plot_stacked_shares(counts.rename(columns={"NR": "unknown"}), plots.RESPONSE_COLOURS)
    with pytest.raises(InvalidInputError, match="no patients"):
        plots.plot_stacked_shares(counts * 0, plots.RESPONSE_COLOURS)


def test_kaplan_meier_plot_follows_the_clinical_conventions():
    comparison = compare_survival(gehan(), "pfs")
    fig, ax = plt.subplots(figsize=(7, 5))
    returned = plots.plot_km(comparison, ax=ax, title="PFS")
    assert returned is ax
    # A confidence band per group (filled), a tick at each censored time: the 6-MP arm has 12 censored
    # remissions at 11 distinct times (two at 32 weeks), the placebo arm none.
    assert len(ax.collections) >= 2
    censor_marks = [line for line in ax.lines if line.get_marker() == "|"]
    assert sum(len(line.get_xdata()) for line in censor_marks) == 11
    # The at-risk table sits on a second x axis under the plot; 21 patients per arm at time 0.
    at_risk = [axis for axis in fig.axes if axis is not ax]
    labels = " ".join(tick.get_text() for axis in at_risk for tick in axis.get_xticklabels())
    assert "At risk" in labels and "21" in labels
    summary = " ".join(text.get_text() for text in ax.texts)
    assert "log-rank p < 0.001" in summary and "HR Toci vs Non-toci 4.82" in summary and "median Toci: 0.3" in summary
    assert ax.get_xlabel().endswith("(months)") and ax.get_ylim() == (0, 1.05)


def test_aligned_kinetics_draw_one_line_per_measured_patient_dashing_the_rises():
    aligned = pd.DataFrame({"patient_id": ["A", "A", "B", "B", "C"], "days_from_first_dose": [-1, 1, -1, 1, 0],
                            "il6_pg_ml": [10.0, 5.0, 10.0, 50.0, np.nan]})
    ax = plots.plot_aligned_kinetics(aligned, "il6_pg_ml", change={"A": "fell", "B": "rose"}, ylabel="IL-6 (pg/mL)")
    patient_lines = [line for line in ax.lines if line.get_marker() == "o"]
    assert [line.get_linestyle() for line in patient_lines] == ["-", "--"]
    assert ax.get_yscale() == "log"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["fell (n = 1)", "rose (n = 1)"]
    no_legend = plots.plot_aligned_kinetics(aligned, "il6_pg_ml", change={"A": "fell"}, legend=False)
    assert no_legend.get_legend() is None
    with pytest.raises(InvalidInputError, match="no column"):
        plots.plot_aligned_kinetics(aligned.drop(columns="days_from_first_dose"), "il6_pg_ml")


def test_time_course_draws_a_median_line_per_group():
    daily = pd.DataFrame({"day": [0, 0, 1, 1] * 2, "group": ["Toci"] * 4 + ["Non-toci"] * 4,
                          "alt_u_l": [10.0, 20, 30, 40, 5, 6, 7, np.nan]})
    ax = plots.plot_time_course(daily, "alt_u_l", ylabel="ALT (U/L)")
    toci_line = next(line for line in ax.lines if len(line.get_xdata()) == 2)
    assert list(toci_line.get_ydata()) == [15.0, 35.0]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(plots.GROUP_ORDER)
    with pytest.raises(InvalidInputError, match="no column"):
        plots.plot_time_course(daily, "ast_u_l")
