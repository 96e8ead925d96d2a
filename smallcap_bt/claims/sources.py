"""The source texts the built-in claims cite (``catalogue/sources.toml``)."""

from __future__ import annotations

import tomllib
from importlib.resources import files

from smallcap_bt.claims.model import Source


def _load() -> dict[str, Source]:
    text = files("smallcap_bt.claims").joinpath("catalogue/sources.toml").read_text()
    return {k: Source(key=k, **v) for k, v in tomllib.loads(text)["sources"].items()}


SOURCES: dict[str, Source] = _load()


def src(*keys: str) -> tuple[Source, ...]:
    """Sources by key."""
    return tuple(SOURCES[k] for k in keys)
