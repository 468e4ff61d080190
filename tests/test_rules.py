"""The house rules, checked (in the spirit of click's tests/test_imports.py).

- The folders follow the flow: each part of `grader/` imports only the parts before it
  (`ALLOWED` below), so arrows point one way.
- `grader/in_sandbox/` imports nothing of the grader: it runs inside the student's sandbox.
- Reporters see only the result model; rendering loads no kernel client.
- `import grader.commands.grade` loads neither torch nor pytest (start-up stays fast).
- No module over 400 lines (over 300 is listed at the end of the run, not a failure); no module-level string that is really a Python program.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import COURSE, ROOT

PACKAGE = ROOT / "grader"
MAX_LINES = 400  # a module over this fails; over GOOD_LINES is reported (tests/conftest.py)
GOOD_LINES = 300

# What each part of the grader may import (besides itself). Top-level modules are parts too.
FOUNDATION = {"errors", "files", "i18n"}
ALLOWED: dict[str, set[str]] = {
    "i18n": set(),  # the run's language and its catalogs: every message a student reads
    "errors": {"i18n"},
    "files": set(),
    "in_sandbox": set(),
    "results": {"i18n"},
    "submission": FOUNDATION,
    "options": FOUNDATION | {"submission", "results"},
    "execute": FOUNDATION | {"options", "results", "in_sandbox"},
    "checking": FOUNDATION | {"results", "in_sandbox", "submission", "options"},
    "check_tools": FOUNDATION | {"checking", "results", "in_sandbox", "submission"},  # student_code
    "pipeline": FOUNDATION | {"submission", "options", "results", "execute", "checking"},
    "reporters": {"results", "i18n"},
    "batch": FOUNDATION | {"submission", "options", "results", "execute", "pipeline", "reporters"},
    "warm": FOUNDATION | {"submission", "options", "results", "execute", "pipeline", "batch",
                          "in_sandbox"},  # speed: it imports the cold path, never the reverse
    "instructor": FOUNDATION | {"submission", "options", "results", "pipeline", "reporters",
                                "checking"},  # student_kit records the reference's answers
    "in_notebook": FOUNDATION | {"checking", "results", "reporters", "submission", "in_sandbox"},  # check() in a notebook
    "commands": FOUNDATION | {"submission", "options", "results", "execute", "pipeline",
                              "reporters", "batch", "warm", "instructor"},
}


def modules() -> list[Path]:
    """The grader's code: not grader/kits/, the student kits it ships as data (copies of the
    public checks, written by tools/package_kits.py)."""
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if "__pycache__" not in p.parts and (PACKAGE / "kits") not in p.parents)


def part_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else relative.stem


def grader_imports(path: Path) -> list[tuple[int, str]]:
    """(line, part) for every import of the grader in a module, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
            base = package[:len(package) - node.level + 1]
            names = [".".join([*base, *([node.module] if node.module else [])])]
        for name in names:
            parts = name.split(".")
            if parts[0] == "grader" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
                break
            if parts == ["grader"]:
                found.append((node.lineno, "<facade>"))
    return found


def test_the_parts_are_the_ones_listed():
    parts = {part_of(path) for path in modules()} - {"__init__"}
    assert parts == set(ALLOWED), "a new part of grader/ needs its place in ALLOWED"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_one_way(path: Path):
    part = part_of(path)
    if part == "__init__":
        return  # the lazy facade names everything
    allowed = ALLOWED[part] | {part}
    wrong = [f"line {line}: grader.{other}" for line, other in grader_imports(path)
             if other not in allowed]
    assert not wrong, f"{part} may import only {sorted(allowed)}; {path.name} imports {wrong}"


def test_the_sandbox_side_imports_nothing_of_the_grader():
    for path in (PACKAGE / "in_sandbox").glob("*.py"):
        outside = [part for _, part in grader_imports(path) if part != "in_sandbox"]
        assert not outside, f"{path.name} runs in the sandbox and imports the grader"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_the_size_limit(path: Path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (limit {MAX_LINES}): split it"


def long_modules() -> list[tuple[str, int]]:
    """(module, lines) for the modules over GOOD_LINES: time to split, not yet a failure."""
    found = [(str(path.relative_to(ROOT)), len(path.read_text().splitlines())) for path in modules()]
    return [(name, lines) for name, lines in found if lines > GOOD_LINES]


def program_in_string(value: str) -> bool:
    """A multi-line string that parses as Python with at least two real statements."""
    if "\n" not in value.strip():
        return False
    try:
        tree = ast.parse(value)
    except SyntaxError:
        return False
    statements = [node for node in tree.body
                  if not (isinstance(node, ast.Expr) and isinstance(node.value, (ast.Constant, ast.Name)))]
    return len(statements) >= 2


def test_program_in_string_detector():
    assert program_in_string("import torch\n\ndef f(x):\n    return x\n")
    assert not program_in_string("A sentence\nover two lines.")
    assert not program_in_string("x")


@pytest.mark.parametrize("path", modules() + sorted((COURSE / "checks").glob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_program_held_in_a_string(path: Path):
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            assert not program_in_string(node.value.value), (
                f"{path.relative_to(ROOT)}:{node.lineno} holds a program in a string; "
                "make it a real file or function")


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    return set(result.stdout.split())


def test_the_grade_command_starts_light():
    loaded = loaded_after("import grader.commands.grade")
    assert not {"torch", "pytest", "pandas"} & loaded


def test_rendering_loads_no_kernel_client():
    loaded = loaded_after("import grader.reporters, grader.reporters.feedback, "
                          "grader.reporters.table, grader.reporters.class_page")
    assert not {"jupyter_client", "torch", "pytest", "grader.batch"} & loaded


def test_requires_python_is_the_oldest_version_the_code_supports():
    """pyproject's `requires-python` is not newer than what vermin finds the grader and the checks
    need (Gradescope's Ubuntu 22.04 has Python 3.10): it is exactly that, or 3.10 where the code
    would run on older Pythons than the dependencies support."""
    import re

    pytest.importorskip("vermin")
    declared = re.search(r'requires-python = ">=3\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    assert declared, "pyproject.toml names no requires-python"
    minor = int(declared.group(1))
    result = subprocess.run([shutil.which("vermin") or str(Path(sys.executable).with_name("vermin")), "--no-tips", "--eval-annotations",
                             f"--target=3.{minor}-", "--violations", "grader", "checks"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, f"the code needs a newer Python than 3.{minor}:\n{result.stdout}"
    assert minor <= 10, "requires-python is newer than the code needs"
