"""Which catalog datasets each panel column is computed from, in pure Python.

No pandas, no numpy: validating and listing claims (``smallcap-bt claims list/show``) needs
the datasets a claim declares without building, or even importing, the panel.
:mod:`smallcap_bt.panel.build` re-exports :func:`column_datasets` and :data:`COLUMN_DATASETS`.
"""

from __future__ import annotations

from smallcap_bt.exceptions import UnknownDatasetError

__all__ = [
    "COLUMN_DATASETS",
    "SIZE_DATASETS",
    "SIZE_DEFINITION_IDS",
    "column_datasets",
    "event_set_names",
    "fed_event_rules",
]

_FACTORS = ("ff.factors.monthly",)
_TARGET = ("fred.DFEDTAR", "fred.DFEDTARU", "fred.DFEDTARL")


def _size(weighting: str) -> tuple[str, str]:
    leg = f"ff.portfolios_me.monthly.{weighting}"
    return leg, leg


#: size definition id -> (dataset of its ``sml`` column, dataset of its ``small``/``large``
#: legs), in the order of :func:`smallcap_bt.panel.definitions.size_definitions` (which this
#: mirrors without importing pandas; ``tests/test_cli_startup.py`` keeps the two equal). SMB is
#: a factor: its legs are the averages of the 2x3 portfolios.
SIZE_DATASETS: dict[str, tuple[str, str]] = {
    "smb": ("ff.factors.monthly", "ff.portfolios_2x3.monthly.vw"),
    "decile.vw": _size("vw"),
    "quintile.vw": _size("vw"),
    "tercile.vw": _size("vw"),
    "decile.ew": _size("ew"),
    "quintile.ew": _size("ew"),
    "tercile.ew": _size("ew"),
}
#: every size definition id, SMB first
SIZE_DEFINITION_IDS: tuple[str, ...] = tuple(SIZE_DATASETS)

#: the datasets each macro / factor column of the panel is computed from
COLUMN_DATASETS: dict[str, tuple[str, ...]] = {
    "mkt": _FACTORS,
    "mkt_rf": _FACTORS,
    "smb": _FACTORS,
    "hml": _FACTORS,
    "rf": _FACTORS,
    "fedfunds": ("fred.FEDFUNDS",),
    "target": _TARGET,
    "target_change": _TARGET,
    "tbill": ("fred.TB3MS",),
    "gs2": ("fred.GS2",),
    "gs10": ("fred.GS10",),
    "slope_10y3m": ("fred.GS10", "fred.TB3MS"),
    "t10y3m": ("fred.T10Y3M",),
    "t10y2y": ("fred.T10Y2Y",),
    "cpi_yoy": ("fred.CPIAUCSL",),
    "real_rate": ("fred.TB3MS", "fred.CPIAUCSL"),
    "usrec": ("fred.USREC",),
    "credit_spread": ("fred.BAA", "fred.AAA"),
    "ip_growth": ("fred.INDPRO",),
    "unrate": ("fred.UNRATE",),
    "rel_beme": (
        "ff.portfolios_2x3.beme",
        "ff.portfolios_2x3.market_cap",
        "ff.portfolios_2x3.firms",
    ),
}


def _unknown_definition(def_id: str) -> UnknownDatasetError:
    """The error of :func:`smallcap_bt.panel.definitions.definition`, word for word."""
    import difflib

    known = list(SIZE_DATASETS)
    close = difflib.get_close_matches(def_id, known, n=3)
    return UnknownDatasetError(
        f"unknown size definition {def_id!r}"
        + (f"; did you mean {close}?" if close else "")
        + f" (known: {known})"
    )


def column_datasets(column: str) -> tuple[str, ...]:
    """The catalog datasets a panel column is computed from.

    Parameters
    ----------
    column : str
        A panel column: ``sml.<id>``, ``small.<id>``, ``large.<id>`` for a size definition
        id, or a key of :data:`COLUMN_DATASETS`.

    Returns
    -------
    tuple of str
        Dataset ids. Size columns come from their definition's table (SMB's legs from the
        2x3 portfolios).

    Raises
    ------
    UnknownDatasetError
        Unknown size definition id (close matches suggested).
    KeyError
        Unknown panel column.
    """
    kind, _, def_id = column.partition(".")
    if def_id and kind in ("sml", "small", "large"):
        if def_id not in SIZE_DATASETS:
            raise _unknown_definition(def_id)
        sml, legs = SIZE_DATASETS[def_id]
        return (sml if kind == "sml" else legs,)
    if column not in COLUMN_DATASETS:
        raise KeyError(f"unknown panel column {column!r} (see PANEL_COLUMNS)")
    return COLUMN_DATASETS[column]


def fed_event_rules(kind: str, recessions: bool = True) -> list[tuple[str, dict[str, object]]]:
    """Every Fed event definition of ``kind`` ("cut" or "hike"): its specification name and
    the keyword arguments of :func:`smallcap_bt.stats.events.fed_events` (``rule`` and, for
    the first of a cycle, ``gap_months``); the two recession rules when ``recessions``."""
    rules: list[tuple[str, dict[str, object]]] = [(f"every {kind}", {"rule": "every"})]
    for gap in (6, 12, 18):
        rules.append((f"first {kind} of cycle (gap {gap}m)", {"rule": "first", "gap_months": gap}))
    rules.append((f"last {kind} of cycle (gap 12m)", {"rule": "last"}))
    rules.append((f"{kind} after a pause of 6m+", {"rule": "pause"}))
    if recessions:
        rules.append((f"{kind}s in recession", {"rule": "in_recession"}))
        rules.append((f"{kind}s outside recession", {"rule": "out_of_recession"}))
    return rules


def event_set_names(events: str) -> list[str]:
    """Names of the event sets of an event source (``fed_cuts``, ``fed_hikes``,
    ``nber_troughs``): the specification labels a claim's ``sets`` and ``details`` use."""
    if events == "nber_troughs":
        return ["NBER trough"]
    return [name for name, _ in fed_event_rules("cut" if events == "fed_cuts" else "hike")]
