"""Validation at the data boundary: plausibility rules every parsed table must pass.

Rules (each issue names the file, table, dataset, date or row, and the rule):

``index-gap``
    Monthly and annual tables have no missing period; daily tables no gap longer than
    14 calendar days (Kenneth French trading days; the longest real one is the 1933 bank
    holiday, 12 days) or 5 days (FRED daily series, which write holidays as ``.``).
``index-duplicate``
    No period twice (checked by the parsers too).
``range``
    Returns above −100% and below +1,000% per period; interest rates between −5% and 30%
    per annum; spreads between −10 and +10 percentage points; counts, sizes and price
    indexes not negative; the recession indicator 0 or 1; the unemployment rate 0–100%.
``all-missing``
    A column the catalogue requires holds at least one value (the documented all-missing
    ``<= 0`` column of the size portfolios aside: no firm has a market cap at or below 0).
``interior-missing``
    A monthly or annual column has no missing value between its first and last
    observations (a -99.99 or '.' inside a series would be dropped without a word); a
    FRED series may lack one period it never published, not two.
``scale``
    Monthly and annual returns move by more than 0.5% in some period, and interest rates
    exceed 0.3% p.a. at some time in a series of 20 years or more: values 100 times smaller
    are decimals in a file that writes percent.
``future``
    No observation is dated after today, and no Kenneth French header names a CRSP month
    after today (either would date the vintage in the future, where it wins ``@latest``).
``table-lengths``
    The monthly tables of one file end in the same month, its annual tables in the same
    year, and that year is the last complete calendar year of the monthly tables. This
    catches a truncated last table.

Values that are legal but extreme (a monthly return above +150% or below −75%, a rate
above 25%) are *warnings* (:class:`~smallcap_bt.exceptions.DataQualityWarning`); with
``strict=True`` they are errors too.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from smallcap_bt.data.catalog import DatasetSpec
from smallcap_bt.exceptions import DataQualityWarning, ValidationError

Severity = Literal["error", "warning"]

#: columns documented to be entirely missing (-99.99) in the Kenneth French files
ALL_MISSING_OK = frozenset({"le_0"})
_MAX_LISTED = 8


@dataclass(frozen=True)
class Issue:
    """One broken rule: where (file, table, dataset, date/row, column) and what."""

    severity: Severity
    file: str
    dataset: str
    table: str
    where: str
    rule: str
    message: str

    def __str__(self) -> str:
        table = f"table {self.table!r} " if self.table else ""
        return (
            f"{self.file}: {table}(dataset {self.dataset}), {self.where}: {self.message} "
            f"[rule: {self.rule}]"
        )


@dataclass(frozen=True)
class _Range:
    low: float
    high: float
    warn_low: float
    warn_high: float
    what: str
    scale: float = 1.0  # shown value = stored value x scale
    unit: str = ""


_RETURN = {
    "M": _Range(-1.0, 10.0, -0.75, 1.5, "a monthly return", 100, "%"),
    "A": _Range(-1.0, 10.0, -0.95, 4.0, "an annual return", 100, "%"),
    "D": _Range(-1.0, 10.0, -0.3, 0.5, "a daily return", 100, "%"),
}


def _range_for(spec: DatasetSpec) -> _Range | None:
    units = spec.units
    inf = float("inf")
    if units.startswith("decimal return"):
        return _RETURN[spec.frequency]
    if units == "percent per annum":
        return _Range(-5.0, 30.0, -1.0, 25.0, "an interest rate", 1, "% p.a.")
    if units == "percentage points":
        return _Range(-10.0, 10.0, -6.0, 6.0, "a yield spread", 1, " pp")
    if units == "percent":
        return _Range(0.0, 100.0, 0.0, 30.0, "a percentage", 1, "%")
    if units == "0/1 indicator":
        return _Range(0.0, 1.0, 0.0, 1.0, "a 0/1 indicator", 1, "")
    if units.startswith("index"):
        return _Range(0.0, 1e5, 0.0, 1e4, "an index level", 1, "")
    if units == "number of firms":
        return _Range(0.0, 1e6, 0.0, 2e4, "a number of firms", 1, "")
    if units == "USD millions":
        return _Range(0.0, 1e8, 0.0, 5e6, "an average size", 1, " USD million")
    if units.startswith("ratio (book"):
        return _Range(0.0, 1e4, 0.0, 100.0, "a book-to-market ratio", 1, "")
    if units.startswith("ratio") or units.startswith("log growth"):
        return _Range(-inf, inf, -1e3, 1e3, "a ratio", 1, "")
    return None


def _label(idx: pd.Index, i: int) -> str:
    v = idx[i]
    return v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else str(v)


def check_index(index: pd.Index, spec: DatasetSpec, file: str, table: str = "") -> list[Issue]:
    """Gaps and duplicates of a table's index (rules ``index-gap``, ``index-duplicate``)."""
    out: list[Issue] = []

    def issue(where: str, rule: str, msg: str) -> None:
        out.append(Issue("error", file, spec.id, table, where, rule, msg))

    if len(index) == 0:
        issue("whole table", "index-gap", "the table has no rows")
        return out
    dup = index[index.duplicated()]
    if len(dup):
        issue(f"date {dup[0]}", "index-duplicate", f"date {dup[0]} appears twice")
    if isinstance(index, pd.PeriodIndex):
        ordinals = np.asarray(index.asi8)
        steps = np.diff(ordinals)
        bad = np.flatnonzero(steps > 1)
        if len(bad):
            i = int(bad[0])
            missing = int(steps[i] - 1)
            unit = "month" if spec.frequency == "M" else "year"
            issue(
                f"after {_label(index, i)}",
                "index-gap",
                f"{missing} {unit}{'s' if missing > 1 else ''} missing between "
                f"{_label(index, i)} and {_label(index, i + 1)}",
            )
    elif isinstance(index, pd.DatetimeIndex) and len(index) > 1:
        limit = 5 if spec.source == "fred" else 14
        days = np.diff(index.values.astype("datetime64[D]").astype(np.int64))
        bad = np.flatnonzero(days > limit)
        if len(bad):
            i = int(bad[0])
            issue(
                f"after {_label(index, i)}",
                "index-gap",
                f"{int(days[i])} days without a row between {_label(index, i)} and "
                f"{_label(index, i + 1)} (at most {limit} allowed for a daily series)",
            )
    return out


def check_not_future(
    index: pd.Index, spec: DatasetSpec, file: str, table: str = "", today: dt.date | None = None
) -> list[Issue]:
    """The last observation is not after ``today`` (rule ``future``): a series extended into
    the future would date its vintage there and win ``@latest`` and the default."""
    if len(index) == 0:
        return []
    today = today or dt.datetime.now(dt.UTC).date()
    last = index[-1]
    first_day = last.start_time.date() if isinstance(last, pd.Period) else last.date()
    if first_day <= today:
        return []
    where = _label(index, len(index) - 1)
    msg = f"the last observation, {where}, is after today ({today.isoformat()})"
    return [Issue("error", file, spec.id, table, where, "future", msg)]


def check_header_month(vintage: str | None, file: str, today: dt.date | None = None) -> list[Issue]:
    """The CRSP month a Kenneth French header names (``YYYYMM``) is not after ``today``
    (rule ``future``): it dates the file's vintage."""
    if not vintage:
        return []
    today = today or dt.datetime.now(dt.UTC).date()
    if dt.date(int(vintage[:4]), int(vintage[4:]), 1) <= today:
        return []
    msg = f"the header names the {vintage} CRSP database, after today ({today.isoformat()})"
    return [Issue("error", file, "", "", "header", "future", msg)]


def check_values(frame: pd.DataFrame, spec: DatasetSpec, file: str, table: str = "") -> list[Issue]:
    """Plausible ranges and all-missing columns (rules ``range``, ``all-missing``)."""
    out: list[Issue] = []

    def issue(where: str, rule: str, msg: str, severity: Severity = "error") -> None:
        out.append(Issue(severity, file, spec.id, table, where, rule, msg))

    rng = _range_for(spec)
    for col in frame.columns:
        values = frame[col].to_numpy(dtype=float)
        if col in spec.columns and col not in ALL_MISSING_OK and np.isnan(values).all():
            issue(
                f"column {col}",
                "all-missing",
                "every value is a missing-value code (-99.99/-999 or '.'); no observation to use",
            )
            continue
        finite = ~np.isnan(values)
        hit = _interior_missing(values, spec)
        if hit is not None:
            where = _label(frame.index, hit[0])
            issue(
                where,
                "interior-missing",
                f"column {col}: {hit[1]} missing value(s) (-99.99/-999 or '.') between "
                f"its first and last observations, the first at {where}",
            )
        scale = _scale_issue(values[finite], spec, frame.index)
        if scale:
            issue(f"column {col}", "scale", scale)
            continue
        if rng is None:
            continue
        checks: tuple[tuple[Severity, float, float, bool], ...] = (
            ("error", rng.low, rng.high, rng.low <= -1.0 and rng.unit == "%"),
            ("warning", rng.warn_low, rng.warn_high, False),
        )
        for severity, lo, hi, strict_lo in checks:
            below = (values <= lo) if strict_lo else (values < lo)
            bad = np.flatnonzero(finite & (below | (values > hi) | np.isinf(values)))
            if not len(bad):
                continue
            i = int(bad[0])
            shown = values[i] * rng.scale
            more = f" ({len(bad) - 1} more such values)" if len(bad) > 1 else ""
            if severity == "error":
                lo_s = f"{lo * rng.scale:g}{rng.unit}"
                bound = f"above {lo_s}" if strict_lo else f"at least {lo_s}"
                msg = (
                    f"column {col}: {shown:g}{rng.unit} is not plausible for {rng.what} "
                    f"(must be {bound} and at most {hi * rng.scale:g}{rng.unit}){more}"
                )
            else:
                msg = (
                    f"column {col}: {shown:g}{rng.unit} is legal but extreme for {rng.what} "
                    f"(outside {lo * rng.scale:g}..{hi * rng.scale:g}{rng.unit}){more}"
                )
            issue(_label(frame.index, i), "range", msg, severity)
            break  # one issue per column: an error hides the warning
    return out


def _interior_missing(values: np.ndarray, spec: DatasetSpec) -> tuple[int, int] | None:
    """Position of the first missing value between a monthly or annual column's first and
    last observations, and how many there are. Daily FRED series mark holidays so, and a
    monthly FRED series may lack one month that was never published (CPI and UNRATE of
    October 2025, a government shutdown): one missing period in a FRED series is allowed,
    not two."""
    if spec.frequency not in ("M", "A"):
        return None
    ok = np.flatnonzero(~np.isnan(values))
    if len(ok) < 2:
        return None
    inner = np.isnan(values[ok[0] : ok[-1] + 1])
    gaps = np.flatnonzero(inner)
    if spec.source == "fred" and len(gaps) == 1:  # one unpublished period (ends are values)
        return None
    return (int(ok[0] + gaps[0]), len(gaps)) if len(gaps) else None


def _scale_issue(finite: np.ndarray, spec: DatasetSpec, index: pd.Index) -> str:
    """A column 100 times too small: its file holds decimals where the source writes
    percent (monthly and annual returns: every real column moves by more than 0.5% in some
    period; rates per annum: above 0.3% at some time in any 20 years)."""
    if len(finite) < 24:
        return ""
    biggest = float(np.max(np.abs(finite)))
    if spec.units.startswith("decimal return") and spec.frequency in ("M", "A"):
        if biggest < 0.005:
            return (
                f"the largest return is {biggest * 100:.4g}%: the values look 100 times too "
                "small (decimals in a file that writes percent)"
            )
    elif spec.units == "percent per annum" and biggest < 0.3 and (years := _years(index)) >= 20:
        return (
            f"the highest rate in {years:.0f} years is {biggest:.4g}% p.a.: the values look "
            "100 times too small (decimals in a file that writes percent)"
        )
    return ""


def _years(index: pd.Index) -> float:
    if isinstance(index, pd.PeriodIndex):
        index = index.to_timestamp()
    return float((index[-1] - index[0]).days / 365.25) if len(index) else 0.0


def _last_full_year(last_month: pd.Period) -> int:
    return last_month.year if last_month.month == 12 else last_month.year - 1


def check_table_lengths(
    tables: Sequence[tuple[DatasetSpec, str, pd.Index]], file: str
) -> list[Issue]:
    """Tables of one file end together (rule ``table-lengths``).

    ``tables`` holds ``(spec, title, index)`` of every dataset read from one file.
    """
    out: list[Issue] = []
    monthly = [(s, t, i) for s, t, i in tables if s.frequency == "M" and len(i)]
    annual = [(s, t, i) for s, t, i in tables if s.frequency == "A" and len(i)]
    last_m = max((i[-1] for _, _, i in monthly), default=None)
    for s, t, i in monthly:
        if i[-1] != last_m:
            out.append(
                Issue(
                    "error",
                    file,
                    s.id,
                    t,
                    f"row {len(i)} ({i[-1]})",
                    "table-lengths",
                    f"the table ends in {i[-1]} after {len(i)} rows while the file's other "
                    f"monthly tables run to {last_m}; the table looks truncated (a blank "
                    "line or a cut inside it)",
                )
            )
    if annual:
        want = (
            _last_full_year(last_m) if last_m is not None else max(i[-1].year for *_, i in annual)
        )
        for s, t, i in annual:
            if i[-1].year != want:
                out.append(
                    Issue(
                        "error",
                        file,
                        s.id,
                        t,
                        f"row {len(i)} ({i[-1]})",
                        "table-lengths",
                        f"the annual table ends in {i[-1]} after {len(i)} rows, but the "
                        f"last complete year of the file's monthly tables is {want}; "
                        "the table looks truncated",
                    )
                )
    return out


def enforce(issues: Iterable[Issue], *, strict: bool = False, warn: bool = True) -> list[Issue]:
    """Raise on errors (and on warnings when ``strict``); issue the remaining warnings.

    Returns
    -------
    list of Issue
        The warnings that were kept (legal but extreme values).

    Raises
    ------
    ValidationError
        Listing every error (the first few in full).
    """
    issues = list(issues)
    errors = [i for i in issues if i.severity == "error" or strict]
    if errors:
        lines = [str(i) for i in errors[:_MAX_LISTED]]
        if len(errors) > _MAX_LISTED:
            lines.append(f"... and {len(errors) - _MAX_LISTED} more")
        head = "rejected: " if len(errors) == 1 else f"rejected, {len(errors)} problems:\n  "
        note = " (warnings are errors with strict=True / --strict)" if strict else ""
        raise ValidationError(head + "\n  ".join(lines) + note)
    kept = [i for i in issues if i.severity == "warning"]
    if warn:
        for i in kept:
            warnings.warn(str(i), DataQualityWarning, stacklevel=3)
    return kept
