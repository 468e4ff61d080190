"""Where a batch runs: the process pool's private handle we rely on, what its workers start with,
the names the command line takes from `grader.batch.run`, and the grader's version digest."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
import time
from pathlib import Path

from grader.batch import cache, run, workers


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


def test_the_command_line_finds_its_names_in_batch_run():
    for name in ("run_batch", "grade_entry", "Progress", "default_state", "RowStatus",
                 "process_pool", "stop_pool", "shared_zygote", "dask_executor"):
        assert getattr(run, name) is not None, name
    assert run.process_pool is workers.process_pool


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
