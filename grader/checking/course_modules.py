"""A course's own modules in the grading process (course.toml's `[checks]`): its `path` folders
made importable for its checks files, its `fixtures` modules handed to pytest as plugins, so that
a check may ask for a course's fixture (the D2L course's `image_data`) by name.

The folders go at the front of `sys.path` and stay there (a module imported once stays in
`sys.modules` anyway): two courses graded in one process must not share a package name.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

from grader.errors import AuthoringError
from grader.submission.course_settings import SETTINGS, CourseSettings


def make_importable(settings: CourseSettings) -> None:
    """Put the course's `[checks] path` folders at the front of sys.path (once each)."""
    for folder in reversed(settings.checks_paths):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))


def fixture_modules(settings: CourseSettings) -> list[types.ModuleType]:
    """The course's `[checks] fixtures` modules, imported; AuthoringError naming course.toml when
    one cannot be."""
    make_importable(settings)
    modules = []
    for name in settings.fixtures:
        try:
            modules.append(importlib.import_module(name))
        except Exception as error:  # noqa: BLE001 - any failure of the course's module is the author's
            raise AuthoringError(SETTINGS, 0, f"[checks] fixtures: {name} cannot be imported "
                                 f"({type(error).__name__}: {error})") from None
    return modules


def preload_fixtures(settings: CourseSettings, data_dir: Path | None, checks_text: str) -> None:
    """Import the fixtures modules and let each load ahead what the checks file will ask for:
    a module's `preload(data_dir, checks_text)`, if it has one (run while a notebook runs)."""
    for module in fixture_modules(settings):
        preload = getattr(module, "preload", None)
        if callable(preload):
            preload(data_dir, checks_text)
