"""Resampling inference: stationary bootstrap and random-date placebo distributions.

Three layers, after vectorbt's: a 2-D index kernel (:func:`stationary_indices`), statistics
computed on whole draw matrices at once, and thin pandas wrappers returning
:class:`~smallcap_bt.stats.results.Estimate`.

References
----------
Politis, D. N. and Romano, J. P. (1994). The stationary bootstrap. JASA 89(428), 1303-1313.
Politis, D. N. and White, H. (2004). Automatic block-length selection for the dependent
bootstrap. Econometric Reviews 23(1), 53-70 (with the 2009 correction).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from smallcap_bt.exceptions import InsufficientDataError
from smallcap_bt.stats.results import Estimate

SeedLike = int | np.random.Generator | None


def rng(seed: SeedLike) -> np.random.Generator:
    """A Generator from an int seed, a Generator (used as is) or None (seed 0: reproducible)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(0 if seed is None else seed)


def optimal_block_length(x: np.ndarray) -> float:
    """Politis-White (2004) optimal expected block length for the stationary bootstrap.

    Parameters
    ----------
    x : numpy.ndarray
        The series (1-D, no missing values), in any units.

    Returns
    -------
    float
        Expected block length in observations, at least 1.

    Raises
    ------
    InsufficientDataError
        Fewer than 8 observations.
    ValueError
        Missing or infinite values.

    Notes
    -----
    The estimator with the correction of Patton, Politis and White (2009) and the tuning of
    arch's ``arch.bootstrap.optimal_block_length`` (Patton's MATLAB choices: ``K_N =
    max(5, log10 n)``, ``M_max = ceil(sqrt n) + K_N``, autocorrelations called insignificant
    below ``2 sqrt(log10(n) / n)``, flat-top lag window, block capped at
    ``min(3 sqrt n, n / 3)``): ``b = (2 G^2 / D)^(1/3) n^(1/3)`` with ``D = 2 sigma^4``. The
    suite checks it equals arch's value (the reference; arch is not imported here because
    it loads statsmodels and matplotlib, about 0.8 s, for this one function).
    """
    v = np.asarray(x, dtype=float)
    n = v.shape[0]
    if n < 8:  # arch fails here too (an autocorrelation window longer than the series)
        raise InsufficientDataError(
            f"Politis-White block length needs at least 8 observations, got {n}"
        )
    if not np.isfinite(v).all():
        raise ValueError("Politis-White block length: the series has missing or infinite values")
    eps = v - v.mean()
    b_max = math.ceil(min(3 * math.sqrt(n), n / 3))
    kn = max(5, int(math.log10(n)))
    m_max = math.ceil(math.sqrt(n)) + kn
    cv = 2 * math.sqrt(math.log10(n) / n)
    with np.errstate(all="ignore"):  # a constant series: 0/0, then the floor of 1
        b = _politis_white(eps, n, kn, m_max, cv)
    return float(max(1.0, min(b, b_max)))


def _politis_white(eps: np.ndarray, n: int, kn: int, m_max: int, cv: float) -> float:
    acv = np.zeros(m_max + 1)
    abs_acorr = np.zeros(m_max + 1)
    opt_m: int | None = None
    for i in range(m_max + 1):
        v1 = eps[i + 1 :] @ eps[i + 1 :]
        v2 = eps[: -(i + 1)] @ eps[: -(i + 1)]
        cross = eps[i:] @ eps[: n - i]
        acv[i] = cross / n
        abs_acorr[i] = np.abs(cross) / np.sqrt(v1 * v2)
        if i >= kn and opt_m is None and np.all(abs_acorr[i - kn : i] < cv):
            opt_m = i - kn
    m = min(2 * max(opt_m, 1) if opt_m is not None else m_max, m_max)
    g = 0.0
    lr_acv = acv[0]
    for k in range(1, m + 1):
        lam = 1.0 if k / m <= 0.5 else 2 * (1 - k / m)
        g += 2 * lam * k * acv[k]
        lr_acv += 2 * lam * acv[k]
    return float(((2 * g**2) / (2 * lr_acv**2)) ** (1 / 3) * n ** (1 / 3))


def stationary_indices(n: int, reps: int, block: float, seed: SeedLike = None) -> np.ndarray:
    """Index matrix ``(reps, n)`` of stationary-bootstrap draws (wrapping at the end).

    Each row starts at a uniform position; each next position continues the block with
    probability ``1 - 1/block`` and jumps to a new uniform position otherwise.
    """
    if n < 2:
        raise InsufficientDataError(f"stationary bootstrap needs at least 2 observations, got {n}")
    g = rng(seed)
    p = 1.0 / max(block, 1.0)
    starts = g.integers(0, n, size=(reps, n), dtype=np.int64)
    new = g.random((reps, n)) < p
    new[:, 0] = True
    pos = np.arange(n, dtype=np.int64)
    last_new = np.where(new, pos, 0)
    np.maximum.accumulate(last_new, axis=1, out=last_new)
    offset = pos - last_new
    begin = np.take_along_axis(starts, last_new, axis=1)
    return (begin + offset) % n


def stationary_means(x: np.ndarray, reps: int, block: float, seed: SeedLike = None) -> np.ndarray:
    """Means of ``reps`` stationary-bootstrap resamples of ``x``, from block sums.

    Parameters
    ----------
    x : numpy.ndarray
        The series (1-D, no missing values), in any units; the means are in the same units.
    reps : int
        Number of resamples.
    block : float
        Expected block length in observations (geometric lengths, ``p = 1 / block``).
    seed : int, numpy.random.Generator or None
        Randomness; a Generator's state advances.

    Returns
    -------
    numpy.ndarray
        ``reps`` resample means.

    Notes
    -----
    The same resampling scheme as :func:`stationary_indices` and arch's
    ``StationaryBootstrap`` (uniform block starts, geometric lengths, wrapping at the end),
    but a resample's sum is the sum of its block sums, each the difference of two entries of
    one cumulative sum of the doubled series: about ``n / block`` random draws per resample
    instead of ``2 n``, and no ``reps x n`` index matrix. Runs on a numba kernel
    (:func:`smallcap_bt.stats.nb.stationary_block_means`).
    """
    from smallcap_bt.stats import nb

    v = np.asarray(x, dtype=float)
    n = len(v)
    if n < 2:
        raise InsufficientDataError(f"stationary bootstrap needs at least 2 observations, got {n}")
    if not np.isfinite(v).all():
        raise ValueError("stationary bootstrap: the series has missing or infinite values")
    cx = np.concatenate([[0.0], np.cumsum(np.concatenate([v, v]))])
    return nb.stationary_block_means(cx, n, int(reps), float(block), rng(seed))


def bootstrap_mean(
    r: pd.Series,
    *,
    reps: int = 10_000,
    block: float | None = None,
    seed: SeedLike = None,
    ci_level: float = 0.95,
    periods_per_year: int = 12,
    label: str = "mean",
    definition: str = "",
    chunk: int = 2_000,
) -> Estimate:
    """Arithmetic annualised mean with a stationary-bootstrap percentile interval.

    The p-value is two-sided, from the bootstrap distribution recentred at zero:
    ``(1 + #{|m* - m| >= |m|}) / (1 + reps)``. ``extra["draws"]`` holds the bootstrap
    means (annualised).
    The draws come from block sums (:func:`stationary_means`); ``chunk`` is kept for
    compatibility and no longer used (memory is O(reps)).
    """
    y = r.dropna()
    x = y.to_numpy(dtype=float)
    n = len(x)
    if n < 10:
        raise InsufficientDataError(f"{label}: {n} observations, need at least 10")
    b = optimal_block_length(x) if block is None else float(block)
    if reps < 1:
        raise ValueError(f"{label}: reps must be >= 1, got {reps}")
    draws = stationary_means(x, reps, b, seed)
    m = x.mean()
    alpha = 1 - ci_level
    lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    p = mc_pvalue(np.abs(draws - m) >= abs(m))
    s = periods_per_year
    return Estimate(
        float(m * s),
        float(lo * s),
        float(hi * s),
        p,
        n,
        "decimal per year, arithmetic (monthly mean x 12)",
        f"stationary bootstrap, {reps} draws, mean block {b:.1f} months, percentile interval",
        str(y.index[0]),
        str(y.index[-1]),
        definition,
        label,
        ci_level,
        {"draws": draws * s, "block": b},
    )


def mc_pvalue(hits: np.ndarray) -> float:
    """Monte Carlo p-value ``(1 + #hits) / (1 + draws)`` of a boolean array with one entry
    per draw: never 0 from finitely many draws (Davison and Hinkley 1997, eq. 4.11)."""
    return float((1 + np.count_nonzero(hits)) / (1 + hits.size))


def placebo_pvalue(observed: float, placebo: np.ndarray, alternative: str = "greater") -> float:
    """Share of placebo statistics at least as extreme as ``observed`` (with +1 correction)."""
    placebo = np.asarray(placebo)
    if alternative == "greater":
        return mc_pvalue(placebo >= observed)
    if alternative == "less":
        return mc_pvalue(placebo <= observed)
    centre = np.mean(placebo)
    return mc_pvalue(np.abs(placebo - centre) >= abs(observed - centre))
