"""Run-time settings: where the store lives and where data are downloaded from.

Every setting is an argument first, then an environment variable, then a default:

========================  =====================================================================
``SMALLCAP_BT_HOME``      the vintage store (default: the user cache dir, ``smallcap_bt``)
``SMALLCAP_BT_FRENCH_URL`` base URL of the Kenneth French Data Library (files under ``ftp/``)
``SMALLCAP_BT_FRED_URL``  the fredgraph CSV endpoint (``...?id=<SERIES>`` is appended)
========================  =====================================================================
"""

from __future__ import annotations

import os
from pathlib import Path

FRENCH_URL = "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/"
FRED_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"


def store_root(path: str | os.PathLike[str] | None = None) -> Path:
    """Directory of the vintage store: ``path``, ``$SMALLCAP_BT_HOME`` or the user cache dir."""
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get("SMALLCAP_BT_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("smallcap_bt"))


def french_base_url(url: str | None = None) -> str:
    """Base URL of the Kenneth French library, always ending in ``/``."""
    base = url or os.environ.get("SMALLCAP_BT_FRENCH_URL") or FRENCH_URL
    return base if base.endswith("/") else base + "/"


def fred_base_url(url: str | None = None) -> str:
    """The fredgraph CSV endpoint."""
    return url or os.environ.get("SMALLCAP_BT_FRED_URL") or FRED_URL
