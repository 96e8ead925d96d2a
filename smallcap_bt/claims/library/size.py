"""The long-run size premium: its level, its stability, the 2.85% figure, risk."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smallcap_bt.claims.context import Context
from smallcap_bt.claims.library._helpers import (
    ALL_DEFS,
    GEO_UNITS,
    INDEX_HEADLINE,
    LEG_DEFS,
    geometric_relative,
    spec,
    value_estimate,
)
from smallcap_bt.claims.model import Claim, Part
from smallcap_bt.claims.sources import src
from smallcap_bt.data.load import load
from smallcap_bt.stats.regression import factor_alpha, hac_mean, subperiod_difference
from smallcap_bt.stats.returns import (
    annualised_geometric,
    annualised_volatility,
    calendar_year_returns,
    max_drawdown,
)
from smallcap_bt.stats.streaks import rolling_relative

ARITH = "decimal per year, arithmetic (monthly mean x 12)"


def long_run(ctx: Context) -> list[Part]:
    p = ctx.panel
    specs = []
    for d in ALL_DEFS:
        e = hac_mean(p[f"sml.{d}"], label="mean small minus large", definition=d)
        specs.append(spec(f"{d}|hac_mean", e, e.value > 0, definition=d, test="HAC mean"))
    for d in ALL_DEFS:
        e = factor_alpha(p[f"sml.{d}"], p, "capm", definition=d)
        specs.append(spec(f"{d}|capm_alpha", e, e.value > 0, definition=d, test="CAPM alpha"))
    return [
        Part(
            "main",
            "The mean small-minus-large return since 1926 is positive.",
            specs,
            "smb|hac_mean",
            "the source cites Fama and French; SMB is their size factor",
        )
    ]


def inconsistent(ctx: Context) -> list[Part]:
    p = ctx.panel
    specs = []
    for brk in ("1981-01", "1993-01"):
        for d in ALL_DEFS:
            e = subperiod_difference(p[f"sml.{d}"].dropna(), brk, definition=d)
            after = hac_mean(p[f"sml.{d}"].loc[brk:])
            e.extra["mean_after"] = after.value
            e.extra["p_after"] = after.p_value
            # inconsistent = the premium after the break is lower and not significant
            specs.append(
                spec(
                    f"{d}|break {brk}",
                    e,
                    e.value < 0 and after.p_value > 0.05,
                    definition=d,
                    break_month=brk,
                )
            )
    rr = rolling_relative(p["small.tercile.vw"], p["large.tercile.vw"], 10).dropna()
    sign_changes = int((np.sign(rr).diff().abs() > 0).sum())
    details = pd.DataFrame({"rolling_10y_tercile_vw": rr})
    details.attrs["sign_changes_since_1936"] = sign_changes
    return [
        Part(
            "main",
            "After its discovery (Banz 1981; Fama-French 1993) the size premium "
            "is lower and no longer significant.",
            specs,
            "smb|break 1993-01",
            "'since then' follows the Fama-French research the source cites (1993)",
            details=details,
        )
    ]


def two_85(ctx: Context) -> list[Part]:
    """2.85% a year since 1927, under every definition and averaging convention."""
    p = ctx.panel
    last_year = int(ctx.last_month("sml.smb").year) - (0 if ctx.last_month().month == 12 else 1)
    last_year = min(last_year, 2025)
    start, end = pd.Period("1927-01", "M"), pd.Period(f"{last_year}-12", "M")
    specs = []
    span = (str(start), str(end))
    for d in ALL_DEFS:
        sml = p[f"sml.{d}"].loc[start:end]
        e = hac_mean(sml, definition=d, label="arithmetic mean x 12")
        specs.append(
            spec(
                f"{d}|monthly mean x 12",
                e,
                True,
                definition=d,
                convention="arithmetic, monthly x 12",
            )
        )
        if d != "smb":
            s, l_ = p[f"small.{d}"].loc[start:end], p[f"large.{d}"].loc[start:end]
            g = annualised_geometric(s) - annualised_geometric(l_)
            specs.append(
                spec(
                    f"{d}|geometric",
                    value_estimate(
                        g, GEO_UNITS, "geometric annual difference", *span, len(s), definition=d
                    ),
                    True,
                    definition=d,
                    convention="geometric",
                )
            )
            ys, yl = calendar_year_returns(s), calendar_year_returns(l_)
            diff = ys - yl
            e2 = hac_mean(
                diff,
                periods_per_year=1,
                annualise=False,
                lags=1,
                label="mean of calendar-year differences",
                definition=d,
            )
            e2 = _relabel(e2, "decimal per year, arithmetic mean of calendar-year differences")
            specs.append(
                spec(
                    f"{d}|calendar-year mean",
                    e2,
                    True,
                    definition=d,
                    convention="calendar-year arithmetic",
                )
            )
    annual = load("ff.factors.annual", ctx.vintage, store=ctx.store)["smb"]
    annual = annual[(annual.index.year >= 1927) & (annual.index.year <= last_year)]
    e3 = hac_mean(
        annual,
        periods_per_year=1,
        annualise=False,
        lags=1,
        definition="smb",
        label="mean of the published annual SMB",
    )
    e3 = _relabel(e3, "decimal per year, arithmetic mean of calendar-year SMB (annual table)")
    specs.append(spec("smb|calendar-year mean (annual table)", e3, True, definition="smb"))
    stated, tol = 0.0285, 0.0025
    for s_ in specs:
        s_.agrees = abs(s_.estimate.value - stated) <= tol
    return [
        Part(
            "main",
            "Small minus large averaged 2.85% a year since 1927.",
            specs,
            "smb|calendar-year mean (annual table)",
            "'average annual outperformance' reads as the mean of calendar-year "
            "differences; SMB is the standard small-minus-large series",
            stated,
            tol,
        )
    ]


def _relabel(e, units: str):
    from dataclasses import replace

    return replace(e, units=units)


def more_volatile(ctx: Context) -> list[Part]:
    p = ctx.panel
    specs = []
    for d in LEG_DEFS:
        s, l_ = p[f"small.{d}"].dropna(), p[f"large.{d}"].dropna()
        v = annualised_volatility(s) - annualised_volatility(l_)
        specs.append(
            spec(
                f"{d}|volatility",
                value_estimate(
                    v,
                    "decimal per year, annualised volatility difference (sd x sqrt 12)",
                    "volatility small minus large",
                    str(s.index[0]),
                    str(s.index[-1]),
                    len(s),
                    definition=d,
                ),
                v > 0,
                definition=d,
            )
        )
        dd = max_drawdown(s) - max_drawdown(l_)
        specs.append(
            spec(
                f"{d}|max drawdown",
                value_estimate(
                    dd,
                    "decimal, max drawdown small minus large (negative = deeper)",
                    "max drawdown difference",
                    str(s.index[0]),
                    str(s.index[-1]),
                    len(s),
                    definition=d,
                ),
                dd < 0,
                definition=d,
            )
        )
        xs = (p[f"small.{d}"] - p["rf"]).rename("small_xs")
        from smallcap_bt.stats.regression import ols_hac

        res = ols_hac(xs, p["mkt_rf"])
        b = res.coef("mkt_rf", label="market beta of small", units="beta", definition=d)
        specs.append(spec(f"{d}|beta", b, b.value > 1, definition=d))
    return [
        Part(
            "main",
            "Small caps are more volatile and riskier than large caps.",
            specs,
            f"{INDEX_HEADLINE}|volatility",
            "volatility is what 'more volatility' says",
            inferential=False,
        )
    ]


def suppressed(ctx: Context) -> list[Part]:
    p = ctx.panel
    end = min(ctx.last_month(), pd.Period("2025-12", "M"))
    specs = []
    for years in (10, 12):
        start = end - 12 * years + 1
        for d in LEG_DEFS:
            e = geometric_relative(ctx, d, start, end)
            long_mean = hac_mean(p[f"sml.{d}"].loc[: start - 1]).value
            e.extra["long_run_mean_before"] = long_mean
            specs.append(
                spec(
                    f"{d}|{years}y",
                    e,
                    e.value < long_mean,
                    definition=d,
                    years=years,
                    long_run_mean=long_mean,
                )
            )
        sml = p["sml.smb"].loc[start:end]
        e = hac_mean(sml, definition="smb", label=f"SMB mean over {years}y")
        long_mean = hac_mean(p["sml.smb"].loc[: start - 1]).value
        specs.append(
            spec(
                f"smb|{years}y",
                e,
                e.value < long_mean,
                definition="smb",
                years=years,
                long_run_mean=long_mean,
            )
        )
    rr = rolling_relative(p["small.tercile.vw"], p["large.tercile.vw"], 10)
    return [
        Part(
            "main",
            "The size premium over the last decade is below its long-run mean.",
            specs,
            f"{INDEX_HEADLINE}|10y",
            "'over a decade' = trailing 10 years",
            details=pd.DataFrame({"rolling_10y": rr.dropna()}),
        )
    ]


_FF = ("ff.factors.monthly", "ff.portfolios_me.monthly.vw", "ff.portfolios_me.monthly.ew")

CLAIMS = [
    Claim(
        "size-premium-long-run",
        src("001"),
        "research by Fama and French … small-caps are likely to outperform large-caps over "
        "the long term, providing … a 'size premium'",
        "2025-12-10",
        "The average small-minus-large return since 1926 is positive.",
        _FF,
        "close",
        "HAC (Newey-West) mean of small-minus-large since 1926 and CAPM alpha, 7 definitions",
        long_run,
        family="size",
    ),
    Claim(
        "size-premium-inconsistent",
        src("001"),
        "Since then, performance by small-caps has been relatively inconsistent",
        "2025-12-10",
        "After 1981 (Banz) / 1993 (Fama-French) the size premium is lower and not significant.",
        _FF,
        "close",
        "HAC regression on a post-break dummy (1981-01, 1993-01) and significance of the "
        "post-break mean; rolling 10-year premium",
        inconsistent,
        family="size",
    ),
    Claim(
        "since-1927-2.85pct",
        src("004"),
        "Since 1927, small caps have delivered an average annual outperformance of 2.85% "
        "over large caps",
        "2026-01-15",
        "Small minus large averaged 2.85% a year from 1927 (within 0.25 percentage points).",
        (*_FF, "ff.factors.annual"),
        "close",
        "the figure under every definition and convention (monthly x 12, geometric, "
        "calendar-year mean), 1927 to the last complete year",
        two_85,
        family="size",
    ),
    Claim(
        "more-volatile",
        src("001"),
        "they bring their own risks, including more volatility",
        "2025-12-10",
        "Small caps have higher volatility, deeper drawdowns and beta above 1.",
        _FF,
        "close",
        "volatility, maximum drawdown and market beta, small vs large",
        more_volatile,
        family="size",
    ),
    Claim(
        "premium-suppressed-decade",
        src("004"),
        "This long-term premium has been suppressed for over a decade",
        "2026-01-15",
        "The trailing 10-year size premium is below its long-run mean before that decade.",
        _FF,
        "close",
        "trailing 10/12-year premium vs the mean before it",
        suppressed,
        family="size",
    ),
]
