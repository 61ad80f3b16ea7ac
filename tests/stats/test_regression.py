"""Logistic regression of the tocilizumab group on several factors (crs_compendium.stats.regression).

Outside source: Greene, Econometric Analysis (5th ed., Table 21.1), the logit of the Spector-Mazzeo grade
data shipped with statsmodels (GPA 2.826, TUCE 0.0952, PSI 2.379, constant -13.021; GPA p = 0.025).
"""
import numpy as np
import pytest
from statsmodels.datasets import spector

from crs_compendium.computable import NotComputable
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.patients.disclosure import Disclosure
from crs_compendium.stats.regression import Covariate, LogisticRegressionResult, logistic_regression


def spector_patients():
    data = spector.load_pandas().data
    return data.rename(columns={"GRADE": "tocilizumab"})


SPECTOR = [Covariate(name, (name,), lambda p, name=name: p[name].astype(float), "per unit")
           for name in ("GPA", "TUCE", "PSI")]


def test_logistic_regression_matches_greenes_logit_of_the_spector_data():
    result = logistic_regression(spector_patients(), SPECTOR)
    assert isinstance(result, LogisticRegressionResult)
    odds = result.table.set_index("factor")
    assert np.log(odds["odds_ratio"]).to_dict() == pytest.approx({"GPA": 2.826, "TUCE": 0.0952, "PSI": 2.379},
                                                                 abs=0.001)
    assert odds.loc["GPA", "p"] == pytest.approx(0.025, abs=0.001)
    assert odds.loc["GPA", "lower_95"] < odds.loc["GPA", "odds_ratio"] < odds.loc["GPA", "upper_95"]
    assert result.converged and not result.warnings
    assert result.significant == ("GPA", "PSI")
    assert (result.n, result.events) == (32, 11)


def test_perfect_separation_gives_no_odds_ratios_and_says_why():
    """A factor that separates the groups sends its estimate to infinity and its Wald p to about 1: such
    a fit says nothing, so it is not computable rather than "no factor significant"."""
    patients = spector_patients()
    patients["separating"] = patients["tocilizumab"]
    covariate = Covariate("separating", ("separating",), lambda p: p["separating"].astype(float), "yes vs no")
    result = logistic_regression(patients, [covariate])
    assert isinstance(result, NotComputable) and "separate the groups" in result.reason


def test_logistic_regression_refuses_bad_input():
    with pytest.raises(InvalidInputError, match="lacks column"):
        logistic_regression(spector_patients().drop(columns="GPA"), SPECTOR)
    with pytest.raises(InvalidInputError, match="at least one covariate"):
        logistic_regression(spector_patients(), [])


@pytest.mark.parametrize("change, reason", [
    (lambda p: p.assign(tocilizumab=1.0), "group Non-toci has 0 patient(s); a model of group membership needs"),
    (lambda p: p.sort_values("tocilizumab").iloc[[0, 1, -2, -1]],
     "3 factors and an intercept need more than 4 patients; the data have 4"),
    (lambda p: p.assign(TUCE=20.0), "factor(s) TUCE take one value for every patient"),
])
def test_data_that_allow_no_model_say_why(change, reason):
    result = logistic_regression(change(spector_patients()), SPECTOR)
    assert isinstance(result, NotComputable) and result.reason.startswith(reason)


def test_a_group_below_the_disclosure_threshold_is_withheld():
    result = logistic_regression(spector_patients(), SPECTOR, disclosure=Disclosure(row_level=False, min_patients=12))
    assert isinstance(result, NotComputable) and result.reason.startswith("withheld: a model with group Toci")


def test_the_covariates_must_be_given():
    """Which factors enter the model is the caller's choice (Supplementary Table S4's are
    crs_compendium.reproduce.table2.S4_COVARIATES); there is no default set."""
    with pytest.raises(TypeError):
        logistic_regression(spector_patients())
