"""Survival by group (crs_compendium.stats.survival): Kaplan-Meier medians, log-rank test, Cox hazard ratio.

Outside source: the 6-mercaptopurine leukaemia trial (Freireich et al., Blood 1963;21:699-716; Gehan,
Biometrika 1965;52:203-223), remission times in weeks, 21 patients per arm, as in R's ``MASS::gehan``.
R 4.x gives ``survdiff(Surv(time, cens) ~ treat, gehan)``: Chisq = 16.8 on 1 df, p = 4.17e-05;
``coxph(Surv(time, cens) ~ treat, gehan)``: coef 1.572, exp(coef) 4.817, se 0.412, p = 0.000138 (control
against 6-MP, Efron ties); ``survfit``: median 23 weeks with 6-MP, 8 weeks with placebo.
R's ``survdiff(Surv(futime, fustat) ~ rx, data = ovarian)``: Chisq = 1.1 on 1 df, p = 0.3 (1.06 and 0.303
unrounded). lifelines' ``logrank_test`` as a second implementation of the log-rank test.
"""
import math

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import logrank_test, multivariate_logrank_test
from sample_data import PLACEBO, SIX_MP, gehan

from crs_compendium.computable import NotComputable
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.patients.disclosure import Disclosure
from crs_compendium.stats.survival import (DAYS_PER_MONTH, ENDPOINTS, compare_survival, format_median, logrank,
                                           logrank_or_reason, survival_table)
from crs_compendium.vocab import NOT_COMPUTABLE

# R's survival::ovarian: follow-up days, death (1) or censoring (0), and treatment arm.
OVARIAN_TIME = [59, 115, 156, 421, 431, 448, 464, 475, 477, 563, 638, 744, 769, 770, 803, 855, 1040, 1106, 1129,
                1206, 1227, 268, 329, 353, 365, 377]
OVARIAN_DEATH = [1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0]
OVARIAN_RX = [1, 1, 1, 2, 1, 1, 2, 2, 1, 2, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 1, 1, 2, 2, 2]


def test_log_rank_test_matches_r_survdiff_on_the_gehan_trial():
    result = compare_survival(gehan(), "pfs")
    assert result.logrank_statistic == pytest.approx(16.79, abs=0.005)
    assert result.logrank_p == pytest.approx(4.17e-05, rel=0.01)


def test_cox_hazard_ratio_matches_r_coxph_on_the_gehan_trial():
    result = compare_survival(gehan(), "pfs")
    assert result.hazard_ratio == pytest.approx(4.817, abs=0.001)
    assert result.hazard_ratio_p == pytest.approx(0.000138, rel=0.01)
    # The Wald interval is exp(1.572 +/- 1.96 x 0.412).
    assert result.hazard_ratio_lower == pytest.approx(math.exp(1.5721 - 1.959964 * 0.4124), rel=1e-3)
    assert result.hazard_ratio_upper == pytest.approx(math.exp(1.5721 + 1.959964 * 0.4124), rel=1e-3)


def test_kaplan_meier_medians_match_the_published_23_and_8_weeks():
    medians = compare_survival(gehan("os"), "os").medians.set_index("group")
    assert medians.loc["Non-toci", "median_months"] * DAYS_PER_MONTH == pytest.approx(23)
    assert medians.loc["Toci", "median_months"] * DAYS_PER_MONTH == pytest.approx(8)
    assert medians.loc["Non-toci", "lower_95"] <= medians.loc["Non-toci", "median_months"]
    # The 6-MP curve's upper bound never falls to one half: not reached.
    assert math.isinf(medians.loc["Non-toci", "upper_95"])
    assert medians[["n", "events"]].to_dict("index") == {"Toci": {"n": 21, "events": 21},
                                                        "Non-toci": {"n": 21, "events": 9}}


def test_groups_come_in_the_book_order_and_the_summary_names_the_test():
    result = compare_survival(gehan(), "pfs")
    assert list(result.fitters) == ["Toci", "Non-toci"]
    assert list(result.frame()["group"]) == ["Toci", "Non-toci"]
    assert "log-rank p < 0.001" == result.logrank_text()
    assert repr(result).startswith("Progression-free survival: log-rank chi2 = 16.793, p < 0.001; HR Toci vs Non-toci 4.82")


def test_a_group_without_events_has_no_hazard_ratio_but_still_a_log_rank_test():
    data = gehan()
    data.loc[~data["tocilizumab"], "pfs_event"] = False
    result = compare_survival(data, "pfs")
    assert math.isnan(result.hazard_ratio)
    assert "no event in group Non-toci" in result.hazard_ratio_text()
    assert 0 < result.logrank_p < 1e-6


def test_identical_groups_give_a_log_rank_p_of_one():
    times = np.array([10.0, 20, 30, 40, 50, 60])
    data = pd.DataFrame({"tocilizumab": [True] * 6 + [False] * 6, "pfs_days": np.r_[times, times],
                         "pfs_event": [True, False] * 6})
    result = compare_survival(data, "pfs")
    assert result.logrank_p == pytest.approx(1.0)
    assert result.hazard_ratio == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.drop(columns="pfs_event"), "lacks column"),
        (lambda d: d.assign(pfs_days=0.0), "positive number"),
    ],
)
def test_bad_input_is_refused_with_a_message(change, message):
    with pytest.raises(InvalidInputError, match=message):
        compare_survival(change(gehan()), "pfs")


# --------------------------------------------------------------------------------------------------------
# Data that allow less: each says what it cannot give and why
# --------------------------------------------------------------------------------------------------------
def test_an_empty_group_gives_no_comparison_and_says_so():
    result = compare_survival(gehan().assign(tocilizumab=True), "pfs")
    assert isinstance(result, NotComputable) and result.verdict == NOT_COMPUTABLE
    assert result.reason == "no patient in group Non-toci: survival is compared between two groups"


def test_without_any_event_the_curves_stay_flat_and_no_logrank_p_is_invented():
    """No event at all: Kaplan-Meier stays at 1 and the medians are not reached; the log-rank test and the
    hazard ratio have no data, so they are missing with their reasons, not 1 or 0."""
    result = compare_survival(gehan().assign(pfs_event=False), "pfs")
    assert math.isnan(result.logrank_p) and math.isnan(result.hazard_ratio)
    assert result.logrank_note == "no progression or death in either group: the log-rank test needs at least one"
    assert result.medians["events"].tolist() == [0, 0] and np.isinf(result.medians["median_months"]).all()
    assert result.logrank_p_text().startswith(NOT_COMPUTABLE)
    assert "log-rank test: no progression or death" in result.frame()["note"].iloc[0]


def test_when_everyone_has_an_event_every_statistic_is_computed():
    result = compare_survival(gehan().assign(pfs_event=True), "pfs")
    assert 0 < result.logrank_p < 1 and result.hazard_ratio > 0 and result.frame()["note"].eq("").all()


def test_a_group_below_the_disclosure_threshold_is_withheld():
    data = gehan()
    small = pd.concat([data[data["tocilizumab"]].iloc[[2, 9, 18]], data[~data["tocilizumab"]]], ignore_index=True)
    result = compare_survival(small, "pfs", disclosure=Disclosure(row_level=False, min_patients=5))
    assert isinstance(result, NotComputable) and result.reason.startswith("withheld: the survival curve of group Toci")
    assert not isinstance(compare_survival(small, "pfs"), NotComputable)


def test_logrank_or_reason_names_each_impossible_case():
    assert logrank_or_reason([1, 2, 3, 4], [False] * 4, [0, 0, 1, 1], "death") == (
        "no death in either group: the log-rank test needs at least one")
    assert logrank_or_reason([1, 2, 3, 4], [True] * 4, [1, 1, 1, 1]).startswith("only one group")
    # The only event happens after the other group has left follow-up: the variance is 0.
    assert "never at risk together" in logrank_or_reason([1, 2, 3, 4], [False, False, False, True], [0, 0, 1, 1])
    assert logrank_or_reason(OVARIAN_TIME, OVARIAN_DEATH, OVARIAN_RX) == logrank(OVARIAN_TIME, OVARIAN_DEATH,
                                                                                 OVARIAN_RX)


def test_the_survival_table_keeps_an_endpoint_without_curves_as_a_row_with_its_reason():
    comparisons = {"pfs": compare_survival(gehan(), "pfs"),
                   "os": NotComputable("Overall survival", "no patient in group Toci")}
    table = survival_table(comparisons)
    assert table["endpoint"].tolist() == ["Progression-free survival"] * 2 + ["Overall survival"]
    assert table["note"].tolist()[-1] == "no patient in group Toci" and table["n"].isna().tolist() == [False] * 2 + [True]


def test_an_unknown_endpoint_is_refused():
    with pytest.raises(InvalidInputError, match="endpoint must be one of"):
        compare_survival(gehan(), "efs")


def test_format_median_writes_not_reached():
    assert format_median(23.0, 13.0, math.inf, digits=0) == "23 (95% CI 13-NR)"
    assert format_median(math.inf, 20.5, math.inf) == "NR (95% CI 20.5-NR)"


# --------------------------------------------------------------------------------------------------------
# The one log-rank entry point against R and lifelines
# --------------------------------------------------------------------------------------------------------
def test_logrank_matches_r_survdiff_on_the_ovarian_data():
    statistic, p = logrank(OVARIAN_TIME, OVARIAN_DEATH, OVARIAN_RX)
    assert round(statistic, 2) == 1.06 and round(p, 3) == 0.303


@pytest.mark.parametrize("data", ["ovarian", "gehan"])
def test_logrank_equals_lifelines_logrank_test(data):
    if data == "ovarian":
        times, events, groups = np.array(OVARIAN_TIME), np.array(OVARIAN_DEATH), np.array(OVARIAN_RX)
    else:
        rows = [(1, *row) for row in PLACEBO] + [(2, *row) for row in SIX_MP]
        groups, times, events = (np.array(column) for column in zip(*rows))
    first = groups == groups[0]
    reference = logrank_test(times[first], times[~first], events[first], events[~first])
    statistic, p = logrank(times, events, groups)
    assert statistic == pytest.approx(reference.test_statistic, rel=1e-9)
    assert p == pytest.approx(reference.p_value, rel=1e-9)


def test_logrank_of_three_groups_equals_lifelines_multivariate_test():
    times = np.array(OVARIAN_TIME)
    groups = np.array([0, 1, 2] * 8 + [0, 1])
    statistic, p = logrank(times, OVARIAN_DEATH, groups)
    reference = multivariate_logrank_test(times, groups, OVARIAN_DEATH)
    assert statistic == pytest.approx(reference.test_statistic, rel=1e-9)
    assert p == pytest.approx(reference.p_value, rel=1e-9)


def test_compare_survival_reports_the_logrank_entry_point():
    data = gehan()
    result = compare_survival(data, "pfs")
    assert (result.logrank_statistic, result.logrank_p) == logrank(data["pfs_days"], data["pfs_event"],
                                                                   data["tocilizumab"])
    assert set(ENDPOINTS) == {"pfs", "os"} and ENDPOINTS["os"][:2] == ("os_days", "os_event")
