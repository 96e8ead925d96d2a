"""Fed decisions, easing cycles and the event study of small-minus-large after events.

Dates: FRED's target series carry *effective* dates, which since 2008 are usually the day
after the FOMC announcement (e.g. the cut announced 2025-12-10 is effective 2025-12-11). The
event study works at monthly frequency and starts every window in the month *after* the month
of the effective date, so the decision is public before any return it is credited with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from smallcap_bt.exceptions import InsufficientDataError
from smallcap_bt.stats.inference import SeedLike, placebo_pvalue, rng
from smallcap_bt.stats.results import Estimate

HORIZONS = (1, 3, 6, 12, 24)


def fed_decisions(target: pd.Series) -> pd.DataFrame:
    """Every change of the daily target rate.

    Parameters
    ----------
    target : pandas.Series
        Daily target (percent), e.g. :func:`smallcap_bt.panel.build.target_rate_daily`.

    Returns
    -------
    pandas.DataFrame
        Indexed by effective date: ``before``, ``after``, ``change`` (percentage points),
        ``kind`` (``"cut"`` or ``"hike"``).
    """
    t = target.dropna()
    ch = t.diff()
    hits = ch[ch.abs() > 1e-9]
    out = pd.DataFrame({"before": t.shift(1)[hits.index], "after": t[hits.index], "change": hits})
    out["kind"] = np.where(out["change"] < 0, "cut", "hike")
    out.index.name = "effective_date"
    return out


def easing_cycles(decisions: pd.DataFrame, gap_months: int = 12) -> pd.DataFrame:
    """Group cuts into easing cycles.

    Rule: a cut opens a new cycle when it is the first cut after a hike, or when more than
    ``gap_months`` months have passed since the previous cut. Returns one row per cycle:
    ``first_cut``, ``last_cut``, ``n_cuts``, ``total_change`` (percentage points).
    """
    cycles: list[dict[str, object]] = []
    last_cut: pd.Timestamp | None = None
    hiked_since = True
    for date, row in decisions.iterrows():
        if row["kind"] == "hike":
            hiked_since = True
            continue
        gap = last_cut is not None and (date - last_cut).days > gap_months * 30.44
        if hiked_since or gap or not cycles:
            cycles.append(
                {
                    "first_cut": date,
                    "last_cut": date,
                    "n_cuts": 1,
                    "total_change": float(row["change"]),
                }
            )
        else:
            c = cycles[-1]
            c["last_cut"] = date
            c["n_cuts"] = int(c["n_cuts"]) + 1  # type: ignore[call-overload]
            c["total_change"] = float(c["total_change"]) + float(row["change"])  # type: ignore[arg-type]
        last_cut = date
        hiked_since = False
    return pd.DataFrame(cycles)


def cut_dates(target: pd.Series, since: str = "1990-01-01") -> dict[str, pd.DatetimeIndex]:
    """Cut dates since ``since``: ``"every cut"`` and ``"first cut of cycle"``.

    ``target`` is the daily target rate; cycles follow :func:`easing_cycles`.
    """
    dec = fed_decisions(target)
    cuts = dec[(dec["kind"] == "cut") & (dec.index >= since)].index
    firsts = pd.DatetimeIndex(easing_cycles(dec)["first_cut"])
    return {"every cut": cuts, "first cut of cycle": firsts[firsts >= since]}


def _relative_windows(small: np.ndarray, large: np.ndarray, h: int) -> np.ndarray:
    """For every start t: prod(1+small[t:t+h]) - prod(1+large[t:t+h]) (NaN past the end)."""
    n = len(small)
    out = np.full(n, np.nan)
    if n < h:
        return out
    ls = np.concatenate([[0.0], np.cumsum(np.log1p(small))])
    ll = np.concatenate([[0.0], np.cumsum(np.log1p(large))])
    out[: n - h + 1] = np.expm1(ls[h:] - ls[:-h]) - np.expm1(ll[h:] - ll[:-h])
    return out


@dataclass
class EventStudy:
    """Result of :func:`event_study`: per-event table and per-horizon estimates."""

    events: pd.DataFrame
    estimates: dict[int, Estimate]
    placebo: dict[int, np.ndarray] = field(repr=False)
    convention: str = ""

    def summary(self) -> pd.DataFrame:
        """One row per horizon: mean, interval, p-value, share of events positive, n."""
        rows = []
        for h, e in self.estimates.items():
            rows.append(
                {
                    "horizon": h,
                    "mean": e.value,
                    "ci_low": e.ci_low,
                    "ci_high": e.ci_high,
                    "p_placebo": e.p_value,
                    "share_positive": e.extra.get("share_positive"),
                    "n": e.n,
                    "placebo_mean": e.extra.get("placebo_mean"),
                }
            )
        return pd.DataFrame(rows).set_index("horizon")

    def __repr__(self) -> str:
        return f"EventStudy({len(self.events)} events)\n{self.summary()}\n{self.convention}"


def event_study(
    small: pd.Series,
    large: pd.Series,
    event_dates: Sequence[pd.Timestamp] | pd.DatetimeIndex,
    *,
    horizons: Sequence[int] = HORIZONS,
    placebo_draws: int = 10_000,
    boot_draws: int = 10_000,
    seed: SeedLike = None,
    ci_level: float = 0.95,
    definition: str = "",
    skip: int = 1,
) -> EventStudy:
    """Cumulative small-minus-large return after each event, with inference.

    Parameters
    ----------
    small, large : pandas.Series
        Monthly decimal total returns on ``PeriodIndex[M]``.
    event_dates : sequence of timestamps
        Dates the events became public.
    horizons : sequence of int
        Window lengths in months.
    skip : int
        Months between the event month and the window start; 1 (default) starts in the month
        after the event, so nothing before the event is used.

    Notes
    -----
    The relative return of an event at horizon ``h`` is ``prod(1+small) - prod(1+large)`` over
    months ``m+skip .. m+skip+h-1``. Events whose window runs past the data are left out of
    that horizon. Interval: the events are grouped into *episodes* whose windows overlap, and
    episodes are resampled with replacement (``boot_draws``); this respects the dependence of
    overlapping windows. p-value: one-sided, against a placebo distribution of the same number
    of event months drawn at random (without replacement) from all months with a full window.
    """
    data = pd.concat([small.rename("s"), large.rename("l")], axis=1).dropna()
    idx = data.index
    s, l_ = data["s"].to_numpy(), data["l"].to_numpy()
    months = pd.PeriodIndex([pd.Timestamp(d).to_period("M") for d in event_dates], freq="M")
    g = rng(seed)
    rows = pd.DataFrame({"event_date": pd.DatetimeIndex(event_dates), "event_month": months})
    estimates: dict[int, Estimate] = {}
    placebo: dict[int, np.ndarray] = {}
    for h in horizons:
        rel = _relative_windows(s, l_, h)
        start_pos = idx.get_indexer(months + skip)
        val = np.where(start_pos >= 0, rel[np.clip(start_pos, 0, None)], np.nan)
        rows[f"h{h}"] = val
        ok = ~np.isnan(val)
        n = int(ok.sum())
        if n < 2:
            raise InsufficientDataError(f"event study: {n} events with a full {h}-month window")
        mean = float(val[ok].mean())
        # episodes: consecutive events whose windows overlap
        pos = start_pos[ok]
        order = np.argsort(pos)
        ep = np.concatenate([[0], np.cumsum(np.diff(pos[order]) >= h)])
        episode = np.empty(n, dtype=int)
        episode[order] = ep
        vals = val[ok]
        n_ep = int(episode.max()) + 1
        sums = np.bincount(episode, weights=vals, minlength=n_ep)
        counts = np.bincount(episode, minlength=n_ep)
        pick = g.integers(0, n_ep, size=(boot_draws, n_ep))
        boot = sums[pick].sum(axis=1) / counts[pick].sum(axis=1)
        a = 1 - ci_level
        lo, hi = np.quantile(boot, [a / 2, 1 - a / 2])
        eligible = np.flatnonzero(~np.isnan(rel))
        draws = _placebo_means(rel[eligible], n, placebo_draws, g)
        placebo[h] = draws
        p = placebo_pvalue(mean, draws, "greater")
        estimates[h] = Estimate(
            mean,
            float(lo),
            float(hi),
            p,
            n,
            f"decimal, cumulative over {h} months (compounded small minus compounded large)",
            f"episode bootstrap ({n_ep} episodes, {boot_draws} draws); one-sided placebo "
            f"p-value ({placebo_draws} random-month draws)",
            str(idx[start_pos[ok].min()]),
            str(idx[min(start_pos[ok].max() + h - 1, len(idx) - 1)]),
            definition,
            f"mean relative return {h}m after events",
            ci_level,
            {
                "share_positive": float(np.mean(vals > 0)),
                "placebo_mean": float(draws.mean()),
                "episodes": n_ep,
            },
        )
    convention = (
        f"windows start {skip} month(s) after the month of each event's date; "
        "relative return = compounded small minus compounded large"
    )
    return EventStudy(rows, estimates, placebo, convention)


def _placebo_means(pool: np.ndarray, n: int, draws: int, g: np.random.Generator) -> np.ndarray:
    """Means of ``n`` values drawn without replacement from ``pool``, ``draws`` times."""
    if n > len(pool):
        raise InsufficientDataError("more events than months available for a placebo")
    keys = g.random((draws, len(pool)))
    pick = np.argpartition(keys, n - 1, axis=1)[:, :n]
    return pool[pick].mean(axis=1)


def nber_troughs(usrec: pd.Series) -> pd.PeriodIndex:
    """Trough months: the last recession month of each NBER recession (USREC 1 then 0)."""
    u = usrec.dropna()
    ends = (u == 1) & (u.shift(-1) == 0)
    return pd.PeriodIndex(u.index[ends.to_numpy()], freq="M")


def nber_peaks(usrec: pd.Series) -> pd.PeriodIndex:
    """Peak months: the month before each recession's first month."""
    u = usrec.dropna()
    starts = (u == 1) & (u.shift(1) == 0)
    return pd.PeriodIndex(u.index[starts.to_numpy()] - 1, freq="M")
