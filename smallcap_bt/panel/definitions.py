"""What "small" and "large" mean: typed definitions and their monthly return series.

Every result in smallcap_bt says which definition produced it. Available definitions on
Kenneth French data:

============  ==================================================  =========
id            small minus large                                    weights
============  ==================================================  =========
smb           Fama-French SMB factor (2x3 sorts, NYSE median)      value
decile.vw     smallest minus largest decile (``lo_10 - hi_10``)    value
decile.ew     same, equal-weighted                                 equal
quintile.vw   smallest minus largest quintile (``lo_20 - hi_20``)  value
quintile.ew   same, equal-weighted                                 equal
tercile.vw    bottom 30% minus top 30% (``lo_30 - hi_30``)         value
tercile.ew    same, equal-weighted                                 equal
============  ==================================================  =========
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from smallcap_bt.data.load import load
from smallcap_bt.data.store import Store
from smallcap_bt.exceptions import DataUnavailableError, UnknownDatasetError

Weighting = Literal["vw", "ew"]
StoreArg = Store | str | os.PathLike[str] | None


@dataclass(frozen=True)
class SizeDefinition:
    """A definition of small and large from one Kenneth French table.

    Attributes
    ----------
    id : str
        Short id, e.g. ``"decile.vw"``.
    label : str
        Human description printed with every result.
    small, large : str or None
        Canonical columns of the small and large legs (``None`` for SMB, a factor).
    weighting : {"vw", "ew"}
    """

    id: str
    label: str
    small: str | None
    large: str | None
    weighting: Weighting

    @property
    def dataset(self) -> str:
        """Dataset id the legs come from."""
        if self.small is None:
            return "ff.factors.monthly"
        return f"ff.portfolios_me.monthly.{self.weighting}"

    def __str__(self) -> str:
        return f"{self.id}: {self.label}"


_WORD = {"vw": "value-weighted", "ew": "equal-weighted"}
_DEFS: dict[str, SizeDefinition] = {
    "smb": SizeDefinition(
        "smb", "Fama-French SMB factor (value-weighted 2x3 sorts)", None, None, "vw"
    ),
}
for _w in ("vw", "ew"):
    _DEFS[f"decile.{_w}"] = SizeDefinition(
        f"decile.{_w}", f"smallest minus largest size decile ({_WORD[_w]})", "lo_10", "hi_10", _w
    )
    _DEFS[f"quintile.{_w}"] = SizeDefinition(
        f"quintile.{_w}",
        f"smallest minus largest size quintile ({_WORD[_w]})",
        "lo_20",
        "hi_20",
        _w,
    )
    _DEFS[f"tercile.{_w}"] = SizeDefinition(
        f"tercile.{_w}", f"bottom 30% minus top 30% by size ({_WORD[_w]})", "lo_30", "hi_30", _w
    )


def size_definitions() -> list[SizeDefinition]:
    """All size definitions the data support, SMB first."""
    return list(_DEFS.values())


def definition(def_id: str | SizeDefinition) -> SizeDefinition:
    """Look a definition up by id (close matches suggested for unknown ids)."""
    if isinstance(def_id, SizeDefinition):
        return def_id
    if def_id in _DEFS:
        return _DEFS[def_id]
    import difflib

    close = difflib.get_close_matches(def_id, list(_DEFS), n=3)
    raise UnknownDatasetError(
        f"unknown size definition {def_id!r}"
        + (f"; did you mean {close}?" if close else "")
        + f" (known: {list(_DEFS)})"
    )


def legs(
    def_id: str | SizeDefinition, vintage: str | None = None, *, store: StoreArg = None
) -> pd.DataFrame:
    """Monthly returns of the small and large legs and their difference.

    Returns
    -------
    pandas.DataFrame
        Decimal monthly returns on ``PeriodIndex[M]``: ``small``, ``large`` (total returns),
        ``small_xs``, ``large_xs`` (excess over the 1-month T-bill ``rf``), ``rf`` and
        ``sml`` = small − large. For SMB the legs are the averages of the three small and three
        big 2x3 portfolios (same weighting) when that file is in the vintage, else NaN; ``sml``
        is the published SMB factor either way.
    """
    d = definition(def_id)
    factors = load("ff.factors.monthly", vintage, store=store)
    if d.small is None:
        out = pd.DataFrame(index=factors.index)
        try:
            six = load(f"ff.portfolios_2x3.monthly.{d.weighting}", vintage, store=store)
            six = six.reindex(factors.index)
            out["small"] = six[["small_lobm", "small_medbm", "small_hibm"]].mean(axis=1)
            out["large"] = six[["big_lobm", "big_medbm", "big_hibm"]].mean(axis=1)
        except DataUnavailableError:
            out["small"] = np.nan
            out["large"] = np.nan
        out["sml"] = factors["smb"]
    else:
        ports = load(d.dataset, vintage, store=store)
        out = pd.DataFrame({"small": ports[d.small], "large": ports[d.large]})
        out["sml"] = out["small"] - out["large"]
    rf = factors["rf"].reindex(out.index)
    out["small_xs"] = out["small"] - rf
    out["large_xs"] = out["large"] - rf
    out["rf"] = rf
    out.columns.name = d.id
    return out[["small", "large", "small_xs", "large_xs", "rf", "sml"]]


def relative_returns(
    defs: str | SizeDefinition | list[str | SizeDefinition] | None = None,
    vintage: str | None = None,
    *,
    store: StoreArg = None,
) -> pd.DataFrame:
    """Small-minus-large monthly returns, one column per definition id (decimal per month);
    ``defs`` is one definition (id or object), a list of them, or ``None`` for all."""
    if isinstance(defs, str | SizeDefinition):
        defs = [defs]  # one id, not its characters
    chosen = [definition(d) for d in (defs or size_definitions())]
    return pd.DataFrame({d.id: legs(d, vintage, store=store)["sml"] for d in chosen})
