"""Events: Fed cuts since 1990, recoveries after NBER troughs, small caps as a barometer."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from smallcap_bt.claims.context import Context
from smallcap_bt.claims.library._helpers import INDEX_HEADLINE, INDEX_PROXY, LEG_DEFS, spec
from smallcap_bt.claims.model import Claim, Part
from smallcap_bt.claims.sources import src
from smallcap_bt.stats.events import cut_dates, event_study, nber_troughs
from smallcap_bt.stats.results import Estimate

_ME = ("ff.portfolios_me.monthly.vw", "ff.portfolios_me.monthly.ew", "ff.factors.monthly")


def fed_cut_dates(ctx: Context, since: str = "1990-01-01") -> dict[str, pd.DatetimeIndex]:
    """Cut dates of the context's vintage (see :func:`smallcap_bt.stats.events.cut_dates`)."""
    return cut_dates(ctx.target, since)


def fed_cuts(ctx: Context) -> list[Part]:
    p = ctx.panel
    g = ctx.generator("fed-cuts-since-1990")
    specs = []
    details = None
    for ev_name, dates in fed_cut_dates(ctx).items():
        for d in LEG_DEFS:
            es = event_study(
                p[f"small.{d}"],
                p[f"large.{d}"],
                dates,
                placebo_draws=ctx.draws,
                boot_draws=ctx.draws,
                seed=g,
                definition=d,
            )
            if d == INDEX_HEADLINE and ev_name == "every cut":
                details = es.events
            for h, e in es.estimates.items():
                specs.append(
                    spec(
                        f"{d}|{ev_name}|{h}m",
                        e,
                        e.value > 0,
                        definition=d,
                        events=ev_name,
                        horizon=h,
                    )
                )
    return [
        Part(
            "main",
            "Since 1990, small beat large on average 1, 3, 6, 12 and 24 months after Fed cuts.",
            specs,
            f"{INDEX_HEADLINE}|every cut|12m",
            "'after the Fed has cut rates' = every cut; 12 months is the middle of the "
            "claimed horizons (all five are specifications)",
            details=details,
        )
    ]


def recovery(ctx: Context) -> list[Part]:
    p = ctx.panel
    g = ctx.generator("recovery-after-recession")
    troughs = nber_troughs(p["usrec"])
    dates = troughs.to_timestamp()
    specs = []
    details = None
    for d in LEG_DEFS:
        es = event_study(
            p[f"small.{d}"],
            p[f"large.{d}"],
            dates,
            horizons=(12, 24, 36),
            placebo_draws=ctx.draws,
            boot_draws=ctx.draws,
            seed=g,
            definition=d,
        )
        if d == INDEX_HEADLINE:
            details = es.events
        for h, e in es.estimates.items():
            specs.append(spec(f"{d}|{h}m", e, e.value > 0, definition=d, horizon=h))
    return [
        Part(
            "main",
            "Small beat large in the 12-36 months after NBER troughs.",
            specs,
            f"{INDEX_HEADLINE}|12m",
            "the first year of a recovery; NBER announces "
            "troughs months later, so this is a historical, not a tradable, statement",
            details=details,
        )
    ]


def barometer(ctx: Context) -> list[Part]:
    import statsmodels.api as sm

    p = ctx.panel
    specs = []
    rec_ahead = p["usrec"].rolling(12).max().shift(-12)  # recession in the next 12 months
    ip_ahead = p["ip_growth"].shift(-12)  # IP growth over the next 12 months
    for d in LEG_DEFS:
        past = (
            np.log1p(p[f"small.{d}"]).rolling(12).sum()
            - np.log1p(p[f"large.{d}"]).rolling(12).sum()
        )
        data = pd.concat([rec_ahead.rename("y"), past.rename("x")], axis=1).dropna()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.Logit(data["y"], sm.add_constant(data["x"])).fit(
                disp=0, cov_type="HAC", cov_kwds={"maxlags": 12}
            )
        lo, hi = fit.conf_int().loc["x"]
        e = Estimate(
            float(fit.params["x"]),
            float(lo),
            float(hi),
            float(fit.pvalues["x"]),
            int(fit.nobs),
            "logit coefficient per unit of trailing 12m log relative return",
            "logit, HAC (12 lags)",
            str(data.index[0]),
            str(data.index[-1]),
            d,
            "recession within 12m on trailing relative",
        )
        specs.append(spec(f"{d}|recession logit", e, e.value < 0, definition=d))
        from smallcap_bt.stats.regression import ols_hac

        res = ols_hac(ip_ahead.rename("ip"), past.rename("x"), lags=12)
        e2 = res.coef(
            "x",
            label="next-12m IP growth on trailing relative",
            units="percent IP growth per unit of log relative return",
            definition=d,
        )
        specs.append(spec(f"{d}|IP growth OLS", e2, e2.value > 0, definition=d))
    return [
        Part(
            "main",
            "Weak small-cap relative returns precede recessions and weak industrial production.",
            specs,
            f"{INDEX_HEADLINE}|recession logit",
            "'barometer for the future of the economy' = predicts recessions",
        )
    ]


CLAIMS = [
    Claim(
        "fed-cuts-since-1990",
        src("001"),
        "Since 1990, US small-caps have outperformed "
        "large-caps on average in the one, three, six, twelve, and twenty-four months after "
        "the US Federal Reserve (Fed) has cut rates",
        "2025-12-10",
        "Mean small-minus-large after Fed cuts since 1990 is positive at 1-24 months.",
        (*_ME, "fred.DFEDTAR", "fred.DFEDTARU", "fred.DFEDTARL"),
        "proxy",
        "event study on cut dates from DFEDTAR/DFEDTARU (effective dates; windows start the "
        "month after): every cut and first cut of each easing cycle; horizons 1-24 months; "
        "episode bootstrap interval and random-date placebo",
        fed_cuts,
        proxy=INDEX_PROXY,
        family="events",
    ),
    Claim(
        "recovery-after-recession",
        src("001", "003"),
        "Small-caps have also outperformed "
        "in times of economic recovery, particularly after a period of recession",
        "2025-12-10",
        "Small beat large in the 12-36 months after NBER troughs.",
        (*_ME, "fred.USREC"),
        "close",
        "event study after each NBER trough (USREC), "
        "12/24/36 months, placebo and episode bootstrap",
        recovery,
        family="events",
    ),
    Claim(
        "economic-barometer",
        src("001"),
        "performance of small-cap stocks is often seen as "
        "a barometer for the future of the economy",
        "2025-12-10",
        "Trailing small-minus-large predicts recessions and IP growth.",
        (*_ME, "fred.USREC", "fred.INDPRO"),
        "close",
        "logit of a recession within 12 "
        "months and OLS of next-12m IP growth on trailing 12m relative return (HAC)",
        barometer,
        family="events",
    ),
]
