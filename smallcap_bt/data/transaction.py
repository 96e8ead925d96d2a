"""One write of a vintage: stage everything, then publish with one atomic rename.

An import or fetch parses and validates every file and stages its bytes under
``staging/<id>/`` while holding the store's lock; :meth:`Transaction.commit` moves the bytes
into ``blobs/`` (content-addressed, so a repeated move is harmless), writes the Parquet caches
and publishes the vintage by one atomic rename of its manifest. A failure or a kill at any
moment before that rename leaves the previous manifest, hence the previous vintage, in place;
the next writer removes the stale staging folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from smallcap_bt.data.cache import frame_digest
from smallcap_bt.data.catalog import file_spec
from smallcap_bt.data.parse import PARSER_VERSION
from smallcap_bt.data.store import Store, _period_str, atomic_write, parse_and_validate, sha256
from smallcap_bt.exceptions import IntegrityError, StoreError, VintageMismatchError


class Transaction:
    """One write of a vintage: stage everything, then publish with one atomic rename.

    Holds the store lock from ``__enter__`` to ``__exit__``; on an exception (or a kill)
    nothing is published and the staging folder is dropped (or removed by the next writer).
    """

    def __init__(self, store: Store, vintage: str, replace: bool) -> None:
        self.store = store
        self.vintage = vintage
        self.replace = replace
        self._lock: contextlib.ExitStack | None = None
        self._staging: Path | None = None
        self._files: dict[str, dict[str, Any]] = {}
        self._blobs: dict[str, Path] = {}
        self._frames: dict[tuple[str, str], pd.DataFrame] = {}
        self._old: dict[str, Any] = {}

    def __enter__(self) -> Transaction:
        stack = contextlib.ExitStack()
        stack.enter_context(self.store.lock())
        self._lock = stack
        try:
            self.store.cleanup_staging()
            path = self.store._manifest_path(self.vintage)
            self._old = (
                self.store.manifest(self.vintage)
                if path.is_file()
                else {"name": self.vintage, "files": {}}
            )
            self._staging = self.store._dir("staging") / uuid.uuid4().hex
            self._staging.mkdir(parents=True)
        except OSError as exc:
            stack.close()
            raise StoreError(f"cannot write to the store at {self.store.root}: {exc}") from exc
        except BaseException:
            stack.close()
            raise
        return self

    def _conflict(self, name: str, digest: str, origin: str) -> str | None:
        old = self._old["files"].get(name)
        if old is not None and old["sha256"] == digest and name not in self._files:
            return "unchanged"
        if old is not None and old["sha256"] != digest and not self.replace:
            raise VintageMismatchError(
                f"vintage {self.vintage!r} already holds {old['filename']} with sha256 "
                f"{old['sha256'][:12]}…, new bytes have {digest[:12]}… (from {origin}); "
                "use another vintage name, or replace=True / --replace"
            )
        return None

    def add(
        self,
        name: str,
        raw: bytes,
        *,
        origin: str,
        retrieved_at: str,
        retrieved_how: str = "download time",
        strict: bool = False,
    ) -> str:
        """Parse, validate and stage one file. Returns ``added``/``replaced``/``unchanged``."""
        assert self._staging is not None, "use the transaction as a context manager"
        spec = file_spec(name)
        parsed = parse_and_validate(spec, raw, strict=strict)
        digest = sha256(raw)
        same = self._conflict(name, digest, origin)
        if same:
            return same
        staged = self._staging / digest
        try:
            staged.write_bytes(raw)
        except OSError as exc:
            raise StoreError(f"cannot stage {spec.filename} in {self._staging}: {exc}") from exc
        self._blobs[digest] = staged
        datasets = {}
        for ds_id, frame in parsed.frames.items():
            self._frames[(digest, ds_id)] = frame
            datasets[ds_id] = {
                "rows": len(frame),
                "first": _period_str(frame.index[0]),
                "last": _period_str(frame.index[-1]),
                "columns": list(frame.columns),
                "values_sha256": frame_digest(frame),
                "values_parser": PARSER_VERSION,
            }
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        self._files[name] = {
            "source": spec.source,
            "filename": spec.filename,
            "sha256": digest,
            "bytes": len(raw),
            "origin": origin,
            "retrieved_at": retrieved_at,
            "retrieved_how": retrieved_how,
            "imported_at": now,
            "vintage_line": parsed.vintage_line,
            "datasets": datasets,
            "warnings": [str(w) for w in parsed.warnings],
        }
        return "added" if name not in self._old["files"] else "replaced"

    def add_record(self, name: str, rec: dict[str, Any]) -> str:
        """Stage a file already in the store (by its manifest record), e.g. to compose."""
        same = self._conflict(name, rec["sha256"], f"vintage {rec.get('from_vintage')}")
        if same:
            return same
        self._files[name] = dict(rec)
        return "added" if name not in self._old["files"] else "replaced"

    def commit(self) -> None:
        """Move staged bytes into ``blobs/`` and publish the manifest in one rename."""
        st = self.store
        try:
            blobs = st._dir("blobs")
            blobs.mkdir(parents=True, exist_ok=True)
            for digest, staged in self._blobs.items():
                target = blobs / digest
                if target.is_file() and sha256(target.read_bytes()) == digest:
                    continue
                os.replace(staged, target)
            for rec in self._files.values():
                if not (blobs / rec["sha256"]).is_file():
                    raise IntegrityError(
                        f"{rec['filename']}: stored file {blobs / rec['sha256']} is missing; "
                        "cannot add it to the vintage"
                    )
            for (digest, ds_id), frame in self._frames.items():
                st._write_cache(digest, ds_id, frame)
            if self._files:
                manifest = {
                    "name": self.vintage,
                    "files": {**self._old["files"], **self._files},
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                atomic_write(st._manifest_path(self.vintage), data)
        except OSError as exc:
            raise StoreError(
                f"cannot write vintage {self.vintage!r} to the store at {st.root}: {exc}; "
                "nothing was published"
            ) from exc

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            if self._staging is not None:
                shutil.rmtree(self._staging, ignore_errors=True)
            if self._lock is not None:
                self._lock.close()
