"""``smallcap-bt backtest``: strategy grids screened on the numba kernel (optionally on Dask).

Building the parser imports only static tables (:mod:`smallcap_bt.strategies.names`), so
``--help`` and ``--version`` load neither pandas nor scipy.
"""

from __future__ import annotations

import argparse
import sys

from smallcap_bt.cli.output import EXIT_OK, EXIT_USAGE, bounded_int, nonempty
from smallcap_bt.strategies.names import STRATEGY_INFO, STRATEGY_NAMES, check_cost, check_grid


def _value(v: str) -> object:
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return v


def _parse_grid(items: list[str]) -> dict[str, list[object]]:
    grid: dict[str, list[object]] = {}
    for item in items:
        key, eq, vals = item.partition("=")
        if not eq or not key or not vals:
            raise ValueError(f"--grid expects KEY=V1,V2,... got {item!r}")
        if key in grid:
            raise ValueError(f"--grid key {key!r} given twice")
        grid[key] = [_value(v) for v in vals.split(",")]
    return grid


def _is_month(text: str) -> bool:
    import re

    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    return m is not None and 1 <= int(m.group(2)) <= 12


def _usage_error(msg: str) -> int:
    print(f"smallcap-bt backtest: error: {msg}", file=sys.stderr)
    return EXIT_USAGE


def _check_definition(name: str) -> str | None:
    """None if ``name`` is a size definition with legs, else the message (choices, typo hint)."""
    from smallcap_bt.panel.definitions import size_definitions

    legged = [d.id for d in size_definitions() if d.small is not None]
    if name in legged:
        return None
    import difflib

    close = difflib.get_close_matches(name, legged, n=2, cutoff=0.5)
    return (
        f"unknown --definition {name!r}"
        + (f"; did you mean {' or '.join(close)}?" if close else "")
        + f" (choices: {', '.join(legged)})"
    )


def _cmd_backtest(args: argparse.Namespace) -> int:
    try:
        grid = _parse_grid(args.grid or [])
        check_grid(args.strategy, grid)
    except ValueError as exc:
        return _usage_error(str(exc))
    try:
        check_cost(args.cost_bps, "--cost-bps")
    except ValueError as exc:
        return _usage_error(str(exc))
    if args.start is not None and not _is_month(args.start):
        return _usage_error(f"--start is a month (YYYY-MM), got {args.start!r}")
    problem = _check_definition(args.definition)
    if problem:
        return _usage_error(problem)
    from smallcap_bt.strategies.sweeps import sweep

    client = None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            return _usage_error(
                "--scheduler needs dask.distributed: pip install 'smallcap_bt[dask]'"
            )
        try:
            client = Client(args.scheduler, timeout="15s")
        except (OSError, TimeoutError, ValueError) as exc:
            return _usage_error(f"cannot reach the Dask scheduler at {args.scheduler!r}: {exc}")
    try:
        res = sweep(
            args.strategy,
            definition=args.definition,
            vintage=args.vintage,
            store=args.store,
            cost_bps=args.cost_bps,
            start=args.start,
            grid=grid,
            seed=args.seed,
            client=client,
        )
    finally:
        if client is not None:
            client.close()
    print(res.summary(top=args.top))
    return EXIT_OK


class _DefaultsHelp(argparse.ArgumentDefaultsHelpFormatter):
    """Defaults in the help, except ``None`` (no default) and where the help says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default is None or "default" in text:
            return text
        return super()._get_help_string(action)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``backtest``."""
    keys = "; ".join(
        f"{name}: {', '.join(info[1]) or '(none)'}" for name, info in STRATEGY_INFO.items()
    )
    b = sub.add_parser(
        "backtest",
        help="screen a strategy grid (numba kernel; Dask with --scheduler)",
        description="strategies: " + "; ".join(f"{k}: {v[0]}" for k, v in STRATEGY_INFO.items()),
        formatter_class=_DefaultsHelp,
    )
    b.add_argument("strategy", choices=STRATEGY_NAMES, help="the strategy to sweep")
    b.add_argument(
        "--grid",
        nargs="*",
        metavar="KEY=V1,V2",
        help=f"parameter lists, e.g. holds=3,6,12. Keys per strategy: {keys}",
    )
    b.add_argument(
        "--definition",
        default="tercile.vw",
        metavar="ID",
        help="size definition with separate small and large legs: "
        "{decile,quintile,tercile}.{vw,ew} (an unknown id lists the choices)",
    )
    b.add_argument("--cost-bps", type=float, default=10.0, help="cost per unit of traded value, bp")
    b.add_argument(
        "--start",
        help="first month, e.g. 1990-01 (default: the first month a signal can be "
        "non-trivial; the header says which)",
    )
    b.add_argument("--vintage", help="data vintage (default: the store's default)")
    b.add_argument(
        "--seed",
        type=bounded_int(0, 2**63 - 1, "--seed"),
        default=0,
        help="seed of the SPA bootstrap, a whole number >= 0",
    )
    b.add_argument(
        "--top",
        type=bounded_int(1, 1_000_000, "--top"),
        default=5,
        help="variants to print (best first)",
    )
    b.add_argument(
        "--scheduler",
        type=nonempty("needs a Dask scheduler address (e.g. tcp://host:8786)"),
        metavar="ADDRESS",
        help="Dask scheduler address (e.g. tcp://host:8786): screen the variants on its "
        "workers; results are identical to a local run",
    )
    b.set_defaults(func=_cmd_backtest)
