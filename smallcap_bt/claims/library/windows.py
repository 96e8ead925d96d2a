"""Claims about small vs large over stated windows (recent months, the GFC, the pandemic)."""

from __future__ import annotations

import pandas as pd

from smallcap_bt.claims.context import Context
from smallcap_bt.claims.library._helpers import (
    INDEX_HEADLINE,
    INDEX_PROXY,
    LEG_DEFS,
    before,
    cumulative_relative,
    geometric_relative,
    month,
    spec,
    value_estimate,
    window,
)
from smallcap_bt.claims.model import Claim, Part
from smallcap_bt.claims.sources import src

_ME = ("ff.portfolios_me.monthly.vw", "ff.portfolios_me.monthly.ew", "ff.factors.monthly")


def _cum_specs(ctx: Context, starts: list[str], end: str | pd.Period, agree) -> list:
    out = []
    for st in starts:
        for d in LEG_DEFS:
            e = cumulative_relative(ctx, d, st, end)
            out.append(spec(f"{d}|from {st}", e, agree(e.value), definition=d, start=st))
    return out


def underperformed_14(ctx: Context) -> list[Part]:
    end = before("2025-12-01")
    specs = []
    for years in (13, 14, 15):
        for d in LEG_DEFS:
            e = geometric_relative(ctx, d, end - 12 * years + 1, end)
            specs.append(spec(f"{d}|{years}y", e, e.value < 0, definition=d, years=years))
    return [
        Part(
            "main",
            "Over the 14 years to the source date small caps underperformed large caps.",
            specs,
            f"{INDEX_HEADLINE}|14y",
            "the stated 14 years",
            inferential=False,
        )
    ]


def equal_since_mid_2025(ctx: Context) -> list[Part]:
    end = before("2025-12-01")
    tol = 0.02
    specs = _cum_specs(ctx, ["2025-06", "2025-07"], end, lambda v: abs(v) <= tol)
    return [
        Part(
            "main",
            "From mid-2025 to the source date small and large returned about the "
            "same (within 2 percentage points).",
            specs,
            f"{INDEX_HEADLINE}|from 2025-07",
            "'since about mid-year' = from July",
            0.0,
            tol,
            inferential=False,
        )
    ]


def six_months(ctx: Context) -> list[Part]:
    end = before("2025-12-10")
    stated, tol = 0.05, 0.025
    specs = _cum_specs(ctx, [str(end - 5)], end, lambda v: abs(v - stated) <= tol)
    specs += _cum_specs(ctx, [str(end - 6)], end - 1, lambda v: abs(v - stated) <= tol)
    return [
        Part(
            "main",
            "Small beat large by about 5% over the six months to the source date "
            "(within 2.5 percentage points).",
            specs,
            f"{INDEX_HEADLINE}|from {end - 5}",
            "the six complete months before the source date",
            stated,
            tol,
            inferential=False,
        )
    ]


def august_2025(ctx: Context) -> list[Part]:
    ctx.require("2025-11")
    p = ctx.panel
    aug = month("2025-08")
    last12 = pd.period_range(before("2025-12-10") - 11, before("2025-12-10"), freq="M")
    level, rank = [], []
    for d in LEG_DEFS:
        r = float(p.loc[aug, f"small.{d}"])
        level.append(
            spec(
                f"{d}|Aug 2025 return",
                value_estimate(
                    r,
                    "decimal, monthly total return",
                    "small-cap return in August 2025",
                    str(aug),
                    str(aug),
                    1,
                    definition=d,
                ),
                abs(r - 0.071) <= 0.015,
                definition=d,
            )
        )
        sml = p.loc[last12, f"sml.{d}"]
        rk = int((sml > sml.loc[aug]).sum() + 1)
        hist = p[f"sml.{d}"].dropna()
        pct = float((hist < hist.loc[aug]).mean())
        e = value_estimate(
            rk,
            "rank among the 12 months to the source date (1 = best)",
            "rank of August 2025 small minus large",
            str(last12[0]),
            str(last12[-1]),
            12,
            definition=d,
        )
        e.extra["historical_percentile"] = pct
        rank.append(spec(f"{d}|rank in last 12 months", e, rk == 1, definition=d))
    return [
        Part(
            "level",
            "Small caps returned about 7.1% in August 2025 (within 1.5 points).",
            level,
            f"{INDEX_HEADLINE}|Aug 2025 return",
            "the Russell 2000 is value-weighted",
            0.071,
            0.015,
            inferential=False,
        ),
        Part(
            "rank",
            "August 2025 was the best month of small minus large in the last 12.",
            rank,
            f"{INDEX_HEADLINE}|rank in last 12 months",
            "as stated",
            inferential=False,
        ),
    ]


def since_late_2022(ctx: Context) -> list[Part]:
    end = before("2025-12-01")
    stated, tol = 0.55 - 0.98, 0.10
    specs = []
    for st in ("2022-10", "2022-11", "2022-12"):
        for d in LEG_DEFS:
            e = cumulative_relative(ctx, d, st, end)
            w = window(ctx, d, st, end)
            e.extra.update(
                {
                    "small_cum": float((1 + w["s"]).prod() - 1),
                    "large_cum": float((1 + w["l"]).prod() - 1),
                }
            )
            specs.append(
                spec(f"{d}|from {st}", e, abs(e.value - stated) <= tol, definition=d, start=st)
            )
    return [
        Part(
            "main",
            "Since late 2022 small gained about 55% and large about 98%: a gap of "
            "-43 points (within 10).",
            specs,
            f"{INDEX_HEADLINE}|from 2022-10",
            "the October 2022 market low",
            stated,
            tol,
            inferential=False,
        )
    ]


def ytd_jan_2026(ctx: Context) -> list[Part]:
    ctx.require("2026-01", why="January 2026 is the month the claim describes")
    p = ctx.panel
    jan = month("2026-01")
    level, rel = [], []
    for d in LEG_DEFS:
        r = float(p.loc[jan, f"small.{d}"])
        level.append(
            spec(
                f"{d}|Jan 2026",
                value_estimate(
                    r,
                    "decimal, monthly total return",
                    "small-cap return in January 2026",
                    str(jan),
                    str(jan),
                    1,
                    definition=d,
                ),
                r > 0.04,
                definition=d,
            )
        )
        x = float(p.loc[jan, f"sml.{d}"])
        rel.append(
            spec(
                f"{d}|Jan 2026 vs large",
                value_estimate(
                    x,
                    "decimal, monthly small minus large",
                    "small minus large in January 2026",
                    str(jan),
                    str(jan),
                    1,
                    definition=d,
                ),
                x > 0,
                definition=d,
            )
        )
    return [
        Part(
            "level",
            "Small caps rose more than 4% in January 2026.",
            level,
            f"{INDEX_HEADLINE}|Jan 2026",
            "whole month (the source wrote mid-January)",
            0.04,
            None,
            inferential=False,
        ),
        Part(
            "relative",
            "Small caps beat large caps in January 2026.",
            rel,
            f"{INDEX_HEADLINE}|Jan 2026 vs large",
            "as stated",
            inferential=False,
        ),
    ]


def post_gfc(ctx: Context) -> list[Part]:
    specs = []
    for st in ("2009-03", "2009-07", "2009-01"):
        end = month(st) + 35
        for d in LEG_DEFS:
            e = cumulative_relative(ctx, d, st, end)
            specs.append(spec(f"{d}|36m from {st}", e, e.value > 0, definition=d, start=st))
    return [
        Part(
            "main",
            "In the three years after the GFC small caps beat large caps.",
            specs,
            f"{INDEX_HEADLINE}|36m from 2009-03",
            "from the March 2009 market low",
        )
    ]


def pandemic_2007_2013(ctx: Context) -> list[Part]:
    pand = []
    for st, en in (("2020-02", "2020-04"), ("2020-01", "2020-06"), ("2020-03", "2020-12")):
        for d in LEG_DEFS:
            e = cumulative_relative(ctx, d, st, en)
            pand.append(spec(f"{d}|{st}..{en}", e, e.value > 0, definition=d))
    rec = []
    for st, en in (("2007-01", "2013-12"), ("2009-07", "2013-12"), ("2007-06", "2013-06")):
        for d in LEG_DEFS:
            e = geometric_relative(ctx, d, st, en)
            rec.append(spec(f"{d}|{st}..{en}", e, e.value > 0, definition=d))
    return [
        Part(
            "early pandemic",
            "Small caps beat large caps in the early pandemic.",
            pand,
            f"{INDEX_HEADLINE}|2020-02..2020-04",
            "February-April 2020: the shock itself",
        ),
        Part(
            "2007-2013",
            "Small caps beat large caps over 2007-2013.",
            rec,
            f"{INDEX_HEADLINE}|2007-01..2013-12",
            "the stated calendar years",
        ),
    ]


def _c(cid, keys, quote, as_of, hyp, test, fn, fidelity="proxy"):
    return Claim(
        cid,
        src(*keys),
        quote,
        as_of,
        hyp,
        _ME,
        fidelity,
        test,
        fn,
        proxy=INDEX_PROXY,
        family="windows",
    )


CLAIMS = [
    _c(
        "underperformed-14-years",
        ["000"],
        "small caps having underperformed large caps for about the past 14 year[s]",
        "2025-12-01",
        "Over the 14 years to the source date small underperformed large.",
        "geometric annual difference over 13/14/15 years to Nov 2025",
        underperformed_14,
    ),
    _c(
        "equal-since-mid-2025",
        ["000"],
        "the small-cap market returns have been roughly equivalent to the S&P since about mid-year",
        "2025-12-01",
        "Small and large returned within 2 points of each other from mid-2025.",
        "cumulative relative return from June/July 2025 to Nov 2025",
        equal_since_mid_2025,
    ),
    _c(
        "six-months-5pct",
        ["001"],
        "the Russell 2000 has outperformed the S&P 500 by 5% in the last 6 months",
        "2025-12-10",
        "Small beat large by 5% (+-2.5) over six months.",
        "cumulative relative return over the 6 months to Nov 2025 (and to Oct)",
        six_months,
    ),
    _c(
        "august-2025-record",
        ["001"],
        "a near-record monthly high of 7.1% in August 2025, … "
        "the strongest monthly performance against the S&P 500 in the last 12 months",
        "2025-12-10",
        "Small returned ~7.1% in Aug 2025, the best relative month of the year.",
        "August 2025 small return; rank of its small-minus-large in the last 12 months and "
        "in history",
        august_2025,
    ),
    _c(
        "since-late-2022",
        ["002"],
        "S&P 600 small caps have gained 55% since late 2022 versus 98% for large caps",
        "2025-12-01",
        "From late 2022 small gained ~55% and large ~98%.",
        "cumulative small and large returns from Oct/Nov/Dec 2022 to Nov 2025",
        since_late_2022,
    ),
    _c(
        "ytd-jan-2026",
        ["004"],
        "the Russell 2000 rising more than 4% year-to-date to outpace the broader market",
        "2026-01-15",
        "Small rose >4% in January 2026 and beat large.",
        "January 2026 monthly returns (monthly data: the whole month)",
        ytd_jan_2026,
    ),
    _c(
        "post-gfc-three-years",
        ["001"],
        "Following the fallout of the Global Financial Crisis "
        "in 2008, US small-caps outperformed large-cap stocks over the following three years",
        "2025-12-10",
        "Small beat large over the 36 months after the GFC.",
        "36-month cumulative relative return from 2009-03 (low), 2009-07 (after the NBER "
        "trough) and 2009-01",
        post_gfc,
    ),
    _c(
        "pandemic-and-2007-2013",
        ["003"],
        "small caps have historically outperformed during "
        "periods of economic uncertainty, such as the early pandemic and the 2007–2013 "
        "recovery",
        "2026-01-12",
        "Small beat large in the early pandemic and over 2007-2013.",
        "relative returns over early-2020 windows, and geometric difference over 2007-2013",
        pandemic_2007_2013,
    ),
]
