"""Rates and the curve: small minus large conditional on rate regimes and rate changes.

Regimes are measured at the end of month t and applied to returns of month t+1 (lag 1).
"""

from __future__ import annotations

from smallcap_bt.claims.context import Context
from smallcap_bt.claims.library._helpers import ALL_DEFS, INDEX_HEADLINE, spec
from smallcap_bt.claims.model import Claim, Part
from smallcap_bt.claims.sources import src
from smallcap_bt.stats.regimes import above, easing, regime_difference, rising
from smallcap_bt.stats.regression import hac_mean, ols_hac

_DATA = (
    "ff.portfolios_me.monthly.vw",
    "ff.portfolios_me.monthly.ew",
    "ff.factors.monthly",
    "fred.FEDFUNDS",
    "fred.TB3MS",
    "fred.GS10",
    "fred.DFEDTAR",
    "fred.DFEDTARU",
    "fred.DFEDTARL",
    "fred.T10Y3M",
)


def _regime_specs(p, regimes: dict) -> list:
    """Regime-1-minus-regime-0 small minus large (lagged dummy, HAC) for every definition;
    a specification agrees when the difference is positive."""
    specs = []
    for rname, dummy in regimes.items():
        for d in ALL_DEFS:
            e = regime_difference(
                p[f"sml.{d}"], dummy, label=f"{rname} minus otherwise", definition=d
            )
            specs.append(spec(f"{d}|{rname}", e, e.value > 0, definition=d, regime=rname))
    return specs


def not_required(ctx: Context) -> list[Part]:
    """Outperformance also happens when rates are not low / not falling."""
    p = ctx.panel
    regimes = {
        "fed funds rising 12m": rising(p["fedfunds"]),
        "T-bill rising 12m": rising(p["tbill"]),
        "T-bill above median": above(p["tbill"]),
        "fed funds above median": above(p["fedfunds"]),
    }
    specs = []
    for rname, dummy in regimes.items():
        lagged = dummy.shift(1)
        for d in ALL_DEFS:
            sml = p[f"sml.{d}"][lagged == 1]
            e = hac_mean(sml, label=f"mean small minus large when {rname}", definition=d)
            specs.append(spec(f"{d}|{rname}", e, e.value > 0, definition=d, regime=rname))
    return [
        Part(
            "main",
            "Small caps beat large caps on average in months that follow rising or high rates.",
            specs,
            f"{INDEX_HEADLINE}|T-bill rising 12m",
            "'lower interest rates' read as falling rates; the T-bill has the longest "
            "history (1934-)",
        )
    ]


def easing_tailwind(ctx: Context) -> list[Part]:
    p = ctx.panel
    regimes = {
        "easing (last target move a cut)": easing(p["target_change"]),
        "fed funds falling 12m": 1 - rising(p["fedfunds"]),
        "T-bill falling 12m": 1 - rising(p["tbill"]),
    }
    specs = _regime_specs(p, regimes)
    return [
        Part(
            "main",
            "Small minus large is higher in easing than in tightening regimes.",
            specs,
            f"{INDEX_HEADLINE}|easing (last target move a cut)",
            "the target path is what 'rate easing' means",
        )
    ]


def floating_rate(ctx: Context) -> list[Part]:
    p = ctx.panel
    specs = []
    for var in ("tbill", "fedfunds", "gs10"):
        dx = p[var].diff().rename(f"d_{var}")
        for sample in ("full", "1990-"):
            for d in ALL_DEFS:
                y = p[f"sml.{d}"]
                if sample != "full":
                    y = y.loc["1990-01":]
                res = ols_hac(y.rename("sml"), dx)
                e = res.coef(
                    f"d_{var}",
                    label=f"sml on monthly change of {var}",
                    units="decimal monthly return per percentage point change",
                    definition=d,
                )
                specs.append(
                    spec(
                        f"{d}|d{var}|{sample}",
                        e,
                        e.value < 0,
                        definition=d,
                        variable=var,
                        sample=sample,
                    )
                )
    return [
        Part(
            "main",
            "Small minus large falls when rates rise (same month): a negative "
            "sensitivity to rate changes.",
            specs,
            f"{INDEX_HEADLINE}|dtbill|1990-",
            "short rates drive floating-rate costs; since 1990 is the modern era",
        )
    ]


def steep_curve(ctx: Context) -> list[Part]:
    p = ctx.panel
    regimes = {
        "10y-3m above median": above(p["slope_10y3m"]),
        "10y-3m steepening 12m": rising(p["slope_10y3m"]),
        "T10Y3M above median": above(p["t10y3m"]),
        "10y-3m steepening 3m": rising(p["slope_10y3m"], 3),
    }
    specs = _regime_specs(p, regimes)
    return [
        Part(
            "main",
            "Small minus large is higher when the curve is steep or steepening.",
            specs,
            f"{INDEX_HEADLINE}|10y-3m steepening 12m",
            "'steepened the yield curve' is a change",
        )
    ]


CLAIMS = [
    Claim(
        "rates-not-required",
        src("000"),
        "there's a common belief that small caps need "
        "lower interest rates to outperform … history would tell you that that is not the "
        "case",
        "2025-12-01",
        "Small beat large on average after rising or high rates.",
        _DATA,
        "close",
        "HAC mean of small minus large in months after rising (12m) or above-median rates",
        not_required,
        family="rates",
    ),
    Claim(
        "easing-tailwind",
        src("001", "003"),
        "lower interest rates – typically create a tailwind for small-caps",
        "2025-12-10",
        "Small minus large is higher in easing regimes.",
        _DATA,
        "close",
        "HAC regression of small minus large on an easing dummy (lagged one month)",
        easing_tailwind,
        family="rates",
    ),
    Claim(
        "floating-rate-sensitivity",
        src("003", "004"),
        "small-cap companies, which often "
        "rely on floating-rate debt / acutely sensitive to falling interest expenses",
        "2026-01-12",
        "Small minus large falls when short rates rise.",
        _DATA,
        "proxy",
        "HAC regression of monthly small minus large on monthly rate changes (T-bill, fed "
        "funds, 10y), full sample and since 1990",
        floating_rate,
        proxy="return sensitivity stands in for interest-expense sensitivity",
        family="rates",
    ),
    Claim(
        "steep-curve-helps",
        src("004"),
        "lowered the terminal rate and steepened the yield "
        "curve, which typically benefits smaller companies",
        "2026-01-15",
        "Small minus large is higher when the curve is steep or steepening.",
        _DATA,
        "close",
        "HAC regression on curve-slope regime dummies (level and change; lagged)",
        steep_curve,
        family="rates",
    ),
]
