"""The CI gate: a lockfile of verdicts and headline estimates, and the check against it.

A check fails when a verdict flips, a claim appears or disappears, or a headline estimate
moves by more than ``max(ABS_TOL, REL_TOL * |locked|)``.
"""

from __future__ import annotations

import json
import math
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


def read_lock(path: Path) -> dict[str, Any]:
    """The lockfile's document, its structure checked (``VintageMismatchError`` naming the
    file and the first thing wrong)."""
    try:
        locked = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VintageMismatchError(f"cannot read lockfile {path}: {exc}") from exc

    def bad(what: str) -> VintageMismatchError:
        return VintageMismatchError(
            f"lockfile {path} is not a smallcap_bt lockfile: {what} (write one with "
            "smallcap-bt verify --lock FILE)"
        )

    if not isinstance(locked, dict):
        raise bad(f"a JSON {type(locked).__name__}, not an object")
    if not isinstance(locked.get("vintage"), dict) or "name" not in locked["vintage"]:
        raise bad("no 'vintage' object with a 'name'")
    if not isinstance(locked.get("claims"), dict):
        raise bad("no 'claims' object (claim id -> record)")
    if not isinstance(locked.get("settings"), dict):
        raise bad("no 'settings' object (seed, draws, joint_draws)")
    tol = locked.get("tolerance", {"abs": ABS_TOL, "rel": REL_TOL})
    if not (isinstance(tol, dict) and all(_number(tol.get(k)) for k in ("abs", "rel"))):
        raise bad("'tolerance' needs numbers 'abs' and 'rel'")
    for cid, rec in locked["claims"].items():
        if not (isinstance(rec, dict) and isinstance(rec.get("verdict"), str)):
            raise bad(f"claim {cid!r} has no 'verdict'")
        if not isinstance(rec.get("parts"), dict):
            raise bad(f"claim {cid!r} has no 'parts' object")
        if not rec["parts"] and rec["verdict"] != "not_testable":
            raise bad(f"claim {cid!r} is {rec['verdict']} but records no part to compare")
        for name, part in rec["parts"].items():
            ok = isinstance(part, dict) and isinstance(part.get("verdict"), str)
            est = part.get("estimate") if isinstance(part, dict) else None
            if not ok or not (est is None or _number(est)):
                raise bad(f"claim {cid!r} part {name!r} needs a 'verdict' and a numeric 'estimate'")
    return locked


def _number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def check_lock(ver: Verification, path: str | os.PathLike[str]) -> list[str]:
    """Differences between ``ver`` and the lockfile; lines starting with ``note:`` are for
    information, any other line fails the check.

    It fails when a verdict flips, a headline estimate moves beyond the tolerance (or
    becomes or stops being finite), a claim of this run is not in the lockfile, or the run's
    settings (seed, draws, joint draws) differ from the lock's: their verdicts are not
    comparable. A claim of the lockfile not run here is skipped (a run of some claims checks
    those). A different data vintage is a note: the gate asks whether it changes anything.
    """
    p = Path(path)
    locked = read_lock(p)
    tol = locked.get("tolerance", {"abs": ABS_TOL, "rel": REL_TOL})
    now = lock_document(ver)
    diffs = []
    if locked["vintage"] != now["vintage"]:
        diffs.append(
            f"note: data vintage differs: locked {locked['vintage']['name']}, "
            f"now {now['vintage']['name']} (changed datasets: "
            f"{_changed(locked['vintage'], now['vintage'])})"
        )
    old_set, new_set = locked["settings"], now["settings"]
    if old_set != new_set:
        keys = sorted(k for k in set(old_set) | set(new_set) if old_set.get(k) != new_set.get(k))
        diffs.append(
            "settings differ: "
            + ", ".join(f"{k} locked {old_set.get(k)}, now {new_set.get(k)}" for k in keys)
            + " (run with the lock's settings, or write a new lock)"
        )
    for cid in now["claims"]:
        if cid not in locked["claims"]:
            diffs.append(f"{cid}: not in the lockfile")
    for cid, old in locked["claims"].items():
        new = now["claims"].get(cid)
        if new is None:
            continue
        if new["verdict"] != old["verdict"]:
            diffs.append(f"{cid}: verdict {old['verdict']} -> {new['verdict']}")
        for pname in new["parts"]:
            if pname not in old["parts"]:
                diffs.append(f"{cid} [{pname}]: part not in the lockfile")
        for pname, op in old["parts"].items():
            np_ = new["parts"].get(pname)
            if np_ is None:
                diffs.append(f"{cid} [{pname}]: part missing")
                continue
            if np_["verdict"] != op["verdict"] and len(old["parts"]) > 1:
                diffs.append(f"{cid} [{pname}]: verdict {op['verdict']} -> {np_['verdict']}")
            a, b = op["estimate"], np_["estimate"]
            finite = [x is not None and math.isfinite(x) for x in (a, b)]
            if not all(finite):
                if finite[0] != finite[1] or (a is None) != (b is None):
                    diffs.append(f"{cid} [{pname}]: estimate {a} -> {b}")
                continue
            limit = max(tol["abs"], tol["rel"] * abs(a))
            if abs(b - a) > limit:
                diffs.append(
                    f"{cid} [{pname}]: headline {op['spec']} moved {a:.6g} -> "
                    f"{b:.6g} (|change| {abs(b - a):.4g} > tolerance {limit:.4g})"
                )
    return diffs


def failures(diffs: list[str]) -> list[str]:
    """The lines of :func:`check_lock` that fail the check (not notes)."""
    return [d for d in diffs if not d.startswith("note:")]


def _changed(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    da, db = a.get("datasets", {}), b.get("datasets", {})
    return sorted(
        k for k in set(da) | set(db) if da.get(k, {}).get("sha256") != db.get(k, {}).get("sha256")
    )
