"""Where a batch's submissions are graded: worker processes, and the warm kernels each worker
(a process of the pool, or of a Dask cluster) forks its submissions' kernels from.

    process_pool(n, zygote)  n processes from a clean fork server, each set up by `_worker_setup`
    start_fork_server()      that fork server, started now: it imports what the checks import
                             (`WORKER_PRELOAD`) once, for every worker it forks
    shared_zygote(...)       one warm, sandboxed process for all workers (imports held once);
                             the fork server starts first, so the two import side by side
    warm_kernels(options)    in a worker: its kernel starter (forked from the zygote, or cold)
    grade_entry_warm(e, o)   `grader.batch.run.grade_entry` with this worker's warm kernels
    stop_pool(pool)          abandon a pool: terminate its workers, and so their kernels

Per-process state (a worker's, never the parent's): `_WARM`, the worker's kernel starter for
each sandbox policy, made at its first submission and kept for its life; `_SHARED_ZYGOTE`, the
address of the batch's zygote that the parent handed to the worker when it started. Both are
resources of the process, like its open kernels; nothing is collected in them.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Iterable

from grader.batch.cache import ResultCache, grader_version, result_key
from grader.batch.run import grade_entry
from grader.execute.kernel import start_kernel
from grader.options import GradeOptions, SandboxPolicy, limit_grading_memory, sandbox_policy
from grader.pipeline import KernelStarter
from grader.results import GradeReport, RowStatus
from grader.submission.discover import Entry

if TYPE_CHECKING:
    from grader.warm.zygote import Zygote

# What the workers' fork server imports before forking any worker: the grader, and what the
# checks import when pytest collects them (pytest and torch through the plugin, pandas and
# IPython's input transformer for source scans, scikit-learn's digits). Each worker starts with
# them, so neither its first submission nor a worker that replaces a retired one imports them
# again. Module names: multiprocessing imports them, in the fork server only.
WORKER_PRELOAD = ["grader.pipeline", "grader.checking.plugin",
                  "grader.check_tools", "IPython.core.inputtransformer2", "sklearn.datasets"]
# A worker is replaced after this many submissions, bounding what pytest's runs leave behind in
# it; with the imports preloaded a replacement costs a fork and one kernel forked ahead.
TASKS_PER_WORKER = 100

_WARM: dict[SandboxPolicy, KernelStarter] = {}  # this worker's kernel starter, by policy
_SHARED_ZYGOTE: list = []  # this worker's one ZygoteAddress, when the parent made a zygote
_WARM_LOCK = threading.Lock()  # a Dask worker grades on several threads


def warm_kernels(options: GradeOptions) -> KernelStarter:
    """This process's warm kernels for the options' policy (the course's folders hidden); cold
    ones if the warm kernels' fork server cannot start here."""
    from grader.warm.kernels import WarmKernels  # its imports only in a worker that grades

    policy = sandbox_policy(options)
    with _WARM_LOCK:
        if policy not in _WARM:
            shared = _SHARED_ZYGOTE[0] if _SHARED_ZYGOTE else None
            try:
                if shared is not None and shared.policy == policy:  # one zygote for all workers
                    _WARM[policy] = WarmKernels(policy, ahead=1, zygote=shared).start
                else:
                    _WARM[policy] = WarmKernels(policy, ahead=1).start
            except Exception as error:  # noqa: BLE001 - slower, but every submission is graded
                print(f"grade: no warm kernels in worker {os.getpid()} ({error}); "
                      "starting each kernel from scratch", file=sys.stderr)
                _WARM[policy] = start_kernel
        return _WARM[policy]


def grade_entry_warm(entry: Entry, options: GradeOptions) -> tuple[GradeReport, RowStatus]:
    """`grade_entry` in a worker, its kernel forked from this worker's warm kernels."""
    return grade_entry(entry, options, warm_kernels(options))


def _worker_setup(parent: int, zygote=None) -> None:  # noqa: ANN001 - a ZygoteAddress
    """In each worker: its own process group, so Ctrl-C at the terminal reaches only the
    parent, which decides; SIGTERM unwinds (closing the kernel) instead of killing outright;
    a watch on the parent, since a pool's workers outlive a parent that was killed; and the
    address of the batch's shared zygote, if there is one."""
    if zygote is not None:
        _SHARED_ZYGOTE[:] = [zygote]
    os.setpgrp()
    limit_grading_memory()
    signal.signal(signal.SIGTERM, _exit_on_signal)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(15)  # time to close the kernel, then no more waiting
            os._exit(1)
        except PermissionError:
            pass


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def process_pool(workers: int, zygote=None) -> cf.ProcessPoolExecutor:  # noqa: ANN001
    """Worker processes forked from a clean server that has the grader and the checks'
    libraries already imported (`WORKER_PRELOAD`); given a `grader.warm.kernels.ZygoteAddress`,
    their warm kernels all come from that one zygote."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    recycle = {"max_tasks_per_child": TASKS_PER_WORKER} \
        if sys.version_info >= (3, 11) else {}  # novermin
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                  initializer=_worker_setup, initargs=(os.getpid(), zygote),
                                  **recycle)


def start_fork_server() -> None:
    """Start the workers' fork server now, without waiting for its imports: a pool made later
    forks its workers from it (a pool starts it at its first submission otherwise)."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(WORKER_PRELOAD)
    multiprocessing.forkserver.ensure_running()


def shared_zygote(entries: Iterable[Entry], options: GradeOptions, cache: ResultCache | None,
                  force: bool) -> Zygote | None:
    """One warm zygote for all of a batch's workers (their imported modules held in memory
    once), when something is left to grade and the sandbox allows it; else None."""
    from grader.warm.kernels import zygote_can_serve
    from grader.warm.zygote import Zygote

    version = grader_version()
    if not force and cache is not None and all(
            cache.load(result_key(e.path, options, version)) is not None for e in entries):
        return None
    start_fork_server()  # its imports and the zygote's run side by side
    policy = sandbox_policy(options)
    if not zygote_can_serve(policy):
        return None
    try:
        return Zygote(policy)
    except Exception as error:  # noqa: BLE001 - each worker then makes its own, or goes cold
        print(f"grade: no shared warm kernels ({error})", file=sys.stderr)
        return None


def stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Abandon a process pool's running work: terminate its workers (their kernels go too)."""
    # `_processes` (pid -> Process) is private: the executor has no public handle on its
    # workers, and shutdown() cannot stop running work. tests/batch/test_workers.py notices
    # if it goes.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes:
        process.join(timeout=max(0.1, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    # The executor's own thread joins the same workers: where it reaped one first, our join
    # saw no child and is_alive() stays true until that thread, once it holds the GIL again,
    # records the exit. Sleeping lets it.
    end = time.monotonic() + 5
    for process in processes:
        while process.is_alive() and time.monotonic() < end:
            time.sleep(0.01)
