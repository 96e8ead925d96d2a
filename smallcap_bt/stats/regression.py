"""Means and regressions with Newey-West (HAC) standard errors, on statsmodels.

Lag choice, unless given: ``floor(4 * (T / 100) ** (2 / 9))`` (Newey and West, 1994), and at
least ``h - 1`` for overlapping ``h``-period observations.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from smallcap_bt.exceptions import InsufficientDataError
from smallcap_bt.stats.results import Estimate


def newey_west_lags(n: int) -> int:
    """Automatic lag length ``floor(4 (n/100)^(2/9))`` (Newey & West 1994)."""
    return math.floor(4 * (n / 100) ** (2 / 9))


def _span(index: pd.Index) -> tuple[str, str]:
    return (str(index[0]), str(index[-1])) if len(index) else ("", "")


def hac_mean(
    r: pd.Series,
    *,
    lags: int | None = None,
    periods_per_year: int = 12,
    annualise: bool = True,
    ci_level: float = 0.95,
    label: str = "mean",
    definition: str = "",
) -> Estimate:
    """Mean of a return series with a Newey-West interval and two-sided p-value.

    The estimate is arithmetic: the monthly mean x ``periods_per_year`` when ``annualise``
    (decimal per year), else the mean per period.
    """
    from statsmodels.regression.linear_model import OLS

    y = r.dropna()
    if len(y) < 3:
        raise InsufficientDataError(f"{label}: {len(y)} observations, need at least 3")
    lag = newey_west_lags(len(y)) if lags is None else int(lags)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = OLS(y.to_numpy(), np.ones(len(y))).fit(cov_type="HAC", cov_kwds={"maxlags": lag})
        pval = float(fit.pvalues[0])
    scale = periods_per_year if annualise else 1
    lo, hi = fit.conf_int(alpha=1 - ci_level)[0]
    start, end = _span(y.index)
    units = (
        "decimal per year, arithmetic (monthly mean x 12)"
        if annualise and periods_per_year == 12
        else "decimal per period, arithmetic mean"
    )
    return Estimate(
        float(fit.params[0] * scale),
        float(lo * scale),
        float(hi * scale),
        pval,
        len(y),
        units,
        f"OLS mean, Newey-West HAC, {lag} lags",
        start,
        end,
        definition,
        label,
        ci_level,
    )


@dataclass(frozen=True)
class RegressionResult:
    """Coefficients of an OLS regression with HAC standard errors."""

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    nobs: int
    lags: int
    rsquared: float
    start: str
    end: str

    def coef(
        self,
        name: str,
        *,
        scale: float = 1.0,
        label: str = "",
        units: str = "",
        definition: str = "",
        ci_level: float = 0.95,
    ) -> Estimate:
        """One coefficient as an :class:`Estimate` (normal-approximation interval)."""
        from scipy import stats

        z = stats.norm.ppf(0.5 + ci_level / 2)
        b, se = float(self.params[name]), float(self.bse[name])
        return Estimate(
            b * scale,
            (b - z * se) * scale,
            (b + z * se) * scale,
            float(self.pvalues[name]),
            self.nobs,
            units,
            f"OLS, Newey-West HAC, {self.lags} lags",
            self.start,
            self.end,
            definition,
            label or name,
            ci_level,
        )

    def table(self) -> pd.DataFrame:
        """Coefficient table: coef, se, t, p."""
        return pd.DataFrame(
            {"coef": self.params, "se": self.bse, "t": self.tvalues, "p": self.pvalues}
        )


def ols_hac(
    y: pd.Series,
    x: pd.DataFrame | pd.Series | None = None,
    *,
    lags: int | None = None,
    add_constant: bool = True,
) -> RegressionResult:
    """OLS of ``y`` on ``x`` (plus a constant ``const``) with Newey-West errors.

    Rows with any missing value are dropped; the index of the remaining rows gives the dates.
    """
    from statsmodels.regression.linear_model import OLS

    X = (
        pd.DataFrame(index=y.index)
        if x is None
        else (x.to_frame() if isinstance(x, pd.Series) else x.copy())
    )
    data = pd.concat([y.rename("__y__"), X], axis=1).dropna()
    if len(data) < X.shape[1] + 3:
        raise InsufficientDataError(f"regression of {y.name}: only {len(data)} complete rows")
    exog = data.drop(columns="__y__")
    if add_constant:
        exog.insert(0, "const", 1.0)
    lag = newey_west_lags(len(data)) if lags is None else int(lags)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # a constant regressand (zero variance) gives NaN statistics, not warnings
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = OLS(data["__y__"], exog).fit(cov_type="HAC", cov_kwds={"maxlags": lag})
        rsq = float(fit.rsquared)
        out = (fit.params, fit.bse, fit.tvalues, fit.pvalues)
    start, end = _span(data.index)
    return RegressionResult(*out, int(fit.nobs), lag, rsq, start, end)


def factor_alpha(
    excess: pd.Series,
    factors: pd.DataFrame,
    model: str = "ff3",
    *,
    lags: int | None = None,
    definition: str = "",
) -> Estimate:
    """CAPM (``mkt_rf``) or Fama-French 3-factor (``mkt_rf, smb, hml``) alpha, annualised x 12.

    ``excess`` is an excess return (or a long-short return) in decimal per month.
    """
    cols = {"capm": ["mkt_rf"], "ff3": ["mkt_rf", "smb", "hml"]}[model]
    res = ols_hac(excess, factors[cols], lags=lags)
    return res.coef(
        "const",
        scale=12,
        label=f"{model.upper()} alpha",
        units="decimal per year, arithmetic (monthly alpha x 12)",
        definition=definition,
    )


def predictive_regression(
    r: pd.Series, signal: pd.Series, horizon: int, *, label: str = "slope", definition: str = ""
) -> Estimate:
    """Regress the next ``horizon``-month cumulative return on a signal known at month end.

    ``y_t = sum(r_{t+1..t+h})``; overlapping observations get Newey-West errors with
    ``max(h, automatic)`` lags.
    """
    fwd = r.rolling(horizon).sum().shift(-horizon)
    n = int(pd.concat([fwd, signal], axis=1).dropna().shape[0])
    lags = max(horizon, newey_west_lags(max(n, 1)))
    res = ols_hac(fwd.rename("fwd"), signal.rename("signal"), lags=lags)
    return res.coef(
        "signal",
        label=label,
        units="slope: future cumulative return per unit of signal",
        definition=definition,
    )


def subperiod_difference(
    r: pd.Series, break_period: str, *, lags: int | None = None, definition: str = ""
) -> Estimate:
    """Change of the mean at ``break_period`` (after minus before), annualised x 12, HAC."""
    after = (r.index >= pd.Period(break_period, freq="M")).astype(float)
    res = ols_hac(r.rename("r"), pd.Series(after, index=r.index, name="after"), lags=lags)
    return res.coef(
        "after",
        scale=12,
        label=f"mean after {break_period} minus before",
        units="decimal per year, arithmetic (monthly mean x 12)",
        definition=definition,
    )
