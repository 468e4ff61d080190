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

A notebook found but not graded is `Skipped`, with the reason: a hidden file (`..ipynb`), one
left for the assignment's notebook beside it, a second path to a file already listed, a second
notebook for one student and assignment (one is graded: the one nearest the top of the
student's folder, then the first in path order; the others are listed as ignored). A notebook
under a folder given that resolves outside it (a student's folder that is a link to the
course's solutions) keeps its row, refused (`Entry.refused`), and is never graded.

Student ids come from file and folder names, which a student may choose: `student_id` shows
what cannot be printed (escapes, line breaks, bidirectional overrides, undecodable bytes) as
`\\uXXXX` escapes, and escapes a first character that would make the id an option, a hidden
file or a workflow command where it leads a line or names a file (`-rf`, `.x`, `::error::x`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, NamedTuple

from grader.i18n import N_


@dataclass(frozen=True)
class Entry:
    """One notebook to grade, the student the layout says it belongs to and, where the layout
    names it (`<student>/<assignment>.ipynb`), the assignment it is for: that one wins over the
    notebook's metadata."""

    student: str
    path: Path
    assignment: str | None = None
    refused: str = ""  # why it is not graded, though it has a row (it resolves outside the folder)


@dataclass(frozen=True)
class Skipped:
    """A notebook that is not graded, and why."""

    path: Path
    reason: str

    def __str__(self) -> str:
        """The entry as the batch listing shows it."""
        return f"{_shown(str(self.path))}: {self.reason}"


class Found(NamedTuple):
    """What `find_submissions` found: the notebooks to grade, and those it leaves out
    (`entries, skipped = find_submissions(…)`)."""

    entries: list[Entry]
    skipped: list[Skipped]


def discover(paths: Iterable[Path], assignment_ids: Iterable[str] = ()) -> list[Entry]:
    """The notebooks under `paths` (files or folders), each with its student id, in path order."""
    return find_submissions(paths, assignment_ids).entries


def find_submissions(paths: Iterable[Path], assignment_ids: Iterable[str] = ()) -> Found:
    """`discover`, and the notebooks found but left out, each with the reason."""
    search = _Search(set(assignment_ids))
    entries: list[Entry] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            entries += [_inside(entry, path) for entry in search.folder(path)]
        else:  # a file, or a path that does not exist: graded (and explained) as given
            entries.append(Entry(search.student_of_file(path), path, search.named(path)))
    entries = search.one_per_assignment(entries)
    first_path: dict[Path, Path] = {}
    unique = []
    for entry in entries:
        resolved = entry.path.resolve()
        if resolved not in first_path:
            first_path[resolved] = entry.path
            unique.append(entry)
        elif first_path[resolved] != entry.path:  # another path to it (a link): said, not graded
            search.skip(entry.path, f"the same file as {_shown(str(first_path[resolved]))}, "
                                    "which is graded")
    return Found(unique, search.skipped)


OUTSIDE = N_("not graded: it resolves outside the folder of submissions (through a symbolic "
             "link); only what was handed in is graded")  # translated where shown (batch.run)
ONE_PER_ASSIGNMENT = ("{kept} is graded for this student and assignment: one notebook each, the "
                      "one nearest the top of the student's folder, then the first in path order")


def _inside(entry: Entry, root: Path) -> Entry:
    """`entry`, refused when the notebook (or a folder above it) is a link out of `root`: a
    student's folder that links to the course's solutions is not the student's work."""
    try:
        inside = entry.path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        inside = False
    return entry if inside else Entry(entry.student, entry.path, entry.assignment, OUTSIDE)


def student_id(name: str) -> str:
    """`name` fit to show and to name a file after: what cannot be printed as `\\uXXXX`, and a
    leading '-', '.', ':' or space escaped too. Ordinary names, accented or not, stay as they
    are."""
    shown = _shown(name)
    if shown[:1] in ("-", ".", ":", " "):
        shown = _escape(shown[0]) + shown[1:]
    return shown


def _shown(text: str) -> str:
    """`text` with what cannot be printed (`str.isprintable`) as escapes."""
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(char: str) -> str:
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


class _Search:
    """One search: the course's assignment ids, and the notebooks left out so far."""

    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.skipped: list[Skipped] = []

    def skip(self, path: Path, reason: str) -> None:
        self.skipped.append(Skipped(path, reason))

    def named(self, path: Path) -> str | None:
        """The assignment a notebook's file name gives, when it is one of the course's."""
        return path.stem if path.stem in self.known else None

    def student_of_file(self, path: Path) -> str:
        """`alice.ipynb` is alice's; `alice/04_softmax_regression.ipynb` is alice's too."""
        if path.stem in self.known and path.parent.name:
            return student_id(path.resolve().parent.name)
        return student_id(path.stem)

    def folder(self, root: Path) -> list[Entry]:
        loose = self.notebooks(sorted(p for p in root.iterdir() if p.is_file()))
        folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        if any(p.stem in self.known for p in loose) and not folders:
            # one student's folder given directly: grade its assignment notebooks
            return [Entry(student_id(root.resolve().name), p, p.stem)
                    for p in self.assignment_notebooks(loose)]
        entries = [Entry(student_id(p.stem), p) for p in loose]
        prefix = _classroom_prefix(folders, self.known)
        for folder in folders:
            notebooks = self.notebooks_under(folder)
            if not notebooks:
                continue
            student = student_id(_student_of_folder(folder, prefix, self.known))
            entries += [Entry(student, p, self.named(p))
                        for p in self.assignment_notebooks(notebooks)]
        return entries

    def assignment_notebooks(self, notebooks: list[Path]) -> list[Path]:
        """Those named after an assignment, the others skipped; all of them when none is."""
        named = [p for p in notebooks if p.stem in self.known]
        if not named:
            return notebooks
        for path in notebooks:
            if path not in named:
                self.skip(path, f"not named after an assignment, and {named[0].name} beside it is")
        return named

    def one_per_assignment(self, entries: list[Entry]) -> list[Entry]:
        """One notebook per student and assignment the layout names (ONE_PER_ASSIGNMENT's
        rule: the shortest path, then the first in path order); the others skipped, with why.
        A student cannot hand in thirty tries and keep the best."""
        kept: dict[tuple[str, str], Entry] = {}
        for entry in sorted(entries, key=lambda e: (len(e.path.parts), str(e.path))):
            if entry.assignment is None or entry.refused:
                continue
            kept.setdefault((entry.student, entry.assignment), entry)
        chosen = []
        for entry in entries:
            first = kept.get((entry.student, entry.assignment or ""))
            if first is None or first is entry:
                chosen.append(entry)
            else:
                self.skip(entry.path, ONE_PER_ASSIGNMENT.format(kept=_shown(str(first.path))))
        return chosen

    def notebooks_under(self, folder: Path) -> list[Path]:
        found = []
        for current, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found += self.notebooks([Path(current) / f for f in sorted(files)])
        return found

    def notebooks(self, files: list[Path]) -> list[Path]:
        """The notebooks among `files`; hidden ones (`.x.ipynb`, `..ipynb`) skipped, with why."""
        kept = []
        for path in files:
            if path.name.endswith(".ipynb") and path.name.startswith("."):
                self.skip(path, "its name begins with '.', so it is taken for a hidden file; "
                                "rename it to have it graded")
            elif path.suffix == ".ipynb":
                kept.append(path)
        return kept


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
