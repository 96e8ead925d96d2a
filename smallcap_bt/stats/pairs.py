"""Intervals and p-values for the statistic actually reported on a pair of return legs.

A compounded or geometric small-minus-large figure needs an interval *of that figure*, not of
the mean of monthly differences. :func:`pair_bootstrap` resamples month *pairs*
``(small_t, large_t)`` with the stationary bootstrap (the same indices for both legs, so the
contemporaneous correlation and the serial dependence of both legs are kept) and recomputes
the statistic on every draw, vectorised over a ``(draws, T)`` matrix.

Interval: percentile interval of the bootstrap distribution of the statistic.
p-value (generic): from the bootstrap distribution recentred at the estimate (the null
``theta = 0`` imposed by translation), as Monte Carlo p-values ``(1 + hits) / (1 + B)``
over ``B`` draws, the hits being ``|theta* - theta| >= |theta|`` (two-sided),
``theta* - theta >= theta`` (``"greater"``) or ``theta* - theta <= theta`` (``"less"``).
p-value of :func:`cumulative_difference` and :func:`geometric_difference`: both are zero
exactly when the log wealth ratio ``sum(log(1+small) - log(1+large))`` is zero, and that sum
is tested with a studentised block bootstrap (bootstrap-t, Bartlett long-run variance), which
has the better size in small windows (see ``pair_bootstrap``'s ``null_terms``). The interval
and the p-value therefore come from the same draws but not the same statistic: they can
disagree at the margin.

References
----------
Politis, D. N. and Romano, J. P. (1994). The stationary bootstrap. JASA 89(428), 1303-1313.
Politis, D. N. and White, H. (2004). Automatic block-length selection for the dependent
bootstrap. Econometric Reviews 23(1), 53-70 (with Patton, Politis and White's 2009 correction).
Hall, P. and Wilson, S. R. (1991). Two guidelines for bootstrap hypothesis testing.
Biometrics 47(2), 757-762 (resample under the null by recentring; studentise).
Goetze, F. and Kuensch, H. R. (1996). Second-order correctness of the blockwise bootstrap for
stationary observations. Annals of Statistics 24(5), 1914-1933 (studentised block bootstrap).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from smallcap_bt.exceptions import InsufficientDataError
from smallcap_bt.stats import streams
from smallcap_bt.stats.inference import SeedLike, mc_pvalue, optimal_block_length, rng
from smallcap_bt.stats.results import Estimate

Alternative = Literal["two-sided", "greater", "less"]
PairStatistic = Callable[[np.ndarray, np.ndarray], np.ndarray]

#: fewer months than this give a point estimate with a NaN interval and p-value
MIN_MONTHS = 6


def pair_block_length(diff: np.ndarray) -> float:
    """Politis-White expected block length of a difference series, within ``[1, T/2]``.

    Falls back to ``T ** (1/3)`` where the automatic rule cannot be computed (very short
    series, zero variance).
    """
    n = len(diff)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            b = optimal_block_length(diff)
        if not math.isfinite(b):
            raise ValueError("non-finite block length")
    except (ValueError, InsufficientDataError, np.linalg.LinAlgError):
        b = n ** (1 / 3)
    return float(min(max(b, 1.0), max(n / 2, 1.0)))


def bootstrap_pvalue(
    theta: float, draws: np.ndarray, alternative: Alternative = "two-sided"
) -> float:
    """p-value of ``theta = 0`` from a bootstrap distribution recentred at ``theta``.

    Parameters
    ----------
    theta : float
        The estimate on the observed data.
    draws : numpy.ndarray
        Bootstrap replicates of the same statistic (same units as ``theta``).
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: the alternative is ``theta > 0``.
    """
    d = np.asarray(draws, dtype=float)
    d = d[np.isfinite(d)]
    if not math.isfinite(theta) or len(d) == 0:
        return math.nan
    centred = d - theta
    if alternative == "two-sided":
        return mc_pvalue(np.abs(centred) >= abs(theta))
    if alternative == "greater":
        return mc_pvalue(centred >= theta)
    if alternative == "less":
        return mc_pvalue(centred <= theta)
    raise ValueError(f"alternative must be 'two-sided', 'greater' or 'less', got {alternative!r}")


def bartlett_lrv(d: np.ndarray, lags: int) -> np.ndarray:
    """Row-wise Bartlett (Newey-West) long-run variance of ``d`` (``(k, T)``), demeaned."""
    dc = d - d.mean(axis=1, keepdims=True)
    n = d.shape[1]
    v = (dc * dc).sum(axis=1) / n
    for j in range(1, min(lags, n - 1) + 1):
        v = v + 2 * (1 - j / (lags + 1)) * (dc[:, j:] * dc[:, :-j]).sum(axis=1) / n
    return np.maximum(v, 1e-300)


def studentised_pvalue(t0: float, t_null: np.ndarray, alternative: Alternative) -> float:
    """p-value of a studentised statistic ``t0`` against bootstrap-t draws (recentred)."""
    d = t_null[np.isfinite(t_null)]
    if not math.isfinite(t0) or len(d) == 0:
        return math.nan
    if alternative == "two-sided":
        return mc_pvalue(np.abs(d) >= abs(t0))
    if alternative == "greater":
        return mc_pvalue(d >= t0)
    if alternative == "less":
        return mc_pvalue(d <= t0)
    raise ValueError(f"alternative must be 'two-sided', 'greater' or 'less', got {alternative!r}")


def _aligned(small: pd.Series, large: pd.Series) -> pd.DataFrame:
    data = pd.concat([small.rename("s"), large.rename("l")], axis=1).dropna()
    return data


def pair_bootstrap(
    small: pd.Series,
    large: pd.Series,
    statistic: PairStatistic,
    *,
    draws: int = 2_000,
    seed: SeedLike = None,
    block: float | None = None,
    ci_level: float = 0.95,
    alternative: Alternative = "two-sided",
    units: str = "",
    label: str = "statistic",
    definition: str = "",
    null_terms: PairStatistic | None = None,
    chunk_cells: int = 4_000_000,
) -> Estimate:
    """Stationary block bootstrap of month pairs for any vectorised pair statistic.

    Parameters
    ----------
    small, large : pandas.Series
        Monthly decimal returns of the two legs (aligned on their index; months where either
        is missing are dropped).
    statistic : callable
        ``statistic(S, L) -> ndarray (k,)`` for two ``(k, T)`` arrays of the two legs, one row
        per draw (the observed data are passed as a single row). Must be vectorised over rows.
    draws : int
        Bootstrap replications.
    seed : int, Generator or None
        Seed (None = 0, reproducible).
    block : float, optional
        Expected block length in months; default Politis-White on ``small - large``.
    ci_level : float
        Level of the percentile interval.
    alternative : {"two-sided", "greater", "less"}
        Alternative of the p-value (``"greater"``: statistic > 0).
    units, label, definition : str
        Copied into the :class:`Estimate`.
    null_terms : callable, optional
        ``null_terms(S, L) -> (k, T)`` per-month terms whose sum is zero exactly when
        ``statistic`` is zero (e.g. ``log(1+small) - log(1+large)`` for a compounded
        difference). When given, the p-value is a studentised (bootstrap-t) test of their sum
        on the same draws: ``t = sum / se`` with a Bartlett long-run variance of ``ceil(block)``
        lags, against ``t* = (sum* - sum) / se*`` (Goetze & Kuensch 1996). The hypothesis is the
        same as for ``statistic``; a studentised sum is closer to pivotal than a difference of
        products (the recentred bootstrap of the compounded difference itself rejected 0.3% at
        5% in a 120-month simulation; the recentred log ratio 6-13% on 36-120 months with
        AR(1) 0-0.2; the studentised one 5-8%). Default: ``statistic`` recentred.

    Returns
    -------
    Estimate
        ``value`` = statistic on the data; percentile interval; recentred bootstrap p-value;
        ``extra``: ``draws`` (the replicates), ``block``, ``alternative``. With fewer than
        ``MIN_MONTHS`` (6) months the interval and p-value are NaN and ``method`` says why.
    """
    data = _aligned(small, large)
    s = data["s"].to_numpy(dtype=float)
    l_ = data["l"].to_numpy(dtype=float)
    n = len(s)
    start, end = (str(data.index[0]), str(data.index[-1])) if n else ("", "")
    value = float(statistic(s[None, :], l_[None, :])[0]) if n else math.nan
    if n < MIN_MONTHS:
        return Estimate(
            value,
            n=n,
            units=units,
            method=f"no interval: {n} months, the pair bootstrap needs at least {MIN_MONTHS}",
            start=start,
            end=end,
            definition=definition,
            label=label,
            ci_level=ci_level,
        )
    if draws < 1:
        raise ValueError(f"{label}: draws must be a positive integer, got {draws}")
    b = pair_block_length(s - l_) if block is None else float(block)
    g = rng(seed)
    out = np.empty(draws)
    t_null = np.empty(draws)
    lags = math.ceil(b)
    if null_terms is not None:
        d0 = null_terms(s[None, :], l_[None, :])
        sum0 = float(d0.sum())
        t0 = sum0 / math.sqrt(n * float(bartlett_lrv(d0, lags)[0]))
    # one key of the counter stream (streams.py): resample i is row i, however it is chunked
    key = streams.draw_key(g)
    p_new = 1.0 / max(b, 1.0)
    fast = isinstance(statistic, LogGrowthDifference) and null_terms in (None, _log_excess)
    step = draws if fast else max(1, chunk_cells // n)
    if fast:  # same draws, statistics from block-wise log sums on a numba kernel
        from smallcap_bt.stats import nb_predictive

        ls, ll = np.log1p(s), np.log1p(l_)
        threshold = streams.new_block_threshold(p_new)
    for i in range(0, draws, step):
        k = min(step, draws - i)
        if fast:
            assert isinstance(statistic, LogGrowthDifference)
            sum_s, sum_l, sum_d, lrv = nb_predictive.pair_log_sums(
                key, i, k, threshold, ls, ll, lags, null_terms is not None
            )
            out[i : i + k] = statistic.from_log_sums(sum_s, sum_l, n)
            if null_terms is not None:
                t_null[i : i + k] = (sum_d - sum0) / np.sqrt(n * lrv)
            continue
        idx = streams.stationary_indices(key, i, k, n, p_new)
        S, L = s[idx], l_[idx]
        out[i : i + k] = statistic(S, L)
        if null_terms is not None:
            d = null_terms(S, L)
            t_null[i : i + k] = (d.sum(axis=1) - sum0) / np.sqrt(n * bartlett_lrv(d, lags))
    a = 1 - ci_level
    lo, hi = np.quantile(out, [a / 2, 1 - a / 2])
    if null_terms is None:
        p = bootstrap_pvalue(value, out, alternative)
        p_text = "recentred bootstrap distribution"
    else:
        p = studentised_pvalue(t0, t_null, alternative)
        p_text = (
            f"studentised bootstrap (bootstrap-t) of the log wealth ratio, Bartlett {lags} lags"
        )
    return Estimate(
        value,
        float(lo),
        float(hi),
        p,
        n,
        units,
        f"stationary bootstrap of month pairs (same indices for both legs), {draws} draws, "
        f"mean block {b:.1f} months; percentile interval; {alternative} p-value from the "
        f"{p_text}",
        start,
        end,
        definition,
        label,
        ci_level,
        {"draws": out, "block": b, "alternative": alternative},
    )


class LogGrowthDifference:
    """Compounded (or annualised geometric) small minus large, a vectorised pair statistic.

    ``stat(S, L) = expm1(f * sum log(1 + S)) - expm1(f * sum log(1 + L))`` row by row, with
    ``f = 1`` (cumulative, decimal over the window) or ``f = periods_per_year / T`` (decimal
    per year, geometric). Because it depends on each leg only through its log growth,
    :func:`pair_bootstrap` computes its draws from block-wise log sums on a numba kernel
    (:func:`smallcap_bt.stats.nb_predictive.pair_log_sums`) instead of gathering ``(draws, T)``
    matrices; calling the object is the NumPy reference.

    Parameters
    ----------
    periods_per_year : int, optional
        None for the cumulative difference; else periods a year (12: monthly returns).
    """

    def __init__(self, periods_per_year: int | None = None) -> None:
        self.periods_per_year = periods_per_year

    def _factor(self, n: int) -> float:
        return 1.0 if self.periods_per_year is None else self.periods_per_year / n

    def __call__(self, s: np.ndarray, l_: np.ndarray) -> np.ndarray:
        if self.periods_per_year is None:
            return np.expm1(np.log1p(s).sum(axis=1)) - np.expm1(np.log1p(l_).sum(axis=1))
        f = self._factor(s.shape[1])
        return np.expm1(f * np.log1p(s).sum(axis=1)) - np.expm1(f * np.log1p(l_).sum(axis=1))

    def from_log_sums(self, sum_s: np.ndarray, sum_l: np.ndarray, n: int) -> np.ndarray:
        """The statistic from the legs' summed log returns over ``n`` months (``(k,)`` each)."""
        if self.periods_per_year is None:
            return np.expm1(sum_s) - np.expm1(sum_l)
        f = self._factor(n)
        return np.expm1(f * sum_s) - np.expm1(f * sum_l)


_cumdiff = LogGrowthDifference()


def _log_excess(s: np.ndarray, l_: np.ndarray) -> np.ndarray:
    """Monthly log excess; its sum (the log wealth ratio) is zero exactly when the compounded
    (or geometric) difference is zero."""
    return np.log1p(s) - np.log1p(l_)


def _geodiff(periods_per_year: int) -> PairStatistic:
    return LogGrowthDifference(periods_per_year)


def cumulative_difference(
    small: pd.Series,
    large: pd.Series,
    *,
    draws: int = 2_000,
    seed: SeedLike = None,
    block: float | None = None,
    ci_level: float = 0.95,
    alternative: Alternative = "two-sided",
    label: str = "cumulative small minus large",
    definition: str = "",
) -> Estimate:
    """Compounded small minus compounded large over the window, with a pair bootstrap.

    ``value = prod(1 + small) - prod(1 + large)`` over the common months (decimal, not
    annualised). Interval: percentile interval of this compounded difference recomputed on
    every draw of :func:`pair_bootstrap`. p-value: the compounded difference is zero exactly
    when the log wealth ratio ``sum(log(1+small) - log(1+large))`` is zero, so the p-value is
    that of a studentised bootstrap (bootstrap-t) of the log ratio on the same draws (see
    ``null_terms``).
    """
    return pair_bootstrap(
        small,
        large,
        _cumdiff,
        draws=draws,
        seed=seed,
        block=block,
        ci_level=ci_level,
        alternative=alternative,
        units="decimal, cumulative over the window (compounded small minus compounded large)",
        label=label,
        definition=definition,
        null_terms=_log_excess,
    )


def geometric_difference(
    small: pd.Series,
    large: pd.Series,
    *,
    draws: int = 2_000,
    seed: SeedLike = None,
    block: float | None = None,
    ci_level: float = 0.95,
    alternative: Alternative = "two-sided",
    periods_per_year: int = 12,
    label: str = "geometric small minus large",
    definition: str = "",
) -> Estimate:
    """Difference of compound annual returns (12 months a year), with a pair bootstrap.

    ``value = prod(1+small)^(12/T) - prod(1+large)^(12/T)`` (decimal per year, geometric).
    Interval: percentile interval of this difference recomputed on every draw of
    :func:`pair_bootstrap`; p-value as in :func:`cumulative_difference` (log wealth ratio, the
    same null).
    """
    return pair_bootstrap(
        small,
        large,
        _geodiff(periods_per_year),
        draws=draws,
        seed=seed,
        block=block,
        ci_level=ci_level,
        alternative=alternative,
        units="decimal per year, geometric (difference of compound annual returns)",
        label=label,
        definition=definition,
        null_terms=_log_excess,
    )
