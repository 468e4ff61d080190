"""Finding the submissions in the paths given to `grade`, and whose each one is.

Three layouts, told apart by where a notebook sits under the folder given:

    submissions/alice.ipynb                          <student>.ipynb
    submissions/alice/04_softmax_regression.ipynb    <student>/<assignment>.ipynb
    clones/softmax-regression-alice/…/*.ipynb        GitHub Classroom: <assignment>-<github user>/

A Classroom repository is a folder holding `.git` or `.github`; the GitHub user is what follows
the `<assignment>-` prefix that sibling repositories share (user names may hold hyphens, so the
prefix comes from the siblings), or a known assignment id followed by '-'. Inside one
student's folder, notebooks named after a known assignment are graded; the others only when no
notebook is. Hidden folders (`.git`, `.grader-state`, `.ipynb_checkpoints`) are never searched.
Everything here only reads directory listings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True)
class Entry:
    """One notebook to grade, the student the layout says it belongs to and, where the layout
    names it (`<student>/<assignment>.ipynb`), the assignment it is for: that one wins over the
    notebook's metadata."""

    student: str
    path: Path
    assignment: str | None = None


def discover(paths: Iterable[Path], assignment_ids: Iterable[str] = ()) -> list[Entry]:
    """The notebooks under `paths` (files or folders), each with its student id, in path order."""
    known = set(assignment_ids)
    entries: list[Entry] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            entries += _discover_folder(path, known)
        else:  # a file, or a path that does not exist: graded (and explained) as given
            entries.append(Entry(_student_of_file(path, known), path, _named(path, known)))
    seen: set[Path] = set()
    unique = []
    for entry in entries:
        if entry.path.resolve() not in seen:
            seen.add(entry.path.resolve())
            unique.append(entry)
    return unique


def _named(path: Path, known: set[str]) -> str | None:
    """The assignment a notebook's file name gives, when it is one of the course's."""
    return path.stem if path.stem in known else None


def _student_of_file(path: Path, known: set[str]) -> str:
    """`alice.ipynb` is alice's; `alice/04_softmax_regression.ipynb` is alice's too."""
    if path.stem in known and path.parent.name:
        return path.resolve().parent.name
    return path.stem


def _discover_folder(root: Path, known: set[str]) -> list[Entry]:
    entries: list[Entry] = []
    loose = sorted(p for p in root.iterdir() if p.is_file() and _is_notebook(p))
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if any(p.stem in known for p in loose) and not folders:
        # one student's folder given directly: grade its assignment notebooks
        return [Entry(root.resolve().name, p, p.stem) for p in loose if p.stem in known]
    entries += [Entry(p.stem, p) for p in loose]
    prefix = _classroom_prefix(folders, known)
    for folder in folders:
        notebooks = _notebooks_under(folder)
        if not notebooks:
            continue
        named = [p for p in notebooks if p.stem in known]
        student = _student_of_folder(folder, prefix, known)
        entries += [Entry(student, p, _named(p, known)) for p in (named or notebooks)]
    return entries


def _student_of_folder(folder: Path, prefix: str, known: set[str]) -> str:
    name = folder.name
    if prefix and name.startswith(prefix) and len(name) > len(prefix):
        return name[len(prefix):]
    for assignment_id in sorted(known, key=len, reverse=True):
        for spelling in sorted({assignment_id, assignment_id.replace("_", "-")}):
            if name.startswith(spelling + "-") and len(name) > len(spelling) + 1:
                return name[len(spelling) + 1:]
    return name


def _classroom_prefix(folders: list[Path], known: set[str]) -> str:
    """The `<assignment>-` prefix that sibling repositories share, or ''."""
    repositories = [f.name for f in folders if _is_repository(f)]
    if len(repositories) < 2:
        return ""
    common = os.path.commonprefix(repositories)
    cut = common.rfind("-")
    return common[:cut + 1] if cut > 0 else ""


def _is_repository(folder: Path) -> bool:
    return (folder / ".git").exists() or (folder / ".github").is_dir()


def _notebooks_under(folder: Path) -> list[Path]:
    found = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(current) / f for f in sorted(files) if _is_notebook(Path(f))]
    return found


def _is_notebook(path: Path) -> bool:
    return path.suffix == ".ipynb" and not path.name.startswith(".")
