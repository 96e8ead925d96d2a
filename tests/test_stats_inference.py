"""Inference building blocks of issue 10: oracles from direct numpy calculations, published
lists and seeded Monte Carlo simulations under the null (never from the code under test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from smallcap_bt.stats.pairs import cumulative_difference, geometric_difference


def _months(n: int, start: str = "2000-01") -> pd.PeriodIndex:
    return pd.period_range(start, periods=n, freq="M")


def _pair_paths(g: np.random.Generator, n: int, phi: float, burn: int = 50) -> np.ndarray:
    """Two correlated AR(1) monthly return legs with the same mean (0.8%) and variance."""
    e = g.multivariate_normal([0.0, 0.0], [[1.0, 0.7], [0.7, 1.0]], size=n + burn) * 0.04
    x = np.zeros_like(e)
    for t in range(1, n + burn):
        x[t] = phi * x[t - 1] + e[t]
    return x[burn:] + 0.008


# ---------------------------------------------------------------- 1. pair bootstrap


pair_returns = arrays(
    np.float64,
    st.tuples(st.integers(6, 40), st.just(2)),
    elements=st.floats(-0.3, 0.3, allow_nan=False, allow_subnormal=False),
)


@settings(max_examples=25, deadline=None)
@given(pair_returns)
def test_pair_bootstrap_swap_legs_negates_and_mirrors(x: np.ndarray) -> None:
    idx = _months(len(x))
    s, l_ = pd.Series(x[:, 0], idx), pd.Series(x[:, 1], idx)
    for fn in (cumulative_difference, geometric_difference):
        a = fn(s, l_, draws=99, seed=3, block=2.0)
        b = fn(l_, s, draws=99, seed=3, block=2.0)
        assert b.value == pytest.approx(-a.value, abs=1e-12)
        assert b.ci_low == pytest.approx(-a.ci_high, abs=1e-9)
        assert b.ci_high == pytest.approx(-a.ci_low, abs=1e-9)
        assert b.p_value == pytest.approx(a.p_value)


def test_cumulative_and_geometric_equal_direct_compounding() -> None:
    g = np.random.default_rng(11)
    x = g.normal(0.01, 0.05, size=(37, 2))
    s, l_ = pd.Series(x[:, 0], _months(37)), pd.Series(x[:, 1], _months(37))
    direct = np.prod(1 + x[:, 0]) - np.prod(1 + x[:, 1])
    geo = np.prod(1 + x[:, 0]) ** (12 / 37) - np.prod(1 + x[:, 1]) ** (12 / 37)
    c = cumulative_difference(s, l_, draws=200, seed=0)
    gd = geometric_difference(s, l_, draws=200, seed=0)
    assert c.value == pytest.approx(direct, rel=1e-12)
    assert gd.value == pytest.approx(geo, rel=1e-12)
    assert c.ci_low <= c.value <= c.ci_high
    assert gd.ci_low <= gd.value <= gd.ci_high
    assert c.n == 37 and c.start == "2000-01" and c.end == "2003-01"
    assert "cumulative" in c.units and "geometric" in gd.units


def test_pair_bootstrap_short_window_has_nan_interval() -> None:
    s = pd.Series([0.01, 0.02, -0.01, 0.03, 0.0], _months(5))
    e = cumulative_difference(s, s * 0.5, draws=50, seed=0)
    assert e.value == pytest.approx(np.prod(1 + s) - np.prod(1 + s * 0.5))
    assert np.isnan(e.ci_low) and np.isnan(e.p_value)
    assert "at least 6" in e.method


def test_pair_bootstrap_one_sided_pvalues_add_up() -> None:
    g = np.random.default_rng(5)
    x = g.normal(0.01, 0.05, size=(60, 2))
    s, l_ = pd.Series(x[:, 0], _months(60)), pd.Series(x[:, 1], _months(60))
    gt = cumulative_difference(s, l_, draws=500, seed=1, alternative="greater").p_value
    lt = cumulative_difference(s, l_, draws=500, seed=1, alternative="less").p_value
    assert gt + lt == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("phi", [0.0, 0.1])
def test_pair_bootstrap_size_under_null(phi: float) -> None:
    """Equal-mean month pairs, 120 months: the 5% test rejects in 2%-9% of 300 samples."""
    g = np.random.default_rng(2026)
    idx = _months(120)
    rej = {"cum": 0, "geo": 0}
    reps = 300
    for r in range(reps):
        x = _pair_paths(g, 120, phi)
        s, l_ = pd.Series(x[:, 0], idx), pd.Series(x[:, 1], idx)
        rej["cum"] += cumulative_difference(s, l_, draws=199, seed=r).p_value < 0.05
        rej["geo"] += geometric_difference(s, l_, draws=199, seed=r).p_value < 0.05
    for k, v in rej.items():
        assert 0.02 <= v / reps <= 0.09, (k, v / reps)
