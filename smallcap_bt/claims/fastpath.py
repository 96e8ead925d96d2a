"""Vectorised point estimates for the joint test: every specification of a template on ``k``
null draws at once.

The joint test (:func:`smallcap_bt.stats.joint.spec_curve_test`) re-estimates every
specification of a claim on hundreds of resampled panels. Running the template on a pandas
frame per draw costs milliseconds per specification; the functions here compute the same
point estimates from ``(k, T)`` arrays in one pass per specification. The calendar side of
each statistic (regime months, event windows, samples) does not change across draws and is
prepared once per claim; only the return columns vary.

Each builder takes the template's input and parameters and returns a function of a
:class:`~smallcap_bt.stats.joint.Resampled` view that maps specification names to ``(k,)``
arrays. The template's own point-estimate path stays the definition: the joint test checks
that both agree on the observed data before it uses a builder, and the tests compare them on
resampled draws too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from smallcap_bt.claims.templates.base import TestInput, month
from smallcap_bt.stats.joint import Resampled

#: a prepared statistic: specification name -> (k,) estimates on k draws
Batch = Callable[[Resampled], dict[str, np.ndarray]]
Builder = Callable[[TestInput, Any], Batch]

BUILDERS: dict[str, Builder] = {}


def builder(name: str) -> Callable[[Builder], Builder]:
    """Register the vectorised point estimates of template ``name``."""

    def deco(fn: Builder) -> Builder:
        BUILDERS[name] = fn
        return fn

    return deco


def batch_for(name: str, inp: TestInput, params: Any) -> Batch | None:
    """The prepared vectorised statistic of a template, or None when it has none."""
    fn = BUILDERS.get(name)
    return None if fn is None else fn(inp, params)


# -- NaN-aware row-wise reductions -------------------------------------------------------
def nanmean_rows(y: np.ndarray) -> np.ndarray:
    """Row means of ``y`` ``(k, n)`` ignoring NaN (NaN for a row with no values)."""
    ok = ~np.isnan(y)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, y, 0.0).sum(axis=1) / ok.sum(axis=1)


def _common_rows(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``x`` and ``y`` restricted to the entries where both are finite, when those are the
    same entries in every row (the usual case: complete returns against a fixed calendar);
    None when rows differ."""
    ok = ~np.isnan(x) & ~np.isnan(y)
    first = ok[:1]
    if not (ok == first).all():
        return None
    keep = first[0]
    return x[:, keep], y[:, keep]


def ols_rows(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise OLS intercept and slope of ``y`` on ``x`` (broadcast to ``(k, n)``) over the
    entries where both are finite."""
    common = _common_rows(x, y)
    if common is not None:  # the usual case: the same sample in every row, no masks
        x, y = common
        mx, my = x.mean(axis=1, keepdims=True), y.mean(axis=1, keepdims=True)
        xd, yd = x - mx, y - my
        with np.errstate(invalid="ignore", divide="ignore"):
            b = (xd * yd).sum(axis=1) / (xd * xd).sum(axis=1)
        k = max(len(x), len(y))
        return np.broadcast_to(my[:, 0] - b * mx[:, 0], (k,)), np.broadcast_to(b, (k,))
    x, y = np.broadcast_arrays(x, y)
    ok = ~np.isnan(x) & ~np.isnan(y)
    n = ok.sum(axis=1)
    xz, yz = np.where(ok, x, 0.0), np.where(ok, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = xz.sum(axis=1) / n, yz.sum(axis=1) / n
        xd = np.where(ok, x - mx[:, None], 0.0)
        yd = np.where(ok, y - my[:, None], 0.0)
        b = (xd * yd).sum(axis=1) / (xd * xd).sum(axis=1)
    return my - b * mx, b


def rolling_sum_rows(x: np.ndarray, m: int) -> np.ndarray:
    """Trailing ``m``-period sums along the last axis; NaN where the window is incomplete or
    holds a NaN (pandas ``rolling(m).sum()``)."""
    bad = np.isnan(x)
    c = np.cumsum(np.where(bad, 0.0, x), axis=-1)
    nb = np.cumsum(bad, axis=-1)
    out = np.full(x.shape, np.nan)
    out[..., m - 1] = c[..., m - 1]
    out[..., m:] = c[..., m:] - c[..., :-m]
    nbad = nb.astype(float)
    nbad[..., m:] = nb[..., m:] - nb[..., :-m]
    out[..., : m - 1] = np.nan
    out[nbad > 0] = np.nan
    return out


def _need(inp: TestInput, *columns: str) -> None:
    """Read each column once through the claim's declared view (undeclared ones raise)."""
    for c in columns:
        inp.data.col(c)


def _index(inp: TestInput, column: str) -> pd.PeriodIndex:
    return inp.data.col(column).index


# -- size ----------------------------------------------------------------------------------
@builder("long_run_mean")
def _long_run_mean(inp: TestInput, p: Any) -> Batch:
    _need(inp, "mkt_rf", *(f"sml.{d}" for d in p.definitions))
    index = _index(inp, "mkt_rf")
    keep = np.ones(len(index), dtype=bool)
    if p.start:
        keep &= index >= month(p.start)
    if p.end:
        keep &= index <= month(p.end)

    def run(draws: Resampled) -> dict[str, np.ndarray]:
        out = {}
        mkt = draws["mkt_rf"][:, keep]
        for test in p.tests:
            for d in p.definitions:
                y = draws[f"sml.{d}"][:, keep]
                if test == "mean":
                    out[f"{d}|hac_mean"] = nanmean_rows(y) * 12
                else:
                    out[f"{d}|capm_alpha"] = ols_rows(mkt, y)[0] * 12
        return out

    return run


@builder("instability")
def _instability(inp: TestInput, p: Any) -> Batch:
    _need(inp, *(f"sml.{d}" for d in p.definitions))
    index = _index(inp, f"sml.{p.definitions[0]}")
    after = {b: np.asarray(index >= month(b)) for b in p.breaks}

    def run(draws: Resampled) -> dict[str, np.ndarray]:
        out = {}
        for brk, a in after.items():
            for d in p.definitions:
                y = draws[f"sml.{d}"]
                diff = nanmean_rows(y[:, a]) - nanmean_rows(y[:, ~a])
                out[f"{d}|break {brk}"] = diff * 12
        return out

    return run


# -- regimes -------------------------------------------------------------------------------
def _lagged_masks(inp: TestInput, p: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from smallcap_bt.claims.templates.regimes import regime_dummy

    out = {}
    for r in p.regimes:
        lagged = regime_dummy(inp, r).shift(p.lag).to_numpy(dtype=float)
        out[r.name] = (lagged == 1, lagged == 0)
    return out


@builder("regime_mean")
def _regime_mean(inp: TestInput, p: Any) -> Batch:
    _need(inp, *(f"sml.{d}" for d in p.definitions))
    masks = _lagged_masks(inp, p)

    def run(draws: Resampled) -> dict[str, np.ndarray]:
        return {
            f"{d}|{name}": nanmean_rows(draws[f"sml.{d}"][:, one]) * 12
            for name, (one, _) in masks.items()
            for d in p.definitions
        }

    return run


@builder("regime_difference")
def _regime_difference(inp: TestInput, p: Any) -> Batch:
    _need(inp, *(f"sml.{d}" for d in p.definitions))
    masks = _lagged_masks(inp, p)

    def run(draws: Resampled) -> dict[str, np.ndarray]:
        out = {}
        for name, (one, zero) in masks.items():
            for d in p.definitions:
                y = draws[f"sml.{d}"]
                out[f"{d}|{name}"] = (nanmean_rows(y[:, one]) - nanmean_rows(y[:, zero])) * 12
        return out

    return run


@builder("rate_sensitivity")
def _rate_sensitivity(inp: TestInput, p: Any) -> Batch:
    _need(inp, *p.variables, *(f"sml.{d}" for d in p.definitions))
    index = _index(inp, f"sml.{p.definitions[0]}")
    samples = {}
    for s in p.samples:
        if s == "full":
            samples[s] = np.ones(len(index), dtype=bool)
        else:
            start = s.rstrip("-") + "-01" if len(s) == 5 else s
            samples[s] = np.asarray(index >= month(start))

    def run(draws: Resampled) -> dict[str, np.ndarray]:
        out = {}
        for var in p.variables:
            # the month's change of the variable, from the draws: a rate that is itself a
            # resampled column (e.g. rf) changes with every draw, a macro series does not
            level = draws[var]
            dx = np.concatenate([np.full((len(level), 1), np.nan), np.diff(level, axis=1)], axis=1)
            for s, keep in samples.items():
                for d in p.definitions:
                    y = draws[f"sml.{d}"][:, keep]
                    out[f"{d}|d{var}|{s}"] = ols_rows(dx[:, keep], y)[1]
        return out

    return run


# -- events and prediction -----------------------------------------------------------------
def log_wealth_rows(r: np.ndarray) -> np.ndarray:
    """Row-wise log wealth ``(k, T + 1)`` of returns ``(k, T)`` (decimal), starting at 0: the
    compounded return over months ``t .. t+h-1`` is ``expm1(w[t+h] - w[t])``."""
    return np.concatenate([np.zeros((len(r), 1)), np.cumsum(np.log1p(r), axis=1)], axis=1)


@builder("event_study")
def _event_study(inp: TestInput, p: Any) -> Batch:
    from smallcap_bt.claims.templates.events import event_positions, event_sets

    _need(inp, *(f"{leg}.{d}" for d in p.definitions for leg in ("small", "large")))
    sets, _ = event_sets(inp, p)
    positions = event_positions(inp, p, sets)

    def run(draws: Resampled) -> dict[str, np.ndarray]:
        out = {}
        for d in p.definitions:
            s, l_ = np.broadcast_arrays(draws[f"small.{d}"], draws[f"large.{d}"])
            n = s.shape[1]
            # a window's compounded return is a difference of two log wealths
            ls, ll = log_wealth_rows(s), log_wealth_rows(l_)
            for h in p.horizons:
                for name, pos in positions.items():
                    pos = pos[pos + h <= n]  # windows that end inside the data
                    vals = np.expm1(ls[:, pos + h] - ls[:, pos]) - np.expm1(
                        ll[:, pos + h] - ll[:, pos]
                    )
                    ok = ~np.isnan(vals)
                    m = ok.sum(axis=1)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        v = np.where(ok, vals, 0.0).sum(axis=1) / m
                    out[f"{d}|{name}|{h}m"] = np.where(m >= 2, v, np.nan)
        return out

    return run


def trailing_geo_rows(s: np.ndarray, l_: np.ndarray, years: int) -> np.ndarray:
    """Row-wise trailing ``years``-year difference of geometric annual returns (as
    :func:`smallcap_bt.claims.templates.events._trailing_geo` for one row)."""
    n = 12 * years
    out = np.full(s.shape, np.nan)
    cs, cl = log_wealth_rows(s), log_wealth_rows(l_)
    out[:, n - 1 :] = np.expm1((cs[:, n:] - cs[:, :-n]) / years) - np.expm1(
        (cl[:, n:] - cl[:, :-n]) / years
    )
    return out


def forward_sums_rows(r: np.ndarray, h: int) -> np.ndarray:
    """``r[t+1] + ... + r[t+h]`` for every ``t`` along the last axis (NaN where it runs past
    the end; missing returns count as zero, as ``nancumsum``)."""
    from smallcap_bt.stats.predictive import _forward_sums

    y = np.full(r.shape, np.nan)
    y[:, : r.shape[1] - h] = _forward_sums(np.where(np.isnan(r), 0.0, r), h)
    return y


@builder("predictive_regression")
def _predictive(inp: TestInput, p: Any) -> Batch:
    _need(inp, *(f"{leg}.{d}" for d in p.definitions for leg in ("small", "large", "sml")))

    def run(draws: Resampled) -> dict[str, np.ndarray]:
        out = {}
        for d in p.definitions:
            s, l_, sml = np.broadcast_arrays(
                draws[f"small.{d}"], draws[f"large.{d}"], draws[f"sml.{d}"]
            )
            complete = not (np.isnan(s).any() or np.isnan(l_).any() or np.isnan(sml).any())
            fwd = {h: forward_sums_rows(sml, h) for h in p.horizons}
            for look in p.lookbacks:
                past = trailing_geo_rows(s, l_, look)
                for h in p.horizons:
                    if complete:  # the months where both are defined: no masks needed
                        rows = slice(12 * look - 1, sml.shape[1] - h)
                        slope = ols_rows(past[:, rows], fwd[h][:, rows])[1]
                    else:
                        slope = ols_rows(past, fwd[h])[1]
                    out[f"{d}|{look}y->{h}m"] = slope
        return out

    return run


def logit_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row-wise logit slope of 0/1 ``y`` on ``x`` (broadcast to ``(k, n)``) over the entries
    where both are finite, on the null simulations' Newton kernel
    (:func:`smallcap_bt.stats.predictive._logit_fit_nb`; NaN where a fit fails)."""
    from smallcap_bt.stats.predictive import _logit_fit_nb

    common = _common_rows(x, y)
    if common is not None:  # the same sample in every row: one kernel call
        xc, yc = common
        k = max(len(xc), len(yc))
        return _logit_fit_nb(np.broadcast_to(xc, (k, xc.shape[1])), yc, want_se=False)[1]
    x, y = np.broadcast_arrays(x, y)
    out = np.full(len(x), np.nan)
    for i in range(len(x)):  # rows with their own missing months: rare, one at a time
        ok = ~np.isnan(x[i]) & ~np.isnan(y[i])
        out[i] = _logit_fit_nb(x[i, ok][None, :], y[i, ok], want_se=False)[1][0]
    return out


@builder("leading_indicator")
def _leading_indicator(inp: TestInput, p: Any) -> Batch:
    from smallcap_bt.stats.predictive import event_within

    m = p.months
    _need(inp, *(f"{leg}.{d}" for d in p.definitions for leg in ("small", "large")))
    calm = (1 - event_within(inp.data.col("usrec"), m)).to_numpy(dtype=float)[None, :]
    fwd_ip = inp.data.col("ip_growth").shift(-m).to_numpy(dtype=float)[None, :]

    def run(draws: Resampled) -> dict[str, np.ndarray]:
        out = {}
        for d in p.definitions:
            s, l_ = np.broadcast_arrays(draws[f"small.{d}"], draws[f"large.{d}"])
            past = rolling_sum_rows(np.log1p(s), m) - rolling_sum_rows(np.log1p(l_), m)
            if "no-recession logit" in p.outcomes:
                out[f"{d}|no-recession logit"] = logit_rows(past, calm)
            if "IP growth OLS" in p.outcomes:
                out[f"{d}|IP growth OLS"] = ols_rows(past, fwd_ip)[1]
        return out

    return run


__all__ = [
    "BUILDERS",
    "Batch",
    "batch_for",
    "builder",
    "forward_sums_rows",
    "log_wealth_rows",
    "logit_rows",
    "nanmean_rows",
    "ols_rows",
    "rolling_sum_rows",
    "trailing_geo_rows",
]
