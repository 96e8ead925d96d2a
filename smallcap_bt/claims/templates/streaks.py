"""Streak templates: how long the current spell of underperformance is against history, and
a strategy comparison (staged vs lump-sum entry)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smallcap_bt.claims.templates.base import (
    SpecOut,
    TemplateOutput,
    TestInput,
    template,
    value_estimate,
)
from smallcap_bt.claims.templates.params import StagedParams, StreakParams
from smallcap_bt.stats.streaks import relative_drawdowns, rolling_relative, runs


@template("streak_ranking")
def streak_ranking(inp: TestInput, p: StreakParams) -> TemplateOutput:
    """Rank of the current spell of small-cap underperformance on record (1 = longest).

    Two readings: runs of negative trailing ``years``-year relative returns (geometric), and
    episodes of relative wealth (compounded small over compounded large) below its running
    peak, ranked by duration and by depth.
    """
    out, details = [], None
    for d in p.definitions:
        small, large = inp.data.col(f"small.{d}"), inp.data.col(f"large.{d}")
        if "runs" in p.measures:
            for years in p.years:
                rr = rolling_relative(small, large, years).dropna()
                episodes = runs(rr < 0)
                cur = episodes[episodes["ongoing"]]
                rank = len(episodes) + 1 if cur.empty else int(cur["rank"].iloc[0])
                e = value_estimate(
                    rank,
                    f"rank of the current run of negative trailing {years}-year relative "
                    "returns (1 = longest on record)",
                    "rank of the current underperformance run",
                    str(rr.index[0]),
                    str(rr.index[-1]),
                    len(episodes),
                    definition=d,
                )
                e.extra.update(
                    {
                        "current_run_months": 0 if cur.empty else int(cur["months"].iloc[0]),
                        "current_run_start": "" if cur.empty else str(cur["start"].iloc[0]),
                        "longest_run_months": int(episodes["months"].max()) if len(episodes) else 0,
                    }
                )
                out.append(SpecOut(f"{d}|{years}y", e, {"definition": d, "years": years}))
        dd = relative_drawdowns(small, large)
        cur = dd[dd["ongoing"]]
        if d == p.details_definition:
            details = dd.sort_values("months", ascending=False).head(10)
        for measure, col in (("drawdown duration", "months"), ("drawdown depth", "depth")):
            if measure not in p.measures:
                continue
            order = dd[col].rank(method="min", ascending=col == "depth")
            rank = len(dd) + 1 if cur.empty else int(order.loc[cur.index[0]])
            e = value_estimate(
                rank,
                f"rank of the current relative drawdown by {measure.split()[1]} among all "
                "relative drawdowns (1 = longest / deepest)",
                f"rank of the current relative drawdown ({measure})",
                "",
                "",
                len(dd),
                definition=d,
            )
            if not cur.empty:
                e.extra.update(
                    {
                        "peak": str(cur["peak"].iloc[0]),
                        "months": int(cur["months"].iloc[0]),
                        "depth": float(cur["depth"].iloc[0]),
                    }
                )
            out.append(SpecOut(f"{d}|{measure}", e, {"definition": d, "measure": measure}))
    return TemplateOutput(out, details)


@template("strategy_comparison")
def strategy_comparison(inp: TestInput, p: StagedParams) -> TemplateOutput:
    """Staged vs lump-sum switch from large to small after long underperformance: the
    dispersion of ``hold_months`` outcomes, staged / lump - 1 (negative = less dispersed).

    The signal (negative trailing relative return) is known at the end of month t; both
    strategies trade from month t+1; no costs (the comparison is of outcome dispersion).
    """
    out, details = [], None
    w = np.minimum(np.arange(1, p.hold_months + 1) / p.steps, 1.0)
    for d in p.definitions:
        small, large = inp.data.col(f"small.{d}"), inp.data.col(f"large.{d}")
        rr = rolling_relative(small, large, p.lookback_years)
        s, l_ = small.to_numpy(), large.to_numpy()
        rows = []
        for t in np.flatnonzero((rr < 0).to_numpy()):
            win = slice(t + 1, t + 1 + p.hold_months)
            if t + 1 + p.hold_months > len(s) or np.isnan(s[win]).any():
                continue
            rows.append(
                {
                    "signal_month": small.index[t],
                    "lump": np.prod(1 + s[win]) - 1,
                    "staged": np.prod(1 + w * s[win] + (1 - w) * l_[win]) - 1,
                }
            )
        res = pd.DataFrame(rows)
        ratio = float(res["staged"].std() / res["lump"].std() - 1)
        e = value_estimate(
            ratio,
            f"ratio of {p.hold_months}-month outcome dispersion, staged / lump - 1",
            "dispersion reduction of staged entry",
            str(res["signal_month"].iloc[0]),
            str(res["signal_month"].iloc[-1]),
            len(res),
            definition=d,
        )
        e.extra.update(
            {
                k: float(f(res[c]))
                for k, f, c in (
                    ("mean_staged", np.mean, "staged"),
                    ("mean_lump", np.mean, "lump"),
                    ("worst_staged", np.min, "staged"),
                    ("worst_lump", np.min, "lump"),
                )
            }
        )
        if d == p.details_definition:
            details = res
        out.append(SpecOut(d, e, {"definition": d}))
    return TemplateOutput(out, details)
