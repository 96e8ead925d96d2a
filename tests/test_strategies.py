"""Strategies: vectorbt vs direct compounding, costs, no look-ahead, overfitting statistics."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from smallcap_bt.cli import main
from smallcap_bt.strategies import asset_returns, deflated_sharpe, pbo_cscv, signals, sweep
from smallcap_bt.strategies.backtest import run_numpy, run_vectorbt
from tests.conftest import Job


@pytest.fixture(scope="module")
def assets(panel):
    return asset_returns("tercile.vw", panel=panel).loc["1980-01":]


def test_vectorbt_equals_direct_compounding(panel, assets):
    g = np.random.default_rng(3)
    w = pd.DataFrame(
        g.choice([0.0, 0.25, 0.5, 1.0], size=(len(assets), 4)),
        index=assets.index,
        columns=pd.Index(range(4), name="v"),
    )
    w[4] = (
        signals.rate_regime(panel, ("tbill",), (12,), ("rising",))
        .iloc[:, 0]
        .reindex(assets.index)
        .to_numpy()
    )
    bt = run_vectorbt(w, assets, cost_bps=0.0)
    ref = run_numpy(w, assets)
    np.testing.assert_allclose(bt.returns.to_numpy(), ref.to_numpy(), rtol=0, atol=1e-10)
    direct = (
        w.iloc[:-1].to_numpy() * assets["small"].iloc[1:].to_numpy()[:, None]
        + (1 - w.iloc[:-1].to_numpy()) * assets["large"].iloc[1:].to_numpy()[:, None]
    )
    np.testing.assert_allclose(
        (1 + bt.returns).prod().to_numpy(), np.prod(1 + direct, axis=0), rtol=1e-9
    )


def test_vectorbt_gets_the_same_argument_types_for_any_number_of_variants(assets, monkeypatch):
    """One variant or several, ``from_orders`` receives arrays of one layout, so numba compiles
    vectorbt's simulation once per process (a scalar ``init_cash`` was broadcast with stride 0
    for several groups: a second compilation of about 2 s on a fresh install)."""
    import vectorbt as vbt

    from smallcap_bt.strategies.backtest import vectorbt_portfolio

    seen = []
    monkeypatch.setattr(vbt.Portfolio, "from_orders", lambda *a, **k: seen.append(k["init_cash"]))
    w = pd.DataFrame(0.5, index=assets.index, columns=range(3))
    for n in (1, 3):
        vectorbt_portfolio(w.iloc[:, :n], assets)
    for n, cash in zip((1, 3), seen, strict=True):
        assert isinstance(cash, np.ndarray) and cash.shape == (n,), cash
        assert cash.flags.c_contiguous and cash.dtype == np.float64 and (cash == 1.0).all()


def test_costs_are_turnover_times_rate(assets):
    w = pd.DataFrame(
        {"switch": np.tile([1.0, 1.0, 0.0], len(assets))[: len(assets)]}, index=assets.index
    )
    gross = run_vectorbt(w, assets, cost_bps=0.0)
    net = run_vectorbt(w, assets, cost_bps=25.0)
    np.testing.assert_allclose(
        net.fees.to_numpy(), 0.0025 * net.turnover.to_numpy(), rtol=1e-12, atol=1e-15
    )
    # all-in switches: net return = (1 - rate x turnover) x (1 + gross return) - 1, exactly
    expect = (1 - net.fees.to_numpy()) * (1 + gross.returns.to_numpy()) - 1
    np.testing.assert_allclose(net.returns.to_numpy(), expect, rtol=0, atol=1e-12)
    assert net.turnover.iloc[0, 0] == pytest.approx(1 / 1.0025, rel=1e-9)  # buy net of fee
    assert (net.returns.to_numpy() <= gross.returns.to_numpy() + 1e-15).all()


def test_no_look_ahead_in_signals(panel, store_dir):
    from smallcap_bt.panel.build import target_rate_daily
    from smallcap_bt.strategies.sweeps import _fed_cut

    cut = pd.Period("2015-01", "M")
    noisy = panel.copy()
    g = np.random.default_rng(0)
    later = noisy.index > cut
    for c in noisy.columns:
        noisy.loc[later, c] = g.normal(noisy[c].mean(), noisy[c].std() / 3, later.sum())
    noisy.loc[later, "usrec"] = g.integers(0, 2, later.sum())
    builders = [
        lambda p: signals.rate_regime(p),
        lambda p: signals.curve_regime(p),
        lambda p: signals.level_regime(p, "tbill"),
        lambda p: signals.valuation(p),
        lambda p: signals.staged_entry(p),
        lambda p: signals.recovery(p, lags=(12,)),
    ]
    for build in builders:
        a, b = build(panel), build(noisy)
        pd.testing.assert_frame_equal(a.loc[:cut], b.loc[:cut])
    target = target_rate_daily(store=store_dir)
    a = _fed_cut(panel, target)
    b = _fed_cut(panel, target[target.index <= cut.to_timestamp(how="end")])
    pd.testing.assert_frame_equal(a.loc[:cut], b.loc[:cut])


def test_deflated_sharpe_worked_example():
    """Bailey & López de Prado (2014), numerical example: annual SR 2.5, T = 1250 days,
    skew -3, kurtosis 10, 100 trials with annualised SR variance 1/2 -> DSR ~ 0.90."""
    dsr = deflated_sharpe(2.5 / np.sqrt(250), 1250, 0.5 / 250, 100, skew=-3, kurt=10)
    assert dsr == pytest.approx(0.9004, abs=5e-4)


def test_overfitting_helpers_equal_scipy_stats():
    """The moments, ranks and normal quantiles behind the deflated Sharpe ratio and PBO are
    computed without importing scipy.stats (half a second per process); scipy.stats is the
    oracle, on heavy-tailed samples with and without ties."""
    from scipy import stats

    from smallcap_bt.strategies.overfit import _average_rank, expected_max_sharpe
    from smallcap_bt.strategies.sweeps import _skew_kurtosis

    g = np.random.default_rng(7)
    for k in range(60):
        x = g.standard_t(4, size=int(g.integers(5, 300)))
        if k % 2:
            x = np.round(x, 1)  # ties
        i = int(g.integers(len(x)))
        assert _average_rank(x, i) == stats.rankdata(x)[i]
        sk, ku = _skew_kurtosis(x)
        assert sk == pytest.approx(stats.skew(x), rel=1e-12, abs=1e-12)
        assert ku == pytest.approx(stats.kurtosis(x, fisher=False), rel=1e-12)
    for n in (2, 10, 1000):
        q = stats.norm.ppf(1 - 1 / n), stats.norm.ppf(1 - 1 / (n * np.e))
        ref = 0.1 * ((1 - 0.5772156649015329) * q[0] + 0.5772156649015329 * q[1])
        assert expected_max_sharpe(0.01, n) == pytest.approx(ref, rel=1e-14)


def test_pbo_worked_examples():
    # two variants whose ranking flips between the two halves: the in-sample winner is
    # always the out-of-sample loser -> PBO = 1
    a = np.r_[np.full(10, 0.02), np.full(10, -0.01)] + np.tile([0.001, -0.001], 10)
    b = np.r_[np.full(10, -0.01), np.full(10, 0.02)] + np.tile([-0.001, 0.001], 10)
    assert pbo_cscv(np.c_[a, b], n_blocks=2)["pbo"] == 1.0
    # one variant dominating everywhere -> PBO = 0
    g = np.random.default_rng(1)
    noise = g.normal(0, 0.01, (240, 5))
    noise[:, 2] += 0.02
    res = pbo_cscv(noise, n_blocks=8)
    assert res["pbo"] == 0.0 and res["n_splits"] == 70
    # pure noise: PBO near one half
    assert 0.2 < pbo_cscv(g.normal(0, 0.01, (240, 50)), 10)["pbo"] < 0.8


def test_sweep_reports_trials_and_overfitting(panel, store_dir):
    res = sweep("fed-cut", panel=panel, store=store_dir, start="1990-01", cost_bps=10, spa_reps=200)
    assert res.n_variants == 10 and res.overfitting["n_variants"] == 10
    for k in ("deflated_sharpe_active", "pbo", "spa_pvalue_consistent"):
        assert 0 <= res.overfitting[k] <= 1
    m = res.metrics
    assert {"cagr", "vol", "sharpe", "max_drawdown", "turnover", "excess_cagr"} <= set(m)
    r = res.backtest.returns[res.best]
    assert m.loc[res.best, "cagr"] == pytest.approx((1 + r).prod() ** (12 / len(r)) - 1)
    assert "10 variants tried" in res.summary()
    eq = res.equity()
    assert list(eq.columns) == ["best", "benchmark"]
    fig = res.plot()
    assert [ln.get_label() for ln in fig.axes[0].get_lines()] == ["best", "benchmark"]


def test_buy_and_hold_matches_the_legs(panel, assets):
    res = sweep("buy-and-hold", panel=panel, start="1980-01", cost_bps=0)
    small = res.backtest.returns[("small",)]
    np.testing.assert_allclose(
        small.to_numpy(), assets["small"].loc[small.index].to_numpy(), atol=1e-12
    )


def test_buy_and_hold_large_is_the_benchmark_less_its_entry_cost(panel, assets):
    """The variants are holdings, not benchmarks (the index was named "benchmark"); holding
    "large" is the costless benchmark less one entry of 10 bp, and the header says so (its
    information ratio of -0.10 had read as a result)."""
    res = sweep("buy-and-hold", panel=panel, start="1980-01", cost_bps=10)
    assert res.table().index.names == ["holding"]
    large = res.backtest.returns[("large",)]
    bench = assets["large"].loc[large.index]
    ratio = float((1 + large).prod() / (1 + bench).prod())
    assert ratio == pytest.approx(1 - 10e-4, abs=2e-6)  # one unit traded at 10 bp
    assert 'holding "large" is that benchmark with costs' in res.header()
    assert "against buy-and-hold large (costless)" in res.header()


def test_cli_backtest(store_dir, capsys):
    assert (
        main(
            [
                "--store",
                str(store_dir),
                "backtest",
                "rate-regime",
                "--grid",
                "lookbacks=6,12",
                "variables=tbill",
                "--start",
                "1960-01",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "4 variants tried" in out and "pbo" in out and "deflated_sharpe" in out
    assert main(["--store", str(store_dir), "backtest", "rate-regime", "--grid", "bogus=1"]) == 2


NO_VECTORBT = Job(  # a fresh interpreter, run as a background job (tests/conftest.py)
    "strategies-import",
    (
        sys.executable,
        "-c",
        "import sys, smallcap_bt.strategies.sweeps, smallcap_bt.strategies.kernel; "
        "print(sorted({'vectorbt', 'numba', 'scipy.stats'} & set(sys.modules)))",
    ),
)


@pytest.mark.background(NO_VECTORBT)
def test_strategies_import_does_not_load_vectorbt(background):
    """Neither vectorbt and numba (loaded when a kernel or a replay runs) nor scipy.stats."""
    res = background(NO_VECTORBT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def fed_sweep(panel, store_dir):
    """The Fed-cut sweep with its default start (no ``start`` given)."""
    return sweep("fed-cut", panel=panel, store=store_dir, cost_bps=10, spa_reps=100)


def test_sweep_starts_where_the_signal_can_first_be_non_trivial(fed_sweep, panel):
    r = fed_sweep.backtest.returns
    assert str(r.index[0]) == "1990-01"  # cuts are taken since 1990, not from 1926
    assert "start 1990-01: the Fed-cut signal takes cuts since 1990-01" in (fed_sweep.summary())
    st = sweep("staged-entry", panel=panel, grid={"years": [10]}, spa_reps=50)
    legs = panel[["small.tercile.vw", "large.tercile.vw"]].dropna()
    known = legs.index[119]  # the first month with 120 months of both legs
    assert st.backtest.returns.index[0] == known + 1
    assert f"is known in {known}" in st.header()
    rr = sweep("rate-regime", panel=panel, grid={"variables": ["tbill"], "lookbacks": [6]})
    assert rr.backtest.returns.index[0] == panel["tbill"].first_valid_index() + 7
    bh = sweep("buy-and-hold", panel=panel, spa_reps=50)  # no inputs: the start of the data
    assert "start " not in bh.header() and bh.backtest.returns.index[0] == legs.index[1]


def test_best_is_plain_python_and_metrics_are_labelled(fed_sweep):
    best = fed_sweep.best
    assert isinstance(best, tuple) and [type(x) for x in best] == [str, int]
    assert repr(best).count("np.") == 0
    t = fed_sweep.table()
    assert list(t.columns[:2]) == ["CAGR [%]", "Volatility [%/yr]"]
    assert "Turnover [x/yr]" in t and "Costs [%/yr]" in t
    assert t.index[0] == best  # best first
    r = fed_sweep.backtest.returns[best]
    assert t.loc[[best], "CAGR [%]"].iloc[0] == pytest.approx(
        100 * ((1 + r).prod() ** (12 / len(r)) - 1), rel=1e-10
    )
    text = fed_sweep.summary(top=3)
    assert "(7 more variants not shown)" in text and "{" not in text.splitlines()[0]


def test_portfolio_replays_a_variant_on_vectorbt(fed_sweep):
    pf = fed_sweep.portfolio()  # the best variant
    value = pf.value().to_numpy()
    fees = np.zeros_like(value)
    rec = pf.orders.values
    np.add.at(fees, rec["idx"], rec["fees"])
    before = value + fees
    kernel = fed_sweep.backtest.returns[fed_sweep.best].to_numpy()
    np.testing.assert_allclose(before[1:] / before[:-1] - 1, kernel, rtol=0, atol=1e-10)
    assert len(rec) > 0
    other = fed_sweep.portfolio(0)  # by position
    assert other.value().iloc[-1] != pytest.approx(pf.value().iloc[-1])
    with pytest.raises(KeyError, match="no variant 'nope' in sweep 'fed-cut'"):
        fed_sweep.portfolio("nope")


def test_sweep_plot_displays_inline(fed_sweep):
    fig = fed_sweep.plot()
    assert [ln.get_label() for ln in fig.axes[0].get_lines()] == ["best", "benchmark"]
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_grid_keys_are_checked_in_python(panel):
    with pytest.raises(ValueError, match="grid key 'lookback' is not a parameter"):
        sweep("rate-regime", panel=panel, grid={"lookback": [3]})


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fed-cut", "--grid", "holds=3,x"], "values are whole numbers >= 1, got 'x'"),
        (["fed-cut", "--grid", "holds=-3"], "values are whole numbers >= 1, got -3"),
        (["fed-cut", "--grid", "holds=0"], "values are whole numbers >= 1, got 0"),
        (["valuation", "--grid", "quantiles=1.5"], "strictly between 0 and 1, got 1.5"),
        (["fed-cut", "--cost-bps", "-5"], "--cost-bps is a cost, a finite number >= 0"),
        (["fed-cut", "--cost-bps", "nan"], "--cost-bps is a cost, a finite number >= 0"),
        (["fed-cut", "--start", "garbage"], "--start is a month (YYYY-MM), got 'garbage'"),
    ],
    ids=["text", "negative", "zero", "quantile", "cost", "nan-cost", "start"],
)
def test_meaningless_backtest_inputs_are_usage_errors(store_dir, capsys, argv, message):
    """Found by a bad-input battery: a text hold crashed (exit 4), negative or zero holds and
    negative costs were swept and fed the overfitting statistics."""
    assert main(["--store", str(store_dir), "backtest", *argv]) == 2
    assert message in capsys.readouterr().err
    with pytest.raises(ValueError, match="takes a list of values, got '3,6'"):
        sweep("fed-cut", store=store_dir, grid={"holds": "3,6"})  # not its characters


def test_public_namespace_has_sweep_and_stays_clean():
    import smallcap_bt as sb
    from smallcap_bt.strategies.sweeps import sweep as sweep_fn

    assert sb.sweep is sweep_fn and "screen" in dir(sb)
    assert not {"Any", "TYPE_CHECKING", "annotations", "importlib"} & set(dir(sb))


def _spa_design(g: np.random.Generator, t: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Benchmark and variant returns: some variants better, some worse, so that the three
    recentrings (lower, consistent, upper) give different p-values."""
    bench = g.normal(0.01, 0.05, t)
    return bench, g.normal(0.01, 0.05, (t, k)) + g.normal(0, 0.004, k)


def test_spa_equals_arch_on_arch_draws():
    # oracle: arch's SPA (the implementation the tearsheet used before), fed the same
    # resamples: arch's StationaryBootstrap draws indices from its seed alone, so a bootstrap
    # of 0..T-1 with that seed yields the rows SPA(seed=...) resamples
    from arch.bootstrap import SPA, StationaryBootstrap

    from smallcap_bt.strategies.overfit import spa_pvalues

    g = np.random.default_rng(1)
    kinds = set()
    for _ in range(12):
        t, k = int(g.integers(50, 500)), int(g.integers(1, 30))
        block, reps, seed = int(g.integers(2, 24)), int(g.integers(100, 600)), int(g.integers(9))
        bench, mods = _spa_design(g, t, k)
        spa = SPA(-bench, -mods, block_size=block, reps=reps, seed=seed)
        spa.compute()
        boot = StationaryBootstrap(block, np.arange(t), seed=seed)
        idx = np.array([data[0][0] for data in boot.bootstrap(reps)])
        ours = spa_pvalues(mods - bench[:, None], idx, block)
        assert ours == {k: float(v) for k, v in spa.pvalues.items()}
        kinds.add(len(set(ours.values())))
    assert kinds == {1, 2, 3}  # the designs exercised every recentring
    # a variant identical to the benchmark: every resample ties the statistic (0), and a tie
    # is not an exceedance (arch gives 0)
    spa = SPA(-bench, -bench[:, None], block_size=6, reps=200, seed=1)
    spa.compute()
    same = spa_pvalues(np.zeros((len(bench), 1)), idx, 6)
    assert same == {k: float(v) for k, v in spa.pvalues.items()} == dict.fromkeys(same, 0.0)


@pytest.mark.parametrize(("phi", "k", "worse"), [(0.0, 5, 0), (0.2, 5, 0), (0.0, 10, 5)])
def test_spa_size_under_null(phi, k, worse):
    """No variant beats the benchmark (240 months, iid or AR(1), the default 12-month blocks):
    every variant as good (zero means, volatilities 0.5-2), or half of them worse (mean -0.3
    of a common volatility 1). The consistent p-value rejects in 2%-12% of 250 samples at
    5%, and so does the upper one when all are as good; with worse variants the upper one is
    conservative, below the consistent one (scripts/spa_size.py, 2,000 samples: consistent
    6.4%-7.3%, upper 2.8% with worse variants). The bands allow for the Monte Carlo error of
    250 samples around those rates (SD about 1.6 points at 7%); a flipped sign rejects every
    sample of the last design. Wrong block lengths are caught by
    test_spa_test_resamples_blocks_of_the_given_length, not here."""
    import importlib.util

    from tests.conftest import REPO

    spec = importlib.util.spec_from_file_location("spa_size", REPO / "scripts" / "spa_size.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)  # the study's own generator, at 250 samples
    n = 250
    rates = script.rejection_rates(phi, 240, k, worse, n, seed=[2027, int(phi * 10), k, worse])
    rej = {key: round(r * n) for key, r in rates.items()}
    assert 0.02 <= rej["consistent"] / n <= 0.12, rej
    if worse:
        assert rej["upper"] < rej["consistent"], rej
    else:
        assert 0.02 <= rej["upper"] / n <= 0.12, rej
    # a sanity check of the labels: on the same resamples the recentrings order the p-values
    assert rej["lower"] >= rej["consistent"] >= rej["upper"], rej


def test_spa_names_missing_returns_instead_of_a_zero_p_value():
    from smallcap_bt.strategies.overfit import spa_test

    g = np.random.default_rng(4)
    idx = pd.period_range("2000-01", periods=60, freq="M")
    bench = pd.Series(g.normal(0.01, 0.04, 60), idx)
    variants = pd.DataFrame(
        {"hold-3": bench + g.normal(0.002, 0.01, 60), "hold-6": bench + g.normal(0, 0.01, 60)}
    )
    variants.index = idx
    assert 0 < spa_test(bench, variants, reps=200)["consistent"] <= 1
    gap = variants.copy()
    gap.iloc[7, 1] = np.nan
    with pytest.raises(ValueError, match=r"in hold-6 \(first at period 2000-08, row 7; 1 of 60 "):
        spa_test(bench, gap, reps=200)
    no_bench = bench.copy()
    no_bench.iloc[9] = np.inf
    with pytest.raises(ValueError, match=r"in benchmark \(first at period 2000-10, row 9; 1 of"):
        spa_test(no_bench, variants, reps=200)
    many = pd.concat([gap.add_suffix(f"-{i}") for i in range(5)], axis=1)
    with pytest.raises(ValueError, match="hold-6-4, and 1 more .first at period 2000-08"):
        spa_test(bench, pd.concat([many, gap["hold-6"].rename("x")], axis=1))
    with pytest.raises(ValueError, match="different periods .first at row 0: 2000-01 and 0"):
        spa_test(bench, variants.reset_index(drop=True))
    shifted = variants.copy()
    shifted.index = idx[:-1].append(pd.period_range("2010-01", periods=1, freq="M"))
    with pytest.raises(ValueError, match="at row 59: 2004-12 and 2010-01"):
        spa_test(bench, shifted)
    assert spa_test(bench, variants["hold-3"], reps=200) == spa_test(
        bench, variants[["hold-3"]], reps=200
    )
    with pytest.raises(ValueError, match="benchmark has 59 periods, variants 60"):
        spa_test(bench.iloc[1:], variants)
    with pytest.raises(ValueError, match="reps and block must be at least 1"):
        spa_test(bench, variants, block=0)


def test_spa_test_resamples_blocks_of_the_given_length():
    # persistent (AR(1), phi 0.85) differentials with a small positive mean: arch's SPA on
    # its own draws gives p about 0.066 with 12-month blocks, 0.036 with 6, 0.084 with 24 and
    # 0 with iid months; ours must agree within Monte Carlo error (20,000 draws: SE about
    # 0.0018 each, 0.008 is 3 SDs of the difference), so a block length off by 2x fails
    from arch.bootstrap import SPA

    from smallcap_bt.strategies.overfit import spa_test

    g = np.random.default_rng(5)
    t, k = 300, 4
    e = g.normal(0, 1, (t + 50, k))
    ar = np.zeros_like(e)
    for i in range(1, t + 50):
        ar[i] = 0.85 * ar[i - 1] + e[i]
    d = ar[50:] * 0.01 + 0.0012
    bench = pd.Series(np.zeros(t))
    for block in (12, 6, 1):
        reps = 20_000 if block > 1 else 2_000  # iid months: p is 0, a 1/2,000 grid shows it
        ref = SPA(-bench.to_numpy(), -d, block_size=block, reps=reps, seed=3)
        ref.compute()
        ours = spa_test(bench, pd.DataFrame(d), reps=reps, block=block, seed=3)
        for key in ("lower", "consistent", "upper"):
            assert ours[key] == pytest.approx(float(ref.pvalues[key]), abs=0.008)
    assert spa_test(bench, pd.DataFrame(d), reps=4000, block=12, seed=3)["consistent"] > 0.04
    assert spa_test(bench, pd.DataFrame(d), reps=500, seed=3) == spa_test(
        bench, pd.DataFrame(d), reps=500, seed=3
    )


@pytest.mark.parametrize("cost", [-5, float("nan"), float("inf"), "10"])
def test_sweep_costs_are_checked_in_python_as_on_the_command_line(panel, cost):
    """``sb.sweep(cost_bps=-5)`` ran (a negative cost pays for trading), and NaN gave all-NaN
    metrics; the CLI's --cost-bps refused both (a bad-input battery)."""
    with pytest.raises(ValueError, match="cost_bps"):
        sweep("buy-and-hold", panel=panel, cost_bps=cost)


def test_sweep_and_verify_name_a_bad_strategy_seed_or_spa_reps(store_dir):
    """``sweep(None)`` and ``verify(seed=None)`` ended in bare TypeErrors from difflib and
    NumPy's seeding, ``seed=-1`` in NumPy's "expected non-negative integer", ``spa_reps=0`` in
    the SPA test's internal message (a bad-input battery); a string seed was accepted."""
    import smallcap_bt as sb
    from smallcap_bt.exceptions import UnknownStrategyError

    for bad in (None, 3):
        with pytest.raises(UnknownStrategyError, match=rf"unknown strategy {bad} \(known: \["):
            sb.sweep(bad, store=store_dir)  # type: ignore[arg-type]
    kw = {"store": store_dir, "draws": 40, "joint_draws": 0}
    for seed, err, msg in [
        (None, TypeError, "seed must be a whole number, got None"),
        ("1", TypeError, "seed must be a whole number, got '1'"),
        (1.5, TypeError, "seed must be a whole number, got 1.5"),
        (-1, ValueError, r"seed must be between 0 and 2\*\*63 - 1, got -1"),
        (2**63, ValueError, "seed must be between 0"),
    ]:
        with pytest.raises(err, match=msg):
            sb.verify("more-volatile", seed=seed, **kw)  # type: ignore[arg-type]
        with pytest.raises(err, match=msg):
            sb.sweep("buy-and-hold", store=store_dir, seed=seed)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="spa_reps is the SPA test's bootstrap draws, at least 1"):
        sb.sweep("buy-and-hold", store=store_dir, spa_reps=0)
    with pytest.raises(TypeError, match="spa_reps must be a whole number"):
        sb.sweep("buy-and-hold", store=store_dir, spa_reps=2.5)  # type: ignore[arg-type]
    assert sb.verify("more-volatile", seed=np.int64(3), **kw).claim.id == "more-volatile"  # NumPy


def test_short_windows_and_impossible_costs_are_named(store_dir, panel, capsys):
    """A battery's cases: ``--start`` 2025-11 printed NumPy warnings and ended in the SPA
    test's "needs at least 3 periods", 2030-01 in "fewer than 3 months with weights", and
    20,000 bp in pandas' "Encountered all NA values"."""
    from smallcap_bt.exceptions import InsufficientDataError
    from smallcap_bt.strategies.overfit import pbo_cscv

    for start, months in (("2025-11", 4), ("2030-01", 0), ("2025-04", 11)):
        msg = rf"start {start} \(given\) leaves {months} month\(s\) of returns \(the data end in "
        with pytest.raises(
            InsufficientDataError, match=msg + r"2026-02\); a sweep needs at least 12"
        ):
            sweep("buy-and-hold", store=store_dir, vintage="202602", start=start)
    assert (
        len(sweep("buy-and-hold", store=store_dir, vintage="202602", start="2025-03").benchmark)
        == 12
    )
    base = ["--store", str(store_dir), "backtest", "fed-cut"]
    assert main([*base, "--start", "2025-11"]) == 2
    assert "a sweep needs at least 12" in capsys.readouterr().err
    for cost in ("1000.5", "20000"):
        assert main([*base, "--cost-bps", cost]) == 2
        assert "at most 1,000 (10%)" in capsys.readouterr().err
    with pytest.raises(ValueError, match="9 periods cannot be cut into 10 blocks"):
        pbo_cscv(np.zeros((9, 3)))
    # the most a cost may be: random monthly rotations over the whole sample stay finite
    from smallcap_bt.strategies.assets import asset_returns
    from smallcap_bt.strategies.kernel import run_kernel

    a = asset_returns("tercile.vw", store=store_dir, vintage="202602")
    g = np.random.default_rng(1)
    w = pd.DataFrame((g.random((len(a), 50)) < 0.5).astype(float), index=a.index)
    assert np.isfinite(run_kernel(w, a, cost_bps=1000).returns.to_numpy()).all()
    # an automatic start too late for the data asks for more data, not an earlier --start
    with pytest.raises(InsufficientDataError, match="needs a vintage with more months"):
        sweep("valuation", store=store_dir, vintage="202602", panel=panel.loc["2025-01":])


def test_recovery_never_picks_a_hindsight_variant(store_dir):
    """A new-user trial: ``backtest recovery`` judged its best variant, and computed PBO, SPA
    and the deflated Sharpe, on a lag-0 variant, entered at NBER troughs that are announced
    4-21 months later (look-ahead). Hindsight variants stay in the table for reference."""
    res = sweep("recovery", store=store_dir, vintage="202602", spa_reps=50)
    hindsight = [c for c in res.metrics.index if c[1] == "hindsight"]
    assert len(hindsight) == 3 and res.n_variants == 6  # shown, all six
    assert res.best[1] != "hindsight" and res.overfitting["n_variants"] == 3
    # on this sample a hindsight variant has the highest information ratio: it was the pick
    assert res.metrics["info_ratio"].idxmax()[1] == "hindsight"
    assert "3 hindsight variant(s), not tradable" in res.header()
    with pytest.raises(ValueError, match="every variant of this grid is hindsight only"):
        sweep("recovery", store=store_dir, vintage="202602", grid={"lags": [0]})
