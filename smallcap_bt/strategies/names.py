"""Strategy names, descriptions and grid keys as static data: no imports, so the command line
can list them (``--help``, choices, typo suggestions) without loading pandas or scipy.

:data:`smallcap_bt.strategies.sweeps.STRATEGIES` holds the builders; a test checks that both
tables name the same strategies and that every grid key is a parameter of its builder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

#: grid key -> "list" (a sequence of values, one variant each) or "value" (one value)
GridKeys = dict[str, str]

#: strategy -> (description, grid keys)
STRATEGY_INFO: dict[str, tuple[str, GridKeys]] = {
    "fed-cut": (
        "hold small for h months after Fed cuts (every cut / first of cycle)",
        {"holds": "list", "since": "value"},
    ),
    "rate-regime": (
        "small when rates rose/fell over a lookback",
        {"variables": "list", "lookbacks": "list", "directions": "list"},
    ),
    "curve-regime": (
        "small when the 10y-3m curve steepened/flattened",
        {"lookbacks": "list", "variable": "value"},
    ),
    "recovery": (
        "small after NBER troughs (lag 0 = hindsight only)",
        {"holds": "list", "lags": "list"},
    ),
    "valuation": (
        "small when relative B/M is in its trailing top quantile",
        {"windows": "list", "quantiles": "list"},
    ),
    "staged-entry": (
        "lump sum vs staged entry after trailing underperformance",
        {"steps": "list", "hold": "value", "years": "value"},
    ),
    "buy-and-hold": ("all small, all large, 50/50", {}),
}

#: grid keys of whole numbers -> their least value (months, years, steps; a lag may be 0)
WHOLE_KEYS: dict[str, int] = {
    "holds": 1,
    "lookbacks": 1,
    "windows": 1,
    "steps": 1,
    "hold": 1,
    "years": 1,
    "lags": 0,
}

#: every strategy name, in display order
STRATEGY_NAMES: tuple[str, ...] = tuple(STRATEGY_INFO)


def check_grid(strategy: str, grid: Mapping[str, object]) -> None:
    """Raise ``ValueError`` naming the strategy and the key when a grid key is not accepted.

    Parameters
    ----------
    strategy : str
        A name of :data:`STRATEGY_NAMES` (unknown names are reported by the caller).
    grid : dict
        Parameter name -> values; ``"value"`` keys take exactly one value.
    """
    import difflib

    keys = STRATEGY_INFO[strategy][1]
    for key, vals in grid.items():
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=2)
            known = ", ".join(keys) if keys else "none: it has no parameters"
            raise ValueError(
                f"grid key {key!r} is not a parameter of strategy {strategy!r}"
                + (f"; did you mean {' or '.join(close)}?" if close else "")
                + f" (its keys: {known})"
            )
        if keys[key] == "value" and isinstance(vals, list | tuple) and len(vals) != 1:
            raise ValueError(
                f"grid key {key!r} of strategy {strategy!r} takes one value, got {len(vals)}"
            )
        if keys[key] == "list" and not isinstance(vals, list | tuple):
            raise ValueError(
                f"grid key {key!r} of strategy {strategy!r} takes a list of values, got "
                f"{vals!r} (e.g. {key}=[3, 6])"
            )
        for v in vals if isinstance(vals, list | tuple) else [vals]:
            _check_value(strategy, key, v)


#: the values of grid key ``directions``
DIRECTIONS = ("rising", "falling")


def _check_value(strategy: str, key: str, v: object) -> None:
    """One grid value: whole numbers at least their least value (NumPy integers too),
    quantiles inside (0, 1), directions rising or falling, ``since`` a date (YYYY-MM or
    YYYY-MM-DD). Series names are checked against the panel by the sweep."""
    import numbers

    where = f"grid key {key!r} of strategy {strategy!r}"
    if key in WHOLE_KEYS:
        low = WHOLE_KEYS[key]
        whole = isinstance(v, numbers.Integral) and not isinstance(v, bool)
        if not (whole and int(v) >= low):  # type: ignore[call-overload]
            raise ValueError(f"{where}: values are whole numbers >= {low}, got {v!r}")
    elif key == "quantiles":
        ok = isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1
        if not ok:
            raise ValueError(f"{where}: values are shares strictly between 0 and 1, got {v!r}")
    elif key == "directions" and v not in DIRECTIONS:
        raise ValueError(f"{where}: values are {' or '.join(DIRECTIONS)}, got {v!r}")
    elif key == "since":
        from smallcap_bt.claims.templates.params import is_iso_month

        if not is_iso_month(str(v)):
            raise ValueError(f"{where}: a date YYYY-MM or YYYY-MM-DD, got {v!r}")
    elif key in ("variables", "variable") and not (isinstance(v, str) and v):
        raise ValueError(f"{where}: values are names of panel series, got {v!r}")


#: highest cost a backtest takes, in basis points of the traded value: 10% a trade is far
#: beyond any market's, and keeps wealth representable (at 60% and up random rotations over
#: the 1926- sample reached 0 and NaN returns)
MAX_COST_BPS = 1_000


def check_cost(cost: object, name: str = "cost_bps") -> None:
    """Raise ``ValueError`` naming ``name`` unless ``cost`` (basis points per unit of traded
    value) is a finite number >= 0: the CLI's ``--cost-bps`` and :func:`sweep`'s ``cost_bps``."""
    import math
    import numbers

    # numbers.Real: Python and NumPy ints and floats; bools (NumPy's too) are not costs
    if not isinstance(cost, numbers.Real) or type(cost).__name__ in ("bool", "bool_"):
        raise ValueError(f"{name} is a number of basis points, got {cost!r}")
    value = float(cost)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} is a cost, a finite number >= 0; got {cost}")
    if value > MAX_COST_BPS:
        raise ValueError(
            f"{name} is basis points of the traded value, at most {MAX_COST_BPS:,} (10%); "
            f"got {cost}"
        )
