"""The parsed-frame cache: one Parquet file (pyarrow) per dataset of a stored file.

The cache is only a speed-up: the raw bytes stay the truth. A cache file is keyed by the raw
file's sha256, the dataset id and the parser version, so a new parser never reads an old
cache; a cache file that cannot be read, or whose shape (columns, rows, index) disagrees with
the manifest, or whose values do not hash to the manifest's ``values_sha256`` (recorded at
import), is ignored and rebuilt from the raw bytes. Never unpickles anything.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

from smallcap_bt.data.catalog import DatasetSpec

_INDEX = "__date__"
#: bump when the cache file layout changes (the file name carries it)
CACHE_VERSION = "1"


def write_frame(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` to ``path`` atomically as Parquet.

    The index is stored as period ordinals (monthly, annual) or datetimes (daily), so reading
    it back needs no date parsing.
    """
    from smallcap_bt.data.store import atomic_write

    idx = frame.index
    keys = idx.asi8 if isinstance(idx, pd.PeriodIndex) else idx.to_numpy()
    table = frame.reset_index(drop=True)
    table.columns = [str(c) for c in table.columns]
    table.insert(0, _INDEX, keys)
    buf = io.BytesIO()
    table.to_parquet(buf, engine="pyarrow", index=False)
    atomic_write(path, buf.getvalue())


def frame_digest(frame: pd.DataFrame) -> str:
    """sha256 of a parsed frame's dates, column names and values (float64 bytes): recorded in
    the manifest at import, so that a cache file whose values were changed after it was
    written (the shape checks cannot see that) is not trusted."""
    import hashlib

    import numpy as np

    h = hashlib.sha256()
    idx = frame.index
    if isinstance(idx, pd.DatetimeIndex):
        keys = idx.as_unit("ns").asi8  # the same dates hash alike at any time unit
    elif isinstance(idx, pd.PeriodIndex):
        keys = idx.asi8
    else:
        keys = np.asarray(idx)
    h.update(np.ascontiguousarray(keys, dtype="int64").tobytes())
    h.update("\x1f".join(str(c) for c in frame.columns).encode())
    h.update(np.ascontiguousarray(frame.to_numpy(dtype="float64")).tobytes())
    return h.hexdigest()


def _key(value: object) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else str(value)


def read_frame(
    path: Path, spec: DatasetSpec, meta: dict[str, Any] | None, parser_version: str = ""
) -> pd.DataFrame | None:
    """The cached frame of ``spec`` at ``path``, or None when missing, unreadable or stale.

    ``meta`` is the dataset's manifest entry (``rows``, ``first``, ``last``, ``columns``,
    ``values_sha256``); a cache that disagrees with it is stale. The values' digest is
    compared only when the manifest recorded it with ``parser_version`` (a later parser may
    read the same bytes differently; its caches are rebuilt under their own names).
    """
    if meta is None or not path.is_file():
        return None
    try:
        table = pd.read_parquet(path, engine="pyarrow")
        keys = table.pop(_INDEX)
        if spec.frequency in ("M", "A"):
            freq = "M" if spec.frequency == "M" else "Y"
            index: pd.Index = pd.PeriodIndex.from_ordinals(
                keys.to_numpy(dtype="int64"), freq=freq, name="date"
            )
        else:
            index = pd.DatetimeIndex(keys, name="date")
        frame = pd.DataFrame(table.to_numpy(dtype=float), index=index, columns=list(table.columns))
    except Exception:  # any unreadable cache is rebuilt from the raw bytes
        return None
    if (
        len(frame) != meta.get("rows")
        or list(frame.columns) != list(meta.get("columns", frame.columns))
        or not len(frame)
        or _key(index[0]) != str(meta.get("first"))
        or _key(index[-1]) != str(meta.get("last"))
    ):
        return None
    want = meta.get("values_sha256")
    same_parser = meta.get("values_parser") == parser_version
    if want is not None and same_parser and frame_digest(frame) != want:  # changed since
        return None
    frame.columns.name = spec.id
    return frame
