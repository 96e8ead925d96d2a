"""Streaks: rolling relative returns, runs of trailing underperformance, relative drawdowns."""

from __future__ import annotations

import numpy as np
import pandas as pd


def rolling_relative(small: pd.Series, large: pd.Series, years: int) -> pd.Series:
    """Trailing ``years``-year difference of geometric annual returns (decimal per year).

    Value at month ``t`` covers months ``t - 12*years + 1 .. t``.
    """
    n = 12 * years
    data = pd.concat([small, large], axis=1).dropna()
    ls = np.log1p(data.iloc[:, 0]).rolling(n).sum()
    ll = np.log1p(data.iloc[:, 1]).rolling(n).sum()
    out = np.expm1(ls / years) - np.expm1(ll / years)
    out.name = f"rolling_{years}y"
    return out


def runs(flag: pd.Series) -> pd.DataFrame:
    """Maximal runs of consecutive True values: ``start``, ``end``, ``months``, ``ongoing``.

    Sorted longest first; ``rank`` is 1 for the longest (ties share the lower rank).
    """
    f = flag.fillna(False).astype(bool).to_numpy()
    idx = flag.index
    rows = []
    i = 0
    while i < len(f):
        if f[i]:
            j = i
            while j + 1 < len(f) and f[j + 1]:
                j += 1
            rows.append(
                {"start": idx[i], "end": idx[j], "months": j - i + 1, "ongoing": j == len(f) - 1}
            )
            i = j + 1
        else:
            i += 1
    out = pd.DataFrame(rows, columns=["start", "end", "months", "ongoing"])
    if out.empty:
        out["rank"] = []
        return out
    out = out.sort_values(["months", "start"], ascending=[False, True]).reset_index(drop=True)
    out["rank"] = out["months"].rank(method="min", ascending=False).astype(int)
    return out


def relative_drawdowns(small: pd.Series, large: pd.Series) -> pd.DataFrame:
    """Drawdown episodes of relative wealth ``W = prod(1+small)/prod(1+large)``.

    One row per episode from a peak to its recovery (or the end of the data): ``peak``,
    ``trough``, ``recovery`` (None if ongoing), ``depth`` (decimal, negative), ``months`` from
    peak to recovery or to the last month. Sorted by depth.
    """
    data = pd.concat([small, large], axis=1).dropna()
    w = (1 + data.iloc[:, 0]).cumprod() / (1 + data.iloc[:, 1]).cumprod()
    peak = w.cummax()
    dd = w / peak - 1
    rows = []
    under = dd < 0
    i, idx, n = 0, w.index, len(w)
    while i < n:
        if under.iloc[i]:
            j = i
            while j + 1 < n and under.iloc[j + 1]:
                j += 1
            seg = dd.iloc[i : j + 1]
            rows.append(
                {
                    "peak": idx[i - 1] if i > 0 else idx[i],
                    "trough": seg.idxmin(),
                    "recovery": idx[j + 1] if j + 1 < n else None,
                    "depth": float(seg.min()),
                    "months": j - i + 2 if j + 1 < n else j - i + 1,
                    "ongoing": j + 1 >= n,
                }
            )
            i = j + 1
        else:
            i += 1
    out = pd.DataFrame(rows, columns=["peak", "trough", "recovery", "depth", "months", "ongoing"])
    return out.sort_values("depth").reset_index(drop=True)
