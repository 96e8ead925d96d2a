"""Building blocks shared by the claim families."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from smallcap_bt.claims.context import Context
from smallcap_bt.claims.model import SpecResult
from smallcap_bt.stats.regression import hac_mean
from smallcap_bt.stats.results import Estimate
from smallcap_bt.stats.returns import annualised_geometric

#: definitions with separate small and large legs (Portfolios_Formed_on_ME)
LEG_DEFS = ["tercile.vw", "quintile.vw", "decile.vw", "tercile.ew", "quintile.ew", "decile.ew"]
#: plus the SMB factor, which has no legs of its own in the 3-factor file
ALL_DEFS = ["smb", *LEG_DEFS]
#: headline for index comparisons (Russell 2000 / S&P 600 vs S&P 500): value-weighted bottom
#: 30% vs top 30% by NYSE breakpoints, the closest public proxy of a small-cap vs large-cap index
INDEX_HEADLINE = "tercile.vw"
INDEX_PROXY = (
    "Fama-French size portfolios (NYSE breakpoints) stand in for the Russell 2000 / "
    "S&P 600 and the S&P 500; headline: value-weighted bottom 30% minus top 30%"
)
CUM_UNITS = "decimal, cumulative over the window (compounded small minus compounded large)"
GEO_UNITS = "decimal per year, geometric (difference of compound annual returns)"


def month(p: str | pd.Period) -> pd.Period:
    """A monthly Period."""
    return pd.Period(p, freq="M")


def before(date: str) -> pd.Period:
    """The last complete month before an ISO date (windows end there for as-of claims)."""
    return pd.Period(date[:7], freq="M") - 1


def window(ctx: Context, def_id: str, start: str | pd.Period, end: str | pd.Period) -> pd.DataFrame:
    """Small, large and sml of a definition over ``start..end`` (inclusive), NaNs dropped."""
    p = ctx.panel
    ctx.require(end, f"sml.{def_id}")
    cols = {"s": f"small.{def_id}", "l": f"large.{def_id}", "sml": f"sml.{def_id}"}
    frame = pd.DataFrame({k: p[v] for k, v in cols.items()}).loc[month(start) : month(end)]
    return frame.dropna(subset=["sml"])


def _hac_p(sml: pd.Series) -> tuple[float, float, float]:
    """HAC mean of monthly sml: (p, lo, hi) of the monthly mean; NaN when too short."""
    if len(sml) < 6:
        return math.nan, math.nan, math.nan
    e = hac_mean(sml, annualise=False)
    return e.p_value, e.ci_low, e.ci_high


def cumulative_relative(
    ctx: Context, def_id: str, start: str | pd.Period, end: str | pd.Period, label: str = ""
) -> Estimate:
    """Compounded small minus compounded large over a window.

    Interval and p-value: Newey-West HAC mean of the monthly differences, scaled by the number
    of months (arithmetic approximation of the cumulative figure); NaN under 6 months.
    """
    w = window(ctx, def_id, start, end)
    n = len(w)
    if w["s"].isna().any():
        value = math.nan
    else:
        value = float(np.prod(1 + w["s"]) - np.prod(1 + w["l"]))
    p, lo, hi = _hac_p(w["sml"])
    return Estimate(
        value,
        lo * n,
        hi * n,
        p,
        n,
        CUM_UNITS,
        "HAC (Newey-West) mean of monthly differences x months"
        if n >= 6
        else "no interval under 6 months",
        str(w.index[0]),
        str(w.index[-1]),
        def_id,
        label or f"relative return {w.index[0]}..{w.index[-1]}",
    )


def geometric_relative(
    ctx: Context, def_id: str, start: str | pd.Period, end: str | pd.Period, label: str = ""
) -> Estimate:
    """Difference of geometric annual returns of small and large over a window.

    Interval and p-value from the HAC mean of monthly differences (x 12).
    """
    w = window(ctx, def_id, start, end)
    value = annualised_geometric(w["s"]) - annualised_geometric(w["l"])
    p, lo, hi = _hac_p(w["sml"])
    return Estimate(
        value,
        lo * 12,
        hi * 12,
        p,
        len(w),
        GEO_UNITS,
        "interval: HAC mean of monthly differences x 12",
        str(w.index[0]),
        str(w.index[-1]),
        def_id,
        label or "geometric annual difference",
    )


def spec(name: str, est: Estimate, agrees: bool, **params: object) -> SpecResult:
    """Shorthand for a :class:`SpecResult` (NaN estimates never agree)."""
    ok = bool(agrees) and not math.isnan(est.value)
    return SpecResult(name, est, ok, dict(params))


def value_estimate(
    value: float,
    units: str,
    label: str,
    start: str = "",
    end: str = "",
    n: int = 0,
    method: str = "direct computation",
    definition: str = "",
) -> Estimate:
    """An estimate with no interval (ranks, percentiles, arithmetic checks)."""
    return Estimate(
        float(value),
        n=n,
        units=units,
        method=method,
        start=start,
        end=end,
        label=label,
        definition=definition,
    )
