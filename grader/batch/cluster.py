"""A batch on a Dask cluster whose machines share nothing with this one but the grader.

    here:    entry -> its notebook's bytes ------------------------\\
             course -> {file: bytes}, its digest -> scattered once --> worker process:
    worker:  course unpacked once per process (by digest) into a temporary folder; the notebook
             written to a temporary folder of its own; graded as in a local batch; the report
             comes back naming the notebook's path here.

What travels is the contents: every file of the course's `solutions/` and `checks/`, its
`course.toml` and the folders it names inside the course (its kernel's `d2l`, its checks' helper modules) (each of its folders, so an added course keeps its precedence over the built-in one) and each
notebook's bytes, so workers need no shared filesystem, only the same grader installed (a
worker whose grader version differs grades nothing: each of its rows says so). A Fashion-MNIST
folder (`--data`) must exist at the same path on the workers.

One grading per worker process at a time, whatever its thread count (`_ONE_GRADING`): pytest,
which runs the checks, keeps global state. Start workers with one thread each, or give them
more and let the extra threads wait.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from grader.batch.cache import grader_version
from grader.options import GradeOptions
from grader.results import GradeReport, RowStatus, ungradable_report
from grader.submission.course import Course
from grader.submission.course_settings import SETTINGS, read_settings
from grader.submission.discover import Entry

CoursePack = dict[str, bytes]  # "<folder index>/<path in that folder>" -> the file's bytes
COURSE_PARTS = ("solutions", "checks")

_ONE_GRADING = threading.Lock()  # in a worker process: one grading at a time
_UNPACKED: dict[str, Course] = {}  # in a worker process: each course it received, by digest


def pack_course(course: Course) -> CoursePack:
    """The files a worker needs to grade against `course`, with their place in it."""
    pack = {}
    for index, folder in enumerate(course.folders):
        folder = folder.resolve()
        settings = read_settings(folder)
        inside = [path.relative_to(folder) for path in (*settings.kernel_paths, *settings.checks_paths)
                  if folder in path.parents]
        for part in (*COURSE_PARTS, *inside):
            for path in sorted((folder / part).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    pack[f"{index}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
        if (folder / SETTINGS).is_file():
            pack[f"{index}/{SETTINGS}"] = (folder / SETTINGS).read_bytes()
    return pack


def course_digest(pack: CoursePack) -> str:
    digest = hashlib.sha256()
    for name in sorted(pack):
        digest.update(name.encode() + b"\0" + hashlib.sha256(pack[name]).digest())
    return digest.hexdigest()


def unpack_course(digest: str, pack: CoursePack, folders: int) -> Course:
    """In a worker: the course `digest`, unpacked into a temporary folder the first time."""
    if digest not in _UNPACKED:
        root = Path(tempfile.mkdtemp(prefix=f"grader-course-{digest[:12]}-"))
        for name, data in pack.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        places = [root / str(index) for index in range(folders)]
        for place in places:
            place.mkdir(exist_ok=True)
        _UNPACKED[digest] = Course(places[0], tuple(places[1:]))
    return _UNPACKED[digest]


Grader = Callable[[Entry, GradeOptions], "tuple[GradeReport, RowStatus]"]


def grade_shipped(grade: Grader, pack: CoursePack, digest: str, folders: int, version: str,
                  entry: Entry, notebook: bytes | None, options: GradeOptions
                  ) -> tuple[GradeReport, RowStatus]:
    """In a worker: grade the notebook's bytes as `entry` against the shipped course."""
    with _ONE_GRADING:
        if grader_version() != version:
            reason = (f"the grader failed: the worker runs grader {grader_version()}, the "
                      f"batch was started with {version}")
            return ungradable_report(entry.path, None, reason, student=entry.student), \
                RowStatus.ERROR
        course = unpack_course(digest, pack, folders)
        folder = Path(tempfile.mkdtemp(prefix="grader-notebook-"))
        try:
            local = folder / entry.path.name
            if notebook is not None:
                local.write_bytes(notebook)
            report, status = grade(replace(entry, path=local), replace(options, course=course))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return replace(report, submission=str(entry.path)), status


class ShippingExecutor(cf.Executor):
    """Submits `grade(entry, options)` to a Dask cluster with the notebook's bytes and the
    course (scattered to the workers once) instead of paths."""

    def __init__(self, client: Any, options: GradeOptions) -> None:
        self.client = client
        self.inner = client.get_executor(pure=False)
        pack = pack_course(options.course)
        self.digest = course_digest(pack)
        self.folders = len(options.course.folders)
        self.version = grader_version()
        [self.pack] = client.scatter([pack], broadcast=True, hash=False)

    def submit(self, grade: Grader, entry: Entry, options: GradeOptions,  # type: ignore[override]
               ) -> cf.Future:
        if entry.path.is_symlink():  # nothing to send: `grade` turns it down without grading
            done: cf.Future = cf.Future()
            done.set_result(grade(entry, options))
            return done
        try:
            notebook = entry.path.read_bytes()
        except OSError:
            notebook = None  # the worker's grading says "no such file", as a local one would
        return self.inner.submit(grade_shipped, grade, self.pack, self.digest, self.folders,
                                 self.version, entry, notebook, options)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait)


def dask_executor(address: str, options: GradeOptions) -> tuple[cf.Executor, Callable[[], None], int]:
    """An executor on the Dask cluster at `address` that ships the notebooks and the course of
    `options`; a function that closes it; how many gradings to keep in flight (its threads)."""
    try:
        from distributed import Client
    except ImportError as error:
        from grader.errors import UsageError

        raise UsageError("--scheduler needs Dask: pip install 'dl-notebook-grader[dask]'") from error
    client = Client(address)
    threads = sum(client.nthreads().values()) or 1
    return ShippingExecutor(client, options), client.close, threads
