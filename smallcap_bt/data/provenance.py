"""When the bytes of a snapshot file left their source (for citation ``urldate``).

The import date is not a retrieval date. For a file in a snapshot folder the date is taken,
in this order, from:

1. a sidecar ``<file>.retrieved`` holding an ISO date;
2. the folder's ``SOURCES.md`` (or its parent's): the file's own line or section — a
   "retrieved" date, the date of the commit in which the copied file last changed
   ("last changed in `abc123` (2026-07-14)"), a dated snapshot commit in its table row, or
   the zip "member timestamp";
3. the file's own dates: the timestamp of the zip member, unless ``SOURCES.md`` says the
   zip was rebuilt (its timestamps are then fixed, not dates of the data);
4. the folder's name when it is an ISO date.

Otherwise the date is unknown (``None``), which is said, never guessed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

_DATE = r"(\d{4}-\d{2}-\d{2})"


def _sources_text(path: Path) -> str:
    for folder in (path.parent, path.parent.parent):
        f = folder / "SOURCES.md"
        if f.is_file():
            try:
                return f.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return ""
    return ""


def _section(text: str, name: str) -> str:
    m = re.search(rf"^##+\s+{re.escape(name)}\s*$(.*?)(?=^##\s|\Z)", text, re.M | re.S)
    return m.group(1) if m else ""


def _from_sources(text: str, name: str) -> tuple[str, str] | None:
    if not text:
        return None
    blocks = [
        ("SOURCES.md section", _section(text, name)),
        (
            "SOURCES.md notes",
            "\n".join(
                ln for ln in text.splitlines() if re.search(rf"\*\*{re.escape(name)}\*\*", ln)
            ),
        ),
    ]
    for label, block in blocks:
        for pat, how in (
            (rf"retrieved[^\n]*?{_DATE}", "retrieved"),
            (rf"last changed in `?[0-9a-f]+`? \({_DATE}\)", "commit where the file last changed"),
            (rf"member timestamp {_DATE}", "zip member timestamp"),
        ):
            m = re.search(pat, block, re.IGNORECASE)
            if m:
                return m.group(1), f"{label}: {how}"
    row = next(
        (ln for ln in text.splitlines() if re.match(rf"^\|\s*{re.escape(name)}\s*\|", ln)), ""
    )
    m = re.search(rf"\({_DATE}\)", row)
    if m:
        return m.group(1), "SOURCES.md table: snapshot commit date"
    return None


def _rebuilt(text: str, name: str) -> bool:
    return "rebuilt zip" in _section(text, name).lower()


def retrieval_date(path: Path, name: str) -> tuple[str | None, str]:
    """``(ISO date or None, how it was found)`` for snapshot file ``path`` of catalog ``name``."""
    side = path.with_name(path.name + ".retrieved")
    if side.is_file():
        m = re.search(_DATE, side.read_text(errors="replace"))
        if m:
            return m.group(1), f"sidecar {side.name}"
    text = _sources_text(path)
    found = _from_sources(text, name)
    if found:
        return found
    if path.suffix.lower() == ".zip" and not _rebuilt(text, name):
        try:
            with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
                stamp = zf.infolist()[0].date_time
            if stamp[0] > 1980:
                return dt.date(*stamp[:3]).isoformat(), "zip member timestamp"
        except (zipfile.BadZipFile, IndexError, OSError, ValueError):
            pass
    try:
        return dt.date.fromisoformat(path.parent.name).isoformat(), "snapshot folder name"
    except ValueError:
        return None, "unknown (no SOURCES.md entry, sidecar or file date)"
