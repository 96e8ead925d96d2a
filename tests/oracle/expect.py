"""The expectations file and the comparisons made against it, as plain functions.

Used by ``tests/test_expectations.py`` (one pytest test per check and claim part) and meant
for ``scripts/mutation_smoke.py``, which can verify mutated claims in one process and count the
mutants caught with :func:`failures`. Each ``check_*`` returns ``None`` when the library's
result matches, else one message naming the claim, the part, the expected and the actual.

The only function that knows the layout of the library's results JSON is :func:`view`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from tests.oracle import figures

PATH = Path(__file__).resolve().parents[1] / "expectations.toml"

Claim = dict[str, Any]
Part = dict[str, Any]
View = dict[str, Any]


def load(path: Path = PATH) -> dict[str, Any]:
    """The parsed expectations file (``claim`` list and ``not_testable`` ids)."""
    return tomllib.loads(path.read_text())


@cache
def _oracle_call(name: str, args: tuple[tuple[str, Any], ...]) -> float:
    return float(getattr(figures, name)(**dict(args)))


def oracle(part: Part) -> float:
    """The oracle's figure for a part: ``figures.<oracle>(**oracle_args)``, computed once."""
    return _oracle_call(part["oracle"], tuple(sorted(part.get("oracle_args", {}).items())))


def view(claim: dict[str, Any]) -> View:
    """What is compared, from one claim of the results JSON (``Verification.to_dict()``):
    verdict, testable, and per part its verdict, headline spec, estimate and units, agreement
    counts, whether the headline specification agrees, and the numeric block."""
    parts = {}
    for part in claim.get("parts") or []:
        head = part["headline"]
        agrees = [
            s["agrees"]
            for s in claim["specifications"]
            if s["spec"] == head["spec"] and s.get("part", part["name"]) == part["name"]
        ]
        parts[part["name"]] = {
            "verdict": part["verdict"],
            "spec": head["spec"],
            "estimate": head["estimate"],
            "units": head.get("units"),
            "agree": part["robustness"]["agree"],
            "total": part["robustness"]["total"],
            "headline_agrees": agrees[0] if len(agrees) == 1 else agrees,
            "numeric": part.get("numeric"),
            "direction": part.get("direction"),
        }
    return {"verdict": claim["verdict"], "testable": claim["testable"], "parts": parts}


def _part(cid: str, part: Part, got: View) -> tuple[dict[str, Any] | None, str | None]:
    parts = got["parts"]
    if part["name"] not in parts:
        return None, f"{cid}: expected a part named {part['name']!r}, library has {sorted(parts)}"
    return parts[part["name"]], None


def check_estimate(cid: str, part: Part, got: View) -> str | None:
    """Headline specification id, and headline estimate equal to the oracle's."""
    p, err = _part(cid, part, got)
    if p is None:
        return err
    if p["spec"] != part["spec"]:
        return (
            f"{cid} [{part['name']}]: headline specification expected {part['spec']!r}, "
            f"library uses {p['spec']!r}"
        )
    value, est = oracle(part), p["estimate"]
    if est is None or not math.isclose(est, value, rel_tol=0, abs_tol=part["tolerance"]):
        return (
            f"{cid} [{part['name']}] {part['spec']}: library estimate {est!r}, oracle "
            f"{part['oracle']}() {value!r} ({part['units']}); tolerance {part['tolerance']} "
            f"({part['tolerance_why']})"
        )
    return None


def check_units(cid: str, part: Part, got: View) -> str | None:
    """The units printed with the headline are those of the figure the oracle computes."""
    p, err = _part(cid, part, got)
    if p is None:
        return err
    if p["units"] != part["units"]:
        return (
            f"{cid} [{part['name']}]: the oracle computes {part['units']!r}; library reports "
            f"{p['units']!r}"
        )
    return None


def check_verdict(claim: Claim, got: View) -> str | None:
    """The claim's verdict, and each part's verdict where the expectations give one."""
    cid = claim["id"]
    if got["verdict"] != claim["verdict"]:
        return (
            f"{cid}: expected verdict {claim['verdict']!r} ({claim['why']}), "
            f"library says {got['verdict']!r}"
        )
    for part in claim["part"]:
        if "verdict" not in part:
            continue
        p, err = _part(cid, part, got)
        if p is None:
            return err
        if p["verdict"] != part["verdict"]:
            return (
                f"{cid} [{part['name']}]: expected part verdict {part['verdict']!r} "
                f"({claim['why']}), library says {p['verdict']!r}"
            )
    return None


def check_agreement(cid: str, part: Part, got: View, why: str = "") -> str | None:
    """(headline agrees, agree, total): a flipped claimed direction flips the headline's
    agreement and turns ``agree`` into ``total - agree``."""
    p, err = _part(cid, part, got)
    if p is None:
        return err
    want = (part["headline_agrees"], part["agree"], part["total"])
    actual = (p["headline_agrees"], p["agree"], p["total"])
    if actual != want:
        return (
            f"{cid} [{part['name']}]: expected (headline agrees, agree, total) = {want}, "
            f"library gives {actual} ({why})"
        )
    return None


def check_numeric(cid: str, part: Part, got: View) -> str | None:
    """Stated figure and tolerance as declared here; reproduced judged from the oracle."""
    if "stated_tolerance" not in part:
        return None
    p, err = _part(cid, part, got)
    if p is None:
        return err
    num = p["numeric"]
    where = f"{cid} [{part['name']}]"
    if num is None:
        return f"{where}: the library reports no stated figure"
    if num["stated"] is None or not math.isclose(num["stated"], part["stated"], abs_tol=1e-9):
        return f"{where}: stated figure expected {part['stated']}, library {num['stated']}"
    tol = num["tolerance"]
    if tol is None or not math.isclose(tol, part["stated_tolerance"], abs_tol=1e-12):
        return f"{where}: tolerance expected {part['stated_tolerance']}, library {tol}"
    value = oracle(part)
    within = abs(value - part["stated"]) <= part["stated_tolerance"]
    if within != part["reproduced"]:
        return (
            f"{where}: expectations.toml says reproduced={part['reproduced']}, but the "
            f"oracle's {value:.6f} vs stated {part['stated']} +- {part['stated_tolerance']}"
        )
    if num["reproduced"] != part["reproduced"]:
        return (
            f"{where}: expected reproduced={part['reproduced']} (oracle {value:.6f} vs "
            f"{part['stated']} +- {part['stated_tolerance']}), library says {num['reproduced']}"
        )
    return None


def check_direction(cid: str, part: Part, got: View) -> str | None:
    """What the claim says the statistic is (``positive``, ``negative`` or ``about``), as read
    from the source text and written here, against the catalogue the library ran."""
    if "direction" not in part:
        return None
    p, err = _part(cid, part, got)
    if p is None:
        return err
    if p["direction"] != part["direction"]:
        return (
            f"{cid} [{part['name']}]: the source says the statistic is {part['direction']!r}, "
            f"the catalogue says {p['direction']!r}"
        )
    return None


PART_CHECKS: dict[str, Callable[[str, Part, View], str | None]] = {
    "direction": check_direction,
    "estimate": check_estimate,
    "units": check_units,
    "agreement": check_agreement,
    "numeric": check_numeric,
}


def failures(claim: Claim, got: View) -> list[str]:
    """Every mismatch between one claim's expectations and the library's view of it."""
    out = [check_verdict(claim, got)]
    for part in claim["part"]:
        out += [check(claim["id"], part, got) for check in PART_CHECKS.values()]
    return [m for m in out if m is not None]
