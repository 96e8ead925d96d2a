"""The CI gate: a lockfile of verdicts and headline estimates, and the check against it.

A check fails when a verdict flips, a claim appears or disappears, or a headline estimate
moves by more than ``max(ABS_TOL, REL_TOL * |locked|)``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from smallcap_bt.claims.runner import Verification
from smallcap_bt.data.store import atomic_write
from smallcap_bt.exceptions import VintageMismatchError

ABS_TOL = 0.0025
REL_TOL = 0.10


def lock_document(ver: Verification) -> dict[str, Any]:
    """What the lockfile records: vintage fingerprint, settings and per-claim verdicts."""
    doc = ver.to_dict()
    claims = {}
    for c in doc["claims"]:
        parts = {
            p["name"]: {
                "verdict": p["verdict"],
                "estimate": p["headline"]["estimate"],
                "spec": p["headline"]["spec"],
            }
            for p in c.get("parts", [])
        }
        claims[c["id"]] = {"verdict": c["verdict"], "parts": parts}
    return {
        "library": doc["library"],
        "vintage": doc["vintage"],
        "settings": doc["settings"],
        "tolerance": {"abs": ABS_TOL, "rel": REL_TOL},
        "claims": claims,
    }


def lock_text(ver: Verification) -> str:
    """The lockfile of a verification, as JSON text."""
    return json.dumps(lock_document(ver), indent=2, sort_keys=True) + "\n"


def write_lock(ver: Verification, path: str | os.PathLike[str]) -> None:
    """Write the lockfile atomically."""
    atomic_write(Path(path), lock_text(ver).encode())


def check_lock(ver: Verification, path: str | os.PathLike[str]) -> list[str]:
    """Differences between ``ver`` and the lockfile (empty list = passes)."""
    p = Path(path)
    try:
        locked = json.loads(p.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise VintageMismatchError(f"cannot read lockfile {p}: {exc}") from exc
    tol = locked.get("tolerance", {"abs": ABS_TOL, "rel": REL_TOL})
    now = lock_document(ver)
    diffs = []
    if locked["vintage"] != now["vintage"]:
        diffs.append(
            f"note: data vintage differs: locked {locked['vintage']['name']}, "
            f"now {now['vintage']['name']} (changed datasets: "
            f"{_changed(locked['vintage'], now['vintage'])})"
        )
    for cid, old in locked["claims"].items():
        new = now["claims"].get(cid)
        if new is None:
            if cid in {r.claim.id for r in ver.results} or not ver.results:
                diffs.append(f"{cid}: missing from this run")
            continue
        if new["verdict"] != old["verdict"]:
            diffs.append(f"{cid}: verdict {old['verdict']} -> {new['verdict']}")
        for pname, op in old["parts"].items():
            np_ = new["parts"].get(pname)
            if np_ is None:
                diffs.append(f"{cid} [{pname}]: part missing")
                continue
            if np_["verdict"] != op["verdict"] and len(old["parts"]) > 1:
                diffs.append(f"{cid} [{pname}]: verdict {op['verdict']} -> {np_['verdict']}")
            a, b = op["estimate"], np_["estimate"]
            if a is None or b is None:
                if a != b:
                    diffs.append(f"{cid} [{pname}]: estimate {a} -> {b}")
                continue
            limit = max(tol["abs"], tol["rel"] * abs(a))
            if abs(b - a) > limit:
                diffs.append(
                    f"{cid} [{pname}]: headline {op['spec']} moved {a:.6g} -> "
                    f"{b:.6g} (|change| {abs(b - a):.4g} > tolerance {limit:.4g})"
                )
    real = [d for d in diffs if not d.startswith("note:")]
    return diffs if real else []


def _changed(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    da, db = a.get("datasets", {}), b.get("datasets", {})
    return sorted(
        k for k in set(da) | set(db) if da.get(k, {}).get("sha256") != db.get(k, {}).get("sha256")
    )
