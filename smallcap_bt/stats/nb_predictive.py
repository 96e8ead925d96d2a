"""Numba kernels of the null simulations: predictive regressions, logits and pair bootstraps.

The bottom layer (plain arrays in, plain arrays out) under :mod:`smallcap_bt.stats.predictive`
and :mod:`smallcap_bt.stats.pairs`, like :mod:`smallcap_bt.stats.nb`. This module imports
numba, so it is imported lazily, inside the functions that use it.

Random numbers: the keyed kernels compute the words of the counter-based stream of
:mod:`smallcap_bt.stats.streams` where they use them (SplitMix64 of a key drawn by the caller
from the user's seed), and the NumPy references read the very same words from that module's
functions; :func:`ar1_null_slopes` reads an index matrix drawn by the caller. The kernels
replace the arithmetic (gathers, recursions, cumulative sums, row statistics), one block of
simulated rows at a time, without ``(draws, months)`` temporaries. Results equal the reference
up to the order of floating-point sums (null slopes within about 1e-12 of their spread) and,
for the logit, the Newton convergence tolerance.

Kernels
-------
- :func:`ar1_null_slopes` — Nelson-Kim null slopes of long-horizon regressions: AR(1)
  signal path, return path, overlapping forward sums and OLS slopes at several horizons, per
  row of an index matrix; :func:`ar1_null_slopes_keyed` on the iid indices of the stream.
- :func:`logit_rows` — row-wise two-parameter logit by Newton-Raphson (same start, steps,
  convergence test and failure rules as the NumPy reference).
- :func:`logit_ar1_keyed` — the same logit on AR(1) signal paths built from iid residual
  indices of the counter stream (:mod:`smallcap_bt.stats.streams`).
- :func:`pair_log_sums` — stationary-bootstrap sums (and Bartlett long-run variances) of
  monthly log returns of two legs, block starts and lengths decoded from the stream.
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

# SplitMix64 (:mod:`smallcap_bt.stats.streams`), as uint64 constants; every operand of the
# counter arithmetic is cast to uint64 too: numba types int64 + uint64 as int64, whose ">>"
# would shift in sign bits
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_U27 = np.uint64(27)
_U30 = np.uint64(30)
_U31 = np.uint64(31)
_U32 = np.uint64(32)
_LOW32 = np.uint64(0xFFFFFFFF)
_ZERO_KEY = np.uint64(0)


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
def _newton_sums(x: np.ndarray, y: np.ndarray, a: float, b: float, m: float):
    """Score and information of the logit at ``(a, b)`` on the centred regressor ``x - m``:
    g0, g1, h00, h01, h11."""
    g0 = 0.0
    g1 = 0.0
    h00 = 0.0
    h01 = 0.0
    h11 = 0.0
    for t in range(x.shape[0]):
        xt = x[t] - m
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


@njit(cache=True, fastmath=_FAST, error_model="numpy")
def _newton_sums_flat(x: np.ndarray, y: np.ndarray, a: float, m: float):
    """:func:`_newton_sums` at ``(a, 0)``: the fitted probability is the same in every month,
    so the sums need no exponential (the first Newton step from the start of the fit)."""
    eta = _clip35(a)
    p = 1.0 / (1.0 + _exp_clipped(-eta))
    w = p * (1.0 - p)
    sy = 0.0
    sx = 0.0
    sxx = 0.0
    sxy = 0.0
    for t in range(x.shape[0]):
        xt = x[t] - m
        sy += y[t]
        sx += xt
        sxx += xt * xt
        sxy += xt * y[t]
    n = x.shape[0]
    return sy - n * p, sxy - p * sx, n * w, w * sx, w * sxx


@njit(cache=True, error_model="numpy")
def _logit_one(x: np.ndarray, y: np.ndarray, iters: int, want_se: bool):
    """One row of :func:`logit_rows`: (intercept, slope, slope se), NaN when it fails."""
    n = x.shape[0]
    # mean and population standard deviation of the row, two passes (as numpy.std)
    m = 0.0
    for t in range(n):
        m += x[t]
    m /= n
    ss = 0.0
    for t in range(n):
        d = x[t] - m
        ss += d * d
    sd = np.sqrt(ss / n)
    if not np.isfinite(sd):  # a missing or infinite value in the row
        return np.nan, np.nan, np.nan
    ybar = 0.0
    for t in range(n):
        ybar += y[t]
    p0 = ybar / n
    p0 = min(max(p0, 1e-6), 1 - 1e-6)
    a = np.log(p0 / (1 - p0))  # intercept of the centred regressor
    b = 0.0
    done = False
    for it in range(iters):
        if it == 0:
            g0, g1, h00, h01, h11 = _newton_sums_flat(x, y, a, m)
        else:
            g0, g1, h00, h01, h11 = _newton_sums(x, y, a, b, m)
        det = h00 * h11 - h01 * h01
        if not det > 0:  # singular information (a constant row): no estimate
            break
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
    if not done or not np.isfinite(b) or abs(b) * sd > 30:
        return np.nan, np.nan, np.nan
    se = np.nan
    if want_se:
        _, _, h00, h01, h11 = _newton_sums(x, y, a, b, m)
        se = np.sqrt(h00 / (h00 * h11 - h01 * h01))
    return a - b * m, b, se


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
    Newton steps on the regressor centred on its row mean (the slope is unchanged, the
    intercept is shifted back at the end; without centring a signal whose level is large
    against its spread never met the intercept's stopping rule), starting at the intercept of
    the outcome's mean and a zero slope, linear predictor clipped to ``[-35, 35]``, non-finite
    steps set to zero, converged when ``|da| < 1e-10`` and ``|db| < 1e-8 (1 + |b|)``; a row
    with a missing or infinite value or a singular information matrix (constant) fails.
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


@njit(cache=True, inline="always")
def _word(key: np.uint64, row: int, t: int, stride: int) -> np.uint64:
    """Word ``t`` of row ``row`` of the counter stream of ``key`` with ``stride`` words per
    row: SplitMix64 output number ``row * stride + t + 1`` (the arithmetic of
    :func:`smallcap_bt.stats.streams.counter_words`; every operand a uint64, so products
    wrap)."""
    c = np.uint64(row) * np.uint64(stride) + np.uint64(t) + np.uint64(1)
    z = np.uint64(key) + c * _GAMMA
    z = (z ^ (z >> _U30)) * _MIX1
    z = (z ^ (z >> _U27)) * _MIX2
    return z ^ (z >> _U31)


@njit(cache=True, inline="always")
def _index_of(bits: np.uint64, n: np.uint64) -> np.int64:
    """Index ``0 .. n-1`` from a 32-bit value by multiply-shift (``streams.uniform_index``)."""
    return np.int64((bits * n) >> _U32)


@njit(cache=True)
def _fill_from_key(key: np.uint64, i0: int, rows: int, n: int, ib: np.ndarray) -> None:
    """``ib[t, j]`` = iid index ``0 .. n-1`` of row ``i0 + j`` at position ``t``: word
    ``t // 2`` of the row (``ceil(m / 2)`` words per row), its upper half for even ``t``, its
    lower half for odd ``t``
    (:func:`smallcap_bt.stats.streams.iid_indices`)."""
    nu = np.uint64(n)
    m = ib.shape[0]
    stride = (m + 1) // 2
    for t in range(0, m - 1, 2):
        for j in range(rows):  # rows innermost: the hashing vectorises
            w = _word(key, i0 + j, t >> 1, stride)
            ib[t, j] = _index_of(w >> _U32, nu)
            ib[t + 1, j] = _index_of(w & _LOW32, nu)
    if m % 2:
        for j in range(rows):
            ib[m - 1, j] = _index_of(_word(key, i0 + j, m >> 1, stride) >> _U32, nu)


@njit(cache=True)
def _fill_from_array(idx: np.ndarray, i0: int, rows: int, ib: np.ndarray) -> None:
    """``ib[t, j] = idx[i0 + j, t]``: a block of rows of an index matrix, months first."""
    for j in range(rows):
        for t in range(ib.shape[0]):
            ib[t, j] = idx[i0 + j, t]


@njit(cache=True, error_model="numpy")
def _ar1_block(
    ib: np.ndarray, rows: int, v: np.ndarray, a: float, phi: float, x0: float
) -> np.ndarray:
    """AR(1) paths of a block of rows: ``(rows, m + 1)``, ``x[0] = x0``,
    ``x[t+1] = (a + v[ib[t, j]]) + phi x[t]`` (the arithmetic of scipy's ``lfilter``)."""
    m = ib.shape[0]
    out = np.empty((rows, m + 1))
    cur = np.full(rows, x0)
    for j in range(rows):
        out[j, 0] = x0
    for t in range(m):
        for j in range(rows):
            c = (a + v[ib[t, j]]) + phi * cur[j]
            cur[j] = c
            out[j, t + 1] = c
    return out


@njit(cache=True, error_model="numpy")
def logit_ar1_keyed(
    key: np.uint64,
    k: int,
    v: np.ndarray,
    a: float,
    phi: float,
    x0: float,
    y: np.ndarray,
    iters: int,
) -> np.ndarray:
    """Logit slopes of ``y`` on AR(1) signal paths rebuilt from iid resampled residuals.

    Parameters
    ----------
    key : numpy.uint64
        Key of the counter stream: path ``i`` takes the residual indices of row ``i``,
        ``len(v)`` of them (:func:`smallcap_bt.stats.streams.iid_indices`), computed here.
    k : int
        Number of simulated paths.
    v : numpy.ndarray
        AR(1) residuals of the signal (``n - 1`` for an ``n``-month outcome).
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
    m = v.shape[0]
    out = np.empty(k)
    ib = np.empty((m, ROWS), dtype=np.int64)
    for i0 in range(0, k, ROWS):
        rows = min(ROWS, k - i0)
        _fill_from_key(key, i0, rows, m, ib)
        xb = _ar1_block(ib, rows, v, a, phi, x0)
        for j in range(rows):
            out[i0 + j] = _logit_one(xb[j], y, iters, False)[1]
    return out


@njit(cache=True, error_model="numpy")
def _ar1_slopes(
    idx: np.ndarray,
    key: np.uint64,
    k: int,
    m: int,
    v: np.ndarray,
    u: np.ndarray,
    a: float,
    phi: float,
    x0: float,
    r0: float,
    mu: float,
    hs: np.ndarray,
) -> np.ndarray:
    """:func:`ar1_null_slopes` (``key`` unused) and :func:`ar1_null_slopes_keyed` (``idx``
    unused) in one body; ``k`` rows of ``m`` residual indices."""
    keyed = idx.shape[0] == 0
    T = m + 1
    H = hs.shape[0]
    out = np.empty((k, H))
    ib = np.empty((m, ROWS), dtype=np.int64)
    xb = np.empty((T, ROWS))
    cb = np.empty((T, ROWS))
    sx = np.empty((H, ROWS))
    sy = np.empty((H, ROWS))
    sxy = np.empty((H, ROWS))
    sxx = np.empty((H, ROWS))
    for i0 in range(0, k, ROWS):
        rows = min(ROWS, k - i0)
        if keyed:
            _fill_from_key(key, i0, rows, v.shape[0], ib)
        else:
            _fill_from_array(idx, i0, rows, ib)
        for j in range(rows):
            xb[0, j] = x0
            cb[0, j] = r0
        for t in range(m):
            for j in range(rows):
                q = ib[t, j]
                xb[t + 1, j] = (a + v[q]) + phi * xb[t, j]
                cb[t + 1, j] = cb[t, j] + (mu + u[q])
        for c in range(H):
            h = hs[c]
            n = T - h
            hmu = h * mu
            for j in range(rows):
                sx[c, j] = 0.0
                sy[c, j] = 0.0
                sxy[c, j] = 0.0
                sxx[c, j] = 0.0
            for t in range(n):
                for j in range(rows):
                    # sums of values shifted by x0 and h * mu: one pass, no cancellation
                    xc = xb[t, j] - x0
                    yc = (cb[t + h, j] - cb[t, j]) - hmu
                    sx[c, j] += xc
                    sy[c, j] += yc
                    sxy[c, j] += xc * yc
                    sxx[c, j] += xc * xc
            for j in range(rows):
                cxy = sxy[c, j] - sx[c, j] * sy[c, j] / n
                cxx = sxx[c, j] - sx[c, j] * sx[c, j] / n
                out[i0 + j, c] = cxy / cxx
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
    return _ar1_slopes(idx, _ZERO_KEY, k, m, v, u, a, phi, x0, r0, mu, hs)


@njit(cache=True, error_model="numpy")
def ar1_null_slopes_keyed(
    key: np.uint64,
    k: int,
    v: np.ndarray,
    u: np.ndarray,
    a: float,
    phi: float,
    x0: float,
    r0: float,
    mu: float,
    hs: np.ndarray,
) -> np.ndarray:
    """:func:`ar1_null_slopes` on the iid indices of the counter stream of ``key``: rows
    ``0 .. k-1``, ``len(v)`` indices each (:func:`smallcap_bt.stats.streams.iid_indices`),
    computed where they are used instead of read from a ``(k, T - 1)`` matrix."""
    none = np.empty((0, 0), dtype=np.int64)
    return _ar1_slopes(none, key, k, v.shape[0], v, u, a, phi, x0, r0, mu, hs)


@njit(cache=True, error_model="numpy")
def pair_log_sums(
    key: np.uint64,
    row0: int,
    k: int,
    threshold: int,
    ls: np.ndarray,
    ll: np.ndarray,
    lags: int,
    want_lrv: bool,
):
    """Stationary-bootstrap sums of two legs' log returns, on the counter stream of ``key``.

    Parameters
    ----------
    key : numpy.uint64
        Key of the counter stream (:func:`smallcap_bt.stats.streams.draw_key`).
    row0, k : int
        Resamples ``row0 .. row0 + k - 1`` (rows of the stream).
    threshold : int
        :func:`smallcap_bt.stats.streams.new_block_threshold` of ``p = 1 / block``: month
        ``t > 0`` starts a new block when the upper half of its word is below it, at the
        index given by the lower half (month 0 always starts one).
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
    The resample is that of :func:`smallcap_bt.stats.streams.stationary_indices`: position
    ``t`` takes observation ``(start + t - s) mod n`` with ``s`` the last block start at or
    before ``t``. The words are computed here, one per month, never stored.
    """
    n = ls.shape[0]
    nu = np.uint64(n)
    thr = np.uint64(threshold)
    sum_s = np.empty(k)
    sum_l = np.empty(k)
    sum_d = np.empty(k)
    lrv = np.full(k, np.nan)
    d = np.empty(n)
    wb = np.empty(n, dtype=np.uint64)
    L = min(lags, n - 1)
    for i in range(k):
        ts = 0.0
        tl = 0.0
        td = 0.0
        for t in range(n):  # the hashing vectorises here, not in the serial loop below
            wb[t] = _word(key, row0 + i, t, n)
        q = 0
        for t in range(n):
            w = wb[t]
            q += 1
            if q == n:
                q = 0
            if t == 0 or (w >> _U32) < thr:
                q = int(_index_of(w & _LOW32, nu))
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
