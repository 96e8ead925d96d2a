"""Run claims on a vintage and collect verdicts with their evidence (``verify``)."""

from __future__ import annotations

import html
import json
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from smallcap_bt._version import __version__
from smallcap_bt.claims.context import Context, NotTestableYet
from smallcap_bt.claims.model import Claim, Part, VerdictName
from smallcap_bt.claims.registry import Registry, registry
from smallcap_bt.claims.verdicts import RULES, combine, part_verdict, reproduced
from smallcap_bt.data.load import vintage_fingerprint
from smallcap_bt.data.store import Store
from smallcap_bt.exceptions import DataUnavailableError, InsufficientDataError
from smallcap_bt.panel.definitions import StoreArg


def _clean(x: Any) -> Any:
    """JSON-safe, deterministic values: NaN -> None, numpy -> python, floats rounded."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.integer | bool | np.bool_):
        return x.item() if hasattr(x, "item") else x
    if isinstance(x, float | np.floating):
        f = float(x)
        return None if math.isnan(f) or math.isinf(f) else round(f, 12)
    return x


@dataclass
class PartResult:
    """Verdict of one part with its evidence."""

    part: Part
    verdict: VerdictName

    @property
    def headline(self):
        """Headline :class:`SpecResult`."""
        return self.part.headline_result()

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the part."""
        h = self.headline.to_dict()
        d: dict[str, Any] = {
            "name": self.part.name,
            "hypothesis": self.part.hypothesis,
            "verdict": self.verdict,
            "headline": {
                k: h[k]
                for k in (
                    "spec",
                    "estimate",
                    "ci_low",
                    "ci_high",
                    "p_value",
                    "n",
                    "units",
                    "method",
                    "start",
                    "end",
                )
            },
            "why_headline": self.part.why_headline,
            "significant": (
                None
                if not self.part.inferential or h["p_value"] is None
                else bool(h["p_value"] < RULES["ALPHA"])
            ),
            "specifications": [s.to_dict() for s in self.part.specs],
            "robustness": {"agree": self.part.agree, "total": self.part.total},
        }
        if self.part.stated is not None:
            closest = self.part.closest()
            d["numeric"] = {
                "stated": self.part.stated,
                "tolerance": self.part.tolerance,
                "reproduced": reproduced(self.part),
                "closest_spec": closest.spec if closest else None,
                "closest_estimate": closest.estimate.value if closest else None,
            }
        return d


@dataclass
class ClaimResult:
    """A claim's verdict and the evidence behind it.

    Attributes
    ----------
    claim : Claim
    verdict : {"supported", "contradicted", "mixed", "not_testable"}
    parts : list of PartResult
        One per part (two-part claims get two verdicts).
    reason : str
        Why the claim is not testable (registry reason, or data not reaching the as-of date).
    vintage : str
    """

    claim: Claim
    verdict: VerdictName
    parts: list[PartResult] = field(default_factory=list)
    reason: str = ""
    vintage: str = ""

    @property
    def headline(self) -> PartResult | None:
        """The first part (the headline of single-part claims)."""
        return self.parts[0] if self.parts else None

    @property
    def specifications(self) -> pd.DataFrame:
        """All specifications of all parts, one row each."""
        if not self.parts:
            return pd.DataFrame()
        frames = [p.part.table().assign(part=p.part.name) for p in self.parts]
        return pd.concat(frames)

    @property
    def details(self) -> pd.DataFrame | None:
        """The per-event / per-episode / per-decade table behind the headline, if any."""
        for p in self.parts:
            if p.part.details is not None:
                return p.part.details
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of ``verify --json``."""
        c = self.claim
        d: dict[str, Any] = {
            "id": c.id,
            "source": [s.to_dict() for s in c.sources],
            "quote": c.quote,
            "as_of": c.as_of,
            "hypothesis": c.hypothesis,
            "fidelity": c.fidelity,
            "proxy": c.proxy,
            "test": c.test,
            "testable": self.verdict != "not_testable",
            "verdict": self.verdict,
        }
        if self.verdict == "not_testable":
            d.update(
                {
                    "reason": self.reason,
                    "headline": None,
                    "specifications": [],
                    "robustness": {"agree": 0, "total": 0},
                }
            )
            return d
        parts = [p.to_dict() for p in self.parts]
        first = parts[0]
        d.update(
            {
                "headline": first["headline"],
                "significant": first["significant"],
                "specifications": [
                    s | {"part": p["name"]} for p in parts for s in p["specifications"]
                ],
                "robustness": {
                    "agree": sum(p["robustness"]["agree"] for p in parts),
                    "total": sum(p["robustness"]["total"] for p in parts),
                },
                "parts": [{k: v for k, v in p.items() if k != "specifications"} for p in parts],
            }
        )
        if "numeric" in first:
            d["numeric"] = first["numeric"]
        return d

    def summary(self) -> str:
        """Readable multi-line summary."""
        lines = [
            f"{self.claim.id}: {self.verdict.upper()}  (vintage {self.vintage})",
            f'  "{self.claim.quote}"',
            f"  — {'; '.join(s.citation() for s in self.claim.sources)}",
        ]
        if self.verdict == "not_testable":
            lines.append(f"  reason: {self.reason}")
            return "\n".join(lines)
        for p in self.parts:
            h = p.headline
            lines.append(f"  [{p.part.name}] {p.verdict}: {p.part.hypothesis}")
            lines.append(f"    headline {h.spec}: {h.estimate}")
            lines.append(f"    agreement: {p.part.agree}/{p.part.total} specifications")
            if p.part.stated is not None:
                c = p.part.closest()
                lines.append(
                    f"    stated {p.part.stated:.4g}, reproduced within "
                    f"{p.part.tolerance}: {reproduced(p.part)}; closest spec "
                    f"{c.spec if c else 'n/a'}"
                )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = (
            f"<h4>{html.escape(self.claim.id)}: {self.verdict}</h4>"
            f"<blockquote>{html.escape(self.claim.quote)}</blockquote>"
        )
        if not self.parts:
            return head + f"<p>{html.escape(self.reason)}</p>"
        return (
            head
            + f"<pre>{html.escape(self.summary())}</pre>"
            + self.specifications.to_html(max_rows=40)
        )


def run_claim(claim: Claim, ctx: Context) -> ClaimResult:
    """Evaluate one claim on a context."""
    if claim.run is None:
        return ClaimResult(claim, "not_testable", reason=claim.reason, vintage=ctx.vintage)
    try:
        parts = claim.run(ctx)
    except NotTestableYet as exc:
        return ClaimResult(
            claim, "not_testable", reason=f"data do not reach the claim: {exc}", vintage=ctx.vintage
        )
    except (InsufficientDataError, DataUnavailableError) as exc:
        return ClaimResult(
            claim, "not_testable", reason=f"{type(exc).__name__}: {exc}", vintage=ctx.vintage
        )
    results = [PartResult(p, part_verdict(p)) for p in parts]
    return ClaimResult(claim, combine([r.verdict for r in results]), results, vintage=ctx.vintage)


@dataclass
class Verification:
    """Results of a ``verify`` run, with the vintage they were computed on."""

    results: list[ClaimResult]
    fingerprint: dict[str, Any]
    settings: dict[str, Any]

    def __getitem__(self, claim_id: str) -> ClaimResult:
        for r in self.results:
            if r.claim.id == claim_id:
                return r
        raise KeyError(claim_id)

    def to_dict(self) -> dict[str, Any]:
        """The full JSON document (library version, vintage, settings, claims)."""
        return _clean(
            {
                "library": {"name": "smallcap_bt", "version": __version__},
                "vintage": self.fingerprint,
                "settings": self.settings,
                "verdict_rules": RULES,
                "claims": [r.to_dict() for r in self.results],
            }
        )

    def to_json(self) -> str:
        """Deterministic JSON (sorted keys, rounded floats): byte-identical across runs."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    def table(self) -> pd.DataFrame:
        """Summary: claim, verdict, headline estimate and interval, agreement."""
        rows = []
        for r in self.results:
            d = r.to_dict()
            h = d.get("headline") or {}
            rows.append(
                {
                    "claim": r.claim.id,
                    "verdict": r.verdict,
                    "headline spec": h.get("spec", ""),
                    "estimate": h.get("estimate"),
                    "ci_low": h.get("ci_low"),
                    "ci_high": h.get("ci_high"),
                    "p": h.get("p_value"),
                    "units": h.get("units", ""),
                    "agree": f"{d['robustness']['agree']}/{d['robustness']['total']}",
                }
            )
        return pd.DataFrame(rows).set_index("claim")

    def _repr_html_(self) -> str:
        return self.table().to_html()


def _ensure_vintage(store: StoreArg, vintage: str | None) -> Store:
    st = store if isinstance(store, Store) else Store(store)
    if vintage is None and not st.vintages():
        from smallcap_bt.data.load import fetch_vintage

        try:
            fetch_vintage(store=st)
        except DataUnavailableError as exc:
            raise DataUnavailableError(
                f"no data vintage is stored at {st.root} and downloading failed ({exc}). "
                "Without network, import a snapshot: smallcap-bt data import --vintage 202602 "
                "../shared/data/french/202602 ../shared/data/french/202510 "
                "../shared/data/french/202511 ../shared/data/fred/2026-08-10"
            ) from None
    return st


def verify_all(
    claims: Iterable[str] | None = None,
    vintage: str | None = None,
    *,
    store: StoreArg = None,
    seed: int = 0,
    draws: int = 2_000,
    reg: Registry | None = None,
    progress: bool = False,
) -> Verification:
    """Run claims (all by default) on a vintage.

    Parameters
    ----------
    claims : iterable of str, optional
        Claim ids; all registered claims when omitted.
    vintage : str, optional
        Named vintage (the store's default when omitted; downloaded if none is stored).
    seed : int
        Base seed of the bootstrap and placebo draws (deterministic results).
    draws : int
        Bootstrap and placebo draws per test.
    progress : bool
        Print one line per claim to stderr.
    """
    reg = reg or registry
    st = _ensure_vintage(store, vintage)
    ctx = Context.open(vintage, st, seed=seed, draws=draws)
    chosen = [reg.get(c) for c in claims] if claims else list(reg)
    results = []
    for i, claim in enumerate(chosen, 1):
        if progress:
            print(f"[{i}/{len(chosen)}] {claim.id}", file=sys.stderr, flush=True)
        results.append(run_claim(claim, ctx))
    fp = vintage_fingerprint(ctx.vintage, store=st)
    return Verification(results, fp, {"seed": seed, "draws": draws})


def verify(
    claim: str | Iterable[str] | None = None,
    vintage: str | None = None,
    *,
    store: StoreArg = None,
    seed: int = 0,
    draws: int = 2_000,
) -> ClaimResult | Verification:
    """Verify one claim (returns a :class:`ClaimResult`) or several (a :class:`Verification`).

    Examples
    --------
    >>> r = verify("fed-cuts-since-1990")        # doctest: +SKIP
    >>> r.verdict, r.specifications, r.details   # per-spec table and per-event table
    """
    if isinstance(claim, str):
        return verify_all([claim], vintage, store=store, seed=seed, draws=draws).results[0]
    return verify_all(claim, vintage, store=store, seed=seed, draws=draws)
