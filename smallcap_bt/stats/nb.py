"""Numba kernels on plain arrays: the bottom layer of the fast paths.

Three layers, after vectorbt (``returns/nb.py`` -> ``dispatch`` -> ``accessors``): the kernels
here take and return NumPy arrays only; :mod:`smallcap_bt.stats.inference` and
:mod:`smallcap_bt.strategies.kernel` dispatch to them and wrap the results in pandas.

This module imports numba, so nothing imports it at package import time: the dispatchers
import it inside the functions that need it. Every kernel is ``@njit(cache=True)``: compiled
on first use, then loaded from numba's on-disk cache; ``error_model="numpy"`` drops the
per-division zero checks that would keep the loops from being pipelined.

Kernels
-------
- :func:`stationary_block_means` — stationary-bootstrap means from block sums of one
  cumulative sum (about ``n / block`` random draws per replication instead of ``n``).
- :func:`_paths_block` and :func:`_metrics_block` — one block of two-asset rotation
  portfolios: monthly returns, turnover and costs, or the same simulation reduced on the fly
  to per-variant sums. :mod:`smallcap_bt.stats.rotation` cuts the variants into blocks and
  runs these kernels (``nogil=True``) on one Python thread per core.

Only kernels live here (the suite's coverage tool cannot measure numba modules; see
``[tool.slipcover]`` in ``pyproject.toml``): plain Python goes in the dispatching modules.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# columns of rotation_metrics' output
M_LOG_GROWTH, M_SUM, M_SUMSQ, M_XS_SUM, M_XS_SUMSQ, M_ACT_SUM, M_ACT_SUMSQ = range(7)
M_MAX_DRAWDOWN, M_TURNOVER_SUM, M_FEES_SUM = 7, 8, 9
N_METRIC_SUMS = 10


@njit(cache=True, error_model="numpy")
def stationary_block_means(
    cx: np.ndarray, n: int, reps: int, block: float, g: np.random.Generator
) -> np.ndarray:
    """Means of ``reps`` stationary-bootstrap resamples of a series of length ``n``.

    Parameters
    ----------
    cx : numpy.ndarray
        Cumulative sum of the series repeated twice with a leading zero, length ``2 n + 1``
        (``cx[j] = x[0] + ... + x[j-1]`` on the wrapped series).
    n : int
        Length of the series.
    reps : int
        Number of resamples.
    block : float
        Expected block length (observations); lengths are geometric with ``p = 1 / block``.
    g : numpy.random.Generator
        Source of randomness (its state advances).

    Returns
    -------
    numpy.ndarray
        ``reps`` resample means, in the units of the series.

    Notes
    -----
    A resample is a sequence of blocks, each starting at a uniform position and of geometric
    length, wrapping around the end (Politis and Romano, 1994); the last block is cut at ``n``
    observations. The sum of a block is a difference of two entries of ``cx``.
    """
    p = 1.0 / max(block, 1.0)
    log_q = np.log1p(-p) if p < 1.0 else -np.inf
    out = np.empty(reps)
    for i in range(reps):
        pos = 0
        total = 0.0
        while pos < n:
            start = int(g.random() * n)  # uniform on 0..n-1
            # geometric length on 1, 2, ... by inversion: 1 + floor(log(U) / log(1 - p))
            length = 1 + int(np.log(1.0 - g.random()) / log_q) if p < 1.0 else 1
            if length > n - pos:
                length = n - pos
            total += cx[start + length] - cx[start]
            pos += length
        out[i] = total / n
    return out


@njit(cache=True, inline="always", error_model="numpy")
def _rebalance(hs: float, ho: float, c: float, w: float, fee: float, inv_1f: float):
    """Trade holdings (values) ``hs``, ``ho`` and cash ``c`` to weights ``w``, ``1 - w``.

    vectorbt's order of events (``call_seq="auto"``, ``size_type="targetpercent"``, shared
    cash): the order with the smaller change (the sell, if any) runs first, sized to its
    target share of the group value; its fee comes out of cash and lowers the group value
    on which the second order is sized; the second order is a buy (the two changes sum to
    the cash, which is >= 0), cut to what cash can pay for, fee included. Written without
    branches on the data so that the CPU overlaps many variants. Returns the new ``hs, ho,
    c``, the traded value and the fees. ``inv_1f`` is ``1 / (1 + fee)``.

    Notes
    -----
    The first order is never cut by cash: it is a buy only when both changes are >= 0, and
    then it is at most half the cash. The second order cannot be a sell for the same reason.
    """
    value = hs + ho + c
    ts = w * value
    ds = ts - hs
    do = (value - ts) - ho
    small_first = ds <= do
    d1 = ds if small_first else do
    f1 = fee * abs(d1)
    c1 = c - d1 - f1
    v1 = value - f1
    t2 = (v1 - w * v1) if small_first else w * v1
    d2 = t2 - (ho if small_first else hs)
    x2 = min(d2, c1 * inv_1f)
    x2 = max(x2, 0.0)
    f2 = fee * x2
    c2 = max(c1 - x2 - f2, 0.0)
    hs_new = hs + (d1 if small_first else x2)
    ho_new = ho + (x2 if small_first else d1)
    return hs_new, ho_new, c2, abs(d1) + x2, f1 + f2


#: how far outside [0, 1] a weight may stray by rounding (clipped); beyond it is an error
W_TOL = 1e-9


@njit(cache=True, nogil=True, error_model="numpy")
def _block_weights(w: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, int]:
    """Weights of variants ``lo..hi-1`` as a C-contiguous ``(months, k)`` copy, NaN -> 0,
    clipped to [0, 1], and the position ``j * months + t`` in that block of the first weight
    (lowest variant, then earliest month) outside ``[-W_TOL, 1 + W_TOL]`` (infinities
    included), or -1 if none. ``w`` may be C- or F-ordered (a DataFrame's values are often F)."""
    nt = w.shape[0]
    k = hi - lo
    out = np.empty((nt, k))
    bad = -1
    for t in range(nt):
        for j in range(k):
            x = w[t, lo + j]
            if not x > 0.0:  # NaN or <= 0
                if x < -W_TOL and (bad < 0 or j * nt + t < bad):
                    bad = j * nt + t
                x = 0.0
            elif x > 1.0:
                if x > 1.0 + W_TOL and (bad < 0 or j * nt + t < bad):
                    bad = j * nt + t
                x = 1.0
            out[t, j] = x
    return out, bad


@njit(cache=True, nogil=True, error_model="numpy")
def _paths_block(
    wb: np.ndarray,
    rs: np.ndarray,
    ro: np.ndarray,
    fee: float,
    ret: np.ndarray,
    turn: np.ndarray,
    cost: np.ndarray,
    lo: int,
) -> None:
    """:func:`~smallcap_bt.stats.rotation.rotation_paths` for one C-contiguous block of
    variants, written at column ``lo``.

    The per-block kernels take C-contiguous blocks only, so they compile once whatever the
    layout of the caller's weights (only :func:`_block_weights` compiles per layout).
    """
    nt, k = wb.shape
    inv_1f = 1.0 / (1.0 + fee)
    hs = np.zeros(k)
    ho = np.zeros(k)
    c = np.ones(k)
    for t in range(nt):
        gs = 1.0 + rs[t]
        go = 1.0 + ro[t]
        for j in range(k):
            before = hs[j] + ho[j] + c[j]
            s, o, cc, traded, fees = _rebalance(hs[j], ho[j], c[j], wb[t, j], fee, inv_1f)
            s *= gs
            o *= go
            hs[j] = s
            ho[j] = o
            c[j] = cc
            inv = 1.0 / before
            ret[t, lo + j] = (s + o + cc) * inv - 1.0
            turn[t, lo + j] = traded * inv
            cost[t, lo + j] = fees * inv


@njit(cache=True, nogil=True, error_model="numpy")
def _metrics_block(
    wb: np.ndarray,
    rs: np.ndarray,
    ro: np.ndarray,
    rc: np.ndarray,
    rb: np.ndarray,
    fee: float,
    out: np.ndarray,
    lo: int,
) -> None:
    """:func:`~smallcap_bt.stats.rotation.rotation_metrics` for one C-contiguous block of
    variants, rows ``lo`` on."""
    nt, k = wb.shape
    inv_1f = 1.0 / (1.0 + fee)
    hs = np.zeros(k)
    ho = np.zeros(k)
    c = np.ones(k)
    s1 = np.zeros(k)
    s2 = np.zeros(k)
    x1 = np.zeros(k)
    x2 = np.zeros(k)
    a1 = np.zeros(k)
    a2 = np.zeros(k)
    tsum = np.zeros(k)
    fsum = np.zeros(k)
    mdd = np.zeros(k)
    peak = np.ones(k)
    for t in range(nt):
        gs = 1.0 + rs[t]
        go = 1.0 + ro[t]
        ct = rc[t]
        bt = rb[t]
        for j in range(k):
            before = hs[j] + ho[j] + c[j]
            s, o, cc, traded, fees = _rebalance(hs[j], ho[j], c[j], wb[t, j], fee, inv_1f)
            s *= gs
            o *= go
            hs[j] = s
            ho[j] = o
            c[j] = cc
            inv = 1.0 / before
            after = s + o + cc  # = wealth: the portfolio starts at 1.0
            r = after * inv - 1.0
            s1[j] += r
            s2[j] += r * r
            x = r - ct
            x1[j] += x
            x2[j] += x * x
            a = r - bt
            a1[j] += a
            a2[j] += a * a
            tsum[j] += traded * inv
            fsum[j] += fees * inv
            pk = max(peak[j], after)
            peak[j] = pk
            if after < (1.0 + mdd[j]) * pk:  # a deeper drawdown (rare: divide only then)
                mdd[j] = after / pk - 1.0
    for j in range(k):
        v = lo + j
        out[v, M_LOG_GROWTH] = np.log(hs[j] + ho[j] + c[j])
        out[v, M_SUM] = s1[j]
        out[v, M_SUMSQ] = s2[j]
        out[v, M_XS_SUM] = x1[j]
        out[v, M_XS_SUMSQ] = x2[j]
        out[v, M_ACT_SUM] = a1[j]
        out[v, M_ACT_SUMSQ] = a2[j]
        out[v, M_MAX_DRAWDOWN] = mdd[j]
        out[v, M_TURNOVER_SUM] = tsum[j]
        out[v, M_FEES_SUM] = fsum[j]
