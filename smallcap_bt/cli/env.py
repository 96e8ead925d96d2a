"""``smallcap-bt env``: the versions of Python and of the numerical stack."""

from __future__ import annotations

import argparse
import json

from smallcap_bt.cli.output import EXIT_OK, print_table


def _cmd_env(args: argparse.Namespace) -> int:
    from smallcap_bt._environment import versions

    v = versions()
    if args.json:
        print(json.dumps(v, indent=2))
    else:
        print_table(
            [{"package": k, "version": x or "not installed"} for k, x in v.items()],
            ["package", "version"],
        )
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``env``."""
    e = sub.add_parser(
        "env",
        help="versions of Python and the numerical stack (numpy, pandas, vectorbt, ...)",
        description="Print the versions that results depend on: Python, numpy, pandas, scipy, "
        "statsmodels, vectorbt, numba, pandas-datareader, matplotlib.",
    )
    e.add_argument("--json", action="store_true", help="print a JSON object instead of a table")
    e.set_defaults(func=_cmd_env)
