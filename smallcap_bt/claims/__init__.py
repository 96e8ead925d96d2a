"""Claims engine: a declarative catalogue of sourced claims, reusable test templates,
verdicts with evidence, and the lock/check gate.

The claim records, the catalogue and the registry are pure Python (no pandas), so listing and
describing claims is instant; what runs them (results, ``verify``) is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from smallcap_bt.claims.catalogue import load_catalogue
from smallcap_bt.claims.model import Claim, PartSpec, Source
from smallcap_bt.claims.registry import Registry, list_claims, registry
from smallcap_bt.claims.verdicts import RULES

if TYPE_CHECKING:  # pragma: no cover
    from smallcap_bt.claims.results import Part, SpecResult
    from smallcap_bt.claims.runner import ClaimResult, Verification, verify, verify_all

_LAZY = {
    "Part": "smallcap_bt.claims.results",
    "SpecResult": "smallcap_bt.claims.results",
    "ClaimResult": "smallcap_bt.claims.runner",
    "Verification": "smallcap_bt.claims.runner",
    "verify": "smallcap_bt.claims.runner",
    "verify_all": "smallcap_bt.claims.runner",
}

__all__ = [
    "RULES",
    "Claim",
    "ClaimResult",
    "Part",
    "PartSpec",
    "Registry",
    "Source",
    "SpecResult",
    "Verification",
    "list_claims",
    "load_catalogue",
    "registry",
    "verify",
    "verify_all",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
