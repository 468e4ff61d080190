"""The resource limits of a student's kernel, set inside the sandbox just before it starts.

One definition for both ways a kernel starts: `boot.py` (a cold kernel) and `fork_server.py`
(a kernel forked from the warm fork server) are each sent as this file's text followed by their
own, and call `apply_limits` with the limits the grader passed on their command line (JSON):

    {"memory": bytes of address space, "processes": most processes of this user}

0 means no limit of that kind (the process cap is then a pids cgroup the grader made, or none
binds, as for root). Core files are never written.
"""

import resource


def apply_limits(limits):
    """Cap this process (and what it starts) as `limits` asks; never any core file."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.get("memory"):
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory"], limits["memory"]))
    if limits.get("processes"):
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
