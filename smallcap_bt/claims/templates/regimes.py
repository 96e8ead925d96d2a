"""Regime templates: small minus large in months that follow a rate or curve regime, and its
sensitivity to rate changes. Regimes known at the end of month t condition month t+1."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smallcap_bt.claims.templates.base import (
    ARITH_UNITS,
    SpecOut,
    TemplateOutput,
    TestInput,
    mean_estimate,
    template,
)
from smallcap_bt.claims.templates.params import (
    Regime,
    RegimeParams,
    SensitivityParams,
)
from smallcap_bt.claims.templates.params import (
    Rule as Rule,
)
from smallcap_bt.stats.results import Estimate


def regime_dummy(inp: TestInput, r: Regime) -> pd.Series:
    """The regime indicator of ``r`` (1/0, NaN where unknown), known at each month end.

    Computed once per vintage and regime: regimes read macro series, which the joint test
    keeps on their calendar while it resamples returns.
    """
    inp.data.col(r.variable)  # declared-data check for every claim, before the memo
    return inp.data.vintage.memo(("regime", r), lambda: _dummy(inp, r))


def _dummy(inp: TestInput, r: Regime) -> pd.Series:
    from smallcap_bt.stats import regimes

    x = inp.data.col(r.variable)
    if r.rule == "rising":
        return regimes.rising(x, r.months)
    if r.rule == "falling":
        return 1 - regimes.rising(x, r.months)
    if r.rule == "above_median":
        # real time: the median of the months up to and including t (at least 5 years)
        thr = x.expanding(min_periods=60).median()
        return (x > thr).astype(float).where(x.notna() & thr.notna())
    if r.rule == "above_median_full_sample":
        return regimes.above(x)
    return regimes.easing(x)


@template("regime_mean")
def regime_mean(inp: TestInput, p: RegimeParams) -> TemplateOutput:
    """Mean small minus large (x 12, Newey-West) in the months after a regime month."""
    out = []
    for r in p.regimes:
        lagged = regime_dummy(inp, r).shift(p.lag)
        for d in p.definitions:
            sml = inp.data.col(f"sml.{d}")[lagged == 1]
            e = mean_estimate(
                sml, inp, label=f"mean small minus large after {r.name}", definition=d
            )
            out.append(SpecOut(f"{d}|{r.name}", e, {"definition": d, "regime": r.name}))
    return TemplateOutput(out)


@template("regime_difference")
def regime_difference(inp: TestInput, p: RegimeParams) -> TemplateOutput:
    """Mean small minus large after regime months minus after other months (x 12, HAC)."""
    from smallcap_bt.stats.regimes import regime_difference as diff

    out = []
    for r in p.regimes:
        dummy = regime_dummy(inp, r)
        for d in p.definitions:
            sml = inp.data.col(f"sml.{d}")
            if inp.inference:
                e = diff(sml, dummy, lag=p.lag, label=f"{r.name} minus otherwise", definition=d)
            else:
                lagged = dummy.shift(p.lag)
                v = (sml[lagged == 1].mean() - sml[lagged == 0].mean()) * 12
                e = Estimate(float(v), units=ARITH_UNITS, method="point", definition=d)
            out.append(SpecOut(f"{d}|{r.name}", e, {"definition": d, "regime": r.name}))
    return TemplateOutput(out)


@template("rate_sensitivity")
def rate_sensitivity(inp: TestInput, p: SensitivityParams) -> TemplateOutput:
    """Slope of monthly small minus large on the same month's change of a rate (HAC)."""
    from smallcap_bt.stats.regression import ols_hac

    out = []
    units = "decimal monthly return per percentage point change"
    for var in p.variables:
        dx = inp.data.col(var).diff().rename(f"d_{var}")
        for sample in p.samples:
            for d in p.definitions:
                y = inp.data.col(f"sml.{d}").rename("sml")
                if sample != "full":
                    y = y.loc[sample.rstrip("-") + "-01" if len(sample) == 5 else sample :]
                if inp.inference:
                    res = ols_hac(y, dx)
                    e = res.coef(
                        f"d_{var}", label=f"sml on change of {var}", units=units, definition=d
                    )
                else:
                    xv = dx.reindex(y.index).to_numpy(float)
                    yv = y.to_numpy(float)
                    ok = ~np.isnan(xv) & ~np.isnan(yv)
                    xd = xv[ok] - xv[ok].mean()
                    b = (xd @ (yv[ok] - yv[ok].mean())) / (xd @ xd)
                    e = Estimate(float(b), units=units, method="point", definition=d)
                out.append(
                    SpecOut(
                        f"{d}|d{var}|{sample}",
                        e,
                        {"definition": d, "variable": var, "sample": sample},
                    )
                )
    return TemplateOutput(out)
