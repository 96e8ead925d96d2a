"""Fed decisions, easing cycles and the event study of small-minus-large after events.

Dates: FRED's target series carry *effective* dates, which since 2008 are usually the day
after the FOMC announcement (e.g. the cut announced 2025-12-10 is effective 2025-12-11). The
event study works at monthly frequency and starts every window in the month *after* the month
of the effective date, so the decision is public before any return it is credited with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

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


# ---------------------------------------------------------------------------------------------
# Event definitions as specifications (cuts and hikes), and an event study whose placebo keeps
# the era and the clustering of the real calendar.
# ---------------------------------------------------------------------------------------------

EventKind = Literal["cut", "hike"]
EventRule = Literal["every", "first", "pause", "pause6", "last", "in_recession", "out_of_recession"]
PlaceboKind = Literal["circular", "iid"]

_DAYS_PER_MONTH = 30.44


def policy_cycles(
    decisions: pd.DataFrame,
    kind: EventKind = "cut",
    gap_months: int = 12,
    *,
    end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Group the decisions of one kind into cycles (easing cycles for cuts, tightening for hikes).

    Parameters
    ----------
    decisions : pandas.DataFrame
        Output of :func:`fed_decisions`.
    kind : {"cut", "hike"}
        Which decisions form the cycles.
    gap_months : int
        A decision of ``kind`` opens a new cycle when it is the first after a decision of the
        opposite kind, or when more than ``gap_months`` months (x 30.44 days) have passed since
        the previous decision of ``kind`` (the rule of :func:`easing_cycles`, symmetric).
    end : timestamp, optional
        Last date of the target series (default: the last decision). A cycle is ``complete``
        when a later cycle began, a decision of the opposite kind followed, or more than
        ``gap_months`` months passed between its last decision and ``end``; otherwise its last
        decision is provisional.

    Returns
    -------
    pandas.DataFrame
        One row per cycle: ``first``, ``last`` (effective dates), ``n_decisions``,
        ``total_change`` (percentage points), ``complete``.
    """
    if kind not in ("cut", "hike"):
        raise ValueError(f"kind must be 'cut' or 'hike', got {kind!r}")
    gap_days = gap_months * _DAYS_PER_MONTH
    rows: list[dict[str, Any]] = []
    last_same: pd.Timestamp | None = None
    other_since = True
    for date, row in decisions.iterrows():
        if row["kind"] != kind:
            other_since = True
            if rows:
                rows[-1]["complete"] = True
            continue
        gap = last_same is not None and (date - last_same).days > gap_days
        if other_since or gap or not rows:
            if rows:
                rows[-1]["complete"] = True
            rows.append(
                {
                    "first": date,
                    "last": date,
                    "n_decisions": 1,
                    "total_change": float(row["change"]),
                    "complete": False,
                }
            )
        else:
            rows[-1]["last"] = date
            rows[-1]["n_decisions"] += 1
            rows[-1]["total_change"] += float(row["change"])
        last_same = date
        other_since = False
    out = pd.DataFrame(rows, columns=["first", "last", "n_decisions", "total_change", "complete"])
    if len(out):
        stop = pd.Timestamp(end) if end is not None else decisions.index[-1]
        if (stop - out["last"].iloc[-1]).days > gap_days:
            out.loc[out.index[-1], "complete"] = True
        out["complete"] = out["complete"].astype(bool)
    return out


def fed_events(
    target: pd.Series,
    *,
    kind: EventKind = "cut",
    rule: EventRule = "every",
    since: str = "1990-01-01",
    gap_months: int = 12,
    pause_months: int = 6,
    usrec: pd.Series | None = None,
) -> pd.DatetimeIndex:
    """Effective dates of Fed decisions selected by a named rule.

    Parameters
    ----------
    target : pandas.Series
        Daily target rate in percent (DFEDTAR spliced with the DFEDTARL/U midpoint, see
        :func:`smallcap_bt.panel.build.target_rate_daily`).
    kind : {"cut", "hike"}
        Decisions of this kind.
    rule : {"every", "first", "pause", "pause6", "last", "in_recession", "out_of_recession"}
        ``every``: every decision; ``first``: the first decision of each cycle
        (:func:`policy_cycles` with ``gap_months``: the first cut after a hike or after more
        than ``gap_months`` months without a cut; hikes symmetric); ``pause`` (alias ``pause6``,
        the default of 6 months): every decision
        coming at least ``pause_months`` calendar months after the previous decision of the same
        kind; ``last``: the last decision of each *complete* cycle (an ongoing cycle has no
        last decision yet); ``in_recession`` / ``out_of_recession``: decisions whose month has
        ``USREC == 1`` / ``0`` (needs ``usrec``; NBER dates are set with hindsight, so this
        split is not real-time).
    since : str
        First effective date kept. Cycles are formed on the whole history first, so a cycle
        that began before ``since`` has no "first" decision after it.
    gap_months, pause_months : int
        Thresholds of the cycle and pause rules, in months.
    usrec : pandas.Series, optional
        Monthly NBER recession indicator (FRED ``USREC``) on a PeriodIndex or DatetimeIndex.

    Returns
    -------
    pandas.DatetimeIndex
        Effective dates, sorted (several decisions may share a month; the event studies merge
        them into one event month).
    """
    dec = fed_decisions(target)
    same = dec[dec["kind"] == kind]
    keep = same.index >= pd.Timestamp(since)
    if rule == "every":
        dates = same.index
    elif rule in ("first", "last"):
        cyc = policy_cycles(dec, kind, gap_months, end=target.dropna().index[-1])
        if rule == "last":
            cyc = cyc[cyc["complete"]]
        dates = pd.DatetimeIndex(cyc[rule])
        keep = dates >= pd.Timestamp(since)
    elif rule in ("pause", "pause6"):
        prev = same.index.to_series().shift(1)
        ok = same.index >= (prev + pd.DateOffset(months=pause_months)).to_numpy()
        ok[0] = False  # no earlier decision: the length of the pause is unknown
        dates = same.index
        keep = keep & ok
    elif rule in ("in_recession", "out_of_recession"):
        if usrec is None:
            raise ValueError(f"fed_events rule {rule!r} needs the monthly USREC series")
        rec = usrec.dropna()
        if not isinstance(rec.index, pd.PeriodIndex):
            rec.index = pd.DatetimeIndex(rec.index).to_period("M")
        months = same.index.to_period("M")
        flag = rec.reindex(months).to_numpy()
        if np.isnan(flag[keep]).any():
            missing = months[keep & np.isnan(flag)]
            raise InsufficientDataError(
                f"USREC has no value for decision month(s) {', '.join(map(str, missing))}"
            )
        dates = same.index
        keep = keep & (flag == (1.0 if rule == "in_recession" else 0.0))
    else:
        raise ValueError(
            f"unknown event rule {rule!r}: use every, first, pause, last, in_recession "
            "or out_of_recession"
        )
    return pd.DatetimeIndex(dates[keep], name="effective_date")


def fed_event_sets(
    target: pd.Series,
    usrec: pd.Series | None = None,
    kind: EventKind = "cut",
    since: str = "1990-01-01",
) -> dict[str, pd.DatetimeIndex]:
    """Every event definition of :func:`fed_events`, under readable specification names.

    Names (for cuts; hikes alike): ``"every cut"``, ``"first cut of cycle (gap 6m)"``,
    ``"first cut of cycle (gap 12m)"``, ``"first cut of cycle (gap 18m)"``,
    ``"last cut of cycle (gap 12m)"``, ``"cut after a pause of 6m+"``, and, when ``usrec`` is
    given, ``"cuts in recession"`` and ``"cuts outside recession"``.
    """
    from smallcap_bt.columns import fed_event_rules

    return {
        name: fed_events(target, kind=kind, since=since, usrec=usrec, **rule)  # type: ignore[arg-type]
        for name, rule in fed_event_rules(kind, recessions=usrec is not None)
    }


def _episode_labels(
    months: pd.PeriodIndex, starts: pd.PeriodIndex | None, pos: np.ndarray, h: int
) -> tuple[np.ndarray, list[str]]:
    """Dense episode labels per event and a readable name per episode.

    With ``starts``: each event belongs to the last episode start at or before its month.
    Without: consecutive events whose ``h``-month windows overlap form one episode.
    """
    if starts is not None:
        ordered = starts.sort_values()
        which = ordered.searchsorted(months, side="right") - 1
        if (which < 0).any():
            raise InsufficientDataError(
                f"event month {months[which < 0][0]} precedes the first episode start {ordered[0]}"
            )
        uniq, lab = np.unique(which, return_inverse=True)
        return lab, [str(ordered[u]) for u in uniq]
    order = np.argsort(pos, kind="stable")
    ep = np.concatenate([[0], np.cumsum(np.diff(pos[order]) >= h)])
    lab = np.empty(len(pos), dtype=int)
    lab[order] = ep
    names = [str(months[order][ep == e][0]) for e in range(int(ep.max()) + 1)] if len(pos) else []
    return lab, names


def _placebo_p(obs: float, draws: np.ndarray, alternative: str, exact: bool) -> float:
    """One- or two-sided placebo p-value; ``exact`` when ``draws`` hold every shift (incl. 0)."""
    if alternative == "greater":
        hits = np.sum(draws >= obs - 1e-14)
    elif alternative == "less":
        hits = np.sum(draws <= obs + 1e-14)
    else:
        c = draws.mean()
        hits = np.sum(np.abs(draws - c) >= abs(obs - c) - 1e-14)
    if exact:
        return float(hits / len(draws))
    return float((hits + 1) / (len(draws) + 1))


def calendar_event_study(
    small: pd.Series,
    large: pd.Series,
    event_dates: Sequence[pd.Timestamp] | pd.DatetimeIndex,
    *,
    horizons: Sequence[int] = HORIZONS,
    placebo: PlaceboKind = "circular",
    draws: int | None = None,
    seed: SeedLike = None,
    era_start: str | pd.Period | None = None,
    episode_starts: Sequence[pd.Timestamp] | pd.DatetimeIndex | None = None,
    weighting: Literal["event", "episode"] = "event",
    alternative: Literal["greater", "less", "two-sided"] = "greater",
    ci_level: float = 0.95,
    definition: str = "",
    skip: int = 1,
) -> EventStudy:
    """Event study whose placebo keeps the era and the clustering of the real event calendar.

    Parameters
    ----------
    small, large : pandas.Series
        Monthly decimal total returns on ``PeriodIndex[M]``.
    event_dates : sequence of timestamps
        Dates the events became public. Several events in one calendar month are one *event
        month* (counted once, on purpose: their windows are identical); ``extra["n_merged"]``
        says how many dates were merged.
    horizons : sequence of int
        Window lengths in months; the window of an event in month ``m`` covers months
        ``m+skip .. m+skip+h-1`` and the statistic is ``prod(1+small) - prod(1+large)``.
    placebo : {"circular", "iid"}
        ``"circular"`` (default): the real event-month calendar shifted circularly within the
        era (window starts from ``era_start + skip`` to the last month with a full window), so
        every placebo calendar has the same number of events, the same spacing and so the same
        overlap and clustering (only the shift that wraps round the era end splits a cluster).
        ``"iid"``: as many months drawn at random without replacement from the same era; this
        ignores the clustering of the calendar and is kept only for comparison.
    draws : int, optional
        Circular: ``None`` (default) uses every shift (an exact randomisation test, the real
        calendar included); an int draws that many random non-zero shifts. iid: draws
        (default 2,000).
    era_start : str or Period, optional
        First month of the era the placebo draws from (e.g. ``"1990-01"`` for events selected
        since 1990). Default: the first event month.
    episode_starts : sequence of timestamps, optional
        Start dates of episodes (e.g. the first cuts of easing cycles from
        :func:`policy_cycles`, including cycles that began before the era); each event belongs
        to the last episode start at or before it. Default: episodes are clusters of events
        whose windows overlap at the horizon.
    weighting : {"event", "episode"}
        Which mean is the returned estimate; the other is in ``extra`` (both always computed).
        Event-weighted: mean over event months. Episode-weighted: mean over episodes of the
        mean within each episode.
    alternative : {"greater", "less", "two-sided"}
        Alternative of the placebo p-value (default one-sided: events are followed by a higher
        relative return than placebo calendars).

    Returns
    -------
    EventStudy
        Per-horizon :class:`Estimate`: ``value`` is the mean relative return (decimal,
        cumulative over ``h`` months); ``p_value`` the placebo p-value of the chosen weighting;
        the interval inverts the placebo test under a constant additive effect,
        ``[value - (q_hi - mean P), value - (q_lo - mean P)]`` with ``q`` the placebo
        quantiles. ``extra``: ``event_weighted`` and ``episode_weighted`` (Estimates),
        ``episode_means``, ``episodes_negative``, ``n_merged``, ``placebo_mean``,
        ``placebo_sd``, ``share_positive``, ``era``, ``placebo``.

    Notes
    -----
    Circular shifts of the event calendar keep the dependence structure of the event dates,
    the randomisation analogue of block resampling (the "rotation" or "toroidal shift" test;
    Kanji's circular-shift randomisation; see also Politis & Romano 1992 on circular blocks).
    Under the null that the relative-return process is stationary and unrelated to the event
    dates, every shift is as likely as the real one, so the share of shifts at least as high as
    the real mean is a valid one-sided p-value. References: Politis, D. N. and Romano, J. P.
    (1992), "A circular block-resampling procedure for stationary data", in *Exploring the
    Limits of Bootstrap*; MacKinlay, A. C. (1997), "Event studies in economics and finance",
    JEL 35(1), 13-39.
    """
    data = pd.concat([small.rename("s"), large.rename("l")], axis=1).dropna()
    idx = data.index
    s, l_ = data["s"].to_numpy(dtype=float), data["l"].to_numpy(dtype=float)
    n = len(idx)
    dates = pd.DatetimeIndex(event_dates)
    all_months = dates.to_period("M")
    months = pd.PeriodIndex(sorted(set(all_months)), freq="M")
    counts = pd.Series(all_months).value_counts()
    n_merged = int(len(all_months) - len(months))
    if len(months) == 0:
        raise InsufficientDataError("calendar event study: no events")
    era = months[0] if era_start is None else pd.Period(era_start, freq="M")
    if months[0] < era:
        raise InsufficientDataError(f"event month {months[0]} lies before the era start {era}")
    a = int(idx.searchsorted(era + skip))
    pos_all = idx.get_indexer(months + skip)
    starts = (
        None
        if episode_starts is None
        else pd.PeriodIndex(pd.DatetimeIndex(episode_starts).to_period("M"), freq="M")
    )
    g = rng(seed)
    rows = pd.DataFrame(
        {"event_month": months, "n_dates": [int(counts[m]) for m in months]},
    )
    estimates: dict[int, Estimate] = {}
    placebo_out: dict[int, np.ndarray] = {}
    z = 1 - ci_level
    for h in horizons:
        rel = _relative_windows(s, l_, h)
        b = n - h
        length = b - a + 1
        ok = (pos_all >= a) & (pos_all <= b)
        rows[f"h{h}"] = np.where(ok, rel[np.clip(pos_all, 0, n - 1)], np.nan)
        n_ev = int(ok.sum())
        if n_ev < 2 or length < n_ev:
            raise InsufficientDataError(
                f"calendar event study: {n_ev} event months with a full {h}-month window in "
                f"an era of {max(length, 0)} months"
            )
        pos = pos_all[ok]
        vals = rel[pos]
        lab, names = _episode_labels(months[ok], starts, pos, h)
        n_ep = len(names)
        ep_counts = np.bincount(lab, minlength=n_ep)
        ep_means = np.bincount(lab, weights=vals, minlength=n_ep) / ep_counts
        offsets = pos - a
        if placebo == "circular":
            shifts = np.arange(length) if draws is None else g.integers(1, length, size=draws)
            ppos = a + (offsets[None, :] + shifts[:, None]) % length
            exact = draws is None
        elif placebo == "iid":
            k = 2_000 if draws is None else int(draws)
            keys = g.random((k, length))
            pick = np.sort(np.argpartition(keys, n_ev - 1, axis=1)[:, :n_ev], axis=1)
            # the real labels follow the events in calendar order
            ppos = a + pick[:, np.argsort(np.argsort(offsets, kind="stable"))]
            exact = False
        else:
            raise ValueError(f"placebo must be 'circular' or 'iid', got {placebo!r}")
        pv = rel[ppos]
        onehot = np.zeros((n_ev, n_ep))
        onehot[np.arange(n_ev), lab] = 1.0 / ep_counts[lab]
        p_event = pv.mean(axis=1)
        p_episode = (pv @ onehot).mean(axis=1)
        placebo_out[h] = p_event if weighting == "event" else p_episode
        start, end = str(idx[pos.min()]), str(idx[min(pos.max() + h - 1, n - 1)])
        units = f"decimal, cumulative over {h} months (compounded small minus compounded large)"
        era_text = f"{idx[a]}..{idx[b]} window starts"
        ests = {}
        for w, obs, dist in (
            ("event", float(vals.mean()), p_event),
            ("episode", float(ep_means.mean()), p_episode),
        ):
            q_lo, q_hi = np.quantile(dist, [z / 2, 1 - z / 2])
            centre = float(dist.mean())
            how = (
                f"every circular shift ({len(dist)})"
                if exact
                else f"{len(dist)} random "
                + ("circular shifts" if placebo == "circular" else "iid months")
            )
            ests[w] = Estimate(
                obs,
                obs - (float(q_hi) - centre),
                obs - (float(q_lo) - centre),
                _placebo_p(obs, dist, alternative, exact),
                n_ev if w == "event" else n_ep,
                units,
                f"{w}-weighted mean; {alternative} placebo p-value from {how} of the event-month "
                f"calendar within the era ({era_text}); interval inverts the placebo test "
                "(constant additive effect)",
                start,
                end,
                definition,
                f"{w}-weighted mean relative return {h}m after events",
                ci_level,
                {"placebo_mean": centre, "placebo_sd": float(dist.std(ddof=1))},
            )
        main = ests[weighting]
        main.extra.update(
            {
                "event_weighted": ests["event"],
                "episode_weighted": ests["episode"],
                "episode_means": dict(zip(names, map(float, ep_means), strict=True)),
                "episodes": n_ep,
                "episodes_negative": int(np.sum(ep_means < 0)),
                "episode_kind": "given episode starts"
                if starts is not None
                else (f"clusters of overlapping {h}-month windows"),
                "share_positive": float(np.mean(vals > 0)),
                "n_merged": n_merged,
                "era": era_text,
                "placebo": placebo,
            }
        )
        estimates[h] = main
    convention = (
        f"windows start {skip} month(s) after the month of each event's date; several events in "
        f"one month count once ({n_merged} date(s) merged into {len(months)} event months); "
        "relative return = compounded small minus compounded large; placebo: "
        + (
            "circular shifts of the real event-month calendar within the era"
            if placebo == "circular"
            else "iid random months from the era (ignores clustering)"
        )
    )
    return EventStudy(rows, estimates, placebo_out, convention)


def placebo_band(
    small: pd.Series,
    large: pd.Series,
    event_dates: Sequence[pd.Timestamp] | pd.DatetimeIndex,
    *,
    horizon: int = 24,
    era_start: str | pd.Period | None = None,
    quantiles: tuple[float, float] = (0.05, 0.95),
    skip: int = 1,
) -> pd.DataFrame:
    """Mean cumulative small minus large 1..``horizon`` months after events, with a placebo
    band from every circular shift of the real event-month calendar within the era.

    The same placebo as :func:`calendar_event_study` (same count, spacing and clustering of
    events; several events in one month count once), for figures.

    Returns
    -------
    pandas.DataFrame
        Indexed by months after the event (1..``horizon``): ``mean``, ``placebo_low``,
        ``placebo_high`` (decimal, cumulative), ``placebo_mean``; ``attrs["n_events"]`` and
        ``attrs["shifts"]``.
    """
    data = pd.concat([small.rename("s"), large.rename("l")], axis=1).dropna()
    idx = data.index
    s, l_ = data["s"].to_numpy(dtype=float), data["l"].to_numpy(dtype=float)
    months = pd.PeriodIndex(sorted(set(pd.DatetimeIndex(event_dates).to_period("M"))), freq="M")
    era = months[0] if era_start is None else pd.Period(era_start, freq="M")
    a = int(idx.searchsorted(era + skip))
    b = len(idx) - horizon
    pos = idx.get_indexer(months + skip)
    pos = pos[(pos >= a) & (pos <= b)]
    if len(pos) < 2 or b <= a:
        raise InsufficientDataError(f"placebo band: {len(pos)} events with a full window")
    length = b - a + 1
    shifts = a + ((pos - a)[None, :] + np.arange(length)[:, None]) % length
    rows = []
    for h in range(1, horizon + 1):
        rel = _relative_windows(s, l_, h)
        placebo = rel[shifts].mean(axis=1)
        lo, hi = np.quantile(placebo, quantiles)
        rows.append(
            {
                "mean": float(rel[pos].mean()),
                "placebo_low": float(lo),
                "placebo_high": float(hi),
                "placebo_mean": float(placebo.mean()),
            }
        )
    out = pd.DataFrame(rows, index=pd.Index(range(1, horizon + 1), name="months"))
    out.attrs.update({"n_events": len(pos), "shifts": length})
    return out
