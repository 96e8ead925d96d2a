"""Claim model: sources, claims, specifications, parts and results.

A *claim* is a historical statement from a source, registered like a citation. A testable
claim has one or more *parts* (two-part claims get two verdicts); each part is evaluated over
a declared set of *specifications* (size definition, weighting, window, event definition,
horizon ...), one of which is the *headline*: the one closest to what the source meant.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from smallcap_bt.stats.results import Estimate

if TYPE_CHECKING:  # pragma: no cover
    from smallcap_bt.claims.context import Context

Fidelity = Literal["exact", "close", "proxy", "none"]
VerdictName = Literal["supported", "contradicted", "mixed", "not_testable"]


@dataclass(frozen=True)
class Source:
    """A cited source text."""

    key: str
    file: str
    title: str
    author: str
    publisher: str
    date: str

    def citation(self) -> str:
        """One-line citation."""
        who = ", ".join(x for x in (self.author, self.publisher) if x)
        return f"{who} ({self.date}). {self.title}. [{self.file}]"

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {
            "key": self.key,
            "file": self.file,
            "title": self.title,
            "author": self.author,
            "publisher": self.publisher,
            "date": self.date,
        }


@dataclass
class SpecResult:
    """One specification's estimate and whether it agrees with the claim."""

    spec: str
    estimate: Estimate
    agrees: bool
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: spec, estimate, ci_low, ci_high, p_value, n, units, agrees."""
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
    """One falsifiable part of a claim, evaluated over its specifications.

    Attributes
    ----------
    name : str
        Short name of the part (``"main"`` for single-part claims).
    hypothesis : str
        The falsifiable sentence this part tests.
    specs : list of SpecResult
    headline : str
        Spec id of the headline specification.
    why_headline : str
        Why that specification is the closest to what the source meant.
    stated : float, optional
        A figure stated by the source (numeric claims), in the estimate's units.
    tolerance : float, optional
        How far the headline may be from ``stated`` to count as reproduced.
    details : pandas.DataFrame, optional
        The per-event, per-episode or per-decade table behind the headline.
    """

    name: str
    hypothesis: str
    specs: list[SpecResult]
    headline: str
    why_headline: str = ""
    stated: float | None = None
    tolerance: float | None = None
    details: pd.DataFrame | None = None
    inferential: bool = True

    def headline_result(self) -> SpecResult:
        """The headline specification's result."""
        for s in self.specs:
            if s.spec == self.headline:
                return s
        raise KeyError(f"headline spec {self.headline!r} not among the specifications")

    @property
    def agree(self) -> int:
        """How many specifications agree with the claim."""
        return sum(bool(s.agrees) for s in self.specs)

    @property
    def total(self) -> int:
        """How many specifications were evaluated."""
        return len(self.specs)

    def closest(self) -> SpecResult | None:
        """For numeric parts: the specification whose estimate is closest to ``stated``."""
        if self.stated is None:
            return None
        valid = [s for s in self.specs if not math.isnan(s.estimate.value)]
        return min(valid, key=lambda s: abs(s.estimate.value - float(self.stated)))

    def table(self) -> pd.DataFrame:
        """The specifications as a DataFrame (one row each)."""
        return pd.DataFrame([s.to_dict() for s in self.specs]).set_index("spec")


@dataclass(frozen=True)
class Claim:
    """A registered claim: provenance, exact words, hypothesis, data needs and its test.

    Attributes
    ----------
    id : str
        Stable id (as in CLAIMS.md).
    sources : tuple of Source
    quote : str
        The exact words (abridged with ...).
    as_of : str
        Date the claim was made (ISO); windows "to the source date" end the month before.
    hypothesis : str
        The claim as one falsifiable sentence.
    datasets : tuple of str
        Catalog ids it needs.
    fidelity : {"exact", "close", "proxy", "none"}
        How faithfully public data can reproduce it.
    test : str
        The test, in words.
    run : callable, optional
        ``run(context) -> list[Part]``; None for untestable claims.
    reason : str
        Why a claim is not testable, and what data it would need.
    proxy : str
        What stands in for what (e.g. Fama-French size portfolios for the Russell 2000).
    """

    id: str
    sources: tuple[Source, ...]
    quote: str
    as_of: str
    hypothesis: str
    datasets: tuple[str, ...] = ()
    fidelity: Fidelity = "proxy"
    test: str = ""
    run: Callable[[Context], list[Part]] | None = field(default=None, compare=False)
    reason: str = ""
    proxy: str = ""
    family: str = ""

    @property
    def testable(self) -> bool:
        """Whether the claim has a test on public Fama-French / FRED data."""
        return self.run is not None

    def fields(self) -> list[tuple[str, str]]:
        """(label, text) pairs describing the claim, empty ones left out (CLI and docs)."""
        rows = [("source", s.citation()) for s in self.sources]
        rows += [
            ("as of", self.as_of),
            ("hypothesis", self.hypothesis),
            ("testable", f"{'yes' if self.testable else 'no'} (fidelity: {self.fidelity})"),
            ("test", self.test),
            ("proxy", self.proxy),
            ("datasets", ", ".join(self.datasets)),
            ("reason", self.reason),
        ]
        return [(k, v) for k, v in rows if v]

    def describe(self) -> str:
        """Multi-line description (``smallcap-bt claims show``)."""
        lines = [f"{self.id}  [{self.family}]", f'  quote:      "{self.quote}"']
        lines += [f"  {k + ':':<11} {v}" for k, v in self.fields()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.describe())}</pre>"
