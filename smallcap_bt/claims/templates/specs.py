"""What each test template is, without its implementation: name, parameters, description,
datasets, and the module that implements it.

Pure Python (no pandas): ``smallcap-bt claims list/show/check/templates`` validate and
describe claims from this table alone. :func:`smallcap_bt.claims.templates.base.get_template`
imports the implementing module on first use; each module registers its functions with
``@template(name)``, which takes everything but the function from here. The description is
the first paragraph of the function's docstring (a test keeps the two equal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from smallcap_bt.claims.templates import params as P
from smallcap_bt.exceptions import ClaimDefinitionError

__all__ = ["SPECS", "TemplateSpec", "get_spec"]

_PKG = "smallcap_bt.claims.templates."


@dataclass(frozen=True)
class TemplateSpec:
    """A test template as data (its implementation is imported on first use).

    Attributes
    ----------
    name : str
        Template name, as claims give it in ``test``.
    params : type of Params
        The pydantic model of its parameters.
    needs : callable
        Validated parameters -> the catalog dataset ids the template reads (may repeat).
    description : str
        What it tests, one paragraph (``smallcap-bt claims templates``).
    module : str
        Module that implements it (``smallcap_bt.claims.templates.<module>``).
    resamplable : bool
        The joint test may recompute point estimates on resampled return columns.
    """

    name: str
    params: type[P.Params]
    needs: Callable[[Any], Iterable[str]]
    description: str
    module: str
    resamplable: bool = False

    def datasets(self, params: Any) -> tuple[str, ...]:
        """Catalog datasets the template reads for validated ``params`` (no duplicates)."""
        return tuple(dict.fromkeys(self.needs(params)))


def _no_data(p: Any) -> tuple[str, ...]:
    return ()


_SPECS = (
    # checks
    TemplateSpec(
        "valuation_percentile",
        P.ValuationParams,
        P.valuation_datasets,
        "Percentile of the latest small/big aggregate book-to-market in its own history "
        "(1 = small cheapest relative to big ever). BE/ME from the 2x3 portfolios.",
        _PKG + "checks",
    ),
    TemplateSpec(
        "arithmetic_check",
        P.ArithmeticParams,
        _no_data,
        "Relative change (base + change) / base - 1 of stated figures (no data).",
        _PKG + "checks",
    ),
    # events
    TemplateSpec(
        "event_study",
        P.EventParams,
        P.event_datasets,
        "Cumulative small minus large over the months after each event, event-weighted (and "
        "episode-weighted for one event set), with a placebo that keeps the era and clustering "
        "of the real calendar.",
        _PKG + "events",
        resamplable=True,
    ),
    TemplateSpec(
        "predictive_regression",
        P.PredictiveParams,
        P.definition_datasets,
        "Slope of the next ``h`` months' small minus large on the trailing ``k``-year relative "
        "return (geometric, known at the end of month t); overlapping observations.",
        _PKG + "events",
        resamplable=True,
    ),
    TemplateSpec(
        "leading_indicator",
        P.IndicatorParams,
        P.indicator_datasets,
        "Does trailing small minus large lead the economy? Logit of *no* recession within the "
        "next ``months`` and OLS of the next ``months``' IP growth on the trailing relative "
        'return (both oriented so that a positive slope means "strong small caps, strong '
        'economy").',
        _PKG + "events",
        resamplable=True,
    ),
    # periods
    TemplateSpec(
        "decade_ranking",
        P.DecadeParams,
        P.definition_datasets,
        "Rank of a decade among complete calendar decades, and of the best rolling 10-year "
        "window that starts in that decade among all rolling windows (geometric annual "
        "returns).",
        _PKG + "periods",
    ),
    TemplateSpec(
        "macro_decades",
        P.MacroDecadeParams,
        P.macro_datasets,
        "A decade's average of macro series minus the average of the other complete decades.",
        _PKG + "periods",
    ),
    TemplateSpec(
        "macro_change",
        P.MacroChangeParams,
        P.macro_datasets,
        "Change of macro series from the first to the last month of a stated period.",
        _PKG + "periods",
    ),
    # regimes
    TemplateSpec(
        "regime_mean",
        P.RegimeParams,
        P.regime_datasets,
        "Mean small minus large (x 12, Newey-West) in the months after a regime month.",
        _PKG + "regimes",
        resamplable=True,
    ),
    TemplateSpec(
        "regime_difference",
        P.RegimeParams,
        P.regime_datasets,
        "Mean small minus large after regime months minus after other months (x 12, HAC).",
        _PKG + "regimes",
        resamplable=True,
    ),
    TemplateSpec(
        "rate_sensitivity",
        P.SensitivityParams,
        P.sensitivity_datasets,
        "Slope of monthly small minus large on the same month's change of a rate (HAC).",
        _PKG + "regimes",
        resamplable=True,
    ),
    # size
    TemplateSpec(
        "long_run_mean",
        P.LongRunParams,
        P.definition_datasets,
        "Mean small minus large (Newey-West) and its CAPM alpha over a long sample.",
        _PKG + "size",
        resamplable=True,
    ),
    TemplateSpec(
        "instability",
        P.InstabilityParams,
        P.instability_datasets,
        "Is the premium unstable? Mean after a break minus mean before (HAC, x 12).",
        _PKG + "size",
        resamplable=True,
    ),
    TemplateSpec(
        "figure_reproduction",
        P.FigureParams,
        P.figure_datasets,
        "A stated long-run average under every definition, averaging convention and end year.",
        _PKG + "size",
    ),
    TemplateSpec(
        "risk_comparison",
        P.RiskParams,
        P.definition_datasets,
        "Risk of small vs large, each oriented so that positive = small is riskier: volatility "
        "difference, how much deeper small's max drawdown is, and small's market beta minus 1.",
        _PKG + "size",
    ),
    TemplateSpec(
        "window_vs_history",
        P.HistoryParams,
        P.definition_datasets,
        "Recent premium minus the premium before it, like with like: both arithmetic (monthly "
        "mean x 12) over the trailing window and over all months before it.",
        _PKG + "size",
    ),
    # streaks
    TemplateSpec(
        "streak_ranking",
        P.StreakParams,
        P.definition_datasets,
        "Rank of the current spell of small-cap underperformance on record (1 = longest).",
        _PKG + "streaks",
    ),
    TemplateSpec(
        "strategy_comparison",
        P.StagedParams,
        P.definition_datasets,
        "Staged vs lump-sum switch from large to small after long underperformance: the "
        "dispersion of ``hold_months`` outcomes, staged / lump - 1 (negative = less "
        "dispersed).",
        _PKG + "streaks",
    ),
    # windows
    TemplateSpec(
        "window_difference",
        P.WindowParams,
        P.definition_datasets,
        "Small minus large over stated windows: cumulative, geometric or arithmetic.",
        _PKG + "windows",
    ),
    TemplateSpec(
        "month_return",
        P.MonthParams,
        P.definition_datasets,
        "The return of the small leg (or of small minus large) in one stated month.",
        _PKG + "windows",
    ),
    TemplateSpec(
        "month_ranking",
        P.MonthRankParams,
        P.definition_datasets,
        "Rank of one month's small minus large among the months up to the as-of date.",
        _PKG + "windows",
    ),
)

#: every template by name, in the order their modules register them
SPECS: dict[str, TemplateSpec] = {s.name: s for s in _SPECS}


def get_spec(name: str) -> TemplateSpec:
    """A template's spec by name; unknown names list the known ones.

    Raises
    ------
    ClaimDefinitionError
        ``name`` is not a template.
    """
    if name not in SPECS:
        raise ClaimDefinitionError(
            f"unknown test template {name!r}; known: {', '.join(sorted(SPECS))}"
        )
    return SPECS[name]
