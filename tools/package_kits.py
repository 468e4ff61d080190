"""Write the student kits of the built-in course into grader/kits/<id>.zip, where the package ships them.

After installing the grader's wheel (Colab included) there is no course on disk: `check("softmax")`
in a notebook and `grade submission.ipynb --public-only` then use these kits (public checks and
the reference's answers as data; never a solution or a hidden check), one zip archive per
assignment, read as package data (`grader.submission.shipped_kits`). Run this after changing a
checks file or a solution; `--check` (run by CI) fails while a kit is stale. The answers are
compared within float32's tolerance: a kit built on another CPU rounds the reference's last bits
otherwise, and is as good.

    python tools/package_kits.py            # rewrite grader/kits/*.zip
    python tools/package_kits.py --check    # list the stale kits; exit 1 if any
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from grader.files import write_atomically
from grader.instructor.student_kit import write_student_kit
from grader.submission.course import BUILTIN_ROOT, PACKAGED_KITS, Course, assignments_in
from grader.submission.shipped_kits import KIT_ARCHIVE, unpack_kit

RTOL = 1e-5  # answers: float32's tolerance, relative to each tensor's largest magnitude
STAMP = (1980, 1, 1, 0, 0, 0)  # every member's time: the same archive for the same files


def build_kits(output: Path) -> list[str]:
    """Every built-in assignment's kit, each in output/<id>; returns the ids."""
    course = Course(BUILTIN_ROOT)
    ids = sorted(assignments_in(BUILTIN_ROOT))
    for assignment_id in ids:
        write_student_kit(course, assignment_id, output / assignment_id)
    return ids


def zip_kit(folder: Path) -> bytes:
    """The kit folder as one zip archive, the same bytes for the same files."""
    with tempfile.SpooledTemporaryFile() as raw:
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                member = zipfile.ZipInfo(path.relative_to(folder).as_posix(), STAMP)
                member.compress_type, member.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
                archive.writestr(member, path.read_bytes())
        raw.seek(0)
        return raw.read()


def differences(fresh: Path, shipped: Path) -> list[str]:
    """How the kit in `shipped` differs from one built now in `fresh` (files, texts, answers)."""
    fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    shipped_files = sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file()) \
        if shipped.is_dir() else []
    if fresh_files != shipped_files:
        return [f"{shipped.name}: files {list(map(str, shipped_files))}, expected {list(map(str, fresh_files))}"]
    found = []
    for relative in fresh_files:
        if relative.parent.name == "answers" and relative.suffix == ".bin":
            if not _same_answers(fresh / relative, shipped / relative):
                found.append(f"{shipped.name}/{relative}: other answers")
        elif relative.parent.name == "answers" and relative.suffix == ".json":
            a, b = (json.loads((root / relative).read_text(encoding="utf-8")) for root in (fresh, shipped))
            if not _same_spec(a, b):
                found.append(f"{shipped.name}/{relative}: other cases")
        elif (fresh / relative).read_bytes() != (shipped / relative).read_bytes():
            found.append(f"{shipped.name}/{relative}: differs")
    return found


def _same_spec(a: object, b: object) -> bool:
    """Two answer files' specs: equal, but for Python floats within RTOL (an answer's last bits)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) == {"$float"} == set(b):
            return _close(float(a["$float"]), float(b["$float"]))
        return list(a) == list(b) and all(_same_spec(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_spec(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return _close(a, b)
    return type(a) is type(b) and a == b


def _close(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-12)


def _same_answers(fresh: Path, shipped: Path) -> bool:
    """The raw answers of two kits: integers equal, floats within RTOL of each tensor's largest
    magnitude (the JSON, which gives each buffer's dtype, is compared by `_same_spec`)."""
    spec = json.loads(fresh.with_suffix(".json").read_text(encoding="utf-8"))
    dtypes = dict(_tensor_dtypes(spec["cases"]))
    a, b = fresh.read_bytes(), shipped.read_bytes()
    if len(a) != len(b):
        return False
    start = 0
    for index, size in enumerate(spec["sizes"]):
        dtype = np.dtype(dtypes.get(index, "uint8"))
        x, y = (np.frombuffer(raw[start:start + size], dtype=dtype) for raw in (a, b))
        start += size
        if dtype.kind != "f":
            if not np.array_equal(x, y):
                return False
        elif x.size and not np.allclose(x, y, rtol=RTOL, atol=RTOL * float(np.abs(x[np.isfinite(x)]).max(initial=0.0)),
                                        equal_nan=True):
            return False
    return True


def _tensor_dtypes(value: object):  # noqa: ANN202 - (buffer index, numpy dtype name) pairs
    if isinstance(value, dict):
        tensor = value.get("$tensor")
        if isinstance(tensor, dict) and "buffer" in tensor:
            dtype = tensor["dtype"]
            yield tensor["buffer"], {"bool": "bool", "bfloat16": "uint16"}.get(dtype, dtype)
        for item in value.values():
            yield from _tensor_dtypes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _tensor_dtypes(item)


def stale_kits(fresh: Path, ids: list[str]) -> list[str]:
    """The differences of each shipped archive from the kit built now in fresh/<id>."""
    found = []
    with tempfile.TemporaryDirectory() as folder:
        for assignment_id in ids:
            archive = PACKAGED_KITS / f"{assignment_id}{KIT_ARCHIVE}"
            if not archive.is_file():
                found.append(f"{archive.name}: missing")
                continue
            found += differences(fresh / assignment_id, unpack_kit(archive, Path(folder) / assignment_id))
    shipped = sorted(p.name for p in PACKAGED_KITS.glob(f"*{KIT_ARCHIVE}"))
    found += [f"{name}: no such assignment" for name in shipped if name[:-len(KIT_ARCHIVE)] not in ids]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only list the stale kits")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder)
        ids = build_kits(fresh)
        if args.check:
            stale = stale_kits(fresh, ids)
            print("\n".join(stale) or "the packaged kits are up to date")
            return 1 if stale else 0
        PACKAGED_KITS.mkdir(exist_ok=True)
        for old in PACKAGED_KITS.glob(f"*{KIT_ARCHIVE}"):
            if old.name[:-len(KIT_ARCHIVE)] not in ids:
                old.unlink()
        for assignment_id in ids:
            write_atomically(PACKAGED_KITS / f"{assignment_id}{KIT_ARCHIVE}", zip_kit(fresh / assignment_id))
    print(f"wrote {len(ids)} kits into {PACKAGED_KITS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
