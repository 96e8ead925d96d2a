"""Numba null-simulation kernels against the pure NumPy reference implementations they replace.

The references are imported, never re-derived from the kernels: ``_null_slopes_numpy``,
``_logit_fit`` and ``_logit_ar1_numpy`` (:mod:`smallcap_bt.stats.predictive`) and the generic
gather path of :func:`smallcap_bt.stats.pairs.pair_bootstrap` (taken for any statistic that is
not a :class:`~smallcap_bt.stats.pairs.LogGrowthDifference`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcap_bt.stats import nb_predictive, pairs, predictive, streams
from smallcap_bt.stats.pairs import (
    LogGrowthDifference,
    cumulative_difference,
    geometric_difference,
    pair_bootstrap,
)
from smallcap_bt.stats.predictive import (
    _ar1,
    _logit_ar1_keyed,
    _logit_ar1_keyed_numpy,
    _logit_fit,
    _logit_fit_nb,
    _null_slopes,
    _null_slopes_keyed,
    _null_slopes_keyed_numpy,
    _null_slopes_numpy,
    predictive_logit,
    predictive_regression,
)


def _series(g: np.random.Generator, T: int, phi: float) -> tuple[np.ndarray, np.ndarray]:
    """A persistent signal and monthly returns correlated with its innovations."""
    e = g.normal(0, 1, (T, 2))
    x = np.empty(T)
    x[0] = 0.3
    for t in range(1, T):
        x[t] = 0.01 + phi * x[t - 1] + 0.1 * e[t, 0]
    r = 0.008 + 0.045 * (0.6 * e[:, 0] + 0.8 * e[:, 1])
    return x, r


@pytest.mark.parametrize(
    ("T", "h", "phi"), [(1196, 36, 0.99), (1196, 60, 0.999), (150, 12, 0.5), (45, 1, -0.4)]
)
def test_ar1_null_slopes_equal_the_numpy_reference(T: int, h: int, phi: float) -> None:
    g = np.random.default_rng(T + h)
    x, r = _series(g, T, phi)
    a, ph, v = _ar1(x)
    mu = float(r[1:].mean())
    u = r[1:] - mu
    k = 37  # not a multiple of the kernel's row block
    idx = g.integers(0, T - 1, size=(k, T - 1))
    hs = (h, max(1, h // 3), h)  # several horizons from one path, a repeated one included
    args = (v, u, a, ph, float(x[0]), float(r[0]), mu, hs)
    ref = _null_slopes_numpy(idx, *args)
    got = _null_slopes(idx, *args)
    assert got.shape == ref.shape == (k, 3)
    # same arithmetic up to the order of the sums, column by column
    for c in range(3):
        assert np.max(np.abs(got[:, c] - ref[:, c])) <= 1e-10 * np.std(ref[:, c])
    single = _null_slopes_numpy(idx, *args[:-1], (hs[1],))[:, 0]  # one horizon alone
    np.testing.assert_allclose(got[:, 1], single, rtol=0, atol=1e-10 * np.std(single))


def _logit_inputs() -> tuple[np.ndarray, np.ndarray]:
    """Rows of every kind: ordinary, steep, separated, constant, NaN, a tiny slope."""
    g = np.random.default_rng(3)
    n = 240
    y = (g.random(n) < 0.7).astype(float)
    rows = [g.normal(0, s, n) + b * (y - 0.7) for s, b in [(1, 0), (1, 1.5), (0.2, 0.5), (3, 0)]]
    rows += [np.cumsum(g.normal(0, 0.1, n)) for _ in range(20)]
    sep = np.where(y == 1, 1.0, -1.0) + g.normal(0, 0.1, n)  # perfect separation
    rows.append(sep)
    rows.append(np.full(n, 2.0))  # constant: singular information matrix
    nan_row = g.normal(0, 1, n)
    nan_row[5] = np.nan
    rows.append(nan_row)
    rows.append(1e-6 * g.normal(0, 1, n))
    return np.vstack(rows), y


def test_logit_rows_equal_the_numpy_reference_including_failures() -> None:
    x, y = _logit_inputs()
    ra, rb, rse = _logit_fit(x, y)
    ka, kb, kse = _logit_fit_nb(x, y)
    for ref, got in ((ra, ka), (rb, kb), (rse, kse)):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        ok = np.isfinite(ref)
        # converged to the same maximum (tolerance of the Newton steps: 1e-8 relative)
        assert np.all(np.abs(got[ok] - ref[ok]) <= 1e-8 * (1 + np.abs(ref[ok])))
    assert np.isnan(rb[-4])  # the separated row failed in the reference, and in the kernel
    assert np.isfinite(rb[:-4]).all()
    _, _, no_se = _logit_fit_nb(x, y, want_se=False)
    assert np.isnan(no_se).all()


def test_logit_rows_with_one_outcome_per_row() -> None:
    x, _ = _logit_inputs()
    g = np.random.default_rng(4)
    yy = (g.random(x.shape) < 0.4).astype(float)
    yy[0] = 0.0  # no events: no finite estimate
    ref = _logit_fit(x, yy)[1]
    got = _logit_fit_nb(x, yy)[1]
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    ok = np.isfinite(ref)
    assert np.all(np.abs(got[ok] - ref[ok]) <= 1e-8 * (1 + np.abs(ref[ok])))
    assert np.isnan(got[0])
    with pytest.raises(ValueError, match="does not match"):
        _logit_fit_nb(x, yy[:3])


def test_exp_used_by_the_logit_kernel_is_accurate() -> None:
    from numba import njit

    f = njit(lambda z: nb_predictive._exp_clipped(z))
    z = np.concatenate([np.linspace(-36, 36, 20_001), [0.0, -0.0, 1e-300, 35.0, -35.0]])
    got = np.array([f(t) for t in z])
    assert np.max(np.abs(got / np.exp(z) - 1)) <= 4e-16
    assert np.isnan(f(np.nan))


@pytest.mark.parametrize(("T", "phi"), [(1196, 0.99), (150, 0.5), (46, -0.4)])
def test_keyed_null_slopes_equal_the_numpy_reference(T: int, phi: float) -> None:
    """The kernel computes the counter-stream indices itself (two per word, an odd count of
    residuals included); the reference reads them from ``streams.iid_indices``."""
    g = np.random.default_rng(T)
    x, r = _series(g, T, phi)
    a, ph, v = _ar1(x)
    mu = float(r[1:].mean())
    u = r[1:] - mu
    key = streams.draw_key(g)
    args = (v, u, a, ph, float(x[0]), float(r[0]), mu, (12, 1))
    ref = _null_slopes_keyed_numpy(key, 37, *args)
    got = _null_slopes_keyed(key, 37, *args)
    for c in range(2):
        assert np.max(np.abs(got[:, c] - ref[:, c])) <= 1e-10 * np.std(ref[:, c])
    # the first rows do not depend on how many rows are drawn
    np.testing.assert_array_equal(_null_slopes_keyed(key, 5, *args), got[:5])


def test_keyed_logit_null_equals_the_numpy_reference() -> None:
    g = np.random.default_rng(5)
    n = 601
    x, _ = _series(g, n, 0.95)
    y = (np.convolve(g.random(n) < 0.03, np.ones(12), "same") == 0).astype(float)
    a, phi, v = _ar1(x)
    key = streams.draw_key(g)
    ref = _logit_ar1_keyed_numpy(key, 53, v, a, phi, float(x[0]), y)
    got = _logit_ar1_keyed(key, 53, v, a, phi, float(x[0]), y)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    ok = np.isfinite(ref)
    assert ok.sum() > 40
    assert np.all(np.abs(got[ok] - ref[ok]) <= 1e-8 * (1 + np.abs(ref[ok])))


def _frame(g: np.random.Generator, T: int, phi: float) -> tuple[pd.Series, pd.Series]:
    x, r = _series(g, T, phi)
    idx = pd.period_range("1950-01", periods=T, freq="M")
    return pd.Series(r, idx, name="r"), pd.Series(x, idx, name="x")


@pytest.mark.parametrize("block", [None, 4.0])
def test_predictive_regression_equals_the_reference_end_to_end(monkeypatch, block) -> None:
    r, x = _frame(np.random.default_rng(6), 400, 0.97)
    kw = {"draws": 700, "block": block, "newey_west": False, "chunk_cells": 60_000}
    g_fast, g_ref = np.random.default_rng(1), np.random.default_rng(1)
    fast = predictive_regression(r, x, 24, seed=g_fast, **kw)
    monkeypatch.setattr(predictive, "_null_slopes", _null_slopes_numpy)
    monkeypatch.setattr(predictive, "_null_slopes_keyed", _null_slopes_keyed_numpy)
    ref = predictive_regression(r, x, 24, seed=g_ref, **kw)
    d = np.max(np.abs(fast.null_draws - ref.null_draws))
    assert d <= 1e-10 * np.std(ref.null_draws)
    e, f = fast.estimate, ref.estimate
    assert e.p_value == f.p_value
    assert abs(e.ci_low - f.ci_low) <= 1e-10 and abs(e.ci_high - f.ci_high) <= 1e-10
    assert g_fast.bit_generator.state == g_ref.bit_generator.state  # same stream consumed


def test_predictive_logit_equals_the_reference_end_to_end(monkeypatch) -> None:
    g = np.random.default_rng(7)
    r, x = _frame(g, 500, 0.9)
    rec = pd.Series((g.random(500) < 0.04).astype(float), r.index, name="rec")
    calm = 1 - predictive.event_within(rec, 12)
    g_fast, g_ref = np.random.default_rng(2), np.random.default_rng(2)
    fast = predictive_logit(calm, x, 12, draws=600, seed=g_fast)
    monkeypatch.setattr(predictive, "_logit_ar1_keyed", _logit_ar1_keyed_numpy)
    ref = predictive_logit(calm, x, 12, draws=600, seed=g_ref)
    a, b = fast.null_draws, ref.null_draws
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    ok = np.isfinite(b)
    assert np.max(np.abs(a[ok] - b[ok])) <= 1e-8 * (1 + np.max(np.abs(b[ok])))
    assert fast.estimate.p_value == ref.estimate.p_value
    assert abs(fast.estimate.ci_low - ref.estimate.ci_low) <= 1e-7
    assert g_fast.bit_generator.state == g_ref.bit_generator.state


def test_pair_log_sums_follow_stationary_indices() -> None:
    g = np.random.default_rng(8)
    n, k, block, lags = 50, 200, 3.5, 4
    ls, ll = g.normal(0.01, 0.05, n), g.normal(0.008, 0.04, n)
    key, row0 = streams.draw_key(np.random.default_rng(11)), 7
    idx = streams.stationary_indices(key, row0, k, n, 1 / block)
    threshold = streams.new_block_threshold(1 / block)
    ss, sl, sd, lrv = nb_predictive.pair_log_sums(key, row0, k, threshold, ls, ll, lags, True)
    np.testing.assert_allclose(ss, ls[idx].sum(axis=1), rtol=0, atol=1e-13)
    np.testing.assert_allclose(sl, ll[idx].sum(axis=1), rtol=0, atol=1e-13)
    np.testing.assert_allclose(sd, (ls[idx] - ll[idx]).sum(axis=1), rtol=0, atol=1e-13)
    ref_lrv = pairs.bartlett_lrv(ls[idx] - ll[idx], lags)
    np.testing.assert_allclose(lrv, ref_lrv, rtol=1e-12, atol=0)


@pytest.mark.parametrize("n", [6, 37, 180])
@pytest.mark.parametrize("kind", ["cumulative", "geometric", "no null terms"])
def test_pair_bootstrap_fast_path_equals_the_gather_path(monkeypatch, n, kind) -> None:
    g = np.random.default_rng(n)
    idx = pd.period_range("2000-01", periods=n, freq="M")
    s = pd.Series(g.normal(0.01, 0.06, n), idx)
    lg = pd.Series(g.normal(0.008, 0.045, n), idx)
    stat = LogGrowthDifference(None if kind == "cumulative" else 12)
    terms = None if kind == "no null terms" else pairs._log_excess
    calls = []
    kernel = nb_predictive.pair_log_sums
    monkeypatch.setattr(nb_predictive, "pair_log_sums", lambda *a: calls.append(1) or kernel(*a))
    kw = {"draws": 900, "seed": 3, "null_terms": terms, "alternative": "greater"}
    fast = pair_bootstrap(s, lg, stat, **kw)
    assert calls, "the LogGrowthDifference statistic must take the kernel path"
    ref = pair_bootstrap(s, lg, lambda a, b: stat(a, b), **kw)  # generic: gathers (k, T)
    assert len(calls) == 1
    # the same resamples; the kernel sums months in order, NumPy pairwise: rounding only
    scale = np.max(np.abs(ref.extra["draws"]))
    np.testing.assert_allclose(fast.extra["draws"], ref.extra["draws"], rtol=0, atol=1e-13 * scale)
    assert fast.value == ref.value
    assert abs(fast.p_value - ref.p_value) <= 1e-10
    assert abs(fast.ci_low - ref.ci_low) <= 1e-12 and abs(fast.ci_high - ref.ci_high) <= 1e-12


def test_window_differences_take_the_kernel_path(monkeypatch) -> None:
    calls = []
    kernel = nb_predictive.pair_log_sums
    monkeypatch.setattr(nb_predictive, "pair_log_sums", lambda *a: calls.append(1) or kernel(*a))
    idx = pd.period_range("2010-01", periods=60, freq="M")
    g = np.random.default_rng(0)
    s, lg = pd.Series(g.normal(0, 0.05, 60), idx), pd.Series(g.normal(0, 0.04, 60), idx)
    cumulative_difference(s, lg, draws=50)
    geometric_difference(s, lg, draws=50)
    assert len(calls) == 2


def test_logit_steep_but_finite_fits_are_dropped_like_the_reference() -> None:
    """Near-separation (one or two points overlap): the maximum exists but |b| sd(x) > 30, a
    failure in the reference; milder overlaps give finite slopes in both."""
    n = 240
    x = np.linspace(-1, 1, n)
    ys = []
    for flips in (1, 2, 3, 5):
        y = (x > 0).astype(float)
        y[n // 2 - flips : n // 2] = 1.0
        y[n // 2 : n // 2 + flips] = 0.0
        ys.append(y)
    xx, yy = np.vstack([x] * len(ys)), np.vstack(ys)
    ref = _logit_fit(xx, yy)[1]
    got = _logit_fit_nb(xx, yy)[1]
    assert np.isnan(ref[:2]).all() and np.isfinite(ref[2:]).all()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got[2:], ref[2:], rtol=1e-8)


@pytest.mark.parametrize("sd", [1.0, 1e5])
def test_logit_fits_equal_statsmodels_whatever_the_units_of_x(sd: float) -> None:
    """The Newton stopping rule must not depend on the units of the signal: a demeaned x
    with a large standard deviation (first step lands near zero) still reaches statsmodels'
    maximum-likelihood slope (the oracle), in the NumPy reference and the kernel alike."""
    import statsmodels.api as sm

    g = np.random.default_rng(4)
    z = g.normal(size=240)
    z = (z - z.mean()) / z.std()
    y = (g.random(240) < 1 / (1 + np.exp(-(0.3 + 1.0 * z)))).astype(float)
    x = z * sd
    ref = sm.Logit(y, sm.add_constant(x)).fit(disp=0, tol=1e-12, maxiter=100)
    for fit in (_logit_fit, _logit_fit_nb):
        a, b, se = (float(v[0]) for v in fit(x[None, :], y))
        assert b == pytest.approx(ref.params[1], rel=1e-7), fit.__name__
        assert a == pytest.approx(ref.params[0], rel=1e-7, abs=1e-9), fit.__name__
        assert se == pytest.approx(ref.bse[1], rel=1e-6), fit.__name__


@pytest.mark.parametrize("level", [5e3, 1e8])
def test_logit_slope_does_not_depend_on_the_level_of_the_signal(level: float) -> None:
    """A signal far from zero (level / spread 5,000 or 1e8): both fits step on the centred
    signal, so they reach statsmodels' slope on the centred signal (the oracle; the slope is
    shift-invariant). Uncentred, the kernel returned NaN at 5,000 and a wrong sign at 1e8."""
    import statsmodels.api as sm

    g = np.random.default_rng(12)
    z = g.normal(size=300)
    y = (g.random(300) < 1 / (1 + np.exp(-(0.2 + 0.8 * z)))).astype(float)
    ref = sm.Logit(y, sm.add_constant(z - z.mean())).fit(disp=0, tol=1e-12, maxiter=100)
    for fit in (_logit_fit, _logit_fit_nb):
        a, b, se = (float(v[0]) for v in fit((level + z)[None, :], y))
        assert b == pytest.approx(ref.params[1], rel=1e-6), fit.__name__
        assert se == pytest.approx(ref.bse[1], rel=1e-5), fit.__name__
        # intercept shifted back to the signal's own units: fitted log-odds at the mean agree
        assert a + b * (level + z.mean()) == pytest.approx(ref.params[0], rel=1e-6, abs=1e-8)


def test_logit_fails_on_constant_missing_and_infinite_rows() -> None:
    g = np.random.default_rng(13)
    y = (g.random(120) < 0.4).astype(float)
    ok = g.normal(size=120)
    rows = [np.full(120, 3.0), ok.copy(), ok.copy(), ok.copy(), ok]
    rows[1][7] = np.nan
    rows[2][9] = np.inf
    rows[3][9] = -np.inf
    x = np.vstack(rows)
    for fit in (_logit_fit, _logit_fit_nb):
        a, b, se = fit(x, y)
        assert np.isnan(b[:4]).all() and np.isnan(a[:4]).all(), fit.__name__
        assert np.isfinite(b[4]) and np.isfinite(se[4]), fit.__name__


def test_kernels_read_a_python_int_key_as_its_uint64() -> None:
    """numba types int64 + uint64 as int64 (sign-extending shifts): the kernels cast the key."""
    g = np.random.default_rng(14)
    ls, ll = g.normal(0.01, 0.05, 40), g.normal(0.008, 0.04, 40)
    thr = streams.new_block_threshold(0.4)
    as_int = nb_predictive.pair_log_sums(5, 0, 30, thr, ls, ll, 2, True)
    as_u64 = nb_predictive.pair_log_sums(np.uint64(5), 0, 30, thr, ls, ll, 2, True)
    for got, ref in zip(as_int, as_u64, strict=True):
        np.testing.assert_array_equal(got, ref)
    idx = streams.stationary_indices(5, 0, 30, 40, 0.4)
    np.testing.assert_allclose(as_int[0], ls[idx].sum(axis=1), rtol=0, atol=1e-13)


@pytest.mark.parametrize("block", [None, 4.0])
def test_predictive_null_draws_do_not_depend_on_the_chunk_size(block) -> None:
    r, x = _frame(np.random.default_rng(15), 300, 0.9)
    runs = [
        predictive_regression(r, x, 12, draws=300, seed=4, block=block, chunk_cells=cells)
        for cells in (20_000, 4_000_000)
    ]
    np.testing.assert_array_equal(runs[0].null_draws, runs[1].null_draws)


def test_kernels_get_writable_arrays_whatever_the_caller_holds(monkeypatch):
    """Read-only inputs (pandas hands them out under copy-on-write) reach the kernels as
    writable copies, so numba compiles one specialization per kernel, not two (about 1 s of
    JIT each on a fresh install); writable float arrays pass through uncopied."""
    g = np.random.default_rng(0)
    x = g.normal(size=(3, 40))
    y = (g.normal(size=(1, 40)) > 0).astype(float)
    frozen = x.copy()
    frozen.flags.writeable = False
    seen = []
    kernels = {
        "logit_rows": nb_predictive.logit_rows,
        "logit_ar1_keyed": nb_predictive.logit_ar1_keyed,
        "ar1_null_slopes_keyed": nb_predictive.ar1_null_slopes_keyed,
    }
    for name, kernel in kernels.items():

        def recording(*args, _kernel=kernel, _name=name):
            seen.extend((_name, a.flags.writeable) for a in args if isinstance(a, np.ndarray))
            return _kernel(*args)

        monkeypatch.setattr(nb_predictive, name, recording)
    frozen_y = y.copy()
    frozen_y.flags.writeable = False
    _logit_fit_nb(frozen, frozen_y)
    _logit_ar1_keyed(np.uint64(7), 5, frozen[0, :-1], 0.0, 0.5, 0.0, frozen_y[0])
    _null_slopes_keyed(
        np.uint64(7), 5, frozen[0, :-1], frozen[1, :-1], 0.0, 0.5, 0.0, 0.0, 0.0, [1]
    )
    assert {n for n, _ in seen} == set(kernels)
    assert all(writable for _, writable in seen), seen
    assert predictive._c_float(x) is x  # no copy when none is needed
