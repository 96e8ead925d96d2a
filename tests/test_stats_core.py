"""Analysis core: cross-implementation, property-based and real-data checks."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from smallcap_bt.panel import legs, relative_returns, size_definitions
from smallcap_bt.panel.build import target_rate_daily
from smallcap_bt.stats import (
    bootstrap_mean,
    calendar_year_returns,
    cumulative,
    decade_table,
    easing_cycles,
    event_study,
    factor_alpha,
    fed_decisions,
    hac_mean,
    nber_troughs,
    ols_hac,
    regime_difference,
    rolling_relative,
    runs,
    stationary_indices,
)
from tests.conftest import FRED_DIR, raw_french_table

returns = arrays(
    np.float64,
    st.integers(30, 120),
    elements=st.floats(-0.3, 0.3, allow_nan=False, allow_subnormal=False),
)


@pytest.fixture(scope="module")
def sm():
    """statsmodels (an oracle here), imported only where a test uses it: both pytest-xdist
    workers collect this module, one of them runs it."""
    import statsmodels.api

    return statsmodels.api


def _series(x: np.ndarray, start: str = "1990-01") -> pd.Series:
    return pd.Series(x, index=pd.period_range(start, periods=len(x), freq="M"))


# -- cross-implementation ---------------------------------------------------------------------
def test_hac_mean_equals_statsmodels(panel, sm):
    r = panel["sml.smb"].dropna()
    est = hac_mean(r, lags=6)
    fit = sm.OLS(r.to_numpy(), np.ones(len(r))).fit(cov_type="HAC", cov_kwds={"maxlags": 6})
    assert est.value == pytest.approx(fit.params[0] * 12, rel=1e-12)
    assert est.p_value == pytest.approx(fit.pvalues[0], rel=1e-12)
    assert est.ci_low == pytest.approx(fit.conf_int()[0][0] * 12, rel=1e-12)
    assert "Newey-West" in est.method and "x 12" in est.units


@pytest.mark.parametrize(
    ("case", "lags"),
    [
        ("ff3", 4),
        ("ff3", 0),
        ("one regressor", 36),
        ("no constant", 3),
        ("constant y", 2),
        ("user constant", 2),
        ("dummies", 5),
    ],
)
def test_ols_hac_equals_statsmodels_field_by_field(panel, case, lags, sm):
    """Coefficients, HAC standard errors, t, p and R-squared of :func:`ols_hac` (NumPy) equal
    statsmodels' ``cov_type="HAC"`` fitted directly (the oracle), on real series."""
    from smallcap_bt.stats.regression import ols_hac

    y = panel["small.decile.vw"] - panel["rf"]
    x = panel[["mkt_rf", "smb", "hml"]]
    add = True
    if case == "one regressor":
        y, x = panel["sml.tercile.vw"].rolling(36).sum().shift(-36), panel["tbill"]
    elif case == "no constant":
        add = False
    elif case == "constant y":
        y = pd.Series(0.01, index=panel.index)
    elif case == "user constant":  # a constant the caller added: R-squared centred as well
        x, add = x.assign(one=1.0), False
    elif case == "dummies":  # two dummies that sum to a constant
        up = (panel["mkt_rf"] > 0).astype(float)
        x, add = pd.DataFrame({"up": up, "down": 1 - up, "smb": panel["smb"]}), False
    res = ols_hac(y.rename("y"), x, lags=lags, add_constant=add)
    data = pd.concat([y.rename("y"), x], axis=1).dropna()
    X = sm.add_constant(data.drop(columns="y")) if add else data.drop(columns="y")
    with np.errstate(all="ignore"):
        fit = sm.OLS(data["y"], X).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    pd.testing.assert_series_equal(res.params, fit.params, rtol=1e-10, atol=1e-14)
    if case == "constant y":  # no residual variance: undefined statistics, as in statsmodels
        assert res.bse.abs().max() < 1e-12 and fit.bse.abs().max() < 1e-12
        return
    pd.testing.assert_series_equal(res.bse, fit.bse, rtol=1e-10, atol=0)
    pd.testing.assert_series_equal(res.tvalues, fit.tvalues, rtol=1e-9, atol=0)
    pd.testing.assert_series_equal(res.pvalues, fit.pvalues, rtol=1e-8, atol=1e-300)
    assert res.rsquared == pytest.approx(fit.rsquared, rel=1e-10)
    assert res.nobs == int(fit.nobs) and res.lags == lags


def test_ff3_alpha_equals_statsmodels(panel, sm):
    y = panel["small.decile.vw"] - panel["rf"]
    est = factor_alpha(y, panel, "ff3", lags=4)
    X = sm.add_constant(panel[["mkt_rf", "smb", "hml"]])
    fit = sm.OLS(y, X, missing="drop").fit(cov_type="HAC", cov_kwds={"maxlags": 4})
    assert est.value == pytest.approx(fit.params["const"] * 12, rel=1e-10)
    assert est.p_value == pytest.approx(fit.pvalues["const"], rel=1e-10)


def test_bootstrap_interval_rebuilt_from_draws(panel):
    est = bootstrap_mean(panel["sml.decile.vw"], reps=2000, seed=7, block=6)
    draws = est.extra["draws"]
    assert len(draws) == 2000
    lo, hi = np.quantile(draws, [0.025, 0.975])
    assert (est.ci_low, est.ci_high) == pytest.approx((lo, hi), rel=1e-12)
    again = bootstrap_mean(panel["sml.decile.vw"], reps=2000, seed=7, block=6)
    assert again.ci_low == est.ci_low  # seeded: reproducible


def test_stationary_indices_shape_and_blocks():
    idx = stationary_indices(100, 500, block=10, seed=1)
    assert idx.shape == (500, 100) and idx.min() >= 0 and idx.max() < 100
    cont = np.mean((np.diff(idx, axis=1) % 100) == 1)
    assert cont == pytest.approx(0.9, abs=0.02)  # continue a block with prob 1 - 1/10


# -- properties -------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(returns)
def test_swapping_legs_negates_estimate_and_mirrors_interval(x):
    r = _series(x)
    a, b = hac_mean(r, lags=2), hac_mean(-r, lags=2)
    assert b.value == pytest.approx(-a.value, abs=1e-12)
    assert b.ci_low == pytest.approx(-a.ci_high, abs=1e-12)
    assert b.ci_high == pytest.approx(-a.ci_low, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(returns)
def test_99_interval_contains_95(x):
    r = _series(x)
    a, b = hac_mean(r, lags=3, ci_level=0.95), hac_mean(r, lags=3, ci_level=0.99)
    assert b.ci_low <= a.ci_low + 1e-15 and b.ci_high >= a.ci_high - 1e-15


@settings(max_examples=40, deadline=None)
@given(returns)
def test_compounding_is_product(x):
    r = _series(x)
    assert cumulative(r) == pytest.approx(np.prod(1 + x) - 1, rel=1e-9, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(returns, returns)
def test_functions_never_mutate_inputs(x, y):
    n = min(len(x), len(y))
    s, l_ = _series(x[:n]), _series(y[:n])
    s0, l0 = s.copy(), l_.copy()
    hac_mean(s - l_)
    rolling_relative(s, l_, 1)
    decade_table(s, l_)
    regime_difference(s - l_, pd.Series(np.arange(n) % 2, index=s.index, dtype=float))
    pd.testing.assert_series_equal(s, s0)
    pd.testing.assert_series_equal(l_, l0)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 40), st.integers(1, 30))
def test_no_look_ahead_in_event_study(k, shift):
    g = np.random.default_rng(k)
    s, l_ = _series(g.normal(0.01, 0.05, 240)), _series(g.normal(0.01, 0.04, 240))
    dates = pd.DatetimeIndex(["1991-03-15", "1994-06-01", "2000-01-10", "2005-05-05"])
    base = event_study(s, l_, dates, horizons=(3, 12), placebo_draws=50, boot_draws=50)
    later = dates[:-1].append(dates[-1:] + pd.DateOffset(months=shift))
    moved = event_study(s, l_, later, horizons=(3, 12), placebo_draws=50, boot_draws=50)
    np.testing.assert_array_equal(
        base.events.iloc[:3][["h3", "h12"]], moved.events.iloc[:3][["h3", "h12"]]
    )
    # changing returns after an event's window never changes that event's value
    s2 = s.copy()
    s2.loc["2001-01":] = 0.5
    changed = event_study(s2, l_, dates, horizons=(3, 12), placebo_draws=50, boot_draws=50)
    np.testing.assert_array_equal(
        base.events.iloc[:2][["h3", "h12"]], changed.events.iloc[:2][["h3", "h12"]]
    )


# -- against independent calculations on the real snapshots ----------------------------------


def test_decade_returns_match_direct_pandas(store_dir):
    raw = raw_french_table("Average Value Weight Returns -- Monthly")
    seventies = raw.loc[197001:197912]
    small = np.prod(1 + seventies["Lo 10"] / 100) ** (1 / 10) - 1
    large = np.prod(1 + seventies["Hi 10"] / 100) ** (1 / 10) - 1
    lg = legs("decile.vw", store=store_dir)
    table = decade_table(lg["small"], lg["large"])
    assert table.loc["1970s", "small"] == pytest.approx(small, rel=1e-10)
    assert table.loc["1970s", "sml"] == pytest.approx(small - large, rel=1e-10)
    assert not table.loc["2020s", "complete"]


def test_calendar_year_returns_match_published_annual_table(store_dir):
    """Compounded monthly returns equal the file's own annual table to rounding (0.01%)."""
    raw = raw_french_table("Value Weight Returns -- Annual from January to December")
    ours = calendar_year_returns(legs("decile.vw", store=store_dir)["small"])
    theirs = raw["Lo 10"] / 100
    common = [p for p in ours.index if p.year in theirs.index]
    diff = np.abs(ours.loc[common].to_numpy() - theirs.loc[[p.year for p in common]].to_numpy())
    assert len(common) == 99
    # the library compounds unrounded daily/monthly data; ours compounds 2-decimal monthly
    # percent, so differences of a few basis points are expected, never more than 0.1%
    assert diff.max() < 1e-3


def _raw_target_changes() -> list[tuple[str, float]]:
    out = []
    for name in ("DFEDTAR", "DFEDTARU"):
        with open(FRED_DIR / f"{name}.csv") as fh:
            rows = list(csv.reader(fh))[1:]
        prev = None
        for d, v in rows:
            val = float(v)
            if prev is not None and val != prev:
                out.append((d, val - prev))
            prev = val
    return out


def test_fed_cuts_since_1990_match_raw_files(store_dir):
    dec = fed_decisions(target_rate_daily(store=store_dir))
    raw = [(d, c) for d, c in _raw_target_changes() if d >= "1990-01-01"]
    ours = dec[dec.index >= "1990-01-01"]
    # the splice at 2008-12-16 (1.00 -> range 0-0.25) is one cut only in the spliced series
    ours_dates = [d.strftime("%Y-%m-%d") for d in ours.index if d != pd.Timestamp("2008-12-16")]
    assert ours_dates == [d for d, _ in raw]
    cuts = ours[ours["kind"] == "cut"]
    assert len(cuts) == sum(c < 0 for _, c in raw) + 1
    for known in ("2001-01-03", "2008-12-16", "2020-03-16", "2024-09-19", "2025-12-11"):
        assert pd.Timestamp(known) in cuts.index


def test_easing_cycles_rule(store_dir):
    cycles = easing_cycles(fed_decisions(target_rate_daily(store=store_dir)))
    firsts = {c.strftime("%Y-%m-%d") for c in cycles["first_cut"]}
    for known in ("2001-01-03", "2007-09-18", "2019-08-01", "2024-09-19"):
        assert known in firsts


def test_nber_troughs_match_nber_chronology(panel):
    # NBER business cycle dating committee trough months (nber.org/research/business-cycle-dating)
    published = [
        "1927-11",
        "1933-03",
        "1938-06",
        "1945-10",
        "1949-10",
        "1954-05",
        "1958-04",
        "1961-02",
        "1970-11",
        "1975-03",
        "1980-07",
        "1982-11",
        "1991-03",
        "2001-11",
        "2009-06",
        "2020-04",
    ]
    assert [str(p) for p in nber_troughs(panel["usrec"])] == published


def test_event_study_average_matches_direct_computation(panel, store_dir):
    dec = fed_decisions(target_rate_daily(store=store_dir))
    cuts = dec[(dec["kind"] == "cut") & (dec.index >= "1990-01-01")].index
    es = event_study(
        panel["small.decile.vw"],
        panel["large.decile.vw"],
        cuts,
        horizons=(12,),
        placebo_draws=200,
        boot_draws=200,
    )
    vals = []
    for d in cuts:
        m = d.to_period("M")
        win = panel.loc[m + 1 : m + 12]
        if len(win) == 12:
            vals.append(np.prod(1 + win["small.decile.vw"]) - np.prod(1 + win["large.decile.vw"]))
    assert es.estimates[12].value == pytest.approx(np.mean(vals), rel=1e-10)
    assert es.estimates[12].n == len(vals)


def test_runs_and_rolling(panel):
    rr = rolling_relative(panel["small.decile.vw"], panel["large.decile.vw"], 1)
    assert rr.notna().sum() == len(panel) - 11
    r = runs(pd.Series([True, True, False, True, True, True], index=range(6)))
    assert r.iloc[0]["months"] == 3 and r.iloc[0]["ongoing"] and r.iloc[0]["rank"] == 1


def test_size_definitions_print_what_they_are(store_dir):
    defs = size_definitions()
    assert [d.id for d in defs] == [
        "smb",
        "decile.vw",
        "quintile.vw",
        "tercile.vw",
        "decile.ew",
        "quintile.ew",
        "tercile.ew",
    ]
    assert "equal-weighted" in str(defs[4]) and "decile" in str(defs[4])
    rel = relative_returns(store=store_dir)
    assert rel.shape[1] == 7 and rel.index.freqstr == "M"


def test_regime_difference_equals_group_means(panel):
    dummy = (panel["fedfunds"] > 5).astype(float).where(panel["fedfunds"].notna())
    est = regime_difference(panel["sml.smb"], dummy)
    both = pd.concat([panel["sml.smb"], dummy.shift(1)], axis=1).dropna()
    m = both.groupby(both.columns[1])[both.columns[0]].mean()
    assert est.value == pytest.approx((m[1.0] - m[0.0]) * 12, rel=1e-10)
    assert ols_hac(panel["sml.smb"], dummy.shift(1)).nobs == len(both)


def test_relative_drawdowns_episodes():
    from smallcap_bt.stats import relative_drawdowns

    idx = pd.period_range("2000-01", periods=6, freq="M")
    small = pd.Series([0.10, -0.10, -0.10, 0.30, 0.0, -0.05], index=idx)
    large = pd.Series(0.0, index=idx)
    dd = relative_drawdowns(small, large)
    first = dd.sort_values("peak").iloc[0]
    assert first["peak"] == idx[0] and first["trough"] == idx[2]
    assert first["depth"] == pytest.approx(0.9 * 0.9 - 1)
    assert first["recovery"] == idx[3] and not first["ongoing"]
    assert dd["ongoing"].sum() == 1


def test_predictive_regression_equals_statsmodels(panel, sm):
    from smallcap_bt.stats import predictive_regression

    r = panel["sml.tercile.vw"]
    signal = rolling_relative(panel["small.tercile.vw"], panel["large.tercile.vw"], 10)
    est = predictive_regression(r, signal, 36)
    y = r.rolling(36).sum().shift(-36)
    data = pd.concat([y, signal], axis=1).dropna()
    fit = sm.OLS(data.iloc[:, 0], sm.add_constant(data.iloc[:, 1])).fit(
        cov_type="HAC", cov_kwds={"maxlags": 36}
    )
    assert est.value == pytest.approx(fit.params.iloc[1], rel=1e-10)
    assert est.p_value == pytest.approx(fit.pvalues.iloc[1], rel=1e-8)
    assert "36 lags" in est.method
