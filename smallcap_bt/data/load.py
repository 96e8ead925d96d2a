"""Public data entry points: ``load``, ``import_snapshot``, ``fetch_vintage``, ``vintage_info``."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from smallcap_bt.data.catalog import FILES, dataset, file_spec
from smallcap_bt.data.parse import parse_french_csv, unzip_single_csv
from smallcap_bt.data.provenance import retrieval_date
from smallcap_bt.data.store import Store, check_vintage_name
from smallcap_bt.exceptions import (
    DataQualityWarning,
    DataUnavailableError,
    InvalidVintageNameError,
    SchemaError,
)

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
    name = st.default_vintage() if vintage is None else vintage
    df, rec = st.load_with_record(spec, name)  # a fresh frame: read or parsed for this call
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
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"vintage {self.vintage}:"]
        lines += [f"  {name:<34} {act}" for name, act in sorted(self.actions.items())]
        if self.ignored:
            lines.append(f"  ignored (not in the catalog): {', '.join(self.ignored)}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _crsp_vintage(raw: bytes, name: str) -> str | None:
    return parse_french_csv(unzip_single_csv(raw, name), name).crsp_vintage


def _snapshot_file(folder: Path, name: str) -> Path | None:
    spec = file_spec(name)
    if spec.source == "french":
        path = _french_path(folder, name)
    else:
        path = folder / spec.filename if (folder / spec.filename).is_file() else None
    if path is not None and path.is_symlink():
        target = path.resolve()
        if target.name != path.name:
            raise SchemaError(
                f"{path} is a symbolic link to {target}, a file of another name; "
                f"copy the real {spec.filename} into the folder instead"
            )
    return path


def import_snapshot(
    directories: PathLike | Sequence[PathLike],
    vintage: str | None = None,
    *,
    store: Store | PathLike | None = None,
    replace: bool = False,
    strict: bool = False,
) -> ImportReport:
    """Import snapshot folders laid out like the original sources into a named vintage.

    A French folder holds ``ftp/<NAME>_CSV.zip`` (the library's own layout) or
    ``<NAME>_CSV.zip``; a FRED folder holds ``<SERIES>.csv`` in fredgraph format. Folders are
    read in order; a file already in the vintage with the same bytes is left as it is, with
    different bytes it is an error unless ``replace``. Every file is parsed and validated
    before anything is written, and the vintage is published in one atomic step: on any
    error (or a kill) the store keeps its previous state.

    Parameters
    ----------
    directories : path or sequence of paths
    vintage : str, optional
        Name of the vintage; defaults to the CRSP vintage in the first French file's header
        (e.g. ``"202602"``), else the first folder's name.
    store : Store or path, optional
    replace : bool
        Replace files that the vintage already holds with different bytes.
    strict : bool
        Treat validation warnings (legal but extreme values) as errors.

    Raises
    ------
    DataError
        A folder or file is missing or malformed; the message names it and the rule broken.
    """
    dirs = (
        [Path(directories)]
        if isinstance(directories, str | os.PathLike)
        else [Path(d) for d in directories]
    )
    if vintage is not None:
        check_vintage_name(vintage, resolved=False)
    found: list[tuple[str, Path]] = []
    ignored: list[str] = []
    for folder in dirs:
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            raise DataUnavailableError(f"snapshot folder {folder} {what}")
        here = [(n, p) for n in FILES if (p := _snapshot_file(folder, n)) is not None]
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
    raws: dict[str, bytes] = {}
    for name, path in found:
        if name not in raws:
            try:
                raws[name] = path.read_bytes()
            except OSError as exc:
                raise DataUnavailableError(f"cannot read {path}: {exc}") from exc
    if vintage is None:
        first_french = next((n for n, _ in found if file_spec(n).source == "french"), None)
        vintage = (
            _crsp_vintage(raws[first_french], file_spec(first_french).filename)
            if first_french
            else None
        ) or dirs[0].resolve().name
        try:
            check_vintage_name(vintage, resolved=False)
        except InvalidVintageNameError:
            raise InvalidVintageNameError(
                f"the folder name {vintage!r} is not a valid vintage name (letters, digits, "
                "'.', '_', '-'); give one with --vintage NAME"
            ) from None
    st = _store(store)
    report = ImportReport(vintage, ignored=ignored)
    with st.transaction(vintage, replace=replace) as tx:
        for name, path in found:
            if name in report.actions:  # an earlier folder already supplied it
                report.actions[name] += f" (also in {path.parent}, kept the first)"
                continue
            when, how = retrieval_date(path, name)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", DataQualityWarning)
                report.actions[name] = tx.add(
                    name,
                    raws[name],
                    origin=str(path.resolve()),
                    retrieved_at=when,  # type: ignore[arg-type]
                    retrieved_how=how,
                    strict=strict,
                )
            report.warnings += [str(w.message) for w in caught]
    return report


@contextlib.contextmanager
def _downloaded_from(url: str) -> Iterator[None]:
    """A file that downloaded but does not parse or validate: the error also names the URL
    it came from (a truncated zip or a text page otherwise named only the file)."""
    try:
        yield
    except SchemaError as exc:
        raise type(exc)(f"{exc} (downloaded from {url})") from exc


def fetch_vintage(
    vintage: str | None = None,
    files: Iterable[str] | None = None,
    *,
    store: Store | PathLike | None = None,
    french_url: str | None = None,
    fred_url: str | None = None,
    replace: bool = False,
    timeout: float = 30.0,
    deadline: float = 300.0,
    retries: int = 2,
    strict: bool = False,
) -> ImportReport:
    """Download files from the live sources (or a mirror) into a named vintage.

    Every file is downloaded, parsed and validated before the vintage is published in one
    atomic step; one failed file leaves the store as it was.

    Parameters
    ----------
    vintage : str, optional
        Defaults to the CRSP vintage of the downloaded factors file.
    files : iterable of str, optional
        File names or FRED series ids; all catalog files by default.
    french_url, fred_url : str, optional
        Base URLs; default ``$SMALLCAP_BT_FRENCH_URL`` / ``$SMALLCAP_BT_FRED_URL`` or the sites.
    timeout : float
        Seconds to wait for a connection or for any bytes (per read).
    deadline : float
        Overall seconds allowed per file, retries included.
    retries : int
        Further attempts after a connection error or a 5xx status (with backoff).
    strict : bool
        Treat validation warnings as errors.
    """
    from smallcap_bt.data.sources import fetch_fred_series, fetch_french_file

    if vintage is not None:
        check_vintage_name(vintage, resolved=False)
    names = list(files) if files is not None else list(FILES)
    fetched = []
    for name in names:
        fetch, url = (
            (fetch_french_file, french_url)
            if file_spec(name).source == "french"
            else (fetch_fred_series, fred_url)
        )
        fetched.append(fetch(name, url, timeout=timeout, deadline=deadline, retry_count=retries))
    if vintage is None:
        french = [f for f in fetched if file_spec(f.name).source == "french"]
        if french:
            with _downloaded_from(french[0].url):
                found = _crsp_vintage(french[0].content, file_spec(french[0].name).filename)
        vintage = (found if french else None) or dt.date.today().isoformat()
    st = _store(store)
    report = ImportReport(vintage)
    with st.transaction(vintage, replace=replace) as tx:
        for f in fetched:
            with warnings.catch_warnings(record=True) as caught, _downloaded_from(f.url):
                warnings.simplefilter("always", DataQualityWarning)
                report.actions[f.name] = tx.add(
                    f.name,
                    f.content,
                    origin=f.url,
                    retrieved_at=f.retrieved_at,
                    retrieved_how="download time",
                    strict=strict,
                )
            report.warnings += [str(w.message) for w in caught]
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
            if "from_vintage" in rec:
                datasets[ds_id]["from_vintage"] = rec["from_vintage"]
    return {"name": man["name"], "datasets": datasets}
