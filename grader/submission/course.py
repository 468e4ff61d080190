"""Where assignments live, and which assignment a submission is for: the one lookup.

A course folder holds `solutions/<id>.ipynb` (solved notebooks), `checks/<id>.py` (their
checks), `assignments/<id>.ipynb` (generated) and, optionally, `course.toml` (its settings:
what the kernel may import, what the checks import; `grader.submission.course_settings`). This repository's `course/` folder is the
built-in D2L course: found like any instructor's course, never part of the engine. A
student kit (`grade-admin student-kit`, marked by `kit.json`) is a course folder of one
assignment whose `answers/<id>.json` (recorded expected answers) stands where the solution
would: `Assignment.solution` names it, and a kit found in the working folder is the whole
course. A course folder given to the commands (`--course DIR`, or the environment) ADDS to it: an id is
looked up first in DIR, then in the built-in course, so an id in both is DIR's
(`Course.adding_to_builtin`). An instructor adds an assignment without touching the grader.

Which assignment a notebook is graded as (`Course.assignment_for`), first that applies:
  1. the one asked for: `--assignment`, or the assignment a batch layout's folder names;
  2. the notebook's metadata, `metadata.grader.assignment`;
  3. the notebook's file name.
A notebook whose metadata names another assignment than the one it is graded as is graded as
asked, and its report says so (`mismatch_note`): a solved 01 handed in as 04 earns what it
earns for 04, and the table shows why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import UnknownAssignment
from grader.i18n import _
from grader.submission.course_settings import DEFAULT_KERNEL_PRELOAD, CourseSettings, read_settings

KIT_MARKER = "kit.json"  # a student kit (`grade-admin student-kit`): answers/<id>.json, no solutions/
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # grader/
BUILTIN_ROOT = PACKAGE_DIR.parent / "course"  # the built-in D2L course (after a non-editable install: none)
PACKAGED_KITS = PACKAGE_DIR / "kits"  # the built-in assignments' student kits, zips shipped as data


@dataclass(frozen=True)
class Assignment:
    id: str
    solution: Path
    checks: Path

    @property
    def generated(self) -> Path:
        """The student's notebook, `assignments/<id>.ipynb` of the course folder it comes from."""
        return self.solution.parent.parent / "assignments" / f"{self.id}.ipynb"


def is_helper_file(path: Path) -> bool:
    """Files of checks/ that hold no assignment: shared helpers and pytest's conftest."""
    return path.stem.startswith(("_", "conftest"))


def assignments_in(folder: Path) -> dict[str, Assignment]:
    """The assignments of one course folder: each checks file that has its solution notebook."""
    found = {}
    kit = (folder / KIT_MARKER).is_file()  # a kit's recorded answers stand in for the solution
    for checks in sorted((folder / "checks").glob("*.py")):
        solution = folder / ("answers" if kit else "solutions") / f"{checks.stem}{'.json' if kit else '.ipynb'}"
        if solution.is_file() and not is_helper_file(checks):
            found[checks.stem] = Assignment(checks.stem, solution, checks)
    return found


@dataclass(frozen=True)
class Course:
    root: Path  # the course's own folder: looked up first; `grade-admin generate` writes here
    also: tuple[Path, ...] = ()  # folders looked up after it, in order (the built-in course)

    @classmethod
    def adding_to_builtin(cls, root: Path) -> Course:
        """The course folder `root` on top of the built-in course (root's ids win)."""
        root = root.resolve()
        return cls(root) if root == BUILTIN_ROOT.resolve() else cls(root, (BUILTIN_ROOT,))

    @property
    def folders(self) -> tuple[Path, ...]:
        return (self.root, *self.also)

    @property
    def assignments(self) -> dict[str, Assignment]:
        found: dict[str, Assignment] = {}
        for folder in reversed(self.folders):  # an earlier folder's id replaces a later one's
            found.update(assignments_in(folder))
        return dict(sorted(found.items()))

    @property
    def settings(self) -> CourseSettings:
        """Its folders' `course.toml` settings, the root's first (`grader.submission.course_settings`)."""
        merged = CourseSettings()
        for folder in self.folders:
            merged = merged.then(settings_of(folder))
        return merged

    @property
    def private_paths(self) -> tuple[Path, ...]:
        """What the student's kernel must never see: solutions, checks, the checks' own helper
        modules (`[checks] path`), the grader."""
        return (*(folder / part for folder in self.folders for part in ("solutions", "checks")),
                *self.settings.checks_paths, PACKAGE_DIR)

    @property
    def kernel_paths(self) -> tuple[Path, ...]:
        """Folders the student's kernel sees read-only and imports from (the built-in course's
        `kernel/`, which holds its own `d2l`): each course folder's `[kernel] path`, in order."""
        return self.settings.kernel_paths

    @property
    def kernel_preload(self) -> tuple[str, ...]:
        """What a warm kernel's fork server imports ahead: the folders' `[kernel] preload`, else
        the engine's default."""
        preload = self.settings.kernel_preload
        return DEFAULT_KERNEL_PRELOAD if preload is None else preload

    @property
    def checks_paths(self) -> tuple[Path, ...]:
        """Folders the checks import the course's own modules from, in the grading process."""
        return self.settings.checks_paths

    def assignment_for(self, requested: str | None = None, *, declared: str | None = None,
                       file_stem: str | None = None) -> Assignment:
        """The assignment to grade as: `requested` (--assignment, a batch layout's), else the
        one the notebook's metadata `declared`, else its file name. Raises UnknownAssignment."""
        known = self.assignments
        if requested:
            if requested in known:
                return known[requested]
            raise UnknownAssignment(requested, sorted(known), self._half_found(requested))
        for candidate in (declared, file_stem):
            if candidate and candidate in known:
                return known[candidate]
        if declared:
            raise UnknownAssignment(declared, sorted(known), _(" (from the notebook's metadata)"))
        hint = _(" (the file name {name} is none; give --assignment)").format(name=repr(file_stem)) if file_stem else ""
        raise UnknownAssignment(None, sorted(known), hint)

    def _half_found(self, assignment_id: str) -> str:
        """Why an id is unknown when one of its two files is there, or when there is no course
        at all (words without the machine's paths: a student may read them). An id that is
        not a plain name (`../x`, `a/b`) looks at no file: nothing outside the course is probed."""
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", assignment_id):
            return ""
        for folder in self.folders:
            has_checks = (folder / "checks" / f"{assignment_id}.py").is_file()
            has_solution = (folder / "solutions" / f"{assignment_id}.ipynb").is_file()
            if has_checks != has_solution:
                return (_(" (it has checks but no solution notebook)") if has_checks
                        else _(" (it has a solution notebook but no checks)"))
        if not self.assignments:
            return _(" (no course found: give the course folder with --course DIR)")
        return ""


def settings_of(folder: Path) -> CourseSettings:
    """A course folder's settings; without `[checks]` in its course.toml (or without one), the
    `[checks]` settings of the built-in course where it is on disk (its helper modules and
    fixtures, which checks written before the course left the grader found in the grader)."""
    builtin = read_settings(BUILTIN_ROOT) if folder.resolve() != BUILTIN_ROOT.resolve() else CourseSettings()
    return read_settings(folder, builtin)


def declared_assignment(metadata: Mapping[str, Any] | Any) -> str | None:
    """The assignment id a notebook's metadata names (`metadata.grader.assignment`), if any."""
    grader_meta = metadata.get("grader") if isinstance(metadata, Mapping) else None
    value = grader_meta.get("assignment") if isinstance(grader_meta, Mapping) else None
    return value if isinstance(value, str) and value else None


def mismatch_note(declared: str | None, assignment: Assignment) -> str:
    """The report's note when a notebook is graded as another assignment than it says it is for."""
    if declared is None or declared == assignment.id:
        return ""
    return _("this notebook says it is for {declared}; graded as {assignment}").format(
        declared=declared, assignment=assignment.id)


def default_course(cwd: Path | None = None) -> Course:
    """The course folder `cwd` (default: the working folder) on top of the built-in course if it
    is one, else the built-in course; where the built-in course is not on disk (an install from
    a wheel), the student kits shipped in the package: public checks only."""
    from grader.submission.shipped_kits import nearby_kit

    here = Path.cwd() if cwd is None else cwd
    if (here / KIT_MARKER).is_file():
        return Course(here.resolve())  # a student's kit: its one assignment, nothing built in
    if (here / "checks").is_dir() and (here / "solutions").is_dir():
        return Course.adding_to_builtin(here)
    kit = nearby_kit(here, KIT_MARKER)  # above, or kit/ (a Classroom repository): as check() finds it
    if kit is not None:
        return Course(kit)
    kits = packaged_kits()
    if kits and not assignments_in(BUILTIN_ROOT):
        return Course(kits[0], tuple(kits[1:]))
    return Course(BUILTIN_ROOT)


def packaged_kits() -> list[Path]:
    """The folders of the student kits shipped in the package (`tools/package_kits.py`), each
    unpacked from its archive (`grader.submission.shipped_kits`)."""
    from grader.submission.shipped_kits import unpacked_kits

    return [folder for folder in unpacked_kits() if (folder / KIT_MARKER).is_file()]
