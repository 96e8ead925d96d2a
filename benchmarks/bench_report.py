"""``smallcap-bt report`` wall time: a baseline commit against the working tree, interleaved.

Both versions run as a user runs them (a fresh ``smallcap-bt report`` process, vectorbt JIT
and imports included), alternating ``baseline, current, baseline, current, ...`` in one
benchmark session so that a noisy machine slows both alike; the ratio of the medians is the
figure to quote. The baseline's package is taken from git (``git archive``) into a temporary
folder and put first on ``PYTHONPATH``, the working tree's package (this checkout, not
whatever the interpreter has installed) likewise; both use this interpreter and its packages.
One unmeasured warm-up run of each fills the baseline's numba cache (a fresh folder), so
that no round pays JIT compilation the other does not.

Run: ``python benchmarks/bench_report.py STORE [BASELINE_COMMIT] [ROUNDS] [-- REPORT_ARGS]``
(default baseline f382632, the last commit before the templated report; 2 rounds).
``REPORT_ARGS`` go to both versions' ``report`` command, e.g. ``-- --joint-draws 0`` to see
the report's own cost without the joint test (the baseline must know the options: compare
against a commit that has them, e.g. the previous head).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_timed(
    cmd: list[str],
    env: dict[str, str] | None = None,
    quiet: bool = False,
    cwd: str | Path | None = None,
) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time and CPU time (user + system, the process and its workers) of running
    ``cmd`` in ``cwd`` to completion, and the finished process (``quiet`` captures its
    output as text; the exit status is not checked)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=quiet, text=quiet, cwd=cwd)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), res


def timed(
    cmd: list[str],
    env: dict[str, str] | None = None,
    quiet: bool = False,
    cwd: str | Path | None = None,
) -> tuple[float, float]:
    """:func:`run_timed` of a command that must succeed: wall and CPU seconds."""
    wall, cpu, res = run_timed(cmd, env, quiet, cwd)
    res.check_returncode()
    return wall, cpu


def extract(commit: str, dest: Path, *paths: str) -> None:
    """The files of ``commit`` (``paths`` only, if given) written into ``dest``."""
    archive = subprocess.run(
        ["git", "archive", commit, *paths], cwd=REPO, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def _run(
    store: str, out: Path, pythonpath: str | None, extra: list[str] | None = None
) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the report's processes and their workers).

    The child runs in ``out``'s parent folder, not in this checkout: ``python -c`` puts its
    working directory first on ``sys.path``, so a child started in the checkout would import
    the working tree's package whatever ``PYTHONPATH`` says (the 0.1 "baseline" then timed
    today's code). The child also checks where its package came from."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    where = str(Path(pythonpath or REPO).resolve() / "smallcap_bt")
    argv = ["smallcap-bt", "--store", store, "report", "--out", str(out), "-q", *(extra or [])]
    code = (  # as `python -m smallcap_bt.cli ...` runs, once the package's origin is checked
        "import runpy, sys, smallcap_bt; "
        f"assert smallcap_bt.__file__.startswith({where!r}), smallcap_bt.__file__; "
        f"sys.argv = {argv!r}; runpy.run_module('smallcap_bt.cli', run_name='__main__')"
    )
    return timed([sys.executable, "-c", code], env, cwd=out.parent)


def compare(
    store: str, baseline: str = "f382632", rounds: int = 2, extra: list[str] | None = None
) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds of ``rounds`` interleaved reports of the baseline commit
    and of this working tree: ``{"baseline": {"wall": s, "cpu": s}, "current": {...}}``."""
    extra = list(extra or [])
    with tempfile.TemporaryDirectory() as tmp:
        base_dir = Path(tmp) / "baseline"
        base_dir.mkdir()
        extract(baseline, base_dir, "smallcap_bt")
        times: dict[str, list[tuple[float, float]]] = {"baseline": [], "current": []}
        versions = (("baseline", str(base_dir)), ("current", str(REPO)))
        for name, path in versions:  # warm-up: numba caches, file system cache
            _run(store, Path(tmp) / f"warm-{name}", path, extra)
        for i in range(rounds):
            for name, path in versions:
                wall, cpu = _run(store, Path(tmp) / f"{name}{i}", path, extra)
                times[name].append((wall, cpu))
                print(f"round {i + 1}: {name:8s} wall {wall:6.1f} s, cpu {cpu:6.1f} s", flush=True)
    return {
        name: {
            "wall": statistics.median(t[0] for t in ts),
            "cpu": statistics.median(t[1] for t in ts),
        }
        for name, ts in times.items()
    }


def main(argv: list[str]) -> None:
    extra: list[str] = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    store = argv[0] if argv else os.environ.get("SMALLCAP_BT_HOME", "")
    if not store:
        sys.exit("usage: bench_report.py STORE [BASELINE_COMMIT] [ROUNDS] [-- REPORT_ARGS]")
    baseline = argv[1] if len(argv) > 1 else "f382632"
    rounds = int(argv[2]) if len(argv) > 2 else 2
    med = compare(store, baseline, rounds, extra)
    for label in ("wall", "cpu"):
        b, c = med["baseline"][label], med["current"][label]
        print(
            f"median {label}: baseline {baseline} {b:.1f} s, current {c:.1f} s, ratio {c / b:.2f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
