"""Numba kernels of the null simulations: predictive regressions, logits and pair bootstraps.

The bottom layer (plain arrays in, plain arrays out) under :mod:`smallcap_bt.stats.predictive`
and :mod:`smallcap_bt.stats.pairs`, like :mod:`smallcap_bt.stats.nb`. This module imports
numba, so it is imported lazily, inside the functions that use it.

The random numbers are *not* drawn here: the callers draw them with NumPy exactly as the
reference (pure NumPy) implementations do, in the same calls and the same order, and pass the
index or uniform arrays in; the kernels only replace the arithmetic that followed (gathers,
recursions, cumulative sums, row statistics), one simulated row at a time, without the
``(draws, months)`` temporaries. Results equal the reference up to the order of floating-point
sums (about 1e-15 relative) and, for the logit, the Newton convergence tolerance.

Kernels
-------
- :func:`ar1_null_slopes` — Nelson-Kim null slopes of long-horizon regressions: AR(1)
  signal path, return path, overlapping forward sums and OLS slopes at several horizons, per
  row of an index matrix.
- :func:`logit_rows` — row-wise two-parameter logit by Newton-Raphson (same start, steps,
  convergence test and failure rules as the NumPy reference).
- :func:`logit_ar1_rows` — the same logit on AR(1) signal paths built from an index matrix.
- :func:`pair_log_sums` — stationary-bootstrap sums (and Bartlett long-run variances) of
  monthly log returns of two legs, from the block starts and the uniforms of the index stream.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: rows simulated together (the AR(1) recursion is serial in time: interleaving rows hides it)
ROWS = 16

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_TWO_M26 = 1.4901161193847656e-08  # 2 ** -26

# reduction loops may be re-associated (vectorised); no nnan/ninf: NaN must propagate
_FAST = {"reassoc", "contract"}


@njit(cache=True, inline="always", error_model="numpy")
def _exp_clipped(x: float) -> float:
    """``exp(x)`` for ``-36 <= x <= 36``, within 1 ulp of libm, in plain arithmetic.

    Cody-Waite reduction ``x = k ln 2 + r`` (``|r| <= ln 2 / 2``), Taylor polynomial of degree
    12 (truncation below 2e-16), scaled by ``2**k`` built from integer shifts (so that the
    loops around it vectorise; libm's ``exp`` is a call that stops them). NaN propagates.
    """
    k = np.floor(x * _INV_LN2 + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    # Horner, from the degree-12 Taylor coefficient 1/12! down to 1
    p = 1.0 / 479001600
    p = p * r + 1.0 / 39916800
    p = p * r + 1.0 / 3628800
    p = p * r + 1.0 / 362880
    p = p * r + 1.0 / 40320
    p = p * r + 1.0 / 5040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    ki = np.int64(k) if k == k else np.int64(0)
    k1 = ki >> 1
    k2 = ki - k1
    s1 = np.float64(np.int64(1) << (k1 + 26)) * _TWO_M26
    s2 = np.float64(np.int64(1) << (k2 + 26)) * _TWO_M26
    return p * s1 * s2


@njit(cache=True, inline="always", error_model="numpy")
def _clip35(v: float) -> float:
    """``clip(v, -35, 35)`` keeping NaN."""
    if v > 35.0:
        return 35.0
    if v < -35.0:
        return -35.0
    return v


@njit(cache=True, fastmath=_FAST, error_model="numpy")
def _newton_sums(x: np.ndarray, y: np.ndarray, a: float, b: float):
    """Score and information of the logit at ``(a, b)``: g0, g1, h00, h01, h11."""
    g0 = 0.0
    g1 = 0.0
    h00 = 0.0
    h01 = 0.0
    h11 = 0.0
    for t in range(x.shape[0]):
        xt = x[t]
        eta = _clip35(a + b * xt)
        p = 1.0 / (1.0 + _exp_clipped(-eta))
        w = p * (1.0 - p)
        e = y[t] - p
        wx = w * xt
        g0 += e
        g1 += e * xt
        h00 += w
        h01 += wx
        h11 += wx * xt
    return g0, g1, h00, h01, h11


@njit(cache=True, error_model="numpy")
def _logit_one(x: np.ndarray, y: np.ndarray, iters: int, want_se: bool):
    """One row of :func:`logit_rows`: (intercept, slope, slope se), NaN when it fails."""
    n = x.shape[0]
    ybar = 0.0
    for t in range(n):
        ybar += y[t]
    p0 = ybar / n
    p0 = min(max(p0, 1e-6), 1 - 1e-6)
    a = np.log(p0 / (1 - p0))
    b = 0.0
    done = False
    for _ in range(iters):
        g0, g1, h00, h01, h11 = _newton_sums(x, y, a, b)
        det = h00 * h11 - h01 * h01
        da = (h11 * g0 - h01 * g1) / det
        db = (h00 * g1 - h01 * g0) / det
        if not np.isfinite(da):
            da = 0.0
        if not np.isfinite(db):
            db = 0.0
        a += da
        b += db
        if abs(da) < 1e-10 and abs(db) < 1e-8 * (1 + abs(b)):
            done = True
            break
    se = np.nan
    if want_se:
        _, _, h00, h01, h11 = _newton_sums(x, y, a, b)
        se = np.sqrt(h00 / (h00 * h11 - h01 * h01))
    # population standard deviation of the row, two passes (as numpy.std)
    m = 0.0
    for t in range(n):
        m += x[t]
    m /= n
    ss = 0.0
    for t in range(n):
        d = x[t] - m
        ss += d * d
    sd = np.sqrt(ss / n)
    if not done or not np.isfinite(b) or abs(b) * sd > 30:
        return np.nan, np.nan, np.nan
    return a, b, se


@njit(cache=True, error_model="numpy")
def logit_rows(x: np.ndarray, y: np.ndarray, iters: int, want_se: bool):
    """Row-wise logit of ``y`` on ``x`` with a constant, by Newton-Raphson.

    Parameters
    ----------
    x : numpy.ndarray
        ``(k, n)`` regressor, one row per fit (any units).
    y : numpy.ndarray
        ``(1, n)`` outcome shared by every row, or ``(k, n)``; values 0 or 1.
    iters : int
        Maximum Newton steps; rows not converged by then are NaN.
    want_se : bool
        Also compute the maximum-likelihood standard error of the slope (else NaN).

    Returns
    -------
    tuple of numpy.ndarray
        ``(k,)`` intercepts, slopes (log-odds per unit of ``x``) and slope standard errors;
        NaN where the fit fails (no convergence, non-finite slope, or ``|slope| * sd(x) > 30``:
        separation).

    Notes
    -----
    The same algorithm as the NumPy reference ``smallcap_bt.stats.predictive._logit_fit``:
    start at the intercept of the outcome's mean and a zero slope, linear predictor clipped to
    ``[-35, 35]``, non-finite steps set to zero, converged when ``|da| < 1e-10`` and
    ``|db| < 1e-8 (1 + |b|)``.
    """
    k = x.shape[0]
    a_out = np.empty(k)
    b_out = np.empty(k)
    se_out = np.empty(k)
    shared = y.shape[0] == 1
    for i in range(k):
        yi = y[0] if shared else y[i]
        a_out[i], b_out[i], se_out[i] = _logit_one(x[i], yi, iters, want_se)
    return a_out, b_out, se_out


@njit(cache=True, error_model="numpy")
def _ar1_block(
    idx: np.ndarray, i0: int, rows: int, v: np.ndarray, a: float, phi: float, x0: float
) -> np.ndarray:
    """AR(1) paths of rows ``i0 .. i0+rows-1``: ``(rows, m + 1)``, ``x[0] = x0``,
    ``x[t+1] = (a + v[idx[i, t]]) + phi x[t]`` (the arithmetic of scipy's ``lfilter``)."""
    m = idx.shape[1]
    out = np.empty((rows, m + 1))
    cur = np.full(rows, x0)
    for j in range(rows):
        out[j, 0] = x0
    for t in range(m):
        for j in range(rows):
            c = (a + v[idx[i0 + j, t]]) + phi * cur[j]
            cur[j] = c
            out[j, t + 1] = c
    return out


@njit(cache=True, error_model="numpy")
def logit_ar1_rows(
    idx: np.ndarray,
    v: np.ndarray,
    a: float,
    phi: float,
    x0: float,
    y: np.ndarray,
    iters: int,
) -> np.ndarray:
    """Logit slopes of ``y`` on AR(1) signal paths rebuilt from resampled residuals.

    Parameters
    ----------
    idx : numpy.ndarray
        ``(k, n - 1)`` int64 indices into ``v``, one row per simulated path.
    v : numpy.ndarray
        AR(1) residuals of the signal.
    a, phi, x0 : float
        AR(1) intercept and coefficient, starting value of every path.
    y : numpy.ndarray
        ``(n,)`` 0/1 outcome, kept as observed.
    iters : int
        Maximum Newton steps.

    Returns
    -------
    numpy.ndarray
        ``(k,)`` logit slopes (log-odds per unit of signal); NaN where the fit fails
        (see :func:`logit_rows`).
    """
    k = idx.shape[0]
    out = np.empty(k)
    for i0 in range(0, k, ROWS):
        rows = min(ROWS, k - i0)
        xb = _ar1_block(idx, i0, rows, v, a, phi, x0)
        for j in range(rows):
            out[i0 + j] = _logit_one(xb[j], y, iters, False)[1]
    return out


@njit(cache=True, error_model="numpy")
def ar1_null_slopes(
    idx: np.ndarray,
    v: np.ndarray,
    u: np.ndarray,
    a: float,
    phi: float,
    x0: float,
    r0: float,
    mu: float,
    hs: np.ndarray,
) -> np.ndarray:
    """Null slopes of overlapping ``h``-period regressions, one row per row of ``idx`` and
    one column per horizon, all horizons from the same simulated paths.

    Parameters
    ----------
    idx : numpy.ndarray
        ``(k, T - 1)`` int64 indices of the resampled residual pairs ``(u, v)``.
    v, u : numpy.ndarray
        Signal AR(1) residuals and demeaned one-period returns (length ``T - 1``).
    a, phi, x0 : float
        Signal AR(1) intercept and coefficient; observed first value of the signal.
    r0, mu : float
        First observed return; mean return (decimal per period).
    hs : numpy.ndarray
        int64 horizons in periods (``T - h`` regression observations each), ``1 <= h < T``.

    Returns
    -------
    numpy.ndarray
        ``(k, len(hs))`` OLS slopes of ``y*_t = r*_{t+1} + ... + r*_{t+h}`` on ``x*_t``,
        ``t < T - h``, with ``x*`` the AR(1) path and ``r* = (r0, mu + u[idx])`` (units of the
        reference: cumulative return per unit of signal). A path is simulated once for all
        horizons (the simulation, not the regressions, is most of the cost).
    """
    k, m = idx.shape
    T = m + 1
    H = hs.shape[0]
    out = np.empty((k, H))
    xb = np.empty((T, ROWS))
    cb = np.empty((T, ROWS))
    sx = np.empty(ROWS)
    sy = np.empty(ROWS)
    sxy = np.empty(ROWS)
    sxx = np.empty(ROWS)
    for i0 in range(0, k, ROWS):
        rows = min(ROWS, k - i0)
        for j in range(rows):
            xb[0, j] = x0
            cb[0, j] = r0
        for t in range(m):
            for j in range(rows):
                q = idx[i0 + j, t]
                xb[t + 1, j] = (a + v[q]) + phi * xb[t, j]
                cb[t + 1, j] = cb[t, j] + (mu + u[q])
        for c in range(H):
            h = hs[c]
            n = T - h
            for j in range(rows):
                sx[j] = 0.0
                sy[j] = 0.0
            for t in range(n):
                for j in range(rows):
                    sx[j] += xb[t, j]
                    sy[j] += cb[t + h, j] - cb[t, j]
            for j in range(rows):
                sx[j] /= n
                sy[j] /= n
                sxy[j] = 0.0
                sxx[j] = 0.0
            for t in range(n):
                for j in range(rows):
                    xc = xb[t, j] - sx[j]
                    yc = (cb[t + h, j] - cb[t, j]) - sy[j]
                    sxy[j] += xc * yc
                    sxx[j] += xc * xc
            for j in range(rows):
                out[i0 + j, c] = sxy[j] / sxx[j]
    return out


@njit(cache=True, error_model="numpy")
def pair_log_sums(
    starts: np.ndarray,
    unif: np.ndarray,
    p: float,
    ls: np.ndarray,
    ll: np.ndarray,
    lags: int,
    want_lrv: bool,
):
    """Stationary-bootstrap sums of two legs' log returns, from the index stream.

    Parameters
    ----------
    starts : numpy.ndarray
        ``(k, n)`` int64 uniform block starts (``Generator.integers(0, n, (k, n))``).
    unif : numpy.ndarray
        ``(k, n)`` uniforms (``Generator.random((k, n))``): a new block starts at ``t`` when
        ``unif[i, t] < p`` (always at ``t = 0``).
    p : float
        ``1 / block``.
    ls, ll : numpy.ndarray
        ``(n,)`` monthly ``log(1 + r)`` of the two legs.
    lags : int
        Bartlett lags of the long-run variance.
    want_lrv : bool
        Also compute the long-run variances (else NaN).

    Returns
    -------
    tuple of numpy.ndarray
        ``(k,)`` sums of ``ls``, of ``ll`` (log growth over the window) and of ``ls - ll``
        over each resample, and the Bartlett long-run variance of the resampled ``ls - ll``
        (demeaned, floored at 1e-300), in squared log units per month.

    Notes
    -----
    The resample is that of :func:`smallcap_bt.stats.inference.stationary_indices`: position
    ``t`` takes observation ``(starts[i, s] + t - s) % n`` with ``s`` the last block start
    at or before ``t``.
    """
    k, n = starts.shape
    sum_s = np.empty(k)
    sum_l = np.empty(k)
    sum_d = np.empty(k)
    lrv = np.full(k, np.nan)
    d = np.empty(n)
    L = min(lags, n - 1)
    for i in range(k):
        ts = 0.0
        tl = 0.0
        td = 0.0
        begin = 0
        off = 0
        for t in range(n):
            if t == 0 or unif[i, t] < p:
                begin = starts[i, t]
                off = 0
            q = (begin + off) % n
            off += 1
            ts += ls[q]
            tl += ll[q]
            dt = ls[q] - ll[q]
            d[t] = dt
            td += dt
        sum_s[i] = ts
        sum_l[i] = tl
        sum_d[i] = td
        if want_lrv:
            lrv[i] = _bartlett_lrv(d, L, lags)
    return sum_s, sum_l, sum_d, lrv


@njit(cache=True, fastmath=_FAST, error_model="numpy")
def _bartlett_lrv(d: np.ndarray, L: int, lags: int) -> float:
    """Bartlett long-run variance of ``d`` (demeaned in place), ``L`` lags with weights
    ``1 - j / (lags + 1)``, floored at 1e-300 (the arithmetic of ``pairs.bartlett_lrv``; the
    sums are vectorised, so they agree with it to rounding)."""
    n = d.shape[0]
    md = 0.0
    for t in range(n):
        md += d[t]
    md /= n
    for t in range(n):
        d[t] -= md
    acc = 0.0
    for t in range(n):
        acc += d[t] * d[t]
    var = acc / n
    for j in range(1, L + 1):
        acc = 0.0
        for t in range(j, n):
            acc += d[t] * d[t - j]
        var = var + 2 * (1 - j / (lags + 1)) * acc / n
    return max(var, 1e-300)
