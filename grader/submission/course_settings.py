"""A course folder's settings, `course.toml`: what of the course runs where.

    [kernel]
    path = ["kernel"]        # folders on the student kernel's sys.path, read-only: public course
                             # material only (the built-in course's own `d2l`)
    preload = ["torch"]      # modules a warm kernel's fork server imports ahead of every fork
    [checks]
    path = ["lib"]           # folders on the grading process's sys.path: the course's own helper
                             # modules, which its checks import (never seen by the kernel)
    fixtures = ["my.fixtures"]  # modules of pytest fixtures the checks may ask for by name
                             # (the built-in course's `image_data`), importable from [checks] path

Every key is optional; where no folder of a course names a preload, the kernel preloads
`DEFAULT_KERNEL_PRELOAD`. A course folder whose `course.toml` has no `[checks]` table, or that
has no `course.toml` (an instructor's course written before settings existed, a student kit),
has the built-in course's `[checks]` settings where that course is on disk, so that its checks
still find `image_data` and the helpers they imported from the grader
(`grader.submission.course.settings_of`); otherwise none. `[checks] path = []` asks for none. Paths are
relative to the course folder; one that does not exist is left out. A setting that cannot be
read is an `AuthoringError` naming course.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.errors import AuthoringError

SETTINGS = "course.toml"
PRIVATE_PARTS = ("solutions", "checks")  # what a kernel path may neither be nor hold nor lie in
# What every course's notebooks import: a course that names its own `[kernel] preload` replaces it.
DEFAULT_KERNEL_PRELOAD = ("numpy", "torch", "torch.nn", "torch.nn.functional")


@dataclass(frozen=True)
class CourseSettings:
    kernel_paths: tuple[Path, ...] = ()  # resolved folders, for the kernel's sys.path
    kernel_preload: tuple[str, ...] | None = None  # module names; None: not set
    checks_paths: tuple[Path, ...] = ()  # resolved folders, for the grading process's sys.path
    fixtures: tuple[str, ...] = ()  # module names, each a pytest plugin of fixtures

    def then(self, later: CourseSettings) -> CourseSettings:
        """These settings with a later folder's added after them (no entry twice)."""
        preload = self.kernel_preload if later.kernel_preload is None else \
            _merged(self.kernel_preload or (), later.kernel_preload)
        return CourseSettings(_merged(self.kernel_paths, later.kernel_paths), preload,
                              _merged(self.checks_paths, later.checks_paths),
                              _merged(self.fixtures, later.fixtures))


def _merged(first: tuple, second: tuple) -> tuple:
    return tuple(dict.fromkeys((*first, *second)))


def read_settings(folder: Path, checks_default: CourseSettings = CourseSettings()) -> CourseSettings:
    """The settings of the course folder `folder`; where it has no course.toml or no `[checks]`
    table in it, `checks_default`'s `[checks]` settings."""
    path = folder / SETTINGS
    if not path.is_file():
        return CourseSettings(checks_paths=checks_default.checks_paths, fixtures=checks_default.fixtures)
    try:
        import tomllib  # novermin - tomli stands in on Python 3.10
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise AuthoringError(path, 0, f"cannot be read: {error}") from None
    kernel, checks = _section(table, "kernel", path), _section(table, "checks", path)
    preload = kernel.get("preload")
    given = "checks" in table
    return CourseSettings(
        kernel_paths=_kernel_paths(folder, _strings(kernel, "kernel", "path", path), path),
        kernel_preload=None if preload is None else _strings(kernel, "kernel", "preload", path),
        checks_paths=_folders(folder, _strings(checks, "checks", "path", path)) if given
        else checks_default.checks_paths,
        fixtures=_strings(checks, "checks", "fixtures", path) if given else checks_default.fixtures)


def _section(table: dict, name: str, path: Path) -> dict:
    section = table.get(name, {})
    if not isinstance(section, dict):
        raise AuthoringError(path, 0, f"[{name}] must be a table")
    return section


def _strings(section: dict, name: str, key: str, path: Path) -> tuple[str, ...]:
    value = section.get(key, [])
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise AuthoringError(path, 0, f"[{name}] {key} must be a string or a list of them")
    return tuple(value)


def _folders(folder: Path, names: tuple[str, ...]) -> tuple[Path, ...]:
    return tuple(dict.fromkeys((folder / name).resolve() for name in names if (folder / name).is_dir()))


def _kernel_paths(folder: Path, names: tuple[str, ...], path: Path) -> tuple[Path, ...]:
    """The kernel's folders; none may hold, be or lie inside the course's solutions or checks."""
    found = _folders(folder, names)
    private = [(folder / part).resolve() for part in PRIVATE_PARTS]
    for kernel_path in found:
        if any(kernel_path == hidden or kernel_path in hidden.parents or hidden in kernel_path.parents
               for hidden in private):
            raise AuthoringError(path, 0, f"[kernel] path {kernel_path.name!r} holds or is inside the "
                                 "course's solutions or checks, which the kernel must never see")
    return found
