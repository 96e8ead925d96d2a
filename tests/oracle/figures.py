"""Headline figures of every testable claim, recomputed from the raw snapshot files.

One function per claim (vintage 202602), written from the claim's definition, not from the
library's code, and importing nothing from ``smallcap_bt``. Each returns a plain ``float`` in the
units the library reports (decimal returns, percentage points for rates, ranks, ratios).
Below them, the referee's figures of issue 10 (calendar-year SMB, best rolling 10-year
window, relative-drawdown spell, Fed-cut event and episode means) as reusable functions.

Conventions (the library's documented ones): returns are decimal per month; "geometric"
= ``prod(1+r)^(12/n) - 1`` per leg, difference of the two legs; "cumulative" = compounded
small minus compounded large over the window; "arithmetic" = mean monthly difference x 12.
A regime known at the end of month t conditions month t+1. Event windows start in the month
after the month of the event's (effective) date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tests.oracle import raw

HEADLINE = "tercile.vw"

# ---------------------------------------------------------------------------- building blocks


def _m(p: str) -> pd.Period:
    return pd.Period(p, freq="M")


def geometric(r: pd.Series) -> float:
    """Compound annual return ``prod(1+r)^(12/n) - 1`` of monthly decimal returns."""
    r = r.dropna()
    return float(np.prod(1.0 + r.to_numpy()) ** (12.0 / len(r)) - 1.0)


def compounded(r: pd.Series) -> float:
    """``prod(1+r) - 1``."""
    return float(np.prod(1.0 + r.to_numpy()) - 1.0)


def leg_window(definition: str, start: str, end: str) -> tuple[pd.Series, pd.Series]:
    """Small and large legs over ``start..end`` inclusive (months)."""
    s, lg = raw.legs(definition)
    return s.loc[_m(start) : _m(end)], lg.loc[_m(start) : _m(end)]


def geometric_difference(definition: str, start: str, end: str) -> float:
    """Geometric annual return of small minus that of large over a window, decimal per year."""
    s, lg = leg_window(definition, start, end)
    return geometric(s) - geometric(lg)


def cumulative_difference(definition: str, start: str, end: str) -> float:
    """Compounded small minus compounded large over a window, decimal."""
    s, lg = leg_window(definition, start, end)
    return compounded(s) - compounded(lg)


def sml(definition: str) -> pd.Series:
    """Monthly small minus large (``Lo - Hi`` of the size table, or SMB), decimal."""
    if definition == "smb":
        return raw.smb().dropna()
    s, lg = raw.legs(definition)
    return (s - lg).rename("sml")


def trailing_geometric_difference(definition: str, years: int) -> pd.Series:
    """Trailing ``years``-year geometric small minus geometric large, at each month end."""
    s, lg = raw.legs(definition)
    n = 12 * years
    gs = (1 + s).rolling(n).apply(np.prod, raw=True) ** (1 / years) - 1
    gl = (1 + lg).rolling(n).apply(np.prod, raw=True) ** (1 / years) - 1
    return (gs - gl).dropna()


def ols_slope(y: pd.Series, x: pd.Series) -> float:
    """Slope of an OLS regression of ``y`` on a constant and ``x`` (rows where both exist)."""
    d = pd.concat([y.rename("y"), x.rename("x")], axis=1).dropna()
    xc = d["x"] - d["x"].mean()
    return float((xc * (d["y"] - d["y"].mean())).sum() / (xc * xc).sum())


def target_daily() -> pd.Series:
    """Daily fed funds target, percent: DFEDTAR while it exists, then the range's midpoint."""
    old = raw.fred("DFEDTAR")
    mid = (raw.fred("DFEDTARU") + raw.fred("DFEDTARL")) / 2
    return pd.concat([old, mid[mid.index > old.index[-1]]]).dropna()


def fed_cuts(since: str = "1990-01-01") -> pd.DatetimeIndex:
    """Effective dates of every target cut on or after ``since`` (target below the day before).

    Before 2008-12-16 the point target DFEDTAR; after, the upper bound DFEDTARU (the range
    moves as a whole, so its upper bound and its midpoint change on the same days); the switch
    day 2008-12-16 (1.00% to 0-0.25%) is a cut.
    """
    old = raw.fred("DFEDTAR")
    up = raw.fred("DFEDTARU")
    ch_old = old.diff()
    ch_up = up.diff()
    dates = list(ch_old.index[ch_old < 0]) + list(ch_up.index[ch_up < 0])
    if up.iloc[0] < old.iloc[-1]:
        dates.append(up.index[0])
    out = pd.DatetimeIndex(sorted(set(dates)))
    return out[out >= pd.Timestamp(since)]


def event_windows(dates: pd.DatetimeIndex, horizon: int, definition: str = HEADLINE) -> pd.Series:
    """Cumulative relative return over ``horizon`` months starting the month after each event.

    Events whose window runs past the data are dropped. Index: the event dates.
    """
    s, lg = raw.legs(definition)
    out = {}
    for d in dates:
        first = pd.Timestamp(d).to_period("M") + 1
        last = first + horizon - 1
        if first < s.index[0] or last > s.index[-1]:
            continue
        out[pd.Timestamp(d)] = compounded(s.loc[first:last]) - compounded(lg.loc[first:last])
    return pd.Series(out, dtype=float)


def logit_slope(y: np.ndarray, x: np.ndarray, iters: int = 50) -> float:
    """Maximum-likelihood slope of ``P(y=1) = 1/(1+exp(-(a+bx)))`` by Newton-Raphson."""
    X = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    for _ in range(iters):
        p = 1 / (1 + np.exp(-X @ beta))
        grad = X.T @ (y - p)
        hess = X.T @ (X * (p * (1 - p))[:, None])
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-12:
            break
    return float(beta[1])


def run_lengths(flag: pd.Series) -> list[tuple[pd.Period, int, bool]]:
    """Maximal runs of True: (start, months, ongoing at the last month)."""
    out = []
    start, n = None, 0
    for i, (k, v) in enumerate(flag.items()):
        if v:
            if start is None:
                start, n = k, 0
            n += 1
        elif start is not None:
            out.append((start, n, False))
            start = None
        if i == len(flag) - 1 and start is not None:
            out.append((start, n, True))
    return out


# ---------------------------------------------------------------------------- claims (202602)


def size_premium_long_run() -> float:
    """Mean monthly SMB over the whole file (1926-07..2026-02) x 12, decimal per year."""
    return float(raw.smb().mean() * 12)


def size_premium_inconsistent() -> float:
    """Mean SMB from 1993-01 minus mean SMB before, x 12 (decimal per year)."""
    s = raw.smb()
    return float((s.loc[_m("1993-01") :].mean() - s.loc[: _m("1992-12")].mean()) * 12)


def since_1927_285pct(last_year: int = 2025) -> float:
    """Mean of the published annual SMB, 1927..``last_year``, decimal per year."""
    a = raw.factors_annual()["SMB"]
    return float(a.loc[1927:last_year].mean() / 100)


def more_volatile() -> float:
    """sd(small) x sqrt 12 minus sd(large) x sqrt 12 (tercile.vw, full sample, ddof 1)."""
    s, lg = raw.legs(HEADLINE)
    return float((s.std(ddof=1) - lg.std(ddof=1)) * math.sqrt(12))


def premium_suppressed_decade() -> float:
    """Geometric small minus geometric large over 2016-01..2025-12 (tercile.vw)."""
    return geometric_difference(HEADLINE, "2016-01", "2025-12")


def decade_geometric(definition: str = HEADLINE, leg: str = "small") -> pd.Series:
    """Geometric annual return per complete calendar decade from the 1930s (index: 1930...)."""
    s, lg = raw.legs(definition)
    out = {}
    for dec in range(1930, 2030, 10):
        ws = s.loc[_m(f"{dec}-01") : _m(f"{dec + 9}-12")]
        wl = lg.loc[_m(f"{dec}-01") : _m(f"{dec + 9}-12")]
        if len(ws) != 120:
            continue
        out[dec] = geometric(ws) if leg == "small" else geometric(ws) - geometric(wl)
    return pd.Series(out)


def best_decade_1970s() -> float:
    """Rank (1 = best) of the 1970s among complete decades by small-cap geometric return."""
    d = decade_geometric(HEADLINE, "small")
    return float(1 + (d > d.loc[1970]).sum())


def seventies_high_rates() -> float:
    """1970s mean of 12-month CPI inflation minus the mean of the other complete decades' means.

    Percentage points; decades from the 1930s with 120 monthly values (1950s-2010s here).
    """
    cpi = raw.fred("CPIAUCSL")
    cpi.index = cpi.index.to_period("M")
    yoy = (cpi / cpi.shift(12) - 1).dropna() * 100
    means = {}
    for dec in range(1930, 2030, 10):
        w = yoy.loc[_m(f"{dec}-01") : _m(f"{dec + 9}-12")]
        if len(w) == 120:
            means[dec] = w.mean()
    others = [v for k, v in means.items() if k != 1970]
    return float(means[1970] - np.mean(others))


def two_thousands_rates() -> float:
    """FEDFUNDS in Dec 2009 minus Jan 2000, percentage points."""
    ff = raw.fred_monthly("FEDFUNDS")
    return float(ff.loc[_m("2009-12")] - ff.loc[_m("2000-01")])


def two_thousands_relative() -> float:
    """Geometric small minus large over 2000-01..2009-12 (tercile.vw)."""
    return geometric_difference(HEADLINE, "2000-01", "2009-12")


def rates_not_required() -> float:
    """Mean tercile.vw small minus large in months after the T-bill (TB3MS) rose over 12
    months (known at the end of the previous month), x 12."""
    tb = raw.fred_monthly("TB3MS")
    rose = (tb - tb.shift(12)).dropna() > 0
    after = rose[rose].index + 1
    x = sml(HEADLINE)
    return float(x.loc[x.index.isin(after)].mean() * 12)


def _target_monthly() -> pd.Series:
    t = target_daily()
    m = t.groupby(t.index.to_period("M")).last()
    return m.reindex(pd.period_range(m.index[0], m.index[-1], freq="M")).ffill()


def easing_tailwind() -> float:
    """Mean small minus large in months after an easing regime minus after a tightening one,
    x 12. Easing at month t: the last month-end target change up to t was a cut."""
    ch = _target_monthly().diff()
    last = ch.where(ch.abs() > 1e-9).ffill().dropna()
    regime = (last < 0).astype(float)
    regime.index = regime.index + 1  # known at t, applied to t+1
    x = sml(HEADLINE)
    d = pd.concat([x.rename("x"), regime.rename("r")], axis=1).dropna()
    return float((d.loc[d.r == 1, "x"].mean() - d.loc[d.r == 0, "x"].mean()) * 12)


def floating_rate_sensitivity() -> float:
    """OLS slope of monthly small minus large (1990-01 on) on the same month's change of
    TB3MS; decimal monthly return per percentage point."""
    tb = raw.fred_monthly("TB3MS")
    return ols_slope(sml(HEADLINE).loc[_m("1990-01") :], tb.diff())


def steep_curve_helps() -> float:
    """Mean small minus large after months when GS10 - TB3MS rose over 12 months, minus after
    months when it did not, x 12."""
    slope = raw.fred_monthly("GS10") - raw.fred_monthly("TB3MS")
    ch = (slope - slope.shift(12)).dropna()
    regime = (ch > 0).astype(float)
    regime.index = regime.index + 1
    x = sml(HEADLINE)
    d = pd.concat([x.rename("x"), regime.rename("r")], axis=1).dropna()
    return float((d.loc[d.r == 1, "x"].mean() - d.loc[d.r == 0, "x"].mean()) * 12)


def fed_cuts_since_1990(horizon: int = 12) -> float:
    """Mean over every cut since 1990 of the ``horizon``-month relative return (event-weighted)."""
    return float(event_windows(fed_cuts("1990-01-01"), horizon).mean())


def nber_troughs() -> pd.PeriodIndex:
    """Trough months from USREC: last month of each recession (1 followed by 0)."""
    u = raw.fred("USREC")
    u.index = u.index.to_period("M")
    ends = (u == 1) & (u.shift(-1) == 0)
    return pd.PeriodIndex(u.index[ends.to_numpy()], freq="M")


def recovery_after_recession(horizon: int = 12) -> float:
    """Mean relative return over ``horizon`` months after NBER troughs (from the month after)."""
    dates = nber_troughs().to_timestamp()
    return float(event_windows(pd.DatetimeIndex(dates), horizon).mean())


def economic_barometer() -> float:
    """Logit slope of 'a recession month within t+1..t+12' on the trailing 12-month log return
    of small minus that of large (tercile.vw).

    The outcome window must lie inside the return data (to 2026-02): USREC's months after the
    French file ends (to 2026-06 in this snapshot) are not used, so n = 1,173 (1927-06..2025-02).
    """
    s, lg = raw.legs(HEADLINE)
    u = raw.fred("USREC")
    u.index = u.index.to_period("M")
    rec = u.reindex(s.index).to_numpy(float)  # NaN before USREC's first month: none here
    past = np.log1p(s).rolling(12).sum() - np.log1p(lg).rolling(12).sum()
    n = len(rec)
    ahead = pd.Series(
        [rec[i + 1 : i + 13].max() if i + 12 < n else np.nan for i in range(n)], index=s.index
    )
    d = pd.concat([ahead.rename("y"), past.rename("x")], axis=1).dropna()
    return logit_slope(d["y"].to_numpy(float), d["x"].to_numpy(float))


def underperformed_14_years() -> float:
    """Geometric small minus large over the 14 years to Nov 2025 (2011-12..2025-11)."""
    return geometric_difference(HEADLINE, "2011-12", "2025-11")


def equal_since_mid_2025() -> float:
    """Cumulative small minus large 2025-07..2025-11."""
    return cumulative_difference(HEADLINE, "2025-07", "2025-11")


def six_months_5pct() -> float:
    """Cumulative small minus large over the six months 2025-06..2025-11."""
    return cumulative_difference(HEADLINE, "2025-06", "2025-11")


def august_2025_level() -> float:
    """Small-cap (Lo 30, value-weighted) return in August 2025, decimal."""
    return float(raw.legs(HEADLINE)[0].loc[_m("2025-08")])


def august_2025_rank() -> float:
    """Rank (1 = best) of Aug 2025 small minus large among the 12 months 2024-12..2025-11."""
    x = sml(HEADLINE).loc[_m("2024-12") : _m("2025-11")]
    return float(1 + (x > x.loc[_m("2025-08")]).sum())


def since_late_2022() -> float:
    """Cumulative small minus large 2022-10..2025-11."""
    return cumulative_difference(HEADLINE, "2022-10", "2025-11")


def ytd_jan_2026_level() -> float:
    """Small-cap return in January 2026."""
    return float(raw.legs(HEADLINE)[0].loc[_m("2026-01")])


def ytd_jan_2026_relative() -> float:
    """Small minus large in January 2026."""
    return float(sml(HEADLINE).loc[_m("2026-01")])


def post_gfc_three_years() -> float:
    """Cumulative small minus large over the 36 months 2009-03..2012-02."""
    return cumulative_difference(HEADLINE, "2009-03", "2012-02")


def pandemic_early() -> float:
    """Cumulative small minus large 2020-02..2020-04."""
    return cumulative_difference(HEADLINE, "2020-02", "2020-04")


def pandemic_2007_2013() -> float:
    """Geometric small minus large 2007-01..2013-12."""
    return geometric_difference(HEADLINE, "2007-01", "2013-12")


def fifteen_year_streak() -> float:
    """Rank (1 = longest) of the ongoing run of negative trailing 15-year geometric relative
    returns among all such runs (ties share the better rank)."""
    runs = run_lengths(trailing_geometric_difference(HEADLINE, 15) < 0)
    current = [n for _, n, ongoing in runs if ongoing]
    if not current:
        return float(len(runs) + 1)
    return float(1 + sum(n > current[0] for _, n, _ in runs))


def trend_will_shift() -> float:
    """OLS slope of the next 60 months' summed small minus large on the trailing 15-year
    geometric relative return known at month end."""
    x = sml(HEADLINE)
    fwd = pd.Series(
        [x.iloc[i + 1 : i + 61].sum() if i + 60 < len(x) else np.nan for i in range(len(x))],
        index=x.index,
    )
    return ols_slope(fwd, trailing_geometric_difference(HEADLINE, 15))


def staged_entry() -> float:
    """sd of 36-month staged-entry outcomes / sd of lump-sum outcomes - 1.

    At every month t whose trailing 10-year geometric relative return is negative: lump =
    compounded small over t+1..t+36; staged = compounded ``w_k small + (1-w_k) large`` with
    ``w_k = min(k/6, 1)`` in the k-th month. Only windows inside the data.
    """
    s, lg = raw.legs(HEADLINE)
    rr = trailing_geometric_difference(HEADLINE, 10)
    w = np.minimum(np.arange(1, 37) / 6, 1.0)
    pos = {k: i for i, k in enumerate(s.index)}
    lump, stg = [], []
    for t in rr.index[rr < 0]:
        i = pos[t]
        if i + 36 >= len(s):
            continue
        ws, wl = s.iloc[i + 1 : i + 37].to_numpy(), lg.iloc[i + 1 : i + 37].to_numpy()
        lump.append(np.prod(1 + ws) - 1)
        stg.append(np.prod(1 + w * ws + (1 - w) * wl) - 1)
    return float(np.std(stg, ddof=1) / np.std(lump, ddof=1) - 1)


def relative_beme() -> pd.Series:
    """Aggregate BE/ME of the three small 2x3 portfolios over that of the three big ones,
    weighted by total market equity (average cap x number of firms)."""
    name = "6_Portfolios_2x3"
    beme = raw.french_table(name, "/ ME(Dec t-1)]")
    cap = raw.french_table(name, "Average Market Cap")
    firms = raw.french_table(name, "Number of Firms in Portfolios")
    me = cap * firms

    def agg(cols: list[str]) -> pd.Series:
        return (beme[cols] * me[cols]).sum(axis=1, min_count=3) / me[cols].sum(axis=1, min_count=3)

    return (
        agg(["SMALL LoBM", "ME1 BM2", "SMALL HiBM"]) / agg(["BIG LoBM", "ME2 BM2", "BIG HiBM"])
    ).dropna()


def cheap_relative_to_large() -> float:
    """Share of months since 1926-07 whose relative BE/ME is at or below the latest one."""
    rel = relative_beme()
    return float((rel <= rel.iloc[-1]).mean())


def ai_margin_arithmetic() -> float:
    """Earnings growth at constant revenue when a 6% margin gains 200 bp: 8/6 - 1."""
    return 0.08 / 0.06 - 1


# ---------------------------------------------------------------------------- referee (issue 10)


def calendar_year_smb_annual_table(first: int = 1927, last: int = 2023) -> float:
    """Mean of the published annual SMB (January-December table), decimal per year."""
    return (
        since_1927_285pct(last)
        if first == 1927
        else float(raw.factors_annual()["SMB"].loc[first:last].mean() / 100)
    )


def calendar_year_smb_compounded(first: int = 1927, last: int = 2023) -> float:
    """Mean over calendar years of compounded monthly SMB, ``prod(1+SMB_m) - 1``."""
    s = raw.smb()
    years = [compounded(s.loc[_m(f"{y}-01") : _m(f"{y}-12")]) for y in range(first, last + 1)]
    return float(np.mean(years))


@dataclass(frozen=True)
class Window:
    """The best rolling window: first month, last month, value."""

    start: pd.Period
    end: pd.Period
    value: float


def best_rolling_window(
    measure: str, definition: str = HEADLINE, years: int = 10, leg: str = "sml"
) -> Window:
    """Best rolling ``years``-year window of small minus large (``leg="sml"``) or of small.

    ``measure``: ``"geometric"`` (difference of compound annual returns; for ``small`` its
    compound annual return), ``"cumulative"`` (compounded small minus compounded large) or
    ``"arithmetic"`` (mean monthly difference x 12).
    """
    s, lg = raw.legs(definition)
    n = 12 * years
    ps = (1 + s).rolling(n).apply(np.prod, raw=True)
    pl = (1 + lg).rolling(n).apply(np.prod, raw=True)
    if leg == "small":
        val = {"geometric": ps ** (1 / years) - 1, "cumulative": ps - 1}.get(
            measure, s.rolling(n).mean() * 12
        )
    elif measure == "geometric":
        val = (ps ** (1 / years) - 1) - (pl ** (1 / years) - 1)
    elif measure == "cumulative":
        val = ps - pl
    else:
        val = (s - lg).rolling(n).mean() * 12
    val = val.dropna()
    end = val.idxmax()
    return Window(end - n + 1, end, float(val.max()))


@dataclass(frozen=True)
class Drawdown:
    """Current spell of relative wealth below its running peak."""

    peak: pd.Period
    months: int
    depth: float
    trough: pd.Period


def current_relative_drawdown(definition: str = HEADLINE) -> Drawdown:
    """Relative wealth ``prod(1+small)/prod(1+large)``; the ongoing spell below its running
    peak: the peak month, months since it (to the last month), the deepest fall (decimal)."""
    s, lg = raw.legs(definition)
    w = (1 + s).cumprod() / (1 + lg).cumprod()
    at_peak = w >= w.cummax()
    peak = w.index[at_peak.to_numpy()][-1]
    after = w.loc[peak + 1 :]
    dd = after / w.loc[peak] - 1
    return Drawdown(peak, len(after), float(dd.min()), dd.idxmin())


@dataclass(frozen=True)
class CutStudy:
    """Fed cuts since 1990 at one horizon: events, event-weighted and episode-weighted means."""

    events: pd.Series
    episodes: list[pd.Series]
    event_mean: float
    episode_mean: float
    negative_episodes: int


def fed_cut_episodes(horizon: int = 12, since: str = "1990-01-01") -> CutStudy:
    """Every cut since 1990, grouped into episodes of overlapping windows.

    A new episode starts when an event's window starts ``horizon`` months or more after the
    previous event's window start (windows no longer overlap). Episode-weighted mean = mean of
    the episodes' mean relative returns.
    """
    ev = event_windows(fed_cuts(since), horizon)
    starts = [pd.Timestamp(d).to_period("M") + 1 for d in ev.index]
    groups: list[list[int]] = []
    for i, st in enumerate(starts):
        if groups and (st - starts[groups[-1][-1]]).n < horizon:
            groups[-1].append(i)
        else:
            groups.append([i])
    eps = [ev.iloc[g] for g in groups]
    means = [float(e.mean()) for e in eps]
    return CutStudy(ev, eps, float(ev.mean()), float(np.mean(means)), sum(m < 0 for m in means))


def fed_hikes(since: str = "1990-01-01") -> pd.DatetimeIndex:
    """Effective dates of every target hike on or after ``since`` (as :func:`fed_cuts`)."""
    old, up = raw.fred("DFEDTAR"), raw.fred("DFEDTARU")
    ch_old, ch_up = old.diff(), up.diff()
    dates = list(ch_old.index[ch_old > 0]) + list(ch_up.index[ch_up > 0])
    out = pd.DatetimeIndex(sorted(set(dates)))
    return out[out >= pd.Timestamp(since)]


def fed_first_cuts(gap_months: int = 12, since: str = "1990-01-01") -> pd.DatetimeIndex:
    """First cut of each easing cycle: a cut with a hike since the previous cut, or more than
    ``gap_months`` calendar months after the previous cut (the whole DFEDTAR history is used
    to know the previous cut, then dates before ``since`` are dropped)."""
    cuts, hikes = fed_cuts("1900-01-01"), fed_hikes("1900-01-01")
    firsts, prev = [], None
    for c in cuts:
        hiked = prev is None or ((hikes > prev) & (hikes < c)).any()
        gap = prev is not None and (c.to_period("M") - prev.to_period("M")).n > gap_months
        if hiked or gap:
            firsts.append(c)
        prev = c
    out = pd.DatetimeIndex(firsts)
    return out[out >= pd.Timestamp(since)]


def fed_cuts_episode_weighted(horizon: int = 12) -> float:
    """Episode-weighted mean relative return after every cut since 1990 (see
    :func:`fed_cut_episodes`), decimal."""
    return fed_cut_episodes(horizon).episode_mean


def relative_drawdown_months(definition: str = HEADLINE) -> float:
    """Months of the ongoing spell of relative wealth below its peak (see
    :func:`current_relative_drawdown`)."""
    return float(current_relative_drawdown(definition).months)


def since_1927_compounded(last_year: int = 2023) -> float:
    """Mean over 1927..``last_year`` of calendar-year compounded monthly SMB, decimal."""
    return calendar_year_smb_compounded(1927, last_year)


def sum_of_monthly_differences(start: str, end: str, definition: str = HEADLINE) -> float:
    """Sum of monthly small-minus-large differences over ``start..end`` (not compounded)."""
    return float(sml(definition).loc[_m(start) : _m(end)].sum())


def negative_trailing_runs(years: int = 15, definition: str = HEADLINE) -> pd.DataFrame:
    """Runs of negative trailing ``years``-year geometric relative returns, longest first:
    ``start``, ``months``, ``ongoing``."""
    runs = run_lengths(trailing_geometric_difference(definition, years) < 0)
    out = pd.DataFrame(runs, columns=["start", "months", "ongoing"])
    return out.sort_values("months", ascending=False, kind="stable").reset_index(drop=True)


def relative_drawdown_spells(definition: str = HEADLINE) -> pd.DataFrame:
    """Spells of relative wealth strictly below its running peak, longest first: ``start``
    (first month below the peak), ``months``, ``ongoing``."""
    s, lg = raw.legs(definition)
    w = (1 + s).cumprod() / (1 + lg).cumprod()
    out = pd.DataFrame(run_lengths(w < w.cummax()), columns=["start", "months", "ongoing"])
    return out.sort_values("months", ascending=False, kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------- readings of 0.2


def fed_cut_months_since_1990(horizon: int = 12) -> float:
    """Mean over the *months* with a cut since 1990 (several cuts in a month counted once) of
    the ``horizon``-month relative return from the month after."""
    months = sorted({pd.Timestamp(d).to_period("M").to_timestamp() for d in fed_cuts()})
    return float(event_windows(pd.DatetimeIndex(months), horizon).mean())


def economic_barometer_calm() -> float:
    """Logit slope of 'no recession month within t+1..t+12' on the same signal: the outcome is
    1 - y, and a logit of 1 - y has exactly the opposite coefficients."""
    return -economic_barometer()


def premium_recent_minus_prior(definition: str = HEADLINE, end: str = "2025-12", years: int = 10):
    """Arithmetic mean of monthly small minus large over the trailing ``years`` to ``end``
    minus its mean over every earlier month, x 12 (decimal per year)."""
    x = sml(definition)
    last = _m(end)
    first = last - 12 * years + 1
    return float((x.loc[first:last].mean() - x.loc[: first - 1].mean()) * 12)


def ai_margin_large() -> float:
    """Earnings growth at constant revenue when an 18% margin gains 200 bp: 20/18 - 1."""
    return 0.20 / 0.18 - 1
