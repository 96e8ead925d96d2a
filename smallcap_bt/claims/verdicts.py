"""Verdict rules, as data.

For every part of a claim, each specification *agrees* or not: the estimate lies on the side
of ``threshold`` that the claim's ``direction`` names (``about``: within ``tolerance`` of the
stated figure). Then:

* ``supported``: the headline agrees, at least ``SUPPORT_SHARE`` of all specifications do,
  and — for inferential parts — the effect is significant at ``ALPHA``: by the headline's own
  test, or by the joint test across the specification curve (its median statistic);
* ``unproven`` (inferential parts only): the direction agrees and is robust across
  specifications, but neither test is significant;
* ``contradicted``: the headline disagrees and at most ``CONTRADICT_SHARE`` agree — the data
  point the other way;
* ``mixed``: anything else — the verdict depends on the specification.

Descriptive and numeric parts describe what happened (over a stated window, or a fact of the
data): they are judged on the realised figures; an interval there is context, not a test. For
numeric parts, whether the stated figure is *reproduced* (headline within ``tolerance``) is
reported apart from the verdict. A claim with several parts gets one verdict per part, and an
overall verdict that is their common verdict, or ``mixed`` when they differ.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from smallcap_bt.claims.model import PartSpec, VerdictName

if TYPE_CHECKING:  # pragma: no cover
    from smallcap_bt.claims.results import Part
    from smallcap_bt.stats.results import Estimate

#: the verdict rules; change them here and every verdict, test and doc follows
RULES: dict[str, Any] = {
    "SUPPORT_SHARE": 2 / 3,
    "CONTRADICT_SHARE": 1 / 3,
    "ALPHA": 0.05,
}


def agrees(spec: PartSpec, estimate: Estimate) -> bool:
    """Does an estimate agree with what the part claims? NaN never agrees."""
    v = float(estimate.value)
    if math.isnan(v):
        return False
    if spec.direction == "positive":
        return v > spec.threshold
    if spec.direction == "negative":
        return v < spec.threshold
    assert spec.stated is not None and spec.tolerance is not None  # checked by PartSpec
    return abs(v - spec.stated) <= spec.tolerance + 1e-12


def significant(part: Part, rules: dict[str, Any] | None = None) -> bool | None:
    """Inferential parts: is the headline effect significant in the claimed direction, by the
    headline test or the joint test? None for descriptive and numeric parts."""
    r = RULES if rules is None else rules
    if part.spec.kind != "inferential":
        return None
    head = part.headline_result()
    if not head.agrees:
        return False
    p = head.estimate.p_value
    joint = part.joint.p_median if part.joint is not None else math.nan
    return bool(
        (not math.isnan(p) and p < r["ALPHA"]) or (not math.isnan(joint) and joint < r["ALPHA"])
    )


def part_verdict(part: Part, rules: dict[str, Any] | None = None) -> VerdictName:
    """Verdict of one part (see the module doc)."""
    r = RULES if rules is None else rules
    share = part.agree / part.total if part.total else 0.0
    head = part.headline_result().agrees
    if head and share >= r["SUPPORT_SHARE"]:
        return "unproven" if significant(part, r) is False else "supported"
    if not head and share <= r["CONTRADICT_SHARE"]:
        return "contradicted"
    return "mixed"


def combine(verdicts: list[VerdictName]) -> VerdictName:
    """Overall verdict of a multi-part claim: the common verdict, else ``mixed``."""
    return verdicts[0] if len(set(verdicts)) == 1 else "mixed"


def reproduced(part: Part) -> bool | None:
    """Parts with a stated figure: is the headline within ``tolerance`` of it?"""
    s = part.spec
    if s.stated is None or s.tolerance is None:
        return None
    v = part.headline_result().estimate.value
    return bool(abs(v - s.stated) <= s.tolerance + 1e-12)
