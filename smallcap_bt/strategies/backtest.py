"""Backtests on vectorbt: the only module of smallcap_bt that imports vectorbt.

A variant holds ``w`` of the small leg and ``1 - w`` of the other asset (large or cash), with
``w`` decided at the end of month ``t`` and executed at that month's closing index level, so it
earns month ``t + 1``'s return. Every variant is rebalanced to its target each month. Costs are
proportional: ``cost_bps / 10,000`` of every traded value (vectorbt ``fees``).

All variants run as columns of one ``Portfolio.from_orders`` call (grouped two columns per
variant, shared cash), not as a Python loop. Screening sweeps use the numba kernel of
:mod:`smallcap_bt.strategies.kernel` instead (same trades, far less memory); vectorbt replays
the variants you keep (:meth:`~smallcap_bt.strategies.sweeps.SweepResult.portfolio`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from smallcap_bt.exceptions import InsufficientDataError
from smallcap_bt.strategies.assets import prices

Other = Literal["large", "cash"]


@dataclass
class BacktestResult:
    """Monthly returns and turnover of every variant.

    Attributes
    ----------
    returns : pandas.DataFrame
        Decimal monthly returns net of costs, ``PeriodIndex[M]`` x variants.
    turnover : pandas.DataFrame
        Traded value / portfolio value before trading, per month and variant.
    fees : pandas.DataFrame
        Costs paid, as a fraction of the portfolio value before trading.
    weights : pandas.DataFrame
        The small-leg weights used (row t held in month t+1).
    cost_bps : float
    other : {"large", "cash"}
    """

    returns: pd.DataFrame
    turnover: pd.DataFrame
    fees: pd.DataFrame
    weights: pd.DataFrame
    cost_bps: float
    other: str


def check_inputs(
    assets: pd.DataFrame, cost_bps: object, other: object, cash: bool = False
) -> list[str]:
    """The asset columns a backtest uses (``small``, ``other`` and, when ``cash`` (excess
    returns), ``cash``), after raising ``ValueError`` unless ``cost_bps`` is a cost
    (:func:`~.names.check_cost`), ``other`` is "large" or "cash" and ``assets`` has them."""
    from smallcap_bt.strategies.names import check_cost

    check_cost(cost_bps)
    if not isinstance(other, str) or other not in ("large", "cash"):
        raise ValueError(f'other is "large" or "cash" (the rest of the portfolio), got {other!r}')
    needed = dict.fromkeys(["small", other, *(["cash"] * cash)])
    missing = [c for c in needed if c not in assets.columns]
    if missing:
        raise ValueError(
            f"assets: no {', '.join(missing)} column (monthly decimal returns of "
            f"{', '.join(needed)} are needed)"
        )
    return list(needed)


def check_monthly(index: pd.Index, what: str) -> None:
    """Raise ``ValueError`` unless ``index`` holds months: a monthly ``PeriodIndex`` (or a
    ``DatetimeIndex`` of month ends, read as months). Metrics are annualised at 12 a year, so
    quarterly periods would be silently misread."""
    if isinstance(index, pd.PeriodIndex):
        if index.freqstr.startswith("M"):
            return
        raise ValueError(f"{what}: monthly periods are needed, got frequency {index.freqstr!r}")
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(
            f"{what}: the index must be months (PeriodIndex[M]), got {type(index).__name__}"
        )


def check_returns(assets: pd.DataFrame, columns: list[str]) -> None:
    """Raise ``ValueError`` naming the asset and month of the first return in ``columns`` that
    is missing, infinite or at most -100% (decimal returns: a frame in percent, or with a
    gap, gave NaN or nonsense metrics with only a NumPy warning)."""
    x = assets[columns].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(x) & (x > -1.0))
    if bad.any():
        t, j = np.argwhere(bad)[0]
        raise ValueError(
            f"assets: {columns[j]!r} returns {float(x[t, j])!r} in {assets.index[t]}; asset "
            "returns are decimals above -1 (-100%) with no gaps over the backtest's months"
        )


def plain_label(label: object) -> object:
    """A column label as the user wrote it: NumPy scalars as Python ones, tuples elementwise."""
    if isinstance(label, tuple):
        return tuple(plain_label(x) for x in label)
    return label.item() if isinstance(label, np.generic) else label


def weight_error(label: object, month: object, value: float) -> ValueError:
    """The error for a weight outside [0, 1]: which variant, which month, what value."""
    return ValueError(
        f"weights: variant {plain_label(label)!r} holds {value!r} in {month}; a weight is the "
        "small leg's fraction of the portfolio, in [0, 1] (NaN counts as 0)"
    )


def check_weights(weights: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming the variant and month of the first weight (lowest variant,
    then earliest month, as the kernel reports it) that is infinite or further than rounding
    (:data:`smallcap_bt.stats.nb.W_TOL`, 1e-9) outside [0, 1]."""
    from smallcap_bt.stats.nb import W_TOL  # both callers run numba code next (kernel, vectorbt)

    x = weights.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = (x < -W_TOL) | (x > 1 + W_TOL)
    if bad.any():
        j, t = np.argwhere(bad.T)[0]
        raise weight_error(weights.columns[j], weights.index[t], float(x[t, j]))


def _align(
    weights: pd.DataFrame, assets: pd.DataFrame, cost_bps: object = 0.0, other: object = "large"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weights for rows base..T-1 and asset returns for months 1..T (one step later), after
    the checks every backtest path shares (:func:`check_inputs`, months, weights, returns)."""
    used = check_inputs(assets, cost_bps, other)
    common = weights.index.intersection(assets.index)
    if len(common) < 3:
        raise InsufficientDataError("backtest: fewer than 3 months with weights and returns")
    check_monthly(common, "backtest")
    w = weights.loc[common].iloc[:-1]  # the last month's weights are never held
    check_weights(w)
    a = assets.loc[common].iloc[1:]
    check_returns(a, used)
    return w.fillna(0.0).clip(0.0, 1.0), a


def vectorbt_portfolio(
    weights: pd.DataFrame, assets: pd.DataFrame, *, cost_bps: float = 0.0, other: Other = "large"
) -> Any:
    """The ``vectorbt.Portfolio`` of every column of ``weights`` (one group of two per variant).

    Parameters are those of :func:`run_vectorbt`. Columns are a MultiIndex
    ``(variant, asset)`` with variants numbered ``0..n-1`` in the order of ``weights``' columns,
    grouped by variant with shared cash; the index is month-end timestamps starting with the
    base month before the first return. vectorbt is told ``freq="30D"``: for annualised figures
    with exactly 12 months a year pass ``year_freq="360D"`` to its statistics, e.g.
    ``pf.stats(settings=dict(year_freq="360D"))``, or use :func:`smallcap_bt.strategies.metrics`.
    """
    import vectorbt as vbt

    w, a = _align(weights, assets, cost_bps, other)
    px = prices(a[["small", other]])  # rows: base + months; base aligned with w's first row
    n_var = w.shape[1]
    close = np.tile(px.to_numpy(), (1, n_var))
    size = np.empty_like(close)
    size[:-1, 0::2] = w.to_numpy()
    size[:-1, 1::2] = 1.0 - w.to_numpy()
    size[-1, :] = np.nan  # no order after the last return
    cols = pd.MultiIndex.from_product([range(n_var), ["small", other]], names=["variant", "asset"])
    close_df = pd.DataFrame(close, index=px.index, columns=cols)
    return vbt.Portfolio.from_orders(
        close_df,
        pd.DataFrame(size, index=px.index, columns=cols),
        size_type="targetpercent",
        group_by="variant",
        cash_sharing=True,
        call_seq="auto",
        fees=cost_bps / 1e4,
        # one starting cash per group as an array: a scalar is broadcast with stride 0 when
        # there are several groups, and numba compiles vectorbt's simulation again for that
        # layout (about 2 s more JIT on a fresh install: 18.5 s of CPU instead of 20.3 s)
        init_cash=np.ones(n_var),
        freq="30D",
    )


def run_vectorbt(
    weights: pd.DataFrame, assets: pd.DataFrame, *, cost_bps: float = 0.0, other: Other = "large"
) -> BacktestResult:
    """Backtest every column of ``weights`` in one vectorbt call.

    Parameters
    ----------
    weights : pandas.DataFrame
        Small-leg weight per month (rows, ``PeriodIndex[M]``) and variant (columns).
    assets : pandas.DataFrame
        Monthly decimal returns with columns ``small``, ``large``, ``cash``.
    cost_bps : float
        Proportional cost per unit of traded value, in basis points.
    other : {"large", "cash"}
        Where the rest of the portfolio sits.
    """
    w, a = _align(weights, assets, cost_bps, other)
    pf = vectorbt_portfolio(weights, assets, cost_bps=cost_bps, other=other)
    n_var = w.shape[1]
    n_rows = len(a) + 1
    value = pf.value().to_numpy().reshape(n_rows, n_var)
    rec = pf.orders.values
    traded = np.zeros_like(value)
    fee = np.zeros_like(value)
    grp = rec["col"] // 2
    np.add.at(traded, (rec["idx"], grp), rec["size"] * rec["price"])
    np.add.at(fee, (rec["idx"], grp), rec["fees"])
    before = value + fee  # value before the trades (and their costs) of each row
    # the costs of trading at the end of month t are charged to month t+1's return
    rets = before[1:] / before[:-1] - 1.0

    def frame(x: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(x, index=a.index, columns=w.columns)

    return BacktestResult(
        frame(rets),
        frame(traded[:-1] / before[:-1]),
        frame(fee[:-1] / before[:-1]),
        w,
        cost_bps,
        other,
    )


def run_numpy(
    weights: pd.DataFrame, assets: pd.DataFrame, *, other: Other = "large"
) -> pd.DataFrame:
    """Reference without costs: ``w_t * r_small(t+1) + (1 - w_t) * r_other(t+1)``."""
    w, a = _align(weights, assets, other=other)
    ws = w.to_numpy()
    out = ws * a[["small"]].to_numpy() + (1 - ws) * a[[other]].to_numpy()
    return pd.DataFrame(out, index=a.index, columns=w.columns)
