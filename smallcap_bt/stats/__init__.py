"""Statistics: returns and annualisation, HAC regressions, bootstrap and placebo inference,
events, regimes and streaks. Every estimate comes back as an :class:`Estimate`.

``predictive_regression`` here is the former Newey-West reading (kept for compatibility); the
size-correct long-horizon regression is :func:`smallcap_bt.stats.predictive.predictive_regression`.
"""

from smallcap_bt.stats.events import (
    EventStudy,
    calendar_event_study,
    easing_cycles,
    event_study,
    fed_decisions,
    fed_event_sets,
    fed_events,
    nber_peaks,
    nber_troughs,
    placebo_band,
    policy_cycles,
)
from smallcap_bt.stats.inference import bootstrap_mean, stationary_indices
from smallcap_bt.stats.joint import SpecCurveTest, spec_curve_test
from smallcap_bt.stats.multiple import adjust_pvalues
from smallcap_bt.stats.pairs import cumulative_difference, geometric_difference, pair_bootstrap
from smallcap_bt.stats.predictive import PredictiveResult, event_within, predictive_logit
from smallcap_bt.stats.regimes import above, decade_table, easing, regime_difference, rising
from smallcap_bt.stats.regression import (
    factor_alpha,
    hac_mean,
    ols_hac,
    predictive_regression,
    subperiod_difference,
)
from smallcap_bt.stats.results import Estimate
from smallcap_bt.stats.returns import (
    annualised_arithmetic,
    annualised_geometric,
    calendar_year_returns,
    cumulative,
)
from smallcap_bt.stats.streaks import relative_drawdowns, rolling_relative, runs

__all__ = [
    "Estimate",
    "EventStudy",
    "PredictiveResult",
    "SpecCurveTest",
    "above",
    "adjust_pvalues",
    "annualised_arithmetic",
    "annualised_geometric",
    "bootstrap_mean",
    "calendar_event_study",
    "calendar_year_returns",
    "cumulative",
    "cumulative_difference",
    "decade_table",
    "easing",
    "easing_cycles",
    "event_study",
    "event_within",
    "factor_alpha",
    "fed_decisions",
    "fed_event_sets",
    "fed_events",
    "geometric_difference",
    "hac_mean",
    "nber_peaks",
    "nber_troughs",
    "ols_hac",
    "pair_bootstrap",
    "placebo_band",
    "policy_cycles",
    "predictive_logit",
    "predictive_regression",
    "regime_difference",
    "relative_drawdowns",
    "rising",
    "rolling_relative",
    "runs",
    "spec_curve_test",
    "stationary_indices",
    "subperiod_difference",
]
