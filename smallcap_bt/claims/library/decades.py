"""Calendar decades: the best decade, the 1970s' rates and inflation, the 2000s."""

from __future__ import annotations

import pandas as pd

from smallcap_bt.claims.context import Context
from smallcap_bt.claims.library._helpers import (
    ALL_DEFS,
    INDEX_HEADLINE,
    LEG_DEFS,
    geometric_relative,
    spec,
    value_estimate,
)
from smallcap_bt.claims.model import Claim, Part
from smallcap_bt.claims.sources import src
from smallcap_bt.stats.regimes import decade_table

_ME = ("ff.portfolios_me.monthly.vw", "ff.portfolios_me.monthly.ew", "ff.factors.monthly")
_RATES = (
    "fred.FEDFUNDS",
    "fred.TB3MS",
    "fred.GS10",
    "fred.CPIAUCSL",
    "fred.DFEDTAR",
    "fred.DFEDTARU",
    "fred.DFEDTARL",
)


def best_decade(ctx: Context) -> list[Part]:
    p = ctx.panel
    specs = []
    tables = {}
    for d in LEG_DEFS:
        t = decade_table(p[f"small.{d}"], p[f"large.{d}"])
        tables[d] = t
        full = t[t["complete"]]
        for metric in ("small", "sml"):
            rank = int(full[metric].rank(ascending=False).loc["1970s"])
            e = value_estimate(
                rank,
                f"rank of the 1970s among {len(full)} complete decades "
                "(1 = best), geometric annual returns",
                f"rank of the 1970s by {metric}",
                full["start"].iloc[0],
                full["end"].iloc[-1],
                len(full),
                definition=d,
            )
            e.extra["best_decade"] = str(full[metric].idxmax())
            e.extra["value_1970s"] = float(full.loc["1970s", metric])
            specs.append(spec(f"{d}|{metric}", e, rank == 1, definition=d, metric=metric))
    details = tables[INDEX_HEADLINE].copy()
    return [
        Part(
            "main",
            "The 1970s were the best complete calendar decade for small caps.",
            specs,
            f"{INDEX_HEADLINE}|small",
            "'performance for small caps' = their own "
            "return; the relative return is the other metric",
            details=details,
            inferential=False,
        )
    ]


def seventies_rates(ctx: Context) -> list[Part]:
    p = ctx.panel
    specs = []
    rows = {}
    for col, what in (
        ("cpi_yoy", "CPI inflation"),
        ("tbill", "3m T-bill"),
        ("fedfunds", "fed funds"),
        ("gs10", "10y yield"),
    ):
        s = p[col].dropna()
        dec = (s.index.year // 10) * 10
        means = s.groupby(dec).mean()
        counts = s.groupby(dec).size()
        means = means[(counts == 120) & (means.index >= 1930)]
        others = means.drop(1970).mean()
        diff = float(means.loc[1970] - others)
        rank = int(means.rank(ascending=False).loc[1970])
        e = value_estimate(
            diff,
            "percentage points: 1970s average minus the average of the other complete decades",
            f"1970s {what} vs other decades",
            str(s.index[0]),
            str(s.index[-1]),
            len(means),
        )
        e.extra.update({"rank_1970s": rank, "decades": len(means)})
        rows[col] = means
        specs.append(spec(f"{col}", e, diff > 0, variable=col))
    return [
        Part(
            "main",
            "The 1970s had higher inflation and interest rates than other decades.",
            specs,
            "cpi_yoy",
            "inflation is named first",
            details=pd.DataFrame(rows),
            inferential=False,
        )
    ]


def two_thousands(ctx: Context) -> list[Part]:
    p = ctx.panel
    rates = []
    for col in ("fedfunds", "tbill", "gs10", "target"):
        s = p[col].loc["2000-01":"2009-12"].dropna()
        change = float(s.iloc[-1] - s.iloc[0])
        rising_share = float(((s - s.shift(12)) > 0).loc["2001-01":].mean())
        e = value_estimate(
            change,
            "percentage points, Dec 2009 minus Jan 2000",
            f"change of {col} over 2000-2009",
            str(s.index[0]),
            str(s.index[-1]),
            len(s),
        )
        e.extra["share_months_rising_12m"] = rising_share
        rates.append(spec(col, e, change > 0, variable=col))
    rel = []
    for d in ALL_DEFS:
        if d == "smb":
            from smallcap_bt.stats.regression import hac_mean

            e = hac_mean(p["sml.smb"].loc["2000-01":"2009-12"], definition="smb")
        else:
            e = geometric_relative(ctx, d, "2000-01", "2009-12")
        rel.append(spec(d, e, e.value > 0, definition=d))
    return [
        Part(
            "rates rose",
            "Interest rates increased over 2000-2009.",
            rates,
            "fedfunds",
            "the policy rate",
            inferential=False,
        ),
        Part(
            "small beat large",
            "Small caps beat large caps over 2000-2009.",
            rel,
            INDEX_HEADLINE,
            "index proxy",
        ),
    ]


CLAIMS = [
    Claim(
        "best-decade-1970s",
        src("000"),
        "the single best decade of performance in the "
        "history for small caps in the U.S. market was the period of the 1970s",
        "2025-12-01",
        "The 1970s rank first among complete calendar decades for small caps.",
        _ME,
        "close",
        "rank complete decades 1930s-2010s by small-cap geometric return and by the "
        "small-minus-large difference (2020s partial, excluded)",
        best_decade,
        family="decades",
    ),
    Claim(
        "seventies-high-rates",
        src("000"),
        "the period of the 1970s that was kind of "
        "characterized by higher inflation and higher interest rates for longer",
        "2025-12-01",
        "1970s inflation and rates were above those of other decades.",
        _RATES,
        "exact",
        "decade averages of CPI inflation, T-bill, fed funds and 10y yield",
        seventies_rates,
        family="decades",
    ),
    Claim(
        "two-thousands-rising-rates",
        src("000"),
        "the first decade of the 2000s was a "
        "period where interest rates were increasing, and small caps did very well relative "
        "to large",
        "2025-12-01",
        "Rates rose over 2000-2009, and small beat large.",
        (*_ME, *_RATES),
        "close",
        "two parts: rate change over 2000-2009 (and share of "
        "months with rising rates); small minus large over 2000-2009",
        two_thousands,
        family="decades",
    ),
]
