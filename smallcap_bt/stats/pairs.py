"""Placeholder until the stats branch lands: see the stats branch for the real module."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from smallcap_bt.stats.results import Estimate
from smallcap_bt.stats.returns import annualised_geometric


def cumulative_difference(
    small: pd.Series, large: pd.Series, *, draws: int = 0, seed=None, **kw
) -> Estimate:
    v = float(np.prod(1 + small) - np.prod(1 + large))
    return Estimate(
        v,
        n=len(small),
        units="decimal, cumulative over the window (compounded small minus compounded large)",
        method="point",
        start=str(small.index[0]),
        end=str(small.index[-1]),
    )


def geometric_difference(
    small: pd.Series, large: pd.Series, *, draws: int = 0, seed=None, **kw
) -> Estimate:
    v = annualised_geometric(small) - annualised_geometric(large)
    return Estimate(
        v,
        math.nan,
        math.nan,
        math.nan,
        len(small),
        "decimal per year, geometric (difference of compound annual returns)",
        "point",
        str(small.index[0]),
        str(small.index[-1]),
    )
