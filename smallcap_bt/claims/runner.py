"""Run claims on a vintage and collect verdicts with their evidence (``verify``)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from smallcap_bt._version import __version__
from smallcap_bt.claims.engine import NotTestableYet, Settings, evaluate
from smallcap_bt.claims.model import Claim, VerdictName
from smallcap_bt.claims.registry import Registry, registry
from smallcap_bt.claims.results import Part, SpecResult
from smallcap_bt.claims.verdicts import RULES, combine, part_verdict, reproduced, significant
from smallcap_bt.data.store import Store
from smallcap_bt.data.vintage import Vintage
from smallcap_bt.exceptions import DataUnavailableError, InsufficientDataError


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
    p_adjusted: dict[str, float] = field(default_factory=dict)

    @property
    def headline(self) -> SpecResult:
        """Headline :class:`SpecResult`."""
        return self.part.headline_result()

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the part."""
        s = self.part.spec
        h = self.headline.to_dict()
        d: dict[str, Any] = {
            "name": s.name,
            "hypothesis": s.hypothesis,
            "kind": s.kind,
            "test": s.test,
            "direction": s.direction,
            "threshold": s.threshold,
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
            "why_headline": s.why_headline,
            "significant": significant(self.part),
            "specifications": [x.to_dict() for x in self.part.specs],
            "robustness": {"agree": self.part.agree, "total": self.part.total},
            "notes": self.part.notes,
        }
        if self.part.joint is not None:
            d["joint"] = self.part.joint.to_dict()
        if self.p_adjusted:
            d["p_adjusted"] = self.p_adjusted
        if s.stated is not None:
            closest = self.part.closest()
            lo, hi = self.headline.estimate.ci_low, self.headline.estimate.ci_high
            d["numeric"] = {
                "stated": s.stated,
                "tolerance": s.tolerance,
                "reproduced": reproduced(self.part),
                "stated_in_interval": None if math.isnan(lo) else bool(lo <= s.stated <= hi),
                "closest_spec": closest.spec if closest else None,
                "closest_estimate": closest.estimate.value if closest else None,
            }
        return d


def _missing(x: Any) -> bool:
    """None (a JSON null) or NaN."""
    return x is None or x != x


@dataclass
class ClaimResult:
    """A claim's verdict and the evidence behind it.

    Attributes
    ----------
    claim : Claim
    verdict : {"supported", "unproven", "mixed", "contradicted", "not_testable"}
    parts : list of PartResult
        One per part (two-part claims get two verdicts).
    reason : str
        Why the claim is not testable (no public data, or data not reaching the as-of date).
    vintage : str
    """

    claim: Claim
    verdict: VerdictName
    parts: list[PartResult] = field(default_factory=list)
    reason: str = ""
    vintage: str = ""

    @property
    def headline(self) -> SpecResult | None:
        """The first part's headline specification (estimate, interval, p-value)."""
        return self.parts[0].headline if self.parts else None

    @property
    def specifications(self) -> pd.DataFrame:
        """All specifications of all parts, one row each."""
        if not self.parts:
            return pd.DataFrame()
        return pd.concat([p.part.table().assign(part=p.part.name) for p in self.parts])

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
            "kind": c.kind,
            "fidelity": c.fidelity,
            "proxy": c.proxy,
            "hindsight": c.hindsight,
            "test": ", ".join(dict.fromkeys(p.test for p in c.parts)),
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
        for key in ("numeric", "joint", "p_adjusted"):
            if key in first:
                d[key] = first[key]
        return d

    def describe(self) -> str:
        """Readable multi-line text (also the ``repr``)."""
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
            lines.append(f"  [{p.part.name}] {p.verdict}: {p.part.spec.hypothesis}")
            lines.append(f"    headline {h.spec}: {h.estimate}")
            lines.append(f"    agreement: {p.part.agree}/{p.part.total} specifications")
            if p.part.joint is not None:
                j = p.part.joint
                lines.append(
                    f"    joint test: {j.n_significant}/{j.n_specs} significant "
                    f"(p {j.p_count:.3g}); median z p {j.p_median:.3g}"
                )
            if p.part.spec.stated is not None:
                c = p.part.closest()
                lines.append(
                    f"    stated {p.part.spec.stated:.4g}, reproduced within "
                    f"{p.part.spec.tolerance}: {reproduced(p.part)}; closest spec "
                    f"{c.spec if c else 'n/a'}"
                )
            lines += [f"    note: {n}" for n in p.part.notes]
        return "\n".join(lines)

    def summary(self) -> Any:
        """A :class:`smallcap_bt.reports.summary.Summary` (``as_text``, ``as_html``,
        ``as_latex``; rendered in notebooks): one row per part, with notes."""
        from smallcap_bt.reports.summary import Summary
        from smallcap_bt.reports.tables import fmt, units_label

        out = Summary(f"{self.claim.id}: {self.verdict} (vintage {self.vintage})")
        if not self.parts:
            return out.add_note(self.reason)
        rows = []
        for p in self.parts:
            d = p.to_dict()
            h = d["headline"]
            u = str(h.get("units") or "")
            ci = "" if _missing(h["ci_low"]) else f"[{fmt(h['ci_low'], u)}, {fmt(h['ci_high'], u)}]"
            repro = d.get("numeric", {}).get("reproduced")
            rows.append(
                {
                    "part": p.part.name,
                    "verdict": p.verdict,
                    "headline": h["spec"],
                    "estimate": fmt(h["estimate"], u),  # percent for decimals, as repr
                    "95% CI": ci,
                    # descriptive parts have no p-value (None in the JSON, NaN in Python)
                    "p": "" if _missing(h["p_value"]) else f"{h['p_value']:.3g}",
                    "joint p": f"{d['joint']['p_median']:.3g}" if "joint" in d else "",
                    "agree": f"{p.part.agree}/{p.part.total}",
                    "stated": "" if p.part.spec.stated is None else fmt(p.part.spec.stated, u),
                    "reproduced": "" if repro is None else ("yes" if repro else "no"),
                    "units": units_label(u).split("(")[0].strip(),
                }
            )
        out.add_table(rows, title="parts")
        out.add_note(
            f'"{self.claim.quote}" — ' + "; ".join(s.citation() for s in self.claim.sources)
        )
        for p in self.parts:
            out.add_note(
                f"[{p.part.name}] units: {p.headline.estimate.units}; {p.headline.estimate.method}"
            )
            for n in p.part.notes:
                out.add_note(f"[{p.part.name}] {n}")
        return out

    def plot(self, part: int | str = 0) -> Any:
        """Specification curve of one part (a matplotlib Figure, shown inline in Jupyter):
        every specification's estimate with its interval, the headline marked, the stated
        figure as a line and the joint-test p-value in the title."""
        from smallcap_bt.reports.plots import spec_curve_plot

        if not self.parts:
            raise ValueError(f"{self.claim.id} is not testable: nothing to plot")
        pr = (
            self.parts[part]
            if isinstance(part, int)
            else next(x for x in self.parts if x.part.name == part)
        )
        table = pr.part.table().reset_index()
        joint = pr.part.joint.p_median if pr.part.joint is not None else None
        return spec_curve_plot(
            table,
            headline=pr.part.spec.headline,
            stated=pr.part.spec.stated,
            units=pr.headline.estimate.units,
            joint_p=joint,
            title=f"{self.claim.id} [{pr.part.name}]: {pr.verdict}",
        )

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        if not self.parts:
            return self.summary().as_html()
        return self.summary().as_html() + self.specifications.to_html(max_rows=40)


def run_claim(claim: Claim, vintage: Vintage, settings: Settings | None = None) -> ClaimResult:
    """Evaluate one claim on a vintage (data errors propagate: they are never a verdict)."""
    settings = settings or Settings()
    if not claim.testable:
        reason = f"{claim.reason}; would need {claim.needs}"
        return ClaimResult(claim, "not_testable", reason=reason, vintage=vintage.name)
    try:
        parts = evaluate(claim, vintage, settings)
    except NotTestableYet as exc:
        return ClaimResult(
            claim,
            "not_testable",
            reason=f"data do not reach the claim: {exc}",
            vintage=vintage.name,
        )
    except InsufficientDataError as exc:
        return ClaimResult(
            claim, "not_testable", reason=f"too few observations: {exc}", vintage=vintage.name
        )
    results = [PartResult(p, part_verdict(p)) for p in parts]
    return ClaimResult(claim, combine([r.verdict for r in results]), results, vintage=vintage.name)


def adjust(results: list[ClaimResult]) -> None:
    """Holm and Benjamini-Hochberg adjusted headline p-values over the inferential parts."""
    from smallcap_bt.stats.multiple import benjamini_hochberg, holm

    parts = [
        p
        for r in results
        for p in r.parts
        if p.part.spec.kind == "inferential" and not math.isnan(p.headline.estimate.p_value)
    ]
    if not parts:
        return
    raw = np.array([p.headline.estimate.p_value for p in parts])
    for p, h, b in zip(parts, holm(raw), benjamini_hochberg(raw), strict=True):
        p.p_adjusted = {"holm": float(h), "bh": float(b), "family_size": len(parts)}


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

    def __iter__(self) -> Iterator[ClaimResult]:
        """The claims' results, in run order (``for r in sb.verify([...])``)."""
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __contains__(self, claim_id: object) -> bool:
        return any(r.claim.id == claim_id for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        """The full JSON document (library version, the numerical stack's versions, vintage,
        settings, claims)."""
        from smallcap_bt._environment import versions

        return _clean(
            {
                "library": {"name": "smallcap_bt", "version": __version__},
                "environment": versions(),
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
        """Summary: claim, verdict, headline estimate, interval, p-values, agreement."""
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
                    "p_joint": (d.get("joint") or {}).get("p_median"),
                    "p_holm": (d.get("p_adjusted") or {}).get("holm"),
                    "units": h.get("units", ""),
                    "agree": f"{d['robustness']['agree']}/{d['robustness']['total']}",
                }
            )
        return pd.DataFrame(rows).set_index("claim")

    def _repr_html_(self) -> str:
        return self.table().to_html()


def verify_all(
    claims: Iterable[str | Claim] | None = None,
    vintage: str | Vintage | None = None,
    *,
    store: Store | str | None = None,
    seed: int = 0,
    draws: int = 2_000,
    joint_draws: int = 500,
    reg: Registry | None = None,
    progress: bool = False,
    on_claim: Callable[[str], object] | None = None,
    jobs: int | str | None = 1,
    meanwhile: Callable[[], object] | None = None,
) -> Verification:
    """Run claims (all registered ones by default) on a vintage.

    Parameters
    ----------
    claims : iterable of str or Claim, optional
        Claim ids or :class:`Claim` objects (user claims); all registered claims if omitted.
    vintage : str or Vintage, optional
        Named vintage (the store's default when omitted). Never downloads: an empty store is
        a :class:`~smallcap_bt.exceptions.DataUnavailableError` saying how to import data.
    seed : int
        Base seed of the bootstrap and placebo draws (deterministic results).
    draws : int
        Bootstrap and placebo draws per test.
    joint_draws : int
        Draws of the joint test across specifications (0 skips it).
    progress : bool
        Print one line per claim to stderr.
    on_claim : callable, optional
        Called with each claim id once it is evaluated (progress bars).
    jobs : int, "auto" or None
        Processes evaluating claims: 1 (default) runs them here; ``n > 1`` forks ``n``
        workers (Linux; elsewhere one process); ``"auto"`` = the CPUs this process may
        use; ``None`` = the ``SMALLCAP_BT_JOBS`` environment variable, else ``"auto"``.
        Results are identical whatever the number (every claim draws from its own seeded
        generator).
    meanwhile : callable, optional
        Light work for this process while worker processes evaluate the claims (called once;
        before the claims when they run here; see
        :func:`smallcap_bt.claims.parallel.run_claims`).
    """
    from smallcap_bt.claims.limits import check_draws, check_seed
    from smallcap_bt.claims.parallel import run_claims

    check_draws(draws, joint_draws)
    check_seed(seed)
    reg = reg or registry
    chosen = _resolve_claims(claims, reg)
    v = Vintage.open(vintage, store)
    settings = Settings(seed, draws, joint_draws)
    done = 0

    def finished(claim_id: str) -> None:
        nonlocal done
        done += 1
        if progress:
            print(f"[{done}/{len(chosen)}] {claim_id}", file=sys.stderr, flush=True)
        if on_claim is not None:
            on_claim(claim_id)

    results = run_claims(chosen, v, settings, jobs, finished, meanwhile)
    adjust(results)
    return Verification(
        results, v.fingerprint, {"seed": seed, "draws": draws, "joint_draws": joint_draws}
    )


def split_by_data(
    claims: Iterable[Claim], held: Iterable[set[str]]
) -> tuple[list[Claim], list[tuple[str, list[str]]]]:
    """The claims whose declared datasets every one of ``held`` (dataset ids of a vintage)
    has, and ``(claim id, datasets some vintage lacks)`` of the others, both in order."""
    held = list(held)
    run: list[Claim] = []
    skipped: list[tuple[str, list[str]]] = []
    for c in claims:
        lacking = [d for d in c.declared_datasets() if not all(d in h for h in held)]
        if lacking:
            skipped.append((c.id, lacking))
        else:
            run.append(c)
    return run, skipped


def _resolve_claims(claims: Iterable[str | Claim] | None, reg: Registry) -> list[Claim]:
    """The claims of a run: all registered ones for ``None``; ids looked up; each id once."""
    if claims is None:
        return list(reg)
    if isinstance(claims, str | Claim):
        claims = [claims]
    try:
        items = list(claims)
    except TypeError:
        raise TypeError(
            f"verify: claims must be claim ids (str), Claim objects or a list of them, not "
            f"{type(claims).__name__}"
        ) from None
    if not items:
        raise ValueError("verify: no claims given (pass None, or leave them out, for all)")
    chosen = []
    for c in items:
        if not isinstance(c, str | Claim):
            raise TypeError(
                f"verify: a claim is an id (str) or a Claim, not {type(c).__name__}: {c!r}"
            )
        chosen.append(c if isinstance(c, Claim) else reg.get(c))
    seen: set[str] = set()
    for c in chosen:
        if c.id in seen:
            mine = c.id in reg and any(x.id == c.id and x is not reg.get(c.id) for x in chosen)
            where = " (a built-in claim and a claim of yours share it)" if mine else ""
            raise ValueError(
                f"verify: claim id {c.id!r} appears twice in this run{where}; results, JSON "
                "and lockfiles are keyed by id: rename one"
            )
        seen.add(c.id)
    return chosen


def verify(
    claim: str | Claim | Iterable[str | Claim] | None = None,
    vintage: str | Vintage | None = None,
    *,
    store: Store | str | None = None,
    seed: int = 0,
    draws: int = 2_000,
    joint_draws: int = 500,
    jobs: int | str | None = 1,
) -> ClaimResult | Verification:
    """Verify one claim (returns a :class:`ClaimResult`) or several (a :class:`Verification`).

    ``claim`` is an id, a :class:`Claim` (e.g. ``sb.Claim(id=..., ...)`` or one read with
    :func:`smallcap_bt.claims.load_catalogue`), or an iterable of either. ``jobs`` as in
    :func:`verify_all` (e.g. ``jobs=2`` on two cores: the same results in about half the time).

    Examples
    --------
    >>> r = verify("fed-cuts-since-1990")        # doctest: +SKIP
    >>> r.verdict, r.specifications, r.details   # per-spec table and per-event table
    """
    kw = {"store": store, "seed": seed, "draws": draws, "joint_draws": joint_draws, "jobs": jobs}
    if isinstance(claim, str | Claim):
        return verify_all([claim], vintage, **kw).results[0]  # type: ignore[arg-type]
    return verify_all(claim, vintage, **kw)  # type: ignore[arg-type]


def verify_vintages(
    names: tuple[str, str] | list[str],
    claims: Iterable[str | Claim] | None = None,
    *,
    store: Store | str | None = None,
    seed: int = 0,
    draws: int = 2_000,
    joint_draws: int = 500,
    jobs: int | str | None = 1,
) -> tuple[list[Verification], pd.DataFrame, list[tuple[str, list[str]]]]:
    """Verify the same claims on two vintages and put them side by side.

    Claims that need a dataset one of the vintages lacks are not run; they come back in the
    third element with the datasets they lack (when no claim can run on both, a
    :class:`~smallcap_bt.exceptions.DataUnavailableError` names what each lacks). ``jobs`` as
    in :func:`verify_all`.

    Returns
    -------
    (verifications, table, skipped)
        ``table`` is :func:`smallcap_bt.data.drift.compare_verifications` of the two runs:
        verdicts, flips and headline estimates side by side.
    """
    from smallcap_bt.data.drift import compare_verifications

    if len(names) != 2:
        raise ValueError(f"two vintages are compared, got {list(names)}")
    opened = [Vintage.open(n, store) for n in names]
    a, b = opened[0].name, opened[1].name
    if opened[0].same_files(opened[1]):
        same = f"got {a} twice" if a == b else f"but {a} and {b} hold the same files"
        raise ValueError(f"two different vintages are compared, {same} (nothing could differ)")
    held = [v.datasets() for v in opened]
    chosen = _resolve_claims(None if claims is None else list(claims), registry)
    run, skipped = split_by_data(chosen, held)
    if not run:
        raise DataUnavailableError(
            f"none of the claims can run on both vintages {names[0]} and {names[1]}: "
            + "; ".join(f"{cid} needs {', '.join(ds)}" for cid, ds in skipped)
        )
    kw = {"store": store, "seed": seed, "draws": draws, "joint_draws": joint_draws, "jobs": jobs}
    vers = [verify_all(run, n, **kw) for n in names]  # type: ignore[arg-type]
    table = compare_verifications(vers[0].to_dict(), vers[1].to_dict())
    return vers, table, skipped
