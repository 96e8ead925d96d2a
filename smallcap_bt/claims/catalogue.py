"""Read claims from TOML files: the built-in catalogue, user files and entry points.

A catalogue file holds ``[[claim]]`` tables (see :class:`smallcap_bt.claims.model.Claim`)
and, optionally, ``[sources.KEY]`` tables for sources of its own. Every error names the file,
the claim and the field.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from smallcap_bt.claims.model import Claim, Source, field_errors
from smallcap_bt.exceptions import ClaimDefinitionError

#: the built-in catalogue, in listing order
BUILTIN_FILES = (
    "size.toml",
    "decades.toml",
    "rates.toml",
    "events.toml",
    "windows.toml",
    "streaks.toml",
    "valuation.toml",
    "untestable.toml",
)
ENTRY_POINT_GROUP = "smallcap_bt.claims"


def claim_from_record(record: dict[str, Any], origin: str = "<python>") -> Claim:
    """Validate one claim record; errors name ``origin``, the claim id and the field."""
    cid = record.get("id", "?") if isinstance(record, dict) else "?"
    try:
        return Claim.model_validate(record)
    except ValidationError as exc:
        raise ClaimDefinitionError(
            f"{origin}: claim {cid!r} is invalid:\n" + field_errors(exc)
        ) from None
    except ClaimDefinitionError as exc:
        raise ClaimDefinitionError(f"{origin}: claim {cid!r}: {exc}") from None


def _check_not_builtin(source: Source, origin: str) -> None:
    """A file's own ``[sources.KEY]`` may not reuse a built-in source's key for another text:
    reports and citations list sources by key, so two texts would share one."""
    from smallcap_bt.claims.sources import SOURCES

    builtin = SOURCES.get(source.key)
    if builtin is not None and builtin != source:
        raise ClaimDefinitionError(
            f"{origin}: source {source.key!r} is already a built-in source ({builtin.title!r}); "
            "give yours another key, or drop the table to cite the built-in one"
        )


def parse_catalogue(text: str, origin: str) -> list[Claim]:
    """Claims of one TOML document (``origin`` names it in errors)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ClaimDefinitionError(f"{origin}: not valid TOML ({exc})") from None
    unknown = set(doc) - {"claim", "sources"}
    if unknown:
        raise ClaimDefinitionError(
            f"{origin}: unknown top-level key(s) {sorted(unknown)}; expected [[claim]] tables "
            "and optional [sources.KEY] tables"
        )
    records = doc.get("claim", [])
    if not isinstance(records, list) or not records:
        raise ClaimDefinitionError(f"{origin}: no [[claim]] tables found")
    local = {}
    for key, table in doc.get("sources", {}).items():
        try:
            local[key] = Source(key=key, **table)
        except (ValidationError, TypeError) as exc:
            raise ClaimDefinitionError(f"{origin}: source {key!r} is invalid: {exc}") from None
        _check_not_builtin(local[key], origin)
    out = []
    for rec in records:
        if local and isinstance(rec, dict):
            srcs = rec.get("sources", [])
            srcs = [srcs] if isinstance(srcs, str) else srcs
            rec = {**rec, "sources": [local.get(s, s) if isinstance(s, str) else s for s in srcs]}
        claim = claim_from_record(rec, origin)
        for source in claim.sources:  # inline tables too: sources = [{key = "001", ...}]
            _check_not_builtin(source, f"{origin}: claim {claim.id!r}")
        out.append(claim)
    ids = [c.id for c in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ClaimDefinitionError(f"{origin}: duplicate claim id(s) {dupes}")
    return out


def load_catalogue(path: str | os.PathLike[str]) -> list[Claim]:
    """Claims of a TOML file (``smallcap-bt claims check FILE`` runs this)."""
    p = Path(path)
    if p.is_dir():
        raise ClaimDefinitionError(f"claim file {p} is a folder; name a .toml file in it")
    if not p.is_file():
        raise ClaimDefinitionError(f"claim file {p} does not exist")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ClaimDefinitionError(f"claim file {p} cannot be read ({exc})") from None
    return parse_catalogue(text, str(p))


#: environment variable naming a folder that replaces the built-in catalogue (same file names);
#: ``scripts/mutation_smoke.py`` uses it to run the suite on mutated copies
CATALOGUE_ENV = "SMALLCAP_BT_CATALOGUE_DIR"


def builtin_claims() -> list[Claim]:
    """The claims shipped with the library (``smallcap_bt/claims/catalogue/*.toml``)."""
    override = os.environ.get(CATALOGUE_ENV)
    root: Any = Path(override) if override else files("smallcap_bt.claims").joinpath("catalogue")
    out: list[Claim] = []
    for name in BUILTIN_FILES:
        out += parse_catalogue(root.joinpath(name).read_text(), f"catalogue/{name}")
    return out


def entry_point_claims() -> Iterable[Claim]:
    """Claims that installed packages ship through the ``smallcap_bt.claims`` entry points.

    An entry point names a callable returning claims (or TOML paths), or a module attribute
    that is a TOML path.
    """
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        items = obj() if callable(obj) else obj
        for item in items if isinstance(items, list | tuple) else [items]:
            if isinstance(item, Claim):
                yield item
            else:
                yield from load_catalogue(item)
