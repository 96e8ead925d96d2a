"""Economic regimes and calendar periods, and small-minus-large conditional on them.

Every regime indicator at month ``t`` uses only information available at the end of month
``t``; :func:`regime_difference` applies it to the return of month ``t + lag`` (``lag=1`` by
default), so there is no look-ahead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from smallcap_bt.exceptions import InsufficientDataError
from smallcap_bt.stats.regression import ols_hac
from smallcap_bt.stats.results import Estimate
from smallcap_bt.stats.returns import annualised_geometric


def rising(series: pd.Series, months: int = 12) -> pd.Series:
    """1 where ``series`` rose over the last ``months`` months, 0 where it fell or was flat."""
    ch = series - series.shift(months)
    return (ch > 0).astype(float).where(ch.notna())


def above(series: pd.Series, threshold: float | None = None) -> pd.Series:
    """1 where ``series`` is above ``threshold`` (default: its full-sample median).

    The full-sample median uses the whole history; pass a number (or an expanding median) for
    a strictly real-time split.
    """
    thr = float(series.median()) if threshold is None else threshold
    return (series > thr).astype(float).where(series.notna())


def easing(target_change: pd.Series) -> pd.Series:
    """1 in easing regimes: the most recent target change (up to month ``t``) was a cut."""
    last = target_change.where(target_change.abs() > 1e-9).ffill()
    return (last < 0).astype(float).where(last.notna())


def regime_difference(
    sml: pd.Series, dummy: pd.Series, *, lag: int = 1, label: str = "", definition: str = ""
) -> Estimate:
    """Mean small-minus-large in regime 1 minus regime 0, annualised x 12, Newey-West.

    The regressor is ``dummy`` shifted by ``lag`` months. ``extra`` carries both regime means
    and their month counts.
    """
    d = dummy.shift(lag).rename("regime")
    both = pd.concat([sml.rename("sml"), d], axis=1).dropna()
    counts = both.groupby("regime").size()
    if counts.get(1.0, 0) < 2 or counts.get(0.0, 0) < 2:
        raise InsufficientDataError(
            f"{label or 'regime difference'}: regimes have {counts.to_dict()} months; "
            "each needs at least 2"
        )
    res = ols_hac(both["sml"], both["regime"])
    est = res.coef(
        "regime",
        scale=12,
        label=label or "regime 1 minus regime 0",
        units="decimal per year, arithmetic (monthly mean x 12)",
        definition=definition,
    )
    means = both.groupby("regime")["sml"].mean()
    est.extra.update(
        {
            "mean_regime1": float(means.get(1.0, np.nan) * 12),
            "mean_regime0": float(means.get(0.0, np.nan) * 12),
            "months_regime1": int(counts.get(1.0, 0)),
            "months_regime0": int(counts.get(0.0, 0)),
        }
    )
    return est


def decade_table(small: pd.Series, large: pd.Series, *, first: int = 1930) -> pd.DataFrame:
    """Geometric annualised returns by calendar decade (1930s ... ), decimal per year.

    Columns: ``small``, ``large``, ``sml`` (difference of the two geometric returns),
    ``months``, ``complete`` (120 months), ``start``, ``end``.
    """
    data = pd.concat([small.rename("s"), large.rename("l")], axis=1).dropna()
    decade = (data.index.year // 10) * 10
    rows = []
    for dec, part in data.groupby(decade):
        if dec < first:
            continue
        gs = annualised_geometric(part["s"])
        gl = annualised_geometric(part["l"])
        rows.append(
            {
                "decade": f"{dec}s",
                "small": gs,
                "large": gl,
                "sml": gs - gl,
                "months": len(part),
                "complete": len(part) == 120,
                "start": str(part.index[0]),
                "end": str(part.index[-1]),
            }
        )
    return pd.DataFrame(rows).set_index("decade")
