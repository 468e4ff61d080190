"""Many submissions at once: `run` (the batch, row by row), `workers` (where they are graded:
a process pool or a Dask cluster, and the warm kernels), `cache` (results kept between runs)
and `progress` (the line on stderr)."""
