"""Many submissions at once: `run` (the batch, row by row), `cluster` (a Dask cluster as the
executor), `cache` (results kept between runs) and `progress` (the line on stderr). The worker
processes and their warm kernels are in `grader.warm.workers`."""
