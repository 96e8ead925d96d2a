"""Claims in forked worker processes (``jobs``): same results, same order, same errors."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

from smallcap_bt.claims import parallel, runner
from smallcap_bt.claims.runner import verify_all
from smallcap_bt.cli import main
from smallcap_bt.exceptions import DataUnavailableError

# cheap claims of four templates, one with a joint test across specifications
CLAIMS = ["six-months-5pct", "best-decade-1970s", "steep-curve-helps", "since-late-2022"]

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux")


def _pid_recording(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each result carries the pid of the process that evaluated it (inherited by forks)."""
    run = runner.run_claim

    def recording(*args, **kwargs):
        r = run(*args, **kwargs)
        r.pid = os.getpid()
        return r

    monkeypatch.setattr(runner, "run_claim", recording)


@linux_only
def test_workers_give_the_same_results_in_the_same_order(store_dir, monkeypatch) -> None:
    _pid_recording(monkeypatch)
    kw = {"vintage": "202602", "store": store_dir, "draws": 150, "joint_draws": 40}
    done: list[str] = []
    one = verify_all(CLAIMS, jobs=1, **kw)
    two = verify_all(CLAIMS, jobs=2, on_claim=done.append, **kw)
    assert {r.pid for r in one.results} == {os.getpid()}
    assert os.getpid() not in {r.pid for r in two.results}  # really evaluated elsewhere
    assert [r.claim.id for r in two.results] == CLAIMS
    assert sorted(done) == sorted(CLAIMS)  # every claim reported once, as it arrived
    assert two.to_json() == one.to_json()  # byte for byte, Holm/BH adjustments included


@linux_only
def test_meanwhile_runs_once_here_while_workers_evaluate(store_dir, monkeypatch) -> None:
    import gc

    _pid_recording(monkeypatch)
    import multiprocessing

    kw = {"vintage": "202602", "store": store_dir, "draws": 50, "joint_draws": 0}
    calls: list[tuple[int, int]] = []

    def children() -> set[int]:  # other tests' pools may have left children: compare sets
        return {p.pid for p in multiprocessing.active_children()}

    before = children()

    def meanwhile() -> None:  # runs here while the two forked workers exist
        calls.append((os.getpid(), len(children() - before)))

    two = verify_all(CLAIMS[:3], jobs=2, meanwhile=meanwhile, **kw)
    assert calls == [(os.getpid(), 2)]
    assert os.getpid() not in {r.pid for r in two.results}
    assert gc.get_freeze_count() == 0  # the pool forked under gc.freeze, then unfroze
    calls.clear()
    one = verify_all(CLAIMS[:3], jobs=1, meanwhile=meanwhile, **kw)
    assert calls == [(os.getpid(), 0)] and one.to_json() == two.to_json()

    def failing() -> None:
        raise RuntimeError("meanwhile failed (test)")

    before = children()
    with pytest.raises(RuntimeError, match="meanwhile failed"):
        verify_all(CLAIMS[:3], jobs=2, meanwhile=failing, **kw)
    # its workers were stopped, not left running: each one's sentinel (a pipe only the worker
    # holds open) has closed, so it has exited. Not "absent from active_children()": the
    # pool's own manager thread also reaps the workers, and while it holds a worker's exit
    # status, multiprocessing still lists it as a child (seen under load: 2 runs in 40)
    from multiprocessing.connection import wait

    new = [p for p in multiprocessing.active_children() if p.pid not in before]
    assert not [p.pid for p in new if not wait([p.sentinel], timeout=0)]


def test_the_kernel_warm_up_names_testable_claims() -> None:
    """tests/warm_caches.py warms numba's cache on a fresh clone by verifying these claims; a
    renamed claim would make it fail silently (the workers then compile for themselves)."""
    from smallcap_bt.claims import registry
    from tests.warm_caches import KERNEL_CLAIMS

    assert KERNEL_CLAIMS and all(registry.get(cid).testable for cid in KERNEL_CLAIMS)


#: a fresh interpreter forks a child that compiles a trivial numba function; exit 3 if the
#: child had to import numba's implementations (or scipy.linalg's BLAS) for it
_FORK_THEN_JIT = """
import os, sys
import numba
from smallcap_bt.claims import parallel
if sys.argv[1] == "ready":
    parallel._ready_numba_target()
pid = os.fork()
if pid == 0:
    before = set(sys.modules)
    numba.njit(lambda x: x + 1)(1)
    new = [m for m in set(sys.modules) - before if m.startswith(("numba.np", "scipy.linalg"))]
    os._exit(3 if new else 0)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""


@linux_only
@pytest.mark.parametrize(("arg", "rc"), [("ready", 0), ("control", 3)])
def test_forked_workers_inherit_numba_ready(arg, rc) -> None:
    """``_ready_numba_target`` in the parent spares each forked worker numba's set-up (about
    0.5 s of CPU); the control (not readied) shows the child doing it, so the check can fail."""
    import subprocess

    res = subprocess.run([sys.executable, "-c", _FORK_THEN_JIT, arg], capture_output=True)
    assert res.returncode == rc, res.stderr.decode()[-2000:]


@linux_only
def test_claim_workers_are_forked_after_numba_is_ready(store_dir, monkeypatch) -> None:
    calls: list[tuple[str, int]] = []
    start = parallel.start_pool

    def starting(*args, **kwargs):
        calls.append(("fork", os.getpid()))
        return start(*args, **kwargs)

    monkeypatch.setattr(parallel, "start_pool", starting)
    monkeypatch.setattr(
        parallel, "_ready_numba_target", lambda: calls.append(("ready", os.getpid()))
    )
    _pid_recording(monkeypatch)
    kw = {"vintage": "202602", "store": store_dir, "draws": 40, "joint_draws": 0}
    res = verify_all(CLAIMS[:2], jobs=2, **kw)
    assert calls == [("ready", os.getpid()), ("fork", os.getpid())]  # once, before the fork
    assert os.getpid() not in {r.pid for r in res.results}
    assert verify_all(CLAIMS[:2], jobs=1, **kw).results and len(calls) == 2  # no fork: no need


@linux_only
def test_pools_fork_with_the_collector_frozen() -> None:
    import gc

    pool = parallel.start_pool(1, parallel.fork_context())
    try:  # the worker inherited the frozen generation; the caller's is unfrozen again
        assert pool.submit(gc.get_freeze_count).result() > 0
        assert gc.get_freeze_count() == 0
    finally:
        pool.shutdown()


def test_console_script_freezes_only_at_exit(monkeypatch, capsys) -> None:
    import gc
    from importlib import metadata

    from smallcap_bt import cli

    (ep,) = [e for e in metadata.entry_points(group="console_scripts") if e.name == "smallcap-bt"]
    assert ep.value == "smallcap_bt.cli:console"
    assert main(["claims", "list"]) == 0 and gc.get_freeze_count() == 0  # Python callers
    monkeypatch.setattr(sys, "argv", ["smallcap-bt", "claims", "show", "no-such-claim"])
    frozen_during: list[int] = []

    def recording_main(argv=None):
        frozen_during.append(gc.get_freeze_count())
        return main(argv)

    monkeypatch.setattr(cli, "main", recording_main)
    try:
        assert cli.console() == 2  # main's exit code, then everything frozen
        assert frozen_during == [0] and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    capsys.readouterr()


_BLAS_PROBE = """
import sys
from pathlib import Path
from smallcap_bt import cli

def probe(argv=None):  # what NumPy's OpenBLAS runs with, loaded inside the command
    import numpy, threadpoolctl
    pools = [i for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"]
    print(max(i["num_threads"] for i in pools))
    return 0

cli.main = probe
sys.exit(cli.console())
"""


@pytest.mark.parametrize(
    ("user", "threads"),
    [({}, 1), ({"OMP_NUM_THREADS": "2"}, 2), ({"OPENBLAS_NUM_THREADS": "2"}, 2)],
)
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="OpenBLAS caps its threads at the cores")
def test_console_script_runs_blas_single_threaded_unless_told(user, threads) -> None:
    """The console script sets one OpenBLAS thread before NumPy loads (a fresh process: the
    suite itself runs with one), and leaves a thread count the user set alone (two here)."""
    import subprocess

    from smallcap_bt.cli import BLAS_THREAD_VARS

    env = {k: v for k, v in os.environ.items() if k not in BLAS_THREAD_VARS} | user
    out = subprocess.run(
        [sys.executable, "-c", _BLAS_PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert int(out.stdout) == threads, out.stderr


@linux_only
def test_a_data_error_in_a_worker_reaches_the_caller(store_dir, monkeypatch) -> None:
    run = runner.run_claim

    def failing(claim, *args, **kwargs):
        if claim.id == "best-decade-1970s":
            raise DataUnavailableError("vintage '202602' lacks french.ff3 (test)")
        return run(claim, *args, **kwargs)

    monkeypatch.setattr(runner, "run_claim", failing)
    with pytest.raises(DataUnavailableError, match="lacks french.ff3"):
        verify_all(CLAIMS[:2], "202602", store=store_dir, draws=50, joint_draws=0, jobs=2)
    assert parallel._WORK is None  # the parent never holds the workers' work


def test_jobs_are_resolved_from_the_argument_then_the_environment(monkeypatch) -> None:
    monkeypatch.delenv(parallel.JOBS_ENV, raising=False)
    assert parallel.resolve_jobs(3) == 3
    assert parallel.resolve_jobs(None) == parallel.usable_cpus() >= 1
    monkeypatch.setenv(parallel.JOBS_ENV, "2")
    assert parallel.resolve_jobs(None) == 2
    assert parallel.resolve_jobs(1) == 1  # an explicit number wins
    assert parallel.resolve_jobs("auto") == parallel.usable_cpus()  # so does an explicit auto
    monkeypatch.setenv(parallel.JOBS_ENV, "auto")  # as --jobs auto (it was refused)
    assert parallel.resolve_jobs(None) == parallel.usable_cpus()
    for bad in ("two", "0", "-1", "999"):  # 999: --jobs refuses it, so does the variable
        monkeypatch.setenv(parallel.JOBS_ENV, bad)
        with pytest.raises(ValueError, match="SMALLCAP_BT_JOBS"):
            parallel.resolve_jobs(None)
    for bad_jobs in (0, -2, True, 1.5, 257):
        with pytest.raises(ValueError, match="jobs"):
            parallel.resolve_jobs(bad_jobs)  # type: ignore[arg-type]


def test_cli_jobs_option_and_environment_errors(store_dir, monkeypatch, capsys) -> None:
    base = ["--store", str(store_dir), "verify", "six-months-5pct", "--draws", "50", "-q"]
    with pytest.raises(SystemExit) as exc:
        main([*base, "--jobs", "0"])
    assert exc.value.code == 2
    assert "--jobs must be between 1" in capsys.readouterr().err
    monkeypatch.setenv(parallel.JOBS_ENV, "many")
    assert main(base) == 2
    assert "SMALLCAP_BT_JOBS='many'" in capsys.readouterr().err
    # --jobs auto means every usable CPU: it read the variable too (a bad-input battery)
    assert main([*base, "--jobs", "auto"]) == 0
    capsys.readouterr()
    assert main([*base, "--jobs", "2"]) == 0  # one claim: capped at one process


@linux_only
def test_report_files_do_not_depend_on_the_process_count(store_dir, tmp_path, monkeypatch) -> None:
    """Claims in two processes, then figures drawn beside a forked worker: same bytes in every
    file as the one-process report (figures, JSON, Markdown, HTML, LaTeX)."""
    from smallcap_bt.reports import render

    log = tmp_path / "overview.pids"  # written by whichever process draws the overview
    overview = render._draw_overview

    def logged(*a):
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return overview(*a)

    monkeypatch.setattr(render, "_draw_overview", logged)
    kw = {"store": store_dir, "draws": 60, "joint_draws": 20, "strategies": False}
    ids = ["six-months-5pct", "steep-curve-helps", "since-late-2022"]
    one = render.build_report(tmp_path / "one", "202602", claims=ids, jobs=1, **kw)
    two = render.build_report(tmp_path / "two", "202602", claims=ids, jobs=2, **kw)
    drawn_by = [int(x) for x in log.read_text().split()]
    assert drawn_by[0] == os.getpid() and drawn_by[1] != os.getpid()  # a worker drew it
    log.unlink()
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*"))
    assert len([f for f in files if f.suffix == ".png"]) >= 5
    assert files == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*"))
    for f in files:
        a, b = tmp_path / "one" / f, tmp_path / "two" / f
        if a.is_file():
            assert a.read_bytes() == b.read_bytes(), f
    assert set(one) == set(two)
    # --workers: the overview drawn in a pool forked before the claims; same bytes again
    monkeypatch.undo()  # the pool is sent _draw_overview itself (pickled by name)
    render.build_report(tmp_path / "three", "202602", claims=ids, jobs=1, workers=1, **kw)
    for f in files:
        if (tmp_path / "one" / f).is_file():
            assert (tmp_path / "one" / f).read_bytes() == (tmp_path / "three" / f).read_bytes()


@linux_only
def test_a_failure_stops_the_other_workers_at_once(store_dir, tmp_path, monkeypatch) -> None:
    """One claim fails while another is still running: the error reaches the caller and the
    running worker is terminated, not waited for."""
    import time

    pid_file = tmp_path / "slow.pid"

    def scripted(claim, *args, **kwargs):
        if claim.id == CLAIMS[0]:
            pid_file.write_text(str(os.getpid()))
            time.sleep(600)  # would hold the caller for ten minutes if waited for
        for _ in range(200):  # fail once the slow claim is surely running
            if pid_file.exists():
                break
            time.sleep(0.05)
        raise DataUnavailableError("vintage '202602' lacks french.ff3 (test)")

    monkeypatch.setattr(runner, "run_claim", scripted)
    with pytest.raises(DataUnavailableError, match="lacks french.ff3"):
        verify_all(CLAIMS[:2], "202602", store=store_dir, draws=50, joint_draws=0, jobs=2)
    slow = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(slow, 0)  # terminated and reaped


@linux_only
def test_worker_deaths_and_unpicklable_errors_name_the_claim(store_dir, monkeypatch) -> None:
    class Odd(Exception):
        def __init__(self, a, b):  # two arguments: pickling it back fails
            super().__init__(f"{a}/{b}")
            self.fn = lambda: None

    def odd(claim, *args, **kwargs):
        raise Odd("first", "second")

    monkeypatch.setattr(runner, "run_claim", odd)
    kw = {"store": store_dir, "draws": 50, "joint_draws": 0, "jobs": 2}
    with pytest.raises(RuntimeError, match=r"claim '.*' failed in a worker process: Odd: first"):
        verify_all(CLAIMS[:2], "202602", **kw)
    monkeypatch.setattr(runner, "run_claim", lambda *a, **k: os._exit(3))
    with pytest.raises(RuntimeError, match="a worker process died.*--jobs 1"):
        verify_all(CLAIMS[:2], "202602", **kw)


def test_memoised_event_sets_and_regimes_still_check_declarations(store_dir) -> None:
    """A per-vintage memo filled by one claim must not let another claim read data it did
    not declare (results would then depend on which claims ran before, in which process)."""
    import numpy as np

    from smallcap_bt.claims.templates.base import TestInput
    from smallcap_bt.claims.templates.events import event_sets
    from smallcap_bt.claims.templates.params import EventParams, Regime
    from smallcap_bt.claims.templates.regimes import regime_dummy
    from smallcap_bt.data.vintage import Vintage
    from smallcap_bt.exceptions import UndeclaredDatasetError
    from smallcap_bt.panel.build import column_datasets

    v = Vintage.open("202602", store_dir)
    everything = v.declared(v.datasets(), owner="first claim")
    without = v.declared(v.datasets() - set(column_datasets("usrec")), owner="second claim")
    g = np.random.default_rng(0)
    params = EventParams(events="nber_troughs", horizons=(12,))
    regime = Regime(name="recession rising", variable="usrec", rule="rising", months=12)
    event_sets(TestInput(everything, g, 10, None), params)  # fills the memo
    regime_dummy(TestInput(everything, g, 10, None), regime)
    with pytest.raises(UndeclaredDatasetError, match="second claim"):
        event_sets(TestInput(without, g, 10, None), params)
    with pytest.raises(UndeclaredDatasetError, match="second claim"):
        regime_dummy(TestInput(without, g, 10, None), regime)


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _running(pid: int) -> bool:
    """A process that exists and has not exited (a zombie waits only to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@linux_only
@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "--jobs", "2", "--draws", "100000", "-q"],
        ["report", "--out", "{tmp}/r", "--jobs", "1", "--workers", "2", "--draws", "40", "-q"],
    ],
    ids=["verify-claim-workers", "report-figure-workers"],
)
def test_workers_die_with_a_killed_parent(store_dir, tmp_path, argv) -> None:
    """SIGTERM to ``verify --jobs 2`` or ``report --workers 2`` (a CI runner's timeout) ends
    their workers too: a bad-input battery found both claim workers still running,
    reparented to init, 48 s later, and a review the report's figure workers."""
    import signal
    import subprocess
    import time

    cmd = [sys.executable, "-m", "smallcap_bt.cli", "--store", str(store_dir)]
    cmd += [a.replace("{tmp}", str(tmp_path)) for a in argv]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kids: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(kids := _children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(kids) >= 2, "the workers did not start"
        time.sleep(0.5)  # past the workers' initializer
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while any(_running(k) for k in kids) and time.monotonic() < deadline:
            time.sleep(0.1)
        alive = [k for k in kids if _running(k)]
        assert not alive, f"workers {alive} outlived their parent"
    finally:
        proc.kill()
        for k in kids:  # the parent is gone: kill what it left by the pids seen before
            with contextlib.suppress(OSError):
                os.kill(k, signal.SIGKILL)


@linux_only
@pytest.mark.parametrize(("parent", "code"), [(1, 0), (2**22 + 7, 1)], ids=["pid-1", "gone"])
def test_a_worker_checks_the_parent_that_started_its_pool(monkeypatch, parent, code) -> None:
    """A worker whose pool was started by PID 1 (a container whose entry point is
    smallcap-bt) keeps running; one whose parent is already another process exits. The
    first check had been "is my parent PID 1", which ended every worker in such containers
    (found in review)."""
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            parallel._PARENT_PID = parent
            os.getppid = lambda: 1  # reparented to, or started by, PID 1
            parallel._die_with_parent()
            os._exit(0)
        except BaseException:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == code
