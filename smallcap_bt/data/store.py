"""The vintage store: raw bytes as received, their sha256, provenance, and a parsed cache.

Layout under the store root::

    blobs/<sha256>                       raw bytes exactly as received (zip or CSV)
    vintages/<name>.json                 manifest of one named vintage
    cache/<sha256>.<dataset>.p<N>.pkl    parsed frames (rebuilt whenever missing or stale)
    DEFAULT                              name of the default vintage

A *named vintage* is one consistent set of files that results cite. Every write goes to a
temporary file first and is moved into place with :func:`os.replace`, so an interrupted write
leaves the previous state intact. A blob whose checksum no longer matches its manifest is
reported (:class:`~smallcap_bt.exceptions.IntegrityError`) and never used.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from smallcap_bt.config import store_root
from smallcap_bt.data.catalog import DatasetSpec, FileSpec, datasets_in, file_spec
from smallcap_bt.data.parse import (
    PARSER_VERSION,
    french_frame,
    parse_fred_csv,
    parse_french_csv,
    unzip_single_csv,
)
from smallcap_bt.exceptions import (
    DataUnavailableError,
    IntegrityError,
    SchemaError,
    UnknownDatasetError,
    VintageMismatchError,
)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same folder, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_file(spec: FileSpec, raw: bytes) -> dict[str, pd.DataFrame]:
    """Parse every dataset of one raw file; raises before anything is stored if one fails."""
    if spec.source == "french":
        csv = unzip_single_csv(raw, spec.filename)
        ff = parse_french_csv(csv, spec.filename)
        frames = {d.id: french_frame(ff, d) for d in datasets_in(spec.name)}
        frames["__vintage_line__"] = pd.DataFrame({"line": [ff.vintage_line]})
        return frames
    ds = datasets_in(spec.name)[0]
    return {ds.id: parse_fred_csv(raw, spec.name, ds.frequency)}


def _period_str(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else str(value)


@dataclass(frozen=True)
class StoredFile:
    """One file entry of a vintage manifest."""

    name: str
    record: dict[str, Any]

    @property
    def sha256(self) -> str:
        """Checksum of the raw bytes."""
        return str(self.record["sha256"])


class Store:
    """A local store of named data vintages.

    Parameters
    ----------
    root : path-like, optional
        Store directory; defaults to ``$SMALLCAP_BT_HOME`` or the user cache dir.
    """

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = store_root(root)

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # -- vintages ---------------------------------------------------------------------------
    def _manifest_path(self, name: str) -> Path:
        return self.root / "vintages" / f"{name}.json"

    def vintages(self) -> list[str]:
        """Names of the stored vintages, sorted."""
        folder = self.root / "vintages"
        return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []

    def default_vintage(self) -> str:
        """The default vintage: the one set with :meth:`set_default`, else the newest name.

        Raises
        ------
        DataUnavailableError
            No vintage is stored; the message says how to import or fetch one.
        """
        names = self.vintages()
        if not names:
            raise DataUnavailableError(
                f"no data vintage in the store at {self.root}. Import a snapshot with "
                "'smallcap-bt data import DIR [DIR ...]' (e.g. ../shared/data/french/202602 "
                "../shared/data/fred/2026-08-10) or download with 'smallcap-bt data fetch'"
            )
        marker = self.root / "DEFAULT"
        if marker.is_file():
            name = marker.read_text().strip()
            if name in names:
                return name
        return names[-1]

    def set_default(self, name: str) -> None:
        """Make ``name`` the vintage used when none is given."""
        self.manifest(name)
        atomic_write(self.root / "DEFAULT", name.encode())

    def resolve(self, vintage: str | None) -> str:
        """``vintage`` if given (checked to exist), else the default vintage."""
        if vintage is None:
            return self.default_vintage()
        self.manifest(vintage)
        return vintage

    def manifest(self, name: str) -> dict[str, Any]:
        """The manifest of vintage ``name`` (files, checksums, provenance, periods)."""
        path = self._manifest_path(name)
        if not path.is_file():
            raise DataUnavailableError(
                f"vintage {name!r} is not in the store at {self.root}; stored vintages: "
                f"{self.vintages() or 'none'}"
            )
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise IntegrityError(f"manifest {path} is not valid JSON ({exc})") from exc

    def _write_manifest(self, name: str, manifest: dict[str, Any]) -> None:
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        atomic_write(self._manifest_path(name), data)

    # -- writing ----------------------------------------------------------------------------
    def add_file(
        self,
        vintage: str,
        name: str,
        raw: bytes,
        *,
        origin: str,
        retrieved_at: str,
        replace: bool = False,
    ) -> str:
        """Parse, then store one raw file in ``vintage``.

        The file is parsed completely before anything is written; the blob is written before
        the manifest that points to it. Returns ``"added"``, ``"replaced"`` or ``"unchanged"``.

        Raises
        ------
        SchemaError
            The file does not parse; nothing is written.
        VintageMismatchError
            The vintage already holds different bytes for this file and ``replace`` is False.
        """
        if not _NAME.match(vintage):
            raise ValueError(f"invalid vintage name {vintage!r}: use letters, digits, . _ -")
        spec = file_spec(name)
        frames = parse_file(spec, raw)
        digest = sha256(raw)
        path = self._manifest_path(vintage)
        manifest = self.manifest(vintage) if path.is_file() else {"name": vintage, "files": {}}
        old = manifest["files"].get(name)
        if old is not None and old["sha256"] == digest:
            return "unchanged"
        if old is not None and not replace:
            raise VintageMismatchError(
                f"vintage {vintage!r} already holds {spec.filename} with sha256 "
                f"{old['sha256'][:12]}…, new bytes have {digest[:12]}… (from {origin}); "
                "use another vintage name or replace=True / --replace"
            )
        blob = self.root / "blobs" / digest
        if not blob.is_file() or sha256(blob.read_bytes()) != digest:
            atomic_write(blob, raw)
        vline = frames.pop("__vintage_line__", None)
        datasets = {}
        for ds_id, frame in frames.items():
            self._write_cache(digest, ds_id, frame)
            datasets[ds_id] = {
                "rows": len(frame),
                "first": _period_str(frame.index[0]),
                "last": _period_str(frame.index[-1]),
                "columns": list(frame.columns),
            }
        manifest["files"][name] = {
            "source": spec.source,
            "filename": spec.filename,
            "sha256": digest,
            "bytes": len(raw),
            "origin": origin,
            "retrieved_at": retrieved_at,
            "vintage_line": None if vline is None else str(vline["line"].iloc[0]),
            "datasets": datasets,
        }
        self._write_manifest(vintage, manifest)
        return "added" if old is None else "replaced"

    # -- reading ----------------------------------------------------------------------------
    def file_record(self, vintage: str, name: str) -> dict[str, Any]:
        """Manifest entry of file ``name`` in ``vintage``."""
        files = self.manifest(vintage)["files"]
        if name not in files:
            raise DataUnavailableError(
                f"{file_spec(name).filename} is not in vintage {vintage!r} "
                f"(it holds: {sorted(files) or 'nothing'}); import or fetch it first"
            )
        return files[name]

    def raw(self, vintage: str, name: str) -> bytes:
        """The raw bytes of ``name`` in ``vintage``, verified against their sha256."""
        rec = self.file_record(vintage, name)
        blob = self.root / "blobs" / rec["sha256"]
        if not blob.is_file():
            raise IntegrityError(
                f"{rec['filename']} of vintage {vintage!r}: stored file {blob} is missing"
            )
        data = blob.read_bytes()
        if sha256(data) != rec["sha256"]:
            raise IntegrityError(
                f"{rec['filename']} of vintage {vintage!r}: stored file {blob} has sha256 "
                f"{sha256(data)[:12]}…, manifest says {rec['sha256'][:12]}…; it is not used. "
                "Re-import or re-fetch the file"
            )
        return data

    def _cache_path(self, digest: str, ds_id: str) -> Path:
        return self.root / "cache" / f"{digest}.{ds_id}.p{PARSER_VERSION}.pkl"

    def _write_cache(self, digest: str, ds_id: str, frame: pd.DataFrame) -> None:
        atomic_write(self._cache_path(digest, ds_id), pickle.dumps(frame, protocol=5))

    def load(self, spec: DatasetSpec, vintage: str | None = None) -> pd.DataFrame:
        """The parsed frame of dataset ``spec`` in ``vintage`` (default vintage if None)."""
        name = self.resolve(vintage)
        data = self.raw(name, spec.file)
        digest = sha256(data)
        cache = self._cache_path(digest, spec.id)
        if cache.is_file():
            try:
                frame = pickle.loads(cache.read_bytes())
                if isinstance(frame, pd.DataFrame):
                    return frame
            except Exception:
                pass
        frames = parse_file(file_spec(spec.file), data)
        if spec.id not in frames:
            raise UnknownDatasetError(f"dataset {spec.id!r} not produced by {spec.file}")
        self._write_cache(digest, spec.id, frames[spec.id])
        return frames[spec.id]

    def check(self, vintage: str) -> dict[str, str]:
        """Verify every file of ``vintage``: ``{file: "ok" | error message}``."""
        status = {}
        for name in sorted(self.manifest(vintage)["files"]):
            try:
                self.raw(vintage, name)
                status[name] = "ok"
            except (IntegrityError, SchemaError) as exc:
                status[name] = str(exc)
        return status
