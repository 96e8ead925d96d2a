"""``smallcap-bt report`` and ``smallcap-bt cite``."""

from __future__ import annotations

import argparse
import sys

from smallcap_bt.cli.output import EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from smallcap_bt.reports.render import build_report

    quiet = getattr(args, "quiet", False)
    paths = build_report(
        args.out,
        args.vintage,
        store=args.store,
        seed=args.seed,
        draws=args.draws,
        strategies=not args.no_strategies,
        progress=not quiet and sys.stderr.isatty(),
    )
    if not quiet:
        for name, path in paths.items():
            print(f"wrote {path}" if name != "figures" else f"figures in {path}")
    return EXIT_OK


def _cmd_cite(args: argparse.Namespace) -> int:
    from smallcap_bt.reports.cite import bibtex

    print(bibtex(args.vintage, store=args.store), end="")
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``report`` and ``cite``."""
    r = sub.add_parser("report", help="write report.md/.html, claims.tex, results.json")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--vintage")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--draws", type=int, default=2000)
    r.add_argument("--no-strategies", action="store_true", help="skip the backtest figure")
    r.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS)
    r.set_defaults(func=_cmd_report)
    c = sub.add_parser("cite", help="BibTeX for the library and the data of a vintage")
    c.add_argument("--vintage")
    c.set_defaults(func=_cmd_cite)
