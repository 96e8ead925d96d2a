"""Assets for backtests: total-return indices of the small and large legs and cash."""

from __future__ import annotations

import pandas as pd

from smallcap_bt.panel.definitions import StoreArg, legs


def asset_returns(
    definition: str = "tercile.vw",
    vintage: str | None = None,
    *,
    store: StoreArg = None,
    panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Monthly decimal returns of ``small``, ``large`` and ``cash`` (1-month T-bill).

    From a size definition with separate legs (SMB has none: use ``decile/quintile/tercile``).
    Rows with any missing value are dropped.

    Raises
    ------
    UnknownDatasetError
        For an unknown definition id, with close matches and the known ids.
    ValueError
        For a definition without separate legs in ``panel`` (``smb`` when the 2x3 file is
        missing).
    """
    from smallcap_bt.panel.definitions import definition as lookup

    lookup(definition)  # unknown ids fail here, with suggestions
    if panel is not None:
        if f"small.{definition}" not in panel or f"large.{definition}" not in panel:
            raise ValueError(
                f"size definition {definition!r} has no small and large legs in the panel "
                "(use decile.*, quintile.* or tercile.*)"
            )
        out = pd.DataFrame(
            {
                "small": panel[f"small.{definition}"],
                "large": panel[f"large.{definition}"],
                "cash": panel["rf"],
            }
        )
    else:
        lg = legs(definition, vintage, store=store)
        out = pd.DataFrame({"small": lg["small"], "large": lg["large"], "cash": lg["rf"]})
    return out.dropna()


def prices(returns: pd.DataFrame) -> pd.DataFrame:
    """Total-return indices starting at 1.0 at the end of the month before the first return.

    The index becomes month-end timestamps (what vectorbt accepts): the price at month-end
    ``t`` includes the return of month ``t``.
    """
    first = returns.index[0] - 1
    idx = pd.PeriodIndex([first, *returns.index], freq="M")
    px = pd.concat(
        [
            pd.DataFrame([[1.0] * returns.shape[1]], columns=returns.columns),
            (1 + returns.reset_index(drop=True)).cumprod(),
        ],
        ignore_index=True,
    )
    px.index = idx.to_timestamp(how="end").normalize()
    return px
