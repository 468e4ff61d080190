"""Where students and workflows install the grader from: the instructor's to set, once.

    # course.toml of the instructor's course
    [grader]
    install = "my-course-grader"                                  # a name the instructor published
    install = "git+https://github.com/my-org/my-grader@v1"        # a git URL
    install = "wheels/dl_notebook_grader-0.1.0-py3-none-any.whl"  # a wheel, carried by every kit

`grade-admin student-kit` and `grade-admin classroom` take `--install SPEC` too, which wins.
Without either, the kit carries the grader's own wheel (`pip wheel` of this source checkout,
built offline, with no package index), and the install command is `pip install` of that file:
it works with no package index for the grader (its dependencies, torch among them, come from
wherever pip finds them). The notebook's check cell, the docs and the workflows all say the one
command `install_command` gives.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.errors import AuthoringError
from grader.submission.course import PACKAGE_DIR

WHEELS = "wheels"  # the kit's folder of the wheel it carries
SOURCE = PACKAGE_DIR.parent  # the grader's source checkout, where there is one (pyproject.toml)


@dataclass(frozen=True)
class InstallSource:
    spec: str | None = None  # a published name or a URL; None: a kit carries a wheel
    wheel: Path | None = None  # the wheel a kit carries; None with no spec: this checkout's, built


def install_source(course_root: Path | None, asked: str | None = None) -> InstallSource:
    """`asked` (--install), else the course's `[grader] install`, else the wheel of this checkout."""
    spec = asked or _from_course(course_root)
    if spec is None:
        return InstallSource()
    if any(c in spec for c in "\"'`$;&|<>\n\\") or spec != spec.strip():
        raise AuthoringError("course.toml", 0, f"the grader's install {spec!r} holds characters a shell would "
                             "read (quotes, $, ;, spaces at its ends): give a name, a git URL or a wheel's path")
    if spec.endswith(".whl"):
        path = Path(spec).expanduser()
        wheel = path if path.is_absolute() else (course_root or Path.cwd()) / path
        if not wheel.is_file():
            raise AuthoringError("course.toml", 0, f"the grader's install names a wheel that is not there: {spec}")
        return InstallSource(wheel=wheel)
    return InstallSource(spec)


def put_in_kit(source: InstallSource, kit: Path) -> str:
    """What follows `pip install`, run in the kit's folder: the name or URL; or the wheel the kit
    carries, copied (or built) into kit/wheels/ here."""
    if source.spec is not None:
        return source.spec
    wheel = source.wheel or build_wheel(Path(tempfile.mkdtemp(prefix="grader-wheel-")))
    (kit / WHEELS).mkdir(parents=True, exist_ok=True)
    (kit / WHEELS / wheel.name).write_bytes(wheel.read_bytes())
    return f"{WHEELS}/{wheel.name}"


def install_command(argument: str, kit: str = "") -> str:
    """`pip install ARGUMENT` from the folder that holds the kit as `kit` ("": from the kit's own)."""
    carried = argument.startswith(f"{WHEELS}/") and argument.endswith(".whl")
    return f"pip install {kit.rstrip('/') + '/' if carried and kit else ''}{argument}"


def build_wheel(into: Path) -> Path:
    """The grader's wheel, built from this source checkout with no package index."""
    if not (SOURCE / "pyproject.toml").is_file():
        raise AuthoringError("course.toml", 0, "this grader is not a source checkout, so it cannot build "
                             "the wheel a kit carries: set [grader] install (a name, a git URL or a wheel) "
                             "or give --install")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "--no-index", "--quiet", "--wheel-dir", str(into), str(SOURCE)],
                          capture_output=True, text=True, check=False)
    wheels = sorted(into.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr.strip().splitlines() or ["no wheel"])[-1]
        raise AuthoringError("pyproject.toml", 0, f"the grader's wheel could not be built: {last}")
    return wheels[-1]


def _from_course(course_root: Path | None) -> str | None:
    path = course_root / "course.toml" if course_root is not None else None
    if path is None or not path.is_file():
        return None
    try:
        import tomllib  # novermin - tomli stands in on Python 3.10
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("grader", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise AuthoringError(path, 0, f"cannot be read: {error}") from None
    value = table.get("install") if isinstance(table, dict) else None
    if value is not None and not (isinstance(value, str) and value.strip()):
        raise AuthoringError(path, 0, "[grader] install must be a string: a name, a git URL or a wheel")
    return value
