"""The ``smallcap-bt`` command line, thin over the Python API.

Exit codes
----------
0  success
1  ``verify --check``: a verdict flipped or an estimate moved beyond tolerance
2  usage error (unknown command, option, claim or dataset id, invalid vintage name)
3  data error (no vintage, download failed, corrupt or malformed file, damaged store)
4  unexpected error (a bug: one line asking for a report; the traceback with ``--debug``)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from smallcap_bt._version import __version__
from smallcap_bt.cli.output import EXIT_CHECK_FAILED, EXIT_DATA, EXIT_OK, EXIT_USAGE, path_arg
from smallcap_bt.exceptions import DataError, SmallcapBtError, UnknownDatasetError

#: exit code of an unexpected exception (a bug)
EXIT_BUG = 4
#: exit code after Ctrl-C (128 + SIGINT)
EXIT_INTERRUPTED = 130
BUG_URL = "https://github.com/smallcap-bt/smallcap_bt/issues"

__all__ = [
    "EXIT_BUG",
    "EXIT_CHECK_FAILED",
    "EXIT_DATA",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs' CLI reference)."""
    p = argparse.ArgumentParser(
        prog="smallcap-bt",
        description="Test historical claims about US small vs large caps on pinned data.",
        epilog="exit codes: 0 ok, 1 lock check failed, 2 usage error, 3 data error, "
        "4 unexpected error (please report it)",
    )
    p.add_argument("--version", action="version", version=f"smallcap_bt {__version__}")
    p.add_argument(
        "--store",
        type=path_arg,
        help="store directory (default $SMALLCAP_BT_HOME or user cache)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress output; verify, report and backtest print only errors and results "
        "asked for (a lock check, files sent to standard output)",
    )
    p.add_argument(
        "--debug", action="store_true", help="show the full traceback of an unexpected error"
    )
    sub = p.add_subparsers(dest="command", required=True)

    from smallcap_bt.cli import backtest, claims, data, env, report

    data.add_commands(sub)
    claims.add_commands(sub)
    backtest.add_commands(sub)
    report.add_commands(sub)
    env.add_commands(sub)
    return p


def _run(args: argparse.Namespace) -> int:
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``smallcap-bt``; returns the exit code (never shows a bare traceback)."""
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        print(f"smallcap_bt {__version__}")  # instant: no parser, no argparse help machinery
        return EXIT_OK
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        return _run(args)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("smallcap-bt: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if debug:
            import traceback

            traceback.print_exc()
        what = f"{type(exc).__name__}: {exc}".strip()
        print(
            f"smallcap-bt: unexpected error ({what[:300]}). This is a bug in smallcap_bt; "
            f"please report it at {BUG_URL} with the command you ran and the output of the "
            "same command with --debug (e.g. smallcap-bt --debug ...)",
            file=sys.stderr,
        )
        return EXIT_BUG


#: environment variables that set OpenBLAS's thread count (read when NumPy loads it)
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def console() -> int:
    """The ``smallcap-bt`` console script (and ``python -m smallcap_bt.cli``): :func:`main`,
    with two settings for a process that is about to exit and starts its own workers.

    * OpenBLAS runs one thread per process unless one of :data:`BLAS_THREAD_VARS` is set:
      the matrices are small (about 1,200 months by a few dozen columns), threads only spin
      while the claim and figure workers (``--jobs``, ``--workers``) already use every core.
      On two cores a ``report`` took 10.1 s of CPU instead of 10.5 s (means of 3 runs), with
      the same files.
    * After :func:`main`, the process's objects are frozen out of the garbage collector: the
      interpreter's final collections would otherwise walk every object numba, pandas and
      matplotlib created, about 0.35 s of a ``verify`` or ``report`` (0.05 s frozen).

    Python callers of :func:`main` (tests, notebooks) keep their threads and collector."""
    import os

    if not any(os.environ.get(v) for v in BLAS_THREAD_VARS):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before NumPy is imported (main is lazy)
    code = main()
    import gc

    gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(console())
