"""The claim registry: every row of CLAIMS.md, listable, filterable and extensible."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from smallcap_bt.claims.model import Claim
from smallcap_bt.exceptions import ClaimDefinitionError, UnknownClaimError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class Registry:
    """An ordered collection of claims keyed by id."""

    def __init__(self, claims: Iterable[Claim] = ()) -> None:
        self._claims: dict[str, Claim] = {}
        for c in claims:
            self.register(c)

    def register(self, claim: Claim, *, replace: bool = False) -> Claim:
        """Add a claim (users can register their own); ids must be unique."""
        if claim.id in self._claims and not replace:
            raise ClaimDefinitionError(f"claim {claim.id!r} is already registered")
        self._claims[claim.id] = claim
        return claim

    def get(self, claim_id: str) -> Claim:
        """A claim by id; unknown ids raise with close matches."""
        if claim_id in self._claims:
            return self._claims[claim_id]
        close = difflib.get_close_matches(claim_id, list(self._claims), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownClaimError(
            f"unknown claim {claim_id!r}{hint} (smallcap-bt claims list shows all)"
        )

    def __iter__(self) -> Iterator[Claim]:
        return iter(self._claims.values())

    def __len__(self) -> int:
        return len(self._claims)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._claims

    def ids(self) -> list[str]:
        """All ids, in registration order."""
        return list(self._claims)

    def filter(
        self,
        *,
        testable: bool | None = None,
        source: str | None = None,
        family: str | None = None,
    ) -> list[Claim]:
        """Claims matching all given criteria (source key like ``"004"``)."""
        return [
            c
            for c in self._claims.values()
            if (testable is None or c.testable == testable)
            and (source is None or source in {s.key for s in c.sources})
            and (family is None or c.family == family)
        ]

    def frame(self) -> pd.DataFrame:
        """The registry as a table: id, family, kind, sources, as_of, testable, hypothesis."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "id": c.id,
                    "family": c.family,
                    "kind": c.kind,
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
    from smallcap_bt.claims.catalogue import builtin_claims, entry_point_claims

    reg = Registry(builtin_claims())
    for claim in entry_point_claims():
        reg.register(claim)
    return reg


registry: Registry = _default()


def list_claims() -> pd.DataFrame:
    """The built-in registry as a DataFrame."""
    return registry.frame()
