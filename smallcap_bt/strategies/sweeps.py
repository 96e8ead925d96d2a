"""Strategy sweeps: build a grid of variants, screen them on the numba kernel (in chunks, or on
Dask), report labelled per-variant metrics and overfitting statistics for the best one, and
replay any variant on vectorbt (:meth:`SweepResult.portfolio`)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from smallcap_bt.claims.limits import check_seed, whole_number
from smallcap_bt.panel.build import monthly_panel, target_rate_daily
from smallcap_bt.panel.definitions import StoreArg
from smallcap_bt.strategies import signals
from smallcap_bt.strategies.assets import asset_returns
from smallcap_bt.strategies.backtest import BacktestResult, plain_label, vectorbt_portfolio
from smallcap_bt.strategies.kernel import labelled, run_kernel, screen
from smallcap_bt.strategies.names import STRATEGY_INFO, check_cost, check_grid
from smallcap_bt.strategies.overfit import deflated_sharpe, pbo_cscv, spa_test


def metrics(bt: BacktestResult, assets: pd.DataFrame, benchmark: pd.Series) -> pd.DataFrame:
    """Per-variant metrics of a backtest, in decimals (pandas; the kernel's :func:`screen`
    gives the same figures without the paths).

    All annualised with 12 months a year exactly: ``cagr`` geometric, ``vol`` sd x sqrt(12),
    ``sharpe`` = mean excess over cash / sd x sqrt(12), ``max_drawdown`` from the starting
    wealth, ``turnover`` = mean monthly turnover x 12, ``costs`` = mean monthly costs x 12,
    ``excess_cagr`` = CAGR minus the benchmark's, ``info_ratio`` = mean / sd of the return
    minus the benchmark's, x sqrt(12).
    """
    r = bt.returns
    rf = assets["cash"].reindex(r.index).to_numpy()[:, None]
    n = len(r)
    growth = (1 + r).prod()
    cagr = growth ** (12 / n) - 1
    xs = r.to_numpy() - rf
    sharpe = xs.mean(axis=0) / xs.std(axis=0, ddof=1) * np.sqrt(12)
    wealth = (1 + r).cumprod()
    mdd = (wealth / wealth.cummax().clip(lower=1.0) - 1).min().clip(upper=0.0)
    b = benchmark.reindex(r.index)
    bench_cagr = float((1 + b).prod() ** (12 / n) - 1)
    active = r.sub(b, axis=0)
    info = active.mean() / active.std(ddof=1) * np.sqrt(12)
    return pd.DataFrame(
        {
            "cagr": cagr,
            "vol": r.std(ddof=1) * np.sqrt(12),
            "sharpe": sharpe,
            "max_drawdown": mdd,
            "turnover": bt.turnover.mean() * 12,
            "costs": bt.fees.mean() * 12,
            "excess_cagr": cagr - bench_cagr,
            "info_ratio": info,
        },
        index=r.columns,
    )


@dataclass
class SweepResult:
    """A sweep's variants, their metrics and the overfitting statistics of the best one.

    Attributes
    ----------
    strategy : str
    metrics : pandas.DataFrame
        One row per variant, decimals (see :func:`metrics`); :meth:`table` shows them with
        labels and units.
    backtest : BacktestResult
        Monthly returns, turnover and costs of every variant (numba kernel).
    benchmark : pandas.Series
        Monthly decimal returns of buy-and-hold ``other``.
    best : tuple or str
        Label of the variant with the highest information ratio (plain Python types).
    n_variants : int
    overfitting : dict
        Deflated Sharpe ratio, PBO (CSCV), SPA p-values of the best variant.
    settings : dict
        Definition, benchmark, first month and why it was chosen.
    """

    strategy: str
    metrics: pd.DataFrame
    backtest: BacktestResult
    benchmark: pd.Series
    best: Any
    n_variants: int
    overfitting: dict[str, float]
    settings: dict[str, Any] = field(default_factory=dict)
    assets: pd.DataFrame | None = None
    weights: pd.DataFrame | None = None

    def table(self, top: int | None = None) -> pd.DataFrame:
        """Metrics with labels and units (``CAGR [%]``, ``Turnover [x/yr]`` ...), best first.

        Parameters
        ----------
        top : int, optional
            Keep the ``top`` variants by information ratio (all by default).
        """
        order = self.metrics["info_ratio"].sort_values(ascending=False, na_position="last")
        out = labelled(self.metrics.loc[order.index])
        return out if top is None else out.head(top)

    def header(self) -> str:
        """One paragraph: what ran, on which months, with which costs and benchmark."""
        r = self.backtest.returns
        st = self.settings
        lines = [
            f"strategy {self.strategy}: {self.n_variants} variants tried on {r.index[0]}.."
            f"{r.index[-1]} ({len(r)} months), size definition {st.get('definition')}, rest in "
            f"{self.backtest.other}, costs {self.backtest.cost_bps:g} bp per unit of traded value",
        ]
        if st.get("start_reason"):
            lines.append(f"start {r.index[0]}: {st['start_reason']}")
        if st.get("hindsight"):
            lines.append(
                f"{st['hindsight']} hindsight variant(s), not tradable, are shown for reference: "
                "the best variant and the overfitting statistics use the tradable ones"
            )
        lines.append(
            "annualised with 12 months a year: CAGR geometric, Sharpe on excess over cash, "
            f"excess CAGR and information ratio against buy-and-hold {self.backtest.other}"
            " (costless)"
        )
        if self.strategy == "buy-and-hold":
            lines.append(
                f'holding "{self.backtest.other}" is that benchmark with costs: its excess '
                "is the entry cost alone"
            )
        return "\n".join(lines)

    def summary(self, top: int = 5) -> str:
        """Readable text: header, the ``top`` variants (and how many are hidden), overfitting."""
        shown = min(top, self.n_variants)
        lines = [
            self.header(),
            self.table(top).to_string(float_format=lambda x: f"{x:.2f}"),
        ]
        if shown < self.n_variants:
            lines.append(f"({self.n_variants - shown} more variants not shown)")
        lines.append(
            "overfitting: " + ", ".join(f"{k} {v:.4g}" for k, v in self.overfitting.items())
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary())}</pre>"

    def plot(self) -> Any:
        """Figure of the best variant's wealth and the benchmark's (displays inline in Jupyter)."""
        from smallcap_bt.reports.figures import plot_sweep

        return plot_sweep(self)

    def equity(self) -> pd.DataFrame:
        """Wealth of the best variant and the benchmark (start 1.0)."""
        best = self.backtest.returns[self.best]
        return pd.DataFrame(
            {
                "best": (1 + best).cumprod(),
                "benchmark": (1 + self.benchmark.reindex(best.index)).cumprod(),
            }
        )

    def _column(self, variant: Any) -> Any:
        cols = self.backtest.returns.columns
        if variant is None:
            return self.best
        if variant in cols:
            return variant
        if isinstance(variant, int) and not isinstance(variant, bool) and 0 <= variant < len(cols):
            return cols[variant]
        sample = ", ".join(repr(plain_label(c)) for c in cols[:4])
        raise KeyError(
            f"no variant {variant!r} in sweep {self.strategy!r}; give a column label "
            f"(e.g. {sample}) or a position 0..{len(cols) - 1}"
        )

    def portfolio(self, variant: Any = None) -> Any:
        """Replay one variant on vectorbt: a ``vectorbt.Portfolio`` for orders, trades, stats.

        Parameters
        ----------
        variant : label or int, optional
            A column label of :attr:`metrics` (e.g. ``("every cut", 12)``) or a position; the
            best variant by default.

        Returns
        -------
        vectorbt.Portfolio
            Two columns (small and the other asset) in one group with shared cash, starting
            with 1.0 of cash at the end of the month before the first return. Its monthly
            returns equal the kernel's (the suite checks it). ``freq`` is ``"30D"``: pass
            ``settings=dict(year_freq="360D")`` to ``pf.stats()`` for 12 months a year.
        """
        if self.weights is None or self.assets is None:
            raise ValueError("this SweepResult carries no weights and assets to replay")
        col = self._column(variant)
        w = self.weights.loc[:, [col]]
        return vectorbt_portfolio(
            w,
            self.assets,
            cost_bps=self.backtest.cost_bps,
            other=self.backtest.other,  # type: ignore[arg-type]
        )


def _fed_cut(
    panel: pd.DataFrame,
    target: pd.Series,
    holds: Sequence[int] = (1, 3, 6, 12, 24),
    since: str = "1990-01-01",
) -> pd.DataFrame:
    from smallcap_bt.stats.events import cut_dates

    dates = cut_dates(target, since)
    return signals.after_fed_cut(
        panel.index,
        {"every cut": dates["every cut"], "first cut": dates["first cut of cycle"]},
        holds,
    )


def _builder(name: str) -> Callable[..., pd.DataFrame]:
    return {
        "fed-cut": lambda p, t, d, **k: _fed_cut(p, t, **k),
        "rate-regime": lambda p, t, d, **k: signals.rate_regime(p, **k),
        "curve-regime": lambda p, t, d, **k: signals.curve_regime(p, **k),
        "recovery": lambda p, t, d, **k: signals.recovery(p, **k),
        "valuation": lambda p, t, d, **k: signals.valuation(p, **k),
        "staged-entry": lambda p, t, d, **k: signals.staged_entry(p, definition=d, **k),
        "buy-and-hold": lambda p, t, d, **k: signals.buy_and_hold(p.index),
    }[name]


#: strategy name -> (builder(panel, target, definition, **grid), "other" asset, description)
STRATEGIES: dict[str, tuple[Callable[..., pd.DataFrame], str, str]] = {
    name: (_builder(name), "large", desc) for name, (desc, _) in STRATEGY_INFO.items()
}


def _grid_values(strategy: str, grid: Mapping[str, Sequence[Any]] | None) -> dict[str, Any]:
    """Check the grid's keys; ``"value"`` keys given as one-element lists become scalars."""
    g = dict(grid or {})
    check_grid(strategy, g)
    kinds = STRATEGY_INFO[strategy][1]
    return {
        k: (v[0] if kinds[k] == "value" and isinstance(v, list | tuple) else v)
        for k, v in g.items()
    }


def _signal_params(strategy: str, params: dict[str, Any]) -> dict[str, Any]:
    """The builder's parameters: its defaults updated with the grid's."""
    import inspect

    builders: dict[str, Callable[..., Any]] = {
        "fed-cut": _fed_cut,
        "rate-regime": signals.rate_regime,
        "curve-regime": signals.curve_regime,
        "recovery": signals.recovery,
        "valuation": signals.valuation,
        "staged-entry": signals.staged_entry,
    }
    func = builders.get(strategy)
    if func is None:
        return dict(params)
    sig = inspect.signature(func).parameters.values()
    return {**{q.name: q.default for q in sig if q.default is not q.empty}, **params}


def _auto_start(
    strategy: str, panel: pd.DataFrame, params: dict[str, Any], definition: str
) -> tuple[Any, str]:
    """First month a signal can be non-trivial (its inputs allow a position), and why.

    The month after the first weight decision whose inputs are all available: ``since`` for
    ``fed-cut``; the first ``lookback``-month change for the regime signals; half of the
    shortest trailing window for ``valuation``; the first full trailing window for
    ``staged-entry``. ``None`` when that is the start of the data.
    """
    g = _signal_params(strategy, params)

    def first(col: str) -> pd.Period:
        return panel[col].first_valid_index()

    if strategy == "fed-cut":
        since = pd.Period(g["since"], "M")
        return since, f"the Fed-cut signal takes cuts since {since}"
    if strategy in ("rate-regime", "curve-regime"):
        names = list(g["variables"]) if strategy == "rate-regime" else [g["variable"]]
        lb = min(g["lookbacks"])
        decided = max(first(v) for v in names) + lb
        why = f"first {lb}-month change of {', '.join(names)} is known in {decided}"
    elif strategy == "valuation":
        months = 12 * min(g["windows"]) // 2
        decided = first("rel_beme") + months - 1
        why = f"the trailing quantile of relative B/M needs {months} months, known in {decided}"
    elif strategy == "staged-entry":
        months = 12 * g["years"]
        decided = max(first(f"small.{definition}"), first(f"large.{definition}")) + months - 1
        why = f"the first trailing {g['years']}-year relative return is known in {decided}"
    else:  # recovery (NBER dates precede the returns), buy-and-hold
        return None, ""
    return decided + 1, why


#: panel series a signal may read (``variables`` of rate-regime, ``variable`` of curve-regime)
SIGNAL_SERIES = (
    "fedfunds", "target", "tbill", "gs2", "gs10", "unrate", "slope_10y3m", "t10y3m", "t10y2y",
    "cpi_yoy", "real_rate", "credit_spread", "ip_growth", "rel_beme",
)  # fmt: skip


#: fewest months of returns a sweep runs on: PBO cuts them into 10 blocks, and a year is the
#: shortest window its annualised metrics describe
MIN_SWEEP_MONTHS = 12


def _check_window(months: int, last: pd.Period, start: str | None, reason: str) -> None:
    """``InsufficientDataError`` naming ``start`` when fewer than :data:`MIN_SWEEP_MONTHS`
    months of returns follow it, up to the data's ``last`` month (short windows ended in NumPy
    warnings and the SPA test's internal message)."""
    from smallcap_bt.exceptions import InsufficientDataError

    if months >= MIN_SWEEP_MONTHS:
        return
    where = f"start {start} ({reason})" if start else "the data"
    fix = (
        "choose an earlier --start (start=)"
        if reason == "given"
        else "this strategy needs a vintage with more months"
    )
    raise InsufficientDataError(
        f"sweep: {where} leaves {max(months, 0)} month(s) of returns (the data end in {last}); "
        f"a sweep needs at least {MIN_SWEEP_MONTHS}: {fix}"
    )


def _check_spa(spa_reps: object, seed: object) -> None:
    """``spa_reps`` a whole number >= 1 and ``seed`` as :func:`~smallcap_bt.claims.verify`'s,
    each error naming its argument (they reached the SPA test as ``spa_test: reps ...``)."""
    if whole_number("spa_reps", spa_reps) < 1:
        raise ValueError(f"spa_reps is the SPA test's bootstrap draws, at least 1; got {spa_reps}")
    check_seed(seed)


def _check_inputs(strategy: str, panel: pd.DataFrame, params: dict[str, Any]) -> None:
    """The panel series the strategy's signal reads: an unknown name is a ``ValueError``
    listing the choices; a series the vintage lacks is a
    :class:`~smallcap_bt.exceptions.DataUnavailableError` saying which file it needs."""
    from smallcap_bt.exceptions import DataUnavailableError
    from smallcap_bt.panel.build import PANEL_COLUMNS

    g = _signal_params(strategy, params)
    named = {"rate-regime": "variables", "curve-regime": "variable"}.get(strategy)
    needed = {"recovery": ["usrec"], "valuation": ["rel_beme"]}.get(strategy, [])
    if named:
        values = list(g[named]) if named == "variables" else [g[named]]
        for v in values:
            if v not in SIGNAL_SERIES:
                raise ValueError(
                    f"grid key {named!r} of strategy {strategy!r}: {v!r} is not a panel "
                    f"series a signal can read (choose from {', '.join(SIGNAL_SERIES)})"
                )
        needed = values
    missing = panel.attrs.get("missing_columns", {})
    for col in needed:
        if col not in panel.columns:
            why = missing.get(col) or "not in this vintage"
            raise DataUnavailableError(
                f"strategy {strategy!r} reads the panel series {col!r} ({PANEL_COLUMNS[col]}): "
                f"{why}"
            )


def sweep(
    strategy: str,
    *,
    definition: str = "tercile.vw",
    vintage: str | None = None,
    store: StoreArg = None,
    cost_bps: float = 10.0,
    start: str | None = None,
    panel: pd.DataFrame | None = None,
    grid: Mapping[str, Sequence[Any]] | None = None,
    spa_reps: int = 1000,
    seed: int = 0,
    client: Any = None,
    chunk: int = 4096,
) -> SweepResult:
    """Build a strategy's variant grid, screen it on the numba kernel and judge the best variant.

    Parameters
    ----------
    strategy : str
        One of :data:`~smallcap_bt.strategies.names.STRATEGY_NAMES`.
    definition : str
        Size definition with legs (``tercile.vw`` ...).
    cost_bps : float
        Proportional cost per unit of traded value (basis points).
    start : str, optional
        First month of the backtest (e.g. ``"1990-01"``). By default the first month a
        signal can be non-trivial, i.e. the month after the first decision whose inputs are
        all known (``since`` for ``fed-cut``; the header says which and why).
    grid : dict, optional
        Parameter lists of the signal builder (e.g. ``{"holds": [3, 6]}``); keys are checked
        against the strategy's (:data:`~smallcap_bt.strategies.names.STRATEGY_INFO`).
    spa_reps, seed : int
        Bootstrap replications and seed of Hansen's SPA test.
    client : distributed.Client or str, optional
        A Dask client or scheduler address: the metrics are computed in chunks of variants on
        its workers, with results identical to the local path.
    chunk : int
        Variants per chunk of the metric screen (memory bound; one Dask task each).

    Returns
    -------
    SweepResult

    Notes
    -----
    The overfitting statistics (PBO, SPA) need every variant's monthly returns, so a sweep
    keeps the ``months x variants`` paths in memory: right for the strategy grids here (tens
    to thousands of variants). To rank millions of variants use
    :func:`smallcap_bt.strategies.kernel.screen`, which keeps only per-variant metrics.
    """
    if not isinstance(strategy, str) or strategy not in STRATEGIES:
        import difflib

        from smallcap_bt.exceptions import UnknownStrategyError

        named = isinstance(strategy, str)
        close = difflib.get_close_matches(strategy, list(STRATEGIES), n=2) if named else []
        raise UnknownStrategyError(
            f"unknown strategy {strategy!r}"
            + (f"; did you mean {close}?" if close else "")
            + f" (known: {list(STRATEGIES)})"
        )
    check_cost(cost_bps)  # as the CLI's --cost-bps
    _check_spa(spa_reps, seed)
    builder, other, _ = STRATEGIES[strategy]
    params = _grid_values(strategy, grid)
    p = panel if panel is not None else monthly_panel(vintage, store=store)
    _check_inputs(strategy, p, params)
    assets = asset_returns(definition, panel=p)
    target = target_rate_daily(vintage, store=store) if strategy == "fed-cut" else None
    weights = builder(p, target, definition, **params)
    hindsight = set(weights.attrs.get("hindsight", []))  # variants that could not trade
    reason = "" if start is None else "given"
    if start is None:
        auto, reason = _auto_start(strategy, p, params, definition)
        start = None if auto is None or auto <= assets.index[1] else str(auto)
        reason = reason if start else ""
    last = assets.index[-1]
    if start:  # row start-1 holds the weights of month start, the first return
        weights = weights.loc[pd.Period(start, "M") - 1 :]
        assets = assets.loc[pd.Period(start, "M") - 1 :]
    _check_window(len(assets) - 1, last, start, reason)  # row 0: the first month's weights
    bt = run_kernel(weights, assets, cost_bps=cost_bps, other=other)  # type: ignore[arg-type]
    bench = assets[other].reindex(bt.returns.index)
    m = screen(weights, assets, cost_bps=cost_bps, other=other, chunk=chunk, client=client)  # type: ignore[arg-type]
    # the best variant is the one with the highest information ratio against the benchmark;
    # overfitting statistics are computed on active returns (variant minus benchmark)
    # hindsight variants (e.g. entering at an NBER trough, announced months later) are shown
    # for reference; the best variant and the overfitting statistics use tradable ones only
    tradable = [c for c in m.index if c not in hindsight]
    if not tradable:
        raise ValueError(
            f"strategy {strategy!r}: every variant of this grid is hindsight only (not "
            "tradable); add a tradable one (e.g. lags=12)"
        )
    best = m.loc[tradable, "info_ratio"].idxmax()
    r = bt.returns[tradable] if hindsight else bt.returns
    active = r.sub(bench, axis=0)
    sr = (active.mean() / active.std(ddof=1)).to_numpy()
    b = active[best]
    over = {
        "n_variants": float(r.shape[1]),
        "best_info_ratio_annual": float(m.loc[best, "info_ratio"]),
    }
    if r.shape[1] > 1:
        over["deflated_sharpe_active"] = deflated_sharpe(
            float(sr[list(r.columns).index(best)]),
            len(b),
            float(np.nanvar(sr, ddof=1)),
            r.shape[1],
            *_skew_kurtosis(b.to_numpy(dtype=float)),
        )
        pbo = pbo_cscv(active.to_numpy(), 10)
        over.update({"pbo": pbo["pbo"], "pbo_splits": pbo["n_splits"]})
        over.update(
            {f"spa_pvalue_{k}": v for k, v in spa_test(bench, r, reps=spa_reps, seed=seed).items()}
        )
    return SweepResult(
        strategy,
        m,
        bt,
        bench,
        plain_label(best),
        bt.returns.shape[1],
        over,
        {
            "definition": definition,
            "benchmark": other,
            "start": str(r.index[0]),
            "start_reason": reason,
            "hindsight": len(hindsight),
        },
        assets,
        weights,
    )


def _skew_kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Skewness and (non-excess) kurtosis of ``x`` from its central moments, without the
    small-sample correction: ``scipy.stats.skew(x)`` and ``kurtosis(x, fisher=False)``."""
    d = x - x.mean()
    m2 = float(np.mean(d**2))
    return float(np.mean(d**3)) / m2**1.5, float(np.mean(d**4)) / m2**2
