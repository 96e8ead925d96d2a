"""Public data entry points: ``load``, ``import_snapshot``, ``fetch_vintage``, ``vintage_info``."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from smallcap_bt.data.catalog import FILES, dataset, file_spec
from smallcap_bt.data.parse import parse_french_csv, unzip_single_csv
from smallcap_bt.data.store import Store
from smallcap_bt.exceptions import DataUnavailableError

PathLike = str | os.PathLike[str]


def _store(store: Store | PathLike | None) -> Store:
    return store if isinstance(store, Store) else Store(store)


def load(
    dataset_id: str, vintage: str | None = None, *, store: Store | PathLike | None = None
) -> pd.DataFrame:
    """Load one dataset from the local vintage store.

    Parameters
    ----------
    dataset_id : str
        A catalog id such as ``"ff.portfolios_me.monthly.vw"`` or ``"fred.FEDFUNDS"``
        (see :func:`smallcap_bt.catalog`).
    vintage : str, optional
        Named vintage; the store's default vintage when omitted.
    store : Store or path, optional
        The store; ``$SMALLCAP_BT_HOME`` or the user cache dir when omitted.

    Returns
    -------
    pandas.DataFrame
        Kenneth French returns as decimals per period (not percent), missing codes as NaN,
        canonical snake_case columns; monthly data on ``PeriodIndex(freq="M")``, annual on
        ``PeriodIndex(freq="Y")``, daily on a ``DatetimeIndex``. FRED series keep their
        published units (percent per annum for rates) in one column named after the series.
        A fresh copy: mutating it never touches the store. ``df.attrs`` says what it is:
        ``dataset`` (id), ``units``, ``frequency`` (``"D"``, ``"M"`` or ``"A"``),
        ``vintage`` (the resolved name), ``file`` and its ``sha256``.
    """
    spec = dataset(dataset_id)
    st = _store(store)
    name = st.resolve(vintage)
    df = st.load(spec, name).copy()
    rec = st.file_record(name, spec.file)
    df.attrs.update(
        {
            "dataset": spec.id,
            "units": spec.units,
            "frequency": spec.frequency,
            "vintage": name,
            "file": str(rec.get("filename", spec.file)),
            "sha256": str(rec.get("sha256", "")),
        }
    )
    return df


def _french_path(folder: Path, name: str) -> Path | None:
    for cand in (folder / "ftp" / f"{name}_CSV.zip", folder / f"{name}_CSV.zip"):
        if cand.is_file():
            return cand
    return None


@dataclass
class ImportReport:
    """What an import or fetch did, file by file."""

    vintage: str
    actions: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"vintage {self.vintage}:"]
        lines += [f"  {name:<34} {act}" for name, act in sorted(self.actions.items())]
        if self.ignored:
            lines.append(f"  ignored (not in the catalog): {', '.join(self.ignored)}")
        return "\n".join(lines)


def _crsp_vintage(raw: bytes, name: str) -> str | None:
    return parse_french_csv(unzip_single_csv(raw, name), name).crsp_vintage


def import_snapshot(
    directories: PathLike | Sequence[PathLike],
    vintage: str | None = None,
    *,
    store: Store | PathLike | None = None,
    replace: bool = False,
) -> ImportReport:
    """Import snapshot folders laid out like the original sources into a named vintage.

    A French folder holds ``ftp/<NAME>_CSV.zip`` (the library's own layout) or
    ``<NAME>_CSV.zip``; a FRED folder holds ``<SERIES>.csv`` in fredgraph format. Folders are
    read in order; a file already in the vintage with the same bytes is left as it is, with
    different bytes it is an error unless ``replace``.

    Parameters
    ----------
    directories : path or sequence of paths
    vintage : str, optional
        Name of the vintage; defaults to the CRSP vintage in the first French file's header
        (e.g. ``"202602"``), else the first folder's name.
    store : Store or path, optional
    replace : bool
        Replace files that the vintage already holds with different bytes.
    """
    dirs = (
        [Path(directories)]
        if isinstance(directories, str | os.PathLike)
        else [Path(d) for d in directories]
    )
    found: list[tuple[str, Path]] = []
    ignored: list[str] = []
    for folder in dirs:
        if not folder.is_dir():
            raise DataUnavailableError(f"snapshot folder {folder} does not exist")
        here = []
        for name, spec in FILES.items():
            path = (
                _french_path(folder, name)
                if spec.source == "french"
                else (folder / spec.filename if (folder / spec.filename).is_file() else None)
            )
            if path is not None:
                here.append((name, path))
        known = {p.name for _, p in here}
        ignored += [
            f"{folder.name}/{p.name}"
            for p in sorted(folder.glob("*"))
            if p.is_file() and p.suffix.lower() in (".zip", ".csv") and p.name not in known
        ]
        if not here:
            raise DataUnavailableError(
                f"no known data file in {folder}: expected ftp/<NAME>_CSV.zip (Kenneth French) "
                f"or <SERIES>.csv (FRED), e.g. ftp/Portfolios_Formed_on_ME_CSV.zip or FEDFUNDS.csv"
            )
        found += here
    if vintage is None:
        first_french = next(((n, p) for n, p in found if file_spec(n).source == "french"), None)
        vintage = (
            _crsp_vintage(first_french[1].read_bytes(), first_french[0]) if first_french else None
        ) or dirs[0].name
    st = _store(store)
    report = ImportReport(vintage, ignored=ignored)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    for name, path in found:
        if name in report.actions:  # an earlier folder already supplied it
            report.actions[name] += f" (also in {path.parent}, kept the first)"
            continue
        report.actions[name] = st.add_file(
            vintage,
            name,
            path.read_bytes(),
            origin=str(path.resolve()),
            retrieved_at=now,
            replace=replace,
        )
    return report


def fetch_vintage(
    vintage: str | None = None,
    files: Iterable[str] | None = None,
    *,
    store: Store | PathLike | None = None,
    french_url: str | None = None,
    fred_url: str | None = None,
    replace: bool = False,
) -> ImportReport:
    """Download files from the live sources (or a mirror) into a named vintage.

    Parameters
    ----------
    vintage : str, optional
        Defaults to the CRSP vintage of the downloaded factors file.
    files : iterable of str, optional
        File names or FRED series ids; all catalog files by default.
    french_url, fred_url : str, optional
        Base URLs; default ``$SMALLCAP_BT_FRENCH_URL`` / ``$SMALLCAP_BT_FRED_URL`` or the sites.
    """
    from smallcap_bt.data.sources import fetch_fred_series, fetch_french_file

    names = list(files) if files is not None else list(FILES)
    fetched = []
    for name in names:
        spec = file_spec(name)
        fetched.append(
            fetch_french_file(name, french_url)
            if spec.source == "french"
            else fetch_fred_series(name, fred_url)
        )
    if vintage is None:
        french = [f for f in fetched if file_spec(f.name).source == "french"]
        vintage = (
            _crsp_vintage(french[0].content, french[0].name) if french else None
        ) or dt.date.today().isoformat()
    st = _store(store)
    report = ImportReport(vintage)
    for f in fetched:
        report.actions[f.name] = st.add_file(
            vintage, f.name, f.content, origin=f.url, retrieved_at=f.retrieved_at, replace=replace
        )
    return report


def vintage_info(
    vintage: str | None = None, *, store: Store | PathLike | None = None
) -> dict[str, Any]:
    """Describe a stored vintage: per file sha256, header vintage line, origin and periods."""
    st = _store(store)
    name = st.resolve(vintage)
    return st.manifest(name)


def vintage_fingerprint(
    vintage: str | None = None, *, store: Store | PathLike | None = None
) -> dict[str, Any]:
    """The citable identity of a vintage: name and per-dataset sha256 and vintage line.

    Deterministic for a given store content (no retrieval times), so it can go into
    byte-identical result files.
    """
    man = vintage_info(vintage, store=store)
    datasets = {}
    for _fname, rec in sorted(man["files"].items()):
        for ds_id, ds in sorted(rec["datasets"].items()):
            datasets[ds_id] = {
                "file": rec["filename"],
                "sha256": rec["sha256"],
                "vintage_line": rec.get("vintage_line"),
                "first": ds["first"],
                "last": ds["last"],
            }
    return {"name": man["name"], "datasets": datasets}
