"""`grade NOTEBOOK`, warm: a grading daemon that keeps the grader's imports and a sandboxed
kernel ready between calls, so a student who grades again and again pays for them once.

    grade x.ipynb --(path, options)--> daemon --> its worker process grades x.ipynb with a
                  <------ report ----             kernel forked by the daemon's zygote

The daemon (`grader.warm.daemon` for its folder, lock, socket and idle clock) holds a zygote
(`grader.warm.zygote`, torch imported once) and a one-worker pool like a batch's
(`grader.warm.workers.process_pool`) whose fork server has imported the checks' libraries;
the worker keeps one kernel forked ahead. Isolation is a cold grade's: each submission gets a
kernel forked fresh for it, used once and destroyed; a worker process grades one submission at
a time and is replaced now and then, as in a batch; no student code runs in the daemon.

The pool's two processes (its fork server and the worker) earn their keep, measured on 2 cores:
a request's trip through the pool takes 0.3 ms (median of 50, a 60 kB answer); the daemon
itself stays at 31 MiB of PSS, the fork server and worker 184 + 181 MiB (pages they share
counted once), about 60 MiB more than one process grading in the daemon would hold. For that,
a worker is replaced after `TASKS_PER_WORKER` gradings without the daemon going cold (pytest's
leftovers stay bounded), a grading that crashes its process leaves the daemon to say so, and
the grading memory limit binds the worker, not the daemon.

One daemon per user, grader version and sandbox policy (`daemon_key`); the first `grade` that
finds none grades cold, then starts one in the background (`start_in_background`); a call that
finds it starting says so and waits for it (`STARTING_WAIT`). A call that finds it ready sends
the notebook's path and the options (`grade_warm`); anything amiss (no daemon, a grader error,
a daemon that went away) returns None and the caller grades cold, which raises the error the
cold path raises. The daemon exits after `idle` seconds unused.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from grader.warm import daemon
from grader.options import GradeOptions, SandboxPolicy, sandbox_policy
from grader.results import GradeReport

if TYPE_CHECKING:  # the command's side stays light: the daemon's side imports these
    from grader.execute.kernel import Kernel
    from grader.pipeline import KernelStarter

PROGRAM = "grader.warm.grading_daemon"  # run as `python -m`
DEFAULT_IDLE_MINUTES = 10.0
STARTING_WAIT = 30.0  # seconds a call waits for a daemon that is starting (its start: ~15 s)


@dataclass(frozen=True)
class DaemonConfig:
    """What `start_in_background` hands the daemon on its stdin."""

    folder: Path
    idle: float  # seconds
    policy: SandboxPolicy  # its zygote's sandbox
    options: GradeOptions  # the first caller's, to fork the first kernel ahead with
    warm_up: Path | None = None  # a solution notebook graded once before the daemon serves


def daemon_key(options: GradeOptions, version: str) -> str:
    """The daemon that may grade with `options`: made for exactly their sandbox (hidden
    folders, limits, threads) and this Python, then the grader's version: `<sandbox>-<version>`.
    A new version's daemon stops the one of the old version for the same sandbox."""
    sandbox = repr((sys.executable, sandbox_policy(options)))
    return f"{_digest(sandbox)[:12]}-{_digest(version)[:8]}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def daemon_folder(options: GradeOptions, root: Path, version: str) -> Path:
    return root / daemon_key(options, version)


def grade_warm(path: Path, options: GradeOptions, folder: Path,
               wait: float = STARTING_WAIT) -> GradeReport | None:
    """The report of `path` graded by the daemon of `folder`, or None if that cannot be done
    (no daemon; or grading failed there: the caller grades cold and says why). A daemon still
    starting (a previous call started it) is waited for, `wait` seconds at most, and said so
    in one line: grading cold meanwhile would compete with its start for the same cores."""
    request = (Path(os.path.abspath(path)), _portable(options))
    if wait > 0 and not (folder / daemon.SOCKET).exists() and daemon.running(folder):
        print(f"grade: the warm grading daemon is starting; waiting for it (at most {wait:.0f} s)",
              file=sys.stderr, flush=True)
        deadline = time.monotonic() + wait
        while not (folder / daemon.SOCKET).exists() and daemon.running(folder) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
    try:
        answer = daemon.ask(folder, request)
    except (OSError, EOFError, ValueError):
        return None
    if not isinstance(answer, GradeReport):
        return None
    return replace(answer, submission=str(path))


def start_in_background(options: GradeOptions, folder: Path, idle_minutes: float,
                        path: Path | None = None) -> bool:
    """Start the daemon of `folder` unless one runs (or is starting) there. Before it serves,
    it grades the solution of `path`'s assignment once (the checks' modules, the reference and
    the data then loaded in its worker: the next call pays for none of them)."""
    from grader.batch.cache import assignment_for

    assignment = assignment_for(path, options) if path is not None else None
    warm_up = assignment.solution if assignment is not None else None
    options = replace(options, assignment=assignment.id) if assignment is not None else options
    config = DaemonConfig(folder, idle_minutes * 60, sandbox_policy(options), _portable(options),
                          warm_up)
    argv = [sys.executable, "-m", PROGRAM]
    try:
        return daemon.start_detached(argv, folder, config)
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        print(f"grade: no warm grading daemon ({error})", file=sys.stderr)
        return False


def _portable(options: GradeOptions) -> GradeOptions:
    """The options with no path relative to this process's working folder."""
    data = options.data_dir
    return replace(options, data_dir=Path(os.path.abspath(data.expanduser())) if data else None)


# -- in the daemon -----------------------------------------------------------------------------

class KernelAhead:
    """A kernel starter for the daemon's worker that keeps one cold kernel started ahead for
    `policy` (where no zygote may serve: no bubblewrap): the next submission finds it booted.
    Each kernel still goes to one submission only."""

    def __init__(self, policy: SandboxPolicy) -> None:
        from grader.execute.kernel import start_kernel

        self.policy = policy
        self._booter = cf.ThreadPoolExecutor(1, thread_name_prefix="kernel-ahead")
        self._next: cf.Future = self._booter.submit(start_kernel, policy)

    def start(self, asked: SandboxPolicy) -> Kernel:
        from grader.execute.kernel import start_kernel

        if asked != self.policy:
            return start_kernel(asked)
        ready, self._next = self._next, self._booter.submit(start_kernel, self.policy)
        try:
            return ready.result()
        except Exception:  # noqa: BLE001 - it could not start ahead: try once more, now
            return start_kernel(asked)


_STARTERS: dict[SandboxPolicy, KernelStarter] = {}  # the worker's starter, by policy


def _kernels_for(options: GradeOptions) -> KernelStarter:
    """In the worker: forked from the daemon's zygote where one may serve, else cold ones
    started ahead."""
    from grader.warm.workers import warm_kernels
    from grader.warm.kernels import zygote_can_serve

    policy = sandbox_policy(options)
    if policy not in _STARTERS:
        _STARTERS[policy] = (warm_kernels(options) if zygote_can_serve(policy)
                             else KernelAhead(policy).start)
    return _STARTERS[policy]


def grade_in_worker(path: Path, options: GradeOptions) -> GradeReport | str:
    """In the daemon's worker: grade `path` with this worker's kernels; a grader error comes
    back as its text (the command then grades cold, and reports it as it would)."""
    from grader.errors import GraderError
    from grader.pipeline import grade

    try:
        return grade(path, options, _kernels_for(options))
    except GraderError as error:
        return f"{type(error).__name__}: {error}"


def _warm_up(options: GradeOptions, solution: Path | None) -> int:
    """In the worker: its kernel starter made, and `solution` graded once (its report thrown
    away) so that what a grading loads once per process is loaded; one kernel on its way."""
    from grader.pipeline import grade, preload_checks

    kernels = _kernels_for(options)
    preload_checks(None, options)
    if solution is not None:
        try:
            grade(solution, options, kernels)
        except Exception as error:  # noqa: BLE001 - only a warm-up: the daemon serves anyway
            print(f"daemon: warm-up: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
    return os.getpid()


def serve(config: DaemonConfig) -> None:
    from grader.warm.workers import process_pool, start_fork_server
    from grader.warm.kernels import zygote_can_serve
    from grader.warm.zygote import Zygote

    server = daemon.Daemon(config.folder, config.idle)  # raises if another daemon has it
    sandbox = config.folder.name.split("-")[0]
    for older in config.folder.parent.glob(f"{sandbox}-*"):  # the same sandbox, older graders
        if older != config.folder and not daemon.stop_daemon(older, PROGRAM) \
                and not daemon.running(older):
            shutil.rmtree(older, ignore_errors=True)  # a stopped one's folder, next time
    zygote = None
    start_fork_server()  # the worker's imports alongside the zygote's
    if zygote_can_serve(config.policy):
        try:
            zygote = Zygote(config.policy, log=config.folder / daemon.LOG)
        except Exception as error:  # noqa: BLE001 - the worker then starts its kernels itself
            print(f"daemon: no zygote: {error}", file=sys.stderr, flush=True)
    pool = process_pool(1, zygote.address if zygote is not None else None)
    broken: list[BaseException] = []
    try:
        pool.submit(_warm_up, config.options, config.warm_up).result()

        def handle(request: object) -> GradeReport | str:
            path, options = request  # type: ignore[misc]
            try:
                answer = pool.submit(grade_in_worker, path, options).result()
            except Exception as error:  # noqa: BLE001 - a dead worker: the caller goes cold
                broken.append(error)
                answer = f"{type(error).__name__}: {error}"
            if isinstance(answer, str):
                print(f"daemon: {path}: graded cold instead ({answer})", file=sys.stderr, flush=True)
            return answer

        published = {"zygote": None if zygote is None else {
            "socket": zygote.address.socket, "pid": zygote.address.pid,
            "base": zygote.address.base}}
        server.serve(handle, published, healthy=lambda: not broken and (
            zygote is None or zygote.process.poll() is None))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if zygote is not None:
            zygote.close()


def main() -> int:
    config = daemon.read_config()
    daemon.detach()
    with contextlib.suppress(BlockingIOError):  # another daemon got there first
        serve(config)
    return 0


if __name__ == "__main__":
    # By its importable name, so that what the worker pool pickles names this module, not __main__.
    from grader.warm import grading_daemon as warm_daemon

    sys.exit(warm_daemon.main())
