"""The resource limits of a student's kernel, and the user it runs as, set just before it starts.

One definition for both ways a kernel starts: `boot.py` (a cold kernel) and `fork_server.py`
(a kernel forked from the warm fork server) are each sent as this file's text followed by their
own, and call `apply_limits` with the limits the grader passed on their command line (JSON):

    {"memory": bytes of address space, "processes": most processes of this user,
     "file_size": bytes of the largest file it may write,
     "uid": the unprivileged uid to become, "gid": its group}

0 (or absent) means no limit of that kind (the process cap is then a pids cgroup the grader
made, or none binds, as for root), and no change of user. Core files are never written; files
the kernel makes are its own only (umask 077). Once it has become "uid" (from root: every
capability is then gone), no program it runs can gain privileges (no new privileges: set-user-id
programs run as the kernel's user).

The kernel's Python recursion limit is raised to RECURSION_LIMIT: Python 3.11 ties the depth of
an expression its compiler accepts to it (inside IPython a 1,000-term `X + X + ...` fails to
compile at the default 1,000), where Python 3.12 and later, Colab's, compile it at any setting.
"""

import ctypes
import os
import resource
import sys

PR_SET_NO_NEW_PRIVS = 38
RECURSION_LIMIT = 4000
ERROR_LINE = 100_000  # characters of an error's text, and of each traceback line, the kernel sends
ERROR_LINES = 400  # traceback lines it sends (the first and the last half)


def apply_limits(limits):
    """Cap this process (and what it starts) as `limits` asks; never any core file."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.get("memory"):
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory"], limits["memory"]))
    if limits.get("processes"):
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
    if limits.get("file_size"):  # Python ignores SIGXFSZ: a write past it raises OSError
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size"], limits["file_size"]))
    os.umask(0o077)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    shorten_errors()
    if limits.get("uid"):
        become(limits["uid"], limits.get("gid") or limits["uid"])


def shorten_errors():
    """Errors the kernel reports are cut to ERROR_LINE characters a line before they are sent:
    the grading process drops a message frame over its cap unread, so a 20 MB exception text
    would leave it waiting for a reply until the cell's time limit. (A notebook that undoes this
    only loses its own cell's time.)"""
    from ipykernel.zmqshell import ZMQInteractiveShell

    original = ZMQInteractiveShell._showtraceback
    if getattr(original, "shortened", False):
        return

    def cut(text):
        return text if len(text) <= ERROR_LINE else text[:ERROR_LINE] + "…"

    def _showtraceback(self, etype, evalue, stb):
        lines = [cut(str(line)) for line in stb]
        if len(lines) > ERROR_LINES:
            lines = lines[:ERROR_LINES // 2] + ["…"] + lines[-ERROR_LINES // 2:]
        text = str(evalue)
        if len(text) > ERROR_LINE:
            try:  # the execute_reply says str(the exception) again: cut the exception's own text
                evalue.args = (cut(text),)
            except Exception:
                pass
        return original(self, etype, cut(text), lines)

    _showtraceback.shortened = True
    ZMQInteractiveShell._showtraceback = _showtraceback


def become(uid, gid):
    """Drop to `uid`/`gid` for good, with no other group; refuse to go on as anyone else."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid:
        raise SystemExit("could not drop to the kernel's own user")
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SystemExit("could not forbid new privileges")
