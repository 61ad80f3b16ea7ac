"""Logistic regression of the tocilizumab group on several factors (crs_compendium.stats.regression).

Outside source: Greene, Econometric Analysis (5th ed., Table 21.1), the logit of the Spector-Mazzeo grade
data shipped with statsmodels (GPA 2.826, TUCE 0.0952, PSI 2.379, constant -13.021; GPA p = 0.025).
"""
import numpy as np
import pytest
from statsmodels.datasets import spector

from crs_compendium.exceptions import InvalidInputError
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


def test_perfect_separation_is_reported_not_hidden():
    patients = spector_patients()
    patients["separating"] = patients["tocilizumab"]
    covariate = Covariate("separating", ("separating",), lambda p: p["separating"].astype(float), "yes vs no")
    result = logistic_regression(patients, [covariate])
    assert any("separation" in message.lower() for message in result.warnings)
    assert "warning:" in repr(result)


def test_logistic_regression_refuses_bad_input():
    with pytest.raises(InvalidInputError, match="lacks column"):
        logistic_regression(spector_patients().drop(columns="GPA"), SPECTOR)
    with pytest.raises(InvalidInputError, match="same group"):
        logistic_regression(spector_patients().assign(tocilizumab=1.0), SPECTOR)
    with pytest.raises(InvalidInputError, match="at least one covariate"):
        logistic_regression(spector_patients(), [])


def test_the_covariates_must_be_given():
    """Which factors enter the model is the caller's choice (Supplementary Table S4's are
    crs_compendium.reproduce.table2.S4_COVARIATES); there is no default set."""
    with pytest.raises(TypeError):
        logistic_regression(spector_patients())
