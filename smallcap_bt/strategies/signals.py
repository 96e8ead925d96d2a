"""Signal builders: weights of the small leg on a (month x variant) grid.

Row ``t`` is the weight decided with information up to the end of month ``t`` and *held
during month* ``t + 1``. The rest of the portfolio is in the large leg (``other="large"``) or
in cash. Every builder returns a DataFrame indexed like the panel, one column per variant,
with a column MultiIndex naming the parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

import numpy as np
import pandas as pd

from smallcap_bt.stats.events import nber_troughs
from smallcap_bt.stats.regimes import rising


def _frame(cols: dict[tuple, np.ndarray], index: pd.Index, names: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame(cols, index=index)
    out.columns = pd.MultiIndex.from_tuples(list(cols), names=list(names))
    return out


def hold_after(index: pd.PeriodIndex, event_months: pd.PeriodIndex, h: int) -> np.ndarray:
    """1.0 in rows ``m .. m+h-1`` for every event month ``m`` (held in months m+1..m+h)."""
    w = np.zeros(len(index))
    pos = index.get_indexer(event_months)
    for p in pos[pos >= 0]:
        w[p : p + h] = 1.0
    return w


def after_fed_cut(
    index: pd.PeriodIndex,
    cut_sets: dict[str, pd.DatetimeIndex],
    holds: Sequence[int] = (1, 3, 6, 12, 24),
) -> pd.DataFrame:
    """Hold small for ``h`` months after each cut (a cut is known in its own month)."""
    cols = {}
    for (name, dates), h in product(cut_sets.items(), holds):
        cols[(name, h)] = hold_after(index, dates.to_period("M"), h)
    return _frame(cols, index, ["events", "hold"])


def rate_regime(
    panel: pd.DataFrame,
    variables: Sequence[str] = ("fedfunds", "tbill"),
    lookbacks: Sequence[int] = (3, 6, 12),
    directions: Sequence[str] = ("rising", "falling"),
) -> pd.DataFrame:
    """Small when ``variable`` rose (or fell) over the last ``lookback`` months."""
    cols = {}
    for var, lb, dr in product(variables, lookbacks, directions):
        up = rising(panel[var], lb)
        w = up if dr == "rising" else 1 - up
        cols[(var, lb, dr)] = w.fillna(0).to_numpy()
    return _frame(cols, panel.index, ["variable", "lookback", "direction"])


def level_regime(
    panel: pd.DataFrame,
    variable: str,
    quantiles: Sequence[float] = (0.3, 0.5, 0.7),
    window: int = 120,
    sides: Sequence[str] = ("above", "below"),
) -> pd.DataFrame:
    """Small when ``variable`` is above (below) its trailing ``window``-month quantile.

    The threshold at month ``t`` uses months ``t-window+1 .. t`` only (no look-ahead).
    """
    s = panel[variable]
    cols = {}
    for q, side in product(quantiles, sides):
        thr = s.rolling(window, min_periods=window // 2).quantile(q)
        w = (s > thr) if side == "above" else (s <= thr)
        cols[(variable, q, side)] = w.where(thr.notna(), False).astype(float).to_numpy()
    return _frame(cols, panel.index, ["variable", "quantile", "side"])


def curve_regime(
    panel: pd.DataFrame, lookbacks: Sequence[int] = (3, 6, 12), variable: str = "slope_10y3m"
) -> pd.DataFrame:
    """Small when the curve steepened over ``lookback`` months, or flattened."""
    return rate_regime(panel, (variable,), lookbacks, ("rising", "falling"))


def recovery(
    panel: pd.DataFrame, holds: Sequence[int] = (12, 24, 36), lags: Sequence[int] = (0, 12)
) -> pd.DataFrame:
    """Small for ``h`` months after each NBER trough, entered ``lag`` months after it.

    NBER announces troughs 4-21 months after the fact: ``lag=0`` is hindsight only (labelled
    ``hindsight`` in the columns); use ``lag >= 12`` for a tradable version.
    """
    troughs = nber_troughs(panel["usrec"])
    cols = {}
    for h, lag in product(holds, lags):
        label = "hindsight" if lag == 0 else f"lag {lag}m"
        cols[(h, label)] = hold_after(panel.index, troughs + lag, h)
    out = _frame(cols, panel.index, ["hold", "timing"])
    # not tradable: a sweep shows them for reference but never picks one as its best
    out.attrs["hindsight"] = [c for c in out.columns if c[1] == "hindsight"]
    return out


def valuation(
    panel: pd.DataFrame,
    windows: Sequence[int] = (10, 20),
    quantiles: Sequence[float] = (0.7, 0.8, 0.9),
) -> pd.DataFrame:
    """Small when relative book-to-market is in its top quantile over a trailing window."""
    return pd.concat(
        {f"{y}y": level_regime(panel, "rel_beme", quantiles, 12 * y, ("above",)) for y in windows},
        axis=1,
        names=["window"],
    )


def staged_entry(
    panel: pd.DataFrame,
    definition: str = "tercile.vw",
    steps: Sequence[int] = (1, 3, 6, 12),
    hold: int = 36,
    years: int = 10,
) -> pd.DataFrame:
    """Enter small after trailing ``years``-year underperformance: lump sum (1 step) or staged.

    At the first month of each run of negative trailing relative returns, move to small in
    ``n`` equal monthly steps, hold ``hold`` months, then return to large.
    """
    from smallcap_bt.stats.streaks import rolling_relative

    rr = rolling_relative(panel[f"small.{definition}"], panel[f"large.{definition}"], years)
    neg = (rr < 0).reindex(panel.index, fill_value=False).to_numpy()
    starts = np.flatnonzero(neg & ~np.concatenate([[False], neg[:-1]]))
    cols = {}
    for n in steps:
        w = np.zeros(len(panel))
        ramp = np.minimum(np.arange(1, hold + 1) / n, 1.0)
        for s in starts.tolist():
            end = min(s + hold, len(w))
            w[s:end] = np.maximum(w[s:end], ramp[: end - s])
        cols[(n, hold)] = w
    return _frame(cols, panel.index, ["steps", "hold"])


def buy_and_hold(index: pd.Index) -> pd.DataFrame:
    """Passive holdings: all small, all large, 50/50 rebalanced monthly (variants named by
    ``holding``; "large" is the sweep's benchmark itself, less its costs)."""
    return _frame(
        {
            ("small",): np.ones(len(index)),
            ("large",): np.zeros(len(index)),
            ("50/50",): np.full(len(index), 0.5),
        },
        index,
        ["holding"],
    )
