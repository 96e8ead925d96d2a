"""The parameters of every test template, and the datasets each template reads.

Pure Python (pydantic, no pandas): a claim is validated, listed and described without importing
the template implementations. The implementation modules re-export their parameter models
(``smallcap_bt.claims.templates.windows.WindowParams`` ...). Defaults are as the templates
apply them; months are ``YYYY-MM`` strings, rates and returns as in the panel columns
(:data:`smallcap_bt.panel.PANEL_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from smallcap_bt.columns import SIZE_DEFINITION_IDS, column_datasets, event_set_names

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: every size definition, in the order of :func:`smallcap_bt.panel.size_definitions` (the one
#: place a definition is added); templates default to these
ALL_DEFS: tuple[str, ...] = SIZE_DEFINITION_IDS
#: those with separate small and large legs (all but the SMB factor)
LEG_DEFS: tuple[str, ...] = tuple(d for d in ALL_DEFS if d != "smb")


class Params(BaseModel):
    """Base of every template's parameters: unknown keys are errors; months (``start``,
    ``end``, ``since``) are real months with ``start`` not after ``end``; ``horizons`` and
    ``lookbacks`` are non-empty and each at least one month; size definitions are known
    ones; numbers are finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _check_months_and_definitions(self) -> Params:
        for name in ("start", "end", "since"):
            value = getattr(self, name, None)
            for x in value if isinstance(value, tuple) else (value,):
                if isinstance(x, str) and not is_iso_month(x):
                    raise ValueError(f"{name} {x!r} is not a month (YYYY-MM) or a day (YYYY-MM-DD)")
        start, end = getattr(self, "start", None), getattr(self, "end", None)
        if isinstance(start, str) and isinstance(end, str) and start[:7] > end[:7]:
            raise ValueError(f"start {start} is after end {end}")
        for name in ("horizons", "lookbacks"):  # numbers of months
            value = getattr(self, name, None)
            if isinstance(value, tuple) and (not value or min(value) < 1):
                raise ValueError(f"{name} are months, at least one and each >= 1; got {value}")
        defs = getattr(self, "definitions", ())
        for d in (*defs, getattr(self, "details_definition", "tercile.vw")):
            if d not in ALL_DEFS:
                import difflib

                near = difflib.get_close_matches(d, ALL_DEFS, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise ValueError(
                    f"unknown size definition {d!r}{hint} (known: {', '.join(ALL_DEFS)})"
                )
        return self


def is_iso_month(text: str) -> bool:
    """``YYYY-MM`` or ``YYYY-MM-DD`` naming a month (and day) that exists."""
    import datetime as dt
    import re

    if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):
        return False
    try:
        dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")
    except ValueError:
        return False
    return True


def size_datasets(defs: Iterable[str]) -> list[str]:
    """Catalog datasets that the size definitions ``defs`` read (legs and SMB).

    Parameters
    ----------
    defs : iterable of str
        Size definition ids (``"tercile.vw"``, ``"smb"`` ...).

    Returns
    -------
    list of str
        Dataset ids, the monthly factors first (duplicates kept).
    """
    out = ["ff.factors.monthly"]
    for d in defs:
        for kind in ("sml", "small", "large") if d != "smb" else ("sml",):
            out += column_datasets(f"{kind}.{d}")
    return out


def variable_datasets(variables: Iterable[str]) -> list[str]:
    """Catalog datasets of the panel columns ``variables`` (macro series, factors)."""
    return [ds for v in variables for ds in column_datasets(v)]


def definition_datasets(p: Any) -> list[str]:
    """Datasets of the size definitions of parameters with a ``definitions`` field."""
    return size_datasets(p.definitions)


# -- checks --------------------------------------------------------------------------------
class ValuationParams(Params):
    tables: tuple[Literal["beme", "beme_june"], ...] = ("beme", "beme_june")
    aggregations: tuple[Literal["value-weighted", "simple average"], ...] = (
        "value-weighted",
        "simple average",
    )
    since: tuple[str, ...] = ("1926-07",)
    details: str = ""


def valuation_datasets(p: ValuationParams) -> list[str]:
    """The BE/ME tables read, market caps and firm counts of the 2x3 portfolios."""
    return [f"ff.portfolios_2x3.{t}" for t in p.tables] + [
        "ff.portfolios_2x3.market_cap",
        "ff.portfolios_2x3.firms",
    ]


class Ratio(Params):
    name: str
    base: float
    change: float


class ArithmeticParams(Params):
    ratios: tuple[Ratio, ...]


# -- windows -------------------------------------------------------------------------------
class Window(Params):
    """A window: ``start`` and ``end`` months (``end`` defaults to the month before the
    claim's as-of date), or ``years``/``months`` counted back from ``end``."""

    label: str = ""
    start: str | None = None
    end: str | None = None
    years: int | None = None
    months: int | None = None

    def bounds(self, as_of: str) -> tuple[pd.Period, pd.Period]:
        """(first, last) month of the window."""
        from smallcap_bt.claims.templates.base import before, month

        n = self.months or (12 * self.years if self.years else None)
        if self.end is not None:
            end = month(self.end)
        elif self.start is not None and n:
            end = month(self.start) + n - 1
        else:
            end = before(as_of)
        start = month(self.start) if self.start is not None else end - (n or 1) + 1
        return start, end


class WindowParams(Params):
    measure: Literal["cumulative", "geometric", "arithmetic"] = "cumulative"
    definitions: tuple[str, ...] = LEG_DEFS
    windows: tuple[Window, ...]


class MonthParams(Params):
    month: str
    series: Literal["small", "sml"] = "small"
    label: str = ""
    definitions: tuple[str, ...] = LEG_DEFS


class MonthRankParams(Params):
    month: str
    label: str = ""
    last_months: int = 12
    definitions: tuple[str, ...] = LEG_DEFS


# -- size ----------------------------------------------------------------------------------
class LongRunParams(Params):
    definitions: tuple[str, ...] = ALL_DEFS
    tests: tuple[Literal["mean", "capm_alpha"], ...] = ("mean", "capm_alpha")
    start: str | None = None
    end: str | None = None


class InstabilityParams(Params):
    definitions: tuple[str, ...] = ALL_DEFS
    breaks: tuple[str, ...]
    rolling_years: int = 10
    details_definition: str = "tercile.vw"


def instability_datasets(p: InstabilityParams) -> list[str]:
    """The definitions' datasets and those of the rolling-premium details."""
    return size_datasets((*p.definitions, p.details_definition))


class FigureParams(Params):
    start_year: int
    end_years: tuple[int, ...]
    headline_end_year: int
    definitions: tuple[str, ...] = ALL_DEFS
    conventions: tuple[
        Literal["monthly mean x 12", "geometric", "calendar-year mean", "annual table"], ...
    ] = ("monthly mean x 12", "geometric", "calendar-year mean", "annual table")


def figure_datasets(p: FigureParams) -> list[str]:
    """The definitions' datasets, and the annual factors for the published annual table."""
    out = size_datasets(p.definitions)
    if "annual table" in p.conventions:
        out.append("ff.factors.annual")
    return out


class RiskParams(Params):
    definitions: tuple[str, ...] = LEG_DEFS
    measures: tuple[Literal["volatility", "max drawdown", "beta"], ...] = (
        "volatility",
        "max drawdown",
        "beta",
    )


class HistoryParams(Params):
    years: tuple[int, ...]
    end: str
    definitions: tuple[str, ...] = ALL_DEFS


# -- periods -------------------------------------------------------------------------------
class DecadeParams(Params):
    decade: int
    definitions: tuple[str, ...] = LEG_DEFS
    metrics: tuple[Literal["small", "sml"], ...] = ("small", "sml")
    periods: tuple[Literal["calendar", "rolling"], ...] = ("calendar", "rolling")
    details_definition: str = "tercile.vw"


class MacroDecadeParams(Params):
    decade: int
    variables: tuple[str, ...]
    first: int = 1930


class MacroChangeParams(Params):
    start: str
    end: str
    variables: tuple[str, ...]


def macro_datasets(p: MacroDecadeParams | MacroChangeParams) -> list[str]:
    """Datasets of the macro series compared."""
    return variable_datasets(p.variables)


# -- events --------------------------------------------------------------------------------
_TARGET = ("fred.DFEDTAR", "fred.DFEDTARU", "fred.DFEDTARL")
EventSource = Literal["fed_cuts", "fed_hikes", "nber_troughs"]


class EventParams(Params):
    events: EventSource
    since: str = "1926-07-01"
    horizons: tuple[int, ...] = (1, 3, 6, 12, 24)
    sets: tuple[str, ...] | None = None
    definitions: tuple[str, ...] = LEG_DEFS
    episode_weighted: str | None = None
    details: str = "tercile.vw|every cut"

    @model_validator(mode="after")
    def _check_set_names(self) -> EventParams:
        """``sets``, ``episode_weighted`` and a given ``details`` name event sets of
        ``events`` (unknown names passed ``claims check`` and failed, or were ignored, in
        ``verify``)."""
        known = event_set_names(self.events)
        chosen = list(self.sets) if self.sets is not None else known
        for name in (*(self.sets or ()), self.episode_weighted):
            if name is not None and name not in known:
                raise ValueError(
                    f"event set {name!r} is not one of {self.events}'s: {', '.join(known)}"
                )
        if "details" in self.model_fields_set and self.details:
            d, _, name = self.details.partition("|")
            if d not in self.definitions or name not in chosen:
                raise ValueError(
                    f"details {self.details!r} is not 'DEFINITION|SET' of this claim's "
                    f"definitions ({', '.join(self.definitions)}) and event sets "
                    f"({', '.join(chosen)})"
                )
        return self


def event_datasets(p: EventParams) -> list[str]:
    """The definitions' datasets, the Fed target series for Fed events, and NBER dates."""
    out = size_datasets(p.definitions)
    if p.events.startswith("fed"):
        out += [*_TARGET, "fred.USREC"]
    else:
        out.append("fred.USREC")
    return out


class PredictiveParams(Params):
    lookbacks: tuple[int, ...]
    horizons: tuple[int, ...]
    definitions: tuple[str, ...] = LEG_DEFS


class IndicatorParams(Params):
    months: int = 12
    outcomes: tuple[Literal["no-recession logit", "IP growth OLS"], ...] = (
        "no-recession logit",
        "IP growth OLS",
    )
    definitions: tuple[str, ...] = LEG_DEFS


def indicator_datasets(p: IndicatorParams) -> list[str]:
    """The definitions' datasets, NBER recession dates and industrial production."""
    return [*size_datasets(p.definitions), "fred.USREC", "fred.INDPRO"]


# -- regimes -------------------------------------------------------------------------------
Rule = Literal["rising", "falling", "above_median", "above_median_full_sample", "easing"]


class Regime(Params):
    """A 0/1 regime known at the end of each month.

    ``rising``/``falling``: the variable changed over ``months``; ``above_median``: above its
    expanding median up to that month (real time); ``above_median_full_sample``: above the
    median of the whole sample (look-ahead, kept as a labelled specification); ``easing``:
    the last target change up to that month was a cut (variable ``target_change``).
    """

    name: str
    variable: str
    rule: Rule
    months: int = 12


class RegimeParams(Params):
    regimes: tuple[Regime, ...]
    definitions: tuple[str, ...] = ALL_DEFS
    lag: int = 1


def regime_datasets(p: RegimeParams) -> list[str]:
    """The definitions' datasets and those of every regime variable."""
    return size_datasets(p.definitions) + variable_datasets(r.variable for r in p.regimes)


class SensitivityParams(Params):
    variables: tuple[str, ...]
    samples: tuple[str, ...] = ("full", "1990-")
    definitions: tuple[str, ...] = ALL_DEFS


def sensitivity_datasets(p: SensitivityParams) -> list[str]:
    """The definitions' datasets and those of the rates."""
    return size_datasets(p.definitions) + variable_datasets(p.variables)


# -- streaks -------------------------------------------------------------------------------
class StreakParams(Params):
    measures: tuple[Literal["runs", "drawdown duration", "drawdown depth"], ...] = (
        "runs",
        "drawdown duration",
        "drawdown depth",
    )
    years: tuple[int, ...] = (15, 10)
    definitions: tuple[str, ...] = LEG_DEFS
    details_definition: str = "tercile.vw"


class StagedParams(Params):
    lookback_years: int = 10
    steps: int = 6
    hold_months: int = 36
    definitions: tuple[str, ...] = LEG_DEFS
    details_definition: str = "tercile.vw"
