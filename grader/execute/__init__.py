"""Running a notebook in a sandboxed kernel: the grading process's side of the sandbox.

    run.py      the notebook's cells, one by one, with nbclient (time limits, restarts)
    kernel.py   one kernel: its folders, process cap, limits, environment; a cold start
    sandbox.py  the isolation chosen (bubblewrap, an unprivileged user, rlimits only; or refused),
                bubblewrap's command line, the kernel's environment
    kernel_cgroup.py  the pids and memory cgroups of one kernel's process tree
    memory_watch.py   the tree's memory (and temporary files) watched where no cgroup holds it
    kernel_user.py  the uid of its own a kernel runs as when the grader is root; ending it
    exposure.py what a kernel user could read, tried as one before anything runs; no paths on
                command lines

Warm kernels (forked from a fork server that imported torch once) are in `grader.warm`, which
imports this package, never the reverse.

What runs inside the sandbox is in `grader.in_sandbox`; the options these take are in
`grader.options`.
"""
