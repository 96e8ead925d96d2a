"""Dispatch of the rotation kernels: blocks of variants on one thread per core.

The middle layer between the numba kernels of :mod:`smallcap_bt.stats.nb` (plain arrays, one
block of variants at a time) and the pandas wrappers of :mod:`smallcap_bt.strategies.kernel`.

- :func:`rotation_paths` — monthly returns, turnover and costs of two-asset rotation
  portfolios, trading exactly like vectorbt's ``Portfolio.from_orders`` with
  ``size_type="targetpercent"``, ``cash_sharing=True``, ``call_seq="auto"``, proportional fees.
- :func:`rotation_metrics` — the same simulation reduced on the fly to per-variant sums
  (no months x variants output; memory is O(variants)).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from smallcap_bt.stats.nb import (
    M_ACT_SUM,
    M_ACT_SUMSQ,
    M_FEES_SUM,
    M_LOG_GROWTH,
    M_MAX_DRAWDOWN,
    M_SUM,
    M_SUMSQ,
    M_TURNOVER_SUM,
    M_XS_SUM,
    M_XS_SUMSQ,
    N_METRIC_SUMS,
    _block_weights,
    _metrics_block,
    _paths_block,
)

__all__ = [
    "M_ACT_SUM",
    "M_ACT_SUMSQ",
    "M_FEES_SUM",
    "M_LOG_GROWTH",
    "M_MAX_DRAWDOWN",
    "M_SUM",
    "M_SUMSQ",
    "M_TURNOVER_SUM",
    "M_XS_SUM",
    "M_XS_SUMSQ",
    "N_METRIC_SUMS",
    "WeightOutOfRange",
    "rotation_metrics",
    "rotation_paths",
]


class WeightOutOfRange(ValueError):
    """A weight outside [0, 1] (beyond rounding, :data:`~smallcap_bt.stats.nb.W_TOL`) or
    infinite, at ``row`` (month) and ``col`` (variant) of the weights given to a kernel."""

    def __init__(self, row: int, col: int, value: float) -> None:
        super().__init__(row, col, value)
        self.row, self.col, self.value = row, col, value

    def __str__(self) -> str:
        return (
            f"weight {self.value!r} at row {self.row}, column {self.col}: weights are fractions "
            "in [0, 1] (NaN counts as 0)"
        )


def _weights(w: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """:func:`~smallcap_bt.stats.nb._block_weights`, raising :class:`WeightOutOfRange`."""
    block, bad = _block_weights(w, lo, hi)
    if bad >= 0:
        j, row = divmod(int(bad), w.shape[0])
        raise WeightOutOfRange(row, lo + j, float(w[row, lo + j]))
    return block


#: variants per block of the rotation kernels (one thread works on a block at a time)
BLOCK = 256


#: threads of :func:`_in_blocks` (None = one per core); worker processes set 1, so that
#: processes x threads never exceed the cores
THREADS: int | None = None


def _in_blocks(run: Callable[[int, int], None], nv: int) -> None:
    """Call ``run(lo, hi)`` on blocks of :data:`BLOCK` variants, on one thread per core.

    The block kernels release the GIL (``nogil=True``), so Python threads run them in
    parallel; blocks are independent, so results do not depend on the number of threads.
    Threads rather than numba's ``parallel=True``: the kernels compile once, in about a
    second, instead of once per array layout with parallel-loop lowering.
    """
    bounds = [(lo, min(lo + BLOCK, nv)) for lo in range(0, nv, BLOCK)]
    workers = min(len(bounds), THREADS or os.cpu_count() or 1)
    if workers <= 1:
        for lo, hi in bounds:
            run(lo, hi)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(run, lo, hi) for lo, hi in bounds]:
            f.result()


def rotation_paths(
    w: np.ndarray, rs: np.ndarray, ro: np.ndarray, fee: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly returns, turnover and costs of rotation portfolios, one column per variant.

    Parameters
    ----------
    w : numpy.ndarray
        ``(months, variants)``, C- or F-ordered: weight of the first asset decided at the end
        of month ``t`` (NaN counts as 0; values within rounding, ``W_TOL``, of [0, 1] are clipped
        to it), the rest in the second asset.
    rs, ro : numpy.ndarray
        ``(months,)`` decimal returns of the two assets in month ``t + 1``.
    fee : float
        Proportional cost per unit of traded value (0.001 = 10 basis points).

    Returns
    -------
    tuple of numpy.ndarray
        ``(months, variants)`` decimal returns net of costs, turnover (traded value / value
        before trading) and costs (/ value before trading). Each portfolio starts as 1.0 of cash.

    Raises
    ------
    WeightOutOfRange
        A weight is further than rounding outside [0, 1], or infinite.

    Notes
    -----
    Months outside, variants inside: the variants of a block are independent, so the CPU
    overlaps their work instead of waiting on one variant's month-to-month dependency.
    """
    nt, nv = w.shape
    ret = np.empty((nt, nv))
    turn = np.empty((nt, nv))
    cost = np.empty((nt, nv))

    def run(lo: int, hi: int) -> None:
        _paths_block(_weights(w, lo, hi), rs, ro, fee, ret, turn, cost, lo)

    _in_blocks(run, nv)
    return ret, turn, cost


def rotation_metrics(
    w: np.ndarray, rs: np.ndarray, ro: np.ndarray, rc: np.ndarray, rb: np.ndarray, fee: float
) -> np.ndarray:
    """Per-variant sums of :func:`rotation_paths`' simulation, without storing the paths.

    Parameters
    ----------
    w, rs, ro, fee
        As in :func:`rotation_paths`.
    rc : numpy.ndarray
        ``(months,)`` decimal cash return (for excess returns).
    rb : numpy.ndarray
        ``(months,)`` decimal benchmark return (for active returns).

    Returns
    -------
    numpy.ndarray
        ``(variants, N_METRIC_SUMS)``: log of the final wealth (= sum of log(1 + r)), sum r,
        sum r^2, sum and sum of squares of r - rc, of r - rb, the maximum drawdown from the
        starting wealth (a negative decimal), the sums of turnover and of costs. Column
        positions are the ``M_*`` constants.
    """
    nv = w.shape[1]
    out = np.zeros((nv, N_METRIC_SUMS))

    def run(lo: int, hi: int) -> None:
        _metrics_block(_weights(w, lo, hi), rs, ro, rc, rb, fee, out, lo)

    _in_blocks(run, nv)
    return out
