"""Evaluated parts and specifications (what a template's estimates become)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from smallcap_bt.claims.model import PartSpec
from smallcap_bt.stats.results import Estimate


@dataclass
class SpecResult:
    """One specification's estimate and whether it agrees with the claim."""

    spec: str
    estimate: Estimate
    agrees: bool
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: spec, estimate, ci_low, ci_high, p_value, n, units, method, agrees."""
        e = self.estimate.to_dict()
        return {
            "spec": self.spec,
            "estimate": e["value"],
            "ci_low": e["ci_low"],
            "ci_high": e["ci_high"],
            "p_value": e["p_value"],
            "n": e["n"],
            "units": e["units"],
            "method": e["method"],
            "start": e["start"],
            "end": e["end"],
            "agrees": bool(self.agrees),
        }


@dataclass
class Part:
    """One evaluated part of a claim.

    Attributes
    ----------
    spec : PartSpec
        The part as the catalogue declares it (hypothesis, direction, headline ...).
    specs : list of SpecResult
    details : pandas.DataFrame, optional
        The per-event, per-episode or per-decade table behind the headline.
    notes : list of str
    joint : SpecCurveTest, optional
        The joint test across the specification curve (inferential parts).
    """

    spec: PartSpec
    specs: list[SpecResult]
    details: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    joint: Any = None

    @property
    def name(self) -> str:
        """Part name."""
        return self.spec.name

    @property
    def headline(self) -> str:
        """Headline specification id."""
        return self.spec.headline

    def headline_result(self) -> SpecResult:
        """The headline specification's result."""
        for s in self.specs:
            if s.spec == self.spec.headline:
                return s
        raise KeyError(self.spec.headline)

    @property
    def agree(self) -> int:
        """How many specifications agree with the claim."""
        return sum(bool(s.agrees) for s in self.specs)

    @property
    def total(self) -> int:
        """How many specifications were evaluated."""
        return len(self.specs)

    def closest(self) -> SpecResult | None:
        """Parts with a stated figure: the specification whose estimate is closest to it."""
        if self.spec.stated is None:
            return None
        valid = [s for s in self.specs if not math.isnan(s.estimate.value)]
        stated = float(self.spec.stated)
        return min(valid, key=lambda s: abs(s.estimate.value - stated)) if valid else None

    def table(self) -> pd.DataFrame:
        """The specifications as a DataFrame (one row each)."""
        return pd.DataFrame([s.to_dict() for s in self.specs]).set_index("spec")
