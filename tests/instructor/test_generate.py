import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from conftest import COURSE
from grader.errors import UnknownAssignment
from grader.instructor.generate import (
    AuthoringError,
    generate_assignments,
    make_assignment,
    stale_assignments,
    CHECK_TAG,
)

SOLUTIONS = sorted((COURSE / "solutions").glob("*.ipynb"))
STUB = "raise NotImplementedError"

SOLVED_CELL = '''\
import torch

def softmax(X):
    """Row-wise softmax."""
    # BEGIN SOLUTION
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1, keepdim=True)
    # END SOLUTION

class Model:
    def __init__(self, n):
        self.n = n
        # BEGIN SOLUTION
        self.W = torch.zeros(n)
        # END SOLUTION

    def forward(self, X):
        # BEGIN SOLUTION
        return X @ self.W
        # END SOLUTION'''

STUBBED_CELL = '''\
import torch

def softmax(X):
    """Row-wise softmax."""
    raise NotImplementedError

class Model:
    def __init__(self, n):
        self.n = n
        raise NotImplementedError

    def forward(self, X):
        raise NotImplementedError'''


def notebook(*sources, metadata=None):
    nb = v4.new_notebook()
    nb.metadata.update(metadata or {})
    nb.cells = [v4.new_markdown_cell("# Title\n# BEGIN SOLUTION stays in markdown")]
    for index, source in enumerate(sources):
        cell = v4.new_code_cell(source, metadata={"tags": ["graded"]})
        cell.outputs = [v4.new_output("stream", name="stdout", text="hi\n")]
        cell.execution_count = index + 1
        nb.cells.append(cell)
    for index, cell in enumerate(nb.cells):
        cell.id = f"c{index}"
    return nb


def write_course(folder, **solutions):
    (folder / "solutions").mkdir(parents=True)
    for assignment_id, nb in solutions.items():
        nbformat.write(nb, folder / "solutions" / f"{assignment_id}.ipynb")
    return folder


def test_regions_become_stubs_at_the_markers_indentation():
    assignment = make_assignment(notebook(SOLVED_CELL), "demo")
    assert assignment.cells[1].source == STUBBED_CELL


def test_outputs_cleared_and_everything_else_kept():
    solution = notebook(SOLVED_CELL, "x = 1", metadata={"kernelspec": {"name": "python3"}})
    solution.cells[2].metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    assignment = make_assignment(solution, "demo", checked=set())  # no check cells
    assert [c.id for c in assignment.cells] == [c.id for c in solution.cells]
    assert assignment.cells[0] == solution.cells[0]  # markdown untouched, markers and all
    for cell in assignment.cells[1:]:
        assert cell.outputs == [] and cell.execution_count is None
        assert cell.metadata == {"tags": ["graded"]}
    assert assignment.cells[2].source == "x = 1"
    assert assignment.metadata.kernelspec == {"name": "python3"}
    assert assignment.metadata.grader.assignment == "demo"
    assert solution.cells[1].source == SOLVED_CELL and solution.cells[1].outputs  # not mutated


def test_stub_functions_raise_not_implemented_when_executed():
    namespace = {}
    exec(make_assignment(notebook(SOLVED_CELL), "demo").cells[1].source, namespace)
    with pytest.raises(NotImplementedError):
        namespace["softmax"](None)
    with pytest.raises(NotImplementedError):
        namespace["Model"](3)


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("def f():\n    # BEGIN SOLUTION\n    return 1\n", 2, "without END"),
        ("def f():\n    return 1\n    # END SOLUTION\n", 3, "without BEGIN"),
        ("# BEGIN SOLUTION\nx = 1\n# BEGIN SOLUTION\n# END SOLUTION\n", 3, "inside the region"),
    ],
)
def test_unbalanced_markers_are_rejected(source, line, words):
    with pytest.raises(AuthoringError, match=words) as caught:
        make_assignment(notebook("pass", source), "demo")
    assert caught.value.line == line
    assert "cell 2 (id 'c2')" in str(caught.value)


def test_unterminated_region_names_the_file(tmp_path):
    write_course(tmp_path, broken=notebook("def f():\n    # BEGIN SOLUTION\n    return 1"))
    with pytest.raises(AuthoringError) as caught:
        generate_assignments(tmp_path)
    assert Path(caught.value.path) == tmp_path / "solutions" / "broken.ipynb"
    assert caught.value.line == 2
    assert not (tmp_path / "assignments" / "broken.ipynb").exists()


def test_assignment_id_from_metadata_else_file_stem(tmp_path):
    write_course(
        tmp_path,
        plain=notebook("x = 1"),
        tagged=notebook("x = 2", metadata={"grader": {"assignment": "tagged", "title": "T"}}),
    )
    paths = generate_assignments(tmp_path)
    assert paths == [tmp_path / "assignments" / "plain.ipynb", tmp_path / "assignments" / "tagged.ipynb"]
    assert nbformat.read(paths[0], 4).metadata.grader.assignment == "plain"
    assert nbformat.read(paths[1], 4).metadata.grader == {"assignment": "tagged", "title": "T"}


def test_mismatched_assignment_id_is_rejected(tmp_path):
    write_course(tmp_path, one=notebook("x = 1", metadata={"grader": {"assignment": "two"}}))
    with pytest.raises(AuthoringError, match="'two'"):
        generate_assignments(tmp_path)


def test_generate_only_the_given_ids(tmp_path):
    write_course(tmp_path, a=notebook("x = 1"), b=notebook("x = 2"))
    assert generate_assignments(tmp_path, ["b"]) == [tmp_path / "assignments" / "b.ipynb"]
    assert stale_assignments(tmp_path) == ["a"]
    with pytest.raises(UnknownAssignment, match="'c': no solution notebook"):
        generate_assignments(tmp_path, ["c"])


def test_staleness_follows_the_solutions(tmp_path):
    write_course(tmp_path, demo=notebook(SOLVED_CELL))
    assert stale_assignments(tmp_path) == ["demo"]  # never generated
    generate_assignments(tmp_path)
    assert stale_assignments(tmp_path) == []
    changed = notebook(SOLVED_CELL.replace("keepdim=True).values", "keepdim=True)[0]"))
    nbformat.write(changed, tmp_path / "solutions" / "demo.ipynb")
    assert stale_assignments(tmp_path) == []  # only the solution region changed
    changed.cells[0].source = "# A new title"
    nbformat.write(changed, tmp_path / "solutions" / "demo.ipynb")
    assert stale_assignments(tmp_path) == ["demo"]


def test_generation_is_byte_stable_and_leaves_no_temp_files(tmp_path):
    shutil.copytree(COURSE / "solutions", tmp_path / "solutions")
    first = [path.read_bytes() for path in generate_assignments(tmp_path)]
    for path in tmp_path.joinpath("assignments").iterdir():
        path.write_text("{}")
    second = [path.read_bytes() for path in generate_assignments(tmp_path)]
    assert first == second
    assert sorted(p.name for p in (tmp_path / "assignments").iterdir()) == [
        p.name for p in SOLUTIONS
    ]


def test_committed_assignments_are_up_to_date():
    stale = stale_assignments(COURSE)
    assert stale == [], f"regenerate with grader.instructor.generate.generate_assignments: {stale}"
    assert sorted(p.name for p in (COURSE / "assignments").glob("*.ipynb")) == [p.name for p in SOLUTIONS]


@pytest.mark.parametrize("solution_path", SOLUTIONS, ids=lambda p: p.stem)
def test_committed_assignments_hold_no_solutions(solution_path):
    solution = nbformat.read(solution_path, 4)
    assignment = nbformat.read(COURSE / "assignments" / solution_path.name, 4)
    assert assignment.metadata.grader.assignment == solution_path.stem
    for solved, stubbed in zip(solution.cells, without_check_cells(assignment.cells), strict=True):
        assert solved.id == stubbed.id
        if stubbed.cell_type != "code":
            continue
        assert "SOLUTION" not in stubbed.source
        if "graded" in stubbed.metadata.get("tags", []):
            assert STUB in stubbed.source
        solution_lines = _region_lines(solved.source)
        assert not solution_lines & set(stubbed.source.splitlines())


def without_check_cells(cells):
    """The cells generate copies from the solution (not the check cells it adds)."""
    return [cell for cell in cells if CHECK_TAG not in cell.metadata.get("tags", [])]


def test_check_cells_follow_graded_functions_and_end_the_notebook():
    assignment = make_assignment(notebook(SOLVED_CELL, "x = 1"), "demo", checked={"softmax"})
    added = [(c.id, c.source) for c in assignment.cells if CHECK_TAG in c.metadata.get("tags", [])]
    assert [cell_id for cell_id, _ in added] == ["check-import", "check-softmax", "check-all"]
    assert added[1][1] == 'check("softmax")' and added[2][1] == "check()"
    assert "from grader.in_notebook import checks_of" in added[0][1] and "checks_of(\"demo\")" in added[0][1]
    namespace = {}
    exec(added[0][1], namespace)  # where the grader is not installed, check() only says so
    assert callable(namespace["check"])


def _region_lines(source):
    lines, inside = set(), False
    for line in source.splitlines():
        if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
            inside = "BEGIN" in line
        elif inside and line.strip():
            lines.add(line)
    return lines
