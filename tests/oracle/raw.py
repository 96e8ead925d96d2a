"""Readers of the raw snapshot files, written from scratch (zipfile + csv, pandas for FRED).

Independent of :mod:`smallcap_bt.data`: a French zip is opened with :mod:`zipfile`, the table
under a title is cut out of the text by hand and parsed with :mod:`csv`; FRED CSVs are read
with :func:`pandas.read_csv`. Returns stay in the files' units unless a function says
otherwise (French: percent; ``*_decimal`` helpers: decimal). -99.99 and -999 become NaN.

Vintage 202602 (the main test vintage) takes its files from several snapshot folders
(:data:`VINTAGE_202602`).
"""

from __future__ import annotations

import csv
import math
import os
import zipfile
from functools import lru_cache
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("SMALLCAP_BT_SHARED_DATA", REPO.parent / "shared" / "data"))
FRED_FOLDER = "2026-08-10"

#: snapshot folder of each French file in vintage 202602
VINTAGE_202602 = {
    "F-F_Research_Data_Factors": "202602",
    "Portfolios_Formed_on_ME": "202602",
    "6_Portfolios_2x3": "202510",
    "F-F_Research_Data_Factors_daily": "202510",
    "F-F_Research_Data_5_Factors_2x3": "202511",
    "F-F_Momentum_Factor": "202511",
}

#: size definitions: (file, monthly table title, small column, large column)
_ME_VW = "Average Value Weight Returns -- Monthly"
_ME_EW = "Average Equal Weighted Returns -- Monthly"
SIZE_LEGS = {
    "tercile.vw": (_ME_VW, "Lo 30", "Hi 30"),
    "quintile.vw": (_ME_VW, "Lo 20", "Hi 20"),
    "decile.vw": (_ME_VW, "Lo 10", "Hi 10"),
    "tercile.ew": (_ME_EW, "Lo 30", "Hi 30"),
    "quintile.ew": (_ME_EW, "Lo 20", "Hi 20"),
    "decile.ew": (_ME_EW, "Lo 10", "Hi 10"),
}
MISSING = (-99.99, -999.0)


def french_text(name: str, folder: str | None = None) -> str:
    """The CSV text inside ``<SHARED>/french/<folder>/ftp/<name>_CSV.zip`` (one member).

    ``folder`` defaults to the snapshot that supplies ``name`` in vintage 202602.
    """
    folder = folder or VINTAGE_202602[name]
    path = SHARED / "french" / folder / "ftp" / f"{name}_CSV.zip"
    return _zip_text(str(path))


@lru_cache(maxsize=32)
def _zip_text(path: str) -> str:
    with zipfile.ZipFile(path) as zf:
        members = zf.namelist()
        if len(members) != 1:
            raise ValueError(f"{path}: expected one member, found {members}")
        return zf.read(members[0]).decode("latin-1")


def french_table(name: str, title: str, folder: str | None = None) -> pd.DataFrame:
    """One table of a French file: rows after the line containing ``title``.

    The first line after the title that starts with a comma is the header; data lines follow
    until the first blank line. Index: ``PeriodIndex[M]`` for YYYYMM keys, ``int`` years for
    YYYY keys. Values in the file's units (percent for returns); -99.99 / -999 are NaN.
    """
    lines = french_text(name, folder).splitlines()
    try:
        at = next(i for i, ln in enumerate(lines) if title in ln)
    except StopIteration:
        raise KeyError(
            f"{name} ({folder or VINTAGE_202602[name]}): no table titled {title!r}"
        ) from None
    i = at + 1
    while not lines[i].startswith(","):
        i += 1
    header = [c.strip() for c in next(csv.reader([lines[i]]))][1:]
    keys, rows = [], []
    for ln in lines[i + 1 :]:
        if not ln.strip():
            break
        cells = [c.strip() for c in next(csv.reader([ln]))]
        keys.append(cells[0])
        vals = [float(c) for c in cells[1:]]
        rows.append([math.nan if v in MISSING else v for v in vals])
    if len(keys[0]) == 6:
        index = pd.PeriodIndex([pd.Period(f"{k[:4]}-{k[4:]}", freq="M") for k in keys])
    else:
        index = pd.Index([int(k) for k in keys])
    return pd.DataFrame(rows, index=index, columns=header)


def factors_monthly() -> pd.DataFrame:
    """Fama-French 3 factors, monthly, decimal (columns Mkt-RF, SMB, HML, RF).

    The monthly table has no title of its own: it is the first table after the header note.
    """
    return french_table("F-F_Research_Data_Factors", "created using") / 100


def factors_annual() -> pd.DataFrame:
    """The published annual factors table (January-December), percent, index = year."""
    return french_table("F-F_Research_Data_Factors", "Annual Factors: January-December")


def smb() -> pd.Series:
    """Monthly SMB, decimal."""
    return factors_monthly()["SMB"]


def legs(definition: str) -> tuple[pd.Series, pd.Series]:
    """(small, large) monthly total returns of a leg definition, decimal, NaN rows dropped."""
    title, lo, hi = SIZE_LEGS[definition]
    t = french_table("Portfolios_Formed_on_ME", title)
    both = t[[lo, hi]].dropna() / 100
    return both[lo].rename("small"), both[hi].rename("large")


def fred(series_id: str) -> pd.Series:
    """A FRED series from the 2026-08-10 snapshot: DatetimeIndex, '.' as NaN, NaN dropped."""
    path = SHARED / "fred" / FRED_FOLDER / f"{series_id}.csv"
    df = pd.read_csv(path, na_values=["."])
    if df.shape[1] != 2:
        raise ValueError(f"{path}: expected 2 columns, found {list(df.columns)}")
    s = pd.Series(
        df.iloc[:, 1].to_numpy(float), index=pd.DatetimeIndex(df.iloc[:, 0]), name=series_id
    )
    return s.dropna()


def fred_monthly(series_id: str, how: str = "mean") -> pd.Series:
    """A FRED series on a monthly ``PeriodIndex`` (monthly series as is; daily: mean or last)."""
    s = fred(series_id)
    m = s.groupby(s.index.to_period("M"))
    return m.last() if how == "last" else m.mean()
