"""Survival by group: Kaplan-Meier medians, log-rank test, Cox hazard ratio.

Outside source: the 6-mercaptopurine leukaemia trial (Freireich et al., Blood 1963;21:699-716; Gehan,
Biometrika 1965;52:203-223), remission times in weeks, 21 patients per arm, as in R's ``MASS::gehan``.
R 4.x gives ``survdiff(Surv(time, cens) ~ treat, gehan)``: Chisq = 16.8 on 1 df, p = 4.17e-05;
``coxph(Surv(time, cens) ~ treat, gehan)``: coef 1.572, exp(coef) 4.817, se 0.412, p = 0.000138 (control
against 6-MP, Efron ties); ``survfit``: median 23 weeks with 6-MP, 8 weeks with placebo.
"""
import math

import numpy as np
import pandas as pd
import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.survival import DAYS_PER_MONTH, compare_survival, format_median

# (weeks, relapse observed) of each arm; a 0 marks a censored remission.
SIX_MP = [(6, 1), (6, 1), (6, 1), (6, 0), (7, 1), (9, 0), (10, 1), (10, 0), (11, 0), (13, 1), (16, 1), (17, 0),
          (19, 0), (20, 0), (22, 1), (23, 1), (25, 0), (32, 0), (32, 0), (34, 0), (35, 0)]
PLACEBO = [(1, 1), (1, 1), (2, 1), (2, 1), (3, 1), (4, 1), (4, 1), (5, 1), (5, 1), (8, 1), (8, 1), (8, 1), (8, 1),
           (11, 1), (11, 1), (12, 1), (12, 1), (15, 1), (17, 1), (22, 1), (23, 1)]


def gehan(endpoint="pfs"):
    """The trial as a patient table: the placebo arm plays the tocilizumab group, so the hazard ratio of
    the first group in GROUP_ORDER is R's control-versus-6-MP ratio. Weeks are written as days (the unit
    only scales the medians)."""
    rows = [(True, weeks, bool(event)) for weeks, event in PLACEBO] + [(False, weeks, bool(event)) for weeks, event in SIX_MP]
    time, event = {"pfs": ("pfs_days", "pfs_event"), "os": ("os_days", "os_event")}[endpoint]
    return pd.DataFrame(rows, columns=["tocilizumab", time, event])


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
        (lambda d: d.assign(tocilizumab=True), "both groups"),
    ],
)
def test_bad_input_is_refused_with_a_message(change, message):
    with pytest.raises(InvalidInputError, match=message):
        compare_survival(change(gehan()), "pfs")


def test_an_unknown_endpoint_is_refused():
    with pytest.raises(InvalidInputError, match="endpoint must be one of"):
        compare_survival(gehan(), "efs")


def test_format_median_writes_not_reached():
    assert format_median(23.0, 13.0, math.inf, digits=0) == "23 (95% CI 13-NR)"
    assert format_median(math.inf, 20.5, math.inf) == "NR (95% CI 20.5-NR)"
