"""Reusable test templates; importing this package registers all of them."""

from smallcap_bt.claims.templates import (  # noqa: F401
    checks,
    events,
    periods,
    regimes,
    size,
    streaks,
    windows,
)
from smallcap_bt.claims.templates.base import TEMPLATES, Template, get_template

__all__ = ["TEMPLATES", "Template", "get_template"]
