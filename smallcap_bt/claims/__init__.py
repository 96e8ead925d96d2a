"""Claims engine: a declarative catalogue of sourced claims, reusable test templates,
verdicts with evidence, and the lock/check gate."""

from smallcap_bt.claims.catalogue import load_catalogue
from smallcap_bt.claims.model import Claim, PartSpec, Source
from smallcap_bt.claims.registry import Registry, list_claims, registry
from smallcap_bt.claims.results import Part, SpecResult
from smallcap_bt.claims.runner import ClaimResult, Verification, verify, verify_all
from smallcap_bt.claims.verdicts import RULES

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
