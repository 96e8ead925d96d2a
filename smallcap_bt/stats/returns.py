"""Return arithmetic: compounding and explicit annualisation (arithmetic vs geometric).

All inputs are decimal returns per period on a ``PeriodIndex``; ``periods_per_year`` is 12 for
monthly data. Nothing here assumes daily data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def cumulative(r: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame | float:
    """Compounded return over the whole sample: ``prod(1 + r) - 1`` (decimal)."""
    return (r + 1).prod() - 1


def wealth(r: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Wealth index starting at 1 before the first period: ``cumprod(1 + r)``."""
    return (r + 1).cumprod()


def annualised_arithmetic(r: pd.Series, periods_per_year: int = 12) -> float:
    """Arithmetic annualised mean: mean per period x ``periods_per_year`` (decimal per year)."""
    return float(r.mean() * periods_per_year)


def annualised_geometric(r: pd.Series, periods_per_year: int = 12) -> float:
    """Geometric (compound) annual return: ``prod(1+r)^(ppy/n) - 1`` (decimal per year)."""
    r = r.dropna()
    if len(r) == 0:
        return float("nan")
    return float(np.prod(1 + r.to_numpy()) ** (periods_per_year / len(r)) - 1)


def relative_geometric(small: pd.Series, large: pd.Series, periods_per_year: int = 12) -> float:
    """Difference of geometric annual returns of two legs (decimal per year)."""
    return annualised_geometric(small, periods_per_year) - annualised_geometric(
        large, periods_per_year
    )


def calendar_year_returns(r: pd.Series) -> pd.Series:
    """Compounded January-December returns of complete calendar years (PeriodIndex[Y])."""
    r = r.dropna()
    years = r.index.year
    grouped = (1 + r).groupby(years)
    out = grouped.prod() - 1
    counts = grouped.size()
    out = out[counts == 12]
    out.index = pd.PeriodIndex([pd.Period(year=int(y), freq="Y") for y in out.index], name="year")
    return out


def annualised_volatility(r: pd.Series, periods_per_year: int = 12) -> float:
    """Standard deviation x sqrt(``periods_per_year``) (decimal per year)."""
    return float(r.std(ddof=1) * np.sqrt(periods_per_year))


def max_drawdown(r: pd.Series) -> float:
    """Largest peak-to-trough fall of the wealth index (decimal, negative)."""
    w = wealth(r.dropna())
    return float((w / w.cummax() - 1).min())
