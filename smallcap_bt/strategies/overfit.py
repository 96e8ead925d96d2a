"""Overfitting control for parameter sweeps.

References
----------
Bailey, D. H. and López de Prado, M. (2014). The deflated Sharpe ratio: correcting for
selection bias, backtest overfitting and non-normality. Journal of Portfolio Management 40(5).
Bailey, D. H., Borwein, J., López de Prado, M. and Zhu, Q. J. (2017). The probability of
backtest overfitting. Journal of Computational Finance 20(4).
Hansen, P. R. (2005). A test for superior predictive ability. JBES 23(4) (via ``arch``).
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
    variants: pd.DataFrame,
    *,
    reps: int = 1000,
    block: int = 12,
    seed: int = 0,
) -> dict[str, float]:
    """Hansen's SPA test (arch): can any variant beat the benchmark? Losses = -returns.

    Returns the consistent, lower and upper p-values of the null that no variant is better.
    """
    from arch.bootstrap import SPA

    spa = SPA(-benchmark.to_numpy(), -variants.to_numpy(), block_size=block, reps=reps, seed=seed)
    spa.compute()
    pv = spa.pvalues
    return {
        "consistent": float(pv["consistent"]),
        "lower": float(pv["lower"]),
        "upper": float(pv["upper"]),
    }
