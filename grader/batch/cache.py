"""Finished results kept between runs, so that a rerun grades only what changed.

A result is filed under a key: the SHA-256 of the notebook's bytes, of the assignment's checks
file and solution notebook, of the grader's version and grading sources, and of the options that
change a grade (limits, seed, public-only, data, sandbox). Change any of them and the
submission is graded again. Each result is one JSON file, `<state>/results/<key>.json`, written
atomically as soon as it is known, so an interrupted batch keeps every finished result.
Results of a grader failure (no kernel could start) are never kept: a rerun retries them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from grader.errors import AssignmentError
from grader.files import write_atomically
from grader.options import GradeOptions
from grader.results import GradeReport, report_from_dict, to_dict
from grader.submission.course import PACKAGE_DIR, Assignment, declared_assignment

FORMAT = 1  # of the files in the state folder

# The folders of the grader whose code never changes a report: what runs batches, writes
# outputs, packages assignments, or parses command lines. Everything else is digested, so a
# new module that grades is counted without anyone listing it. (Reports are kept, not their
# renderings, so a changed reporter needs no regrading.)
NOT_GRADING_FOLDERS = frozenset({"batch", "reporters", "instructor", "commands"})


@functools.cache
def grader_version() -> str:
    """The package version and a digest of the sources that grade (an edit is a new version).

    Computed once per process: the code a process runs is what it read when it started."""
    try:
        version = metadata.version("dl-notebook-grader")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"{version}+{grading_sources_digest(PACKAGE_DIR)[:12]}"


def grading_sources_digest(package: Path) -> str:
    """SHA-256 of every .py and .ini file under `package` (names and bytes), outside the
    `NOT_GRADING_FOLDERS` at its top."""
    digest = hashlib.sha256()
    for source in sorted(package.rglob("*")):
        parts = source.relative_to(package).parts
        if source.suffix in (".py", ".ini") and "__pycache__" not in parts \
                and not (len(parts) > 1 and parts[0] in NOT_GRADING_FOLDERS):
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(source.read_bytes())
    return digest.hexdigest()


def assignment_for(path: Path, options: GradeOptions) -> Assignment | None:
    """The assignment the pipeline will grade `path` against, or None if it cannot tell (the
    course's one lookup, on the notebook's metadata read without validating the notebook)."""
    declared = None
    try:
        data = json.loads(path.read_bytes())
        declared = declared_assignment(data.get("metadata") if isinstance(data, dict) else None)
    except (OSError, ValueError):
        pass
    try:
        return options.course.assignment_for(options.assignment, declared=declared,
                                             file_stem=path.stem)
    except AssignmentError:
        return None


def result_key(path: Path, options: GradeOptions, version: str) -> str:
    digest = hashlib.sha256(f"format {FORMAT}\0grader {version}\0".encode())
    try:
        digest.update(b"notebook\0" + hashlib.sha256(path.read_bytes()).digest())
    except OSError as error:
        digest.update(f"unreadable\0{type(error).__name__}".encode())
    assignment = assignment_for(path, options)
    if assignment is None:
        digest.update(("no assignment\0" + ",".join(sorted(options.course.assignments))).encode())
    else:
        digest.update(f"assignment\0{assignment.id}\0".encode())
        for part in (assignment.checks, assignment.solution):
            digest.update(hashlib.sha256(part.read_bytes()).digest())
    course = options.course
    for folder in (*course.kernel_paths, *course.checks_paths):  # what the kernel and the checks import
        for file in sorted(folder.rglob("*.py")):
            digest.update(file.relative_to(folder).as_posix().encode() + b"\0"
                          + hashlib.sha256(file.read_bytes()).digest())
    digest.update(_options_text(options).encode())
    return digest.hexdigest()


def _options_text(options: GradeOptions) -> str:
    policy = options.policy
    secret = hashlib.sha256(options.secret.encode("utf-8")).hexdigest()  # another secret, other inputs
    return repr((options.assignment, options.limits, options.public_only, options.call_timeout,
                 options.seed, secret, str(options.data_dir or ""), policy.memory_limit,
                 policy.max_processes, policy.use_bubblewrap, policy.threads, options.language))


@dataclass(frozen=True)
class ResultCache:
    """The `results/` folder of a state folder."""

    root: Path

    def _file(self, key: str) -> Path:
        return self.root / "results" / f"{key}.json"

    def load(self, key: str) -> GradeReport | None:
        try:
            data = json.loads(self._file(key).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("key") != key:
                return None
            return report_from_dict(data["report"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: grade again

    def store(self, key: str, report: GradeReport) -> None:
        """File `report`, readable by this user only (the state folder too): a kernel that runs
        as a user of its own must not read its classmates' reports."""
        for folder in (self.root, self.root / "results"):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if folder.stat().st_mode & 0o077:
                folder.chmod(0o700)
        data = {"format": FORMAT, "key": key, "report": to_dict(report)}
        write_atomically(self._file(key), json.dumps(data, ensure_ascii=False), mode=0o600)

