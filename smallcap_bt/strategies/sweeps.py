"""Strategy sweeps: build a grid of variants, backtest them in one vectorbt call, report
per-variant metrics and overfitting statistics for the best one."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from smallcap_bt.panel.build import monthly_panel, target_rate_daily
from smallcap_bt.panel.definitions import StoreArg
from smallcap_bt.strategies import signals
from smallcap_bt.strategies.assets import asset_returns
from smallcap_bt.strategies.backtest import BacktestResult, run_vectorbt
from smallcap_bt.strategies.overfit import deflated_sharpe, pbo_cscv, spa_test


def metrics(bt: BacktestResult, assets: pd.DataFrame, benchmark: pd.Series) -> pd.DataFrame:
    """Per-variant CAGR, volatility, Sharpe, max drawdown, turnover, excess CAGR.

    All annualised with 12 months a year exactly: CAGR geometric, volatility sd x sqrt(12),
    Sharpe = mean excess over cash / sd x sqrt(12), turnover = mean monthly turnover x 12,
    information ratio = mean / sd of the return minus the benchmark's, x sqrt(12).
    """
    r = bt.returns
    rf = assets["cash"].reindex(r.index).to_numpy()[:, None]
    n = len(r)
    growth = (1 + r).prod()
    cagr = growth ** (12 / n) - 1
    xs = r.to_numpy() - rf
    sharpe = xs.mean(axis=0) / xs.std(axis=0, ddof=1) * np.sqrt(12)
    wealth = (1 + r).cumprod()
    mdd = (wealth / wealth.cummax() - 1).min()
    b = benchmark.reindex(r.index)
    bench_cagr = float((1 + b).prod() ** (12 / n) - 1)
    active = r.sub(b, axis=0)
    info = active.mean() / active.std(ddof=1) * np.sqrt(12)
    out = pd.DataFrame(
        {
            "cagr": cagr,
            "vol": r.std(ddof=1) * np.sqrt(12),
            "sharpe": sharpe,
            "max_drawdown": mdd,
            "turnover": bt.turnover.mean() * 12,
            "excess_cagr": cagr - bench_cagr,
            "info_ratio": info,
        },
        index=r.columns,
    )
    return out


@dataclass
class SweepResult:
    """A sweep's variants, their metrics and the overfitting statistics of the best one."""

    strategy: str
    metrics: pd.DataFrame
    backtest: BacktestResult
    benchmark: pd.Series
    best: Any
    n_variants: int
    overfitting: dict[str, float]
    settings: dict[str, Any] = field(default_factory=dict)

    def summary(self, top: int = 5) -> str:
        """Readable text: settings, best variants, overfitting statistics."""
        r = self.backtest.returns
        lines = [
            f"strategy {self.strategy}: {self.n_variants} variants tried, "
            f"{r.index[0]}..{r.index[-1]}, costs {self.backtest.cost_bps:g} bp per unit "
            f"turnover, rest in {self.backtest.other}; {self.settings}",
            "annualised with 12 months/year: CAGR geometric, Sharpe on excess over "
            "cash; excess_cagr vs buy-and-hold " + self.settings.get("benchmark", ""),
            self.metrics.sort_values("info_ratio", ascending=False)
            .head(top)
            .to_string(float_format=lambda x: f"{x:.4f}"),
            "overfitting: " + ", ".join(f"{k} {v:.4g}" for k, v in self.overfitting.items()),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary())}</pre>"

    def plot(self):
        """Figure of the best variant's wealth and the benchmark's (matplotlib, not shown)."""
        from smallcap_bt.reports.figures import equity_curves

        r = self.backtest.returns
        return equity_curves(
            self.equity(),
            f"{self.strategy}: best of {self.n_variants} variants",
            f"Best variant {self.best} by information ratio vs "
            f"buy-and-hold {self.backtest.other}; {self.backtest.cost_bps:g} bp "
            f"per unit turnover; {r.index[0]}..{r.index[-1]}.",
        )

    def equity(self) -> pd.DataFrame:
        """Wealth of the best variant and the benchmark (start 1.0)."""
        best = self.backtest.returns[self.best]
        return pd.DataFrame(
            {
                "best": (1 + best).cumprod(),
                "benchmark": (1 + self.benchmark.reindex(best.index)).cumprod(),
            }
        )


def _fed_cut(
    panel: pd.DataFrame,
    target: pd.Series,
    holds: Sequence[int] = (1, 3, 6, 12, 24),
    since: str = "1990-01-01",
) -> pd.DataFrame:
    from smallcap_bt.stats.events import cut_dates

    dates = cut_dates(target, since)
    return signals.after_fed_cut(
        panel.index,
        {"every cut": dates["every cut"], "first cut": dates["first cut of cycle"]},
        holds,
    )


#: strategy name -> (builder(panel, target, **grid), default "other" asset, description)
STRATEGIES: dict[str, tuple[Callable[..., pd.DataFrame], str, str]] = {
    "fed-cut": (
        lambda p, t, **k: _fed_cut(p, t, **k),
        "large",
        "hold small for h months after Fed cuts (every cut / first of cycle)",
    ),
    "rate-regime": (
        lambda p, t, **k: signals.rate_regime(p, **k),
        "large",
        "small when rates rose/fell over a lookback",
    ),
    "curve-regime": (
        lambda p, t, **k: signals.curve_regime(p, **k),
        "large",
        "small when the 10y-3m curve steepened/flattened",
    ),
    "recovery": (
        lambda p, t, **k: signals.recovery(p, **k),
        "large",
        "small after NBER troughs (lag 0 = hindsight only)",
    ),
    "valuation": (
        lambda p, t, **k: signals.valuation(p, **k),
        "large",
        "small when relative B/M is in its trailing top quantile",
    ),
    "staged-entry": (
        lambda p, t, **k: signals.staged_entry(p, **k),
        "large",
        "lump sum vs staged entry after trailing underperformance",
    ),
    "buy-and-hold": (
        lambda p, t, **k: signals.buy_and_hold(p.index),
        "large",
        "all small, all large, 50/50",
    ),
}


def sweep(
    strategy: str,
    *,
    definition: str = "tercile.vw",
    vintage: str | None = None,
    store: StoreArg = None,
    cost_bps: float = 10.0,
    start: str | None = None,
    panel: pd.DataFrame | None = None,
    grid: dict[str, Sequence[Any]] | None = None,
    spa_reps: int = 1000,
    seed: int = 0,
) -> SweepResult:
    """Build a strategy's variant grid, backtest it on vectorbt and judge the best variant.

    Parameters
    ----------
    strategy : str
        One of :data:`STRATEGIES`.
    definition : str
        Size definition with legs (``tercile.vw`` ...).
    cost_bps : float
        Proportional cost per unit of traded value (basis points).
    start : str, optional
        First month of the backtest (e.g. ``"1990-01"``).
    grid : dict, optional
        Parameter lists passed to the signal builder (e.g. ``{"holds": [3, 6]}``).
    """
    if strategy not in STRATEGIES:
        import difflib

        from smallcap_bt.exceptions import UnknownDatasetError

        close = difflib.get_close_matches(strategy, list(STRATEGIES), n=2)
        raise UnknownDatasetError(
            f"unknown strategy {strategy!r}"
            + (f"; did you mean {close}?" if close else "")
            + f" (known: {list(STRATEGIES)})"
        )
    builder, other, _ = STRATEGIES[strategy]
    p = panel if panel is not None else monthly_panel(vintage, store=store)
    target = target_rate_daily(vintage, store=store) if strategy == "fed-cut" else None
    weights = builder(p, target, **(grid or {}))
    assets = asset_returns(definition, panel=p)
    if start:
        weights = weights.loc[pd.Period(start, "M") - 1 :]
        assets = assets.loc[pd.Period(start, "M") :]
    bt = run_vectorbt(weights, assets, cost_bps=cost_bps, other=other)  # type: ignore[arg-type]
    bench = assets[other].reindex(bt.returns.index)
    m = metrics(bt, assets, bench)
    # the best variant is the one with the highest information ratio against the benchmark;
    # overfitting statistics are computed on active returns (variant minus benchmark)
    best = m["info_ratio"].idxmax()
    r = bt.returns
    active = r.sub(bench, axis=0)
    sr = (active.mean() / active.std(ddof=1)).to_numpy()
    b = active[best]
    over = {
        "n_variants": float(r.shape[1]),
        "best_info_ratio_annual": float(m.loc[best, "info_ratio"]),
    }
    if r.shape[1] > 1:
        over["deflated_sharpe_active"] = deflated_sharpe(
            float(sr[list(r.columns).index(best)]),
            len(b),
            float(np.var(sr, ddof=1)),
            r.shape[1],
            float(stats.skew(b)),
            float(stats.kurtosis(b, fisher=False)),
        )
        pbo = pbo_cscv(active.to_numpy(), 10)
        over.update({"pbo": pbo["pbo"], "pbo_splits": pbo["n_splits"]})
        over.update(
            {f"spa_pvalue_{k}": v for k, v in spa_test(bench, r, reps=spa_reps, seed=seed).items()}
        )
    return SweepResult(
        strategy,
        m,
        bt,
        bench,
        best,
        r.shape[1],
        over,
        {"definition": definition, "benchmark": other},
    )
