"""Window templates: small vs large over stated windows and in stated months."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smallcap_bt.claims.templates.base import (
    SpecOut,
    TemplateOutput,
    TestInput,
    before,
    legs_window,
    mean_estimate,
    month,
    relative_estimate,
    template,
    value_estimate,
)
from smallcap_bt.claims.templates.params import (
    MonthParams,
    MonthRankParams,
    WindowParams,
)
from smallcap_bt.claims.templates.params import (
    Window as Window,
)


def _name(d: str, label: str) -> str:
    return f"{d}|{label}" if label else d


@template("window_difference")
def window_difference(inp: TestInput, p: WindowParams) -> TemplateOutput:
    """Small minus large over stated windows: cumulative, geometric or arithmetic.

    Cumulative: compounded small minus compounded large over the window. Geometric: the
    difference of compound annual returns. Arithmetic: mean monthly difference x 12 (SMB has
    no legs of its own, so SMB is always arithmetic). Interval and p-value: a stationary block
    bootstrap of month pairs that recomputes the reported statistic (HAC for the arithmetic
    mean).
    """
    out = []
    for w in p.windows:
        start, end = w.bounds(inp.as_of)
        for d in p.definitions:
            win = legs_window(inp, d, start, end)
            measure = "arithmetic" if d == "smb" else p.measure
            label = f"{measure} relative return {win.index[0]}..{win.index[-1]}"
            if measure == "arithmetic":
                e = mean_estimate(win["sml"], inp, label=label, definition=d)
            else:
                e = relative_estimate(measure, win["s"], win["l"], inp, label=label, definition=d)
            if d != "smb":
                e.extra.update(
                    {
                        "small_cum": float(np.prod(1 + win["s"]) - 1),
                        "large_cum": float(np.prod(1 + win["l"]) - 1),
                    }
                )
            out.append(SpecOut(_name(d, w.label), e, {"definition": d, "window": w.label}))
    return TemplateOutput(out)


@template("month_return")
def month_return(inp: TestInput, p: MonthParams) -> TemplateOutput:
    """The return of the small leg (or of small minus large) in one stated month."""
    m = month(p.month)
    inp.require(m, f"sml.{p.definitions[0]}", why=f"{m} is the month the claim describes")
    out = []
    for d in p.definitions:
        r = float(inp.data.col(f"{p.series}.{d}").loc[m])
        what = "small-cap return" if p.series == "small" else "small minus large"
        units = "decimal, monthly " + ("total return" if p.series == "small" else "difference")
        e = value_estimate(r, units, f"{what} in {m}", str(m), str(m), 1, definition=d)
        out.append(SpecOut(_name(d, p.label), e, {"definition": d}))
    return TemplateOutput(out)


@template("month_ranking")
def month_ranking(inp: TestInput, p: MonthRankParams) -> TemplateOutput:
    """Rank of one month's small minus large among the months up to the as-of date."""
    m = month(p.month)
    end = before(inp.as_of)
    inp.require(end, f"sml.{p.definitions[0]}")
    window = pd.period_range(end - p.last_months + 1, end, freq="M")
    out = []
    for d in p.definitions:
        sml = inp.data.col(f"sml.{d}")
        recent = sml.loc[window]
        rank = int((recent > recent.loc[m]).sum() + 1)
        hist = sml.dropna()
        e = value_estimate(
            rank,
            f"rank among the {p.last_months} months to the source date (1 = best)",
            f"rank of {m} small minus large",
            str(window[0]),
            str(window[-1]),
            p.last_months,
            definition=d,
        )
        e.extra["historical_percentile"] = float((hist < hist.loc[m]).mean())
        out.append(SpecOut(_name(d, p.label), e, {"definition": d}))
    return TemplateOutput(out)
