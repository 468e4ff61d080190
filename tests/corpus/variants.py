"""The corpus's variants, and the notebooks made from them.

Each file `tests/corpus/<assignment>/<graded name>/<variant>.py` is the source of one code cell
that defines one graded name, written as a student would: `ok_<idiom>.py` is a correct
implementation (it respects the assignment contract and the notebook's text, nothing more),
`bug_<mistake>.py` a realistic mistake whose module docstring starts with `mistake: ...` and
holds a line `says: ...`: the diagnosis, words that a message of its function's checks must hold.
A variant becomes a notebook by taking the solved notebook of its assignment and replacing the
source of the one cell that defines that name at top level; every other cell stays solved, the
notebook's own self-check cells included (one may raise for a bug: the grader records it and
goes on). Kept apart from the runner so that the fast tests can check the corpus without a kernel.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat

CORPUS = Path(__file__).resolve().parent
ROOT = CORPUS.parents[1]
COURSE = ROOT / "course"  # the built-in D2L course
SOLUTIONS = COURSE / "solutions"
KINDS = ("ok", "bug")


@dataclass(frozen=True)
class Variant:
    assignment: str  # "04_softmax_regression"
    function: str  # the graded name it defines: "softmax"
    name: str  # the file's stem: "ok_logsumexp", "bug_dim0"
    source: str

    @property
    def kind(self) -> str:
        return self.name.split("_", 1)[0]

    @property
    def student(self) -> str:
        """The notebook's stem, which the batch takes as the student id: unique in the corpus."""
        return f"{self.assignment[:2]}-{self.function}-{self.name}"

    @property
    def mistake(self) -> str:
        """The first line of a bug's docstring ('' for a correct variant)."""
        docstring = ast.get_docstring(ast.parse(self.source)) or ""
        return docstring.splitlines()[0] if docstring else ""

    @property
    def says(self) -> str:
        """A bug's diagnosis: the words that the message of a check of its function must hold,
        from its docstring's `says: ...` line ('' where there is none)."""
        docstring = ast.get_docstring(ast.parse(self.source)) or ""
        lines = [line.strip() for line in docstring.splitlines() if line.strip().startswith("says:")]
        return lines[0].removeprefix("says:").strip() if lines else ""


def graded_names(assignment: str) -> list[str]:
    """The graded names of an assignment, in the order of its corpus folders."""
    return sorted((p.name for p in (CORPUS / assignment).iterdir() if p.is_dir()),
                  key=lambda name: _defining_cell(_solution(assignment), name))


def discover(only: str | None = None) -> list[Variant]:
    """Every variant, by assignment, then graded name in notebook order, then file name.

    `only` keeps the variants whose assignment id starts with it ("04") or whose graded name is it."""
    variants = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir() and (SOLUTIONS / f"{p.name}.ipynb").exists()):
        for function in graded_names(folder.name):
            if only and not (folder.name.startswith(only) or function == only):
                continue
            for path in sorted((folder / function).glob("*.py")):
                if path.stem.split("_", 1)[0] in KINDS:
                    variants.append(Variant(folder.name, function, path.stem, path.read_text()))
    return variants


def top_level_names(source: str) -> set[str]:
    """Names a cell defines at top level with def or class ('' when it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def build_notebook(variant: Variant) -> nbformat.NotebookNode:
    """The solved notebook with the variant in place of the cell that defines its name."""
    notebook = _solution(variant.assignment)
    cell = notebook.cells[_defining_cell(notebook, variant.function)]
    cell.source = variant.source.rstrip("\n")
    cell.outputs = []
    cell.execution_count = None
    notebook.metadata.setdefault("grader", {})["assignment"] = variant.assignment
    return notebook


def write_notebooks(variants: list[Variant], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for variant in variants:
        nbformat.write(build_notebook(variant), folder / f"{variant.student}.ipynb")


def _solution(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(SOLUTIONS / f"{assignment}.ipynb", as_version=4)


def _defining_cell(notebook: nbformat.NotebookNode, name: str) -> int:
    found = [i for i, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and name in top_level_names(cell.source)]
    if len(found) != 1:
        raise LookupError(f"{len(found)} cells of the solved notebook define {name!r} at top level; expected 1")
    return found[0]
