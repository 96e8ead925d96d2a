"""What every test template shares: the registry, its input, and small helpers.

A *template* is a reusable test with no claim ids and no claim-specific numbers: it takes a
claim's parameters (from the catalogue) and the data the claim declares, and returns one
estimate per specification. Whether a specification agrees with the claim is decided by the
engine from the claim's ``direction`` / ``stated`` / ``tolerance``, never by the template.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# parameters, defaults and datasets are pure Python (claims validate without pandas)
from smallcap_bt.claims.templates.params import (  # noqa: F401  (re-exported)
    ALL_DEFS,
    LEG_DEFS,
    Params,
    size_datasets,
)
from smallcap_bt.claims.templates.specs import SPECS, get_spec
from smallcap_bt.data.vintage import DeclaredData
from smallcap_bt.exceptions import InsufficientDataError
from smallcap_bt.stats.results import Estimate

CUM_UNITS = "decimal, cumulative over the window (compounded small minus compounded large)"
GEO_UNITS = "decimal per year, geometric (difference of compound annual returns)"
ARITH_UNITS = "decimal per year, arithmetic (monthly mean x 12)"


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

    def require_start(self, first_needed: str | pd.Period, column: str) -> None:
        """Raise :class:`NotTestableYet` unless ``column`` has data from ``first_needed`` on
        (a window that starts before the data would be cut short without a word)."""
        need = pd.Period(first_needed, freq="M")
        have = self.data.col(column).first_valid_index()
        if have is None or have > need:
            raise NotTestableYet(
                f"needs {column} from {need}, but vintage {self.data.name!r} starts {have}"
            )

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


#: the templates registered so far, by name: a module registers its templates when it is
#: imported (:func:`get_template` imports the one it needs, :func:`load_all` every one)
TEMPLATES: dict[str, Template] = {}


def template(
    name: str,
) -> Callable[[Callable[[TestInput, Any], TemplateOutput]], Callable[..., TemplateOutput]]:
    """Register a template function under ``name``; its parameters, datasets, description and
    resamplability are those of ``name`` in :data:`smallcap_bt.claims.templates.specs.SPECS`."""
    spec = get_spec(name)

    def deco(fn: Callable[[TestInput, Any], TemplateOutput]) -> Callable[..., TemplateOutput]:
        TEMPLATES[name] = Template(
            name, spec.params, fn, spec.datasets, spec.description, spec.resamplable
        )
        return fn

    return deco


def get_template(name: str) -> Template:
    """A template by name, its module imported on first use; unknown names list the known
    ones."""
    spec = get_spec(name)
    if name not in TEMPLATES:
        importlib.import_module(spec.module)
    return TEMPLATES[name]


def load_all() -> dict[str, Template]:
    """Import every template module; :data:`TEMPLATES` then holds every template."""
    for spec in SPECS.values():
        get_template(spec.name)
    return TEMPLATES


# -- helpers shared by templates ----------------------------------------------------------
def month(p: str | pd.Period) -> pd.Period:
    """A monthly Period."""
    return pd.Period(p, freq="M")


def before(date: str) -> pd.Period:
    """The last complete month before an ISO date (windows 'to the source date' end there)."""
    return pd.Period(date[:7], freq="M") - 1


def legs_window(inp: TestInput, def_id: str, start: str | pd.Period, end: str | pd.Period):
    """Small, large and sml of a definition over ``start..end`` (inclusive), NaNs dropped."""
    inp.require(end, f"sml.{def_id}")
    inp.require_start(start, f"sml.{def_id}")
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
