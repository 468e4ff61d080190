"""Grading many submissions: in parallel, resumable, and always to the end.

    paths -> discover -> [Entry] -> cache hit?  -> yes: the stored report
                                    \\-> no: executor.submit(grade_entry) -> store

Each submission is graded by `grade_entry` in a worker (its own sandboxed kernel), through
`grade_or_explain`, so a malformed, crashing or looping notebook becomes a report with its
reason. `run_batch` takes any `concurrent.futures.Executor`: a process pool
(`grader.warm.workers.process_pool`, the command's default; pytest, which runs the checks,
keeps global state, so one grading per process at a time), or a Dask cluster's executor
(`grader.batch.cluster.dask_executor`). This module is the cold path: it imports nothing of
`grader.warm`; a warm worker grades with `grader.warm.workers.grade_entry_warm`. Ctrl-C once:
queued submissions are dropped and running ones finish; twice: running ones are abandoned.
Every finished result is already in the state folder by then.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from grader.batch.cache import ResultCache, grader_version, result_key
from grader.execute.kernel import start_kernel
from grader.i18n import _, speaking
from grader.options import GradeOptions
from grader.pipeline import KernelStarter, grade_or_explain
from grader.results import BatchResult, GradeReport, Outcome, RowStatus, ungradable_report
from grader.submission.discover import Entry

__all__ = ["BatchResult", "BatchRun", "Outcome", "Progress", "RowStatus", "default_state",
           "grade_entry", "run_batch"]

POLL_SECONDS = 0.5
Grader = Callable[[Entry, GradeOptions], tuple[GradeReport, RowStatus]]


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
                kernels: KernelStarter = start_kernel) -> tuple[GradeReport, RowStatus]:
    """Grade one submission in a worker; never raises (a grader failure becomes a row).

    `kernels`: where its kernel comes from (a cold start; a warm worker passes its own)."""
    started = time.monotonic()
    with speaking(options.language, options.course.folders):  # a link could point at a solution
        refused = _(entry.refused) if entry.refused else (_("{path}: a symbolic link, not a notebook").format(path=entry.path)
                                    if entry.path.is_symlink() else "")
    if refused:
        return ungradable_report(entry.path, None, refused, student=entry.student), RowStatus.UNGRADABLE
    if entry.assignment:  # the layout names the assignment: it wins over the metadata
        options = replace(options, assignment=entry.assignment)
    try:
        report = grade_or_explain(entry.path, options, kernels)
        status = RowStatus(report.status.value)
    except Exception as error:  # noqa: BLE001 - the batch must go on; the row says why
        report = ungradable_report(entry.path, None, _failure(error),
                                   duration=time.monotonic() - started)
        status = RowStatus.ERROR
        traceback.print_exc()
    return replace(report, student=entry.student), status


def run_batch(entries: Iterable[Entry], options: GradeOptions, executor: cf.Executor,
              cache: ResultCache | None = None, force: bool = False, workers: int = 1,
              progress: ProgressHook | None = None,
              abandon: Callable[[], None] | None = None,
              grader: Grader = grade_entry) -> BatchResult:
    """Grade `entries` on `executor`, reusing and filling `cache`; returns every row in order.

    `grader` runs in the executor's workers (a picklable function; tests pass a fake)."""
    return BatchRun(list(entries), options, executor, cache, force, workers, progress, abandon,
                    grader).run()


class BatchRun:
    """One batch: its rows handed out to the executor, never more in flight than can run, each
    result stored in the cache as it comes and recorded in `state` (what the progress hook sees)."""

    def __init__(self, entries: list[Entry], options: GradeOptions, executor: cf.Executor,
                 cache: ResultCache | None, force: bool, workers: int,
                 progress: ProgressHook | None, abandon: Callable[[], None] | None,
                 grader: Grader) -> None:
        self.entries, self.options, self.executor, self.cache = entries, options, executor, cache
        self.force, self.progress, self.abandon, self.grader = force, progress, abandon, grader
        self.version = grader_version()
        self.state = Progress(total=len(entries), workers=max(1, workers))
        self.outcomes: dict[int, Outcome] = {}
        self.keys: dict[int, str] = {}
        self.pending: dict[cf.Future, int] = {}
        self.queue: list[int] = []  # rows still to hand out, the next one last

    def run(self) -> BatchResult:
        started = time.monotonic()
        interrupted = False
        try:
            self._take_stored()
            self._hand_out()
            while self.pending:
                done, _ = cf.wait(list(self.pending), timeout=POLL_SECONDS,
                                  return_when=cf.FIRST_COMPLETED)
                self._hand_out(len(done))  # a free worker gets its next one before results are stored
                for future in done:
                    self._finish(future)
                if not done and self.progress:
                    self.progress(self.state)
        except KeyboardInterrupt:
            interrupted = True
            self._drain()
        rows = [self.outcomes.get(index) or Outcome(
            entry.student, entry.path,
            ungradable_report(entry.path, None, "not graded: the batch was interrupted",
                              student=entry.student),
            RowStatus.NOT_RUN) for index, entry in enumerate(self.entries)]
        return BatchResult(tuple(rows), interrupted, time.monotonic() - started, self.version)

    def _take_stored(self) -> None:
        """Rows the cache already holds are recorded; the others queue, in order."""
        for index, entry in enumerate(self.entries):
            stored = None if self.force or self.cache is None else self.cache.load(self._key(index))
            if stored is not None:
                stored = replace(stored, student=entry.student, submission=str(entry.path))
                self._record(index, Outcome(entry.student, entry.path, stored,
                                            RowStatus(stored.status.value), cached=True))
            else:
                self.queue.append(index)
        self.queue.reverse()

    def _key(self, index: int) -> str:
        """The row's cache key, computed once: when looked up, else as it is handed out."""
        if index not in self.keys:
            self.keys[index] = result_key(self.entries[index].path, self.options, self.version)
        return self.keys[index]

    def _hand_out(self, finishing: int = 0) -> None:
        """Submit queued rows while fewer than `workers` are in flight (`finishing`: done, not
        yet taken off `pending`)."""
        while self.queue and len(self.pending) - finishing < self.state.workers:
            index = self.queue.pop()
            self.pending[self.executor.submit(self.grader, self.entries[index], self.options)] = index
            self._key(index)  # the notebook as handed out, while its worker starts on it

    def _finish(self, future: cf.Future) -> None:
        index = self.pending.pop(future)
        if future.cancelled():
            return
        entry = self.entries[index]
        report, status = _result_of(future, entry)
        if self.cache is not None and status is not RowStatus.ERROR:
            self.cache.store(self._key(index), report)
        self._record(index, Outcome(entry.student, entry.path, report, status))

    def _record(self, index: int, outcome: Outcome) -> None:
        self.outcomes[index] = outcome
        state = self.state
        state.done += 1
        state.cached += outcome.cached
        state.counts[outcome.status.value] = state.counts.get(outcome.status.value, 0) + 1
        state.last = outcome
        if self.progress:
            self.progress(state)

    def _drain(self) -> None:
        """Ctrl-C once: drop the queue, let running rows finish; twice: abandon them."""
        self.state.stopping = True
        self.queue.clear()
        try:
            if self.progress:
                self.progress(self.state)
            for future in cf.as_completed(list(self.pending)):
                self._finish(future)
        except KeyboardInterrupt:
            if self.abandon:
                self.abandon()


def _result_of(future: cf.Future, entry: Entry) -> tuple[GradeReport, RowStatus]:
    try:
        return future.result()
    except BaseException as error:  # a worker that died is one row, not the batch
        if isinstance(error, KeyboardInterrupt):
            raise
        return ungradable_report(entry.path, None, _failure(error), student=entry.student), \
            RowStatus.ERROR


def _failure(error: BaseException) -> str:
    """The reason of a grader failure, for the instructor (reporters for students cut it)."""
    return f"the grader failed: {type(error).__name__}: {error}"


def default_state(outputs: Iterable[Path | None]) -> Path:
    """`.grader-state` beside the first output named, else in the current folder."""
    for output in outputs:
        if output is not None:
            return Path(output).resolve().parent / ".grader-state"
    return Path.cwd() / ".grader-state"
