"""Period templates: rank a decade (calendar or rolling), compare macro levels by decade,
and the change of macro series over a stated period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smallcap_bt.claims.templates.base import (
    SpecOut,
    TemplateOutput,
    TestInput,
    month,
    template,
    value_estimate,
)
from smallcap_bt.claims.templates.params import (
    DecadeParams,
    MacroChangeParams,
    MacroDecadeParams,
)
from smallcap_bt.stats.regimes import decade_table


def _rolling_geo(r: pd.Series, months: int) -> pd.Series:
    """Geometric annual return of the ``months`` months starting at each month."""
    lg = np.log1p(r).rolling(months).sum().shift(-(months - 1))
    return np.expm1(lg * 12 / months)


@template("decade_ranking")
def decade_ranking(inp: TestInput, p: DecadeParams) -> TemplateOutput:
    """Rank of a decade among complete calendar decades, and of the best rolling 10-year
    window that starts in that decade among all rolling windows (geometric annual returns).

    Rolling windows overlap, so the rolling rank is that of the decade's best window among
    the best windows of every *other* start decade (one per decade, comparable with the
    calendar ranking); ``extra`` gives the start of the best window overall. Nominal returns.
    """
    out = []
    details = None
    tag = f"{p.decade}s"
    for d in p.definitions:
        s, l_ = inp.data.col(f"small.{d}"), inp.data.col(f"large.{d}")
        table = decade_table(s, l_)
        full = table[table["complete"]]
        if d == p.details_definition:
            details = table
        for metric in p.metrics:
            if "calendar" in p.periods:
                rank = int(full[metric].rank(ascending=False).loc[tag])
                e = value_estimate(
                    rank,
                    f"rank of the {tag} among {len(full)} complete calendar decades (1 = best), "
                    "geometric annual returns, nominal",
                    f"rank of the {tag} by {metric}",
                    full["start"].iloc[0],
                    full["end"].iloc[-1],
                    len(full),
                    definition=d,
                )
                e.extra.update(
                    {
                        "best_decade": str(full[metric].idxmax()),
                        "value": float(full.loc[tag, metric]),
                    }
                )
                out.append(SpecOut(f"{d}|{metric}", e, {"definition": d, "metric": metric}))
            if "rolling" in p.periods:
                both = pd.concat([s, l_], axis=1).dropna()
                gs, gl = _rolling_geo(both.iloc[:, 0], 120), _rolling_geo(both.iloc[:, 1], 120)
                roll = (gs if metric == "small" else gs - gl).dropna()
                start_dec = (roll.index.year // 10) * 10
                best = roll.groupby(start_dec).max()
                rank = int(best.rank(ascending=False).loc[p.decade])
                e = value_estimate(
                    rank,
                    f"rank of the best rolling 10-year window starting in the {tag} among the "
                    f"best windows of each start decade ({len(best)}; 1 = best), geometric "
                    "annual returns, nominal",
                    f"rank of the {tag}' best rolling window by {metric}",
                    str(roll.index[0]),
                    str(roll.index[-1]),
                    len(roll),
                    definition=d,
                )
                e.extra.update(
                    {
                        "best_window_start": str(roll.idxmax()),
                        "best_window_value": float(roll.max()),
                        "decade_best_start": str(roll[start_dec == p.decade].idxmax()),
                    }
                )
                out.append(
                    SpecOut(f"{d}|{metric}|rolling 10y", e, {"definition": d, "metric": metric})
                )
    return TemplateOutput(out, details)


@template("macro_decades")
def macro_decades(inp: TestInput, p: MacroDecadeParams) -> TemplateOutput:
    """A decade's average of macro series minus the average of the other complete decades."""
    out, rows = [], {}
    for col in p.variables:
        s = inp.data.col(col).dropna()
        dec = (s.index.year // 10) * 10
        means = s.groupby(dec).mean()
        counts = s.groupby(dec).size()
        means = means[(counts == 120) & (means.index >= p.first)]
        diff = float(means.loc[p.decade] - means.drop(p.decade).mean())
        e = value_estimate(
            diff,
            f"percentage points: {p.decade}s average minus the average of the other complete "
            "decades",
            f"{p.decade}s {col} vs other decades",
            str(s.index[0]),
            str(s.index[-1]),
            len(means),
        )
        e.extra.update(
            {"rank": int(means.rank(ascending=False).loc[p.decade]), "decades": len(means)}
        )
        rows[col] = means
        out.append(SpecOut(col, e, {"variable": col}))
    return TemplateOutput(out, pd.DataFrame(rows))


@template("macro_change")
def macro_change(inp: TestInput, p: MacroChangeParams) -> TemplateOutput:
    """Change of macro series from the first to the last month of a stated period."""
    out = []
    for col in p.variables:
        s = inp.data.col(col).loc[month(p.start) : month(p.end)].dropna()
        change = float(s.iloc[-1] - s.iloc[0])
        e = value_estimate(
            change,
            f"percentage points, {s.index[-1]} minus {s.index[0]}",
            f"change of {col}",
            str(s.index[0]),
            str(s.index[-1]),
            len(s),
        )
        e.extra["share_months_rising_12m"] = float(((s - s.shift(12)) > 0).iloc[12:].mean())
        out.append(SpecOut(col, e, {"variable": col}))
    return TemplateOutput(out)
