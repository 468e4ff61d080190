"""The student kits shipped in the package: data, one zip archive per assignment.

`tools/package_kits.py` writes `grader/kits/<id>.zip` (a kit folder, `grade-admin student-kit`,
zipped); the wheel carries them as package data. Nothing in them is importable as part of the
grader: they are read with `importlib.resources` and unpacked once, into the user's cache
folder (`$XDG_CACHE_HOME/dl-notebook-grader/kits/<digest>/`, else a temporary folder of the
process). `check()` in a notebook and `grade` from an install without the course use them, and
pick among them by one rule (`shipped_kit`, after a kit near the notebook: `nearby_kit`).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import importlib.resources
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from grader.errors import UsageError

KITS_FOLDER = "kits"  # inside the grader package
KIT_ARCHIVE = ".zip"


def shipped_archives() -> dict[str, importlib.resources.abc.Traversable]:
    """The shipped kits' archives by assignment id (none in a grader built without them)."""
    folder = importlib.resources.files("grader") / KITS_FOLDER
    if not folder.is_dir():
        return {}
    return {entry.name[:-len(KIT_ARCHIVE)]: entry for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(KIT_ARCHIVE) and entry.is_file()}


def unpack_kit(archive: Path | importlib.resources.abc.Traversable, into: Path) -> Path:
    """Unpack one kit archive into the folder `into` (made); UsageError when it is no kit:
    not a zip, or a member outside the folder."""
    into.mkdir(parents=True, exist_ok=True)
    with archive.open("rb") as raw:
        try:
            with zipfile.ZipFile(raw) as zipped:
                for name in zipped.namelist():
                    parts = Path(name).parts
                    if Path(name).is_absolute() or ".." in parts or not parts:
                        raise UsageError(f"{archive.name}: not a student kit (a member {name!r} outside it)")
                zipped.extractall(into)
        except zipfile.BadZipFile:
            raise UsageError(f"{archive.name}: not a student kit (not a zip archive)") from None
    return into


@functools.lru_cache(maxsize=1)
def unpacked_kits() -> tuple[Path, ...]:
    """The shipped kits, unpacked: one folder per kit, under the user's cache folder and named by
    the archives' contents (so every process of a grader version finds the same folders, as the
    warm daemon and the result cache like), else in a temporary folder of this process."""
    archives = shipped_archives()
    if not archives:
        return ()
    digest = hashlib.sha256(b"".join(a.read_bytes() for a in archives.values())).hexdigest()[:16]
    root = _cache_root() / digest if _cache_root() is not None else None
    if root is None or not _unpacked_into(root, archives):
        root = Path(tempfile.mkdtemp(prefix="grader-kits-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _unpacked_into(root, archives)
    return tuple(root / assignment_id for assignment_id in archives)


def _cache_root() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache" if Path.home().is_dir() else None)
    return Path(base) / "dl-notebook-grader" / "kits" if base else None


def _unpacked_into(root: Path, archives: dict) -> bool:
    """Every kit unpacked in root/<id> (done once: a new folder is renamed into place whole);
    False where root cannot be written."""
    if all((root / assignment_id / "kit.json").is_file() for assignment_id in archives):
        return True
    try:
        root.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fresh = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=root.parent))
        for assignment_id, archive in archives.items():
            unpack_kit(archive, fresh / assignment_id)
        try:
            fresh.rename(root)
        except OSError:  # another process was first: its folder is the same
            shutil.rmtree(fresh, ignore_errors=True)
    except OSError:
        return False
    return all((root / assignment_id / "kit.json").is_file() for assignment_id in archives)


def nearby_kit(cwd: Path, marker: str = "kit.json") -> Path | None:
    """The student kit a student works in: the working folder or a folder above it that holds
    `kit.json`, or `kit/kit.json` there (a Classroom repository). `grade` and `check()` both
    start from it (`grader.submission.course.default_course`, `grader.in_notebook.find_kit`)."""
    here = cwd.resolve()
    for folder in (here, *here.parents):
        for candidate in (folder, folder / "kit"):
            if (candidate / marker).is_file():
                return candidate
    return None


def shipped_kit(assignment: str | None, function: str | None = None, defined: Iterable[str] = ()) -> Path | None:
    """The one rule that picks a shipped kit, for `grade` and `check()` alike: the kit of the
    notebook's assignment (asked for, else its metadata, else its file name) when there is one;
    only a notebook that names none (Colab has no file name) goes by the graded names: the kit
    whose checks are about `function`, else the one whose graded names `defined` holds most of."""
    kits = {folder.name: folder for folder in unpacked_kits()}
    if assignment is not None:
        return kits.get(assignment)
    names = {name: json.loads((folder / "kit.json").read_text(encoding="utf-8")).get("functions", [])
             for name, folder in kits.items()}
    if function is not None:
        return next((kits[name] for name, graded in names.items() if function in graded), None)
    defined = set(defined)
    counts = {name: sum(n in defined for n in graded) for name, graded in names.items()}
    best = max(counts.values(), default=0)
    chosen = [name for name, count in counts.items() if count == best]
    return kits[chosen[0]] if best and len(chosen) == 1 else None
