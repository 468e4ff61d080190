"""CPU per submission, split into what no grader can save and what the grader adds.

    python bench/cpu_split.py                       # the solved 04 notebook, 3 runs
    python bench/cpu_split.py --runs 5 course/solutions/05_mlp.ipynb

Every figure is CPU seconds (user + system), medians over --runs, measured in one run:

- **bare kernel start**: a fresh `python -c` running an empty notebook with nbclient (one
  thread per kernel, as the grader's): its kernel's CPU (RUSAGE_CHILDREN once it is reaped).
- **own cells**: the same with the notebook, less the empty one's kernel CPU: the notebook's
  own computation.
- **bare nbclient, whole**: that process's CPU and its kernel's together (the ratio's base).
- **grade warm**: `pipeline.grade` in this process, its kernel forked by a zygote of its own
  (none forked ahead, so the fork and boot count here). *grading process*: this process's CPU
  (pytest, the checks' own code and reference values, transport, decoding, the report);
  *kernel*: the CPU of every process below the zygote, read just before each of the
  submission's kernels is closed (one kernel at a time, so that is the kernel's).
- **forked kernel start**: a forked kernel started, answered once, and closed: its kernel CPU.
- **own cells in a forked kernel**: the grader's run of the cells alone (`execute_notebook`, no
  checks) in a forked kernel, less the forked start: cheaper than bare, the imports being done.
- **checks' computation in the kernel** = grade's kernel CPU - that cells-only kernel CPU.
- **grader overhead** = grading process + forked kernel start.

The checks' reference computations run in the grading process and count in its CPU (so in the
overhead): separating them needs a profiler, which would change what it measures.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = """\
import resource, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True).execute()
own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime)
"""


def bare(notebook: Path) -> tuple[float, float]:
    """(nbclient process CPU, its kernel's CPU) of a fresh bare run."""
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", BARE, str(notebook)], capture_output=True,
                         text=True, check=True, env=env).stdout.split()
    return float(out[-2]), float(out[-1])


def empty_notebook(folder: Path) -> Path:
    import nbformat

    path = folder / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), path)
    return path


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def tree_cpu(root: int) -> float:
    """CPU seconds of every process below `root` (theirs and their reaped children's)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        fields = stats[pid]
        total += sum(int(fields[index]) for index in (11, 12, 13, 14))  # utime stime cutime cstime
        todo += children.get(pid, ())
    return total / os.sysconf("SC_CLK_TCK")


class Measured:
    """`pool.start`, noting each kernel's CPU just before it is closed (one kernel at a time:
    everything below the zygote is that kernel)."""

    def __init__(self, pool, zygote: int) -> None:  # noqa: ANN001 - a WarmKernels
        self.pool, self.zygote, self.cpu = pool, zygote, 0.0

    def start(self, policy):
        kernel = self.pool.start(policy)
        close = kernel.close

        def measured_close() -> None:
            self.cpu += tree_cpu(self.zygote)
            close()

        kernel.close = measured_close
        return kernel


def forked_start(pool, policy, zygote: int) -> float:  # noqa: ANN001
    from jupyter_client import BlockingKernelClient

    measured = Measured(pool, zygote)
    kernel = measured.start(policy)
    client = BlockingKernelClient(parent=kernel.manager)
    client.load_connection_info(kernel.manager.get_connection_info())
    client.start_channels()
    client.wait_for_ready(timeout=60)
    client.stop_channels()
    kernel.close()
    return measured.cpu


def cells_only(notebook: Path, pool, policy, zygote: int, limits) -> float:  # noqa: ANN001
    """Kernel CPU of the grader running the notebook's cells in a forked kernel, no checks."""
    import nbformat

    from grader.execute.run import execute_notebook

    measured = Measured(pool, zygote)
    execution = execute_notebook(nbformat.read(notebook, as_version=4),
                                 lambda: measured.start(policy), limits)
    if execution.kernel is not None:
        execution.kernel.close()
    return measured.cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        default=[ROOT / "course" / "solutions" / "04_softmax_regression.ipynb"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    from grader.options import GradeOptions, sandbox_policy
    from grader.pipeline import grade
    from grader.warm.kernels import WarmKernels

    options = GradeOptions()
    policy = sandbox_policy(options)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder, WarmKernels(policy, ahead=0) as pool:
        assert pool.own is not None, "needs bubblewrap: the warm kernels' zygote"
        zygote = pool.own.address.pid  # the fork server: each kernel's processes are below it
        empty = empty_notebook(Path(folder))
        start_bare = statistics.median(bare(empty)[1] for _ in range(args.runs))
        start_forked = statistics.median(forked_start(pool, policy, zygote) for _ in range(args.runs))
        for notebook in args.notebooks:
            grade(notebook, options, pool.start)  # once, unmeasured: this process's first imports
            runs = [bare(notebook) for _ in range(args.runs)]
            bare_self = statistics.median(r[0] for r in runs)
            bare_kernel = statistics.median(r[1] for r in runs)
            own_cells = max(0.0, bare_kernel - start_bare)
            warm_cells = statistics.median(
                cells_only(notebook, pool, policy, zygote, options.limits) for _ in range(args.runs))
            grading, kernel = [], []
            for _ in range(args.runs):
                measured, before = Measured(pool, zygote), cpu_self()
                report = grade(notebook, options, measured.start)
                grading.append(cpu_self() - before)
                kernel.append(measured.cpu)
            grading_cpu, kernel_cpu = statistics.median(grading), statistics.median(kernel)
            checks = max(0.0, kernel_cpu - warm_cells)
            warm_own = max(0.0, warm_cells - start_forked)
            overhead = grading_cpu + start_forked
            whole_bare = bare_self + bare_kernel
            print(f"\n{notebook.name}: {report.score:g}/{report.max_score:g}, CPU seconds per submission")
            for label, value in (
                    ("bare nbclient, whole (process + kernel)", whole_bare),
                    ("  bare kernel start (empty notebook)", start_bare),
                    ("  own cells (the notebook's computation, its imports included)", own_cells),
                    ("grade warm, whole (grading process + kernel)", grading_cpu + kernel_cpu),
                    ("  grading process (pytest, checks, references, transport, report)", grading_cpu),
                    ("  kernel (forked start, own cells, checks' calls)", kernel_cpu),
                    ("  forked kernel start", start_forked),
                    ("  own cells in a forked kernel (torch already imported)", warm_own),
                    ("  checks' computation in the kernel", checks),
                    ("grader overhead (grading process + forked start)", overhead),
                    ("grade warm CPU / bare nbclient CPU", (grading_cpu + kernel_cpu) / whole_bare)):
                print(f"  {label:<70} {value:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
