"""Where a batch runs: the process pool's private handle we rely on, what its workers start with,
the cold path that knows nothing of the warm package, and the grader's version digest."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

from grader.batch import cache
from grader.warm import workers


def sleep_then_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_stop_pool_terminates_running_workers():
    # stop_pool reads ProcessPoolExecutor._processes (pid -> Process), a private attribute:
    # this test notices if a Python release renames or reshapes it.
    pool = cf.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    running = pool.submit(sleep_then_pid, 60)
    deadline = time.monotonic() + 60
    while not getattr(pool, "_processes", None) and time.monotonic() < deadline:
        time.sleep(0.05)
    processes = list(pool._processes.values())
    assert processes and all(isinstance(p, multiprocessing.process.BaseProcess) for p in processes)
    started = time.monotonic()
    workers.stop_pool(pool)
    assert time.monotonic() - started < 30
    assert not any(p.is_alive() for p in processes)
    done, _ = cf.wait([running], timeout=30)  # the pool sees its worker gone: the work fails
    assert done and isinstance(running.exception(), cf.process.BrokenProcessPool)


def imported(names: list[str]) -> dict[str, bool]:
    return {name: name in sys.modules for name in names}


def test_workers_start_with_the_checks_libraries_imported():
    # none of these is imported by the batch's own modules (nor by this one): a worker has them
    # only from its fork server's preload, so its first submission does not import them
    names = ["torch", "pandas", "pytest", "sklearn.datasets", "grader.checking.plugin"]
    workers.start_fork_server()
    pool = workers.process_pool(1)
    try:
        assert all(pool.submit(imported, names).result(timeout=300).values())
    finally:
        pool.shutdown()


COLD_PATH = ("grader.pipeline", "grader.batch.run", "grader.batch.cluster", "grader.batch.cache",
             "grader.execute.kernel", "grader.execute.run", "grader.execute.sandbox",
             "grader.checking.plugin", "grader.reporters.text")


def test_the_cold_path_imports_nothing_of_the_warm_package():
    # grading without grader.warm gives the same verdicts only if the cold path never needs it
    probe = (f"import importlib, sys\nfor name in {COLD_PATH!r}: importlib.import_module(name)\n"
             "print(sorted(m for m in sys.modules if m == 'grader.warm' or m.startswith('grader.warm.')))")
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True, timeout=300).stdout.strip()
    assert found == "[]"


def test_a_warm_worker_grades_as_the_cold_one_with_its_own_kernels(monkeypatch):
    seen = []
    monkeypatch.setattr(workers, "warm_kernels", lambda options: "its kernels")
    monkeypatch.setattr(workers, "grade_entry",
                        lambda entry, options, kernels: seen.append(kernels) or ("report", "row"))
    assert workers.grade_entry_warm("entry", "options") == ("report", "row")
    assert seen == ["its kernels"]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_version_digest_skips_the_folders_that_do_not_grade(tmp_path):
    package = tmp_path / "grader"
    for name in ("results.py", "checking/plugin.py", "checking/checks.ini", "reporters/table.py",
                 "batch/run.py", "instructor/classroom.py", "commands/grade.py"):
        write(package / name, "# one\n")
    before = cache.grading_sources_digest(package)
    for name in ("reporters/table.py", "batch/run.py", "instructor/classroom.py",
                 "commands/grade.py", "checking/notes.txt"):
        write(package / name, "# edited\n")
    write(package / "reporters" / "new.py", "# new\n")
    assert cache.grading_sources_digest(package) == before
    for name in ("results.py", "checking/plugin.py", "checking/checks.ini", "execute/new.py"):
        write(package / name, "# edited\n")
        assert cache.grading_sources_digest(package) != before, name
        before = cache.grading_sources_digest(package)


class _DeadKernel:
    closed = False

    def close(self) -> None:
        self.closed = True


def test_forked_kernels_that_die_are_said_once_then_kernels_start_cold(monkeypatch, capsys):
    from grader.options import SandboxPolicy
    from grader.warm import kernels

    policy = SandboxPolicy()
    monkeypatch.setattr(kernels, "zygote_can_serve", lambda asked: False)  # no zygote started
    pool = kernels.WarmKernels(policy, ahead=0, zygote=None)
    pool.zygote = type("Alive", (), {"alive": lambda self: True})()
    monkeypatch.setattr(pool, "_fit", type("Fits", (), {"can_fork": lambda self, p: True,
                                                        "can_fork_ahead": lambda self, p: True})())
    monkeypatch.setattr(kernels, "_forked_alive", lambda kernel: False)
    monkeypatch.setattr(kernels, "start_kernel", lambda asked, timeout=60: "a cold kernel")
    dead = _DeadKernel()
    pool._ready.put(dead)
    assert pool.start(policy) == "a cold kernel" and dead.closed
    assert pool.start(policy) == "a cold kernel"  # no fork tried again
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "warm kernels cannot start here" in said[0]
    assert (pool.forked, pool.cold, pool.broken) == (0, 2, True)
