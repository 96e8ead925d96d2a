"""Fast paths cross-checked against the libraries they replace: the rotation kernel against
vectorbt's ``Portfolio.from_orders``, the block-sum stationary bootstrap against arch's
``StationaryBootstrap``; chunked and Dask screens against the local path; a seeded Monte Carlo
of the bootstrap test under the null."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from smallcap_bt.strategies.assets import asset_returns
from smallcap_bt.strategies.backtest import run_vectorbt
from smallcap_bt.strategies.kernel import run_kernel, screen


@pytest.fixture(scope="module")
def assets(panel):
    return asset_returns("tercile.vw", panel=panel).loc["1990-01":]


@pytest.fixture(scope="module")
def weights(assets):
    """Random weight matrices of every kind: continuous, discrete, all-in, constant."""
    g = np.random.default_rng(12)
    t = len(assets)
    w = np.column_stack(
        [
            g.random((t, 6)),
            g.choice([0.0, 0.25, 0.5, 1.0], size=(t, 6)),
            (g.random((t, 4)) < 0.3).astype(float),
            np.ones(t),
            np.zeros(t),
            np.full(t, 0.5),
        ]
    )
    w[g.random(w.shape) < 0.02] = np.nan  # missing = 0
    return pd.DataFrame(w, index=assets.index, columns=pd.Index(range(w.shape[1]), name="v"))


@pytest.mark.parametrize(("cost_bps", "other"), [(0.0, "large"), (25.0, "large"), (10.0, "cash")])
def test_kernel_equals_vectorbt_month_by_month(weights, assets, cost_bps, other):
    ref = run_vectorbt(weights, assets, cost_bps=cost_bps, other=other)
    got = run_kernel(weights, assets, cost_bps=cost_bps, other=other)
    for name in ("returns", "turnover", "fees"):
        a, b = getattr(got, name), getattr(ref, name)
        pd.testing.assert_index_equal(a.index, b.index)
        # the target is 1e-5 a month; both simulate the same trades, so they agree to rounding
        assert np.nanmax(np.abs(a.to_numpy() - b.to_numpy())) <= 1e-5, name
    assert (got.fees.to_numpy() > 0).any() == (cost_bps > 0)


@pytest.fixture(scope="module")
def vbt_costly(weights, assets):
    return run_vectorbt(weights, assets, cost_bps=25.0)


def _independent_metrics(bt, assets) -> pd.DataFrame:
    """Metrics recomputed here from vectorbt's paths with plain pandas (12 months a year)."""
    r = bt.returns
    n = len(r)
    rf = assets["cash"].reindex(r.index)
    bench = assets["large"].reindex(r.index)
    wealth = pd.concat([pd.DataFrame(1.0, index=["start"], columns=r.columns), (1 + r).cumprod()])
    xs, act = r.sub(rf, axis=0), r.sub(bench, axis=0)
    cagr = (1 + r).prod() ** (12 / n) - 1
    return pd.DataFrame(
        {
            "cagr": cagr,
            "vol": r.std() * np.sqrt(12),
            "sharpe": xs.mean() / xs.std() * np.sqrt(12),
            "max_drawdown": (wealth / wealth.cummax() - 1).min(),
            "turnover": bt.turnover.mean() * 12,
            "costs": bt.fees.mean() * 12,
            "excess_cagr": cagr - ((1 + bench).prod() ** (12 / n) - 1),
            "info_ratio": act.mean() / act.std() * np.sqrt(12),
        }
    )


def test_screen_metrics_equal_an_independent_calculation(weights, assets, vbt_costly):
    got = screen(weights, assets, cost_bps=25.0, chunk=5)  # several chunks
    expect = _independent_metrics(vbt_costly, assets)
    pd.testing.assert_frame_equal(got, expect, check_names=False, rtol=1e-7, atol=1e-10)
    assert got.attrs["first_month"] == str(assets.index[1])


def _threshold_weights(driver: np.ndarray, thresholds: np.ndarray, start: int, stop: int):
    return (driver[:, None] > thresholds[None, start:stop]).astype(float)


def test_weight_source_equals_frame_and_chunking_is_invisible(assets):
    g = np.random.default_rng(5)
    driver = np.cumsum(g.normal(0, 1, len(assets)))
    thr = np.linspace(-5, 5, 37)
    src = functools.partial(_threshold_weights, driver, thr)
    frame = pd.DataFrame(src(0, len(thr)), index=assets.index)
    a = screen(frame, assets, cost_bps=10, chunk=len(thr))
    b = screen(src, assets, cost_bps=10, n_variants=len(thr), index=assets.index, chunk=4)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_screen_is_identical_to_local(weights, assets, dask_client):
    local = screen(weights, assets, cost_bps=25.0, chunk=4)
    remote = screen(weights, assets, cost_bps=25.0, chunk=4, client=dask_client)
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    assert len(dask_client.scheduler_info()["workers"]) == 2


def test_dask_sweep_is_identical_to_local(panel, store_dir, dask_client):
    from smallcap_bt.strategies import sweep

    kw = {"panel": panel, "store": store_dir, "spa_reps": 100, "seed": 3}
    local = sweep("rate-regime", **kw)
    remote = sweep("rate-regime", client=dask_client, **kw)
    pd.testing.assert_frame_equal(local.metrics, remote.metrics, check_exact=True)
    assert local.best == remote.best and local.overfitting == remote.overfitting


# -- stationary bootstrap ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def smb(panel):
    return panel["sml.smb"].dropna().to_numpy()


@pytest.mark.parametrize(("series", "block"), [("sml.smb", 6.0), ("tbill", 4.0)])
def test_block_sum_bootstrap_matches_arch_distribution(panel, series, block):
    """At 20,000 draws the SD of a bootstrap mean has a sampling error of about 0.5%
    (1 / sqrt(2 x 20,000)); the two SDs must agree within 3%, the 2.5%, 50% and 97.5%
    quantiles within 0.1 SD. SMB is the target series; the persistent T-bill rate makes the
    SD depend strongly on the block length, so a wrong block-length law shows."""
    from arch.bootstrap import StationaryBootstrap

    from smallcap_bt.stats.inference import stationary_means

    x = panel[series].dropna().to_numpy()
    ours = stationary_means(x, 20_000, block, seed=1)
    theirs = StationaryBootstrap(block, x, seed=1).apply(np.mean, 20_000).ravel()
    sd = theirs.std()
    assert ours.std() == pytest.approx(sd, rel=0.03)
    q = [0.025, 0.5, 0.975]
    np.testing.assert_allclose(np.quantile(ours, q), np.quantile(theirs, q), atol=0.1 * sd)


def test_block_sum_bootstrap_limits(smb):
    """Independent oracles: with one endless block every resample is a rotation of the series
    (mean exactly the sample mean); with blocks of 1 it is the iid bootstrap, whose SD of the
    mean is sd(x, ddof=0) / sqrt(n)."""
    from smallcap_bt.stats.inference import stationary_means

    rot = stationary_means(smb, 200, 1e12, seed=0)
    np.testing.assert_allclose(rot, smb.mean(), rtol=0, atol=1e-15)
    iid = stationary_means(smb, 20_000, 1.0, seed=0)
    assert iid.std() == pytest.approx(smb.std() / np.sqrt(len(smb)), rel=0.03)
    assert iid.mean() == pytest.approx(smb.mean(), abs=4 * smb.std() / np.sqrt(len(smb) * 2e4))


def test_block_sum_bootstrap_seeding():
    from smallcap_bt.stats.inference import stationary_means

    x = np.random.default_rng(0).normal(size=120)
    np.testing.assert_array_equal(stationary_means(x, 50, 4, 7), stationary_means(x, 50, 4, 7))
    g = np.random.default_rng(7)
    first, second = stationary_means(x, 50, 4, g), stationary_means(x, 50, 4, g)
    assert not np.array_equal(first, second)  # a Generator's state advances
    np.testing.assert_array_equal(-stationary_means(x, 50, 4, 7), stationary_means(-x, 50, 4, 7))
    with pytest.raises(ValueError, match="missing"):
        stationary_means(np.r_[x, np.nan], 10, 4, 0)


def test_bootstrap_mean_test_has_its_size_under_the_null():
    """Seeded Monte Carlo: 400 AR(1) series (phi 0.3, mean 0, 240 months); the stationary
    bootstrap p-value rejects at 5% in 2-9% of them (binomial SE at 5% and 400 runs: 1.1%)."""
    from smallcap_bt.stats.inference import bootstrap_mean

    g = np.random.default_rng(2024)
    n, sims, phi = 240, 400, 0.3
    idx = pd.period_range("2000-01", periods=n, freq="M")
    rejections = 0
    for _ in range(sims):
        e = g.normal(0, 0.04, n + 50)
        y = np.empty_like(e)
        y[0] = e[0]
        for t in range(1, len(e)):
            y[t] = phi * y[t - 1] + e[t]
        est = bootstrap_mean(pd.Series(y[50:], index=idx), reps=499, block=5.0, seed=g)
        rejections += est.p_value < 0.05
    assert 0.02 <= rejections / sims <= 0.09


def test_cli_backtest_on_a_dask_scheduler(store_dir, dask_client, capsys):
    from smallcap_bt.cli import main

    argv = ["--store", str(store_dir), "backtest", "rate-regime", "--grid", "variables=tbill"]
    assert main(argv) == 0
    local = capsys.readouterr().out
    address = dask_client.cluster.scheduler_address
    assert main([*argv, "--scheduler", address]) == 0
    assert capsys.readouterr().out == local


def test_blocks_and_threads_do_not_change_results(weights, assets, monkeypatch):
    """Variants are independent: cutting them into blocks run on several threads (here
    blocks of 3) gives bit-identical results to one block."""
    from smallcap_bt.stats import rotation

    one = run_kernel(weights, assets, cost_bps=25.0)
    m_one = screen(weights, assets, cost_bps=25.0)
    monkeypatch.setattr(rotation, "BLOCK", 3)
    many = run_kernel(weights, assets, cost_bps=25.0)
    pd.testing.assert_frame_equal(one.returns, many.returns, check_exact=True)
    pd.testing.assert_frame_equal(one.turnover, many.turnover, check_exact=True)
    pd.testing.assert_frame_equal(m_one, screen(weights, assets, cost_bps=25.0), check_exact=True)


def test_dask_screen_from_a_scheduler_address(weights, assets, dask_client):
    address = dask_client.cluster.scheduler_address
    local = screen(weights, assets, chunk=7)
    pd.testing.assert_frame_equal(local, screen(weights, assets, chunk=7, client=address))


def _bad_source(t: int, start: int, stop: int) -> np.ndarray:
    """Weights 0.5 everywhere but variant 9 in month 7, which holds 1.5."""
    w = np.full((t, stop - start), 0.5)
    if start <= 9 < stop:
        w[7, 9 - start] = 1.5
    return w


def test_weights_outside_0_1_are_an_error_naming_variant_and_month(weights, assets, dask_client):
    """The kernel and vectorbt clipped 1.5 to 1 and -0.2 to 0 without a word (a bad-input
    battery): a weight beyond rounding outside [0, 1], or infinite, is now an error naming the
    variant and month, on every path; within rounding it is still clipped, NaN is still 0."""
    month = assets.index[7]
    for value in (1.5, -0.2, np.inf, 1 + 1e-6):
        w = weights.copy()
        w.iloc[7, 3] = value
        msg = rf"variant 3 holds {value!r} in {month}"
        for run in (screen, run_kernel, run_vectorbt):
            with pytest.raises(ValueError, match=msg):
                run(w, assets)
    # a weight source: the position is found in a later chunk and mapped back, here and on Dask
    src = functools.partial(_bad_source, len(assets))
    kw = {"n_variants": 12, "index": assets.index, "chunk": 4}
    for client in (None, dask_client):
        with pytest.raises(ValueError, match=rf"variant 9 holds 1.5 in {month}"):
            screen(src, assets, client=client, **kw)
    near = weights.fillna(0.5).clip(0, 1) * (1 + 1e-12)  # rounding above 1 is clipped
    pd.testing.assert_frame_equal(
        screen(near, assets), screen(near.clip(0, 1), assets), check_exact=True
    )


@pytest.mark.parametrize(
    ("kw", "msg"),
    [
        ({"cost_bps": float("nan")}, "cost_bps is a cost, a finite number >= 0; got nan"),
        ({"cost_bps": -5}, "cost_bps is a cost"),
        ({"cost_bps": "10"}, "cost_bps is a number of basis points"),
        ({"other": "bonds"}, 'other is "large" or "cash".*got \'bonds\''),
    ],
)
def test_screen_and_kernel_check_costs_and_other(weights, assets, kw, msg):
    """NaN costs gave all-NaN metrics, negative costs ran, ``other="bonds"`` was a KeyError."""
    for run in (screen, run_kernel, run_vectorbt):
        with pytest.raises(ValueError, match=msg):
            run(weights, assets, **kw)


def test_screen_needs_monthly_periods_and_the_three_assets(weights, assets):
    with pytest.raises(
        ValueError, match=r"the index must be months \(PeriodIndex\[M\]\), got RangeIndex"
    ):
        screen(weights.reset_index(drop=True), assets)
    with pytest.raises(ValueError, match="assets: no cash column"):
        screen(weights, assets.drop(columns="cash"))
    assert screen(weights, assets, cost_bps=np.int64(10)).shape == (weights.shape[1], 8)


def test_weight_checks_agree_across_paths_and_refuse_nothing_valid(weights, assets):
    """A referee's cases: a bad weight in the last month (never held) was refused by
    run_kernel and run_vectorbt, not by screen; with two bad cells the paths named different
    ones; integer labels printed as ``np.int64(20)``; assets without cash were refused where
    cash is not used; a DatetimeIndex was refused by screen only; quarterly periods passed."""
    last = weights.copy()
    last.iloc[-1, 2] = 7.0  # the last month's weights are never held
    for run in (screen, run_kernel, run_vectorbt):
        run(last, assets)
    two = weights.copy()
    two.iloc[30, 5] = 2.0  # earlier month, later variant
    two.iloc[40, 1] = -1.0  # the first: lowest variant, then earliest month
    msg = rf"variant 1 holds -1.0 in {assets.index[40]};"
    for run in (screen, run_kernel, run_vectorbt):
        with pytest.raises(ValueError, match=msg):
            run(two, assets)
    with pytest.raises(ValueError, match=msg):  # the same cell in any chunking
        screen(two, assets, chunk=3)
    # assets without cash: enough when the rest sits in large (cash is only for screen's Sharpe)
    no_cash = assets.drop(columns="cash")
    ref = run_kernel(weights, assets)
    pd.testing.assert_frame_equal(run_kernel(weights, no_cash).returns, ref.returns)
    with pytest.raises(ValueError, match="assets: no cash column"):
        run_kernel(weights, no_cash, other="cash")
    # month-end timestamps are months, as run_kernel reads them; quarters are not
    ts = weights.set_axis(weights.index.to_timestamp(how="end").normalize())
    a_ts = assets.set_axis(ts.index)
    np.testing.assert_allclose(screen(ts, a_ts).to_numpy(), screen(weights, assets).to_numpy())
    q = weights.set_axis(pd.period_range("1990Q1", periods=len(weights), freq="Q"))
    for run in (screen, run_kernel):
        with pytest.raises(ValueError, match="monthly periods are needed, got frequency 'Q"):
            run(q, assets.set_axis(q.index))


def test_a_weight_source_of_the_wrong_shape_and_bad_returns_are_named(weights, assets):
    """A new-user trial: a weight source giving 5 rows instead of one per month screened 5
    months and annualised them as the whole sample (CAGR 0.06% for an all-large portfolio);
    a gap or a -150% return in the assets gave NaN metrics with only a NumPy warning."""
    t = len(assets)
    kw = {"n_variants": 4, "index": assets.index}
    for shape in ((5, 4), (t + 1, 4), (t, 3)):
        with pytest.raises(ValueError, match=rf"weight source gave shape \({shape[0]}, "):
            screen(lambda a, b, s=shape: np.zeros(s), assets, **kw)
    good = screen(lambda a, b: np.zeros((t, b - a)), assets, **kw)
    all_large = (1 + assets["large"].iloc[1:]).prod() ** (12 / (t - 1)) - 1  # held from month 2
    np.testing.assert_allclose(good["cagr"], all_large, rtol=1e-3)  # less the first purchase
    for col, value in (("small", np.nan), ("large", -1.5), ("cash", np.inf)):
        bad = assets.copy()
        bad.iloc[20, bad.columns.get_loc(col)] = value
        with pytest.raises(ValueError, match=rf"assets: '{col}' returns {value!r} in "):
            screen(weights, bad)
        if col != "cash":  # cash is not held with other="large"
            for run in (run_kernel, run_vectorbt):
                with pytest.raises(ValueError, match=rf"assets: '{col}' returns"):
                    run(weights, bad)
