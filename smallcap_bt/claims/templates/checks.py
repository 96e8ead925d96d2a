"""Check templates: a valuation percentile, and arithmetic on stated figures."""

from __future__ import annotations

import pandas as pd

from smallcap_bt.claims.templates.base import (
    SpecOut,
    TemplateOutput,
    TestInput,
    template,
    value_estimate,
)
from smallcap_bt.claims.templates.params import ArithmeticParams, ValuationParams
from smallcap_bt.claims.templates.params import Ratio as Ratio

_SMALL = ["small_lobm", "small_medbm", "small_hibm"]
_BIG = ["big_lobm", "big_medbm", "big_hibm"]


@template("valuation_percentile")
def valuation_percentile(inp: TestInput, p: ValuationParams) -> TemplateOutput:
    """Percentile of the latest small/big aggregate book-to-market in its own history
    (1 = small cheapest relative to big ever). BE/ME from the 2x3 portfolios."""
    me = inp.data.load("ff.portfolios_2x3.market_cap") * inp.data.load("ff.portfolios_2x3.firms")
    out, details = [], None
    for table in p.tables:
        beme = inp.data.load(f"ff.portfolios_2x3.{table}")
        for agg in p.aggregations:
            if agg == "value-weighted":
                s = (beme[_SMALL] * me[_SMALL]).sum(axis=1) / me[_SMALL].sum(axis=1)
                b = (beme[_BIG] * me[_BIG]).sum(axis=1) / me[_BIG].sum(axis=1)
            else:
                s, b = beme[_SMALL].mean(axis=1), beme[_BIG].mean(axis=1)
            rel = (s / b).dropna()
            for since in p.since:
                hist = rel.loc[since:]
                pct = float((hist <= hist.iloc[-1]).mean())
                e = value_estimate(
                    pct,
                    "percentile of the latest small/big BE/ME in its history (1 = cheapest ever)",
                    "relative B/M percentile",
                    str(hist.index[0]),
                    str(hist.index[-1]),
                    len(hist),
                )
                e.extra["latest_ratio"] = float(hist.iloc[-1])
                name = f"{table}|{agg}|since {since}"
                if name == p.details:
                    details = pd.DataFrame({"small_over_big_beme": rel})
                out.append(SpecOut(name, e, {"table": table, "aggregation": agg, "since": since}))
    return TemplateOutput(out, details)


@template("arithmetic_check")
def arithmetic_check(inp: TestInput, p: ArithmeticParams) -> TemplateOutput:
    """Relative change (base + change) / base - 1 of stated figures (no data)."""
    out = []
    for r in p.ratios:
        growth = (r.base + r.change) / r.base - 1
        e = value_estimate(
            growth,
            "decimal, relative change",
            f"{r.name}: ({r.base} + {r.change}) / {r.base} - 1",
            n=1,
            method="arithmetic on the stated figures",
        )
        out.append(SpecOut(r.name, e, {"base": r.base, "change": r.change}))
    return TemplateOutput(out)
