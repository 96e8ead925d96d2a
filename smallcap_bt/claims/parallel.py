"""Claims evaluated in forked worker processes: the same results, on every core.

Every claim draws from its own generator (seeded by the base seed, the claim id and the part),
so a claim's result does not depend on which process runs it or on what ran before; the
results come back in the order the claims were given. Workers are forked (Linux): they start
at once with the caller's loaded modules, compiled kernels and panel, and never re-import
``__main__``. Where ``fork`` is missing the claims run in the calling process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from smallcap_bt.claims.engine import Settings
    from smallcap_bt.claims.model import Claim
    from smallcap_bt.claims.runner import ClaimResult
    from smallcap_bt.data.vintage import Vintage

#: environment variable giving the default number of processes (``jobs=None``)
JOBS_ENV = "SMALLCAP_BT_JOBS"

# what a forked worker works on (set by worker_init in the worker, never in the parent)
_WORK: Any = None


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


#: most processes a run may ask for (``--jobs``, ``$SMALLCAP_BT_JOBS``, ``jobs=``)
MAX_JOBS = 256


def resolve_jobs(jobs: int | str | None) -> int:
    """Number of processes for ``jobs``: an int as given (1 to :data:`MAX_JOBS`); ``"auto"`` =
    :func:`usable_cpus` (``--jobs auto``, whatever the environment says); ``None`` = the
    ``SMALLCAP_BT_JOBS`` environment variable (``auto`` or a number, as ``--jobs``), else
    :func:`usable_cpus`.

    Raises
    ------
    ValueError
        ``jobs`` or the environment variable is not a positive integer.
    """
    if isinstance(jobs, str) and jobs == "auto":
        return usable_cpus()
    if jobs is None:
        raw = os.environ.get(JOBS_ENV, "").strip()
        if not raw or raw == "auto":  # as --jobs auto
            return usable_cpus()
        try:
            jobs = int(raw)
        except ValueError:
            raise ValueError(
                f"{JOBS_ENV}={raw!r}: expected 'auto' or a whole number from 1 to {MAX_JOBS}"
            ) from None
        what = f"{JOBS_ENV}={raw!r}"
    else:
        what = f"jobs={jobs!r}"
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise ValueError(f"{what}: expected 'auto' or a whole number from 1 to {MAX_JOBS}")
    return jobs


#: modules the templates import on first use: loaded once before the fork, not in each worker
PRELOAD = (
    "scipy.special",
    "smallcap_bt.stats.nb",
    "smallcap_bt.stats.rotation",
    "smallcap_bt.stats.nb_predictive",
    "smallcap_bt.claims.fastpath",
)


def _preload(claims: Sequence[Claim]) -> None:
    """Import what the workers would each import (scipy, the kernels and the claims'
    templates) and ready numba's CPU target, so that forked workers inherit them instead of
    paying for them each."""
    import importlib

    from smallcap_bt.claims.templates.base import get_template

    for name in PRELOAD:
        importlib.import_module(name)
    _ready_numba_target()
    for claim in claims:
        for part in claim.parts if claim.testable else ():
            get_template(part.test)


def _ready_numba_target() -> None:
    """Install numba's CPU implementations (its ``refresh``: about 70 modules, scipy.linalg's
    BLAS among them) here, once: a process does it when it first loads a compiled kernel,
    so every forked worker would do it again (about 0.5 s of CPU each). numba's internal API:
    if a numba release moves it, the workers simply do it themselves."""
    try:
        from numba.core.registry import cpu_target

        cpu_target.target_context.refresh()
    except (ImportError, AttributeError):  # pragma: no cover - another numba layout
        pass


def fork_context():
    """``fork`` where the platform has it (Linux): workers start at once with the caller's
    modules and data and never re-import its ``__main__`` (``spawn`` would, and fail in
    scripts without a main guard); ``None`` elsewhere (no worker processes then)."""
    import multiprocessing

    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


def start_pool(
    n: int, context: Any, initializer: Callable[..., object] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """A pool of ``n`` workers forked now (``context`` from :func:`fork_context`), with the
    caller's objects frozen out of the garbage collector during the fork (``gc.freeze``, as
    the :mod:`gc` documentation advises before a fork): a worker's collections then skip the
    objects it inherited instead of writing to every one of them, which would copy their
    memory pages into the worker. The caller's collector is unfrozen again at once."""
    import gc
    import os
    from concurrent.futures import ProcessPoolExecutor

    global _PARENT_PID
    _PARENT_PID = os.getpid()  # the forked workers inherit it: whose death ends them
    pool = ProcessPoolExecutor(
        n, context, initializer=_start_worker, initargs=(initializer, initargs)
    )
    mine = gc.get_freeze_count() == 0  # never unfreeze what an embedding program froze
    if mine:
        gc.freeze()
    try:
        pool.submit(int)  # a fork context starts every worker at the first task
    except BaseException:
        stop_pool(pool)
        raise
    finally:
        if mine:
            gc.unfreeze()
    return pool


#: the process that started the pool (set before the fork, read by its workers)
_PARENT_PID: int | None = None


def _start_worker(initializer: Callable[..., object] | None, initargs: tuple) -> None:
    """Every pool worker: die with the parent, then the caller's initializer."""
    _die_with_parent()
    if initializer is not None:
        initializer(*initargs)


def worker_init(work: Any = None) -> None:
    """Initializer of forked worker processes (claims here, figures in the report).

    Keeps ``work`` for the tasks (passed at the fork, not pickled; nothing global in the
    parent), lets only the parent handle Ctrl-C, writes to the real stdout/stderr (a progress
    bar in the parent may have replaced them with proxies whose locks a fork can copy while
    held), and runs the numba block kernels on one thread (processes x threads <= cores).
    """
    import signal

    from smallcap_bt.stats import rotation

    global _WORK
    _WORK = work
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    rotation.THREADS = 1


def _die_with_parent() -> None:
    """On Linux, ask the kernel to send this worker SIGTERM when its parent dies: a parent
    killed by SIGTERM or SIGKILL cannot stop its pool, and the workers were left running,
    reparented to init. Elsewhere (no ``prctl``) nothing happens. The parent is the process
    that started the pool (recorded before the fork), which may be PID 1 itself, as in a
    container whose entry point is ``smallcap-bt``."""
    import ctypes
    import os
    import signal

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):
        return
    if _PARENT_PID is not None and os.getppid() != _PARENT_PID:
        os._exit(1)  # the parent died before prctl: nobody will send the signal


def worker_work() -> Any:
    """What :func:`worker_init` was given (in a worker process)."""
    if _WORK is None:
        raise RuntimeError("smallcap_bt worker started without its work (not forked?)")
    return _WORK


def _run_index(i: int) -> ClaimResult:
    import pickle
    import traceback

    from smallcap_bt.claims.runner import run_claim

    claims, vintage, settings = worker_work()
    try:
        return run_claim(claims[i], vintage, settings)
    except BaseException as exc:
        error, text = exc, traceback.format_exc()
    try:  # an error that cannot cross the process boundary would lose its message
        pickle.loads(pickle.dumps(error))
    except Exception:
        message = (
            f"claim {claims[i].id!r} failed in a worker process: "
            f"{type(error).__name__}: {error}\n{text}"
        )
    else:
        raise error
    # raised outside any handler: nothing unpicklable hangs on it as context
    raise RuntimeError(message)


def stop_pool(pool: Any) -> None:
    """Stop a process pool at once: queued tasks cancelled, running workers terminated
    (``ProcessPoolExecutor`` waits for running tasks otherwise; it has no public way to stop
    them before Python 3.14)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # shutdown clears it
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(5)


def _cost_rank(claim: Claim) -> int:
    """Claims likely to take longest go first (null simulations, event placebos), so that no
    worker starts a long claim last while the others idle."""
    heavy = {"predictive_regression": 0, "leading_indicator": 0, "event_study": 1}
    if not claim.testable or not claim.parts:
        return 9
    return min(heavy.get(p.test, 2) for p in claim.parts)


def run_claims(
    claims: Sequence[Claim],
    vintage: Vintage,
    settings: Settings,
    jobs: int | str | None = 1,
    on_done: Callable[[str], object] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[ClaimResult]:
    """Evaluate ``claims`` on ``vintage``, in ``jobs`` processes (see :func:`resolve_jobs`).

    Parameters
    ----------
    claims : sequence of Claim
        The claims, in the order their results are returned.
    vintage : Vintage
        The data (its panel is built here before forking, once for every worker).
    settings : Settings
        Seed and draws.
    jobs : int, "auto" or None
        Processes (1 = this one; capped at the number of claims).
    on_done : callable, optional
        Called with each claim id as its result arrives (completion order; while
        ``meanwhile`` runs, the calls wait for it to return).
    meanwhile : callable, optional
        Light work for this process, called once with no arguments after the workers are
        forked, while they evaluate the claims (the report imports its plotting modules so);
        before the claims when they run in this process. If it raises, the workers are
        stopped and the error propagates.

    Returns
    -------
    list of ClaimResult
        One per claim, in the order given; identical for any ``jobs``.
    """
    from smallcap_bt.claims.runner import run_claim

    n = min(resolve_jobs(jobs), len(claims))
    context = fork_context() if n > 1 else None
    if context is None:
        if meanwhile is not None:
            meanwhile()
        out = []
        for claim in claims:
            out.append(run_claim(claim, vintage, settings))
            if on_done is not None:
                on_done(claim.id)
        return out
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    _ = vintage.panel  # build (or load) the panel once, before the fork
    _preload(claims)
    order = sorted(range(len(claims)), key=lambda i: _cost_rank(claims[i]))
    results: list[ClaimResult | None] = [None] * len(claims)
    pool = start_pool(n, context, worker_init, ((claims, vintage, settings),))
    try:
        futures = {pool.submit(_run_index, i): i for i in order}
        if meanwhile is not None:
            meanwhile()
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except BrokenProcessPool:
                left = [claims[j].id for j in range(len(claims)) if results[j] is None]
                raise RuntimeError(
                    f"a worker process died while evaluating claims ({', '.join(left)} had "
                    "not finished); run with --jobs 1 to see the error in this process"
                ) from None
            if on_done is not None:
                on_done(claims[i].id)
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown()
    return [r for r in results if r is not None]
