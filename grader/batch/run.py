"""Grading many submissions: in parallel, resumable, and always to the end.

    paths -> layout.discover -> [Entry] -> cache hit?  -> yes: the stored report
                                          \\-> no: executor.submit(grade_entry) -> store

Each submission is graded by `grade_entry` in a worker (its own sandboxed kernel), through
`grade_or_explain`, so a malformed, crashing or looping notebook becomes a report with its
reason. `run_batch` takes any `concurrent.futures.Executor`: a process pool made by
`process_pool` (the default; pytest, which runs the checks, keeps global state, so one grading
per process at a time), or a Dask cluster's executor (`dask_executor`). Each worker forks its
kernels, one per submission, from its own `grader.execute.warm.WarmKernels` (the torch import paid once
per worker, not per submission), or starts each from scratch (`warm=False`). Ctrl-C once: queued
submissions are dropped and running ones finish; twice: running ones are abandoned. Every
finished result is already in the state folder by then.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Callable, Iterable

from grader.batch.cache import ResultCache, grader_version, result_key
from grader.submission.discover import Entry
from grader.execute.kernel import start_kernel
from grader.pipeline import GradeOptions, KernelStarter, grade_or_explain, sandbox_policy
from grader.results import GradeReport, GradeStatus, Isolation
from grader.execute.sandbox import SandboxPolicy, isolation_for

POLL_SECONDS = 0.5


class RowStatus(str, Enum):
    """A batch row: the report's status, or the grader's own failure."""

    GRADED = "graded"
    UNGRADABLE = "ungradable"  # the submission: not a notebook, unknown assignment, ...
    ERROR = "error"  # the grader: no kernel could start, an internal error (retried next run)
    NOT_RUN = "not run"  # the batch was interrupted before it was graded


@dataclass(frozen=True)
class Outcome:
    """One submission's row in a batch."""

    entry: Entry
    report: GradeReport
    status: RowStatus
    cached: bool = False  # taken from the state folder, not graded in this run

    @property
    def student(self) -> str:
        return self.entry.student


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[Outcome, ...]
    interrupted: bool = False
    duration: float = 0.0
    version: str = ""

    @property
    def graded_now(self) -> int:
        return sum(1 for o in self.outcomes if not o.cached and o.status is not RowStatus.NOT_RUN)

    @property
    def cached(self) -> int:
        return sum(1 for o in self.outcomes if o.cached)


@dataclass
class Progress:
    """What the progress display is told after each event."""

    total: int
    workers: int
    done: int = 0
    cached: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    durations: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    stopping: bool = False
    last: Outcome | None = None

    def seconds_left(self) -> float | None:
        """Remaining submissions at the rate graded so far (None until one is graded)."""
        fresh = self.done - self.cached
        if fresh <= 0:
            return None
        return (self.total - self.done) * (time.monotonic() - self.started) / fresh


ProgressHook = Callable[[Progress], None]


def grade_entry(entry: Entry, options: GradeOptions,
                warm: bool = False) -> tuple[GradeReport, RowStatus]:
    """Grade one submission in a worker; never raises (a grader failure becomes a row).

    `warm`: take the kernel from this worker's `WarmKernels` (made at its first submission)."""
    started = time.monotonic()
    if entry.path.is_symlink():  # it could point at a solution: only what was handed in is graded
        report = GradeReport(submission=str(entry.path), assignment=None, student=entry.student,
                             status=GradeStatus.UNGRADABLE,
                             reason=f"{entry.path}: a symbolic link, not a notebook")
        return report, RowStatus.UNGRADABLE
    try:
        kernels = _warm_kernels(options) if warm else start_kernel
        report = grade_or_explain(entry.path, options, kernels)
        status = RowStatus(report.status.value)
    except Exception as error:  # noqa: BLE001 - the batch must go on; the row says why
        reason = f"the grader failed: {type(error).__name__}: {error}"
        report = GradeReport(submission=str(entry.path), assignment=None,
                             status=GradeStatus.UNGRADABLE, reason=reason,
                             duration=time.monotonic() - started)
        status = RowStatus.ERROR
        traceback.print_exc()
    return replace(report, student=entry.student), status


_WARM: dict[SandboxPolicy, KernelStarter] = {}  # per worker process: its kernel starter, by policy
_SHARED_ZYGOTE: list = []  # per worker process: the batch's one zygote, when the parent made one
_WARM_LOCK = threading.Lock()  # (a resource of the process, like its kernels: not a collector)


def _warm_kernels(options: GradeOptions) -> KernelStarter:
    """This process's warm kernels for the options' policy (the course's folders hidden); cold
    ones if the warm kernels' fork server cannot start here."""
    from grader.execute.warm import WarmKernels

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


def run_batch(entries: Iterable[Entry], options: GradeOptions, executor: cf.Executor,
              cache: ResultCache | None = None, force: bool = False, workers: int = 1,
              progress: ProgressHook | None = None,
              abandon: Callable[[], None] | None = None,
              grader: Callable[[Entry, GradeOptions], tuple[GradeReport, RowStatus]] = grade_entry,
              ) -> BatchResult:
    """Grade `entries` on `executor`, reusing and filling `cache`; returns every row in order.

    `grader` runs in the executor's workers (a picklable function; tests pass a fake)."""
    entries = list(entries)
    started = time.monotonic()
    version = grader_version()
    state = Progress(total=len(entries), workers=max(1, workers))
    outcomes: dict[int, Outcome] = {}
    keys: dict[int, str] = {}

    def record(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        state.done += 1
        state.cached += outcome.cached
        state.counts[outcome.status.value] = state.counts.get(outcome.status.value, 0) + 1
        state.last = outcome
        if progress:
            progress(state)

    pending: dict[cf.Future, int] = {}
    queue: list[int] = []
    interrupted = False

    def finish(future: cf.Future) -> None:
        index = pending.pop(future)
        if future.cancelled():
            return
        report, status = _result_of(future, entries[index])
        if cache is not None and status is not RowStatus.ERROR:
            cache.store(keys[index], report)
        record(index, Outcome(entries[index], report, status))

    try:
        for index, entry in enumerate(entries):
            keys[index] = result_key(entry.path, options, version)
            stored = None if force or cache is None else cache.load(keys[index])
            if stored is not None:
                stored = replace(stored, student=entry.student, submission=str(entry.path))
                record(index, Outcome(entry, stored, RowStatus(stored.status.value), cached=True))
            else:
                queue.append(index)
        queue.reverse()
        while queue or pending:
            while queue and len(pending) < state.workers:  # no more in flight than can run
                index = queue.pop()
                pending[executor.submit(grader, entries[index], options)] = index
            done, _ = cf.wait(list(pending), timeout=POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
            for future in done:
                finish(future)
            if not done and progress:
                progress(state)
    except KeyboardInterrupt:
        interrupted = True
        state.stopping = True
        queue.clear()
        try:
            if progress:
                progress(state)
            for future in cf.as_completed(list(pending)):
                finish(future)
        except KeyboardInterrupt:
            if abandon:
                abandon()
    rows = []
    for index, entry in enumerate(entries):
        rows.append(outcomes.get(index) or Outcome(
            entry, GradeReport(submission=str(entry.path), assignment=None,
                               status=GradeStatus.UNGRADABLE, student=entry.student,
                               reason="not graded: the batch was interrupted"),
            RowStatus.NOT_RUN))
    return BatchResult(tuple(rows), interrupted, time.monotonic() - started, version)


def _result_of(future: cf.Future, entry: Entry) -> tuple[GradeReport, RowStatus]:
    try:
        return future.result()
    except BaseException as error:  # noqa: BLE001 - a worker that died is one row, not the batch
        if isinstance(error, KeyboardInterrupt):
            raise
        report = GradeReport(submission=str(entry.path), assignment=None,
                             status=GradeStatus.UNGRADABLE, student=entry.student,
                             reason=f"the grader failed: {type(error).__name__}: {error}")
        return report, RowStatus.ERROR


# -- executors ---------------------------------------------------------------------------------

def _worker_setup(parent: int, zygote=None) -> None:  # noqa: ANN001 - a ZygoteAddress
    """In each worker: its own process group, so Ctrl-C at the terminal reaches only the
    parent, which decides; SIGTERM unwinds (closing the kernel) instead of killing outright;
    a watch on the parent, since a pool's workers outlive a parent that was killed; and the
    address of the batch's shared zygote, if there is one."""
    if zygote is not None:
        _SHARED_ZYGOTE[:] = [zygote]
    os.setpgrp()
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
    """Worker processes forked from a clean server that has the grader already imported;
    given a `grader.execute.warm.ZygoteAddress`, their warm kernels all come from that one zygote."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["grader.pipeline"])
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                  initializer=_worker_setup, initargs=(os.getpid(), zygote),
                                  max_tasks_per_child=25)


def shared_zygote(entries: list[Entry], options: GradeOptions, cache: ResultCache | None,
                  force: bool):  # noqa: ANN201 - a grader.execute.warm.Zygote or None
    """One warm zygote for all of a batch's workers (their imported modules held in memory
    once), when something is left to grade and the sandbox allows it; else None."""
    from grader.execute.warm import Zygote

    version = grader_version()
    if not force and cache is not None and all(
            cache.load(result_key(e.path, options, version)) is not None for e in entries):
        return None
    policy = sandbox_policy(options)
    if isolation_for(policy) is not Isolation.BUBBLEWRAP:
        return None
    try:
        return Zygote(policy)
    except Exception as error:  # noqa: BLE001 - each worker then makes its own, or goes cold
        print(f"grade: no shared warm kernels ({error})", file=sys.stderr)
        return None


def stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Abandon a process pool's running work: terminate its workers (their kernels go too)."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public handle on them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes:
        process.join(timeout=max(0.1, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()


def dask_executor(address: str) -> tuple[cf.Executor, Callable[[], None], int]:
    """An executor on the Dask cluster at `address`, a function that closes it, its threads."""
    try:
        from distributed import Client
    except ImportError as error:
        from grader.errors import UsageError

        raise UsageError("--scheduler needs Dask: pip install 'dl-notebook-grader[dask]'") from error
    client = Client(address)
    threads = sum(client.nthreads().values()) or 1
    return client.get_executor(pure=False), client.close, threads


def default_state(outputs: Iterable[Path | None]) -> Path:
    """`.grader-state` beside the first output named, else in the current folder."""
    for output in outputs:
        if output is not None:
            return Path(output).resolve().parent / ".grader-state"
    return Path.cwd() / ".grader-state"
