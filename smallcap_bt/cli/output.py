"""Shared output of the command line: exit codes, tables and progress.

Tables are drawn with ``rich``. On a terminal they fit its width: long columns wrap inside
their cell, the first column (ids) never breaks. Piped or redirected, a table is never
wrapped, so every row stays on one line for ``grep``/``awk``.

Progress goes to stderr, in one of three modes: ``bar`` (a ``rich`` progress bar, on a
terminal), ``plain`` (a line every ~10% of the work and at the end, for CI logs and pipes) or
``off`` (``-q``). ``auto`` picks ``plain`` when ``$CI`` is set or stderr is not a terminal,
``bar`` otherwise.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Literal, Protocol, TextIO

if TYPE_CHECKING:  # pragma: no cover
    import argparse

    from rich.console import Console

#: exit codes, one meaning each (see ``smallcap_bt.cli``)
EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_DATA = 0, 1, 2, 3

ProgressMode = Literal["auto", "bar", "plain", "off"]
PROGRESS_MODES: tuple[str, ...] = ("auto", "bar", "plain", "off")


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def console(stream: IO[str] | None = None, width: int | None = None) -> Console:
    """A ``rich`` console on ``stream`` (stdout by default, looked up at call time), with no
    markup, emoji or highlighting: values print exactly as given."""
    from rich.console import Console

    return Console(
        file=stream if stream is not None else sys.stdout,
        width=width,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )


def _ascii_head() -> object:
    from rich.box import Box

    return Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)


def _natural_width(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> int:
    widths = [max([len(c)] + [len(str(r.get(c, ""))) for r in rows]) for c in columns]
    return sum(widths) + 3 * len(columns) + 2  # padding both sides + the column rule


def print_table(
    rows: Sequence[Mapping[str, object]], columns: list[str], *, title: str | None = None
) -> None:
    """Print rows (dicts) under the given column names.

    On a terminal the table wraps to its width (the first column never breaks); otherwise it
    is printed at its natural width, one line per row.

    Parameters
    ----------
    rows : list of dict
        One dict per row; missing keys print empty.
    columns : list of str
        Column names, in order (keys of ``rows``).
    title : str, optional
        A line above the table.
    """
    from rich import box
    from rich.table import Table

    _ASCII_HEAD = _ascii_head()
    from rich.text import Text

    out = sys.stdout
    tty = _isatty(out)
    utf = "utf" in (getattr(out, "encoding", None) or "utf-8").lower()
    table = Table(
        box=box.SIMPLE_HEAD if utf else _ASCII_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        header_style="bold" if tty else "",
        title=title,
        title_justify="left",
    )
    for i, c in enumerate(columns):
        table.add_column(c, no_wrap=i == 0, overflow="fold")
    for r in rows:
        table.add_row(*(Text(str(r.get(c, ""))) for c in columns))
    if tty:
        console(out).print(table)
        return
    import io

    buf = io.StringIO()
    console(buf, width=_natural_width(rows, columns)).print(table)
    out.write("".join(ln.rstrip() + "\n" for ln in buf.getvalue().splitlines()))


def check_output(target: str | None, option: str, folder: bool = False) -> None:
    """Before any work: can the file (or, with ``folder``, the folder) named by a command-line
    option be written? ``UsageError`` naming the option and the path when it is a folder
    where a file is wanted (or the reverse), or lies under a file or an unwritable folder.
    ``None`` and ``-`` (standard output) pass."""
    from pathlib import Path

    from smallcap_bt.exceptions import UsageError

    if target is None or target == "-":
        return
    path = Path(target)
    if folder and path.exists() and not path.is_dir():
        raise UsageError(f"{option} {target}: is a file; name a folder (created if missing)")
    if not folder and path.is_dir():
        raise UsageError(f"{option} {target}: is a folder; name a file")
    here = path if folder else path.parent
    while not here.exists() and here != here.parent:
        here = here.parent
    if not here.is_dir():
        raise UsageError(f"{option} {target}: {here} is a file, not a folder")
    if not os.access(here, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {target}: folder {here} is not writable")


def _std_stream(target: str) -> TextIO | None:
    """Standard output or error when ``target`` is the same file (``/dev/stdout`` while
    stdout is redirected to a log: replacing that file would lose what the log held)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            mine, there = os.fstat(stream.fileno()), os.stat(target)
        except (OSError, ValueError, AttributeError):
            continue
        if (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino):
            return stream
    return None


def write_output(target: str, data: bytes, option: str = "output") -> None:
    """Write a result file named on the command line: ``-`` is standard output; a path is
    written atomically (:func:`smallcap_bt.data.store.atomic_write`: a symbolic link is
    followed, a device such as ``/dev/stdout`` written to directly). An operating-system
    error becomes a ``UsageError`` naming ``option`` and the path."""
    stream: TextIO | None = sys.stdout if target == "-" else _std_stream(target)
    if stream is not None:  # '-', or /dev/stdout when stdout is redirected to a file
        stream.flush()
        stream.buffer.write(data)
        stream.buffer.flush()
        return
    from pathlib import Path

    from smallcap_bt.data.store import atomic_write
    from smallcap_bt.exceptions import UsageError

    try:
        atomic_write(Path(target), data)
    except OSError as exc:
        raise UsageError(f"{option} {target}: cannot write: {exc.strerror or exc}") from exc


def human_output(*targets: str | None) -> contextlib.AbstractContextManager[object]:
    """Where a command's tables go: standard error when one of ``targets`` (its result files)
    is ``-``, so that standard output carries only that file; else standard output."""
    if "-" in targets:
        return contextlib.redirect_stdout(sys.stderr)
    return contextlib.nullcontext()


def resolve_progress(
    mode: str | None = "auto", *, quiet: bool = False, stream: IO[str] | None = None
) -> Literal["bar", "plain", "off"]:
    """The progress mode to use.

    Parameters
    ----------
    mode : {"auto", "bar", "plain", "off"}, optional
        Requested mode (``None`` = ``auto``).
    quiet : bool
        ``-q``: no progress whatever ``mode`` says.
    stream : file, optional
        Where progress goes (stderr by default).

    Returns
    -------
    {"bar", "plain", "off"}
        ``bar`` only on a terminal outside CI.
    """
    if mode not in (None, *PROGRESS_MODES):
        raise ValueError(f"progress mode must be one of {list(PROGRESS_MODES)}, not {mode!r}")
    if quiet or mode == "off":
        return "off"
    stream = stream if stream is not None else sys.stderr
    if mode == "plain" or _in_ci() or not _isatty(stream):
        return "plain"
    return "bar"


class Advance(Protocol):
    """Callable returned by :func:`progress`: ``advance(label)`` marks one step done."""

    def __call__(self, label: str = "", steps: int = 1) -> None: ...


@contextmanager
def progress(
    total: int, description: str, mode: str | None = "auto", *, stream: IO[str] | None = None
) -> Iterator[Advance]:
    """Report progress of ``total`` steps; yields ``advance(label="", steps=1)``.

    ``plain`` prints ``description: i/total (pct%) label [elapsed s]`` when a step crosses
    the next tenth of the work, after the first step and at the end.

    Examples
    --------
    >>> with progress(3, "verify", "off") as advance:
    ...     for cid in ["a", "b", "c"]:
    ...         advance(cid)
    """
    how = resolve_progress(mode, stream=stream)
    out = stream if stream is not None else sys.stderr
    if how == "off":
        yield lambda label="", steps=1: None
        return
    if how == "bar":
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[label]}"),
            console=console(out),
            transient=False,
        )
        with bar:
            task = bar.add_task(description, total=total, label="")

            def advance_bar(label: str = "", steps: int = 1) -> None:
                bar.update(task, advance=steps, label=label)

            yield advance_bar
        return
    start = time.monotonic()
    state = {"done": 0, "next": 1}

    def advance_plain(label: str = "", steps: int = 1) -> None:
        state["done"] += steps
        done = state["done"]
        if done >= state["next"] or done >= total:
            pct = 100 * done // max(total, 1)
            text = f"{description}: {done}/{total} ({pct}%)"
            text += f" {label}" if label else ""
            print(f"{text} [{time.monotonic() - start:.1f} s]", file=out, flush=True)
            while state["next"] <= done:
                state["next"] += max(1, total // 10)

    yield advance_plain


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--progress {auto,bar,plain,off}`` to a command's parser."""
    parser.add_argument(
        "--progress",
        choices=PROGRESS_MODES,
        default="auto",
        help="progress on stderr: bar on a terminal, plain lines in CI or when piped, off; "
        "-q turns it off (default: %(default)s)",
    )


def bounded_int(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse ``type`` accepting whole numbers in ``[low, high]`` with a clear message
    (argparse turns the ``ArgumentTypeError`` into exit 2)."""
    import argparse

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be a whole number, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{what} must be between {low:,} and {high:,}, got {value:,}"
            )
        return value

    return parse


def nonempty(what: str) -> Callable[[str], str]:
    """An argparse ``type`` refusing an empty or blank string for ``what`` (an unset shell
    variable): ``--scheduler ""`` ran locally without a word."""
    import argparse

    def parse(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"{what}, got an empty string")
        return text

    return parse


def path_arg(text: str) -> str:
    """An argparse ``type`` for a path option: an empty string (an unset shell variable, as in
    ``--check "$LOCK"``) is a usage error instead of the current folder, or of a check that
    silently never runs (argparse names the option)."""
    import argparse

    if not text.strip():
        raise argparse.ArgumentTypeError("needs a path, got an empty string")
    return text


def add_jobs_option(parser: argparse.ArgumentParser) -> None:
    """``--jobs``: processes evaluating claims (``auto`` = every usable CPU)."""

    def parse(text: str) -> int | str:
        return "auto" if text == "auto" else bounded_int(1, 256, "--jobs")(text)

    parser.add_argument(
        "--jobs",
        type=parse,
        default=None,
        metavar="N|auto",
        help="processes evaluating claims, forked on Linux; results are identical for any "
        "number (default: $SMALLCAP_BT_JOBS, else auto = every CPU this process may use; "
        "--jobs auto ignores $SMALLCAP_BT_JOBS)",
    )


def add_inference_options(parser: argparse.ArgumentParser) -> None:
    """``--seed``, ``--draws`` and ``--joint-draws``, shared by ``verify`` and ``report``."""
    import argparse

    from smallcap_bt.claims.limits import MAX_DRAWS, MAX_JOINT_DRAWS, MIN_DRAWS, MIN_JOINT_DRAWS

    parser.add_argument(
        "--seed",
        type=bounded_int(0, 2**63 - 1, "--seed"),
        default=0,
        help="base seed of every draw, a whole number >= 0 (default: %(default)s)",
    )
    parser.add_argument(
        "--draws",
        type=bounded_int(MIN_DRAWS, MAX_DRAWS, "--draws"),
        default=2000,
        help=f"bootstrap, placebo and null-simulation draws per test, at least {MIN_DRAWS} "
        "(default: %(default)s)",
    )

    def joint(text: str) -> int:
        value = bounded_int(0, MAX_JOINT_DRAWS, "--joint-draws")(text)
        if 0 < value < MIN_JOINT_DRAWS:
            raise argparse.ArgumentTypeError(
                f"--joint-draws is 0 (no joint test) or at least {MIN_JOINT_DRAWS}, got {value}"
            )
        return value

    parser.add_argument(
        "--joint-draws",
        type=joint,
        default=500,
        help=f"draws of the joint test across specifications, 0 to skip, else at least "
        f"{MIN_JOINT_DRAWS} (default: %(default)s)",
    )
