"""Compile the numba functions the suite calls, once, before the pytest-xdist workers start.

numba keeps compiled functions in its on-disk cache (``cache=True``: the library's kernels
and most of vectorbt's), but a fresh install has none: every worker and every subprocess job
that reaches a function before another has written it compiles it again. On a fresh clone
vectorbt alone compiles for about 15 s per process. ``tests/conftest.py`` runs this script
twice, in parallel (``claims``: the claims that reach the library's kernels, at a few draws;
``strategies``: a sweep, its tearsheet and a vectorbt backtest), when the caches are empty;
the results are thrown away.

Run: ``python tests/warm_caches.py {claims|strategies} SHARED_DATA``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

#: the claims whose verification compiles the library's numba kernels (pair bootstrap, logit
#: and predictive-regression null simulations), found by recording numba's compile events
#: claim by claim (November 2026); the other claims compile nothing. A kernel missing from
#: these is compiled by the workers themselves: slower, never wrong.
KERNEL_CLAIMS = ["two-thousands-rising-rates", "economic-barometer", "trend-will-shift"]


def main(what: str, shared: Path) -> None:
    import smallcap_bt as sb
    from smallcap_bt.data.load import import_snapshot

    french = shared / "french"
    folders = [
        french / "202602",
        french / "202510",
        french / "202511",
        shared / "fred" / "2026-08-10",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        import_snapshot(folders, "202602", store=tmp)
        if what == "claims":
            sb.verify(KERNEL_CLAIMS, store=tmp, draws=50, joint_draws=20, jobs=1)
            return
        from smallcap_bt.reports.tearsheet import tearsheet_from_sweep
        from smallcap_bt.strategies.backtest import run_vectorbt
        from smallcap_bt.strategies.sweeps import sweep

        res = sweep("fed-cut", store=tmp, start="1990-01", spa_reps=20)
        tearsheet_from_sweep(res)
        res.portfolio().value()
        for other in ("large", "cash"):
            run_vectorbt(res.weights.iloc[:, :3], res.assets, cost_bps=25.0, other=other)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
