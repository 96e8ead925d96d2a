"""Size definitions and the aligned monthly panel of returns and macro series."""

from smallcap_bt.panel.build import PANEL_COLUMNS, monthly_panel
from smallcap_bt.panel.definitions import (
    SizeDefinition,
    definition,
    legs,
    relative_returns,
    size_definitions,
)

__all__ = [
    "PANEL_COLUMNS",
    "SizeDefinition",
    "definition",
    "legs",
    "monthly_panel",
    "relative_returns",
    "size_definitions",
]
