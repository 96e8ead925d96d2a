"""Size of the SPA p-values (``smallcap_bt.strategies.spa_test``) under the null, by Monte Carlo.

No variant beats the benchmark. In the first four designs every variant is exactly as good
(``k`` zero-mean loss differentials with volatilities from 0.5 to 2, iid or AR(1) months);
in the last, half the variants are worse (mean -0.3 of their common volatility 1), where
the upper p-value is conservative and the consistent one is meant to stay near 5%. The
default 12-month stationary-bootstrap blocks, 199 resamples per test. Prints the share of
samples each p-value rejects at 5%, with its Monte Carlo standard error. The suite runs
250-sample versions (``tests/test_strategies.py::test_spa_size_under_null``).

Run: ``python scripts/spa_size.py [SAMPLES]`` (default 2,000; about a minute).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from smallcap_bt.strategies.overfit import spa_test

#: (AR(1) coefficient, months, variants, of which worse); 420 months is the Fed-cut sweep's
#: span since 1990
DESIGNS = [
    (0.0, 240, 5, 0),
    (0.2, 240, 5, 0),
    (0.2, 420, 10, 0),
    (0.0, 600, 5, 0),
    (0.0, 240, 10, 5),
]


def rejection_rates(
    phi: float, t: int, k: int, worse: int, samples: int, seed: int | Sequence[int] = 11
) -> dict[str, float]:
    """Share of ``samples`` null samples whose p-values are below 0.05, per recentring
    (the draws of sample ``i`` from ``numpy.random.default_rng(seed)``, its resamples from
    seed ``i``)."""
    g = np.random.default_rng(seed)
    bench = pd.Series(np.zeros(t))
    rej = dict.fromkeys(("consistent", "upper", "lower"), 0)
    scale = np.linspace(0.5, 2.0, k) if worse == 0 else np.ones(k)
    shift = np.r_[np.zeros(k - worse), np.full(worse, -0.3)]
    for i in range(samples):
        e = g.normal(0.0, 1.0, (t + 100, k)) * scale
        d = lfilter([1.0], [1.0, -phi], e, axis=0)[100:] + shift
        pv = spa_test(bench, pd.DataFrame(d), reps=199, seed=i)
        for key in rej:
            rej[key] += pv[key] < 0.05
    return {key: v / samples for key, v in rej.items()}


def main(samples: int) -> None:
    se = np.sqrt(0.05 * 0.95 / samples)
    print(f"SPA p-values below 0.05 under the null, {samples:,} samples (MC SE at 5%: {se:.4f})")
    print("| AR(1) | months | variants | worse | consistent | upper | lower |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for phi, t, k, worse in DESIGNS:
        r = rejection_rates(phi, t, k, worse, samples)
        print(
            f"| {phi:.1f} | {t} | {k} | {worse} | {r['consistent']:.3f} | {r['upper']:.3f} "
            f"| {r['lower']:.3f} |"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
