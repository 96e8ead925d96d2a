"""Execute a notebook in a fresh kernel and save it with its outputs (a background job of the
suite: ``python -m tests.nbrun IN.ipynb OUT.ipynb [--cwd DIR] [--timeout S]``).

A cell error stops the run (nbclient's ``CellExecutionError``) with exit code 1 and the
traceback on stderr; the executed notebook is saved either way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("src", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--cwd", type=Path, help="kernel working folder (default: the notebook's)")
    p.add_argument("--timeout", type=int, default=300, help="per cell, seconds")
    args = p.parse_args(argv)
    nb = nbformat.read(args.src, as_version=4)
    cwd = args.cwd or args.src.parent
    client = NotebookClient(
        nb, timeout=args.timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    try:
        client.execute()
    finally:
        nbformat.write(nb, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
