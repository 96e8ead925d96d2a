"""What a claim's test runs on: one vintage's panel, events and settings, computed once."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from smallcap_bt.data.store import Store
from smallcap_bt.exceptions import InsufficientDataError
from smallcap_bt.panel.build import monthly_panel, target_rate_daily
from smallcap_bt.panel.definitions import StoreArg


class NotTestableYet(InsufficientDataError):
    """The claim needs months that the vintage does not reach (e.g. as-of beyond the data)."""


@dataclass
class Context:
    """Shared inputs of every claim test in one run.

    Parameters
    ----------
    vintage : str
        Named vintage (resolved).
    store : Store or path, optional
    seed : int
        Base seed; each claim derives its own from its id, so results do not depend on the
        order claims are run in.
    draws : int
        Bootstrap and placebo draws.
    """

    vintage: str
    store: StoreArg = None
    seed: int = 0
    draws: int = 2_000
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, vintage: str | None = None, store: StoreArg = None, **kw: Any) -> Context:
        """Resolve ``vintage`` (default vintage if None) and build a context."""
        st = store if isinstance(store, Store) else Store(store)
        return cls(st.resolve(vintage), st, **kw)

    @cached_property
    def panel(self) -> pd.DataFrame:
        """The monthly panel of the vintage."""
        return monthly_panel(self.vintage, store=self.store)

    @cached_property
    def target(self) -> pd.Series:
        """Daily fed funds target (percent)."""
        return target_rate_daily(self.vintage, store=self.store)

    def rng_seed(self, claim_id: str) -> int:
        """A per-claim seed: stable, order-independent."""
        return (zlib.crc32(claim_id.encode()) + self.seed) % (2**32)

    def generator(self, claim_id: str) -> np.random.Generator:
        """A fresh Generator for one claim."""
        return np.random.default_rng(self.rng_seed(claim_id))

    def last_month(self, column: str = "sml.decile.vw") -> pd.Period:
        """Last month with data in ``column``."""
        return self.panel[column].last_valid_index()

    def require(
        self, last_needed: str | pd.Period, column: str = "sml.decile.vw", why: str = ""
    ) -> None:
        """Raise :class:`NotTestableYet` unless ``column`` has data through ``last_needed``."""
        need = pd.Period(last_needed, freq="M")
        have = self.last_month(column)
        if have is None or have < need:
            raise NotTestableYet(
                f"needs {column} through {need}, but vintage {self.vintage!r} ends {have}"
                + (f" ({why})" if why else "")
            )
