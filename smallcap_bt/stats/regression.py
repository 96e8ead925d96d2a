"""Means and regressions with Newey-West (HAC) standard errors.

The arithmetic is statsmodels' ``OLS(...).fit(cov_type="HAC", cov_kwds={"maxlags": L})``
(Bartlett weights ``1 - j / (L + 1)``, sandwich ``(X'X)^+ S (X'X)^+`` without small-sample
factor, normal p-values and intervals), written out in NumPy
(:func:`ols_hac_arrays`): the claims run a few hundred of these, and statsmodels' model and
results objects cost more than the algebra (and 0.7 s to import). The suite checks every
figure against statsmodels fitted directly.

Lag choice, unless given: ``floor(4 * (T / 100) ** (2 / 9))`` (Newey and West, 1994), and at
least ``h - 1`` for overlapping ``h``-period observations.
"""

from __future__ import annotations

import math
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


@dataclass(frozen=True)
class HacFit:
    """Arrays of an OLS fit with Newey-West covariance (:func:`ols_hac_arrays`)."""

    params: np.ndarray
    bse: np.ndarray
    rsquared: float
    nobs: int

    @property
    def tvalues(self) -> np.ndarray:
        """``params / bse``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.params / self.bse

    @property
    def pvalues(self) -> np.ndarray:
        """Two-sided normal p-values of the t statistics."""
        from scipy.special import ndtr

        return 2 * ndtr(-np.abs(self.tvalues))

    def conf_int(self, ci_level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Normal interval ``params -/+ z bse``."""
        from scipy.special import ndtri

        z = float(ndtri(0.5 + ci_level / 2))
        return self.params - z * self.bse, self.params + z * self.bse


def _spans_constant(X: np.ndarray) -> bool:
    """Whether the columns of ``X`` hold a constant (one column, or a combination of several,
    e.g. dummies summing to one): statsmodels then centres R-squared too."""
    if X.shape[1] == 0:
        return False
    rank = np.linalg.matrix_rank
    return bool(rank(np.column_stack([X, np.ones(len(X))])) == rank(X))


def ols_hac_arrays(y: np.ndarray, X: np.ndarray, lags: int, has_const: bool = True) -> HacFit:
    """OLS of ``y`` (``(n,)``) on ``X`` (``(n, k)``) with Newey-West (Bartlett) covariance.

    Parameters
    ----------
    y, X : numpy.ndarray
        Complete observations in time order (no missing values).
    lags : int
        Bartlett lags ``L`` (weights ``1 - j / (L + 1)``, ``j = 1 .. L``).
    has_const : bool
        Whether ``X`` holds a constant column (R-squared centred as statsmodels does).

    Returns
    -------
    HacFit
        Coefficients, HAC standard errors (sandwich ``(X'X)^+ S (X'X)^+``, with ``S`` the
        Bartlett-weighted sum of the scores' autocovariances; no small-sample factor, as
        statsmodels' default ``use_correction=False``), R-squared, ``n``;
        statsmodels' ``cov_type="HAC"`` to rounding (pseudo-inverse as in statsmodels, so a
        singular design gives the same minimum-norm fit).
    """
    n = X.shape[0]
    pinv = np.linalg.pinv(X)
    params = pinv @ y
    bread = pinv @ pinv.T
    resid = y - X @ params
    xu = X * resid[:, None]
    S = xu.T @ xu
    for j in range(1, min(int(lags), n - 1) + 1):
        g = xu[j:].T @ xu[:-j]
        S += (1 - j / (lags + 1)) * (g + g.T)
    cov = bread @ S @ bread.T
    with np.errstate(invalid="ignore"):
        bse = np.sqrt(np.diag(cov))
    ssr = float(resid @ resid)
    tss = float(((y - y.mean()) ** 2).sum() if has_const else y @ y)
    with np.errstate(divide="ignore", invalid="ignore"):
        rsq = 1 - ssr / tss if tss else float("nan")
    return HacFit(params, bse, float(rsq), n)


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
    y = r.dropna()
    if len(y) < 3:
        raise InsufficientDataError(f"{label}: {len(y)} observations, need at least 3")
    lag = newey_west_lags(len(y)) if lags is None else int(lags)
    with np.errstate(all="ignore"):
        fit = ols_hac_arrays(y.to_numpy(dtype=float), np.ones((len(y), 1)), lag)
        pval = float(fit.pvalues[0])
        low, high = fit.conf_int(ci_level)
    scale = periods_per_year if annualise else 1
    lo, hi = float(low[0]), float(high[0])
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
        from scipy.special import ndtri

        z = float(ndtri(0.5 + ci_level / 2))
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
    X_ = exog.to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        # a constant regressand (zero variance) gives NaN statistics, not warnings
        fit = ols_hac_arrays(
            data["__y__"].to_numpy(dtype=float),
            X_,
            lag,
            has_const=add_constant or _spans_constant(X_),
        )
        names = exog.columns
        params, bse = pd.Series(fit.params, index=names), pd.Series(fit.bse, index=names)
        tvalues, pvalues = pd.Series(fit.tvalues, index=names), pd.Series(fit.pvalues, index=names)
    start, end = _span(data.index)
    return RegressionResult(params, bse, tvalues, pvalues, fit.nobs, lag, fit.rsquared, start, end)


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
