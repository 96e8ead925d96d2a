"""One aligned monthly frame of size returns and macro series (``monthly_panel``).

Timing convention: a macro value at month ``t`` is what was known at the end of month ``t``
(monthly averages of month ``t``, or the month-end level of daily series). To condition the
return of month ``t+1`` on it, shift by one month; the stats functions do this with ``lag=1``.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict

import numpy as np
import pandas as pd

# the panel column -> datasets mapping is pure Python (claims are validated without pandas)
from smallcap_bt.columns import (  # noqa: F401  (column_datasets re-exported)
    COLUMN_DATASETS,
    SIZE_DATASETS,
    column_datasets,
)
from smallcap_bt.data.load import load
from smallcap_bt.data.store import Store
from smallcap_bt.exceptions import DataUnavailableError
from smallcap_bt.panel.definitions import StoreArg, legs, size_definitions

#: every panel column with its units and source (``<id>`` stands for a size definition id)
PANEL_COLUMNS: dict[str, str] = {
    "sml.<id>": "small minus large return, decimal per month (Kenneth French)",
    "small.<id>": "small leg total return, decimal per month",
    "large.<id>": "large leg total return, decimal per month",
    "mkt": "market total return (Mkt-RF + RF), decimal per month",
    "mkt_rf": "market excess return, decimal per month",
    "smb": "SMB factor, decimal per month",
    "hml": "HML factor, decimal per month",
    "rf": "1-month T-bill return, decimal per month",
    "fedfunds": "effective fed funds rate, monthly average, percent p.a. (FRED FEDFUNDS)",
    "target": "fed funds target at month end, percent p.a.: DFEDTAR to 2008-12-15, then the "
    "midpoint of DFEDTARL/DFEDTARU (FRED; effective dates)",
    "target_change": "change of the month-end target over the month, percentage points",
    "tbill": "3-month T-bill rate, percent p.a. (FRED TB3MS)",
    "gs2": "2-year Treasury yield, percent p.a. (FRED GS2)",
    "gs10": "10-year Treasury yield, percent p.a. (FRED GS10)",
    "slope_10y3m": "GS10 minus TB3MS, percentage points (monthly FRED series)",
    "t10y3m": "10y minus 3m spread, monthly mean of daily FRED T10Y3M, percentage points",
    "t10y2y": "10y minus 2y spread, monthly mean of daily FRED T10Y2Y, percentage points",
    "cpi_yoy": "CPI inflation over 12 months, percent (FRED CPIAUCSL)",
    "real_rate": "TB3MS minus cpi_yoy, percent",
    "usrec": "NBER recession month indicator, 0/1 (FRED USREC)",
    "credit_spread": "BAA minus AAA yield, percentage points (FRED)",
    "ip_growth": "industrial production growth over 12 months, percent (FRED INDPRO)",
    "unrate": "unemployment rate, percent (FRED UNRATE)",
    "rel_beme": "aggregate BE/ME of the three small 2x3 portfolios over that of the three big "
    "ones (value-weighted by total market equity = avg cap x firms), ratio",
}


def _monthly(series_id: str, vintage: str | None, store: StoreArg, how: str = "mean") -> pd.Series:
    frame = load(f"fred.{series_id}", vintage, store=store)
    s = frame.iloc[:, 0]
    if isinstance(s.index, pd.PeriodIndex):
        return s
    grouped = s.dropna().groupby(s.dropna().index.to_period("M"))
    return grouped.last() if how == "last" else grouped.mean()


def target_rate_daily(vintage: str | None = None, *, store: StoreArg = None) -> pd.Series:
    """Daily fed funds target: DFEDTAR to 2008-12-15, then the midpoint of the target range.

    Percent per annum on FRED's dates, which are *effective* dates (since 2008 usually the day
    after the FOMC announcement).
    """
    old = load("fred.DFEDTAR", vintage, store=store)["dfedtar"]
    up = load("fred.DFEDTARU", vintage, store=store)["dfedtaru"]
    lo = load("fred.DFEDTARL", vintage, store=store)["dfedtarl"]
    mid = (up + lo) / 2
    out = pd.concat([old, mid[mid.index > old.index[-1]]]).dropna()
    out.name = "target"
    return out


def _rel_beme(vintage: str | None, store: StoreArg) -> pd.Series:
    beme = load("ff.portfolios_2x3.beme", vintage, store=store)
    cap = load("ff.portfolios_2x3.market_cap", vintage, store=store)
    firms = load("ff.portfolios_2x3.firms", vintage, store=store)
    me = cap * firms

    def agg(cols: list[str]) -> pd.Series:
        return (beme[cols] * me[cols]).sum(axis=1, min_count=len(cols)) / me[cols].sum(axis=1)

    small = agg(["small_lobm", "small_medbm", "small_hibm"])
    big = agg(["big_lobm", "big_medbm", "big_hibm"])
    return small / big


def monthly_panel(vintage: str | None = None, *, store: StoreArg = None) -> pd.DataFrame:
    """The aligned monthly panel used by every claim (see :data:`PANEL_COLUMNS`).

    Parameters
    ----------
    vintage : str, optional
        Named vintage (default vintage of the store when omitted).
    store : Store or path, optional

    Returns
    -------
    pandas.DataFrame
        ``PeriodIndex[M]`` spanning the Kenneth French factors file; macro columns are NaN
        where FRED has no data. A dataset missing from the vintage leaves out only the
        columns computed from it, never silently: ``attrs["missing_columns"]`` maps each
        left-out column to the reason (reading it through
        :meth:`smallcap_bt.data.vintage.DeclaredData.col` raises a data error).
        A fresh copy: mutating it never touches another caller's panel.

    Notes
    -----
    The panel depends only on the vintage's files, which the manifest names by their sha256,
    so this process keeps the last :data:`MEMO_SIZE` panels it built, keyed by store, vintage
    name and the ``(file, sha256)`` of every file the vintage holds (a re-imported file has
    another hash, so another key). A repeated call reads the manifest, checks the stored
    files the panel reads against their sha256 as a build does (a damaged file is the same
    error) and copies the frame: about 3 ms against 0.2-0.35 s for a build from about 35
    cached frames. A panel is not kept when the manifest changed while it was built (another
    process importing). :func:`clear_panel_memo` empties the memo.
    """
    st = store if isinstance(store, Store) else Store(store)
    name = st.resolve(vintage)
    files = st.manifest(name)["files"]
    key = _memo_key(st, name, files)
    with _MEMO_LOCK:
        hit = _MEMO.get(key)
        if hit is not None:
            _MEMO.move_to_end(key)
    if hit is not None:
        for file in _panel_files() & files.keys():  # as a build: a damaged blob is an error
            st.verified_bytes(files[file], name)
        return hit.copy()  # deep: values and attrs
    panel = _build(name, st)
    # not kept if another process changed the vintage meanwhile
    if _memo_key(st, name, st.manifest(name)["files"]) == key:
        with _MEMO_LOCK:
            _MEMO[key] = panel
            while len(_MEMO) > MEMO_SIZE:
                _MEMO.popitem(last=False)
    return panel.copy()


#: panels kept by :func:`monthly_panel` in this process (most recently used last)
MEMO_SIZE = 8
_MEMO: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_MEMO_LOCK = threading.Lock()


def _reset_lock() -> None:  # a child forked while another thread held the lock
    global _MEMO_LOCK
    _MEMO_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_reset_lock)


def _memo_key(st: Store, name: str, files: dict) -> tuple:
    """Store (absolute: a relative root names another folder after a change of working
    folder), vintage name and every ``(file, sha256)`` of the manifest's ``files``."""
    hashes = tuple(sorted((f, r["sha256"]) for f, r in files.items()))
    return (os.path.abspath(st.root), name, hashes)


@functools.cache
def _panel_files() -> frozenset[str]:
    """The catalogue files a panel build reads."""
    from smallcap_bt.data.catalog import dataset

    tables = [*COLUMN_DATASETS.values(), *SIZE_DATASETS.values()]
    return frozenset(dataset(ds).file for sources in tables for ds in sources)


def clear_panel_memo() -> None:
    """Forget the panels :func:`monthly_panel` kept (the next call builds its panel again)."""
    with _MEMO_LOCK:
        _MEMO.clear()


def _build(vintage: str, store: StoreArg) -> pd.DataFrame:
    """:func:`monthly_panel` built from the store's frames (``vintage`` resolved)."""
    factors = load("ff.factors.monthly", vintage, store=store)
    out = pd.DataFrame(index=factors.index)
    for d in size_definitions():
        lg = legs(d, vintage, store=store)
        out[f"sml.{d.id}"] = lg["sml"]
        out[f"small.{d.id}"] = lg["small"]
        out[f"large.{d.id}"] = lg["large"]
    out["mkt"] = factors["mkt_rf"] + factors["rf"]
    for c in ("mkt_rf", "smb", "hml", "rf"):
        out[c] = factors[c]

    missing: dict[str, str] = {}

    def put(name: str, make) -> None:  # one column; a missing dataset leaves only it out
        try:
            series = make()
        except DataUnavailableError as exc:
            missing[name] = str(exc)
            return
        out[name] = series.reindex(out.index)

    def monthly(sid: str):
        return lambda: _monthly(sid, vintage, store)

    put("fedfunds", monthly("FEDFUNDS"))

    def target_month_end() -> pd.Series:
        target = target_rate_daily(vintage, store=store)
        tm = target.groupby(target.index.to_period("M")).last()
        return tm.reindex(pd.period_range(tm.index[0], tm.index[-1], freq="M")).ffill()

    put("target", target_month_end)
    if "target" in out:
        out["target_change"] = out["target"].diff()
    else:
        missing["target_change"] = missing["target"]
    for sid, col in (
        ("TB3MS", "tbill"),
        ("GS2", "gs2"),
        ("GS10", "gs10"),
        ("UNRATE", "unrate"),
        ("USREC", "usrec"),
        ("T10Y3M", "t10y3m"),
        ("T10Y2Y", "t10y2y"),
    ):
        put(col, monthly(sid))

    def yoy(sid: str):
        def make() -> pd.Series:
            s = _monthly(sid, vintage, store)
            s = s.reindex(pd.period_range(s.index[0], s.index[-1], freq="M"))
            return (s / s.shift(12) - 1) * 100

        return make

    put("cpi_yoy", yoy("CPIAUCSL"))
    put("ip_growth", yoy("INDPRO"))
    put(
        "credit_spread",
        lambda: _monthly("BAA", vintage, store) - _monthly("AAA", vintage, store),
    )
    for col, (a, b) in (("slope_10y3m", ("gs10", "tbill")), ("real_rate", ("tbill", "cpi_yoy"))):
        if a in out and b in out:
            out[col] = out[a] - out[b]
        else:
            missing[col] = missing.get(a) or missing.get(b, "")
    put("rel_beme", lambda: _rel_beme(vintage, store))
    order = [
        "fedfunds", "target", "target_change", "tbill", "gs2", "gs10", "unrate", "usrec",
        "slope_10y3m", "t10y3m", "t10y2y", "cpi_yoy", "real_rate", "credit_spread",
        "ip_growth", "rel_beme",
    ]  # fmt: skip
    first = [c for c in out.columns if c not in order]
    out = out[first + [c for c in order if c in out.columns]]
    out.index.name = "month"
    out = out.astype(np.float64)
    out.attrs["missing_columns"] = missing
    return out
