"""Write the student kits of the built-in course into grader/kits/, where the package ships them.

After `pip install dl-notebook-grader` (Colab included) there is no course on disk: `check("softmax")`
in a notebook and `grade submission.ipynb --public-only` then use these kits (public checks and
the reference's answers as data; never a solution or a hidden check). Run this after changing a
checks file or a solution; `tests/instructor/test_packaged_kits.py` fails while a kit is stale.

    python tools/package_kits.py            # rewrite grader/kits/
    python tools/package_kits.py --check    # list the stale kits; exit 1 if any
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from grader.instructor.student_kit import write_student_kit
from grader.submission.course import BUILTIN_ROOT, PACKAGED_KITS, Course, assignments_in


def build_kits(output: Path) -> list[str]:
    """Every built-in assignment's kit, each in output/<id>; returns the ids."""
    course = Course(BUILTIN_ROOT)
    ids = sorted(assignments_in(BUILTIN_ROOT))
    for assignment_id in ids:
        write_student_kit(course, assignment_id, output / assignment_id)
    return ids


def differences(fresh: Path, shipped: Path) -> list[str]:
    """How the kit in `shipped` differs from one built now in `fresh` (files, texts, answers)."""
    fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    shipped_files = sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file()) \
        if shipped.is_dir() else []
    if fresh_files != shipped_files:
        return [f"{shipped.name}: files {list(map(str, shipped_files))}, expected {list(map(str, fresh_files))}"]
    found = []
    for relative in fresh_files:
        if relative.suffix == ".bin":
            if not _same_answers(fresh / relative, shipped / relative):
                found.append(f"{shipped.name}/{relative}: other answers")
        elif (fresh / relative).read_bytes() != (shipped / relative).read_bytes():
            found.append(f"{shipped.name}/{relative}: differs")
    return found


def _same_answers(fresh: Path, shipped: Path) -> bool:
    """The raw answers of two kits agree to within a few of float64's last digits (a build on
    another machine may round the reference differently: another BLAS, another order of a sum);
    their JSON, which names every input by a digest, was compared byte for byte."""
    spec = json.loads(fresh.with_suffix(".json").read_text(encoding="utf-8"))
    dtypes = dict(_tensor_dtypes(spec["answers"]))
    a, b = fresh.read_bytes(), shipped.read_bytes()
    if len(a) != len(b):
        return False
    start = 0
    for index, size in enumerate(spec["sizes"]):
        dtype = np.dtype(dtypes.get(index, "uint8"))
        x, y = (np.frombuffer(raw[start:start + size], dtype=dtype) for raw in (a, b))
        if not np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True):
            return False
        start += size
    return True


def _tensor_dtypes(value: object):  # noqa: ANN202 - (buffer index, numpy dtype name) pairs
    if isinstance(value, dict):
        tensor = value.get("$tensor")
        if isinstance(tensor, dict) and "buffer" in tensor:
            yield tensor["buffer"], "bool" if tensor["dtype"] == "bool" else tensor["dtype"].replace("bfloat16", "uint16")
        for item in value.values():
            yield from _tensor_dtypes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _tensor_dtypes(item)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only list the stale kits")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder)
        ids = build_kits(fresh)
        if args.check:
            stale = [d for i in ids for d in differences(fresh / i, PACKAGED_KITS / i)]
            print("\n".join(stale) or "the packaged kits are up to date")
            return 1 if stale else 0
        for assignment_id in ids:
            shutil.rmtree(PACKAGED_KITS / assignment_id, ignore_errors=True)
            shutil.copytree(fresh / assignment_id, PACKAGED_KITS / assignment_id)
    print(f"wrote {len(ids)} kits into {PACKAGED_KITS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
