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

__all__ = ["BatchResult", "Outcome", "Progress", "RowStatus", "default_state", "grade_entry",
           "run_batch"]

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

    def key_of(index: int) -> str:  # computed once: when looked up, else as it is handed out
        if index not in keys:
            keys[index] = result_key(entries[index].path, options, version)
        return keys[index]

    def hand_out(finishing: int = 0) -> None:  # `finishing`: done, not yet taken off `pending`
        while queue and len(pending) - finishing < state.workers:  # no more in flight than can run
            index = queue.pop()
            pending[executor.submit(grader, entries[index], options)] = index
            key_of(index)  # the notebook as handed out, while its worker starts on it

    def finish(future: cf.Future) -> None:
        index = pending.pop(future)
        if future.cancelled():
            return
        entry = entries[index]
        report, status = _result_of(future, entry)
        if cache is not None and status is not RowStatus.ERROR:
            cache.store(key_of(index), report)
        record(index, Outcome(entry.student, entry.path, report, status))

    try:
        for index, entry in enumerate(entries):
            stored = None if force or cache is None else cache.load(key_of(index))
            if stored is not None:
                stored = replace(stored, student=entry.student, submission=str(entry.path))
                record(index, Outcome(entry.student, entry.path, stored,
                                      RowStatus(stored.status.value), cached=True))
            else:
                queue.append(index)
        queue.reverse()
        hand_out()
        while pending:
            done, _ = cf.wait(list(pending), timeout=POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
            hand_out(len(done))  # a free worker gets its next submission before results are stored
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
    rows = [outcomes.get(index) or Outcome(
        entry.student, entry.path,
        ungradable_report(entry.path, None, "not graded: the batch was interrupted",
                          student=entry.student),
        RowStatus.NOT_RUN) for index, entry in enumerate(entries)]
    return BatchResult(tuple(rows), interrupted, time.monotonic() - started, version)


def _result_of(future: cf.Future, entry: Entry) -> tuple[GradeReport, RowStatus]:
    try:
        return future.result()
    except BaseException as error:  # noqa: BLE001 - a worker that died is one row, not the batch
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
