"""Shared output of the command line: exit codes and plain tables."""

from __future__ import annotations

#: exit codes, one meaning each (see ``smallcap_bt.cli``)
EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_DATA = 0, 1, 2, 3


def print_table(rows: list[dict[str, object]], columns: list[str]) -> None:
    widths = {
        c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) if rows else len(c) for c in columns
    }
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns))
