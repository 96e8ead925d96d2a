"""Vectorised strategies: signals (weights grids), a numba kernel for screening sweeps,
vectorbt backtests for the variants you keep, overfitting statistics.

The public names are imported lazily: ``import smallcap_bt.strategies`` (and the static
:data:`STRATEGY_NAMES`) loads neither pandas nor scipy. Only
:mod:`smallcap_bt.strategies.backtest` imports vectorbt, and only when a backtest runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from smallcap_bt.strategies.names import STRATEGY_NAMES

_LAZY: dict[str, str] = {
    "STRATEGIES": "smallcap_bt.strategies.sweeps",
    "SweepResult": "smallcap_bt.strategies.sweeps",
    "metrics": "smallcap_bt.strategies.sweeps",
    "sweep": "smallcap_bt.strategies.sweeps",
    "asset_returns": "smallcap_bt.strategies.assets",
    "prices": "smallcap_bt.strategies.assets",
    "deflated_sharpe": "smallcap_bt.strategies.overfit",
    "pbo_cscv": "smallcap_bt.strategies.overfit",
    "spa_test": "smallcap_bt.strategies.overfit",
    "run_kernel": "smallcap_bt.strategies.kernel",
    "screen": "smallcap_bt.strategies.kernel",
}

__all__ = [
    "STRATEGIES",
    "STRATEGY_NAMES",
    "SweepResult",
    "asset_returns",
    "deflated_sharpe",
    "metrics",
    "pbo_cscv",
    "prices",
    "run_kernel",
    "screen",
    "spa_test",
    "sweep",
]

if TYPE_CHECKING:  # pragma: no cover
    from smallcap_bt.strategies.assets import asset_returns, prices
    from smallcap_bt.strategies.kernel import run_kernel, screen
    from smallcap_bt.strategies.overfit import deflated_sharpe, pbo_cscv, spa_test
    from smallcap_bt.strategies.sweeps import STRATEGIES, SweepResult, metrics, sweep


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'smallcap_bt.strategies' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__))
