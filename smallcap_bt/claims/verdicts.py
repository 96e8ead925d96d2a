"""Verdict rules, as data.

For every part of a claim:

* each specification *agrees* or not (the claim's direction, a rank, or a stated figure
  within tolerance, as the claim's test defines);
* ``supported``: the headline agrees and at least ``SUPPORT_SHARE`` of all specifications do;
* ``contradicted``: the headline disagrees and at most ``CONTRADICT_SHARE`` agree;
* ``mixed``: anything else — the verdict depends on the specification.

A claim with several parts gets one verdict per part, and an overall verdict that is the
common verdict of its parts, or ``mixed`` when they differ. Significance is reported next to
the verdict (headline p-value below ``ALPHA``) and never changes it.
"""

from __future__ import annotations

from typing import Any

from smallcap_bt.claims.model import Part, VerdictName

#: the verdict rules; change them here and every verdict, test and doc follows
RULES: dict[str, Any] = {
    "SUPPORT_SHARE": 2 / 3,
    "CONTRADICT_SHARE": 1 / 3,
    "ALPHA": 0.05,
}


def part_verdict(part: Part, rules: dict[str, Any] | None = None) -> VerdictName:
    """Verdict of one part from its headline and agreement share (see module doc)."""
    r = RULES if rules is None else rules
    share = part.agree / part.total if part.total else 0.0
    head = part.headline_result().agrees
    if head and share >= r["SUPPORT_SHARE"]:
        return "supported"
    if not head and share <= r["CONTRADICT_SHARE"]:
        return "contradicted"
    return "mixed"


def combine(verdicts: list[VerdictName]) -> VerdictName:
    """Overall verdict of a multi-part claim: the common verdict, else ``mixed``."""
    unique = set(verdicts)
    return verdicts[0] if len(unique) == 1 else "mixed"


def reproduced(part: Part) -> bool | None:
    """For numeric parts: is the headline within ``tolerance`` of the stated figure?"""
    if part.stated is None or part.tolerance is None:
        return None
    return abs(part.headline_result().estimate.value - part.stated) <= part.tolerance
