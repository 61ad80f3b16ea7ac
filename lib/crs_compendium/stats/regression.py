"""Logistic regression of the tocilizumab group on several factors at once (Supplementary Table S4)."""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..computable import NotComputable
from ..exceptions import InvalidInputError
from ..formatting import p_text
from ..patients.disclosure import SHOW_ALL, Disclosure
from ..vocab import GROUP_ORDER

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


def logistic_regression(patients: pd.DataFrame, covariates: Sequence[Covariate], *, alpha: float = 0.05,
                        disclosure: Disclosure = SHOW_ALL) -> LogisticRegressionResult | NotComputable:
    """Logistic regression of tocilizumab use on several factors at once (Supplementary Table S4).

    Parameters
    ----------
    patients : DataFrame
        The patient table of the schema.
    covariates : sequence of Covariate
        The factors, all entered together (Supplementary Table S4's reading:
        :data:`crs_compendium.reproduce.table2.S4_COVARIATES`).

    disclosure : Disclosure, optional
        What may be shown; a group smaller than it allows is withheld. By default everything.

    Returns
    -------
    LogisticRegressionResult or NotComputable
        ``table`` has one row per factor: ``factor``, ``unit``, ``odds_ratio``, ``lower_95``,
        ``upper_95``, ``p`` (Wald); warnings of the fit are kept. Not computable (with the reason) when a
        group has fewer than 2 patients, the model has as many parameters as patients, a factor is the
        same for everyone, or the factors separate the groups perfectly (the estimates then run off to
        infinity and their p-values mean nothing).

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
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationError, PerfectSeparationWarning
    from statsmodels.tools.tools import add_constant

    if not covariates:
        raise InvalidInputError("logistic_regression: at least one covariate is needed")
    missing = sorted({column for covariate in covariates for column in covariate.columns} - set(patients.columns))
    if missing:
        raise InvalidInputError(f"logistic_regression: the patient table lacks column(s) {missing}")
    what = "Logistic regression of tocilizumab use"
    outcome = patients["tocilizumab"].astype(float)
    for label, size in ((GROUP_ORDER[0], int(outcome.sum())), (GROUP_ORDER[1], int((1 - outcome).sum()))):
        if size < 2:
            return NotComputable(what, f"group {label} has {size} patient(s); a model of group membership needs at "
                                       "least 2 in each")
        withheld = disclosure.withheld(size, f"a model with group {label}")
        if withheld:
            return NotComputable(what, withheld)
    if len(outcome) <= len(covariates) + 1:
        return NotComputable(what, f"{len(covariates)} factors and an intercept need more than {len(covariates) + 1} "
                                   f"patients; the data have {len(outcome)}")
    design = pd.DataFrame({covariate.name: covariate.compute(patients) for covariate in covariates})
    constant = [name for name in design.columns if design[name].nunique() < 2]
    if constant:
        return NotComputable(what, f"factor(s) {', '.join(constant)} take one value for every patient, so their "
                                   "odds ratios are not defined")
    design = add_constant(design, has_constant="add")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PerfectSeparationWarning)
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("always", RuntimeWarning)
        try:
            fit = Logit(outcome.to_numpy(), design).fit(disp=0, maxiter=100)
        except (np.linalg.LinAlgError, PerfectSeparationError) as error:
            return NotComputable(what, f"the model cannot be fitted to these data ({error})")
    if any(issubclass(warning.category, PerfectSeparationWarning) for warning in caught):
        return NotComputable(what, "the factors separate the groups (nearly) perfectly: the estimates run off to "
                                   "infinity and their p-values mean nothing")
    intervals = fit.conf_int(alpha=0.05)
    with np.errstate(over="ignore"):  # an estimate near separation can overflow exp(); inf is then the answer
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
