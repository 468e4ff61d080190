"""What a course gives the student's kernel, as files to ship with it: each folder of its
`[kernel] path` (the built-in course's own `d2l`) as `kernel-N/...`, and a `course.toml` naming
them and the course's preload. A Gradescope bundle (under `course/`) and a student kit carry
them, so that `from d2l import torch as d2l` works wherever they are graded."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from grader.submission.course import Course


def folder_files(folders: Sequence[Path], prefix: str) -> dict[str, bytes]:
    """The files of each folder as `<prefix>-N/...` (N its place in `folders`), bytecode left out."""
    files: dict[str, bytes] = {}
    for index, folder in enumerate(folders):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
                files[f"{prefix}-{index}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    return files


def kernel_files(course: Course) -> dict[str, bytes]:
    """{path relative to the shipped course folder: bytes}; the course.toml even without folders."""
    files = folder_files(course.kernel_paths, "kernel")
    paths = [f"kernel-{index}" for index in range(len(course.kernel_paths))]
    settings = f"[kernel]\npath = {json.dumps(paths)}\npreload = {json.dumps(list(course.kernel_preload))}\n"
    files["course.toml"] = settings.encode()
    return files
