"""Event and prediction templates: small minus large after dated events (Fed decisions,
NBER troughs), and predictive regressions of future on past."""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from smallcap_bt.claims.templates.base import (
    LEG_DEFS,
    Params,
    SpecOut,
    TemplateOutput,
    TestInput,
    size_datasets,
    template,
)
from smallcap_bt.stats.results import Estimate

_TARGET = ("fred.DFEDTAR", "fred.DFEDTARU", "fred.DFEDTARL")
EventSource = Literal["fed_cuts", "fed_hikes", "nber_troughs"]


class EventParams(Params):
    events: EventSource
    since: str = "1926-07-01"
    horizons: tuple[int, ...] = (1, 3, 6, 12, 24)
    sets: tuple[str, ...] | None = None
    definitions: tuple[str, ...] = LEG_DEFS
    details: str = "tercile.vw|every cut"


def _event_datasets(p: EventParams) -> list[str]:
    out = size_datasets(p.definitions)
    if p.events.startswith("fed"):
        out += [*_TARGET, "fred.USREC"]
    else:
        out.append("fred.USREC")
    return out


def event_sets(inp: TestInput, p: EventParams) -> dict[str, pd.DatetimeIndex]:
    """The event dates of each event definition (names are specification labels)."""
    from smallcap_bt.stats import events as ev

    if p.events == "nber_troughs":
        sets = {"NBER trough": ev.nber_troughs(inp.data.col("usrec")).to_timestamp()}
    else:
        kind = "cut" if p.events == "fed_cuts" else "hike"
        if hasattr(ev, "fed_event_sets"):
            sets = ev.fed_event_sets(inp.data.target, inp.data.col("usrec"), kind, p.since)
        else:
            sets = ev.cut_dates(inp.data.target, p.since)
    sets = {k: v[v >= pd.Timestamp(p.since)] for k, v in sets.items()}
    if p.sets is not None:
        sets = {k: sets[k] for k in p.sets}
    return sets


def _window_means(s: np.ndarray, l_: np.ndarray, pos: np.ndarray, h: int) -> float:
    """Mean over events of compounded small minus compounded large over h months from pos."""
    from smallcap_bt.stats.events import _relative_windows

    rel = _relative_windows(s, l_, h)
    ok = (pos >= 0) & (pos < len(rel))
    vals = rel[pos[ok]]
    vals = vals[~np.isnan(vals)]
    return float(vals.mean()) if len(vals) else np.nan


@template("event_study", EventParams, _event_datasets, resamplable=True)
def event_study(inp: TestInput, p: EventParams) -> TemplateOutput:
    """Cumulative small minus large over 1-24 months after each event.

    Windows start in the month after the event month (the decision is public before any
    return it is credited with). Interval: episode bootstrap; p-value: one-sided against a
    placebo of the same number of event months (see :func:`smallcap_bt.stats.event_study`).
    """
    from smallcap_bt.stats.events import event_study as study

    out, details = [], None
    for set_name, dates in event_sets(inp, p).items():
        for d in p.definitions:
            small, large = inp.data.col(f"small.{d}"), inp.data.col(f"large.{d}")
            if not inp.inference:
                data = pd.concat([small, large], axis=1).dropna()
                months = pd.PeriodIndex([t.to_period("M") for t in dates], freq="M")
                pos = data.index.get_indexer(months + 1)
                s, l_ = data.iloc[:, 0].to_numpy(), data.iloc[:, 1].to_numpy()
                for h in p.horizons:
                    e = Estimate(_window_means(s, l_, pos, h), method="point", definition=d)
                    out.append(SpecOut(f"{d}|{set_name}|{h}m", e, {}))
                continue
            es = study(
                small,
                large,
                dates,
                horizons=p.horizons,
                placebo_draws=inp.draws,
                boot_draws=inp.draws,
                seed=inp.rng,
                definition=d,
            )
            if f"{d}|{set_name}" == p.details:
                details = es.events
            for h, e in es.estimates.items():
                out.append(
                    SpecOut(
                        f"{d}|{set_name}|{h}m",
                        e,
                        {"definition": d, "events": set_name, "horizon": h},
                    )
                )
    return TemplateOutput(out, details)


class PredictiveParams(Params):
    lookbacks: tuple[int, ...]
    horizons: tuple[int, ...]
    definitions: tuple[str, ...] = LEG_DEFS


@template(
    "predictive_regression",
    PredictiveParams,
    lambda p: size_datasets(p.definitions),
    resamplable=True,
)
def predictive_regression(inp: TestInput, p: PredictiveParams) -> TemplateOutput:
    """Slope of the next ``h`` months' small minus large on the trailing ``k``-year relative
    return (geometric, known at the end of month t); overlapping observations."""
    from smallcap_bt.stats.regression import predictive_regression as pr
    from smallcap_bt.stats.streaks import rolling_relative

    out = []
    for look in p.lookbacks:
        for h in p.horizons:
            for d in p.definitions:
                past = rolling_relative(
                    inp.data.col(f"small.{d}"), inp.data.col(f"large.{d}"), look
                )
                sml = inp.data.col(f"sml.{d}")
                label = f"next {h}m sml on trailing {look}y relative"
                if inp.inference:
                    e = pr(sml, past, h, label=label, definition=d)
                else:
                    fwd = sml.rolling(h).sum().shift(-h)
                    both = pd.concat([fwd, past], axis=1).dropna()
                    b = np.polyfit(both.iloc[:, 1], both.iloc[:, 0], 1)[0]
                    e = Estimate(float(b), method="point", definition=d)
                out.append(
                    SpecOut(
                        f"{d}|{look}y->{h}m", e, {"definition": d, "lookback": look, "horizon": h}
                    )
                )
    return TemplateOutput(out)


class IndicatorParams(Params):
    months: int = 12
    outcomes: tuple[Literal["no-recession logit", "IP growth OLS"], ...] = (
        "no-recession logit",
        "IP growth OLS",
    )
    definitions: tuple[str, ...] = LEG_DEFS


@template(
    "leading_indicator",
    IndicatorParams,
    lambda p: [*size_datasets(p.definitions), "fred.USREC", "fred.INDPRO"],
    resamplable=True,
)
def leading_indicator(inp: TestInput, p: IndicatorParams) -> TemplateOutput:
    """Does trailing small minus large lead the economy? Logit of *no* recession within the
    next ``months`` and OLS of the next ``months``' IP growth on the trailing relative return
    (both oriented so that a positive slope means "strong small caps, strong economy").

    NBER recession dates and industrial production are revised and dated with hindsight:
    this is a historical association, not a real-time forecast.
    """
    import statsmodels.api as sm

    from smallcap_bt.stats.regression import ols_hac

    m = p.months
    calm_ahead = 1 - inp.data.col("usrec").rolling(m).max().shift(-m)
    ip_ahead = inp.data.col("ip_growth").shift(-m)
    out = []
    for d in p.definitions:
        past = (
            np.log1p(inp.data.col(f"small.{d}")).rolling(m).sum()
            - np.log1p(inp.data.col(f"large.{d}")).rolling(m).sum()
        )
        if "no-recession logit" in p.outcomes:
            data = pd.concat([calm_ahead.rename("y"), past.rename("x")], axis=1).dropna()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.Logit(data["y"], sm.add_constant(data["x"])).fit(
                    disp=0, cov_type="HAC", cov_kwds={"maxlags": m}
                )
            lo, hi = fit.conf_int().loc["x"]
            e = Estimate(
                float(fit.params["x"]),
                float(lo) if inp.inference else np.nan,
                float(hi) if inp.inference else np.nan,
                float(fit.pvalues["x"]) if inp.inference else np.nan,
                int(fit.nobs),
                f"logit coefficient per unit of trailing {m}m log relative return",
                f"logit, HAC ({m} lags)",
                str(data.index[0]),
                str(data.index[-1]),
                d,
                f"no recession within {m}m on trailing relative",
            )
            out.append(SpecOut(f"{d}|no-recession logit", e, {"definition": d}))
        if "IP growth OLS" in p.outcomes:
            res = ols_hac(ip_ahead.rename("ip"), past.rename("x"), lags=m)
            e2 = res.coef(
                "x",
                label=f"next-{m}m IP growth on trailing relative",
                units="percent IP growth per unit of log relative return",
                definition=d,
            )
            out.append(SpecOut(f"{d}|IP growth OLS", e2, {"definition": d}))
    return TemplateOutput(out)
