"""Overfitting control for parameter sweeps.

References
----------
Bailey, D. H. and López de Prado, M. (2014). The deflated Sharpe ratio: correcting for
selection bias, backtest overfitting and non-normality. Journal of Portfolio Management 40(5).
Bailey, D. H., Borwein, J., López de Prado, M. and Zhu, Q. J. (2017). The probability of
backtest overfitting. Journal of Computational Finance 20(4).
Hansen, P. R. (2005). A test for superior predictive ability. JBES 23(4) (computed as
``arch.bootstrap.SPA`` computes it, unstudentized; the suite checks equal p-values on arch's
own draws, and the size under the null; see :func:`spa_test`).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri  # what scipy.stats.norm calls, without its import

EULER_GAMMA = 0.5772156649015329


def expected_max_sharpe(var_sr: float, n_trials: int) -> float:
    """Expected maximum of ``n_trials`` Sharpe ratios with variance ``var_sr`` under the null."""
    if n_trials < 2:
        return 0.0
    sd = np.sqrt(var_sr)
    return float(
        sd
        * (
            (1 - EULER_GAMMA) * ndtri(1 - 1 / n_trials)
            + EULER_GAMMA * ndtri(1 - 1 / (n_trials * np.e))
        )
    )


def deflated_sharpe(
    sr: float, n_obs: int, var_sr: float, n_trials: int, skew: float = 0.0, kurt: float = 3.0
) -> float:
    """Deflated Sharpe ratio: probability that the true Sharpe exceeds the best-of-N null.

    Parameters
    ----------
    sr : float
        Per-period (not annualised) Sharpe ratio of the selected variant.
    n_obs : int
        Number of return observations.
    var_sr : float
        Variance of the per-period Sharpe ratios across trials.
    n_trials : int
        Number of variants tried.
    skew, kurt : float
        Skewness and (non-excess) kurtosis of the selected variant's returns.
    """
    sr0 = expected_max_sharpe(var_sr, n_trials)
    denom = np.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2)
    return float(ndtr((sr - sr0) * np.sqrt(n_obs - 1) / denom))


def pbo_cscv(perf: np.ndarray | pd.DataFrame, n_blocks: int = 10) -> dict[str, float]:
    """Probability of backtest overfitting by combinatorially symmetric cross-validation.

    ``perf`` is a (T x N) matrix of per-period returns of N variants. The T rows are cut into
    ``n_blocks`` (even) blocks; for every half of the blocks as in-sample, the variant with
    the best in-sample Sharpe ratio is ranked out of sample. PBO is the share of splits where
    it ranks in the bottom half (logit <= 0).
    """
    m = np.asarray(perf, dtype=float)
    t, n = m.shape
    if n_blocks % 2 or n_blocks < 2:
        raise ValueError("n_blocks must be even and >= 2")
    if t < n_blocks:
        raise ValueError(
            f"pbo_cscv: {t} periods cannot be cut into {n_blocks} blocks of at least one period"
        )
    blocks = np.array_split(np.arange(t), n_blocks)
    logits = []
    for is_blocks in combinations(range(n_blocks), n_blocks // 2):
        is_idx = np.concatenate([blocks[b] for b in is_blocks])
        oos_idx = np.concatenate([blocks[b] for b in range(n_blocks) if b not in is_blocks])
        best = int(np.argmax(_sharpe(m[is_idx])))
        oos = _sharpe(m[oos_idx])
        rank = _average_rank(oos, best) / (n + 1)
        logits.append(np.log(rank / (1 - rank)))
    lg = np.asarray(logits)
    return {
        "pbo": float(np.mean(lg <= 0)),
        "n_splits": len(lg),
        "median_logit": float(np.median(lg)),
    }


def _average_rank(x: np.ndarray, i: int) -> float:
    """Rank of ``x[i]`` among ``x`` (1 = smallest; ties get their average rank), as
    ``scipy.stats.rankdata(x)[i]``."""
    below = int(np.sum(x < x[i]))
    ties = int(np.sum(x == x[i]))
    return below + (ties + 1) / 2


def _sharpe(m: np.ndarray) -> np.ndarray:
    sd = m.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, m.mean(axis=0) / sd, 0.0)


def spa_test(
    benchmark: pd.Series,
    variants: pd.DataFrame | pd.Series,
    *,
    reps: int = 1000,
    block: int = 12,
    seed: int = 0,
) -> dict[str, float]:
    """Hansen's SPA test, unstudentized as in arch: can any variant beat the benchmark?
    Losses are minus returns.

    The p-values of the null that no variant is better, from ``reps`` stationary-bootstrap
    resamples of the months (mean block length ``block`` months; the counter-based stream
    of :mod:`smallcap_bt.stats.streams`, keyed from ``seed``); see :func:`spa_pvalues`.

    Size depends on the set of variants (``scripts/spa_size.py``, 2,000 Monte Carlo samples,
    12-month blocks, 199 resamples). When every variant is exactly as good as the benchmark
    (5-10 zero-mean variants of unequal volatility) it is slightly liberal: the consistent
    p-value fell below 0.05 in 6.4% of samples of 240 iid months, 7.3% of 240 AR(1) months
    (0.2), 6.3% of 420 AR(1) months (the Fed-cut sweep's span) and 5.7% of 600 iid months;
    the upper one as often or up to 0.4 points less, the lower one (liberal by design)
    7.6%-10.2%. When poor variants are in the set, the upper p-value becomes conservative and
    the consistent one is meant to stay near 5% (the script's last design). arch's SPA gives
    the same p-values on the same resamples. Read a p-value near 0.05 as borderline.

    Parameters
    ----------
    benchmark : Series
        Per-period returns of the benchmark (T).
    variants : DataFrame or Series
        Per-period returns of the variants (T x k), on the same periods (the same index).
    reps, block, seed : int
        Bootstrap resamples, mean block length (periods), seed.

    Returns
    -------
    dict
        ``{"consistent": p, "lower": p, "upper": p}``.

    Raises
    ------
    ValueError
        The two differ in length or periods, there are fewer than 3 periods or no variant,
        ``reps`` or ``block`` is below 1, or a return is missing or not finite (named: a
        missing month would otherwise make every p-value 0, "significant").
    """
    from smallcap_bt.stats.streams import draw_key, stationary_indices

    if isinstance(variants, pd.Series):
        variants = variants.to_frame()
    if len(benchmark) != len(variants):
        raise ValueError(
            f"spa_test: benchmark has {len(benchmark)} periods, variants {len(variants)}"
        )
    if len(variants) < 3 or variants.shape[1] < 1:
        raise ValueError(
            f"spa_test: needs at least 3 periods and 1 variant, got {variants.shape[0]} x "
            f"{variants.shape[1]}"
        )
    if not benchmark.index.equals(variants.index):
        at = next(
            (
                i
                for i, (x, y) in enumerate(zip(benchmark.index, variants.index, strict=True))
                if x != y
            ),
            0,
        )
        raise ValueError(
            "spa_test: benchmark and variants are indexed by different periods (first at "
            f"row {at}: {benchmark.index[at]} and {variants.index[at]}); align them first"
        )
    if reps < 1 or block < 1:
        raise ValueError(f"spa_test: reps and block must be at least 1, got {reps} and {block}")
    bench = benchmark.to_numpy(dtype=float)
    own = variants.to_numpy(dtype=float)
    diff = own - bench[:, None]
    bad = ~np.isfinite(diff)
    if bad.any():
        where = ["benchmark"] if not np.isfinite(bench).all() else []
        cols = [str(c) for c in variants.columns[~np.isfinite(own).all(axis=0)]]
        where += cols[:5] + ([f"and {len(cols) - 5} more"] if len(cols) > 5 else [])
        rows = np.flatnonzero(bad.any(axis=1))
        raise ValueError(
            f"spa_test: missing or non-finite returns in {', '.join(where)} (first at period "
            f"{variants.index[rows[0]]}, row {rows[0]}; {len(rows)} of {len(bad)} periods); "
            "drop those periods from both (filling them, e.g. with 0, would bias the test)"
        )
    key = draw_key(np.random.default_rng(seed))
    idx = stationary_indices(key, 0, reps, diff.shape[0], 1.0 / block)
    pv = spa_pvalues(diff, idx, block)
    return {k: pv[k] for k in ("consistent", "lower", "upper")}


def spa_pvalues(diff: np.ndarray, indices: np.ndarray, block: int) -> dict[str, float]:
    """SPA p-values of loss differentials from given bootstrap resamples, computed as
    ``arch.bootstrap.SPA`` (arch 7-8, ``studentize=True, nested=False``) computes them.

    The statistic is the largest mean loss differential ``max_k mean(d_k)``; each resample's
    is ``max_k (mean*(d_k) - mu_k)`` with ``mu_k`` recentred three ways (Hansen 2005):
    *upper* ``mu_k = mean(d_k)``; *consistent* ``mu_k = mean(d_k)`` only where ``mean(d_k)
    >= -sqrt(2 log log T * w_k / T)`` (else 0), ``w_k`` the stationary-bootstrap long-run
    variance of ``d_k`` (Politis and Romano's kernel with ``p = 1 / block``); *lower*
    ``mu_k = max(mean(d_k), 0)``. The p-value is the share of resamples whose statistic
    exceeds the observed one. As in arch, ``w_k`` enters the consistent threshold only: the
    statistic is not studentized (White's reality check statistic with Hansen's recentring;
    Hansen's floor at zero is not applied either). Equal to arch's p-values on the same
    resamples up to floating-point tie-breaking: where a resample's statistic equals the
    observed one exactly (constant or coarsely rounded differentials), the two summation
    orders may decide the strict ``>`` differently.

    Parameters
    ----------
    diff : ndarray
        Loss differentials ``(T, k)``: benchmark loss minus variant loss (positive = the
        variant did better), e.g. variant return minus benchmark return.
    indices : ndarray of int
        Resampled rows ``(reps, T)``, one resample per row.
    block : int
        Mean block length of the bootstrap (periods).

    Returns
    -------
    dict
        ``{"lower": p, "consistent": p, "upper": p}``.
    """
    d = np.asarray(diff, dtype=float)
    idx = np.asarray(indices, dtype=np.int64)
    t = d.shape[0]
    reps = idx.shape[0]
    mean = d.mean(axis=0)
    dm = d - mean
    p = 1.0 / block
    # w_k = g_0 + 2 sum_i kappa_i g_i, g_i = sum_t dm_t dm_(t+i) / T: every column's
    # autocovariances at once by FFT (O(k T log T) time, O(k T) memory; a loop over the
    # T - 1 lags had cost O(k T^2))
    n = 1 << (2 * t - 1).bit_length()
    f = np.fft.rfft(dm, n=n, axis=0)
    g = np.fft.irfft(f * np.conj(f), n=n, axis=0)[:t] / t
    lag = np.arange(1, t, dtype=float)
    kappa = (1.0 - lag / t) * (1 - p) ** lag + (lag / t) * (1 - p) ** (t - lag)
    w = g[0] + 2 * (kappa[:, None] * g[1:]).sum(axis=0)
    valid = mean >= -np.sqrt(w / t * 2 * np.log(np.log(t)))
    centres = np.stack([np.maximum(mean, 0.0), np.where(valid, mean, 0.0), mean])
    # bootstrap means from how often each row is drawn: (reps x T) counts @ (T x k)
    rows = (idx + t * np.arange(reps)[:, None]).ravel()
    counts = np.bincount(rows, minlength=reps * t).reshape(reps, t)
    boot = counts @ d / t
    top = mean.max()
    pv = [float(((boot - c).max(axis=1) > top).mean()) for c in centres]  # one (reps, k) at a time
    return {"lower": pv[0], "consistent": pv[1], "upper": pv[2]}
