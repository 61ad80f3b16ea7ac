"""Every figure of the compendium (crs_compendium.figures): the plot helpers (ax in, ax out). The palette
and orders they use are crs_compendium.vocab (tests/test_vocab.py).

Outside sources: the KMunicate proposals for Kaplan-Meier plots (Morris et al.,
BMJ Open 2019;9:e030215): the curve, a confidence band, censoring marks, and the number at risk under
the time axis; the 6-MP trial of tests/stats/test_survival.py (tests/sample_data.py), where 21 patients per
arm are at risk at time 0; Zhou et al. 2025, Figure 1 (the patient flow: 61, 60, 45, 17 and 28 patients).
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from sample_data import gehan  # noqa: E402

from crs_compendium import figures  # noqa: E402
from crs_compendium.computable import NotComputable  # noqa: E402
from crs_compendium.exceptions import InvalidInputError  # noqa: E402
from crs_compendium.formatting import p_text  # noqa: E402
from crs_compendium.patients.disclosure import Disclosure  # noqa: E402
from crs_compendium.patients.grading import grade_daily  # noqa: E402
from crs_compendium.stats.two_groups import compare_measurement  # noqa: E402
from crs_compendium.printed.flow import load_flow  # noqa: E402
from crs_compendium.stats.survival import compare_survival  # noqa: E402
from crs_compendium.vocab import (  # noqa: E402
    AUDIT_VERDICTS,
    CRS_GRADE_COLOURS,
    GROUP_ORDER,
    RESPONSE_COLOURS,
    SECTION_ORDER,
)


# seaborn 0.13.2's box plot still passes matplotlib 3.11 the deprecated `vert` argument; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:vert. bool was deprecated:matplotlib.MatplotlibDeprecationWarning")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_figure_title_names_the_data_level():
    assert figures.figure_title("Overall survival", "synthetic reconstruction") == "Overall survival (synthetic reconstruction)"


def values_by_group():
    return pd.DataFrame({"group": pd.Categorical(["Toci"] * 3 + ["Non-toci"] * 4, categories=GROUP_ORDER),
                         "dose": [1.0, 2, 3, 2, 3, 4, 5]})


def test_plot_group_values_draws_every_patient_in_group_order_and_returns_the_axes():
    fig, ax = plt.subplots()
    returned = figures.plot_group_values(values_by_group(), "dose", ylabel="Dose (mg)", ax=ax)
    assert returned is ax
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["Toci\n(n = 3)", "Non-toci\n(n = 4)"]
    dots = sum(len(collection.get_offsets()) for collection in ax.collections)
    assert dots == 7
    assert ax.get_ylabel() == "Dose (mg)"
    top = ax.get_ylim()[1]
    figures.annotate_comparison(ax, "Mann-Whitney p = 0.227")
    assert any(text.get_text() == "Mann-Whitney p = 0.227" for text in ax.texts)
    assert ax.get_ylim()[1] > top  # the axis grew to hold the bracket


def test_a_bracket_on_a_log_axis_is_spaced_in_log_units():
    fig, ax = plt.subplots()
    ax.set_yscale("log")
    ax.set_ylim(1, 1000)
    figures.annotate_comparison(ax, "p = 0.5")
    bracket = ax.lines[-1].get_ydata()
    assert bracket[0] == pytest.approx(10 ** 3.09)
    assert ax.get_ylim()[1] == pytest.approx(10 ** 3.51)


def test_plot_group_values_makes_its_own_axes_and_refuses_a_missing_column():
    assert isinstance(figures.plot_group_values(values_by_group(), "dose"), plt.Axes)
    with pytest.raises(InvalidInputError, match="no column 'weight'"):
        figures.plot_group_values(values_by_group(), "weight")


def test_stacked_shares_fill_each_bar_to_100_and_label_the_counts():
    counts = pd.DataFrame({"MRD-CR": [16, 24], "MRD+CR": [1, 3], "PR": [0, 1], "NR": [0, 0]},
                          index=list(GROUP_ORDER))
    ax = figures.plot_stacked_shares(counts, RESPONSE_COLOURS, legend_title="Response")
    heights = np.array([patch.get_height() for patch in ax.patches]).reshape(4, 2)
    assert heights.sum(axis=0) == pytest.approx([100, 100])
    assert sorted(text.get_text() for text in ax.texts) == sorted(["16", "24", "1", "3", "1"])
    assert ax.get_legend().get_title().get_text() == "Response"
    with pytest.raises(InvalidInputError, match="no colour"):
        figures.plot_stacked_shares(counts.rename(columns={"NR": "unknown"}), RESPONSE_COLOURS)
    empty = figures.plot_stacked_shares(counts * 0, RESPONSE_COLOURS)
    assert not empty.axison and "Toci: no patient; Non-toci: no patient" in _said(empty)


def test_kaplan_meier_plot_follows_the_clinical_conventions():
    comparison = compare_survival(gehan(), "pfs")
    fig, ax = plt.subplots(figsize=(7, 5))
    returned = figures.plot_km(comparison, ax=ax, title="PFS")
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
    ax = figures.plot_aligned_kinetics(aligned, "il6_pg_ml", change={"A": "fell", "B": "rose"}, ylabel="IL-6 (pg/mL)")
    patient_lines = [line for line in ax.lines if line.get_marker() == "o"]
    assert [line.get_linestyle() for line in patient_lines] == ["-", "--"]
    assert ax.get_yscale() == "log"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["fell (n = 1)", "rose (n = 1)"]
    no_legend = figures.plot_aligned_kinetics(aligned, "il6_pg_ml", change={"A": "fell"}, legend=False)
    assert no_legend.get_legend() is None
    with pytest.raises(InvalidInputError, match="no column"):
        figures.plot_aligned_kinetics(aligned.drop(columns="days_from_first_dose"), "il6_pg_ml")


def test_time_course_draws_a_median_line_per_group():
    daily = pd.DataFrame({"day": [0, 0, 1, 1] * 2, "group": ["Toci"] * 4 + ["Non-toci"] * 4,
                          "alt_u_l": [10.0, 20, 30, 40, 5, 6, 7, np.nan]})
    ax = figures.plot_time_course(daily, "alt_u_l", ylabel="ALT (U/L)")
    toci_line = next(line for line in ax.lines if len(line.get_xdata()) == 2)
    assert list(toci_line.get_ydata()) == [15.0, 35.0]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(GROUP_ORDER)
    with pytest.raises(InvalidInputError, match="no column"):
        figures.plot_time_course(daily, "ast_u_l")


def test_the_flow_diagram_draws_one_box_per_node_with_its_count():
    flow = load_flow()
    ax = figures.draw_flow(flow, title="Figure 1")
    texts = [text.get_text() for text in ax.texts]
    assert len(ax.patches) == len(flow)
    assert [f"n = {n}" for n in flow["n"]] == [text for text in texts if text.startswith("n = ")]
    assert {"n = 61", "n = 45", "n = 17", "n = 28"} <= set(texts) and ax.get_title() == "Figure 1"


def test_the_grade_grid_colours_each_grade_the_same_on_every_page():
    grid = pd.DataFrame([[0, 1, 2], [0, 3, np.nan]], index=["P1", "P2"], columns=[1, 2, 3])
    waived = pd.DataFrame([[False, False, True], [False, False, False]], index=grid.index, columns=grid.columns)
    ax = figures.plot_grade_grid(grid, waived=waived)
    colours = ax.collections[0].get_cmap().colors
    assert [to_hex(colour) for colour in colours] == [to_hex(colour) for colour in CRS_GRADE_COLOURS[:4]]
    assert len([line for line in ax.lines if line.get_marker() == "o"]) == 1
    assert ax.get_xlabel() == "Day after infusion (day)"


def test_audit_verdict_bars_stack_the_claims_of_each_section():
    verdicts = pd.DataFrame({"section": ["table2", "table2", "results", "methods"],
                             "verdict": [AUDIT_VERDICTS[0], AUDIT_VERDICTS[1], AUDIT_VERDICTS[2], AUDIT_VERDICTS[0]]})
    ax = figures.plot_audit_verdicts(verdicts)
    heights = sorted(round(patch.get_width()) for patch in ax.patches if patch.get_width() > 0)
    assert heights == [1, 1, 1, 1]
    assert ax.get_ylabel() == "Section of the paper" and "table2" in SECTION_ORDER


# --------------------------------------------------------------------------------------------------------
# Nothing to draw, and what real data may show
# --------------------------------------------------------------------------------------------------------
PUBLIC = Disclosure(row_level=False, min_patients=5)


def _said(ax):
    return " ".join(text.get_text().replace("\n", " ") for text in ax.texts)


def test_an_axes_with_nothing_to_draw_says_why():
    ax = figures.say_why(None, "no value of alt_u_l in daily.csv", title="ALT")
    assert not ax.axison and _said(ax) == "no value of alt_u_l in daily.csv" and ax.get_title() == "ALT"


def test_real_data_get_boxes_without_a_dot_per_patient_and_small_groups_left_out():
    data = pd.DataFrame({"group": ["Toci"] * 3 + ["Non-toci"] * 6, "dose": [1.0, 2, 3, 2, 3, 4, 5, 6, 7]})
    ax = figures.plot_group_values(data, "dose", disclosure=PUBLIC)
    assert sum(len(collection.get_offsets()) for collection in ax.collections) == 0  # no dot, no outlier
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["Toci\n(withheld, n < 5)", "Non-toci\n(n = 6)"]
    nothing = figures.plot_group_values(data.assign(dose=np.nan), "dose")
    assert not nothing.axison and "Toci: no value; Non-toci: no value" in _said(nothing)


def test_comparison_labels_say_why_a_test_is_missing():
    data = pd.DataFrame({"group": ["Toci"] * 3 + ["Non-toci"] * 3, "gcsf": [0.0] * 6})
    assert figures.comparison_label(compare_measurement(data, "gcsf")).replace("\n", " ").startswith(
        "Mann-Whitney: not computable from these data (every value of gcsf is 0")
    assert figures.comparison_label(NotComputable("x", "withheld: a test with group Toci would rest on 3")) == (
        "Mann-Whitney: withheld (privacy rule for real data)")
    comparison = compare_measurement(values_by_group(), "dose")
    assert figures.comparison_label(comparison) == f"Mann-Whitney {p_text(comparison.p_values['Mann-Whitney U'])}"


def _daily(values):
    return pd.DataFrame({"patient_id": ["a", "b", "c", "d", "e", "f"] * 2, "day": [1] * 6 + [2] * 6,
                         "group": (["Toci"] * 3 + ["Non-toci"] * 3) * 2, "crp": values})


def test_a_time_course_of_real_data_drops_days_with_fewer_than_five_patients():
    assert not figures.plot_time_course(_daily([np.nan] * 12), "crp").axison
    withheld = figures.plot_time_course(_daily(np.arange(12.0)), "crp", disclosure=PUBLIC)
    assert not withheld.axison and "no day has crp of 5 or more patients" in _said(withheld)
    shown = figures.plot_time_course(_daily(np.arange(12.0)), "crp")
    assert shown.axison and shown.get_xlabel() == "Day after CAR-T infusion (day)"


def test_kinetics_of_real_data_are_medians_by_kind_of_change_not_lines_per_patient():
    aligned = pd.DataFrame({"patient_id": [f"p{i}" for i in range(10)] * 2,
                            "days_from_first_dose": [0] * 10 + [1] * 10, "il6": np.arange(1.0, 21.0)})
    change = {f"p{i}": "fell" if i < 5 else "rose" for i in range(10)}
    per_patient = figures.plot_aligned_kinetics(aligned, "il6", change=change)
    aggregate = figures.plot_aligned_kinetics(aligned, "il6", change=change, disclosure=PUBLIC)
    assert len(per_patient.lines) == 10 + 1 and len(aggregate.lines) == 2 + 1  # + the dose line
    assert not figures.plot_aligned_kinetics(aligned.assign(il6=np.nan), "il6").axison


def test_a_survival_comparison_the_data_do_not_allow_is_a_sentence():
    ax = figures.plot_km(NotComputable("Overall survival", "no patient in group Toci"), title="OS")
    assert not ax.axison and "no patient in group Toci" in _said(ax)


def test_daily_grades_are_one_row_per_patient_only_where_rows_may_be_shown(shipped):
    graded = grade_daily(shipped.daily)
    grid = figures.plot_daily_grades(shipped.patients, graded, disclosure=Disclosure(row_level=True, min_patients=0),
                                     title="grid")
    assert len(grid.axes[0].get_yticklabels()) == 45
    shares = figures.plot_daily_grades(shipped.patients, graded, disclosure=PUBLIC, title="shares")
    panels = [ax for ax in shares.axes if ax.get_ylabel() == "Patients (%)"]
    assert len(panels) == 2 and all(not ax.get_yticklabels() or "SYN-" not in _said(ax) for ax in panels)
    assert [ax.get_title() for ax in panels] == ["Toci (n = 17 patients with daily rows)",
                                                 "Non-toci (n = 28 patients with daily rows)"]
