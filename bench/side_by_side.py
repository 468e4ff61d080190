"""`grade` beside its peers, every figure from one run (`python bench/run.py`, first table).

- one notebook (`bench/peers.py`'s: the solved softmax-regression notebook with four test
  cells), medians of --runs: the notebook's own compute (its cells' time in a kernel whose
  imports are done), a bare nbclient run, `grade --cold`, `grade` warm (a fresh `grade`
  process answered by the warm daemon, started by a first call and ready), nbgrader's
  `autograde` of one student, otter's `run`;
- a batch of --peer-batch copies of it: nbgrader (one after another, as it runs), otter (two
  side by side), `grade DIR -j 1` and `-j 2`;
- a class of --class-size mixed submissions (solved, buggy, untouched; `run.make_batch`) at
  -j 1 and -j 2 through the command line: wall, speed-up, peak PSS per worker and largest RSS;
- a class of --large-class mixed submissions at -j 2: seconds per submission against the
  --peer-batch-sized class of the same mix.

The peers come from the environment --peers (default /tmp/peers); absent ones are skipped with
a note. `grade` runs with its defaults (a batch forks kernels from one warm zygote).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

import peers
from run import (BARE, COURSE, MemorySampler, bare_env, gradable, make_batch, median, mebibytes,
                 render, seconds, timed_process)

ASSIGNMENT = "04_softmax_regression"


def own_compute(notebook: Path) -> float:
    """Seconds the notebook's cells take in a kernel whose imports are already done (torch,
    numpy, pandas, scikit-learn's digits): what no grader can save."""
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        "import torch, numpy, pandas, sklearn.datasets"))
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   record_timing=True).execute()
    total = 0.0
    for cell in nb.cells[1:]:
        timing = cell.metadata.get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            total += (_when(timing["shell.execute_reply"])
                      - _when(timing["iopub.execute_input"]))
    return total


def _when(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _grade_env(runtime: Path, minutes: str) -> dict[str, str]:
    return dict(os.environ, XDG_RUNTIME_DIR=str(runtime), GRADER_WARM_MINUTES=minutes)


def _daemon_ready(runtime: Path, timeout: float = 300) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any((runtime / "grader").glob("*/daemon.sock")):
            return True
        time.sleep(0.2)
    return False


def _stop_daemons(runtime: Path) -> None:
    from grader.warm.grading_daemon import PROGRAM
    from grader.warm.daemon import stop_daemon

    for folder in (runtime / "grader").glob("*"):
        stop_daemon(folder, PROGRAM)


def one_notebook(args, tmp: Path, available: dict[str, str]) -> tuple[dict, list[list[str]]]:  # noqa: ANN001
    notebook_nb = peers.peer_notebook(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb")
    notebook = tmp / "softmax.ipynb"
    nbformat.write(notebook_nb, notebook)
    runtime = tmp / "runtime"
    runtime.mkdir(mode=0o700)
    grade = ["grade", str(notebook), "--assignment", ASSIGNMENT]
    figures: dict[str, list[float]] = {k: [] for k in
                                       ("compute", "bare", "cold", "warm", "nbgrader", "otter")}
    nbgrader = otter = None
    if "nbgrader" in available:
        nbgrader = peers.Nbgrader(args.peers, tmp / "nbgrader", notebook_nb)
        nbgrader.submit(["s1"])
    if "otter" in available:
        otter = peers.Otter(args.peers, tmp / "otter", notebook_nb)
    off = _grade_env(runtime, "0")
    for _ in range(args.runs):
        figures["compute"].append(own_compute(notebook))
        figures["bare"].append(timed_process([sys.executable, "-c", BARE, str(notebook)],
                                             bare_env(1))[0])
        figures["cold"].append(timed_process([*grade, "--cold"], off)[0])
        if nbgrader:
            figures["nbgrader"].append(nbgrader.autograde("s1"))
        if otter:
            figures["otter"].append(otter.run())
    warm_env = _grade_env(runtime, "10")
    timed_process(grade, warm_env)  # cold, and it starts the daemon
    try:
        if _daemon_ready(runtime):
            for _ in range(args.runs):
                time.sleep(args.settle)  # a student reads the report; the next kernel forks
                figures["warm"].append(timed_process(grade, warm_env)[0])
    finally:
        _stop_daemons(runtime)
    medians = {key: median(values) for key, values in figures.items()}
    return medians, [[label, seconds(medians[key])] for label, key in (
        ("the notebook's own compute (imports done)", "compute"),
        ("bare nbclient (no checks, no sandbox)", "bare"),
        ("nbgrader autograde, one student", "nbgrader"), ("otter run", "otter"),
        ("grade --cold", "cold"), ("grade, warm daemon", "warm"))]


def peer_batches(args, tmp: Path, available: dict[str, str]) -> dict[str, float]:  # noqa: ANN001
    notebook_nb = peers.peer_notebook(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb")
    students = [f"s{number:03d}" for number in range(args.peer_batch)]
    walls: dict[str, float] = {}
    if "nbgrader" in available:
        nbgrader = peers.Nbgrader(args.peers, tmp / "nbgrader-batch", notebook_nb)
        nbgrader.submit(students)
        walls["nbgrader"] = nbgrader.autograde()
    if "otter" in available:
        otter = peers.Otter(args.peers, tmp / "otter-batch", notebook_nb)
        walls["otter"] = otter.batch(args.peer_batch, parallel=2)
    folder = tmp / "grade-batch"
    for student in students:
        (folder / student).mkdir(parents=True)
        nbformat.write(notebook_nb, folder / student / f"{ASSIGNMENT}.ipynb")
    for jobs in (1, 2):
        walls[f"grade -j {jobs}"] = timed_process(
            ["grade", str(folder), "-j", str(jobs), "--force", "--state", str(tmp / f"s{jobs}")],
            _grade_env(tmp, "0"))[0]
    return walls


def class_batches(args, tmp: Path) -> tuple[list[list[str]], dict[str, float]]:  # noqa: ANN001
    assignments = gradable(COURSE)
    rows, per_submission = [], {}
    sizes = [(args.class_size, jobs) for jobs in (1, 2)]
    sizes += [(size, 2) for size in (args.peer_batch, args.large_class) if size]
    base = None
    for size, jobs in sizes:
        folder = tmp / f"class-{size}-{jobs}"
        paths = make_batch(folder, size, assignments)
        with MemorySampler() as memory:
            wall = timed_process(["grade", *map(str, paths), "-j", str(jobs), "--force",
                                  "--state", str(folder / ".state")], _grade_env(tmp, "0"))[0]
        if size == args.class_size:
            base = base or wall
        per_submission[f"{size}@{jobs}"] = wall / size
        rows.append([f"{size} mixed", str(jobs), seconds(wall), f"{wall / size:.2f} s",
                     f"{size * 60 / wall:.1f}",
                     f"{base / wall:.2f}x" if size == args.class_size and base else "",
                     mebibytes(memory.peak_pss / jobs), mebibytes(memory.peak_rss)])
        shutil.rmtree(folder, ignore_errors=True)
    return rows, per_submission


def report(args) -> None:  # noqa: ANN001
    available = peers.installed(args.peers) if args.peers else {}
    missing = [tool for tool in ("nbgrader", "otter") if tool not in available]
    print(f"peers: {', '.join(f'{t} {v}' for t, v in available.items()) or 'none'}"
          + (f" ({', '.join(missing)} not installed in {args.peers}: skipped; "
             f"python -m venv --system-site-packages {args.peers} && "
             f"{args.peers}/bin/pip install nbgrader otter-grader)" if missing else ""),
          flush=True)
    with tempfile.TemporaryDirectory(prefix="grader-bench-peers-") as name:
        tmp = Path(name)
        single, single_rows = one_notebook(args, tmp, available)
        print(render([f"one notebook (medians of {args.runs})", "wall"], single_rows),
              flush=True)
        print(flush=True)
        walls = peer_batches(args, tmp, available) if args.peer_batch else {}
        class_rows, per_submission = class_batches(args, tmp)
    print(render(["class (grade DIR)", "-j", "wall", "per submission", "subs/min", "speed-up",
                  "peak PSS/worker", "peak RSS max"], class_rows), flush=True)
    print(flush=True)
    print(render(["side by side", "nbgrader", "otter", "grade", "grade/nbgrader", "grade/otter"],
                 summary_rows(args, single, walls, per_submission)))


def summary_rows(args, single: dict, walls: dict, per_submission: dict) -> list[list[str]]:  # noqa: ANN001
    def ratio(ours: float, theirs: float | None) -> str:
        return f"{ours / theirs:.2f}" if theirs and ours == ours and theirs == theirs else "-"

    rows = []
    for label, ours in (("one notebook, cold", single["cold"]),
                        ("one notebook, warm", single["warm"])):
        rows.append([label, seconds(single["nbgrader"]), seconds(single["otter"]), seconds(ours),
                     ratio(ours, single["nbgrader"]), ratio(ours, single["otter"])])
    if walls:
        ours = walls["grade -j 2"]
        rows.append([f"batch of {args.peer_batch} correct, wall (-j 2)",
                     seconds(walls.get("nbgrader", float("nan"))),
                     seconds(walls.get("otter", float("nan"))), seconds(ours),
                     ratio(ours, walls.get("nbgrader")), ratio(ours, walls.get("otter"))])
        rows.append([f"batch of {args.peer_batch} correct: -j 2 speed-up over -j 1", "", "",
                     f"{walls['grade -j 1'] / ours:.2f}x", "", ""])
    rows.append(["warm beyond the notebook's own compute", "", "",
                 seconds(single["warm"] - single["compute"]), "", ""])
    large, small = per_submission.get(f"{args.large_class}@2"), \
        per_submission.get(f"{args.peer_batch}@2")
    if large and small:
        rows.append([f"class of {args.large_class} vs {args.peer_batch}, s/submission (-j 2)",
                     "", "", f"{large:.2f} vs {small:.2f} s", "", ""])
    return rows
