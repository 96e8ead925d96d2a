"""Economic regimes and calendar periods, and small-minus-large conditional on them.

Every regime indicator at month ``t`` uses only information available at the end of month
``t`` -- except :func:`above` with its default full-sample median, which looks ahead and is kept
as a labelled specification (``threshold="expanding"`` is the real-time version);
:func:`regime_difference` applies it to the return of month ``t + lag`` (``lag=1`` by
default), so there is no look-ahead.
"""

from __future__ import annotations

from typing import Literal

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


def above(
    series: pd.Series,
    threshold: float | Literal["expanding"] | None = None,
    *,
    min_periods: int = 60,
) -> pd.Series:
    """1 where ``series`` is above a threshold, 0 where not, NaN where unknown.

    Parameters
    ----------
    series : pandas.Series
        The conditioning variable (any units), e.g. a monthly yield spread in percent.
    threshold : float, "expanding" or None
        ``"expanding"``: the real-time median, known at ``t`` -- the median of the
        observations up to and including ``t`` (NaN until ``min_periods`` observations
        exist). A number: a fixed threshold in the units of ``series``. ``None`` (default,
        kept for compatibility): the full-sample median, which uses observations *after*
        ``t`` (look-ahead): label it as such when it is used as a specification.
    min_periods : int
        Observations needed before the expanding median is defined (``"expanding"`` only).

    Returns
    -------
    pandas.Series
        Float 0/1 on the index of ``series``.
    """
    if isinstance(threshold, str):
        if threshold != "expanding":
            raise ValueError(f"threshold must be a number, 'expanding' or None, got {threshold!r}")
        thr = series.expanding(min_periods=min_periods).median()
        return (series > thr).astype(float).where(series.notna() & thr.notna())
    level = float(series.median()) if threshold is None else float(threshold)
    return (series > level).astype(float).where(series.notna())


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
