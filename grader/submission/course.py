"""Where assignments live, and which assignment a submission is for.

A course is a folder holding `solutions/<id>.ipynb` (solved notebooks), `checks/<id>.py`
(their checks) and `assignments/<id>.ipynb` (generated). This repository is the default course;
`--course DIR` or the environment variable GRADER_COURSE names another, so an instructor adds
an assignment without touching the grader's code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UnknownAssignment

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # grader/


@dataclass(frozen=True)
class Assignment:
    id: str
    solution: Path
    checks: Path


@dataclass(frozen=True)
class Course:
    root: Path

    @property
    def assignments(self) -> dict[str, Assignment]:
        found = {}
        for checks in sorted((self.root / "checks").glob("*.py")):
            solution = self.root / "solutions" / f"{checks.stem}.ipynb"
            if solution.is_file() and not checks.stem.startswith(("_", "conftest")):
                found[checks.stem] = Assignment(checks.stem, solution, checks)
        return found

    @property
    def private_paths(self) -> tuple[Path, ...]:
        """What the student's kernel must never see."""
        return (self.root / "solutions", self.root / "checks", PACKAGE_DIR)

    def resolve(self, metadata_id: str | None, file_stem: str, requested: str | None) -> Assignment:
        """The notebook's metadata first, then its file name, then what was asked for."""
        known = self.assignments
        for candidate in (metadata_id, file_stem, requested):
            if candidate and candidate in known:
                return known[candidate]
        hint = " (from the notebook's metadata)" if metadata_id else ""
        raise UnknownAssignment(requested or metadata_id or None, sorted(known), hint)


def default_course() -> Course:
    if os.environ.get("GRADER_COURSE"):
        return Course(Path(os.environ["GRADER_COURSE"]).resolve())
    here = Path.cwd()
    if (here / "checks").is_dir() and (here / "solutions").is_dir():
        return Course(here.resolve())
    return Course(PACKAGE_DIR.parent)
