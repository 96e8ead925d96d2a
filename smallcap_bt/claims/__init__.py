"""Claims engine: registry of sourced claims, verdicts with evidence, lock/check gate."""

from smallcap_bt.claims.model import Claim, Part, Source, SpecResult
from smallcap_bt.claims.registry import Registry, list_claims, registry
from smallcap_bt.claims.runner import ClaimResult, Verification, verify, verify_all
from smallcap_bt.claims.verdicts import RULES

__all__ = [
    "RULES",
    "Claim",
    "ClaimResult",
    "Part",
    "Registry",
    "Source",
    "SpecResult",
    "Verification",
    "list_claims",
    "registry",
    "verify",
    "verify_all",
]
