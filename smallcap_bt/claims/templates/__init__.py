"""Reusable test templates.

What each template is (parameters, description, datasets: :data:`SPECS`) is pure Python and
importable without pandas; the implementations are imported on first use:
:func:`get_template` imports the module of one template, reading :data:`TEMPLATES` from this
package imports them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smallcap_bt.claims.templates.specs import SPECS, TemplateSpec, get_spec

if TYPE_CHECKING:  # pragma: no cover
    from smallcap_bt.claims.templates.base import TEMPLATES, Template, get_template

__all__ = ["SPECS", "TEMPLATES", "Template", "TemplateSpec", "get_spec", "get_template"]


def __getattr__(name: str) -> Any:
    if name not in ("TEMPLATES", "Template", "get_template"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from smallcap_bt.claims.templates import base

    if name == "TEMPLATES":
        return base.load_all()
    return getattr(base, name)
