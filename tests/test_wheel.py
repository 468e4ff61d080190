"""The grader's wheel holds the engine, never the course's reference code (issue 19 item 5,
issue 22 item 5): built from a copy of this repository, every .py file in it is read for
definitions of the contract's graded names and of the course's own models and reference
helpers (course/lib/d2l_course, read here so that the list follows the course).

One allowance: the course's kernel material that kits carry (`kernel-N/`, the course's own `d2l`,
its `[kernel] path`) is public: every grading kernel sees it, `pip install d2l` gives the same
book code (its `SGD`, its `accuracy`), and a graded name taken from it earns nothing
(grader/checking/provided.py). It is read like the rest for the course's own models."""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import CONTRACT, COURSE, ROOT

COURSE_CODE = ("in_kernel.py", "models.py")  # the course's reference helpers and models
KERNEL_MATERIAL = re.compile(r"^grader/kits/[^/]+\.zip!kernel-\d+/")  # a kit's copy of the course's d2l


def defined_names(tree: ast.AST) -> set[str]:
    """Every function, class and assigned name the module defines, at any depth."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names


def course_definitions() -> set[str]:
    """The course's own models and reference helpers: the public names its files define at top level."""
    names = set()
    for name in COURSE_CODE:
        for node in ast.parse((COURSE / "lib" / "d2l_course" / name).read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return {n for n in names if not n.startswith("_") and n != "SENT_WHOLE"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel `pip wheel .` builds from a copy of this repository (the checkout stays clean)."""
    source = tmp_path_factory.mktemp("source") / "repository"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", "corpus", "bench"))
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "--no-index", "-q", str(source), "-w", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = out.glob("*.whl")
    return built


def test_the_course_names_the_models_and_helpers_looked_for():
    names = course_definitions()
    assert {"GraderSoftmaxRegression", "SOFTMAX_REGRESSION", "MLP", "classifier_accuracy", "softmax",
            "cross_entropy", "relu", "synthetic_regression_data", "train_linear_regression"} <= names


def test_no_graded_name_and_no_course_model_is_defined_in_the_wheel(wheel):
    graded, course = set().union(*CONTRACT.values()), course_definitions()
    found, files = [], 0
    with zipfile.ZipFile(wheel) as archive:
        for name, text in python_files(archive):
            files += 1
            defined = defined_names(ast.parse(text))
            forbidden = course if KERNEL_MATERIAL.match(name) else graded | course
            found += [f"{name}: {n}" for n in sorted(defined & forbidden)]
        assert not any(name.startswith(("course/", "d2l_course/")) for name in archive.namelist())
    assert files > 50  # the engine is there
    assert found == []


def test_the_wheel_ships_the_compiled_catalogs(wheel):
    """Korean for a student who installed the wheel: the engine's catalog, and each kit's own (its
    check names and diagnoses), compiled (docs/translating.md)."""
    with zipfile.ZipFile(wheel) as archive:
        assert "grader/locale/ko/LC_MESSAGES/grader.mo" in archive.namelist()
        kits = [name for name in archive.namelist() if name.startswith("grader/kits/") and name.endswith(".zip")]
        assert kits
        for name in kits:
            with zipfile.ZipFile(io.BytesIO(archive.read(name))) as kit:
                assert "locale/ko/LC_MESSAGES/course.mo" in kit.namelist(), name


def python_files(archive: zipfile.ZipFile):
    for name in archive.namelist():
        if name.endswith(".py"):
            yield name, archive.read(name).decode("utf-8")
        elif name.startswith("grader/kits/") and name.endswith(".zip"):  # a shipped kit: data, read too
            with zipfile.ZipFile(io.BytesIO(archive.read(name))) as kit:
                yield from ((f"{name}!{member}", kit.read(member).decode("utf-8"))
                            for member in kit.namelist() if member.endswith(".py"))
