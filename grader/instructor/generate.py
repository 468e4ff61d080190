"""Generating assignment notebooks from solved notebooks.

`solutions/<id>.ipynb` is the single source of truth. Its assignment, `assignments/<id>.ipynb`,
is the same notebook with every solution region replaced and outputs cleared:

    def softmax(X):                           def softmax(X):
        # BEGIN SOLUTION                          raise NotImplementedError
        X_exp = torch.exp(X - ...)      ->
        return X_exp / ...
        # END SOLUTION

Everything else (markdown, tags, cell ids, notebook metadata) is kept, so generating twice gives
the same bytes and `stale_assignments` can tell when a solution changed without regeneration.

The assignment also carries check cells (`check_cells`): after each `graded` cell, one
`check("softmax")` per function or class it defines that has checks, and a last `check()`; the
first of them makes `check` (`grader.in_notebook.checks_of(id)`: the kit `grade` picks for this
assignment), or says how to install the grader where it is not (a student kit names its install
command, `grader.instructor.student_kit`). In the grader's own sandbox the cells print a line
and do nothing.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path

import nbformat

from grader.errors import AuthoringError, UnknownAssignment
from grader.files import write_atomically
from grader.submission.course import Course, declared_assignment

BEGIN = re.compile(r"^(?P<indent>[ \t]*)#+[ \t]*BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*#+[ \t]*END SOLUTION[ \t]*$")
STUB = "raise NotImplementedError"
CHECK_TAG = "check"  # the tag of the cells generate adds (`check("softmax")`)
INSTALL_HINT = "as your course says"  # a kit names its own (student_kit)
CHECK_IMPORT = """\
# Check your work as you go: check("softmax") runs the public checks of softmax, check() all of
# them, against this assignment's student kit (in this folder, or shipped with the grader).
# The grader is installed with: {install}
try:
    from grader.in_notebook import checks_of
    check = checks_of({assignment})
except ImportError:
    def check(function=None):
        print("checks are not available here: install the grader ({install}), then restart")
"""
CHECK_NAMES = re.compile(r"""@pytest\.mark\.check\(\s*(?:name\s*=\s*)?["']([A-Za-z_]\w*)\s*:""")


def make_assignment(solution: nbformat.NotebookNode, assignment_id: str,
                    checked: set[str] | None = None) -> nbformat.NotebookNode:
    """The assignment for `solution`: solution regions stubbed out, outputs cleared, and check
    cells for the graded functions (only those in `checked`, when given)."""
    return _make_assignment(solution, assignment_id, where=f"<{assignment_id}>", checked=checked)


def checked_functions(checks: Path) -> set[str] | None:
    """The functions a checks file judges (the text before each check name's ':'), or None."""
    try:
        return set(CHECK_NAMES.findall(checks.read_text(encoding="utf-8")))
    except OSError:
        return None


def generate_assignments(course_dir: Path, ids: list[str] | None = None) -> list[Path]:
    """Write `assignments/<id>.ipynb` for the solutions in `course_dir` (all, or only `ids`)."""
    rendered = _render_all(Path(course_dir), ids)
    folder = Path(course_dir) / "assignments"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for assignment_id, text in rendered.items():
        target = folder / f"{assignment_id}.ipynb"
        data = text.encode("utf-8")
        if not (target.is_file() and target.read_bytes() == data):
            write_atomically(target, data)
        written.append(target)
    return written


def generate_for_course(course: Course, ids: list[str] | None = None) -> list[Path]:
    """`generate_assignments` for a course on top of the built-in one: every solution of the
    course's own folder, or only `ids`, each written beside the solution the course finds first
    (in its own folder, then in the built-in course)."""
    if not ids:
        return generate_assignments(course.root)
    chosen: dict[Path, list[str]] = {}
    for assignment_id in ids:
        folder = next((folder for folder in course.folders
                       if (folder / "solutions" / f"{assignment_id}.ipynb").is_file()), None)
        chosen.setdefault(folder, []).append(assignment_id)
    if None in chosen:
        known = sorted({path.stem for folder in course.folders
                        for path in (folder / "solutions").glob("*.ipynb")})
        raise UnknownAssignment(", ".join(chosen[None]), known, ": no solution notebook for it")
    return [path for folder, chosen_ids in chosen.items()
            for path in generate_assignments(folder, chosen_ids)]


def assignment_text(solution_path: Path) -> str:
    """The text `generate` writes for one solution notebook (raises AuthoringError)."""
    solution = _read_solution(solution_path)
    assignment_id = _assignment_id(solution, solution_path)
    checked = checked_functions(solution_path.parent.parent / "checks" / f"{assignment_id}.py")
    return _render(_make_assignment(solution, assignment_id, where=str(solution_path), checked=checked))


def stale_assignments(course_dir: Path) -> list[str]:
    """Ids whose assignment notebook is missing or differs from what would be generated."""
    folder = Path(course_dir) / "assignments"
    stale = []
    for assignment_id, text in _render_all(Path(course_dir), None).items():
        target = folder / f"{assignment_id}.ipynb"
        if not target.is_file() or target.read_bytes() != text.encode("utf-8"):
            stale.append(assignment_id)
    return stale


def _render_all(course_dir: Path, ids: list[str] | None) -> dict[str, str]:
    """Assignment id -> the assignment notebook's text, in id order."""
    solutions_dir = course_dir / "solutions"
    rendered: dict[str, str] = {}
    for path in sorted(solutions_dir.glob("*.ipynb")):
        solution = _read_solution(path)
        assignment_id = _assignment_id(solution, path)
        if ids is not None and assignment_id not in ids:
            continue
        checked = checked_functions(course_dir / "checks" / f"{assignment_id}.py")
        assignment = _make_assignment(solution, assignment_id, where=str(path), checked=checked)
        rendered[assignment_id] = _render(assignment)
    missing = sorted(set(ids or ()) - set(rendered))
    if missing:
        known = sorted(path.stem for path in solutions_dir.glob("*.ipynb"))
        raise UnknownAssignment(", ".join(missing), known, ": no solution notebook for it")
    return rendered


def _read_solution(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    except UnicodeDecodeError:
        raise AuthoringError(path, 0, "not UTF-8 text") from None
    except nbformat.reader.NotJSONError:
        raise AuthoringError(path, 0, "not valid JSON") from None
    except (KeyError, ValueError) as error:  # nbformat's errors for JSON that is no notebook
        raise AuthoringError(path, 0, f"not a notebook: {error}") from None


def _assignment_id(solution: nbformat.NotebookNode, path: Path) -> str:
    """A solution's id is its file name; its metadata may say so too, but nothing else."""
    declared = declared_assignment(solution.metadata)
    if declared is None:
        return path.stem
    if declared != path.stem:
        problem = f"metadata.grader.assignment is {declared!r} but the file is named {path.name!r}"
        raise AuthoringError(path, 0, problem)
    return declared


def _make_assignment(
    solution: nbformat.NotebookNode, assignment_id: str, where: str, checked: set[str] | None = None
) -> nbformat.NotebookNode:
    assignment = copy.deepcopy(solution)
    for index, cell in enumerate(assignment.cells):
        if "id" not in cell and assignment.nbformat_minor >= 5:
            cell["id"] = f"cell-{index}"
        if cell.cell_type != "code":
            continue
        cell.source = _stub_regions(cell.source, where, _cell_name(index, cell))
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)  # nbclient's timings are output too
    grader_meta = assignment.metadata.get("grader")
    if not isinstance(grader_meta, dict):
        grader_meta = assignment.metadata["grader"] = nbformat.NotebookNode()
    grader_meta["assignment"] = assignment_id
    assignment.cells = check_cells(assignment.cells, checked, assignment_id)
    if assignment.nbformat_minor < 5:  # cell ids came with nbformat 4.5
        for cell in assignment.cells:
            cell.pop("id", None)
    return assignment


def check_cells(cells: list, checked: set[str] | None, assignment_id: str = "") -> list:
    """`cells` with a `check("name")` cell after each graded cell's functions, a last `check()`,
    and the import before the first of them (see the module's docstring)."""
    out: list = []
    for cell in cells:
        out.append(cell)
        if cell.cell_type == "code" and "graded" in cell.metadata.get("tags", []):
            out += [_check_cell(f"check({name!r})".replace("'", '"'), f"check-{name}")
                    for name in _defined(cell.source) if checked is None or name in checked]
    added = [index for index, cell in enumerate(out) if CHECK_TAG in cell.metadata.get("tags", [])]
    if not added:
        return out
    out.append(_check_cell("check()", "check-all"))
    text = CHECK_IMPORT.format(assignment=json.dumps(assignment_id), install=INSTALL_HINT)
    out.insert(added[0], _check_cell(text.rstrip("\n"), "check-import"))
    return out


def _check_cell(source: str, cell_id: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [CHECK_TAG]})
    cell["id"] = cell_id
    return cell


def _defined(source: str) -> list[str]:
    """The functions and classes a cell defines at its top level, in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def _cell_name(index: int, cell: nbformat.NotebookNode) -> str:
    return f"cell {index}" + (f" (id {cell['id']!r})" if "id" in cell else "")


def _stub_regions(source: str, where: str, cell_name: str) -> str:
    """`source` with each solution region, markers included, replaced by the stub."""
    out: list[str] = []
    begin_line = 0
    for number, line in enumerate(source.split("\n"), start=1):
        text = line.rstrip("\r")
        begin = BEGIN.match(text)
        if begin_line:
            if begin:
                problem = f"{cell_name}: BEGIN SOLUTION inside the region opened on line {begin_line}"
                raise AuthoringError(where, number, problem)
            if END.match(text):
                begin_line = 0
            continue
        if begin:
            begin_line = number
            out.append(begin.group("indent") + STUB)
        elif END.match(text):
            raise AuthoringError(where, number, f"{cell_name}: END SOLUTION without BEGIN SOLUTION")
        else:
            out.append(line)
    if begin_line:
        raise AuthoringError(where, begin_line, f"{cell_name}: BEGIN SOLUTION without END SOLUTION")
    return "\n".join(out)


def _render(notebook: nbformat.NotebookNode) -> str:
    text = nbformat.writes(notebook)
    return text if text.endswith("\n") else text + "\n"


def with_install_hint(notebook: bytes, command: str) -> bytes:
    """The generated notebook with its check cell naming `command` as the grader's install."""
    book = nbformat.reads(notebook.decode("utf-8"), as_version=nbformat.NO_CONVERT)
    for cell in book.cells:
        if cell.cell_type == "code" and CHECK_TAG in cell.metadata.get("tags", []):
            cell.source = cell.source.replace(INSTALL_HINT, command)
    return nbformat.writes(book).encode("utf-8")
