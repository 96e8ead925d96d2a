"""The vintage store: raw bytes as received, their sha256, provenance, and a parsed cache.

Layout under the store root::

    blobs/<sha256>                           raw bytes exactly as received (zip or CSV)
    vintages/<name>.json                     manifest of one named vintage
    cache/<sha256>.<dataset>.p<N>.c<M>.parquet  parsed frames (rebuilt when missing or stale)
    staging/<id>/                            an import or fetch in progress
    DEFAULT                                  name of the default vintage
    .lock                                    the writers' lock

A *named vintage* is one consistent set of files that results cite. Writes are transactions
(:meth:`Store.transaction`): files are parsed and validated first, their bytes staged, and
the vintage is published by one atomic rename of its manifest; a failure or a kill at any
moment leaves the previous state. One lock (``filelock``) serialises writers.

A *resolved vintage* ``@latest`` or ``@YYYY-MM-DD`` is composed on the fly: each file is the
newest stored copy whose own date (CRSP vintage for Kenneth French files, last observation for
FRED series) is at or before the date; the choice is recorded per file (``from_vintage``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from smallcap_bt.config import store_root
from smallcap_bt.data.catalog import FILES, DatasetSpec, FileSpec, datasets_in, file_spec
from smallcap_bt.data.parse import (
    PARSER_VERSION,
    find_table,
    french_frame,
    parse_fred_csv,
    parse_french_csv,
    unzip_single_csv,
)
from smallcap_bt.data.validate import (
    Issue,
    check_header_month,
    check_index,
    check_not_future,
    check_table_lengths,
    check_values,
    enforce,
)
from smallcap_bt.exceptions import (
    DataUnavailableError,
    IntegrityError,
    InvalidVintageNameError,
    SchemaError,
    StoreError,
    UnknownDatasetError,
)

if TYPE_CHECKING:  # pragma: no cover
    from smallcap_bt.data.transaction import Transaction

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_RESOLVED = re.compile(r"^@(latest|\d{4}-\d{2}-\d{2}|\d{6})$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CRSP = re.compile(r"(\d{4})(\d{2}) CRSP")
LATEST = "@latest"


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def check_vintage_name(name: object, *, resolved: bool = True) -> str:
    """Return ``name`` if it is a valid vintage name, else raise.

    A stored vintage is named by 1-64 letters, digits, ``.``, ``_`` or ``-``, starting with a
    letter or digit (``202602``, ``2026-08-10``); no path separator and no ``..``, so a name
    never reaches outside the store. With ``resolved``, ``@latest`` and ``@YYYY-MM-DD`` /
    ``@YYYYMM`` (resolved per file, see :class:`Store`) are accepted too.

    Raises
    ------
    InvalidVintageNameError
    """
    ok = isinstance(name, str) and (
        (_NAME.match(name) is not None and ".." not in name)
        or (resolved and _RESOLVED.match(name) is not None)
    )
    if not ok:
        raise InvalidVintageNameError(
            f"invalid vintage name {name!r}: use 1-64 letters, digits, '.', '_' or '-' starting "
            "with a letter or digit (e.g. 202602 or 2026-08-10)"
            + ("; or @latest / @YYYY-MM-DD (newest copy of each file at or before a date)")
            * resolved
        )
    return name  # type: ignore[return-value]


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same folder, fsync, rename.

    A symbolic link is followed: its target is written and the link kept. A path that exists
    and is not a regular file (``/dev/stdout``, a named pipe) is written to directly, since
    renaming over it would replace the device or pipe with a file."""
    if path.exists() and not path.is_file():  # (through links) a device or pipe
        with open(path, "wb") as fh:
            fh.write(data)
        return
    real = os.path.realpath(path)
    if str(path).startswith(("/dev/", "/proc/")) or real.startswith("/proc/"):
        with open(path, "ab") as fh:  # a process's open file (/dev/stdout redirected to a
            fh.write(data)  # log): appended to, never replaced
        return
    if os.path.islink(path):
        path = Path(real)
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


@dataclass
class ParsedFile:
    """Frames of one raw file, its header vintage line and the warnings validation kept."""

    frames: dict[str, pd.DataFrame]
    vintage_line: str | None = None
    warnings: list[Issue] = field(default_factory=list)


def parse_and_validate(
    spec: FileSpec, raw: bytes, *, strict: bool = False, warn: bool = True
) -> ParsedFile:
    """Parse every dataset of one raw file and validate it at the boundary.

    Raises
    ------
    SchemaError
        The file does not parse (:class:`~smallcap_bt.exceptions.ValidationError` when it
        parses but breaks a rule of :mod:`smallcap_bt.data.validate`).
    """
    issues: list[Issue] = []
    if spec.source == "french":
        ff = parse_french_csv(unzip_single_csv(raw, spec.filename), spec.filename)
        frames: dict[str, pd.DataFrame] = {}
        tables = []
        for d in datasets_in(spec.name):
            frame = french_frame(ff, d)
            title = find_table(ff, d).title or "(untitled)"
            issues += check_index(frame.index, d, spec.filename, title)
            issues += check_not_future(frame.index, d, spec.filename, title)
            issues += check_values(frame, d, spec.filename, title)
            tables.append((d, title, frame.index))
            frames[d.id] = frame
        issues += check_table_lengths(tables, spec.filename)
        issues += check_header_month(ff.crsp_vintage, spec.filename)
        kept = enforce(issues, strict=strict, warn=warn)
        return ParsedFile(frames, ff.vintage_line, kept)
    ds = datasets_in(spec.name)[0]
    frame = parse_fred_csv(raw, spec.name, ds.frequency)
    issues += check_index(frame.index, ds, spec.filename)
    issues += check_not_future(frame.index, ds, spec.filename)
    issues += check_values(frame, ds, spec.filename)
    kept = enforce(issues, strict=strict, warn=warn)
    return ParsedFile({ds.id: frame}, None, kept)


def parse_file(spec: FileSpec, raw: bytes) -> dict[str, pd.DataFrame]:
    """Parse and validate every dataset of one raw file (``__vintage_line__`` included)."""
    parsed = parse_and_validate(spec, raw, warn=False)
    frames = dict(parsed.frames)
    if parsed.vintage_line is not None:
        frames["__vintage_line__"] = pd.DataFrame({"line": [parsed.vintage_line]})
    return frames


def _period_str(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else str(value)


def _end_of(period: str) -> str:
    """ISO date of the end of ``period`` ("2026-02" -> 2026-02-28, "2025" -> 2025-12-31)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        return period
    if re.fullmatch(r"\d{4}", period):
        return f"{period}-12-31"
    return pd.Period(period, freq="M").end_time.strftime("%Y-%m-%d")


def file_date(rec: dict[str, Any]) -> str:
    """The date of one stored file: the end of its CRSP vintage month (Kenneth French) or its
    last observation (FRED); ISO ``YYYY-MM-DD``."""
    m = _CRSP.search(rec.get("vintage_line") or "")
    if m:
        return _end_of(f"{m.group(1)}-{m.group(2)}")
    lasts = [_end_of(str(d["last"])) for d in rec.get("datasets", {}).values()]
    return max(lasts) if lasts else "0000-00-00"


def _resolved_date(name: str) -> str | None:
    key = name[1:]
    if key == "latest":
        return None
    if re.fullmatch(r"\d{6}", key):
        return _end_of(f"{key[:4]}-{key[4:]}")
    try:
        dt.date.fromisoformat(key)
    except ValueError as exc:
        raise InvalidVintageNameError(f"invalid date in vintage name {name!r} ({exc})") from exc
    return key


_FILE_KEYS = {"source": str, "filename": str, "sha256": str, "datasets": dict}


def _check_manifest(data: Any, path: Path) -> dict[str, Any]:
    def bad(what: str) -> IntegrityError:
        return IntegrityError(
            f"manifest {path} is damaged: {what}. Re-import the vintage "
            "(smallcap-bt data import ... --vintage NAME) or delete the file"
        )

    if not isinstance(data, dict):
        raise bad(f"expected a JSON object, found {type(data).__name__}")
    if not isinstance(data.get("name"), str):
        raise bad("field 'name' is missing or not a string")
    files = data.get("files")
    if not isinstance(files, dict):
        raise bad("field 'files' is missing or not an object")
    for fname, rec in files.items():
        if fname not in FILES:
            raise bad(f"files.{fname} is not a catalog file")
        if not isinstance(rec, dict):
            raise bad(f"files.{fname} is not an object")
        for key, typ in _FILE_KEYS.items():
            if not isinstance(rec.get(key), typ):
                raise bad(f"files.{fname}.{key} is missing or not a {typ.__name__}")
        if not _SHA.match(rec["sha256"]):
            raise bad(f"files.{fname}.sha256 is not a sha256 hex digest")
        for ds_id, ds in rec["datasets"].items():
            if not isinstance(ds, dict) or not all(k in ds for k in ("rows", "first", "last")):
                raise bad(f"files.{fname}.datasets.{ds_id} lacks rows/first/last")
    return data


class Store:
    """A local store of named data vintages.

    Parameters
    ----------
    root : path-like, optional
        Store directory; defaults to ``$SMALLCAP_BT_HOME`` or the user cache dir.
    lock_timeout : float
        Seconds a writer waits for another writer to finish before giving up.
    """

    def __init__(
        self, root: str | os.PathLike[str] | None = None, *, lock_timeout: float = 600.0
    ) -> None:
        self.root = store_root(root)
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(
                f"the store {self.root} is a file, not a folder (--store names a folder)"
            )
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # -- layout -----------------------------------------------------------------------------
    def _dir(self, sub: str) -> Path:
        path = self.root / sub
        if path.exists() and not path.is_dir():
            raise StoreError(
                f"the store at {self.root} is damaged: {path} is a file, expected a folder; "
                "move it away (or use another --store)"
            )
        return path

    def _manifest_path(self, name: str) -> Path:
        check_vintage_name(name, resolved=False)
        return self._dir("vintages") / f"{name}.json"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's writer lock (waits up to ``lock_timeout`` seconds)."""
        import filelock

        try:
            if self.root.exists() and not self.root.is_dir():
                raise StoreError(f"the store path {self.root} is a file, not a folder")
            self.root.mkdir(parents=True, exist_ok=True)
            lk = filelock.FileLock(str(self.root / ".lock"), timeout=self.lock_timeout)
            lk.acquire()
        except filelock.Timeout as exc:
            raise StoreError(
                f"another smallcap-bt process is writing to the store at {self.root} "
                f"(waited {self.lock_timeout:g} s for {self.root / '.lock'})"
            ) from exc
        except OSError as exc:
            raise StoreError(f"cannot write to the store at {self.root}: {exc}") from exc
        try:
            yield
        finally:
            lk.release()

    # -- vintages ---------------------------------------------------------------------------
    def vintages(self) -> list[str]:
        """Names of the stored (named) vintages, sorted by name."""
        folder = self._dir("vintages")
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.json") if _NAME.match(p.stem))

    def vintage_date(self, name: str) -> str:
        """Date of a vintage (ISO): the newest CRSP vintage of its Kenneth French files (the
        release that defines it), else the newest FRED observation (see :func:`file_date`)."""
        files = self.manifest(name)["files"].values()
        french = [file_date(r) for r in files if r["source"] == "french"]
        return max(french or [file_date(r) for r in files], default="0000-00-00")

    def _order(self, name: str) -> tuple[str, str, str]:
        files = self.manifest(name)["files"].values()
        newest = max((file_date(r) for r in files), default="")
        return (self.vintage_date(name), newest, name)

    def missing_files(self, name: str) -> list[str]:
        """Catalog files that vintage ``name`` does not hold."""
        have = self.manifest(name)["files"]
        return [f for f in FILES if f not in have]

    def default_vintage(self) -> str:
        """The default vintage.

        The one set with :meth:`set_default` (a ``DEFAULT`` naming a vintage that is not
        stored is a :class:`~smallcap_bt.exceptions.StoreError`: results never come from
        another vintage than the one chosen, silently); else the newest *complete*
        named vintage by date (never by name); else, when only the union of the stored
        vintages is complete (e.g. snapshot folders imported one by one), ``@latest``: every
        file resolved to its newest copy.

        Raises
        ------
        DataUnavailableError
            No vintage is stored; the message says how to import or fetch one.
        StoreError
            ``DEFAULT`` cannot be read, or names an invalid or missing vintage.
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
            try:
                name = marker.read_text().strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise StoreError(f"cannot read {marker}: {exc}") from exc
            try:
                check_vintage_name(name)
            except InvalidVintageNameError as exc:
                raise StoreError(
                    f"{marker} holds an invalid vintage name {name!r}; reset it with "
                    "'smallcap-bt data default NAME'"
                ) from exc
            if name in names or name.startswith("@"):
                return name
            raise StoreError(  # never another vintage than the one the user chose, silently
                f"{marker} names vintage {name!r}, which is not in the store (stored: "
                f"{', '.join(names)}); reset it with 'smallcap-bt data default NAME'"
            )
        complete = [n for n in names if not self.missing_files(n)]
        if complete:
            return max(complete, key=self._order)
        return LATEST

    def set_default(self, name: str) -> None:
        """Make ``name`` the vintage used when none is given."""
        self.manifest(check_vintage_name(name))
        try:
            atomic_write(self.root / "DEFAULT", name.encode())
        except OSError as exc:
            raise StoreError(f"cannot write {self.root / 'DEFAULT'}: {exc}") from exc

    def resolve(self, vintage: str | None) -> str:
        """``vintage`` if given (checked to exist), else the default vintage."""
        if vintage is None:
            return self.default_vintage()
        self.manifest(vintage)
        return vintage

    def manifest(self, name: str) -> dict[str, Any]:
        """The manifest of vintage ``name`` (files, checksums, provenance, periods).

        ``@latest`` and ``@YYYY-MM-DD`` are composed from the stored vintages (see the class
        notes); each file entry then says which vintage it comes from (``from_vintage``).
        """
        check_vintage_name(name)
        if name.startswith("@"):
            return self._resolved_manifest(name)
        path = self._manifest_path(name)
        if not path.is_file():
            import difflib

            stored = self.vintages()
            near = difflib.get_close_matches(name, stored, n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise DataUnavailableError(
                f"vintage {name!r} is not in the store at {self.root}{hint} (stored vintages: "
                f"{stored or 'none'})"
            )
        try:
            data = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise IntegrityError(f"manifest {path} is not valid JSON ({exc})") from exc
        except OSError as exc:
            raise StoreError(f"cannot read manifest {path}: {exc}") from exc
        return _check_manifest(data, path)

    def _resolved_manifest(self, name: str) -> dict[str, Any]:
        limit = _resolved_date(name)
        best: dict[str, tuple[str, str, dict[str, Any]]] = {}
        for vname in self.vintages():
            for fname, rec in self.manifest(vname)["files"].items():
                fdate = file_date(rec)
                if limit is not None and fdate > limit:
                    continue
                key = (fdate, vname)
                if fname not in best or key > best[fname][:2]:
                    best[fname] = (fdate, vname, rec)
        if not best:
            raise DataUnavailableError(
                f"vintage {name!r}: no stored file is dated at or before {limit} in the store "
                f"at {self.root}; stored vintages: {self.vintages() or 'none'}"
            )
        files = {}
        for fname, (_, vname, rec) in sorted(best.items()):
            files[fname] = {**rec, "from_vintage": rec.get("from_vintage", vname)}
        return {"name": name, "files": files, "resolved": True}

    # -- writing ----------------------------------------------------------------------------
    def transaction(self, vintage: str, *, replace: bool = False) -> Transaction:
        """Start a write of ``vintage``: use as ``with store.transaction(name) as tx:``.

        See :class:`smallcap_bt.data.transaction.Transaction`.
        """
        from smallcap_bt.data.transaction import Transaction

        return Transaction(self, check_vintage_name(vintage, resolved=False), replace)

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
        """Parse, validate, then store one raw file in ``vintage`` (one transaction).

        Returns ``"added"``, ``"replaced"`` or ``"unchanged"``.

        Raises
        ------
        SchemaError
            The file does not parse or breaks a validation rule; nothing is written.
        VintageMismatchError
            The vintage already holds different bytes for this file and ``replace`` is False.
        """
        with self.transaction(vintage, replace=replace) as tx:
            return tx.add(name, raw, origin=origin, retrieved_at=retrieved_at)

    def compose(self, name: str, sources: list[str], *, replace: bool = False) -> dict[str, str]:
        """Assemble vintage ``name`` from files of other vintages (one transaction).

        Each catalog file comes from the first vintage of ``sources`` that holds it
        (``@latest``/``@DATE`` allowed). Returns ``{file: source vintage}``.
        """
        chosen: dict[str, str] = {}
        with self.transaction(name, replace=replace) as tx:
            for src in sources:
                man = self.manifest(src)
                for fname, rec in sorted(man["files"].items()):
                    if fname in chosen:
                        continue
                    origin_v = rec.get("from_vintage", src)
                    tx.add_record(fname, {**rec, "from_vintage": origin_v})
                    chosen[fname] = origin_v
            if not chosen:
                raise DataUnavailableError(f"vintages {sources} hold no file to compose from")
        return chosen

    def cleanup_staging(self) -> list[str]:
        """Remove staging folders left by interrupted writes (call with the lock held)."""
        folder = self._dir("staging")
        gone = []
        if folder.is_dir():
            for p in folder.iterdir():
                shutil.rmtree(p, ignore_errors=True)
                gone.append(p.name)
        return gone

    # -- reading ----------------------------------------------------------------------------
    def file_record(self, vintage: str, name: str) -> dict[str, Any]:
        """Manifest entry of file ``name`` in ``vintage``."""
        return self._record(self.manifest(vintage)["files"], vintage, name)

    @staticmethod
    def _record(files: dict[str, Any], vintage: str, name: str) -> dict[str, Any]:
        """Entry ``name`` of a manifest's ``files`` (of ``vintage``, named in the error)."""
        if name not in files:
            raise DataUnavailableError(
                f"{file_spec(name).filename} is not in vintage {vintage!r} "
                f"(it holds: {sorted(files) or 'nothing'}); import or fetch it first"
            )
        return files[name]

    def raw(self, vintage: str, name: str) -> bytes:
        """The raw bytes of ``name`` in ``vintage``, verified against their sha256."""
        return self.verified_bytes(self.file_record(vintage, name), vintage)

    def verified_bytes(self, rec: dict[str, Any], vintage: str) -> bytes:
        """The stored bytes of manifest entry ``rec`` (:meth:`file_record` of ``vintage``,
        named in errors), checked against its sha256: :meth:`raw` for a caller that holds
        the manifest already."""
        blob = self._dir("blobs") / rec["sha256"]
        if not blob.is_file():
            raise IntegrityError(
                f"{rec['filename']} of vintage {vintage!r}: stored file {blob} is missing"
            )
        try:
            data = blob.read_bytes()
        except OSError as exc:
            raise StoreError(f"{rec['filename']}: cannot read {blob}: {exc}") from exc
        if sha256(data) != rec["sha256"]:
            raise IntegrityError(
                f"{rec['filename']} of vintage {vintage!r}: stored file {blob} has sha256 "
                f"{sha256(data)[:12]}…, manifest says {rec['sha256'][:12]}…; it is not used. "
                "Re-import or re-fetch the file"
            )
        return data

    def _cache_path(self, digest: str, ds_id: str) -> Path:
        from smallcap_bt.data.cache import CACHE_VERSION

        name = f"{digest}.{ds_id}.p{PARSER_VERSION}.c{CACHE_VERSION}.parquet"
        return self._dir("cache") / name

    def _write_cache(self, digest: str, ds_id: str, frame: pd.DataFrame) -> None:
        from smallcap_bt.data.cache import write_frame

        with contextlib.suppress(OSError, StoreError):  # a read-only store still reads
            write_frame(self._cache_path(digest, ds_id), frame)

    def load(self, spec: DatasetSpec, vintage: str | None = None) -> pd.DataFrame:
        """The parsed frame of dataset ``spec`` in ``vintage`` (default vintage if None)."""
        return self.load_with_record(spec, vintage)[0]

    def load_with_record(
        self, spec: DatasetSpec, vintage: str | None = None
    ) -> tuple[pd.DataFrame, dict[str, Any]]:
        """:meth:`load` and the manifest entry of the file it came from (:meth:`file_record`),
        from one reading of the manifest."""
        from smallcap_bt.data.cache import read_frame

        name = self.default_vintage() if vintage is None else vintage
        rec = self._record(self.manifest(name)["files"], name, spec.file)
        data = self.verified_bytes(rec, name)
        digest = rec["sha256"]
        meta = rec["datasets"].get(spec.id)
        cached = read_frame(self._cache_path(digest, spec.id), spec, meta, PARSER_VERSION)
        if cached is not None:
            return cached, rec
        frames = parse_and_validate(file_spec(spec.file), data, warn=False).frames
        if spec.id not in frames:
            raise UnknownDatasetError(f"dataset {spec.id!r} not produced by {spec.file}")
        self._write_cache(digest, spec.id, frames[spec.id])
        return frames[spec.id], rec

    def check_caches(self, vintage: str) -> list[str]:
        """Cached frames of ``vintage`` that no longer match their manifest (values changed
        after they were written, or unreadable): each is removed, to be rebuilt from the raw
        bytes on the next read; returns one line per removed file."""
        from smallcap_bt.data.cache import read_frame
        from smallcap_bt.data.catalog import dataset

        out = []
        for rec in self.manifest(vintage)["files"].values():
            for ds_id, meta in rec["datasets"].items():
                path = self._cache_path(rec["sha256"], ds_id)
                if (
                    path.is_file()
                    and read_frame(path, dataset(ds_id), meta, PARSER_VERSION) is None
                ):
                    with contextlib.suppress(OSError):
                        path.unlink()
                    out.append(
                        f"{ds_id}: its cached frame ({path.name}) differs from what the raw "
                        "file gave at import; removed, rebuilt from the raw bytes when read"
                    )
        return out

    def check(self, vintage: str) -> dict[str, str]:
        """Verify every file of ``vintage``: ``{file: "ok" | error message}``.

        Checks that each listed file's bytes exist and match their sha256, and that the file
        holds every dataset the catalogue expects of it.
        """
        status = {}
        for name, rec in sorted(self.manifest(vintage)["files"].items()):
            try:
                self.raw(vintage, name)
                expected = {d.id for d in datasets_in(name)}
                lacking = sorted(expected - set(rec["datasets"]))
                status[name] = (
                    "ok"
                    if not lacking
                    else f"{rec['filename']}: the manifest lacks datasets {lacking} that the "
                    "catalogue expects of this file; re-import it"
                )
            except (IntegrityError, SchemaError, StoreError) as exc:
                status[name] = str(exc)
        return status
