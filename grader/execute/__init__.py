"""Running a notebook in a sandboxed kernel: the grading process's side of the sandbox.

    run.py      the notebook's cells, one by one, with nbclient (time limits, restarts)
    kernel.py   one kernel: its folders, process cap, limits, environment; a cold start
    sandbox.py  the isolation chosen (bubblewrap, an unprivileged user, rlimits only), bubblewrap's
                command line, the kernel's environment, the pids cgroup
    kernel_user.py  the uid of its own a kernel runs as when the grader is root; ending it

Warm kernels (forked from a fork server that imported torch once) are in `grader.warm`, which
imports this package, never the reverse.

What runs inside the sandbox is in `grader.in_sandbox`; the options these take are in
`grader.options`.
"""
