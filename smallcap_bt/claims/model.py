"""A claim as data: a typed, validated record (built in Python or read from TOML).

A *claim* is a historical statement from a source, registered like a citation. A testable
claim has one or more *parts* (two-part claims get two verdicts); each part names a reusable
test *template*, its parameters, what the claim says the statistic is (``direction``: above
or below ``threshold``, or ``about`` a ``stated`` figure), and the *headline* specification:
the one closest to what the source meant.
"""

from __future__ import annotations

import html
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

Fidelity = Literal["exact", "close", "proxy", "none"]
Kind = Literal["inferential", "descriptive", "numeric"]
Direction = Literal["positive", "negative", "about"]
VerdictName = Literal["supported", "unproven", "mixed", "contradicted", "not_testable"]

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
#: longest claim id: ``spec_<id>.png`` and ``.pdf`` must fit a file name (255 bytes)
MAX_ID = 100
_PART_FIELDS = (
    "test",
    "kind",
    "params",
    "direction",
    "threshold",
    "stated",
    "tolerance",
    "headline",
    "why_headline",
)


def field_errors(exc: Any) -> str:
    """One line per error of a pydantic ``ValidationError``: ``  field a.b: message``."""
    lines = []
    for e in exc.errors(include_url=False):
        loc = [str(x) for x in e.get("loc", ()) if not str(x).startswith("function-")]
        lines.append(f"  field {'.'.join(loc) or '(record)'}: {e['msg']}")
    return "\n".join(lines)


class _Model(BaseModel):
    # allow_inf_nan=False: threshold = nan made every specification disagree, tolerance = inf
    # made every stated figure "reproduced"
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Source(_Model):
    """A cited source text."""

    key: str
    title: str
    author: str = ""
    publisher: str = ""
    date: str
    file: str = ""
    url: str = ""

    def citation(self) -> str:
        """One-line citation."""
        who = ", ".join(x for x in (self.author, self.publisher) if x)
        where = f" [{self.file or self.url}]" if (self.file or self.url) else ""
        return f"{who} ({self.date}). {self.title}.{where}"

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return self.model_dump()


class PartSpec(_Model):
    """One falsifiable part of a claim: a template instance and what the claim says of it.

    Attributes
    ----------
    name : str
        ``"main"`` for single-part claims.
    hypothesis : str
        The part as one falsifiable sentence.
    kind : {"inferential", "descriptive", "numeric"}
        Inferential: a regularity (needs significance). Descriptive: what happened over a
        stated window, or a fact about the data. Numeric: a stated figure (reproduction is
        reported apart from the direction).
    test : str
        Template name (``smallcap-bt claims templates`` lists them).
    params : dict
        The template's parameters (validated by the template's schema).
    direction : {"positive", "negative", "about"}
        The claim says the statistic is above ``threshold`` (positive), below it (negative),
        or within ``tolerance`` of ``stated`` (about).
    threshold : float
        Default 0.
    stated, tolerance : float, optional
        A figure stated by the source, in the estimate's units, and how far the headline may
        be from it to count as reproduced (numeric and ``about`` parts).
    headline : str
        Specification id of the headline.
    why_headline : str
        Why that specification is the closest to what the source meant.
    """

    name: str = "main"
    hypothesis: str
    kind: Kind
    test: str
    params: dict[str, Any] = Field(default_factory=dict)
    direction: Direction
    threshold: float = 0.0
    stated: float | None = None
    tolerance: float | None = None
    headline: str
    why_headline: str

    _params: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check(self) -> PartSpec:
        from smallcap_bt.claims.templates.specs import get_spec

        if (self.kind == "numeric" or self.direction == "about") and (
            self.stated is None or self.tolerance is None
        ):
            raise ValueError(
                "numeric parts and direction 'about' need both 'stated' and 'tolerance'"
            )
        if self.tolerance is not None and self.tolerance < 0:
            raise ValueError("'tolerance' must be >= 0")
        spec = get_spec(self.test)  # pure Python: the implementation is not imported
        self._params = spec.params.model_validate(self.params)
        return self

    @property
    def template_params(self) -> Any:
        """The validated template parameters."""
        return self._params


class Claim(_Model):
    """A registered claim: provenance, exact words, hypothesis and its test(s).

    Build one with keywords (``sb.Claim(id=..., sources=[...], ...)``) or in a TOML file
    (``[[claim]]`` tables). Single-part claims may give the part's fields (``test``,
    ``kind``, ``params``, ``direction``, ``headline`` ...) at the top level.

    Attributes
    ----------
    id : str
        Stable id: lower case letters, digits, ``.``, ``_`` and ``-``.
    sources : tuple of Source
        Keys of known sources (``"001"``) or source tables.
    quote : str
        The exact words (abridged with ...).
    as_of : str
        Date the claim was made (ISO); windows "to the source date" end the month before.
    hypothesis : str
        The claim as one falsifiable sentence.
    fidelity : {"exact", "close", "proxy", "none"}
        How faithfully public data can reproduce it.
    proxy : str
        What stands in for what.
    parts : tuple of PartSpec
        Empty for untestable claims.
    reason, needs : str
        Why a claim is not testable, and what data it would need.
    datasets : tuple of str
        Datasets declared beyond those the templates need.
    hindsight : str
        A note when the test uses series revised or dated with hindsight (CPI, INDPRO, NBER).
    family : str
        A grouping for listings (``user`` for user claims).
    """

    id: str
    sources: tuple[Source, ...]
    quote: str
    as_of: str
    hypothesis: str
    fidelity: Fidelity = "proxy"
    proxy: str = ""
    parts: tuple[PartSpec, ...] = ()
    reason: str = ""
    needs: str = ""
    datasets: tuple[str, ...] = ()
    hindsight: str = ""
    family: str = "user"

    def __init__(self, **data: Any) -> None:
        """Keywords as in a TOML record; an invalid claim raises
        :class:`~smallcap_bt.exceptions.ClaimDefinitionError` naming the claim and each field
        (not pydantic's own message, with its links)."""
        from pydantic import ValidationError

        try:
            super().__init__(**data)
        except ValidationError as exc:
            from smallcap_bt.exceptions import ClaimDefinitionError

            raise ClaimDefinitionError(
                f"claim {data.get('id', '?')!r} is invalid:\n" + field_errors(exc)
            ) from None

    @model_validator(mode="before")
    @classmethod
    def _single_part(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "test" not in data:
            return data
        data = dict(data)
        if data.get("parts"):
            raise ValueError("give either 'parts' or a top-level 'test', not both")
        part = {k: data.pop(k) for k in _PART_FIELDS if k in data}
        part.setdefault("hypothesis", data.get("hypothesis", ""))
        data["parts"] = [part]
        return data

    @field_validator("sources", mode="before")
    @classmethod
    def _sources(cls, value: Any) -> Any:
        from smallcap_bt.claims.sources import SOURCES

        if isinstance(value, str | dict | Source):
            value = [value]
        out = []
        for v in value:
            if isinstance(v, str):
                if v not in SOURCES:
                    raise ValueError(
                        f"unknown source key {v!r}; known: {', '.join(sorted(SOURCES))} "
                        "(or give a table with key, title, date ...)"
                    )
                out.append(SOURCES[v])
            else:
                out.append(v)
        return out

    @model_validator(mode="after")
    def _check(self) -> Claim:
        if not _ID.match(self.id):
            raise ValueError(f"invalid claim id {self.id!r} (lower case, digits, . _ -)")
        if len(self.id) > MAX_ID:  # it names the report's figure files
            raise ValueError(
                f"claim id {self.id[:40]!r}... is {len(self.id)} characters long; at most "
                f"{MAX_ID} (it names files of the report)"
            )
        if not self.sources:
            raise ValueError("a claim needs at least one source")
        from smallcap_bt.claims.templates.params import is_iso_month

        if not is_iso_month(self.as_of):  # a real YYYY-MM or YYYY-MM-DD (not 2026-99-99)
            raise ValueError(f"as_of {self.as_of!r} is not an ISO date (YYYY-MM-DD)")
        if not self.parts and not (self.reason and self.needs):
            raise ValueError(
                "an untestable claim (no 'test' or 'parts') needs 'reason' and 'needs'"
            )
        names = [p.name for p in self.parts]
        if len(set(names)) != len(names):
            raise ValueError(f"part names must be unique, got {names}")
        return self

    @property
    def testable(self) -> bool:
        """Whether the claim has a test on public Fama-French / FRED data."""
        return bool(self.parts)

    @property
    def kind(self) -> str:
        """The kind of the first part (``"untestable"`` without parts)."""
        return self.parts[0].kind if self.parts else "untestable"

    def declared_datasets(self) -> tuple[str, ...]:
        """Every dataset the claim may read: its templates' needs plus ``datasets``."""
        from smallcap_bt.claims.templates.specs import get_spec

        out: list[str] = []
        for p in self.parts:
            out += get_spec(p.test).datasets(p.template_params)
        return tuple(dict.fromkeys([*out, *self.datasets]))

    def fields(self) -> list[tuple[str, str]]:
        """(label, text) pairs describing the claim, empty ones left out (CLI and docs)."""
        rows = [("source", s.citation()) for s in self.sources]
        rows += [
            ("as of", self.as_of),
            ("hypothesis", self.hypothesis),
            ("testable", f"{'yes' if self.testable else 'no'} (fidelity: {self.fidelity})"),
            ("proxy", self.proxy),
            ("reason", self.reason),
            ("needs", self.needs),
        ]
        for p in self.parts:
            tag = "" if len(self.parts) == 1 else f"[{p.name}] "
            if p.direction == "about":
                claim = f"within {p.tolerance:g} of {p.stated:g}"
            else:
                claim = f"{'above' if p.direction == 'positive' else 'below'} {p.threshold:g}"
            if p.stated is not None and p.direction != "about":
                claim += f"; stated {p.stated:g} (tolerance {p.tolerance:g})"
            rows += [
                (f"{tag}test", f"{p.test} ({p.kind})"),
                (f"{tag}claims", f"the statistic is {claim}"),
                (f"{tag}headline", f"{p.headline} — {p.why_headline}"),
            ]
        rows += [
            ("datasets", ", ".join(self.declared_datasets())),
            ("hindsight", self.hindsight),
        ]
        return [(k, v) for k, v in rows if v]

    def describe(self) -> str:
        """Multi-line description (``smallcap-bt claims show``)."""
        lines = [f"{self.id}  [{self.family}]", f'  quote:      "{self.quote}"']
        lines += [f"  {k + ':':<11} {v}" for k, v in self.fields()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.describe())}</pre>"
