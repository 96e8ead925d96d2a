"""Long-run templates: average premium, its stability, figure reproduction, risk, recent
premium against its history."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from smallcap_bt.claims.templates.base import (
    ARITH_UNITS,
    GEO_UNITS,
    SpecOut,
    TemplateOutput,
    TestInput,
    month,
    point_only,
    template,
    value_estimate,
)
from smallcap_bt.claims.templates.params import (
    FigureParams,
    HistoryParams,
    InstabilityParams,
    LongRunParams,
    RiskParams,
)
from smallcap_bt.stats.results import Estimate
from smallcap_bt.stats.returns import (
    annualised_geometric,
    annualised_volatility,
    calendar_year_returns,
    max_drawdown,
)


def ols_point(y: pd.Series, x: pd.DataFrame) -> pd.Series:
    """OLS coefficients (``const`` first) without inference: the joint test's fast path."""
    yv = y.to_numpy(dtype=float)
    xv = x.reindex(y.index).to_numpy(dtype=float)
    ok = ~np.isnan(yv) & ~np.isnan(xv).any(axis=1)
    design = np.column_stack([np.ones(int(ok.sum())), xv[ok]])
    beta, *_ = np.linalg.lstsq(design, yv[ok], rcond=None)
    return pd.Series(beta, index=["const", *x.columns])


@template("long_run_mean")
def long_run_mean(inp: TestInput, p: LongRunParams) -> TemplateOutput:
    """Mean small minus large (Newey-West) and its CAPM alpha over a long sample."""
    from smallcap_bt.stats.regression import factor_alpha

    sl = slice(month(p.start) if p.start else None, month(p.end) if p.end else None)
    for d in p.definitions:  # a window beyond the data is not testable, never cut short
        if p.end:
            inp.require(p.end, f"sml.{d}", why="the claim's end")
        if p.start:
            inp.require_start(p.start, f"sml.{d}")
    mkt = inp.data.col("mkt_rf").loc[sl]
    out = []
    for test in p.tests:
        for d in p.definitions:
            sml = inp.data.col(f"sml.{d}").loc[sl]
            if test == "mean":
                from smallcap_bt.claims.templates.base import mean_estimate

                e = mean_estimate(sml, inp, label="mean small minus large", definition=d)
                name = f"{d}|hac_mean"
            else:
                if inp.inference:
                    e = factor_alpha(sml, mkt.to_frame(), "capm", definition=d)
                else:
                    a = ols_point(sml, mkt.to_frame())["const"] * 12
                    e = Estimate(float(a), units=ARITH_UNITS, method="point", definition=d)
                name = f"{d}|capm_alpha"
            out.append(SpecOut(name, e, {"definition": d, "test": test}))
    return TemplateOutput(out)


@template("instability")
def instability(inp: TestInput, p: InstabilityParams) -> TemplateOutput:
    """Is the premium unstable? Mean after a break minus mean before (HAC, x 12).

    The direct test of a change: the difference of the two subperiod means with its interval
    (a dummy regression with Newey-West errors, i.e. a break test at a known date). Beside it,
    in ``extra``: both means and their p-values, and the dispersion of rolling premia.
    """
    from smallcap_bt.stats.regression import hac_mean, subperiod_difference

    out = []
    for brk in p.breaks:
        for d in p.definitions:
            sml = inp.data.col(f"sml.{d}").dropna()
            if inp.inference:
                e = subperiod_difference(sml, brk, definition=d)
                after = hac_mean(sml.loc[brk:])
                before_ = hac_mean(sml.loc[: month(brk) - 1])
                e.extra.update(
                    {
                        "mean_before": before_.value,
                        "p_before": before_.p_value,
                        "mean_after": after.value,
                        "p_after": after.p_value,
                    }
                )
            else:
                diff = (sml.loc[brk:].mean() - sml.loc[: month(brk) - 1].mean()) * 12
                e = Estimate(float(diff), units=ARITH_UNITS, method="point", definition=d)
            out.append(SpecOut(f"{d}|break {brk}", e, {"definition": d, "break_month": brk}))
    if not inp.inference:
        return TemplateOutput(out)
    from smallcap_bt.stats.streaks import rolling_relative

    d = p.details_definition
    rr = rolling_relative(inp.data.col(f"small.{d}"), inp.data.col(f"large.{d}"), p.rolling_years)
    rr = rr.dropna()
    details = pd.DataFrame({f"rolling_{p.rolling_years}y_{d}": rr})
    details.attrs["sign_changes"] = int((np.sign(rr).diff().abs() > 0).sum())
    details.attrs["rolling_sd"] = float(rr.std())
    notes = [
        f"rolling {p.rolling_years}-year geometric premium of {d}: sd {rr.std():.2%}, "
        f"{details.attrs['sign_changes']} sign changes since {rr.index[0]}"
    ]
    return TemplateOutput(out, details, notes)


@template("figure_reproduction")
def figure_reproduction(inp: TestInput, p: FigureParams) -> TemplateOutput:
    """A stated long-run average under every definition, averaging convention and end year.

    Conventions: monthly mean x 12 (arithmetic), geometric (difference of compound annual
    returns), calendar-year mean (mean of the calendar-year differences of compounded monthly
    returns; for SMB, of compounded monthly SMB), and the published annual SMB table.
    """
    from smallcap_bt.stats.regression import hac_mean

    out = []
    inp.require(f"{p.headline_end_year}-12", "sml.smb", why="the headline's last year")
    last = inp.last_month("sml.smb")
    for year in p.end_years:
        if last is None or last < month(f"{year}-12"):
            continue
        start, end = month(f"{p.start_year}-01"), month(f"{year}-12")
        span = (str(start), str(end))
        tag = f"{p.start_year}-{year}"
        for d in p.definitions:
            sml = inp.data.col(f"sml.{d}").loc[start:end]
            kw = {"definition": d, "end_year": year}
            if "monthly mean x 12" in p.conventions:
                e = hac_mean(sml, definition=d, label="arithmetic mean x 12")
                out.append(SpecOut(f"{d}|monthly mean x 12|{tag}", e, kw))
            if d == "smb":
                ys = (1 + sml).groupby(sml.index.year).prod() - 1
                diff = ys
            else:
                s = inp.data.col(f"small.{d}").loc[start:end]
                l_ = inp.data.col(f"large.{d}").loc[start:end]
                if "geometric" in p.conventions:
                    g = annualised_geometric(s) - annualised_geometric(l_)
                    ge = value_estimate(g, GEO_UNITS, "geometric annual difference", *span, len(s))
                    out.append(SpecOut(f"{d}|geometric|{tag}", replace(ge, definition=d), kw))
                diff = calendar_year_returns(s) - calendar_year_returns(l_)
            if "calendar-year mean" in p.conventions:
                e2 = hac_mean(
                    diff,
                    periods_per_year=1,
                    annualise=False,
                    lags=1,
                    definition=d,
                    label="mean of calendar-year differences",
                )
                units = "decimal per year, arithmetic mean of calendar-year differences"
                if d == "smb":
                    units = "decimal per year, arithmetic mean of calendar-year compounded SMB"
                out.append(SpecOut(f"{d}|calendar-year mean|{tag}", replace(e2, units=units), kw))
        if "annual table" in p.conventions:
            annual = inp.data.load("ff.factors.annual")["smb"]
            annual = annual[(annual.index.year >= p.start_year) & (annual.index.year <= year)]
            e3 = hac_mean(
                annual,
                periods_per_year=1,
                annualise=False,
                lags=1,
                definition="smb",
                label="mean of the published annual SMB",
            )
            units = "decimal per year, arithmetic mean of calendar-year SMB (annual table)"
            out.append(
                SpecOut(f"smb|annual table|{tag}", replace(e3, units=units), {"end_year": year})
            )
    return TemplateOutput(out)


@template("risk_comparison")
def risk_comparison(inp: TestInput, p: RiskParams) -> TemplateOutput:
    """Risk of small vs large, each oriented so that positive = small is riskier: volatility
    difference, how much deeper small's max drawdown is, and small's market beta minus 1."""
    from smallcap_bt.stats.regression import ols_hac

    out = []
    for d in p.definitions:
        s, l_ = inp.data.col(f"small.{d}").dropna(), inp.data.col(f"large.{d}").dropna()
        span = (str(s.index[0]), str(s.index[-1]), len(s))
        if "volatility" in p.measures:
            v = annualised_volatility(s) - annualised_volatility(l_)
            units = "decimal per year, annualised volatility difference (sd x sqrt 12)"
            e = value_estimate(v, units, "volatility small minus large", *span, definition=d)
            out.append(SpecOut(f"{d}|volatility", e, {"definition": d}))
        if "max drawdown" in p.measures:
            # oriented like the other measures: positive when small is riskier (deeper)
            dd = max_drawdown(l_) - max_drawdown(s)
            units = "decimal, how much deeper the max drawdown of small is than of large"
            e = value_estimate(dd, units, "max drawdown difference", *span, definition=d)
            out.append(SpecOut(f"{d}|max drawdown", e, {"definition": d}))
        if "beta" in p.measures:
            xs = (inp.data.col(f"small.{d}") - inp.data.col("rf")).rename("small_xs")
            res = ols_hac(xs, inp.data.col("mkt_rf"))
            b = res.coef("mkt_rf", label="market beta of small", units="beta", definition=d)
            # the claim is "beta above 1": report beta - 1 so that the sign is the claim's
            b = replace(
                b,
                value=b.value - 1,
                ci_low=b.ci_low - 1,
                ci_high=b.ci_high - 1,
                units="market beta of small minus 1",
            )
            out.append(SpecOut(f"{d}|beta", b, {"definition": d}))
    return TemplateOutput(out)


@template("window_vs_history")
def window_vs_history(inp: TestInput, p: HistoryParams) -> TemplateOutput:
    """Recent premium minus the premium before it, like with like: both arithmetic
    (monthly mean x 12) over the trailing window and over all months before it."""
    out = []
    last = inp.last_month("sml.tercile.vw" if "tercile.vw" in p.definitions else "sml.smb")
    end = min(last, month(p.end)) if last is not None else month(p.end)
    for years in p.years:
        start = end - 12 * years + 1
        for d in p.definitions:
            sml = inp.data.col(f"sml.{d}")
            recent, prior = sml.loc[start:end].dropna(), sml.loc[: start - 1].dropna()
            diff = (recent.mean() - prior.mean()) * 12
            e = Estimate(
                float(diff),
                n=len(recent),
                units=ARITH_UNITS + ": trailing window minus all earlier months",
                method="difference of two arithmetic means",
                start=str(recent.index[0]),
                end=str(recent.index[-1]),
                definition=d,
                label=f"{years}y premium minus earlier premium",
                extra={"recent_mean": recent.mean() * 12, "prior_mean": prior.mean() * 12},
            )
            if inp.inference:
                from smallcap_bt.stats.regression import subperiod_difference

                hac = subperiod_difference(sml.loc[:end].dropna(), str(start), definition=d)
                e = replace(
                    e,
                    ci_low=hac.ci_low,
                    ci_high=hac.ci_high,
                    p_value=hac.p_value,
                    method="difference of means, Newey-West (break dummy)",
                )
            else:
                e = point_only(e)
            out.append(SpecOut(f"{d}|{years}y", e, {"definition": d, "years": years}))
    return TemplateOutput(out)
