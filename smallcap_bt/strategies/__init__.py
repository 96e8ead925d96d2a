"""Vectorised strategies: signals (weights grids), vectorbt backtests, sweeps, overfitting.

Only :mod:`smallcap_bt.strategies.backtest` imports vectorbt, and only when a backtest runs.
"""

from smallcap_bt.strategies.assets import asset_returns, prices
from smallcap_bt.strategies.overfit import deflated_sharpe, pbo_cscv, spa_test
from smallcap_bt.strategies.sweeps import STRATEGIES, SweepResult, metrics, sweep

__all__ = [
    "STRATEGIES",
    "SweepResult",
    "asset_returns",
    "deflated_sharpe",
    "metrics",
    "pbo_cscv",
    "prices",
    "spa_test",
    "sweep",
]
