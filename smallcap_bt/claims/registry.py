"""The claim registry: every row of CLAIMS.md, listable, filterable and extensible."""

from __future__ import annotations

import difflib

import pandas as pd

from smallcap_bt.claims.model import Claim
from smallcap_bt.exceptions import ClaimDefinitionError, UnknownDatasetError


class Registry:
    """An ordered collection of claims keyed by id."""

    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}

    def register(self, claim: Claim, *, replace: bool = False) -> Claim:
        """Add a claim (users can register their own); ids must be unique."""
        if not claim.id or " " in claim.id:
            raise ClaimDefinitionError(f"invalid claim id {claim.id!r}")
        if claim.id in self._claims and not replace:
            raise ClaimDefinitionError(f"claim {claim.id!r} is already registered")
        if not claim.sources:
            raise ClaimDefinitionError(f"claim {claim.id!r} has no source")
        if claim.run is None and not claim.reason:
            raise ClaimDefinitionError(f"untestable claim {claim.id!r} needs a reason")
        self._claims[claim.id] = claim
        return claim

    def get(self, claim_id: str) -> Claim:
        """A claim by id; unknown ids raise with close matches."""
        if claim_id in self._claims:
            return self._claims[claim_id]
        close = difflib.get_close_matches(claim_id, list(self._claims), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownDatasetError(
            f"unknown claim {claim_id!r}{hint} (smallcap-bt claims list shows all)"
        )

    def __iter__(self):
        return iter(self._claims.values())

    def __len__(self) -> int:
        return len(self._claims)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._claims

    def ids(self) -> list[str]:
        """All ids, in registration order."""
        return list(self._claims)

    def filter(
        self, *, testable: bool | None = None, source: str | None = None, family: str | None = None
    ) -> list[Claim]:
        """Claims matching all given criteria (source key like ``"004"``)."""
        out = []
        for c in self._claims.values():
            if testable is not None and c.testable != testable:
                continue
            if source is not None and source not in {s.key for s in c.sources}:
                continue
            if family is not None and c.family != family:
                continue
            out.append(c)
        return out

    def frame(self) -> pd.DataFrame:
        """The registry as a table: id, family, sources, as_of, testable, fidelity, hypothesis."""
        return pd.DataFrame(
            [
                {
                    "id": c.id,
                    "family": c.family,
                    "sources": ",".join(s.key for s in c.sources),
                    "as_of": c.as_of,
                    "testable": c.testable,
                    "fidelity": c.fidelity,
                    "hypothesis": c.hypothesis,
                }
                for c in self._claims.values()
            ]
        ).set_index("id")


def _default() -> Registry:
    from smallcap_bt.claims.library import (
        decades,
        events,
        rates,
        size,
        streaks,
        untestable,
        valuation,
        windows,
    )

    reg = Registry()
    for module in (size, decades, rates, events, windows, streaks, valuation, untestable):
        for claim in module.CLAIMS:
            reg.register(claim)
    return reg


registry: Registry = _default()


def list_claims() -> pd.DataFrame:
    """The built-in registry as a DataFrame."""
    return registry.frame()
