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
from typing import Any

from grader.submission.course import PACKAGE_DIR, Assignment
from grader.errors import AssignmentError
from grader.files import write_atomically
from grader.pipeline import GradeOptions
from grader.results import CellRecord, CheckResult, CheckStatus, ExecutionSummary, GradeReport
from grader.results import GradeStatus, Isolation
from grader.reporters import json_report

FORMAT = 1  # of the files in the state folder


# Sources that never change a report: what runs batches, writes outputs or authors assignments.
# (Reports are kept, not their renderings, so a changed reporter needs no regrading.)
NOT_GRADING = {"admin.py", "authoring.py", "batch.py", "cache.py", "cli.py", "layout.py",
               "progress.py", "reporters"}


@functools.cache
def grader_version() -> str:
    """The package version and a digest of the sources that grade (an edit is a new version).

    Computed once per process: the code a process runs is what it read when it started."""
    try:
        version = metadata.version("dl-notebook-grader")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256()
    for source in sorted(PACKAGE_DIR.rglob("*")):
        parts = source.relative_to(PACKAGE_DIR).parts
        if source.suffix in (".py", ".ini") and "__pycache__" not in parts and parts[0] not in NOT_GRADING:
            digest.update(source.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(source.read_bytes())
    return f"{version}+{digest.hexdigest()[:12]}"


def assignment_for(path: Path, options: GradeOptions) -> Assignment | None:
    """The assignment the pipeline will grade `path` against, or None if it cannot tell."""
    hint = None
    try:
        data = json.loads(path.read_bytes())
        meta = data.get("metadata", {}).get("grader", {}) if isinstance(data, dict) else {}
        value = meta.get("assignment") if isinstance(meta, dict) else None
        hint = value if isinstance(value, str) and value else None
    except (OSError, ValueError, AttributeError):
        pass
    try:
        return options.course.resolve(hint, path.stem, options.assignment)
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
    digest.update(_options_text(options).encode())
    return digest.hexdigest()


def _options_text(options: GradeOptions) -> str:
    policy = options.policy
    return repr((options.assignment, options.limits, options.public_only, options.call_timeout,
                 options.seed, str(options.data_dir or ""), policy.memory_limit,
                 policy.max_processes, policy.use_bubblewrap, policy.threads))


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
            return report_from_data(data["report"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: grade again

    def store(self, key: str, report: GradeReport) -> None:
        data = {"format": FORMAT, "key": key, "report": json_report.to_data(report)}
        write_atomically(self._file(key), json.dumps(data, ensure_ascii=False))


def report_from_data(data: dict[str, Any]) -> GradeReport:
    """The inverse of `json_report.to_data` (durations and scores rounded as it rounds them)."""
    execution = data.get("execution") or {}
    return GradeReport(
        submission=data["submission"], assignment=data.get("assignment"),
        status=GradeStatus(data["status"]),
        checks=tuple(
            CheckResult(**{**check, "status": CheckStatus(check["status"])})
            for check in data.get("checks", ())
        ),
        execution=ExecutionSummary(
            cells=tuple(CellRecord(**cell) for cell in execution.get("cells", ())),
            kernel_restarts=execution.get("kernel_restarts", 0),
            duration=execution.get("duration", 0.0),
            budget_exhausted=execution.get("budget_exhausted", False),
            skipped_lines=tuple(execution.get("skipped_lines", ())),
        ),
        isolation=Isolation(data["isolation"]) if data.get("isolation") else None,
        reason=data.get("reason", ""), duration=data.get("duration", 0.0),
        student=data.get("student", ""),
    )
