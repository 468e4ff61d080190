"""The peers, run beside `grade` on the same notebook: nbgrader's `autograde` and otter-grader's
`run`, from their own environment (`python -m venv /tmp/peers && /tmp/peers/bin/pip install
nbgrader otter-grader`; torch comes from this Python if that venv includes the system's
site-packages, or install it there too).

The notebook: the solved softmax-regression notebook (`solutions/04_softmax_regression.ipynb`:
softmax, cross-entropy, accuracy and a short training on the digits) with four test cells
appended, each one assertion, marked as nbgrader's autograder cells (1 point each); otter gets
the same four assertions as OK-format tests. `grade` grades it as 04_softmax_regression with
its own 17 checks (the four cells run in its kernel too).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import shutil
import subprocess
import time
from pathlib import Path

import nbformat

PEER_TESTS = {
    "softmax_sums": "P = softmax(torch.randn(4, 5))\n"
                    "assert torch.allclose(P.sum(dim=1), torch.ones(4))",
    "softmax_matches": "X = torch.randn(3, 6)\n"
                       "assert torch.allclose(softmax(X), torch.softmax(X, dim=1), atol=1e-6)",
    "cross_entropy_matches": "y_hat = torch.softmax(torch.randn(4, 3), dim=1)\n"
                             "y = torch.tensor([0, 1, 2, 1])\n"
                             "expected = torch.nn.functional.nll_loss(torch.log(y_hat), y)\n"
                             "assert torch.isclose(cross_entropy(y_hat, y), expected)",
    "accuracy_half": "y_hat = torch.tensor([[0.1, 0.9], [0.8, 0.2]])\n"
                     "assert float(accuracy(y_hat, torch.tensor([1, 1]))) == 0.5",
}


def peer_notebook(solution: Path) -> nbformat.NotebookNode:
    """The solved notebook with the four test cells, as nbgrader autograder cells."""
    notebook = nbformat.read(solution, as_version=4)
    for cell in notebook.cells:  # our solution markers: nbgrader reads them as its own
        cell.source = "\n".join(line for line in cell.source.splitlines()
                                if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)
    for name, source in PEER_TESTS.items():
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                     "points": 1, "grade_id": name, "schema_version": 3}
        notebook.cells.append(cell)
    return notebook


def installed(peers: Path) -> dict[str, str]:
    """Which peers the environment `peers` has, with their versions (empty if none)."""
    found = {}
    python = peers / "bin" / "python"
    for tool, module in (("nbgrader", "nbgrader"), ("otter", "otter")):
        if not (peers / "bin" / tool).exists():
            continue
        done = subprocess.run([str(python), "-c", f"import {module}; print({module}.__version__)"],
                              capture_output=True, text=True)
        if done.returncode == 0:
            found[tool] = done.stdout.strip()
    return found


def _run(argv: list[str], cwd: Path) -> float:
    """Seconds `argv` took, run with its environment's bin/ first on PATH (nbgrader runs
    alembic from there)."""
    env = dict(os.environ, PATH=f"{Path(argv[0]).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    began = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}: exit {done.returncode}: {done.stderr[-600:]}")
    return time.monotonic() - began


class Nbgrader:
    """A course folder with one assignment `ps1` holding the peer notebook."""

    def __init__(self, peers: Path, folder: Path, notebook: nbformat.NotebookNode) -> None:
        self.program = str(peers / "bin" / "nbgrader")
        self.folder = folder
        self.notebook = notebook
        (folder / "source" / "ps1").mkdir(parents=True)
        (folder / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            f"c.CourseDirectory.root = {str(folder)!r}\n"
            "c.CourseDirectory.course_id = 'bench'\n")
        nbformat.write(notebook, folder / "source" / "ps1" / "softmax.ipynb")
        _run([self.program, "generate_assignment", "ps1", "--force"], folder)

    def submit(self, students: list[str]) -> None:
        for student in students:
            target = self.folder / "submitted" / student / "ps1"
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.folder / "source" / "ps1" / "softmax.ipynb", target)

    def autograde(self, student: str | None = None) -> float:
        """Seconds for `nbgrader autograde` of one student, or of all (one after another)."""
        only = ["--student", student] if student else []
        return _run([self.program, "autograde", "ps1", "--force", *only,
                     "--Autograde.create_student=True"], self.folder)


class Otter:
    """An otter autograder zip (`otter generate`) for the four tests."""

    def __init__(self, peers: Path, folder: Path, notebook: nbformat.NotebookNode) -> None:
        self.program = str(peers / "bin" / "otter")
        self.folder = folder
        (folder / "tests").mkdir(parents=True)
        for name, source in PEER_TESTS.items():
            (folder / "tests" / f"{name}.py").write_text(_ok_test(name, source))
        plain = nbformat.from_dict(notebook)
        for cell in plain.cells:
            cell.metadata.pop("nbgrader", None)
        self.notebook_path = folder / "softmax.ipynb"
        nbformat.write(plain, self.notebook_path)
        self.zip = folder / "autograder.zip"
        _run([self.program, "generate", "-t", "tests", "-o", str(self.zip)], folder)

    def run(self, index: int = 0) -> float:
        """Seconds for `otter run` on the notebook (its own output folder per call)."""
        out = self.folder / f"out-{index}"
        out.mkdir(exist_ok=True)
        return _run([self.program, "run", "-a", str(self.zip), "-o", str(out),
                     str(self.notebook_path)], self.folder)

    def batch(self, size: int, parallel: int) -> float:
        began = time.monotonic()
        with cf.ThreadPoolExecutor(parallel) as pool:
            list(pool.map(self.run, range(size)))
        return time.monotonic() - began


def _ok_test(name: str, source: str) -> str:
    doctest = "\n".join(f">>> {line}" for line in source.splitlines())  # one statement each
    case = {"code": f">>> import torch\n{doctest}\n", "hidden": False, "locked": False}
    test = {"name": name, "points": 1,
            "suites": [{"cases": [case], "scored": True, "setup": "", "teardown": "",
                        "type": "doctest"}]}
    return f"OK_FORMAT = True\n\ntest = {test!r}\n"
