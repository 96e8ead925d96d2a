"""Valuation: relative book-to-market as a proxy for 'cheap', and the margin arithmetic."""

from __future__ import annotations

import pandas as pd

from smallcap_bt.claims.context import Context
from smallcap_bt.claims.library._helpers import spec, value_estimate
from smallcap_bt.claims.model import Claim, Part
from smallcap_bt.claims.sources import src
from smallcap_bt.data.load import load


def cheap(ctx: Context) -> list[Part]:
    specs = []
    details = None
    beme_ids = ("ff.portfolios_2x3.beme", "ff.portfolios_2x3.beme_june")
    cap = load("ff.portfolios_2x3.market_cap", ctx.vintage, store=ctx.store)
    firms = load("ff.portfolios_2x3.firms", ctx.vintage, store=ctx.store)
    me = cap * firms
    small = ["small_lobm", "small_medbm", "small_hibm"]
    big = ["big_lobm", "big_medbm", "big_hibm"]
    for ds in beme_ids:
        beme = load(ds, ctx.vintage, store=ctx.store)
        for agg in ("value-weighted", "simple average"):
            if agg == "value-weighted":
                s = (beme[small] * me[small]).sum(axis=1) / me[small].sum(axis=1)
                b = (beme[big] * me[big]).sum(axis=1) / me[big].sum(axis=1)
            else:
                s, b = beme[small].mean(axis=1), beme[big].mean(axis=1)
            rel = (s / b).dropna()
            for since in ("1926-07", "1963-07", "1996-01"):
                hist = rel.loc[since:]
                last = hist.iloc[-1]
                pct = float((hist <= last).mean())
                e = value_estimate(
                    pct,
                    "percentile of the latest small/big BE/ME in its history (1 = cheapest ever)",
                    "relative B/M percentile",
                    str(hist.index[0]),
                    str(hist.index[-1]),
                    len(hist),
                )
                e.extra["latest_ratio"] = float(last)
                name = f"{ds.rsplit('.', 1)[1]}|{agg}|since {since}"
                if name == "beme|value-weighted|since 1926-07":
                    details = pd.DataFrame({"small_over_big_beme": rel})
                specs.append(spec(name, e, pct >= 0.75, dataset=ds, aggregation=agg, since=since))
    return [
        Part(
            "main",
            "Small caps are historically cheap relative to large caps: relative "
            "book-to-market in the top quartile of its history.",
            specs,
            "beme|value-weighted|since 1926-07",
            "aggregate BE/ME over the full history",
            details=details,
            inferential=False,
        )
    ]


def margins(ctx: Context) -> list[Part]:
    """'6% -> +200bp is a one-third increase in earnings; 18% -> only 11%'."""
    specs = []
    for name, margin, stated in (("small", 0.06, 1 / 3), ("large", 0.18, 0.11)):
        growth = (margin + 0.02) / margin - 1
        e = value_estimate(
            growth,
            "decimal, earnings growth at constant revenue",
            f"{name}-cap earnings growth from +200bp margin",
            n=1,
            method="arithmetic on the stated margins",
        )
        e.extra["stated"] = stated
        specs.append(spec(name, e, abs(growth - stated) <= 0.005, margin=margin))
    return [
        Part(
            "main",
            "+200bp on a 6% margin is a ~33% earnings rise; on 18% about 11%.",
            specs,
            "small",
            "the figure the argument rests on",
            1 / 3,
            0.005,
            inferential=False,
        )
    ]


CLAIMS = [
    Claim(
        "cheap-relative-to-large",
        src("000", "002", "003", "004"),
        "valuations of small "
        "caps are historically cheap compared to large caps / -10% discount to the S&P 500 "
        "… typical 10% premium",
        "2025-12-01",
        "Small/big aggregate book-to-market is in the top quartile of its history.",
        (
            "ff.portfolios_2x3.beme",
            "ff.portfolios_2x3.beme_june",
            "ff.portfolios_2x3.market_cap",
            "ff.portfolios_2x3.firms",
        ),
        "proxy",
        "percentile of today's small/big BE/ME (2x3 portfolios) in its history",
        cheap,
        proxy="book-to-market stands in for P/E: P/E itself is not in the public data",
        family="valuation",
    ),
    Claim(
        "ai-margin-arithmetic",
        src("000"),
        "average operating margin … small-cap … about "
        "6% … large-cap … 18% … 200 basis points … one-third increase in earnings … only … "
        "11%",
        "2025-12-01",
        "The stated arithmetic holds: 8/6-1 = 33%, 20/18-1 = 11%.",
        (),
        "exact",
        "arithmetic check of the stated numbers; the margins themselves are "
        "not testable with public data",
        margins,
        family="valuation",
    ),
]
