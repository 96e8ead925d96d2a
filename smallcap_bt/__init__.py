"""smallcap_bt: reconstruct historical claims about US small caps vs large caps from primary data.

The public API is imported lazily, so ``import smallcap_bt`` stays fast (no vectorbt,
matplotlib or statsmodels at import time).

Examples
--------
>>> import smallcap_bt as sb                                       # doctest: +SKIP
>>> sb.import_snapshot(["../shared/data/french/202602", "../shared/data/fred/2026-08-10"])
>>> sb.load("ff.portfolios_me.monthly.vw")
>>> sb.verify("fed-cuts-since-1990")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from smallcap_bt._version import __version__

_LAZY: dict[str, str] = {
    "load": "smallcap_bt.data.load",
    "import_snapshot": "smallcap_bt.data.load",
    "fetch_vintage": "smallcap_bt.data.load",
    "vintage_info": "smallcap_bt.data.load",
    "vintage_fingerprint": "smallcap_bt.data.load",
    "Store": "smallcap_bt.data.store",
    "catalog": "smallcap_bt.data.catalog:catalog_frame",
    "SizeDefinition": "smallcap_bt.panel.definitions",
    "size_definitions": "smallcap_bt.panel.definitions",
    "relative_returns": "smallcap_bt.panel.definitions",
    "monthly_panel": "smallcap_bt.panel.build",
    "verify": "smallcap_bt.claims.runner",
    "Claim": "smallcap_bt.claims.model",
    "load_catalogue": "smallcap_bt.claims.catalogue",
    "Vintage": "smallcap_bt.data.vintage",
    "registry": "smallcap_bt.claims.registry",
    "claims": "smallcap_bt.claims.registry:list_claims",
    "sweep": "smallcap_bt.strategies.sweeps",
    "Summary": "smallcap_bt.reports.summary",
    "versions": "smallcap_bt._environment",
    "screen": "smallcap_bt.strategies.kernel",
}

__all__ = ["__version__", *sorted(_LAZY)]

if TYPE_CHECKING:  # pragma: no cover
    from smallcap_bt._environment import versions
    from smallcap_bt.claims.catalogue import load_catalogue
    from smallcap_bt.claims.model import Claim
    from smallcap_bt.claims.registry import registry
    from smallcap_bt.claims.runner import verify
    from smallcap_bt.data.load import (
        fetch_vintage,
        import_snapshot,
        load,
        vintage_fingerprint,
        vintage_info,
    )
    from smallcap_bt.data.store import Store
    from smallcap_bt.data.vintage import Vintage
    from smallcap_bt.panel.build import monthly_panel
    from smallcap_bt.panel.definitions import SizeDefinition, relative_returns, size_definitions
    from smallcap_bt.reports.summary import Summary
    from smallcap_bt.strategies.kernel import screen
    from smallcap_bt.strategies.sweeps import sweep


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'smallcap_bt' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(importlib.import_module(module), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Only the public API (``__all__``): no helpers, typing names or imported modules."""
    return list(__all__)


del TYPE_CHECKING
