"""Issue 23's speed targets, side by side in one run, as ratios against bare nbclient.

    python bench/targets.py                  # the solved 04 notebook, 3 runs, a batch of 40
    python bench/targets.py --runs 5 --batch 40

- **bare nbclient**: a fresh `python -c` running the notebook with nbclient, one thread per
  kernel as the grader's (median of --runs).
- **warm grade (daemon)**: `grade NOTEBOOK` as a student types it, a fresh process answered by
  the warm daemon that the first call started (waited for until ready; its own runtime folder,
  stopped at the end). Target: <= 0.15 x bare.
- **warm grade (in process)**: `pipeline.grade` with a ready `WarmKernels` (what each
  submission of a batch costs, without the command's start).
- **batch of --batch copies at -j 2**: `grade DIR -j 2 --force`, the command line, against
  --batch bare runs. Target: <= 0.08 x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import BARE, bare_env, timed_process  # noqa: E402 - the bench's own helpers

NOTEBOOK = ROOT / "course" / "solutions" / "04_softmax_regression.ipynb"


def grade_argv() -> list[str]:
    return [str(Path(sys.executable).parent / "grade")]


def warm_daemon(notebook: Path, runs: int) -> list[float]:
    """Wall seconds of `grade NOTEBOOK` answered by a warm daemon of its own runtime folder."""
    runtime = Path(tempfile.mkdtemp(prefix="bench-runtime-"))
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), GRADER_WARM_MINUTES="5")
    try:
        timed_process([*grade_argv(), str(notebook)], env)  # cold; starts the daemon
        sockets = lambda: list(runtime.glob("grader/*/daemon.sock"))  # noqa: E731
        deadline = time.monotonic() + 180
        while not sockets() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        walls = []
        for _ in range(runs):
            elapsed, code = timed_process([*grade_argv(), str(notebook)], env)
            assert code == 0, code
            walls.append(elapsed)
            time.sleep(1)  # its worker forks the next kernel meanwhile
        return walls
    finally:
        from grader.warm.daemon import stop_daemon
        from grader.warm.grading_daemon import PROGRAM

        for folder in runtime.glob("grader/*"):
            stop_daemon(folder, PROGRAM)
        time.sleep(2)
        shutil.rmtree(runtime, ignore_errors=True)


def warm_in_process(notebook: Path, runs: int) -> list[float]:
    from grader.options import GradeOptions, sandbox_policy
    from grader.pipeline import grade
    from grader.warm.kernels import WarmKernels

    options = GradeOptions()
    walls = []
    with WarmKernels(sandbox_policy(options), ahead=1) as pool:
        grade(notebook, options, pool.start)  # this process's first imports, unmeasured
        for _ in range(runs):
            time.sleep(1)  # the next kernel forked ahead
            began = time.monotonic()
            report = grade(notebook, options, pool.start)
            walls.append(time.monotonic() - began)
            assert report.score == report.max_score, report.score
    return walls


def batch(notebook: Path, size: int, jobs: int) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as folder:
        for number in range(size):
            target = Path(folder) / "in" / f"s{number:03d}" / notebook.name
            target.parent.mkdir(parents=True)
            shutil.copy(notebook, target)
        argv = [*grade_argv(), str(Path(folder) / "in"), "-j", str(jobs), "--force",
                "--state", str(Path(folder) / "state"), "--csv", str(Path(folder) / "g.csv")]
        elapsed, code = timed_process(argv)
        assert code == 0, code
        return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f}, {os.cpu_count()} CPUs; {args.notebook.name}", flush=True)
    bare = statistics.median(timed_process([sys.executable, "-c", BARE, str(args.notebook)],
                                           bare_env(1))[0] for _ in range(args.runs))
    daemon = statistics.median(warm_daemon(args.notebook, args.runs))
    in_process = statistics.median(warm_in_process(args.notebook, args.runs))
    whole = batch(args.notebook, args.batch, args.jobs)
    rows = [("bare nbclient", bare, 1.0, ""),
            ("warm grade (daemon, fresh `grade` process)", daemon, daemon / bare, "<= 0.15"),
            ("warm grade (in process, kernel forked ahead)", in_process, in_process / bare, ""),
            (f"batch of {args.batch} at -j {args.jobs} (vs {args.batch} bare runs)", whole,
             whole / (args.batch * bare), "<= 0.08")]
    print(f"\n{'':<58} {'wall':>8} {'/bare':>6}  target")
    for label, seconds, ratio, target in rows:
        print(f"{label:<58} {seconds:>7.2f}s {ratio:>6.3f}  {target}")
    print(f"load average now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
