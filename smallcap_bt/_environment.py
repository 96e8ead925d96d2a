"""Versions of the numerical stack (standard library only, cheap to import).

Used by ``smallcap-bt env`` and meant for every results JSON: byte-identical results hold for
one set of package versions, so the set is recorded next to them.
"""

from __future__ import annotations

import platform
from importlib import metadata

__all__ = ["STACK", "versions"]

#: distributions whose versions decide the numbers (PyPI names), in display order
STACK: tuple[str, ...] = (
    "smallcap_bt",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "vectorbt",
    "numba",
    "pandas-datareader",
    "matplotlib",
)


def versions() -> dict[str, str | None]:
    """Installed versions of Python and of :data:`STACK` (``None`` when not installed).

    Returns
    -------
    dict of str to str or None
        ``{"python": "3.11.2", "numpy": "2.2.6", ...}``, read from the installed
        distributions' metadata without importing them.
    """
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in STACK:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out
