"""Sweep throughput: variant-backtests per second over the 1926-2026 monthly history.

Three ways to backtest the same 10,000 variants (small when the T-bill's 12-month change
exceeds a threshold, else large; 10 bp costs), in the same process:

1. smallcap_bt: all variants as columns of one ``Portfolio.from_orders`` call;
2. a plain pandas loop, one variant at a time (measured on a subset, rate extrapolated);
3. a straightforward ``Portfolio.from_orders`` call per variant (subset, extrapolated).

The JIT warm-up (first vectorbt call, numba compilation) is timed separately.
Run: ``python benchmarks/bench_sweep.py [STORE] [N_VARIANTS]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd


def _inputs(store: str | None, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from smallcap_bt.strategies.assets import asset_returns

    if store:
        import smallcap_bt as sb

        panel = sb.monthly_panel(store=store)
        assets = asset_returns("tercile.vw", panel=panel)
        driver = panel["tbill"].diff(12).reindex(assets.index).fillna(0.0)
    else:
        g = np.random.default_rng(0)
        idx = pd.period_range("1926-07", periods=1196, freq="M")
        assets = pd.DataFrame(
            g.normal(0.008, 0.05, (1196, 3)), index=idx, columns=["small", "large", "cash"]
        )
        driver = pd.Series(np.cumsum(g.normal(0, 0.3, 1196)), index=idx)
    thresholds = np.linspace(driver.quantile(0.02), driver.quantile(0.98), n)
    weights = pd.DataFrame(
        (driver.to_numpy()[:, None] > thresholds[None, :]).astype(float), index=assets.index
    )
    return weights, assets


def pandas_loop(weights: pd.DataFrame, assets: pd.DataFrame, cost: float) -> list[pd.Series]:
    out = []
    for c in weights.columns:
        w = weights[c].shift(1).fillna(0.0)
        r = w * assets["small"] + (1 - w) * assets["large"]
        turnover = 2 * w.diff().abs().fillna(w.abs())
        out.append(r - cost * turnover)
    return out


def vbt_per_variant(weights: pd.DataFrame, assets: pd.DataFrame, cost: float) -> None:
    import vectorbt as vbt

    from smallcap_bt.strategies.assets import prices

    px = prices(assets[["small", "large"]].iloc[1:])
    for c in weights.columns:
        w = weights[c].to_numpy()[:-1]
        size = np.column_stack([w, 1 - w])
        size = np.vstack([size, [np.nan, np.nan]])
        vbt.Portfolio.from_orders(
            px,
            size,
            size_type="targetpercent",
            group_by=True,
            cash_sharing=True,
            call_seq="auto",
            fees=cost,
            init_cash=1.0,
            freq="30D",
        ).value()


def main(store: str | None = None, n: int = 10_000) -> dict[str, float]:
    from smallcap_bt.strategies.backtest import run_vectorbt

    weights, assets = _inputs(store, n)
    t = time.perf_counter()
    run_vectorbt(weights.iloc[:, :2], assets, cost_bps=10)  # JIT warm-up
    warm = time.perf_counter() - t

    t = time.perf_counter()
    run_vectorbt(weights, assets, cost_bps=10)
    ours = n / (time.perf_counter() - t)

    sub = weights.iloc[:, : min(n, 500)]
    t = time.perf_counter()
    pandas_loop(sub, assets, 0.001)
    loop = sub.shape[1] / (time.perf_counter() - t)

    sub = weights.iloc[:, : min(n, 50)]
    vbt_per_variant(sub.iloc[:, :1], assets, 0.001)
    t = time.perf_counter()
    vbt_per_variant(sub, assets, 0.001)
    per = sub.shape[1] / (time.perf_counter() - t)

    print(f"{n} variants x {len(assets)} months")
    print(f"JIT warm-up (first vectorbt call): {warm:.2f}s")
    print(f"one vectorbt call, all variants as columns: {ours:,.0f} variant-backtests/s")
    print(
        f"plain pandas loop:                          {loop:,.0f} /s  -> ratio {ours / loop:.1f}x"
    )
    print(f"Portfolio.from_orders per variant:          {per:,.0f} /s  -> ratio {ours / per:.1f}x")
    return {"warmup_s": warm, "ours_per_s": ours, "loop_per_s": loop, "per_variant_per_s": per}


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else None,
        int(sys.argv[2]) if len(sys.argv) > 2 else 10_000,
    )
