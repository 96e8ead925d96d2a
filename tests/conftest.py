"""Shared fixtures: the real snapshots in ../shared/data, served on loopback like the live sites.

No test touches the network. The session store is built through the same code path a user
with network runs: pandas-datareader readers download from a loopback HTTP server that serves
the snapshot folders in the sources' own URL layout.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlparse

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SMALLCAP_BT_SHARED_DATA", REPO.parent / "shared" / "data"))
FRED_DIR = SHARED_DATA / "fred" / "2026-08-10"
FRENCH = SHARED_DATA / "french"
T = TypeVar("T")

#: which snapshot folder supplies each French file of the main test vintage "202602"
MAIN_VINTAGE_FRENCH = {
    "202602": ["F-F_Research_Data_Factors", "Portfolios_Formed_on_ME"],
    "202510": ["6_Portfolios_2x3", "F-F_Research_Data_Factors_daily"],
    "202511": ["F-F_Research_Data_5_Factors_2x3", "F-F_Momentum_Factor"],
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "background(*jobs): subprocess jobs (tests.conftest.Job) this test reads; they are "
        "started ahead, one at a time, while the suite runs",
    )
    # claims run in this process unless a test asks for workers (coverage measures only this
    # process; tests/test_parallel.py checks the workers give identical results)
    os.environ.setdefault("SMALLCAP_BT_JOBS", "1")
    # The suite runs in several processes at once (pytest-xdist workers, background jobs,
    # claim workers). OpenBLAS threads that spin while waiting for work then take the cores
    # from the other processes (the suite's CPU time grew 2.5x under ``-n 2``): one BLAS
    # thread per process. Workers and jobs are started after this and inherit it.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if not (FRENCH / "202602" / "ftp" / "Portfolios_Formed_on_ME_CSV.zip").is_file():
        raise pytest.UsageError(
            f"snapshot data not found at {SHARED_DATA}: the tests read the real source files "
            "from ../shared/data (or $SMALLCAP_BT_SHARED_DATA)"
        )


def _numba_caches_empty() -> list[str]:
    """Which of the library's and vectorbt's numba caches hold no compiled function yet."""
    import importlib.util

    if os.environ.get("NUMBA_CACHE_DIR"):  # numba's caches live there instead, not checked
        return []
    places = {"smallcap_bt": REPO / "smallcap_bt" / "stats" / "__pycache__"}
    spec = importlib.util.find_spec("vectorbt")
    if spec is not None and spec.origin is not None:
        places["vectorbt"] = Path(spec.origin).parent / "portfolio" / "__pycache__"
    return [name for name, d in places.items() if not list(d.glob("*.nbi"))]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist starts its workers
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if getattr(config.option, "numprocesses", None) and not _xdist_worker(config):
        _warm_numba_caches(config)


def _warm_numba_caches(config: pytest.Config) -> None:
    """On a fresh install, compile the suite's numba functions once (tests/warm_caches.py)
    instead of in every worker, claim worker and job at once: the library's kernels before
    the xdist workers start (about 7 s), vectorbt's (about 25 s) beside the first tests,
    which do not use vectorbt (the modules that do come late in the run). Nothing is
    checked here: a failure only means that the workers compile for themselves. This runs
    before pytest starts its session timer, so the time pytest prints leaves out the
    library's kernels (time the whole command for a fresh clone's wall time)."""
    import sys
    import time

    empty = _numba_caches_empty()
    if config.option.collectonly or not empty:
        return
    t0 = time.monotonic()
    procs = {
        what: subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "warm_caches.py"), what, str(SHARED_DATA)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for what, cache in (("strategies", "vectorbt"), ("claims", "smallcap_bt"))
        if cache in empty
    }
    if "strategies" in procs:
        config.stash[_WARMING] = procs["strategies"]
    if "claims" in procs:
        said = _finish_warming(procs["claims"], 300)
        config.get_terminal_writer().line(
            f"numba cache was empty: the library's kernels compiled in "
            f"{time.monotonic() - t0:.0f} s before the workers started ({said}); pytest's "
            "timer starts after this"
        )


def _finish_warming(proc: subprocess.Popen, timeout: float) -> str:
    """Wait for a warm-up process at most ``timeout`` seconds (then kill it); what it left."""
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return f"killed after {timeout:.0f} s: the workers compile for themselves"
    if proc.returncode:
        tail = (err or "").strip().splitlines()[-1:] or ["no message"]
        return f"failed with exit {proc.returncode}: {tail[0]}; the workers compile for themselves"
    return "exit 0"


_WARMING = pytest.StashKey[subprocess.Popen]()


class _Handler(BaseHTTPRequestHandler):
    """Serves /french/<vintage>/ftp/<file> and /fred/graph/fredgraph.csv?id=<SERIES>."""

    overrides: dict[str, tuple[int, bytes]] = {}

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path in self.overrides:
            status, body = self.overrides[url.path]
            return self._send(status, body)
        parts = url.path.strip("/").split("/")
        path: Path | None = None
        if parts[0] == "french" and len(parts) == 4 and parts[2] == "ftp":
            path = FRENCH / parts[1] / "ftp" / parts[3]
        elif url.path == "/fred/graph/fredgraph.csv":
            sid = parse_qs(url.query).get("id", [""])[0]
            path = FRED_DIR / f"{sid}.csv"
        if path is None or not path.is_file():
            return self._send(404, b"Not Found")
        return self._send(200, path.read_bytes())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """Base URL of a loopback server mirroring the French library and fredgraph."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    # shutdown() waits up to one poll interval (0.5 s by default) for the loop to notice
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def http_override() -> Iterator[dict[str, tuple[int, bytes]]]:
    """Register canned responses ``{path: (status, body)}`` on the loopback server."""
    _Handler.overrides.clear()
    yield _Handler.overrides
    _Handler.overrides.clear()


def raw_french_table(title: str, name: str = "Portfolios_Formed_on_ME", vintage: str = "202602"):
    """Independent reading of one table of a snapshot zip: plain zipfile + pandas.read_csv on
    the block under ``title`` (exact text), percent values and original labels kept."""
    import io
    import zipfile

    import pandas as pd

    with zipfile.ZipFile(FRENCH / vintage / "ftp" / f"{name}_CSV.zip") as zf:
        text = zf.read(zf.namelist()[0]).decode()
    start = text.index(title)
    block = text[start:].split("\r\n\r\n")[0].split("\r\n", 1)[1]
    df = pd.read_csv(io.StringIO(block), index_col=0)
    df.columns = [c.strip() for c in df.columns]
    return df


def fetch_main_vintage(store_dir: Path, base: str, vintage: str = "202602") -> None:
    """Build the main test vintage through the live (pandas-datareader) path."""
    from smallcap_bt.data.catalog import FILES
    from smallcap_bt.data.load import fetch_vintage

    for folder, files in MAIN_VINTAGE_FRENCH.items():
        fetch_vintage(vintage, files, store=store_dir, french_url=f"{base}/french/{folder}/")
    fred = [n for n, f in FILES.items() if f.source == "fred"]
    fetch_vintage(vintage, fred, store=store_dir, fred_url=f"{base}/fred/graph/fredgraph.csv")


@pytest.fixture(scope="session")
def store_dir(
    tmp_path_factory: pytest.TempPathFactory, server: str, request: pytest.FixtureRequest
) -> Path:
    """A store holding vintage 202602 (fetched over loopback) and 202302 (imported)."""
    from smallcap_bt.data.load import import_snapshot

    root = tmp_path_factory.mktemp("store")
    fetch_main_vintage(root, server)
    import_snapshot([FRENCH / "202302", FRED_DIR], "202302", store=root)
    from smallcap_bt.data.store import Store

    Store(root).set_default("202602")
    bg = request.config.stash.get(_BACKGROUND, None)
    if bg is not None:
        bg.store_ready(root)  # the notebooks and kernels start on the second core now
    return root


@pytest.fixture(scope="session")
def panel(store_dir: Path):
    """The monthly panel of vintage 202602."""
    from smallcap_bt.panel.build import monthly_panel

    return monthly_panel(vintage="202602", store=store_dir)


@pytest.fixture(scope="session")
def verified(store_dir: Path, request: pytest.FixtureRequest):
    """Every claim verified once on 202602 (seed 0, 2,000 draws, 500 joint draws), shared by
    the claims and expectations tests.

    It runs in two worker processes, which coverage does not see: every claim also runs through
    the same engine in this process in the report test (``tests/test_reports.py::report``,
    all claims at 200 draws) and the claims tests.
    """
    from smallcap_bt.claims import verify_all

    def run():
        return verify_all(vintage="202602", store=store_dir, seed=0, draws=2_000, jobs=2)

    return shared_across_workers(request, "verified", run)


def shared_across_workers(request: pytest.FixtureRequest, name: str, make: Callable[[], T]) -> T:
    """``make()`` once per test run even under pytest-xdist: the first worker to ask computes
    it under a file lock and pickles it beside the workers' temporary folders; the others
    load that; if it fails, the others fail at once with its error instead of computing it
    again. Only for deterministic values that do not depend on the worker: the claims'
    results depend on the data (the vintage fingerprint is content hashes, no store path),
    the seed and the draws, not on the process (tests/test_parallel.py)."""
    import fcntl
    import pickle

    if not _xdist_worker(request.config):
        return make()
    root = request.getfixturevalue("tmp_path_factory").getbasetemp().parent
    path = root / f"{name}.pickle"
    failed = root / f"{name}.failed"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.is_file():
            return pickle.loads(path.read_bytes())
        if failed.is_file():  # do not compute a failing value twice: report the first error
            pytest.fail(f"{name}: failed in another worker:\n{failed.read_text()}", False)
        try:
            value = make()
        except BaseException as exc:
            failed.write_text(f"{type(exc).__name__}: {exc}")
            raise
        tmp = path.with_suffix(".partial")
        tmp.write_bytes(pickle.dumps(value))
        tmp.replace(path)
        return value


# --------------------------------------------------------------------------- background jobs
#
# Tests that only read the outcome of a subprocess (ruff, mypy, the docs build, a notebook in
# a fresh kernel, an import check in a fresh interpreter) do not need the pytest process while
# the subprocess runs. Such a test declares its subprocess as a Job with
# ``@pytest.mark.background(JOB)`` and reads the result with the ``background`` fixture. Once
# the tests are collected, the jobs of the selected tests are queued and run one at a time on
# a second thread (jobs that need the session store start as soon as it is built), so on two
# cores they overlap with the in-process tests instead of adding to them. Each job gets its
# own temporary folder (and its own copy of the store): its result depends only on its inputs,
# never on timing. A test whose job has not run yet simply waits for it.


@dataclass(frozen=True, eq=False)
class Job:
    """A subprocess whose outcome a test reads.

    ``argv`` items and environment values may hold ``{tmp}`` (the job's own empty folder) and
    ``{store}`` (the job's own copy of the session store as it was built). ``files`` are
    written into ``{tmp}`` first (name -> text). ``env`` replaces the environment when
    given; otherwise the job inherits the environment and working folder the suite started
    with (never a test's monkeypatched ones), with ``set_env`` added and ``unset_env``
    removed.
    """

    name: str
    argv: tuple[str, ...]
    cwd: Path | None = None
    env: Mapping[str, str] | None = None
    set_env: Mapping[str, str] = field(default_factory=dict)
    unset_env: tuple[str, ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 600

    @property
    def needs_store(self) -> bool:
        env = (*self.set_env.values(), *(self.env or {}).values())
        return any("{store}" in a for a in (*self.argv, *env))


@dataclass
class JobResult:
    """What a job left: exit code, captured text and its folder (``tmp``)."""

    returncode: int
    stdout: str
    stderr: str
    tmp: Path


class Background:
    """Runs :class:`Job` subprocesses one at a time on a daemon thread, in submission order."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._environ = dict(os.environ)  # as the suite started: tests may monkeypatch it
        self._cwd = Path.cwd()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._done: dict[Job, threading.Event] = {}
        self._results: dict[Job, JobResult | BaseException] = {}
        self._store: Path | None = None
        self._waiting_for_store: list[Job] = []
        self._proc: subprocess.Popen[str] | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name="background-jobs", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        """Queue ``job`` (once); a job needing the store waits until :meth:`store_ready`."""
        with self._lock:
            if job in self._done:
                return
            self._done[job] = threading.Event()
            if job.needs_store and self._store is None:
                self._waiting_for_store.append(job)
                return
        self._queue.put(job)

    def store_ready(self, store: Path) -> None:
        """The session store exists: snapshot it (tests may write to it later while a job
        copies it) and queue the jobs that were waiting for it."""
        snapshot = self.root / "store-snapshot"
        with self._lock:
            if self._store is not None:
                return
            shutil.copytree(store, snapshot)
            self._store = snapshot
            waiting, self._waiting_for_store = self._waiting_for_store, []
        for job in waiting:
            self._queue.put(job)

    def result(self, job: Job, store: Path | None = None) -> JobResult:
        """The job's result, running or waiting for it as needed."""
        if store is not None and self._store is None:
            self.store_ready(store)
        self.submit(job)
        if not self._done[job].wait(job.timeout + 60):
            raise TimeoutError(f"background job {job.name} did not finish")
        res = self._results[job]
        if isinstance(res, BaseException):
            raise res
        return res

    def close(self) -> None:
        """Drop queued jobs and kill the running one (end of session)."""
        self._closed = True
        self._queue.put(None)
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None or self._closed:
                return
            try:
                self._results[job] = self._run(job)
            except BaseException as exc:  # handed to the test that reads the job
                self._results[job] = exc
            self._done[job].set()

    def _run(self, job: Job) -> JobResult:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", job.name)[:60]  # names may hold paths
        tmp = Path(tempfile.mkdtemp(prefix=f"{safe}-", dir=self.root))
        for name, text in job.files.items():
            (tmp / name).write_text(text)
        subs = {"tmp": str(tmp)}
        if job.needs_store:
            assert self._store is not None
            store = tmp / "store"
            shutil.copytree(self._store, store)
            subs["store"] = str(store)
        if job.env is not None:
            env = {k: _fill(v, subs) for k, v in job.env.items()}
        else:
            env = {k: v for k, v in self._environ.items() if k not in job.unset_env}
            env |= {k: _fill(v, subs) for k, v in job.set_env.items()}
        argv = [_fill(a, subs) for a in job.argv]
        self._proc = subprocess.Popen(
            argv,
            cwd=job.cwd or self._cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            out, err = self._proc.communicate(timeout=job.timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            out, err = self._proc.communicate()
            err += f"\n[killed after {job.timeout} s]"
        return JobResult(self._proc.returncode, out, err, tmp)


def _fill(text: str, subs: Mapping[str, str]) -> str:
    """``text`` with each ``{name}`` of ``subs`` replaced (other braces are left alone)."""
    for name, value in subs.items():
        text = text.replace("{" + name + "}", value)
    return text


_BACKGROUND = pytest.StashKey[Background]()


def _jobs_of(item: pytest.Item) -> list[Job]:
    return [job for m in item.iter_markers("background") for job in m.args]


#: modules in the order the workers start them: longest first (seconds of CPU on two cores,
#: their subprocess jobs included, as seen in November 2026), so that pytest-xdist (``--dist
#: loadfile --no-loadscope-reorder``, see pyproject.toml), which hands whole modules to its
#: workers in this order, ends the run with short modules on both workers instead of one long
#: module on one while the other idles. ``test_style.py`` starts early because its mypy job
#: (about 7 s on a fresh clone) runs beside the tests; the two modules that use vectorbt
#: (``test_strategies.py``, ``test_perf_kernels.py``) start after more than half of the run,
#: when the vectorbt warm-up of a fresh clone (``_warm_numba_caches``) has long finished.
LONGEST_FIRST = (
    "test_reports.py",  # 26 s
    "test_claims.py",  # 15 s
    "test_stats_inference.py",  # 13 s
    "test_data_store.py",  # 13 s
    "test_parallel.py",  # 12 s
    "test_notebooks.py",  # 10 s
    "test_style.py",  # 2 s; mypy 7 s on a cold cache
    "test_fastpath.py",  # 7 s
    "test_report_speed.py",  # 6 s
    "test_strategies.py",  # 8 s
    "test_data_errors.py",  # 5 s
    "test_user_claims.py",  # 4 s
    "test_perf_kernels.py",  # 4 s
    "test_expectations.py",  # 3 s
    "test_docs.py",  # 2 s
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the modules of :data:`LONGEST_FIRST` first, in that order (stable otherwise)."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_collection_finish(session: pytest.Session) -> None:
    if session.config.option.collectonly:
        return
    jobs = [job for item in session.items for job in _jobs_of(item)]
    if not jobs:
        return
    root = Path(tempfile.mkdtemp(prefix="smallcap-bt-jobs-"))
    bg = Background(root)
    session.config.stash[_BACKGROUND] = bg
    if _xdist_worker(session.config):
        return  # a worker runs only some modules: it queues a module's jobs as it starts it
    for job in jobs:
        bg.submit(job)


def _xdist_worker(config: pytest.Config) -> bool:
    """Whether this process is a pytest-xdist worker (``-n``)."""
    return hasattr(config, "workerinput")


_QUEUED = pytest.StashKey[set[Path]]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """Tell each xdist worker how the controller distributes tests (in a worker, ``--dist``
    reads ``no``)."""
    node.workerinput["dist"] = node.config.getoption("dist")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """In an xdist worker, queue the jobs of every test of a module when its first test
    starts (``--dist loadfile`` gives a worker whole modules), so that they run on the
    background thread while the module's other tests run."""
    bg = item.config.stash.get(_BACKGROUND, None)
    if bg is None or not _xdist_worker(item.config):
        return
    if getattr(item.config, "workerinput", {}).get("dist") != "loadfile":
        return  # other modes split modules across workers: each test's job runs on demand
    queued = item.config.stash.setdefault(_QUEUED, set())
    if item.path in queued:
        return
    queued.add(item.path)
    for other in item.session.items:
        if other.path == item.path:
            for job in _jobs_of(other):
                bg.submit(job)


def pytest_sessionfinish(session: pytest.Session) -> None:
    warming = session.config.stash.get(_WARMING, None)
    if warming is not None:
        _finish_warming(warming, 120)
    bg = session.config.stash.get(_BACKGROUND, None)
    if bg is not None:
        bg.close()
        shutil.rmtree(bg.root, ignore_errors=True)


@pytest.fixture
def background(request: pytest.FixtureRequest) -> Callable[[Job], JobResult]:
    """``background(job)``: the result of a job declared with ``@pytest.mark.background``."""
    config = request.config
    if _BACKGROUND not in config.stash:
        config.stash[_BACKGROUND] = Background(Path(tempfile.mkdtemp(prefix="smallcap-bt-jobs-")))
    bg = config.stash[_BACKGROUND]

    def get(job: Job) -> JobResult:
        store = request.getfixturevalue("store_dir") if job.needs_store else None
        return bg.result(job, store)

    return get
