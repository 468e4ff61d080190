"""Where a cold `grade NOTEBOOK` spends its time: one run under cProfile, by phase.

    python bench/profile_cold.py [NOTEBOOK] [--assignment ID]

Phases (cumulative seconds in the grading process's main thread; the checks' imports that load
in a thread beside the notebook's run show only as the time the main thread waits for them):
the command's own imports, the kernel's start, the notebook's run, the reference, pytest's
collection of the checks file, the checks' run (their calls into the kernel included), the
image data, and closing the kernel.
"""

from __future__ import annotations

import argparse
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"  # the built-in D2L course

PHASES = [  # (label, file suffix, function name)
    ("whole command", "grader/commands/grade.py", "main"),
    ("grade_notebook", "grader/pipeline.py", "grade_notebook"),
    ("  kernel start (start_kernel)", "grader/execute/kernel.py", "start_kernel"),
    ("  notebook run (execute_notebook)", "grader/execute/run.py", "execute_notebook"),
    ("  checks (run_checks)", "grader/checking/plugin.py", "run_checks"),
    ("    pytest collection", "_pytest/main.py", "pytest_collection"),
    ("    checks' run", "_pytest/main.py", "pytest_runtestloop"),
    ("    image data", "course/lib/d2l_course/data.py", "load_image_data"),
    ("  reference (load_reference)", "grader/checking/reference.py", "load_reference"),
    ("  kernel close", "grader/execute/kernel.py", "close"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", nargs="?", type=Path,
                        default=COURSE / "solutions" / "04_softmax_regression.ipynb")
    parser.add_argument("--assignment")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        stats_file = Path(tmp) / "grade.prof"
        command = [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m",
                   "grader.commands.grade", str(args.notebook), "--cold"]
        if args.assignment:
            command += ["--assignment", args.assignment]
        began = time.monotonic()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
                       env=dict(os.environ, GRADER_WARM_MINUTES="0"))
        wall = time.monotonic() - began
        profile = pstats.Stats(str(stats_file))
        stats = profile.stats  # type: ignore[attr-defined]
    print(f"grade {args.notebook.name} --cold: {wall:.2f} s wall, {profile.total_tt:.2f} s "
          f"profiled (main thread); load average {os.getloadavg()[0]:.2f}")
    for label, suffix, name in PHASES:
        total = sum(entry[3] for (file, _, function), entry in stats.items()
                    if file.endswith(suffix) and function == name)
        print(f"{label:<36} {total:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
