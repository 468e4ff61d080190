"""Benchmark: what grading costs, every figure measured side by side in one run.

    python bench/run.py                    # defaults: 3 runs per notebook, a batch of 40
    python bench/run.py --batch 10 --runs 1 --jobs 1,2

Prints one table:

- per solved notebook (solutions/*.ipynb): `grade` cold (a fresh `grade` process), a bare
  nbclient run of the same notebook (a fresh `python -c`, no sandbox, no checks, the same
  thread count as the grader's kernels) and grade/bare; `grade` warm (in this process, the
  kernel taken from a ready `grader.warm.kernels.WarmKernels`);
- a batch of submissions (solved, buggy and untouched notebooks mixed) at each -j: wall time,
  submissions per minute, speed-up over -j 1, and peak memory per worker, sampled from /proc
  (PSS of every process below this one, kernels included, divided by -j; and the largest RSS
  of any one process). Cold batches run through the `grade PATH... -j N` command line when it
  has one, else through `grader.pipeline` in a process pool; warm batches through the pool with
  one `WarmKernels` per worker process.

Figures are medians over --runs (single notebooks) and --batch-runs (batches). The machine's
other load shows in them: run it on a quiet machine to compare with earlier figures.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"  # the built-in D2L course
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # side_by_side, peers

BARE = """\
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True).execute()
"""

# What `grade NOTEBOOK` would cost if the command line started the warm kernels' zygote before
# importing the rest of the grader (see bench/README.md): the package's __init__ is bypassed
# here, as a lazy one would, so that the zygote's imports overlap the grader's own.
ZYGOTE_FIRST = """\
import sys, types
from pathlib import Path
package = types.ModuleType("grader")
package.__path__ = [str(Path(sys.argv[2]) / "grader")]
sys.modules["grader"] = package
from grader.options import SandboxPolicy
from grader.warm.kernels import WarmKernels
root = Path(sys.argv[2])
hidden = (root / "solutions", root / "checks", root / "grader")
with WarmKernels(SandboxPolicy(hidden=hidden), ahead=1) as pool:
    from grader.pipeline import GradeOptions, grade
    from grader.reporters import table
    report = grade(Path(sys.argv[1]), GradeOptions(), kernels=pool.start)
    print(table.render(report))
    sys.exit(0 if pool.forked == 1 else 9)
"""

# The same with a cold kernel started first: only the notebook's own imports in the kernel.
KERNEL_FIRST = """\
import sys, types
from pathlib import Path
package = types.ModuleType("grader")
package.__path__ = [str(Path(sys.argv[2]) / "grader")]
sys.modules["grader"] = package
from grader.options import SandboxPolicy
from grader.execute.kernel import start_kernel
root = Path(sys.argv[2])
policy = SandboxPolicy(hidden=(root / "solutions", root / "checks", root / "grader"))
first = [start_kernel(policy)]
def kernels(asked):
    return first.pop() if first and asked == policy else start_kernel(asked)
from grader.pipeline import GradeOptions, grade
from grader.reporters import table
report = grade(Path(sys.argv[1]), GradeOptions(), kernels=kernels)
print(table.render(report))
for kernel in first:
    kernel.close()
sys.exit(9 if first else 0)
"""


# -- memory ------------------------------------------------------------------------------------

def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _descendants(root: int) -> list[int]:
    children = _children_map()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, ()):
            found.append(child)
            todo.append(child)
    return found


def _memory_of(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes; PSS shares pages among the processes that map them (forks)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


class Sampler:
    """Calls `sample()` every `interval` seconds on a thread of its own, while in its `with`."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> Sampler:
        """Start sampling."""
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        raise NotImplementedError


class MemorySampler(Sampler):
    """Samples every process below this one: peak total PSS, and peak RSS of any one of them."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(interval)
        self.peak_pss = 0
        self.peak_rss = 0

    def sample(self) -> None:
        total = 0
        for pid in _descendants(os.getpid()):
            rss, pss = _memory_of(pid)
            total += pss
            self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, total)


# -- submissions -------------------------------------------------------------------------------

def gradable(course_root: Path) -> list[str]:
    from grader.submission.course import Course

    return sorted(Course(course_root).assignments)


def buggy_version(solution: Path) -> str:
    """The solved notebook with one plausible slip: softmax/sums over the wrong axis, or else
    the first solution block returning None."""
    import nbformat

    nb = nbformat.read(solution, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code" and "# BEGIN SOLUTION" in cell.source and "dim=1" in cell.source:
            cell.source = cell.source.replace("dim=1", "dim=0")
            changed = True
            break
    if not changed:
        for cell in nb.cells:
            if cell.cell_type == "code" and "# BEGIN SOLUTION" in cell.source:
                head, _, rest = cell.source.partition("# BEGIN SOLUTION")
                indent = head.rsplit("\n", 1)[-1]
                cell.source = head + "# BEGIN SOLUTION\n" + indent + "return None\n" + indent + rest
                break
    return nbformat.writes(nb)


def make_batch(folder: Path, size: int, assignments: list[str],
               wanted: tuple[str, ...] = ("solved", "buggy", "untouched")) -> list[Path]:
    """`size` submissions, <student>/<assignment>.ipynb, cycling solved, buggy and untouched."""
    kinds = []
    for assignment in assignments:
        solution = COURSE / "solutions" / f"{assignment}.ipynb"
        untouched = COURSE / "assignments" / f"{assignment}.ipynb"
        if "solved" in wanted:
            kinds.append((assignment, "solved", solution.read_text()))
        if "buggy" in wanted:
            kinds.append((assignment, "buggy", buggy_version(solution)))
        if untouched.exists() and "untouched" in wanted:
            kinds.append((assignment, "untouched", untouched.read_text()))
    paths = []
    for number in range(size):
        assignment, kind, text = kinds[number % len(kinds)]
        path = folder / f"s{number:03d}-{kind}" / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(text)
        paths.append(path)
    return paths


# -- ways of grading ---------------------------------------------------------------------------

def timed_process(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    began = time.monotonic()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                          cwd=ROOT)
    return time.monotonic() - began, done.returncode


def bare_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[name] = str(threads)
    return env


def cli_help() -> str:
    return subprocess.run(["grade", "--help"], capture_output=True, text=True).stdout


def batch_with_cli(paths: list[Path], jobs: int, state: Path, extra: list[str]) -> float:
    argv = ["grade", *map(str, paths), "-j", str(jobs), "--state", str(state), "--force", *extra]
    return timed_process(argv)[0]


_WORKER_POOL = None  # the warm kernels of one worker process of the bench's own pool


def _worker_start(zygote, ahead: int) -> None:  # noqa: ANN001 - a ZygoteAddress or None
    global _WORKER_POOL
    import atexit

    if zygote is not None:
        from grader.warm.kernels import WarmKernels

        _WORKER_POOL = WarmKernels(zygote.policy, ahead=ahead, zygote=zygote)
        atexit.register(_WORKER_POOL.close)


def _grade_one(path: str) -> float:
    from grader.pipeline import GradeOptions, grade_or_explain
    from grader.execute.kernel import start_kernel

    kernels = _WORKER_POOL.start if _WORKER_POOL is not None else start_kernel
    report = grade_or_explain(Path(path), GradeOptions(), kernels=kernels)
    return report.score


def sandbox_policy():
    """The policy `grader.pipeline.grade` asks kernels for: the course's folders hidden."""
    from dataclasses import replace

    from grader.pipeline import GradeOptions

    options = GradeOptions()
    return replace(options.policy, hidden=options.policy.hidden + options.course.private_paths)


def batch_with_pool(paths: list[Path], jobs: int, warm: bool) -> tuple[float, float]:
    """Wall time of grading `paths`, and the time the workers took to get ready first. Warm:
    one zygote for all workers, each worker with one kernel forked ahead."""
    from grader.warm.workers import WORKER_PRELOAD

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)  # as the command line's pool
    began = time.monotonic()
    zygote = None
    if warm:
        from grader.warm.zygote import Zygote

        zygote = Zygote(sandbox_policy())
    try:
        with cf.ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_start,
                                    initargs=(zygote.address if zygote else None, 1)) as pool:
            list(pool.map(_noop, range(jobs)))  # workers up, their first kernels forked
            ready = time.monotonic() - began
            began = time.monotonic()
            list(pool.map(_grade_one, map(str, paths)))
            return time.monotonic() - began, ready
    finally:
        if zygote is not None:
            zygote.close()


def _noop(_: int) -> None:
    time.sleep(0.2)  # long enough that each worker gets one


# -- the table ---------------------------------------------------------------------------------

@dataclass
class Row:
    label: str
    cells: list[str] = field(default_factory=list)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value == value else "-"


def mebibytes(value: float) -> str:
    return f"{value / 2**20:.0f} MiB"


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value == value else "-"


def single_notebooks(args: argparse.Namespace, threads: int) -> list[list[str]]:
    from grader.pipeline import GradeOptions, grade
    from grader.results import GradeStatus

    known = set(gradable(COURSE))
    rows = []
    warm_pool = None
    if args.warm:
        from grader.warm.kernels import WarmKernels

        warm_pool = WarmKernels(sandbox_policy(), ahead=1)
    try:
        for notebook in sorted((COURSE / "solutions").glob(args.notebooks)):
            cold, first, kfirst, bare, warm = [], [], [], [], []
            status = "graded" if notebook.stem in known else "no checks"
            for _ in range(args.runs):
                if notebook.stem in known:
                    elapsed, code = timed_process(["grade", str(notebook), "--cold"])  # no daemon
                    if code != 0:
                        status = f"exit {code}"
                    cold.append(elapsed)
                    elapsed, code = timed_process([sys.executable, "-c", ZYGOTE_FIRST,
                                                   str(notebook), str(ROOT)])
                    if code != 0:
                        status = f"zygote-first exit {code}"
                    first.append(elapsed)
                    elapsed, code = timed_process([sys.executable, "-c", KERNEL_FIRST,
                                                   str(notebook), str(ROOT)])
                    if code != 0:
                        status = f"kernel-first exit {code}"
                    kfirst.append(elapsed)
                bare.append(timed_process([sys.executable, "-c", BARE, str(notebook)],
                                          bare_env(threads))[0])
                if warm_pool is not None and notebook.stem in known:
                    time.sleep(args.settle)  # let the pool get its next kernel ready
                    began = time.monotonic()
                    report = grade(notebook, GradeOptions(), kernels=warm_pool.start)
                    warm.append(time.monotonic() - began)
                    if report.status is not GradeStatus.GRADED or report.score != report.max_score:
                        status = f"warm {report.score:g}/{report.max_score:g}"
            ratio = median(cold) / median(bare) if cold else float("nan")
            warm_ratio = median(warm) / median(bare) if warm else float("nan")
            first_ratio = median(first) / median(bare) if first else float("nan")
            kfirst_ratio = median(kfirst) / median(bare) if kfirst else float("nan")
            rows.append([notebook.name, status, seconds(median(bare)), seconds(median(cold)),
                         _ratio(ratio), seconds(median(kfirst)), _ratio(kfirst_ratio),
                         seconds(median(first)), _ratio(first_ratio),
                         seconds(median(warm)), _ratio(warm_ratio)])
    finally:
        if warm_pool is not None:
            warm_pool.close()
    return rows


def batch_modes(args: argparse.Namespace) -> list[tuple[str, str, list[str]]]:
    """(label, driver, CLI flags): the command line's own ways where it has batches, then the
    bench's pool with one zygote shared by all its workers."""
    text = "" if args.no_cli else cli_help()
    modes = []
    if "--jobs" in text and "--state" in text:
        if "--cold" in text:
            modes.append(("cold (CLI --cold)", "cli", ["--cold"]))
            if args.warm:
                modes.append(("warm (CLI: zygote per worker)", "cli", []))
        else:
            modes.append(("cold (CLI)", "cli", []))
    else:
        modes.append(("cold (pool)", "cold", []))
    if args.warm:
        modes.append(("warm (pool: one zygote)", "warm", []))
    return modes


def batches(args: argparse.Namespace) -> list[list[str]]:
    assignments = gradable(COURSE)
    rows = []
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        paths = make_batch(Path(tmp) / "subs", args.batch, assignments,
                           tuple(args.kinds.split(",")))
        for label, driver, flags in batch_modes(args):
            base = None
            for jobs in args.jobs:
                walls, peaks, rss, readies = [], [], [], []
                for run in range(args.batch_runs):
                    with MemorySampler() as memory:
                        if driver == "cli":
                            state = Path(tmp) / f"state-{len(rows)}-{run}"
                            wall = batch_with_cli(paths, jobs, state, flags)
                        else:
                            wall, ready = batch_with_pool(paths, jobs, driver == "warm")
                            readies.append(ready)
                    walls.append(wall)
                    peaks.append(memory.peak_pss / jobs)
                    rss.append(memory.peak_rss)
                wall = median(walls)
                base = base or wall
                rows.append([label, str(jobs), seconds(wall), f"{len(paths) * 60 / wall:.1f}",
                             f"{base / wall:.2f}x", mebibytes(median(peaks)),
                             mebibytes(median(rss)),
                             seconds(median(readies)) if readies else "(in wall)"])
    return rows


def render(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per notebook (3)")
    parser.add_argument("--batch", type=int, default=40, help="submissions in the batch (40)")
    parser.add_argument("--kinds", default="solved,buggy,untouched",
                        help="which submissions the batch cycles through (solved,buggy,untouched)")
    parser.add_argument("--batch-runs", type=int, default=1, help="runs of each batch (1)")
    parser.add_argument("--jobs", default="1,2", help="-j values for the batch (1,2)")
    parser.add_argument("--notebooks", default="*.ipynb", help="which solutions/ (*.ipynb)")
    parser.add_argument("--no-warm", dest="warm", action="store_false", help="cold paths only")
    parser.add_argument("--no-cli", action="store_true", help="cold batches through the pool "
                        "even where the command line has batches")
    parser.add_argument("--no-single", dest="single", action="store_false")
    parser.add_argument("--settle", type=float, default=1.0,
                        help="seconds between warm runs, for the next kernel to get ready (1)")
    side = parser.add_argument_group("side by side with the peers (bench/side_by_side.py)")
    side.add_argument("--no-side-by-side", dest="side_by_side", action="store_false")
    side.add_argument("--peers", type=Path, default=Path("/tmp/peers"),
                      help="the environment with nbgrader and otter-grader (/tmp/peers)")
    side.add_argument("--peer-batch", type=int, default=20,
                      help="copies of the peers' notebook in their batch (20)")
    side.add_argument("--class-size", type=int, default=40,
                      help="mixed submissions graded at -j 1 and -j 2 (40)")
    side.add_argument("--large-class", type=int, default=200,
                      help="mixed submissions at -j 2, against --peer-batch of them (200; 0: none)")
    args = parser.parse_args(argv)
    args.jobs = [int(j) for j in args.jobs.split(",")]

    from grader.execute.sandbox import isolation_for
    from grader.options import SandboxPolicy

    policy = SandboxPolicy()
    print(f"isolation: {isolation_for(policy).value}; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}; kernels with {policy.threads} thread(s), "
          f"bare runs too", flush=True)
    if args.side_by_side:
        import side_by_side

        side_by_side.report(args)
        print(flush=True)
    if args.single:
        print(render(["notebook", "status", "bare nbclient", "grade cold", "/bare",
                      "cold, kernel first", "/bare", "cold, zygote first", "/bare",
                      "grade warm", "/bare"],
                     single_notebooks(args, policy.threads)), flush=True)
        print(flush=True)
    if args.batch:
        print(render([f"batch of {args.batch} ({args.kinds})", "-j", "wall", "subs/min", "speed-up",
                      "peak PSS/worker", "peak RSS max", "workers ready"], batches(args)))
    print(f"medians of {args.runs} run(s) per notebook, {args.batch_runs} per batch; "
          f"load average now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
