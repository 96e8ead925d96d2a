"""The parsed-frame cache: one Parquet file (pyarrow) per dataset of a stored file.

The cache is only a speed-up: the raw bytes stay the truth. A cache file is keyed by the raw
file's sha256, the dataset id and the parser version, so a new parser never reads an old
cache; a cache file that cannot be read, or whose shape (columns, rows, index) disagrees with
the manifest, is ignored and rebuilt from the raw bytes. Never unpickles anything.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

from smallcap_bt.data.catalog import DatasetSpec

_INDEX = "__date__"


def write_frame(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` to ``path`` atomically as Parquet (index stored as ISO strings)."""
    from smallcap_bt.data.store import atomic_write

    idx = frame.index
    keys = idx.strftime("%Y-%m-%d") if isinstance(idx, pd.DatetimeIndex) else idx.astype(str)
    table = frame.reset_index(drop=True)
    table.columns = [str(c) for c in table.columns]
    table.insert(0, _INDEX, list(keys))
    buf = io.BytesIO()
    table.to_parquet(buf, engine="pyarrow", index=False)
    atomic_write(path, buf.getvalue())


def read_frame(path: Path, spec: DatasetSpec, meta: dict[str, Any] | None) -> pd.DataFrame | None:
    """The cached frame of ``spec`` at ``path``, or None when missing, unreadable or stale.

    ``meta`` is the dataset's manifest entry (``rows``, ``first``, ``last``, ``columns``); a
    cache that disagrees with it is stale.
    """
    if meta is None or not path.is_file():
        return None
    try:
        table = pd.read_parquet(path, engine="pyarrow")
        keys = table.pop(_INDEX).astype(str).tolist()
        if spec.frequency == "M":
            index: pd.Index = pd.PeriodIndex(keys, freq="M", name="date")
        elif spec.frequency == "A":
            index = pd.PeriodIndex(keys, freq="Y", name="date")
        else:
            index = pd.DatetimeIndex(pd.to_datetime(keys, format="%Y-%m-%d"), name="date")
        frame = pd.DataFrame(table.to_numpy(dtype=float), index=index, columns=list(table.columns))
    except Exception:  # any unreadable cache is rebuilt from the raw bytes
        return None
    if (
        len(frame) != meta.get("rows")
        or list(frame.columns) != list(meta.get("columns", frame.columns))
        or not keys
        or keys[0] != str(meta.get("first"))
        or keys[-1] != str(meta.get("last"))
    ):
        return None
    frame.columns.name = spec.id
    return frame
