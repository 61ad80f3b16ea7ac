"""Logistic regression of the tocilizumab group on several factors at once (Supplementary Table S4)."""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError
from ..formatting import p_text

__all__ = ["Covariate", "LogisticRegressionResult", "logistic_regression"]


@dataclass(frozen=True)
class Covariate:
    """A factor of the logistic model: its name, how to compute it per patient, and its unit."""

    name: str
    columns: tuple[str, ...]
    compute: Callable[[pd.DataFrame], pd.Series] = field(compare=False)
    unit: str


@dataclass(frozen=True, repr=False)
class LogisticRegressionResult:
    """Odds ratios of tocilizumab use with 95% Wald intervals and p-values, and how the fit went."""

    table: pd.DataFrame
    n: int
    events: int
    converged: bool
    warnings: tuple[str, ...]
    alpha: float = 0.05

    @property
    def significant(self) -> tuple[str, ...]:
        """Factors whose p-value is below ``alpha``."""
        return tuple(self.table.loc[self.table["p"] < self.alpha, "factor"])

    def __repr__(self) -> str:
        fit = "converged" if self.converged else "did NOT converge"
        lines = [f"Logistic regression of tocilizumab use: n = {self.n}, {self.events} treated, "
                 f"{len(self.table)} factors; fit {fit}; significant at {self.alpha}: "
                 f"{', '.join(self.significant) or 'none'}"]
        for row in self.table.itertuples():
            lines.append(f"  {row.factor} ({row.unit}): OR {row.odds_ratio:.2f} (95% CI {row.lower_95:.2f}-"
                         f"{row.upper_95:.2f}), {p_text(row.p)}")
        lines += [f"  warning: {message}" for message in self.warnings]
        return "\n".join(lines)


def logistic_regression(patients: pd.DataFrame, covariates: Sequence[Covariate],
                        *, alpha: float = 0.05) -> LogisticRegressionResult:
    """Logistic regression of tocilizumab use on several factors at once (Supplementary Table S4).

    Parameters
    ----------
    patients : DataFrame
        The patient table of the schema.
    covariates : sequence of Covariate
        The factors, all entered together (Supplementary Table S4's reading:
        :data:`crs_compendium.reproduce.table2.S4_COVARIATES`).

    Returns
    -------
    LogisticRegressionResult
        ``table`` has one row per factor: ``factor``, ``unit``, ``odds_ratio``, ``lower_95``,
        ``upper_95``, ``p`` (Wald); warnings of the fit (perfect separation, no convergence) are kept.

    Notes
    -----
    Maximum likelihood with statsmodels' ``Logit`` (Newton-Raphson). With 17 treated patients and seven
    factors the model has about two events per factor, far below the ten usually asked for (Peduzzi et
    al. 1996): intervals are wide and p-values unstable, so "none significant" says little.

    References
    ----------
    Peduzzi P, Concato J, Kemper E, Holford TR, Feinstein AR. A simulation study of the number of events
    per variable in logistic regression analysis. J Clin Epidemiol 1996;49:1373-1379.
    """
    # Imported here: statsmodels' discrete models cost about a second to import, and only this page needs them.
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning
    from statsmodels.tools.tools import add_constant

    if not covariates:
        raise InvalidInputError("logistic_regression: at least one covariate is needed")
    missing = sorted({column for covariate in covariates for column in covariate.columns} - set(patients.columns))
    if missing:
        raise InvalidInputError(f"logistic_regression: the patient table lacks column(s) {missing}")
    outcome = patients["tocilizumab"].astype(float)
    if outcome.nunique() < 2:
        raise InvalidInputError("logistic_regression: every patient is in the same group; nothing to model")
    design = pd.DataFrame({covariate.name: covariate.compute(patients) for covariate in covariates})
    design = add_constant(design, has_constant="add")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PerfectSeparationWarning)
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("always", RuntimeWarning)
        fit = Logit(outcome.to_numpy(), design).fit(disp=0, maxiter=100)
    intervals = fit.conf_int(alpha=0.05)
    with np.errstate(over="ignore"):  # a separated factor's estimate runs off to infinity; inf is the answer
        table = pd.DataFrame({
            "factor": [covariate.name for covariate in covariates],
            "unit": [covariate.unit for covariate in covariates],
            "odds_ratio": np.exp(fit.params[1:].to_numpy()),
            "lower_95": np.exp(intervals.iloc[1:, 0].to_numpy()),
            "upper_95": np.exp(intervals.iloc[1:, 1].to_numpy()),
            "p": fit.pvalues[1:].to_numpy(),
        })
    messages = tuple(dict.fromkeys(str(warning.message).splitlines()[0] for warning in caught))
    return LogisticRegressionResult(table=table, n=len(outcome), events=int(outcome.sum()),
                                    converged=bool(fit.mle_retvals.get("converged", False)), warnings=messages,
                                    alpha=alpha)

