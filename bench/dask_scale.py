"""A class beyond one machine: submissions through the Dask executor, at two sizes, side by side.

    python bench/dask_scale.py                       # 20, then 1000 copies of the solved 04
    python bench/dask_scale.py --sizes 20,200 --workers 2

A `distributed.LocalCluster` of `--workers` worker processes, one thread each, is the cluster;
the batch goes through `grader.batch.cluster.ShippingExecutor` exactly as `grade DIR --scheduler
ADDRESS` sends it: each notebook's bytes and the course's files travel, nothing is read from a
shared folder by the workers. Each worker grades with its own warm kernels
(`grader.warm.workers.grade_entry_warm`: a zygote per worker process, made at its first
submission). Per size: wall seconds per submission, and each worker's memory, sampled every
0.5 s from /proc (PSS of the worker process and everything below it: its zygote and kernels),
as the peak over the first and over the second half of the batch: flat when the two agree.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import Sampler, _descendants, _memory_of, make_batch  # noqa: E402 - the bench's own helpers


class WorkerMemory(Sampler):
    """Peak PSS of each worker's tree, over the first and the second half of a batch."""

    def __init__(self, pids: dict[str, int], interval: float = 0.5) -> None:
        super().__init__(interval)
        self.pids = pids
        self.half = 0  # which half the batch is in
        self.peaks = {address: [0, 0] for address in pids}

    def sample(self) -> None:
        for address, pid in self.pids.items():
            total = sum(_memory_of(p)[1] for p in (pid, *_descendants(pid)))
            peaks = self.peaks[address]
            peaks[self.half] = max(peaks[self.half], total)


def one_size(size: int, workers: int, folder: Path) -> tuple[float, dict[str, list[int]]]:
    import distributed

    from grader.batch.cluster import dask_executor
    from grader.batch.run import run_batch
    from grader.options import GradeOptions
    from grader.submission.discover import Entry
    from grader.warm.workers import grade_entry_warm

    paths = make_batch(folder / f"n{size}", size, ["04_softmax_regression"], ("solved",))
    entries = [Entry(path.parent.name, path) for path in paths]
    options = GradeOptions()
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        executor, close, jobs = dask_executor(cluster.scheduler_address, options)
        try:
            pids = executor.client.run(os.getpid)
            warm = run_batch(entries[:workers], options, executor, workers=jobs,
                             grader=grade_entry_warm)  # each worker's zygote made, unmeasured
            assert all(o.report.score == o.report.max_score for o in warm.outcomes)
            with WorkerMemory(pids) as memory:
                done = [0]

                def progress(state) -> None:  # noqa: ANN001 - a Progress
                    memory.half = 1 if state.done * 2 >= size else 0
                    done[0] = state.done

                began = time.monotonic()
                result = run_batch(entries, options, executor, workers=jobs,
                                   grader=grade_entry_warm, progress=progress)
                wall = time.monotonic() - began
        finally:
            close()
    full = sum(o.report.score == o.report.max_score for o in result.outcomes)
    print(f"  {size} submissions: {full} full marks, {wall:.0f} s", flush=True)
    return wall / size, memory.peaks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20,1000", help="batch sizes (20,1000)")
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes (2)")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}, {os.cpu_count()} CPUs; "
          f"LocalCluster of {args.workers} worker processes, 1 thread each, no shared folder")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            rows.append((size, *one_size(size, args.workers, Path(folder))))
    base = rows[0][1]
    print(f"\n{'submissions':>11}  {'s/submission':>12}  {'vs first':>8}  peak PSS per worker "
          "(first half / second half)")
    for size, per, peaks in rows:
        memory = ", ".join(f"{first / 2**20:.0f}/{second / 2**20:.0f} MiB"
                           for first, second in peaks.values())
        print(f"{size:>11}  {per:>12.2f}  {per / base:>8.2f}  {memory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
