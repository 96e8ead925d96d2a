"""A per-strategy tearsheet in the spirit of quantstats: equity, drawdown, rolling excess
return and a table by calendar year, from monthly returns.

Coupling to the strategy layer is kept to three attributes of a sweep result
(``smallcap_bt.strategies.sweeps.SweepResult``): ``backtest.returns`` (decimal monthly returns
per variant, ``PeriodIndex[M]``), ``benchmark`` (decimal monthly returns) and ``best`` (the
chosen variant's column label). :func:`tearsheet` itself takes plain Series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from smallcap_bt.reports.plots import AGAINST, CLAIM_WAY, new_figure, set_caption

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["Tearsheet", "tearsheet", "tearsheet_from_sweep", "yearly_table"]


def _label(x: Any) -> str:
    """Plain text of a variant label (tuples of numpy scalars included)."""
    if isinstance(x, tuple):
        return ", ".join(_label(v) for v in x)
    if hasattr(x, "item") and not isinstance(x, str):
        x = x.item()
    return str(x)


def yearly_table(strategy: pd.Series, benchmark: pd.Series) -> pd.DataFrame:
    """Compounded return per calendar year of a strategy and its benchmark.

    Parameters
    ----------
    strategy, benchmark : pandas.Series
        Decimal monthly returns on a ``PeriodIndex[M]``.

    Returns
    -------
    pandas.DataFrame
        Index: year (int). Columns ``strategy``, ``benchmark``, ``excess`` (decimal, compounded
        over the months of that year: prod(1 + r) - 1; ``excess`` = difference of the two) and
        ``months`` (int; fewer than 12 in a partial first or last year).
    """
    data = pd.concat({"strategy": strategy, "benchmark": benchmark}, axis=1).dropna()
    years = data.index.year
    growth = (1 + data).groupby(years).prod() - 1
    growth["excess"] = growth["strategy"] - growth["benchmark"]
    growth["months"] = data.groupby(years).size().astype(int)
    growth.index = growth.index.astype(int)
    growth.index.name = "year"
    return growth


@dataclass
class Tearsheet:
    """A strategy's tearsheet: the figure, the yearly table and headline statistics.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        Equity (log scale), drawdown and rolling 36-month excess return.
    yearly : pandas.DataFrame
        See :func:`yearly_table`.
    stats : dict of str to float
        ``CAGR [%]``, ``benchmark CAGR [%]``, ``max drawdown [%]``, ``worst year [%]``,
        ``best year [%]`` (geometric, 12 months a year).
    name : str
    """

    figure: Figure
    yearly: pd.DataFrame
    stats: dict[str, float]
    name: str

    def _repr_png_(self) -> bytes:
        return self.figure._repr_png_()  # type: ignore[attr-defined]


def tearsheet(
    strategy: pd.Series, benchmark: pd.Series, *, name: str = "strategy", bench_name: str = ""
) -> Tearsheet:
    """Equity, drawdown, rolling excess return and yearly returns of one strategy.

    Parameters
    ----------
    strategy, benchmark : pandas.Series
        Decimal monthly returns (net of costs) on a ``PeriodIndex[M]``.
    name : str
        Strategy label for the title and legend.
    bench_name : str
        Benchmark label (default ``"benchmark"``).

    Returns
    -------
    Tearsheet
    """
    bench_name = bench_name or "benchmark"
    data = pd.concat({"s": strategy, "b": benchmark}, axis=1).dropna()
    if len(data) < 2:
        raise ValueError(f"tearsheet {name!r}: fewer than 2 months of returns")
    wealth = (1 + data).cumprod()
    dd = wealth / wealth.cummax() - 1
    x = data.index.to_timestamp()
    n = len(data)
    roll = (1 + data).rolling(36).apply(np.prod, raw=True) ** (12 / 36) - 1
    excess = (roll["s"] - roll["b"]).dropna()
    fig = new_figure(8.0, 6.6)
    ax1, ax2, ax3 = fig.subplots(3, 1, sharex=True, height_ratios=[2.2, 1.0, 1.2])
    ax1.plot(x, wealth["s"], color=CLAIM_WAY, lw=1.3, label=name)
    ax1.plot(x, wealth["b"], color="grey", lw=1.1, label=bench_name)
    ax1.set_yscale("log")
    ax1.set_ylabel("wealth of $1 (log)")
    ax1.legend(loc="upper left", fontsize=8, frameon=False)
    ax2.fill_between(x, dd["s"] * 100, 0, color=CLAIM_WAY, alpha=0.35, lw=0, label=name)
    ax2.plot(x, dd["b"] * 100, color="grey", lw=0.9, label=bench_name)
    ax2.set_ylabel("drawdown, %")
    ex = excess.to_numpy() * 100
    xe = excess.index.to_timestamp()
    ax3.fill_between(xe, ex, 0, where=ex >= 0, color=CLAIM_WAY, alpha=0.45, lw=0)
    ax3.fill_between(xe, ex, 0, where=ex < 0, color=AGAINST, alpha=0.45, lw=0)
    ax3.axhline(0, color="grey", lw=0.8)
    ax3.set_ylabel("36-month excess,\n% per year")
    fig.suptitle(f"{name} vs {bench_name}, {data.index[0]}..{data.index[-1]}", fontsize=10)
    yearly = yearly_table(data["s"], data["b"])
    full = yearly[yearly["months"] == 12]
    stats = {
        "CAGR [%]": float(wealth["s"].iloc[-1] ** (12 / n) - 1) * 100,
        "benchmark CAGR [%]": float(wealth["b"].iloc[-1] ** (12 / n) - 1) * 100,
        "max drawdown [%]": float(dd["s"].min()) * 100,
        "worst year [%]": float(full["strategy"].min()) * 100 if len(full) else float("nan"),
        "best year [%]": float(full["strategy"].max()) * 100 if len(full) else float("nan"),
    }
    set_caption(
        fig,
        f"Monthly returns net of costs, compounded; drawdown from the running peak; "
        f"36-month excess = difference of trailing geometric annual returns of {name} and "
        f"{bench_name} (blue above zero, orange below); {data.index[0]}..{data.index[-1]}.",
    )
    return Tearsheet(fig, yearly, stats, name)


def tearsheet_from_sweep(result: Any, variant: Any = None) -> Tearsheet:
    """Tearsheet of one variant of a sweep (the best one by default).

    Parameters
    ----------
    result : smallcap_bt.strategies.sweeps.SweepResult
        Uses only ``backtest.returns``, ``benchmark``, ``best`` and ``strategy``.
    variant : column label, optional
        A column of ``result.backtest.returns``; ``result.best`` when omitted.
    """
    returns = result.backtest.returns
    v = result.best if variant is None else variant
    if v not in returns.columns:
        raise KeyError(f"variant {_label(v)!r} is not in this sweep's {returns.shape[1]} variants")
    other = getattr(result.backtest, "other", "benchmark")
    return tearsheet(
        returns[v],
        result.benchmark,
        name=f"{getattr(result, 'strategy', 'strategy')} ({_label(v)})",
        bench_name=f"buy-and-hold {other}",
    )
