"""Event and prediction templates: small minus large after dated events (Fed decisions,
NBER troughs), and predictive regressions of future on past."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from smallcap_bt.claims.templates.base import (
    SpecOut,
    TemplateOutput,
    TestInput,
    template,
)
from smallcap_bt.claims.templates.params import (
    EventParams,
    IndicatorParams,
    PredictiveParams,
)
from smallcap_bt.claims.templates.params import (
    EventSource as EventSource,
)
from smallcap_bt.exceptions import ClaimDefinitionError, InsufficientDataError
from smallcap_bt.stats.results import Estimate


def event_sets(
    inp: TestInput, p: EventParams
) -> tuple[dict[str, pd.DatetimeIndex], pd.DatetimeIndex]:
    """The event dates of each event definition (names are specification labels), and the
    episode starts (first decisions of policy cycles; each trough for NBER troughs)."""
    # the declared-data checks run for every claim, before the per-vintage memo (a claim must
    # not read what another claim, earlier in this process, was allowed to)
    inp.data.col("usrec")
    if p.events != "nber_troughs":
        _ = inp.data.target
    return inp.data.vintage.memo(("event sets", p), lambda: _event_sets(inp, p))


def _event_sets(
    inp: TestInput, p: EventParams
) -> tuple[dict[str, pd.DatetimeIndex], pd.DatetimeIndex]:
    from smallcap_bt.stats import events as ev

    usrec = inp.data.col("usrec")
    if p.events == "nber_troughs":
        troughs = ev.nber_troughs(usrec).to_timestamp()
        sets, starts = {"NBER trough": troughs}, troughs
    else:
        kind: Literal["cut", "hike"] = "cut" if p.events == "fed_cuts" else "hike"
        # decisions after the last month of return data have no window: leave them out
        end = usrec.index[-1].to_timestamp(how="end")
        target = inp.data.target.loc[:end]
        sets = ev.fed_event_sets(target, usrec, kind, p.since)
        cycles = ev.policy_cycles(ev.fed_decisions(target), kind, end=target.index[-1])
        starts = pd.DatetimeIndex(cycles["first"])
    sets = {k: v[v >= pd.Timestamp(p.since)] for k, v in sets.items()}
    if p.sets is not None:
        missing = [k for k in p.sets if k not in sets]
        if missing:
            raise ClaimDefinitionError(
                f"event sets {missing} unknown for {p.events}; known: {', '.join(sets)}"
            )
        sets = {k: sets[k] for k in p.sets}
    return sets, starts


def event_positions(
    inp: TestInput, p: EventParams, sets: dict[str, pd.DatetimeIndex]
) -> dict[str, np.ndarray]:
    """Panel row of the first window month (the month after each event month; several
    events in one month count once) of every event set."""
    index = inp.data.col(f"sml.{p.definitions[0]}").index
    positions = {}
    for name, dates in sets.items():
        months = pd.PeriodIndex(sorted(set(dates.to_period("M"))), freq="M")
        pos = index.get_indexer(months + 1)
        positions[name] = pos[pos >= 0]
    return positions


def _fast_event_means(
    inp: TestInput, p: EventParams, sets: dict[str, pd.DatetimeIndex]
) -> TemplateOutput:
    """Event-weighted means only (the joint test's fast path): windows computed once per
    definition and horizon, then read at every event set's positions."""
    from smallcap_bt.stats.events import _relative_windows

    positions = event_positions(inp, p, sets)
    out = []
    for d in p.definitions:
        s = inp.data.col(f"small.{d}").to_numpy(dtype=float)
        l_ = inp.data.col(f"large.{d}").to_numpy(dtype=float)
        for h in p.horizons:
            rel = _relative_windows(s, l_, h)
            for name, pos in positions.items():
                vals = rel[pos]
                vals = vals[~np.isnan(vals)]
                v = float(vals.mean()) if len(vals) >= 2 else np.nan
                out.append(SpecOut(f"{d}|{name}|{h}m", Estimate(v, method="point"), {}))
    return TemplateOutput(out)


def _trailing_geo(s: np.ndarray, l_: np.ndarray, years: int) -> np.ndarray:
    """Trailing ``years``-year difference of geometric annual returns (numpy version of
    :func:`smallcap_bt.stats.streaks.rolling_relative`, same NaN handling for full data)."""
    n = 12 * years
    out = np.full(len(s), np.nan)
    cs = np.concatenate([[0.0], np.cumsum(np.log1p(s))])
    cl = np.concatenate([[0.0], np.cumsum(np.log1p(l_))])
    out[n - 1 :] = np.expm1((cs[n:] - cs[:-n]) / years) - np.expm1((cl[n:] - cl[:-n]) / years)
    return out


def _fwd_slope(r: np.ndarray, x: np.ndarray, h: int) -> float:
    """OLS slope of sum(r[t+1..t+h]) on x[t] (numpy; the joint test's fast path)."""
    c = np.concatenate([[0.0], np.nancumsum(r)])
    n = len(r)
    y = np.full(n, np.nan)
    y[: n - h] = c[h + 1 :] - c[1 : n - h + 1]
    ok = ~np.isnan(y) & ~np.isnan(x)
    xv, yv = x[ok], y[ok]
    xd = xv - xv.mean()
    return float((xd @ (yv - yv.mean())) / (xd @ xd))


def _readings(res: object) -> dict[str, float]:
    """The other readings of a predictive slope (Hodrick 1B, non-overlapping), flat."""
    out: dict[str, float] = {}
    for name in ("hodrick", "nonoverlapping", "newey_west"):
        e = getattr(res, name, None)
        if e is not None:
            out[f"{name}_value"] = e.value
            out[f"{name}_p"] = e.p_value
    return out


def _flatten(e: Estimate) -> None:
    """Nested estimates in ``extra`` become their value and p-value (JSON-friendly)."""
    for k, v in list(e.extra.items()):
        if isinstance(v, Estimate):
            e.extra[k] = v.value
            e.extra[f"{k}_p"] = v.p_value
            e.extra[f"{k}_ci"] = [v.ci_low, v.ci_high]
        elif isinstance(v, np.ndarray):
            e.extra[k] = v.tolist()


def _logit_point(y: np.ndarray, x: np.ndarray, iters: int = 25) -> float:
    """Logit slope by Newton's method (the joint test's fast path)."""
    X = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    for _ in range(iters):
        prob = 1 / (1 + np.exp(-X @ beta))
        grad = X.T @ (y - prob)
        hess = X.T @ (X * (prob * (1 - prob))[:, None])
        beta += np.linalg.solve(hess, grad)
    return float(beta[1])


@template("event_study")
def event_study(inp: TestInput, p: EventParams) -> TemplateOutput:
    """Cumulative small minus large over the months after each event, event-weighted (and
    episode-weighted for one event set), with a placebo that keeps the era and clustering of
    the real calendar.

    Windows start in the month after the event month (the decision is public before any
    return it is credited with); several events in one month count once. p-value: one-sided,
    against circular shifts of the real event-month calendar within the era (same count,
    spacing and overlap); interval: the placebo test inverted under a constant effect (see
    :func:`smallcap_bt.stats.events.calendar_event_study`).
    """
    from smallcap_bt.stats.events import calendar_event_study

    sets, starts = event_sets(inp, p)
    if not inp.inference:
        return _fast_event_means(inp, p, sets)
    era = pd.Period(p.since, freq="M") if p.events != "nber_troughs" else None
    out, details, notes = [], None, []
    for set_name, dates in sets.items():
        if len(dates) == 0:
            raise InsufficientDataError(
                f"event set {set_name!r} has no events from {p.since or 'the start'} to the "
                "end of the data; name the sets to test in params.sets (these have events: "
                f"{', '.join(repr(k) for k, v in sets.items() if len(v)) or 'none'})"
            )
        weightings = ["event"] + (["episode"] * (set_name == p.episode_weighted))
        for d in p.definitions:
            small, large = inp.data.col(f"small.{d}"), inp.data.col(f"large.{d}")
            for w in weightings:
                tag = set_name if w == "event" else f"{set_name}, episode-weighted"
                es = calendar_event_study(
                    small,
                    large,
                    dates,
                    horizons=p.horizons,
                    seed=inp.rng,
                    era_start=era,
                    episode_starts=starts,
                    weighting=w,  # type: ignore[arg-type]
                    definition=d,
                )
                if f"{d}|{set_name}" == p.details and w == "event":
                    details = es.events
                    h0 = 12 if 12 in p.horizons else p.horizons[len(p.horizons) // 2]
                    x = es.estimates[h0].extra
                    ep = x.get("episode_weighted")
                    notes.append(
                        f"{d}, {set_name}, {h0}m: event-weighted {es.estimates[h0].value:.2%}, "
                        f"episode-weighted {getattr(ep, 'value', float('nan')):.2%}, "
                        f"{x.get('episodes_negative')} of {len(x.get('episode_means', []))} "
                        f"episodes negative; {x.get('n_merged', 0)} same-month events merged"
                    )
                for h, e in es.estimates.items():
                    _flatten(e)
                    out.append(
                        SpecOut(
                            f"{d}|{tag}|{h}m",
                            e,
                            {"definition": d, "events": set_name, "horizon": h, "weighting": w},
                        )
                    )
    return TemplateOutput(out, details, notes)


@template("predictive_regression")
def predictive_regression(inp: TestInput, p: PredictiveParams) -> TemplateOutput:
    """Slope of the next ``h`` months' small minus large on the trailing ``k``-year relative
    return (geometric, known at the end of month t); overlapping observations.

    p-value and interval from a simulation under no predictability that keeps the regressor's
    persistence and the overlap (:func:`smallcap_bt.stats.predictive.predictive_regression`;
    the horizons of one signal share its simulated paths); Hodrick (1992) 1B and
    non-overlapping readings are in ``extra``.
    """
    from dataclasses import replace

    from smallcap_bt.stats.predictive import predictive_regressions
    from smallcap_bt.stats.streaks import rolling_relative

    # one null simulation per signal, shared by its horizons (same paths, each horizon's
    # p-value valid on its own)
    sims = {}
    if inp.inference:
        for look in p.lookbacks:
            for d in p.definitions:
                small, large = inp.data.col(f"small.{d}"), inp.data.col(f"large.{d}")
                past = rolling_relative(small, large, look)
                sims[look, d] = predictive_regressions(
                    inp.data.col(f"sml.{d}"),
                    past,
                    p.horizons,
                    draws=inp.draws,
                    seed=inp.rng,
                    definition=d,
                )
    out = []
    for look in p.lookbacks:
        for h in p.horizons:
            for d in p.definitions:
                if not inp.inference:
                    small, large = inp.data.col(f"small.{d}"), inp.data.col(f"large.{d}")
                    past_np = _trailing_geo(small.to_numpy(float), large.to_numpy(float), look)
                    b = _fwd_slope(inp.data.col(f"sml.{d}").to_numpy(float), past_np, h)
                    out.append(SpecOut(f"{d}|{look}y->{h}m", Estimate(b, method="point"), {}))
                    continue
                res = sims[look, d][h]
                e = replace(res.estimate, label=f"next {h}m sml on trailing {look}y relative")
                e.extra.update(_readings(res))
                out.append(
                    SpecOut(
                        f"{d}|{look}y->{h}m", e, {"definition": d, "lookback": look, "horizon": h}
                    )
                )
    return TemplateOutput(out)


@template("leading_indicator")
def leading_indicator(inp: TestInput, p: IndicatorParams) -> TemplateOutput:
    """Does trailing small minus large lead the economy? Logit of *no* recession within the
    next ``months`` and OLS of the next ``months``' IP growth on the trailing relative return
    (both oriented so that a positive slope means "strong small caps, strong economy").

    NBER recession dates and industrial production are revised and dated with hindsight:
    this is a historical association, not a real-time forecast.
    """
    from smallcap_bt.stats.predictive import event_within, predictive_logit
    from smallcap_bt.stats.regression import ols_hac

    m = p.months
    calm_ahead = 1 - event_within(inp.data.col("usrec"), m)
    ip = inp.data.col("ip_growth")
    out = []
    for d in p.definitions:
        past = (
            np.log1p(inp.data.col(f"small.{d}")).rolling(m).sum()
            - np.log1p(inp.data.col(f"large.{d}")).rolling(m).sum()
        )
        if "no-recession logit" in p.outcomes:
            if inp.inference:
                res = predictive_logit(
                    calm_ahead,
                    past,
                    m,
                    draws=inp.draws,
                    seed=inp.rng,
                    definition=d,
                    label=f"no recession within {m}m on trailing relative",
                    units=f"logit coefficient per unit of trailing {m}m log relative return",
                )
                e = res.estimate
                e.extra.update(_readings(res))
            else:
                data = pd.concat([calm_ahead.rename("y"), past.rename("x")], axis=1).dropna()
                e = Estimate(
                    _logit_point(data["y"].to_numpy(), data["x"].to_numpy()),
                    method="point",
                    definition=d,
                )
            out.append(SpecOut(f"{d}|no-recession logit", e, {"definition": d}))
        if "IP growth OLS" in p.outcomes:
            # y_t = IP growth over t+1..t+m (percent), known m months later: overlapping
            fwd = ip.shift(-m)
            if inp.inference:
                # a secondary reading: Newey-West with m lags (the headline is the logit, whose
                # p-value comes from a null simulation that keeps the overlap)
                r2 = ols_hac(fwd.rename("ip"), past.rename("x"), lags=m)
                e2 = r2.coef(
                    "x",
                    label=f"next-{m}m IP growth on trailing relative",
                    units="percent IP growth per unit of log relative return",
                    definition=d,
                )
            else:
                both = pd.concat([fwd, past], axis=1).dropna()
                b = np.polyfit(both.iloc[:, 1], both.iloc[:, 0], 1)[0]
                e2 = Estimate(float(b), method="point", definition=d)
            out.append(SpecOut(f"{d}|IP growth OLS", e2, {"definition": d}))
    return TemplateOutput(out)
