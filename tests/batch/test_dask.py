"""A batch on a Dask cluster: what is shipped (notebook bytes, the course by digest), one
grading per worker process, and the same scores as a local batch on a LocalCluster of two
worker processes with two threads each."""

from __future__ import annotations

import csv
import shutil
import threading
import time
from pathlib import Path

import distributed  # in the test extra: this file must run in CI, not be skipped
import pytest

from conftest import COURSE
from grader.batch import cluster
from grader.batch.cache import grader_version
from grader.commands.grade import main
from grader.options import GradeOptions
from grader.results import RowStatus, ungradable_report
from grader.submission.course import Course
from grader.submission.discover import Entry

FAST = ["--cell-timeout", "20", "--budget", "120", "--cold"]


def read_csv(path: Path) -> dict[str, dict]:
    with path.open(newline="") as file:
        return {row["student"]: row for row in csv.DictReader(file)}


def small_course(tmp_path: Path) -> Course:
    for part in ("solutions", "checks"):
        (tmp_path / "course" / part).mkdir(parents=True)
    shutil.copy(COURSE / "solutions" / "01_preprocessing.ipynb", tmp_path / "course" / "solutions")
    shutil.copy(COURSE / "checks" / "01_preprocessing.py", tmp_path / "course" / "checks")
    return Course.adding_to_builtin(tmp_path / "course")


def test_the_course_travels_as_contents_and_unpacks_once_per_digest(tmp_path):
    course = small_course(tmp_path)
    pack = cluster.pack_course(course)
    assert "0/checks/01_preprocessing.py" in pack and "1/checks/04_softmax_regression.py" in pack
    digest = cluster.course_digest(pack)
    assert digest == cluster.course_digest(dict(reversed(list(pack.items()))))
    unpacked = cluster.unpack_course(digest, pack, len(course.folders))
    assert unpacked is cluster.unpack_course(digest, {}, len(course.folders))  # once
    assert unpacked.root != course.root and len(unpacked.folders) == 2
    assert (unpacked.root / "checks" / "01_preprocessing.py").read_bytes() == \
        (course.root / "checks" / "01_preprocessing.py").read_bytes()
    assert sorted(unpacked.assignments) == sorted(course.assignments)
    assert unpacked.assignments["01_preprocessing"].solution.is_relative_to(unpacked.root)
    assert "1/lib/d2l_course/in_kernel.py" in pack  # the built-in course's [checks] path travels
    assert unpacked.folders[1] / "lib" in unpacked.checks_paths


def test_a_worker_grades_the_bytes_not_the_path(tmp_path):
    course = small_course(tmp_path)
    pack = cluster.pack_course(course)
    seen = []

    def fake_grade(entry, options):
        seen.append((entry.path, entry.path.read_bytes(), options.course.root))
        return ungradable_report(entry.path, "01_preprocessing", "fake"), RowStatus.GRADED

    here = tmp_path / "nowhere-on-the-worker" / "ann" / "01_preprocessing.ipynb"
    entry = Entry("ann", here, "01_preprocessing")
    report, status = cluster.grade_shipped(fake_grade, pack, cluster.course_digest(pack), 2,
                                           grader_version(), entry, b"{notebook}", GradeOptions())
    [(path, data, root)] = seen
    assert data == b"{notebook}" and path != here and path.name == here.name
    assert root != course.root and not path.exists()  # its temporary folder is gone
    assert report.submission == str(here) and status is RowStatus.GRADED
    report, status = cluster.grade_shipped(fake_grade, pack, cluster.course_digest(pack), 2,
                                           "another version", entry, b"{}", GradeOptions())
    assert status is RowStatus.ERROR and "another version" in report.reason and len(seen) == 1


def test_one_grading_per_worker_process_whatever_its_threads(tmp_path):
    pack = cluster.pack_course(small_course(tmp_path))
    running, most = [0], [0]
    lock = threading.Lock()

    def slow_grade(entry, options):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return ungradable_report(entry.path, None, "fake"), RowStatus.GRADED

    entry = Entry("ann", tmp_path / "ann.ipynb")
    threads = [threading.Thread(target=cluster.grade_shipped, args=(
        slow_grade, pack, cluster.course_digest(pack), 2, grader_version(), entry, b"{}",
        GradeOptions())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


@pytest.mark.notebook
def test_a_local_cluster_of_worker_processes_scores_as_a_local_batch(tmp_path):
    submissions = tmp_path / "in"
    for student, source in (("ann", COURSE / "solutions"), ("bob", COURSE / "assignments")):
        (submissions / student).mkdir(parents=True)
        shutil.copy(source / "01_preprocessing.ipynb", submissions / student)
    (submissions / "eve.ipynb").write_text("{")
    assert main([str(submissions), "-j", "2", *FAST, "--state", str(tmp_path / "local-state"),
                 "--csv", str(tmp_path / "local.csv")]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True,
                                  dashboard_address=None) as local_cluster:
        assert main([str(submissions), "--scheduler", local_cluster.scheduler_address, *FAST,
                     "--state", str(tmp_path / "dask-state"),
                     "--csv", str(tmp_path / "dask.csv")]) == 0
    local, dask = read_csv(tmp_path / "local.csv"), read_csv(tmp_path / "dask.csv")
    assert set(local) == set(dask) == {"ann", "bob", "eve"}
    for student in local:
        assert (dask[student]["total"], dask[student]["status"]) == \
            (local[student]["total"], local[student]["status"]), student
    assert local["ann"]["status"] == "graded" and local["eve"]["status"] == "ungradable"
