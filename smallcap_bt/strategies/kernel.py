"""Fast backtests: the numba rotation kernel, dispatched in chunks of variants (optionally on Dask).

The top layer over :mod:`smallcap_bt.stats.rotation` (which dispatches the kernels of
:mod:`smallcap_bt.stats.nb`): arrays in, pandas out. The kernel
trades exactly like :func:`smallcap_bt.strategies.backtest.run_vectorbt` (the suite checks the
two agree month by month, with and without costs) but needs no ``months x 2 x variants``
close and order matrices: a screen of 100,000 variants stays within a few hundred megabytes.

Weights are given as a frame (months x variants) or as a *weight source*: a callable
``source(start, stop) -> ndarray (months, stop - start)`` that builds variants ``start..stop-1``
on demand, so the full grid never has to exist in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from smallcap_bt.exceptions import InsufficientDataError
from smallcap_bt.strategies.backtest import (
    BacktestResult,
    _align,
    check_inputs,
    check_monthly,
    check_returns,
    weight_error,
)

Other = Literal["large", "cash"]
WeightSource = Callable[[int, int], np.ndarray]

#: metric columns of :func:`screen` (decimals; see :data:`LABELS` for display names)
METRICS = (
    "cagr",
    "vol",
    "sharpe",
    "max_drawdown",
    "turnover",
    "costs",
    "excess_cagr",
    "info_ratio",
)

#: display label with units of every metric, and the factor from the decimal value
LABELS: dict[str, tuple[str, float]] = {
    "cagr": ("CAGR [%]", 100.0),
    "vol": ("Volatility [%/yr]", 100.0),
    "sharpe": ("Sharpe [annual]", 1.0),
    "max_drawdown": ("Max drawdown [%]", 100.0),
    "turnover": ("Turnover [x/yr]", 1.0),
    "costs": ("Costs [%/yr]", 100.0),
    "excess_cagr": ("Excess CAGR [pp/yr]", 100.0),
    "info_ratio": ("Information ratio [annual]", 1.0),
}


def _arrays(a: pd.DataFrame, other: str) -> tuple[np.ndarray, np.ndarray]:
    """The small leg's and the other asset's returns as contiguous float arrays."""
    return (
        np.ascontiguousarray(a["small"].to_numpy(dtype=float)),
        np.ascontiguousarray(a[other].to_numpy(dtype=float)),
    )


def run_kernel(
    weights: pd.DataFrame, assets: pd.DataFrame, *, cost_bps: float = 0.0, other: Other = "large"
) -> BacktestResult:
    """Backtest every column of ``weights`` on the numba kernel; same contract as vectorbt's.

    Parameters
    ----------
    weights : pandas.DataFrame
        Small-leg weight per month (rows, ``PeriodIndex[M]``) and variant (columns), decided at
        the end of the month and held the next month; NaN is 0. A weight further than rounding
        (1e-9) outside [0, 1] is a ``ValueError`` naming its variant and month.
    assets : pandas.DataFrame
        Monthly decimal returns with columns ``small``, ``large``, ``cash``.
    cost_bps : float
        Proportional cost per unit of traded value, in basis points.
    other : {"large", "cash"}
        Where the rest of the portfolio sits.

    Returns
    -------
    BacktestResult
        Monthly decimal returns net of costs, turnover and costs (fractions of the value
        before trading) per variant, exactly as :func:`~.backtest.run_vectorbt` computes them.
    """
    from smallcap_bt.stats import rotation

    w, a = _align(weights, assets, cost_bps, other)
    rs, ro = _arrays(a, other)
    ret, turn, cost = rotation.rotation_paths(w.to_numpy(dtype=float), rs, ro, cost_bps / 1e4)

    def frame(x: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(x, index=a.index, columns=w.columns)

    return BacktestResult(frame(ret), frame(turn), frame(cost), w, cost_bps, other)


def _metrics_from_sums(sums: np.ndarray, n: int, bench_log_growth: float) -> np.ndarray:
    """Annualised metrics (12 months a year) from the kernel's per-variant sums."""
    from smallcap_bt.stats import rotation

    def sd(s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
        return np.sqrt(np.maximum(s2 - s1 * s1 / n, 0.0) / (n - 1))

    years = n / 12
    cagr = np.expm1(sums[:, rotation.M_LOG_GROWTH] / years)
    vol = sd(sums[:, rotation.M_SUM], sums[:, rotation.M_SUMSQ]) * np.sqrt(12)
    xs_sd = sd(sums[:, rotation.M_XS_SUM], sums[:, rotation.M_XS_SUMSQ])
    act_sd = sd(sums[:, rotation.M_ACT_SUM], sums[:, rotation.M_ACT_SUMSQ])
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpe = np.where(xs_sd > 0, sums[:, rotation.M_XS_SUM] / n / xs_sd, np.nan) * np.sqrt(12)
        info = np.where(act_sd > 1e-15, sums[:, rotation.M_ACT_SUM] / n / act_sd, np.nan) * np.sqrt(
            12
        )
    bench_cagr = np.expm1(bench_log_growth / years)
    return np.column_stack(
        [
            cagr,
            vol,
            sharpe,
            sums[:, rotation.M_MAX_DRAWDOWN],
            sums[:, rotation.M_TURNOVER_SUM] / years,
            sums[:, rotation.M_FEES_SUM] / years,
            cagr - bench_cagr,
            info,
        ]
    )


def _screen_chunk(
    source: WeightSource | np.ndarray,
    start: int,
    stop: int,
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    fee: float,
    rows: slice,
    n_rows: int,
) -> np.ndarray:
    """Kernel sums of variants ``start..stop-1`` (runs locally or on a Dask worker); a weight
    source must give ``n_rows`` months (the index's) of which ``rows`` are held."""
    from smallcap_bt.stats import rotation

    block = source[rows, start:stop] if isinstance(source, np.ndarray) else source(start, stop)
    if not isinstance(source, np.ndarray):
        block = np.asarray(block, dtype=float)
        if block.shape != (n_rows, stop - start):
            raise ValueError(
                f"screen: the weight source gave shape {block.shape} for variants "
                f"{start}..{stop - 1}; expected ({n_rows}, {stop - start}) (months of index, "
                "variants)"
            )
        block = block[rows]
    try:
        return rotation.rotation_metrics(block, *arrays, fee)
    except rotation.WeightOutOfRange as e:  # positions in the whole weights, not the chunk
        raise rotation.WeightOutOfRange(e.row + rows.start, e.col + start, e.value) from None


def _run_chunks(
    source: WeightSource | np.ndarray,
    bounds: list[tuple[int, int]],
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    fee: float,
    rows: slice,
    n_rows: int,
    client: Any,
) -> list[np.ndarray]:
    """:func:`_screen_chunk` of every ``(start, stop)`` in ``bounds``, here or on Dask."""
    cl = _client(client)
    if cl is None:
        return [_screen_chunk(source, s, e, arrays, fee, rows, n_rows) for s, e in bounds]
    try:
        src = cl.scatter(source, broadcast=True) if isinstance(source, np.ndarray) else source
        arr = cl.scatter(arrays, broadcast=True)
        futures = [
            cl.submit(_screen_chunk, src, s, e, arr, fee, rows, n_rows, pure=False)
            for s, e in bounds
        ]
        return cl.gather(futures)
    finally:
        if cl is not client:  # opened here from an address: close it
            cl.close()


def _client(client: Any) -> Any:
    if isinstance(client, str):
        from distributed import Client

        return Client(client)
    return client


def screen(
    weights: pd.DataFrame | WeightSource,
    assets: pd.DataFrame,
    *,
    cost_bps: float = 10.0,
    other: Other = "large",
    n_variants: int | None = None,
    columns: Sequence[Any] | pd.Index | None = None,
    index: pd.PeriodIndex | None = None,
    chunk: int = 4096,
    client: Any = None,
) -> pd.DataFrame:
    """Metrics of many variants, computed on the kernel chunk by chunk (bounded memory).

    Parameters
    ----------
    weights : pandas.DataFrame or callable
        Small-leg weights (months x variants, ``PeriodIndex[M]``), or a weight source
        ``f(start, stop) -> ndarray (months, stop - start)`` on the months of ``index``
        (it must be picklable to run on Dask, e.g. a module-level function or a
        ``functools.partial``).
    assets : pandas.DataFrame
        Monthly decimal returns ``small``, ``large``, ``cash``.
    cost_bps : float
        Proportional cost per unit of traded value (basis points).
    other : {"large", "cash"}
        The rest of the portfolio, and the benchmark of ``excess_cagr`` and ``info_ratio``.
    n_variants, columns, index
        For a weight source: the number of variants, their labels (default ``0..n-1``) and
        the months of its rows.
    chunk : int
        Variants per chunk (and per Dask task). A weight source's chunk takes
        ``months x chunk x 8`` bytes (twice that while it is built).
    client : distributed.Client or str, optional
        A Dask client or scheduler address: chunks run as tasks on its workers. Results are
        identical to the local path (each variant is computed independently).

    Returns
    -------
    pandas.DataFrame
        One row per variant, columns :data:`METRICS`: ``cagr`` (geometric, decimal per year),
        ``vol`` (sd x sqrt 12), ``sharpe`` (mean excess over cash / sd x sqrt 12),
        ``max_drawdown`` (decimal, from the starting wealth), ``turnover`` (traded value /
        value, per year), ``costs`` (decimal per year), ``excess_cagr`` (minus the benchmark's
        CAGR), ``info_ratio`` (active mean / sd x sqrt 12). Months: the weights' rows but the
        last, each held the next month.
    """
    from smallcap_bt.stats import rotation

    used = check_inputs(assets, cost_bps, other, cash=True)
    if isinstance(weights, pd.DataFrame):
        index, source, labels = weights.index, weights.to_numpy(dtype=float), weights.columns
        n = weights.shape[1]
    else:
        if n_variants is None or index is None:
            raise ValueError("screen: a weight source needs n_variants and index")
        source, n = weights, int(n_variants)
        labels = range(n) if columns is None else columns
    check_monthly(index, "screen")
    common = index.intersection(assets.index)
    if len(common) < 3:
        raise InsufficientDataError("screen: fewer than 3 months with weights and returns")
    pos = index.get_indexer(common)
    if not (np.diff(pos) == 1).all():
        raise ValueError("screen: the months of the weights and of the assets must overlap")
    rows = slice(int(pos[0]), int(pos[-1]))  # all common months but the last hold weights
    a = assets.loc[common].iloc[1:]
    check_returns(a, used)
    if n < 1:
        raise ValueError("screen: no variants")
    if chunk < 1:
        raise ValueError(f"screen: chunk must be >= 1, got {chunk}")
    arrays = (*_arrays(a, other), a["cash"].to_numpy(dtype=float), a[other].to_numpy(dtype=float))
    fee = cost_bps / 1e4
    bounds = [(s, min(s + chunk, n)) for s in range(0, n, chunk)]
    try:
        parts = _run_chunks(source, bounds, arrays, fee, rows, len(index), client)
    except rotation.WeightOutOfRange as e:
        raise weight_error(labels[e.col], index[e.row], e.value) from None
    sums = np.concatenate(parts, axis=0)
    bench_lg = float(np.log1p(arrays[3]).sum())
    out = pd.DataFrame(
        _metrics_from_sums(sums, len(a), bench_lg),
        columns=list(METRICS),
        index=labels if isinstance(labels, pd.Index) else pd.Index(list(labels)),
    )
    out.attrs.update(
        {
            "first_month": str(a.index[0]),
            "last_month": str(a.index[-1]),
            "months": len(a),
            "cost_bps": cost_bps,
            "other": other,
        }
    )
    return out


def labelled(metrics: pd.DataFrame) -> pd.DataFrame:
    """Metrics with display labels and units (``CAGR [%]``, ``Turnover [x/yr]`` ...)."""
    cols = [c for c in METRICS if c in metrics]
    return pd.DataFrame(
        {LABELS[c][0]: metrics[c] * LABELS[c][1] for c in cols}, index=metrics.index
    )
