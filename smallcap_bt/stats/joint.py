"""A joint test across a specification curve, for monthly time series.

A claim tested under many reasonable specifications (size definitions, samples, regimes,
horizons) gives many estimates; "robust across definitions" should mean that, taken *together*,
they are unlikely under the null of no effect. Simonsohn, Simmons and Nelson (2020) answer this
for cross-sectional data by re-estimating every specification on data generated under the null
and comparing the observed number of significant specifications (and the median estimate)
with its null distribution. Here the null data come from a stationary block bootstrap of the
return columns (the same indices for all of them, so their cross-correlation and serial
dependence are kept), demeaned to impose a zero mean effect, while the conditioning columns
(regime dummies, event calendars, regressors) stay on the calendar: resampling breaks the link
between returns and conditions, and every specification is re-estimated on the same draw, so
the dependence *between* specifications is kept too.

References
----------
Simonsohn, U., Simmons, J. P. and Nelson, L. D. (2020). Specification curve analysis.
Nature Human Behaviour 4, 1208-1214.
Politis, D. N. and Romano, J. P. (1994). The stationary bootstrap. JASA 89(428), 1303-1313.
Politis, D. N. and White, H. (2004). Automatic block-length selection for the dependent
bootstrap. Econometric Reviews 23(1), 53-70.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from smallcap_bt.stats.inference import SeedLike, mc_pvalue, rng, stationary_indices
from smallcap_bt.stats.pairs import pair_block_length


@dataclass(frozen=True)
class SpecCurveTest:
    """Result of :func:`spec_curve_test`.

    Attributes
    ----------
    n_specs : int
        Specifications (length of the statistic's output).
    n_positive : int
        Observed estimates > 0 (the claim's direction).
    n_significant : int
        Observed specifications whose standardised estimate exceeds the one-sided normal
        critical value at ``alpha``.
    p_count : float
        ``(1 + k) / (1 + draws)``, ``k`` the null draws with at least ``n_significant``
        significant specifications.
    median_estimate : float
        Median of the observed raw estimates (in the statistic's units).
    median_z : float
        Median of the observed standardised estimates.
    p_median : float
        ``(1 + k) / (1 + n)``, ``k`` of the ``n`` null draws with a finite median having a
        median standardised estimate at least ``median_z``. The verdicts use this one.
    draws : int
        Null draws.
    block : float
        Expected block length of the stationary bootstrap, months.
    method : str
        One line describing the test.
    """

    n_specs: int
    n_positive: int
    n_significant: int
    p_count: float
    median_estimate: float
    median_z: float
    p_median: float
    draws: int
    block: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict (NaN becomes None)."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }


def _block_length(values: np.ndarray) -> float:
    """Largest Politis-White block length over the columns (NaNs dropped)."""
    out = 1.0
    for j in range(values.shape[1]):
        col = values[:, j]
        col = col[np.isfinite(col)]
        if len(col) >= 8:
            out = max(out, pair_block_length(col))
    return out


class Resampled:
    """Columns of ``k`` null draws of a monthly frame, gathered when first read.

    ``draws[column]`` is a ``(k, T)`` array for a resampled column (its demeaned values at
    the draws' stationary-bootstrap indices; missing values move with their rows) and a
    ``(1, T)`` array for a column that stays on its calendar, so both broadcast alike. With
    no indices it is the observed data itself (``k = 1``).

    Parameters
    ----------
    data : pandas.DataFrame
        The frame being tested (its index and fixed columns).
    values : dict of str to numpy.ndarray
        Each resampled column's ``(T,)`` values (demeaned when the test demeans).
    idx : numpy.ndarray or None
        ``(k, T)`` row indices of the draws; None for the observed data.
    """

    def __init__(
        self, data: pd.DataFrame, values: dict[str, np.ndarray], idx: np.ndarray | None
    ) -> None:
        self.index = data.index
        self.k = 1 if idx is None else len(idx)
        self._data, self._values, self._idx = data, values, idx
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, column: str) -> np.ndarray:
        out = self._cache.get(column)
        if out is None:
            if self._idx is not None and column in self._values:
                out = self._values[column][self._idx]
            else:
                out = self._data[column].to_numpy(dtype=float)[None, :]
            self._cache[column] = out
        return out


def _null_values(data: pd.DataFrame, cols: Sequence[str], demean: bool) -> np.ndarray:
    returns = data[list(cols)].to_numpy(dtype=float)
    if demean:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column stays NaN
            means = np.nanmean(returns, axis=0)
        returns = returns - np.where(np.isfinite(means), means, 0.0)
    return returns


def null_block_length(data: pd.DataFrame, resample: Sequence[str], demean: bool = True) -> float:
    """The block length :func:`spec_curve_test` uses by default, months: the largest
    Politis-White length over the resampled columns (NaNs dropped). Depends only on the
    data, so a caller testing many statistics on one panel can compute it once and pass it
    as ``block``."""
    return _block_length(_null_values(data, resample, demean))


def spec_curve_test(
    data: pd.DataFrame,
    statistic: Callable[[pd.DataFrame], np.ndarray],
    *,
    resample: Sequence[str] | None = None,
    demean: bool = True,
    draws: int = 1000,
    seed: SeedLike = None,
    block: float | None = None,
    alpha: float = 0.05,
    batch_statistic: Callable[[Resampled], np.ndarray] | None = None,
    chunk: int = 250,
) -> SpecCurveTest:
    """Joint test of every specification of a claim under the null of no effect.

    Parameters
    ----------
    data : pandas.DataFrame
        Monthly frame (PeriodIndex) holding every column the specifications read.
    statistic : callable
        ``statistic(frame) -> ndarray (S,)``: every specification's estimate, oriented so that
        ``> 0`` is the claim's direction. Called once on ``data`` and once per draw on a frame
        with the same index and columns (NaN estimates are ignored in counts and medians).
    resample : sequence of str, optional
        Return columns to block-bootstrap jointly (the same stationary-bootstrap row indices
        for all of them); default all columns. The other columns stay fixed on the calendar.
        Missing values move with their rows.
    demean : bool
        Subtract each resampled column's mean first (imposes a zero mean effect).
    draws : int
        Null draws.
    seed : int, Generator or None
        Seed (None = 0).
    block : float, optional
        Expected block length in months; default the largest Politis-White length over the
        resampled columns.
    alpha : float
        One-sided level at which a single specification counts as significant.
    batch_statistic : callable, optional
        Fast path: ``batch_statistic(draws) -> ndarray (k, S)`` for a :class:`Resampled`
        view of ``k`` null draws at once (``draws[column]`` is ``(k, T)`` for a resampled
        column, ``(1, T)`` for a fixed one), so no frame is built per draw. When given it
        replaces ``statistic`` for the null draws (called on chunks of ``chunk`` draws);
        ``statistic`` still gives the observed estimates, and the two must agree on the
        observed data (checked: ``ValueError`` otherwise).
    chunk : int
        Draws per ``batch_statistic`` call (memory: ``chunk x T`` floats per column read).

    Returns
    -------
    SpecCurveTest

    Notes
    -----
    Each specification is standardised by the standard deviation of its estimates across the
    null draws; it is significant when ``z > Phi^{-1}(1 - alpha)``. ``p_count`` compares the
    observed count with its null distribution, ``p_median`` the observed median ``z`` with
    the null medians -- both one-sided in the claim's direction (Simonsohn et al. 2020, who
    also use the share of specifications in the claimed direction; ``n_positive`` is reported
    for that reading).
    """
    from scipy.special import ndtri

    if draws < 2:
        raise ValueError(f"spec_curve_test: draws must be at least 2, got {draws}")
    cols = list(data.columns) if resample is None else list(resample)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise KeyError(f"spec_curve_test: resample columns not in data: {missing}")
    observed = np.asarray(statistic(data), dtype=float).ravel()
    n_specs = len(observed)
    returns = _null_values(data, cols, demean)
    T = len(data)
    b = _block_length(returns) if block is None else float(block)
    g = rng(seed)
    idx = stationary_indices(T, draws, b, g)
    pos = [data.columns.get_loc(c) for c in cols]
    numeric = all(pd.api.types.is_numeric_dtype(t) for t in data.dtypes)
    null = np.empty((draws, n_specs))
    if batch_statistic is not None:
        check = np.asarray(batch_statistic(Resampled(data, {}, None)), dtype=float)
        check = check.reshape(1, -1)[0]
        if check.shape != observed.shape or not np.allclose(
            check, observed, rtol=1e-8, atol=1e-12, equal_nan=True
        ):
            raise ValueError(
                "spec_curve_test: batch_statistic and statistic disagree on the observed data"
            )
        values = {c: np.ascontiguousarray(returns[:, j]) for j, c in enumerate(cols)}
        for i in range(0, draws, chunk):
            k = min(chunk, draws - i)
            draw = Resampled(data, values, idx[i : i + k])
            null[i : i + k] = np.asarray(batch_statistic(draw), dtype=float).reshape(k, -1)
    elif numeric:
        base = data.to_numpy(dtype=float, copy=True)
        for i in range(draws):
            arr = base.copy()
            arr[:, pos] = returns[idx[i]]
            frame = pd.DataFrame(arr, index=data.index, columns=data.columns, copy=False)
            null[i] = np.asarray(statistic(frame), dtype=float).ravel()
    else:
        for i in range(draws):
            frame = data.copy()
            frame[cols] = returns[idx[i]]
            null[i] = np.asarray(statistic(frame), dtype=float).ravel()
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        # a specification with fewer than two finite null draws has no standard deviation
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(null, axis=0, ddof=1)
        sd = np.where(sd > 0, sd, np.nan)
        z_obs = observed / sd
        z_null = null / sd
    crit = float(ndtri(1 - alpha))
    n_sig = int(np.sum(z_obs > crit))
    n_sig_null = np.sum(z_null > crit, axis=1)
    med_z = float(np.nanmedian(z_obs)) if np.isfinite(z_obs).any() else math.nan
    with np.errstate(invalid="ignore"):
        finite_rows = np.isfinite(z_null).any(axis=1)
        med_null = np.full(draws, np.nan)
        med_null[finite_rows] = np.nanmedian(z_null[finite_rows], axis=1)
    # Monte Carlo p-values, (1 + hits) / (1 + draws) as for the placebo tests: never 0 from
    # finitely many draws (Davison and Hinkley 1997, eq. 4.11; exact only for exchangeable
    # draws, slightly conservative for this bootstrap null)
    p_count = mc_pvalue(n_sig_null >= n_sig)
    finite_med = med_null[np.isfinite(med_null)]
    p_median = (
        mc_pvalue(finite_med >= med_z) if math.isfinite(med_z) and len(finite_med) else math.nan
    )
    return SpecCurveTest(
        n_specs=n_specs,
        n_positive=int(np.sum(observed > 0)),
        n_significant=n_sig,
        p_count=p_count,
        median_estimate=float(np.nanmedian(observed)) if np.isfinite(observed).any() else math.nan,
        median_z=med_z,
        p_median=p_median,
        draws=draws,
        block=b,
        method=(
            f"specification-curve joint test (Simonsohn et al. 2020) under the null: "
            f"stationary bootstrap of {len(cols)} return column(s) with the same indices, "
            f"{'demeaned, ' if demean else ''}mean block {b:.1f} months, {draws} draws; "
            f"significant = one-sided z > {crit:.3f} (alpha {alpha:g})"
        ),
    )
