"""``smallcap-bt backtest``: strategy grids on vectorbt."""

from __future__ import annotations

import argparse

from smallcap_bt.cli.output import EXIT_OK


def _parse_grid(items: list[str]) -> dict[str, list[object]]:
    grid: dict[str, list[object]] = {}
    for item in items:
        key, _, vals = item.partition("=")
        if not vals:
            raise ValueError(f"--grid expects key=v1,v2,... got {item!r}")
        parsed: list[object] = []
        for v in vals.split(","):
            try:
                parsed.append(int(v))
            except ValueError:
                try:
                    parsed.append(float(v))
                except ValueError:
                    parsed.append(v)
        grid[key] = parsed
    return grid


def _cmd_backtest(args: argparse.Namespace) -> int:
    from smallcap_bt.strategies.sweeps import sweep

    try:
        res = sweep(
            args.strategy,
            definition=args.definition,
            vintage=args.vintage,
            store=args.store,
            cost_bps=args.cost_bps,
            start=args.start,
            grid=_parse_grid(args.grid or []),
            seed=args.seed,
        )
    except TypeError as exc:  # a grid key the strategy does not take
        raise ValueError(f"bad --grid for {args.strategy}: {exc}") from None
    print(res.summary(top=args.top))
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``backtest``."""
    from smallcap_bt.strategies.sweeps import STRATEGIES

    b = sub.add_parser(
        "backtest",
        help="backtest a strategy grid on vectorbt",
        description="strategies: " + "; ".join(f"{k}: {v[2]}" for k, v in STRATEGIES.items()),
    )
    b.add_argument("strategy", choices=sorted(STRATEGIES))
    b.add_argument(
        "--grid",
        nargs="*",
        metavar="KEY=V1,V2",
        help="parameter lists, e.g. holds=3,6,12 (names of the signal builder)",
    )
    b.add_argument("--definition", default="tercile.vw", help="size definition with legs")
    b.add_argument("--cost-bps", type=float, default=10.0, help="cost per unit turnover, bp")
    b.add_argument("--start", help="first month, e.g. 1990-01")
    b.add_argument("--vintage")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--top", type=int, default=5, help="variants to print")
    b.set_defaults(func=_cmd_backtest)
