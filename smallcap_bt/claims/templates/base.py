"""What every test template shares: the registry, its input, and small helpers.

A *template* is a reusable test with no claim ids and no claim-specific numbers: it takes a
claim's parameters (from the catalogue) and the data the claim declares, and returns one
estimate per specification. Whether a specification agrees with the claim is decided by the
engine from the claim's ``direction`` / ``stated`` / ``tolerance``, never by the template.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from smallcap_bt.data.vintage import DeclaredData
from smallcap_bt.exceptions import ClaimDefinitionError, InsufficientDataError
from smallcap_bt.stats.results import Estimate


def _definitions() -> tuple[str, ...]:
    from smallcap_bt.panel.definitions import size_definitions

    return tuple(d.id for d in size_definitions())


#: every size definition, in the order of :func:`smallcap_bt.panel.size_definitions` (the one
#: place a definition is added); templates default to these
ALL_DEFS = _definitions()
#: those with separate small and large legs (all but the SMB factor)
LEG_DEFS = tuple(d for d in ALL_DEFS if d != "smb")
CUM_UNITS = "decimal, cumulative over the window (compounded small minus compounded large)"
GEO_UNITS = "decimal per year, geometric (difference of compound annual returns)"
ARITH_UNITS = "decimal per year, arithmetic (monthly mean x 12)"


class Params(BaseModel):
    """Base of every template's parameters: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NotTestableYet(InsufficientDataError):
    """The claim needs months that the vintage does not reach (e.g. as-of beyond the data)."""


@dataclass
class TestInput:
    """What a template runs on.

    Attributes
    ----------
    data : DeclaredData
        The claim's view of the vintage (only its declared datasets).
    rng : numpy.random.Generator
        Seeded per claim and part, so results do not depend on the order claims run in.
    draws : int
        Bootstrap and placebo draws.
    as_of : str
        The date the claim was made (ISO).
    inference : bool
        False when only point estimates are needed (the joint test recomputes them on
        resampled data): templates then skip intervals and p-values.
    """

    data: DeclaredData
    rng: np.random.Generator
    draws: int
    as_of: str = ""
    inference: bool = True

    def last_month(self, column: str) -> pd.Period | None:
        """Last month with data in a panel column."""
        return self.data.col(column).last_valid_index()

    def require(self, last_needed: str | pd.Period, column: str, why: str = "") -> None:
        """Raise :class:`NotTestableYet` unless ``column`` has data through ``last_needed``."""
        need = pd.Period(last_needed, freq="M")
        have = self.last_month(column)
        if have is None or have < need:
            raise NotTestableYet(
                f"needs {column} through {need}, but vintage {self.data.name!r} ends {have}"
                + (f" ({why})" if why else "")
            )


@dataclass
class SpecOut:
    """One specification's estimate, as a template returns it."""

    name: str
    estimate: Estimate
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class TemplateOutput:
    """A template's specifications, the table behind the headline, and notes."""

    specs: list[SpecOut]
    details: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Template:
    """A registered test template."""

    name: str
    params: type[Params]
    run: Callable[[TestInput, Any], TemplateOutput]
    datasets: Callable[[Any], tuple[str, ...]]
    description: str
    #: the joint test may recompute point estimates on resampled return columns
    resamplable: bool = False


TEMPLATES: dict[str, Template] = {}


def template(
    name: str,
    params: type[Params],
    datasets: Callable[[Any], Iterable[str]],
    *,
    resamplable: bool = False,
) -> Callable[[Callable[[TestInput, Any], TemplateOutput]], Callable[..., TemplateOutput]]:
    """Register a template function under ``name`` (its docstring is its description)."""

    def deco(fn: Callable[[TestInput, Any], TemplateOutput]) -> Callable[..., TemplateOutput]:
        TEMPLATES[name] = Template(
            name,
            params,
            fn,
            lambda p: tuple(dict.fromkeys(datasets(p))),
            " ".join((fn.__doc__ or "").strip().split("\n\n")[0].split()),
            resamplable,
        )
        return fn

    return deco


def get_template(name: str) -> Template:
    """A template by name; unknown names list the known ones."""
    from smallcap_bt.claims import templates as _all  # noqa: F401  (registers them)

    if name not in TEMPLATES:
        raise ClaimDefinitionError(
            f"unknown test template {name!r}; known: {', '.join(sorted(TEMPLATES))}"
        )
    return TEMPLATES[name]


# -- helpers shared by templates ----------------------------------------------------------
def size_datasets(defs: Iterable[str]) -> list[str]:
    """Catalog datasets that the size definitions ``defs`` read (legs and SMB)."""
    from smallcap_bt.panel.build import column_datasets

    out = ["ff.factors.monthly"]
    for d in defs:
        for kind in ("sml", "small", "large") if d != "smb" else ("sml",):
            out += column_datasets(f"{kind}.{d}")
    return out


def month(p: str | pd.Period) -> pd.Period:
    """A monthly Period."""
    return pd.Period(p, freq="M")


def before(date: str) -> pd.Period:
    """The last complete month before an ISO date (windows 'to the source date' end there)."""
    return pd.Period(date[:7], freq="M") - 1


def legs_window(inp: TestInput, def_id: str, start: str | pd.Period, end: str | pd.Period):
    """Small, large and sml of a definition over ``start..end`` (inclusive), NaNs dropped."""
    inp.require(end, f"sml.{def_id}")
    sml = inp.data.col(f"sml.{def_id}")
    if def_id == "smb":  # a factor: no legs of its own
        frame = pd.DataFrame({"s": np.nan, "l": np.nan, "sml": sml}, index=sml.index)
    else:
        cols = {"s": f"small.{def_id}", "l": f"large.{def_id}"}
        frame = pd.DataFrame({k: inp.data.col(v) for k, v in cols.items()}).assign(sml=sml)
    return frame.loc[month(start) : month(end)].dropna(subset=["sml"])


def value_estimate(
    value: float,
    units: str,
    label: str,
    start: str = "",
    end: str = "",
    n: int = 0,
    method: str = "direct computation",
    definition: str = "",
) -> Estimate:
    """An estimate with no interval (ranks, percentiles, realised figures, arithmetic)."""
    return Estimate(
        float(value),
        n=n,
        units=units,
        method=method,
        start=start,
        end=end,
        label=label,
        definition=definition,
    )


def point_only(e: Estimate) -> Estimate:
    """The estimate without inference (the joint test's fast path)."""
    from dataclasses import replace

    return replace(e, ci_low=math.nan, ci_high=math.nan, p_value=math.nan, method="point")


def mean_estimate(
    x: pd.Series, inp: TestInput, *, label: str, definition: str = "", periods: int = 12
) -> Estimate:
    """Mean x ``periods`` with Newey-West inference (point estimate only when not needed)."""
    from smallcap_bt.stats.regression import hac_mean

    if not inp.inference:
        x = x.dropna()
        return Estimate(
            float(x.mean() * periods),
            n=len(x),
            units=ARITH_UNITS,
            method="point",
            definition=definition,
            label=label,
        )
    return hac_mean(x, label=label, definition=definition)


def relative_estimate(
    measure: str, s: pd.Series, l_: pd.Series, inp: TestInput, *, label: str, definition: str
) -> Estimate:
    """Cumulative or geometric small minus large over a window, with a stationary block
    bootstrap of month pairs that recomputes the same statistic (interval and p-value)."""
    from smallcap_bt.stats import pairs
    from smallcap_bt.stats.returns import annualised_geometric

    if not inp.inference:
        if measure == "cumulative":
            v = float(np.prod(1 + s) - np.prod(1 + l_))
        else:
            v = annualised_geometric(s) - annualised_geometric(l_)
        return Estimate(v, n=len(s), method="point", definition=definition, label=label)
    fn = pairs.cumulative_difference if measure == "cumulative" else pairs.geometric_difference
    return fn(s, l_, draws=inp.draws, seed=inp.rng, label=label, definition=definition)
