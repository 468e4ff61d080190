"""Running a notebook in a sandboxed kernel: the grading process's side of the sandbox.

    run.py      the notebook's cells, one by one, with nbclient (time limits, restarts)
    kernel.py   one kernel: its folders, process cap, limits, environment; a cold start
    sandbox.py  the isolation chosen (bubblewrap, an unprivileged user, rlimits only), bubblewrap's
                command line, the kernel's environment, the pids cgroup
    kernel_user.py  the uid of its own a kernel runs as when the grader is root; ending it
    zygote.py   the warm kernels' fork server: starting it, asking it for kernels
    warm.py     kernels forked ahead from the zygote (`WarmKernels`), cold where it cannot serve

What runs inside the sandbox is in `grader.in_sandbox`; the options these take are in
`grader.options`.
"""
