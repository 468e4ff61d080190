"""Speed, in one room: everything that makes grading warm, and nothing grading needs.

    zygote.py          the warm kernels' fork server seen from the grading process (the server
                       itself runs in the sandbox: `grader/in_sandbox/fork_server.py`)
    kernels.py         `WarmKernels`: kernels forked ahead from a zygote, cold where it cannot serve
    workers.py         a batch's worker processes (a clean fork server with the checks' imports),
                       each with its warm kernels; one zygote shared by all of them
    daemon.py          a per-user helper process kept between commands: its private folder, lock,
                       `multiprocessing.connection` listener and idle clock
    grading_daemon.py  `grade NOTEBOOK` answered by that daemon

This package imports the cold path (`grader.pipeline`, `grader.execute`, `grader.batch`); the
cold path never imports it (tests/warm/test_workers.py), so a grade without it gives the same
verdicts, only slower.
"""
