"""Where assignments live, and which assignment a submission is for: the one lookup.

A course is a folder holding `solutions/<id>.ipynb` (solved notebooks), `checks/<id>.py`
(their checks) and `assignments/<id>.ipynb` (generated). This repository is the default course;
the commands take another from `--course DIR` (or the environment), so an instructor adds an
assignment without touching the grader's code.

Which assignment a notebook is graded as (`Course.assignment_for`), first that applies:
  1. the one asked for: `--assignment`, or the assignment a batch layout's folder names;
  2. the notebook's metadata, `metadata.grader.assignment`;
  3. the notebook's file name.
A notebook whose metadata names another assignment than the one it is graded as is graded as
asked, and its report says so (`mismatch_note`): a solved 01 handed in as 04 earns what it
earns for 04, and the table shows why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import UnknownAssignment

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # grader/


@dataclass(frozen=True)
class Assignment:
    id: str
    solution: Path
    checks: Path


def is_helper_file(path: Path) -> bool:
    """Files of checks/ that hold no assignment: shared helpers and pytest's conftest."""
    return path.stem.startswith(("_", "conftest"))


@dataclass(frozen=True)
class Course:
    root: Path

    @property
    def assignments(self) -> dict[str, Assignment]:
        found = {}
        for checks in sorted((self.root / "checks").glob("*.py")):
            solution = self.root / "solutions" / f"{checks.stem}.ipynb"
            if solution.is_file() and not is_helper_file(checks):
                found[checks.stem] = Assignment(checks.stem, solution, checks)
        return found

    @property
    def private_paths(self) -> tuple[Path, ...]:
        """What the student's kernel must never see."""
        return (self.root / "solutions", self.root / "checks", PACKAGE_DIR)

    def assignment_for(self, requested: str | None = None, *, declared: str | None = None,
                       file_stem: str | None = None) -> Assignment:
        """The assignment to grade as: `requested` (--assignment, a batch layout's), else the
        one the notebook's metadata `declared`, else its file name. Raises UnknownAssignment."""
        known = self.assignments
        if requested:
            if requested in known:
                return known[requested]
            raise UnknownAssignment(requested, sorted(known))
        for candidate in (declared, file_stem):
            if candidate and candidate in known:
                return known[candidate]
        if declared:
            raise UnknownAssignment(declared, sorted(known), " (from the notebook's metadata)")
        hint = f" (the file name {file_stem!r} is none; give --assignment)" if file_stem else ""
        raise UnknownAssignment(None, sorted(known), hint)


def declared_assignment(metadata: Mapping[str, Any] | Any) -> str | None:
    """The assignment id a notebook's metadata names (`metadata.grader.assignment`), if any."""
    grader_meta = metadata.get("grader") if isinstance(metadata, Mapping) else None
    value = grader_meta.get("assignment") if isinstance(grader_meta, Mapping) else None
    return value if isinstance(value, str) and value else None


def mismatch_note(declared: str | None, assignment: Assignment) -> str:
    """The report's note when a notebook is graded as another assignment than it says it is for."""
    if declared is None or declared == assignment.id:
        return ""
    return f"this notebook says it is for {declared}; graded as {assignment.id}"


def default_course(cwd: Path | None = None) -> Course:
    """The course folder `cwd` (default: the working folder) if it is one, else this repository."""
    here = Path.cwd() if cwd is None else cwd
    if (here / "checks").is_dir() and (here / "solutions").is_dir():
        return Course(here.resolve())
    return Course(PACKAGE_DIR.parent)
