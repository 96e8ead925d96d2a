"""The ``smallcap-bt`` command line, thin over the Python API.

Exit codes
----------
0  success
1  ``verify --check``: a verdict flipped or an estimate moved beyond tolerance
2  usage error (unknown command, option, claim or dataset id)
3  data error (no vintage, download failed, corrupt or malformed file)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from smallcap_bt._version import __version__
from smallcap_bt.cli.output import EXIT_CHECK_FAILED, EXIT_DATA, EXIT_OK, EXIT_USAGE
from smallcap_bt.exceptions import DataError, SmallcapBtError, UnknownDatasetError

if TYPE_CHECKING:  # pragma: no cover
    import argparse

__all__ = ["EXIT_CHECK_FAILED", "EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs' CLI reference)."""
    import argparse

    p = argparse.ArgumentParser(
        prog="smallcap-bt",
        description="Test historical claims about US small vs large caps on pinned data.",
        epilog="exit codes: 0 ok, 1 lock check failed, 2 usage error, 3 data error",
    )
    p.add_argument("--version", action="version", version=f"smallcap_bt {__version__}")
    p.add_argument("--store", help="store directory (default $SMALLCAP_BT_HOME or user cache)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    sub = p.add_subparsers(dest="command", required=True)

    from smallcap_bt.cli import backtest, claims, data, report

    data.add_commands(sub)
    claims.add_commands(sub)
    backtest.add_commands(sub)
    report.add_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``smallcap-bt``; returns the exit code."""
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        print(f"smallcap_bt {__version__}")  # instant: no parser, no argparse help machinery
        return EXIT_OK
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UnknownDatasetError as exc:
        print(f"smallcap-bt: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DataError as exc:
        print(f"smallcap-bt: data error: {exc}", file=sys.stderr)
        return EXIT_DATA
    except (SmallcapBtError, ValueError) as exc:
        print(f"smallcap-bt: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
