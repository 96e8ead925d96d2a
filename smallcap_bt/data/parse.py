"""Pure parsers: raw bytes in, typed frames out. No I/O, no network.

Kenneth French files hold several tables, each under a title, separated by blank lines, with a
description at the top and a copyright footer at the end. Tables are found by their titles,
never by their position. FRED files are two-column ``observation_date,<SERIES>`` CSVs.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from smallcap_bt.data.catalog import DatasetSpec, canonical_column
from smallcap_bt.exceptions import SchemaError

#: bump when parsing output changes, so parsed caches are rebuilt
PARSER_VERSION = "2"

_MISSING = (-99.99, -999.0)
_DATE_FIELD = re.compile(r"^\s*(\d{4}|\d{6}|\d{8})\s*$")
_DATA_ROW = re.compile(r"^\s*(\d{4}|\d{6}|\d{8})\s*,")
_VINTAGE = re.compile(r"using the (\d{6}) CRSP database", re.IGNORECASE)


@dataclass(frozen=True)
class FrenchTable:
    """One table of a Kenneth French file, values as written (percent, with -99.99 codes)."""

    title: str
    labels: tuple[str, ...]
    keys: tuple[str, ...]
    values: np.ndarray
    first_line: int

    @property
    def normalized_title(self) -> str:
        """Lower-cased title with white space folded, as matched by the catalog."""
        return " ".join(self.title.split()).lower()


@dataclass(frozen=True)
class FrenchFile:
    """A parsed Kenneth French file: its description, vintage line and tables."""

    name: str
    preamble: str
    vintage_line: str
    tables: tuple[FrenchTable, ...]

    @property
    def crsp_vintage(self) -> str | None:
        """The CRSP database vintage named in the header (``"202602"``), if any."""
        m = _VINTAGE.search(self.vintage_line)
        return m.group(1) if m else None

    def titles(self) -> list[str]:
        """Titles of all tables, in file order (``""`` for the untitled first table)."""
        return [t.title for t in self.tables]


def header_sentence(line: str | None) -> str:
    """A French file's vintage line up to the end of the sentence that names its CRSP
    database, without the start of the next sentence sharing the line (``"This file was
    created using the 202602 CRSP database.  It contains"`` -> ``"... 202602 CRSP
    database."``); white space folded. A line naming no CRSP database is returned whole
    (folded); ``""`` for none."""
    text = " ".join((line or "").split())
    m = re.search(r"\bCRSP database\b[^.]*\.?", text, re.IGNORECASE)
    return text[: m.end()].strip() if m else text


def looks_like_html(data: bytes) -> bool:
    """Whether ``data`` is an HTML page (an error or login page served with HTTP 200)."""
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head[:512]


def _html_first_line(data: bytes) -> str:
    text = data[:2048].decode("utf-8", "replace")
    m = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    return " ".join((m.group(1) if m else text.strip().split("\n", 1)[0]).split())[:80]


def unzip_single_csv(data: bytes, name: str) -> bytes:
    """Return the bytes of the one CSV member of a Kenneth French zip.

    Raises
    ------
    SchemaError
        When ``data`` is an HTML page, not a readable zip (e.g. truncated), or does not hold
        exactly one member, a CSV file.
    """
    if looks_like_html(data):
        raise SchemaError(
            f"{name}: the file is an HTML page ({_html_first_line(data)!r}), not a zip; "
            "the server sent an error or landing page instead of the data"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [m for m in zf.namelist() if not m.endswith("/")]
            members = [m for m in names if m.lower().endswith(".csv")]
            if not members:
                raise SchemaError(
                    f"{name}: zip holds no CSV member (members: {zf.namelist() or 'none'})"
                )
            if len(names) != 1:
                raise SchemaError(
                    f"{name}: zip holds {len(names)} members {names}; a Kenneth French zip "
                    "holds exactly one CSV file, so which one to use is ambiguous"
                )
            return zf.read(members[0])
    except zipfile.BadZipFile as exc:
        raise SchemaError(
            f"{name}: not a readable zip file ({exc}); the download may be truncated"
        ) from exc
    except (zipfile.LargeZipFile, OSError, EOFError, zlib.error) as exc:  # corrupt member data
        raise SchemaError(f"{name}: zip member cannot be read ({exc})") from exc


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def parse_french_csv(raw: bytes, name: str) -> FrenchFile:
    """Split the text of a Kenneth French CSV into its tables.

    Line endings CRLF, LF and lone CR are all accepted. A table starts at a header line
    beginning with a comma; its title is the text between the previous table and the header
    (the untitled first table of a factors file gets ``""``). Rows run until the first line
    that is not ``<date>,<values>``.

    Raises
    ------
    SchemaError
        No table, a row with the wrong number of fields, a bad date, or no copyright footer
        (a truncated file).
    """
    text = _decode(raw).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    headers = [i for i, line in enumerate(lines) if line.startswith(",")]
    if not headers:
        raise SchemaError(f"{name}: no table found (no header line starting with ',')")
    if not any(line.strip().startswith("Copyright") for line in lines[headers[-1] :]):
        raise SchemaError(
            f"{name}: the copyright footer after the last table is missing; "
            "the file looks truncated"
        )
    tables: list[FrenchTable] = []
    prev_end = 0
    preamble = ""
    for h in headers:
        block = [ln.strip() for ln in lines[prev_end:h]]
        if not tables:
            # first table: the title is an indented block right above the header, if any
            j = h - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            k = j
            while k >= 0 and lines[k].strip():
                k -= 1
            candidate = lines[k + 1 : j + 1]
            if candidate and candidate[0].startswith(" ") and k >= 0:
                title = " ".join(x.strip() for x in candidate)
                preamble = "\n".join(x.rstrip() for x in lines[: k + 1]).strip()
            else:
                title = ""
                preamble = "\n".join(x.rstrip() for x in lines[:h]).strip()
        else:
            title = " ".join(x for x in block if x)
        labels = tuple(x.strip() for x in lines[h].split(",")[1:])
        keys: list[str] = []
        rows: list[list[str]] = []
        i = h + 1
        while i < len(lines):
            line = lines[i]
            fields = line.split(",")
            if not line.strip() or not _DATE_FIELD.match(fields[0]):
                break
            if len(fields) != len(labels) + 1:
                raise SchemaError(
                    f"{_where(name, title)}, line {i + 1}: expected "
                    f"{len(labels) + 1} fields, found {len(fields)}; the file looks truncated"
                )
            keys.append(fields[0].strip())
            rows.append(fields[1:])
            i += 1
        if not rows:
            raise SchemaError(f"{_where(name, title)} has no data rows")
        try:
            values = np.array(rows, dtype=float)
        except ValueError as exc:
            raise SchemaError(f"{_where(name, title)} holds a non-numeric value ({exc})") from exc
        if not np.isfinite(values).all():  # 'nan'/'inf' parse as floats; the files use -99.99
            r, c = (int(x[0]) for x in np.nonzero(~np.isfinite(values)))
            raise SchemaError(
                f"{_where(name, title)}, line {h + 2 + r} ({keys[r]}), column "
                f"{labels[c]!r}: {rows[r][c].strip()!r} is not a number (Kenneth French files "
                "write a missing value as -99.99 or -999)"
            )
        tables.append(FrenchTable(title, labels, tuple(keys), values, h + 1))
        prev_end = i
        nxt = next((x for x in headers if x > h), len(lines))
        stray = next((j for j in range(i, nxt) if _DATA_ROW.match(lines[j])), None)
        if stray is not None:
            raise SchemaError(
                f"{_where(name, title)} stops at line {i + 1} after "
                f"{len(rows)} rows (last date {keys[-1]}), but line {stray + 1} holds another "
                f"data row ({lines[stray][:20].strip()}...): a blank or broken line inside the "
                "table cuts it short"
            )
    first = preamble.split("\n", 1)[0].strip() if preamble else ""
    vintage_line = next((ln.strip() for ln in preamble.split("\n") if _VINTAGE.search(ln)), first)
    return FrenchFile(name, preamble, vintage_line, tuple(tables))


def _where(name: str, title: str) -> str:
    """``"<file>: table '<title>'"`` for messages (the first table of a file is untitled)."""
    return f"{name}: table {title or '(untitled)'!r}"


def _index(keys: tuple[str, ...], name: str, title: str) -> pd.Index:
    width = {len(k) for k in keys}
    if len(width) != 1:
        raise SchemaError(f"{_where(name, title)} mixes date formats {sorted(width)}")
    w = width.pop()
    try:
        if w in (4, 6):
            not_digits = next((k for k in keys if not (k.isascii() and k.isdigit())), None)
            if not_digits is not None:
                raise ValueError(
                    f"{not_digits!r} is not a {'year (YYYY)' if w == 4 else 'month (YYYYMM)'}"
                )
            num = np.array(keys).astype(np.int64)  # YYYY or YYYYMM, digits only
        if w == 6:
            year, month = np.divmod(num, 100)
            bad = np.flatnonzero((month < 1) | (month > 12))
            if bad.size:  # a month 14 would roll over into the next year
                k = keys[bad[0]]
                raise ValueError(f"month {k[4:]} of {k} is not 01-12")
            ordinals = (year - 1970) * 12 + month - 1  # pandas' monthly period ordinals
            idx: pd.Index = pd.PeriodIndex.from_ordinals(ordinals, freq="M", name="date")
        elif w == 4:
            idx = pd.PeriodIndex.from_ordinals(num - 1970, freq="Y", name="date")
        else:
            idx = pd.DatetimeIndex(pd.to_datetime(list(keys), format="%Y%m%d"), name="date")
    except (ValueError, TypeError) as exc:
        i = _first_bad_date(list(keys), "%Y%m%d") if w == 8 else -1
        what = f"{keys[i]!r} is not a date (YYYYMMDD)" if i >= 0 else str(exc).splitlines()[0]
        raise SchemaError(f"{_where(name, title)} has an invalid date ({what})") from exc
    if not idx.is_monotonic_increasing or idx.has_duplicates:
        i = _first_not_increasing(idx)
        raise SchemaError(
            f"{_where(name, title)} dates are not strictly increasing: "
            f"{keys[i + 1]} follows {keys[i]}"
        )
    return idx


def _first_bad_date(texts: list[str], fmt: str) -> int:
    """Position of the first text that is not a date in ``fmt``, or -1 (pandas' own error
    names neither the line nor the value, and adds a hint about format='mixed')."""
    import datetime as dt

    for i, t in enumerate(texts):
        try:
            dt.datetime.strptime(t, fmt)
        except ValueError:
            return i
    return -1


def _first_not_increasing(idx: pd.Index) -> int:
    """Position ``i`` of the first date with ``idx[i + 1] <= idx[i]``."""
    values = np.asarray(idx.asi8)
    return int(np.flatnonzero(np.diff(values) <= 0)[0])


def find_table(ff: FrenchFile, spec: DatasetSpec) -> FrenchTable:
    """Find the table of ``spec`` in ``ff`` by its title (``None`` = the untitled table).

    Raises
    ------
    SchemaError
        The title is not there (the message lists the titles that are), or it matches twice.
    """
    if spec.title is None:
        hits = [t for t in ff.tables if t.title == ""]
    else:
        pat = re.compile(spec.title, re.IGNORECASE)
        hits = [t for t in ff.tables if pat.search(t.normalized_title)]
    if len(hits) != 1:
        what = "untitled first table" if spec.title is None else f"table titled /{spec.title}/"
        found = [t.title or "(untitled)" for t in ff.tables]
        problem = "not found" if not hits else f"matches {len(hits)} tables"
        raise SchemaError(
            f"{ff.name}: {what} for dataset {spec.id!r} {problem}; tables present: {found}"
        )
    return hits[0]


def french_frame(ff: FrenchFile, spec: DatasetSpec) -> pd.DataFrame:
    """The dataset ``spec`` from a parsed French file as a typed frame.

    Percent values become decimals, ``-99.99`` and ``-999`` become NaN, columns get their
    canonical names, monthly/annual tables sit on a ``PeriodIndex`` and daily ones on dates.
    """
    table = find_table(ff, spec)
    cols = [canonical_column(c) for c in table.labels]
    missing = [c for c in spec.columns if c not in cols]
    if missing:
        raise SchemaError(
            f"{_where(ff.name, table.title)} for dataset {spec.id!r} lacks "
            f"columns {missing}; found {list(table.labels)}"
        )
    values = table.values.copy()
    values[np.isin(values, _MISSING)] = np.nan
    if spec.percent:
        values = values / 100.0
    frame = pd.DataFrame(values, index=_index(table.keys, ff.name, table.title), columns=cols)
    expected = {"M": "M", "A": "Y", "D": None}[spec.frequency]
    actual = (
        getattr(frame.index, "freqstr", None) if isinstance(frame.index, pd.PeriodIndex) else None
    )
    if expected != (actual[0] if actual else None):
        raise SchemaError(
            f"{ff.name}: table for dataset {spec.id!r} has frequency {actual or 'daily'}, "
            f"expected {spec.frequency}"
        )
    frame.columns.name = spec.id
    return frame


def parse_fred_csv(raw: bytes, series: str, frequency: str = "M") -> pd.DataFrame:
    """Parse a fredgraph CSV (``observation_date,<SERIES>``) into a one-column frame.

    Missing values written as ``.`` or left blank become NaN. Monthly series get a
    ``PeriodIndex(freq="M")``, daily ones a ``DatetimeIndex``.

    Raises
    ------
    SchemaError
        Unexpected header, a row without two fields, a bad date or a non-numeric value.
    """
    if looks_like_html(raw):
        raise SchemaError(
            f"FRED series {series}: the file is an HTML page ({_html_first_line(raw)!r}), "
            "not a fredgraph CSV; the server sent an error or landing page instead of the data"
        )
    text = _decode(raw).replace("\r\n", "\n").replace("\r", "\n").strip("\ufeff")
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        raise SchemaError(f"FRED series {series}: file is empty")
    head = [h.strip().strip('"') for h in lines[0].split(",")]
    if (
        len(head) != 2
        or head[0].lower() not in ("observation_date", "date")
        or head[1].upper() != series.upper()
    ):
        raise SchemaError(
            f"FRED series {series}: unexpected header {lines[0]!r}; "
            f"expected 'observation_date,{series}'"
        )
    dates: list[str] = []
    vals: list[float] = []
    for n, line in enumerate(lines[1:], start=2):
        parts = line.split(",")
        if len(parts) != 2:
            raise SchemaError(f"FRED series {series}, line {n}: expected 2 fields: {line!r}")
        d, v = parts[0].strip(), parts[1].strip()
        dates.append(d)
        if v in ("", "."):
            vals.append(np.nan)
            continue
        try:
            x = float(v)
        except ValueError:
            x = np.nan
        if not math.isfinite(x):  # 'nan' and 'inf' parse as floats; FRED writes missing as '.'
            raise SchemaError(
                f"FRED series {series}, line {n}: value {v!r} is not a number (FRED writes a "
                "missing value as '.')"
            )
        vals.append(x)
    if not dates:
        raise SchemaError(f"FRED series {series}: no observations")
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(dates, format="%Y-%m-%d"), name="date")
    except ValueError as exc:
        i = _first_bad_date(dates, "%Y-%m-%d")
        where = f", line {i + 2}: {dates[i]!r} is not a date (YYYY-MM-DD)" if i >= 0 else ""
        raise SchemaError(
            f"FRED series {series}{where or ': invalid date (' + str(exc).splitlines()[0] + ')'}"
        ) from exc
    if not idx.is_monotonic_increasing or idx.has_duplicates:
        i = _first_not_increasing(idx)
        raise SchemaError(
            f"FRED series {series}, line {i + 3}: dates are not strictly increasing: "
            f"{dates[i + 1]} follows {dates[i]}"
        )
    if frequency == "M":
        if (idx.day != 1).any():
            raise SchemaError(f"FRED series {series}: monthly dates must be month starts")
        idx = idx.to_period("M")
    frame = pd.DataFrame({series.lower(): np.asarray(vals, dtype=float)}, index=idx)
    frame.columns.name = f"fred.{series}"
    return frame
