"""Streaks and reversals: the 15-year streak, 'the trend will shift', staged entry."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smallcap_bt.claims.context import Context
from smallcap_bt.claims.library._helpers import INDEX_HEADLINE, LEG_DEFS, spec, value_estimate
from smallcap_bt.claims.model import Claim, Part
from smallcap_bt.claims.sources import src
from smallcap_bt.stats.regression import predictive_regression
from smallcap_bt.stats.streaks import rolling_relative, runs

_ME = ("ff.portfolios_me.monthly.vw", "ff.portfolios_me.monthly.ew", "ff.factors.monthly")


def fifteen_year(ctx: Context) -> list[Part]:
    p = ctx.panel
    specs = []
    details = None
    for years in (15, 10):
        for d in LEG_DEFS:
            rr = rolling_relative(p[f"small.{d}"], p[f"large.{d}"], years).dropna()
            episodes = runs(rr < 0)
            cur = episodes[episodes["ongoing"]]
            if cur.empty:
                rank, months = len(episodes) + 1, 0
            else:
                rank, months = int(cur["rank"].iloc[0]), int(cur["months"].iloc[0])
            e = value_estimate(
                rank,
                f"rank of the current run of negative trailing {years}-"
                "year relative returns (1 = longest on record)",
                "rank of the current underperformance run",
                str(rr.index[0]),
                str(rr.index[-1]),
                len(episodes),
                definition=d,
            )
            e.extra.update(
                {
                    "current_run_months": months,
                    "longest_run_months": int(episodes["months"].max()) if len(episodes) else 0,
                }
            )
            if d == INDEX_HEADLINE and years == 15:
                details = episodes.head(10)
            specs.append(
                spec(f"{d}|{years}y", e, rank == 1 and months > 0, definition=d, years=years)
            )
    return [
        Part(
            "main",
            "The current run of trailing 15-year small-cap underperformance is "
            "the longest on record.",
            specs,
            f"{INDEX_HEADLINE}|15y",
            "the stated 15 years",
            details=details,
            inferential=False,
        )
    ]


def trend_shift(ctx: Context) -> list[Part]:
    p = ctx.panel
    specs = []
    for look in (10, 15):
        for h in (36, 60):
            for d in LEG_DEFS:
                past = rolling_relative(p[f"small.{d}"], p[f"large.{d}"], look)
                e = predictive_regression(
                    p[f"sml.{d}"],
                    past,
                    h,
                    label=f"next {h}m sml on trailing {look}y relative",
                    definition=d,
                )
                specs.append(
                    spec(
                        f"{d}|{look}y->{h}m", e, e.value < 0, definition=d, lookback=look, horizon=h
                    )
                )
    return [
        Part(
            "main",
            "Long small-cap underperformance is followed by outperformance: a "
            "negative slope of future on past relative returns.",
            specs,
            f"{INDEX_HEADLINE}|15y->60m",
            "15-year streak (source 004), five years ahead",
        )
    ]


def staged(ctx: Context) -> list[Part]:
    """Staged (6 monthly steps) vs lump-sum switch from large to small after long lags."""
    p = ctx.panel
    specs = []
    details = None
    for d in LEG_DEFS:
        rr = rolling_relative(p[f"small.{d}"], p[f"large.{d}"], 10)
        s, l_ = p[f"small.{d}"].to_numpy(), p[f"large.{d}"].to_numpy()
        signal = (rr < 0).to_numpy()
        weights_staged = np.minimum(np.arange(1, 37) / 6, 1.0)  # 1/6 more each month
        rows = []
        for t in np.flatnonzero(signal):
            win = slice(t + 1, t + 37)  # signal at end of t, trade from t+1
            if t + 37 > len(s) or np.isnan(s[win]).any():
                continue
            lump = np.prod(1 + s[win]) - 1
            stg = np.prod(1 + weights_staged * s[win] + (1 - weights_staged) * l_[win]) - 1
            rows.append({"signal_month": p.index[t], "lump": lump, "staged": stg})
        res = pd.DataFrame(rows)
        ratio = float(res["staged"].std() / res["lump"].std() - 1)
        e = value_estimate(
            ratio,
            "ratio of 36-month outcome dispersion, staged / lump - 1",
            "dispersion reduction of staged entry",
            str(res["signal_month"].iloc[0]),
            str(res["signal_month"].iloc[-1]),
            len(res),
            definition=d,
        )
        e.extra.update(
            {
                "mean_staged": float(res["staged"].mean()),
                "mean_lump": float(res["lump"].mean()),
                "worst_staged": float(res["staged"].min()),
                "worst_lump": float(res["lump"].min()),
            }
        )
        if d == INDEX_HEADLINE:
            details = res
        specs.append(spec(d, e, ratio < 0, definition=d))
    return [
        Part(
            "main",
            "After long underperformance, entering small caps in stages gives "
            "less dispersed 36-month outcomes than a lump sum.",
            specs,
            INDEX_HEADLINE,
            "index proxy",
            details=details,
            inferential=False,
        )
    ]


CLAIMS = [
    Claim(
        "fifteen-year-streak",
        src("004"),
        "The current 15-year streak of small-cap "
        "underperformance is an historical outlier / The extended period of large-cap "
        "dominance is the longest on record",
        "2026-01-15",
        "The current run of negative trailing 15-year relative returns is the longest.",
        _ME,
        "close",
        "runs of negative trailing 15/10-year geometric relative returns; rank of the current run",
        fifteen_year,
        family="streaks",
    ),
    Claim(
        "trend-will-shift",
        src("000", "004"),
        "history would tell us that that trend will "
        "shift / suggesting the cycle is ripe for reversal",
        "2025-12-01",
        "Future 3-5y small minus large is negatively related to trailing 10-15y.",
        _ME,
        "close",
        "predictive regression, overlap-robust HAC errors (lags >= horizon)",
        trend_shift,
        family="streaks",
    ),
    Claim(
        "staged-entry",
        src("002"),
        "This is a staged-entry trade, not a full conviction allocation",
        "2025-12-01",
        "Staged entry after long underperformance reduces outcome dispersion.",
        _ME,
        "proxy",
        "36-month outcomes of a 6-step staged switch vs a lump-sum switch into small, at "
        "every month with negative trailing 10-year relative return",
        staged,
        proxy="a recommendation; tested as its implied risk claim",
        family="streaks",
    ),
]
