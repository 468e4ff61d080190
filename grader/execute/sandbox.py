"""How a student's kernel is confined: the isolation chosen, the command that starts it, its
environment and its process cap.

Three isolations, the strongest this machine allows (`isolation_for`), always named in the report:

- bubblewrap (Linux): fresh pid, network, ipc and uts namespaces (and a user namespace when not
  root); the kernel sees only the system folders and the Python installation (read-only), empty
  size-limited /tmp, /var/tmp and /dev/shm, its own empty size-limited working folder, and
  nothing of the course (solutions, checks) or the grader's sources, but the course's kernel
  folders (its `d2l`), read-only under /course-kernel/ and on PYTHONPATH. Run as root, the kernel
  drops to an unprivileged uid of its own (`grader.execute.kernel_user`) as it starts, so
  root-only files (/etc/shadow, host keys) stay unreadable.
- unprivileged user, where bubblewrap is missing or cannot make namespaces (Docker, as on
  Gradescope) and the grader runs as root: the kernel runs as a uid of its own, in its own
  working folder, with the course and the grader's sources closed to other users (the course's
  kernel folders stay readable, on PYTHONPATH); no namespaces, so the network is reachable.
- rlimits only, where neither is possible (not root, no bubblewrap): resource limits and a
  session of its own, as the grader's own user. The notebook could read and change the course's
  files: refused (`NotIsolated`, before any cell runs) unless the course holds no secrets (a
  student's kit) or --no-sandbox asks for it; the report says so.

Every way: an address-space limit (a huge allocation fails instead of taking the machine), no
core files, and a cap on processes (a pids cgroup where one can be made, else RLIMIT_NPROC).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from grader.errors import EnvironmentProblem, NotIsolated
from grader.execute.kernel_paths import kernel_path_mounts, kernel_pythonpath
from grader.execute.kernel_cgroup import ProcessCap  # noqa: F401 - where warm.py and zygote.py look for it
from grader.execute.kernel_user import KernelUser, can_run_python_as_others
from grader.i18n import _
from grader.in_sandbox import program
from grader.options import SandboxPolicy
from grader.results import Isolation

SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
MiB = 1024**2
TMPFS_SIZE = 256 * MiB  # each of /tmp, /var/tmp, /dev/shm in the sandbox
WORKDIR_SIZE = 1024 * MiB  # the kernel's working folder in the sandbox
# As root, no user namespace: the kernel then drops to a real unprivileged uid (in a user
# namespace made by root, uid 0 inside is the real root, whatever uid it is shown as).
PR_SET_DUMPABLE = 4
ROOT_NAMESPACES = ("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                   "--unshare-cgroup-try")


@dataclass(frozen=True)
class BubblewrapProbe:
    """Whether bubblewrap can make its namespaces here, and why not."""

    works: bool
    reason: str = ""  # one line, for the instructor: why it cannot
    sizes: bool = False  # it takes --size (bubblewrap 0.5 and later)


def namespace_flags() -> list[str]:
    return list(ROOT_NAMESPACES) if os.getuid() == 0 else ["--unshare-all"]


@functools.lru_cache(maxsize=1)
def probe_bubblewrap() -> BubblewrapProbe:
    """Run `bwrap ... true` once per process, with the namespaces a kernel gets."""
    if not sys.platform.startswith("linux"):
        return BubblewrapProbe(False, "bubblewrap needs Linux")
    if shutil.which("bwrap") is None:
        return BubblewrapProbe(False, "bubblewrap (bwrap) is not installed")
    argv = ["bwrap", *namespace_flags(), "--die-with-parent", "--ro-bind", "/", "/", "true"]
    try:
        probe = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        usage = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return BubblewrapProbe(False, f"bubblewrap could not run ({error})")
    if probe.returncode != 0:
        said = (probe.stderr.strip().splitlines() or [f"exit status {probe.returncode}"])[-1]
        return BubblewrapProbe(False, f"bubblewrap fails here ({said[:200]})")
    return BubblewrapProbe(True, sizes="--size" in usage.stdout + usage.stderr)


def bubblewrap_available() -> bool:
    return probe_bubblewrap().works


def isolation_for(policy: SandboxPolicy) -> Isolation:
    """The strongest isolation this machine allows `policy`, decided before any student code
    runs; raises EnvironmentProblem when the policy demands bubblewrap and it cannot run, and
    NotIsolated where only resource limits are left and the policy does not allow that
    (`SandboxPolicy.allow_unisolated`, or --no-sandbox)."""
    probe = probe_bubblewrap()
    if policy.use_bubblewrap is not False and probe.works:
        return Isolation.BUBBLEWRAP
    if policy.use_bubblewrap is True:
        raise EnvironmentProblem(f"the sandbox cannot start: {probe.reason}")
    if os.getuid() == 0 and can_run_python_as_others(python_paths(), Path(sys.executable)):
        return Isolation.UNPRIVILEGED_USER
    if not (policy.allow_unisolated or policy.use_bubblewrap is False):
        raise NotIsolated(refusal(probe.reason))
    return Isolation.RLIMITS


def refusal(bubblewrap_reason: str) -> str:
    """The one line that refuses to run a notebook unisolated: why, and what to change."""
    alone = ("the grader is not root, so the kernel cannot run as a user of its own"
             if os.getuid() != 0 else
             f"its Python ({sys.prefix}) is closed to other users, so no user of its own can run it")
    return (f"refused to run the notebook: it cannot be isolated here ({bubblewrap_reason}; "
            f"{alone}) and the course holds secrets (solutions, hidden checks); install "
            "bubblewrap and allow user namespaces (sysctl kernel.unprivileged_userns_clone=1, "
            "kernel.apparmor_restrict_unprivileged_userns=0), or run the grader as root with a "
            "Python that other users can read (not under /root or a closed home folder); "
            "--no-sandbox runs it NOT isolated")


def isolation_note(isolation: Isolation, policy: SandboxPolicy) -> str:
    """What the report says of a kernel not in bubblewrap (no silent fallback); "" in it."""
    if isolation is Isolation.BUBBLEWRAP:
        return ""
    why = (_("the sandbox was turned off") if policy.use_bubblewrap is False
           else probe_bubblewrap().reason)
    if isolation is Isolation.UNPRIVILEGED_USER:
        return _("no bubblewrap sandbox: {why}; the notebook ran as an unprivileged user of its own, "
                 "without namespaces (the network was reachable)").format(why=why)
    alone = (_("the Python installation is closed to other users") if os.getuid() == 0
             else _("the grader is not root"))
    return _("NOT ISOLATED: no bubblewrap sandbox ({why}) and {alone}; the notebook ran as the grader's "
             "own user with resource limits only, and could read or change the course's files").format(
                 why=why, alone=alone)


def keep_environment_from_same_user() -> None:
    """Make this process non-dumpable: another process of its user (a kernel with resource
    limits only) can then neither read its /proc/<pid>/environ (tokens) nor trace it."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def python_paths() -> list[Path]:
    """Folders the kernel needs to see to run this Python and its packages."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  *site.getsitepackages(), sysconfig.get_paths()["purelib"],
                  sysconfig.get_paths()["platlib"], site.getusersitepackages(),
                  str(Path(sys.executable).resolve().parent)}
    paths = sorted({Path(p).resolve() for p in candidates if p and Path(p).exists()})
    # keep only the outermost of nested paths
    return [p for p in paths if not any(q != p and q in p.parents for q in paths)]


# ipykernel's options, cold or forked. "Plain" tracebacks: the grader reads only a failed cell's
# error and raising line; "Context" cost ~0.1 s of kernel CPU per failed cell (each frame's source).
KERNEL_OPTIONS = ("--InteractiveShell.xmode=Plain",  # tracebacks the summary reads
                  "--InteractiveShell.automagic=False")  # a bare `pip install x` is no magic at grading


def kernel_argv(isolation: Isolation, workdir: Path, ipc_dir: Path, policy: SandboxPolicy,
                limits: dict[str, int]) -> list[str]:
    """The cold kernel's command line: `in_sandbox/boot.py` with `limits` (what
    `in_sandbox/limits.py` applies, the uid to drop to included), inside bubblewrap when that
    is the isolation. jupyter_client fills in `{connection_file}` (and would fill any other
    `{word}` of these arguments: the texts sent hold none)."""
    python = [sys.executable, "-c", program("boot.py"), json.dumps(limits), "-f", "{connection_file}",
              *KERNEL_OPTIONS]
    if isolation is not Isolation.BUBBLEWRAP:
        return python
    argv = ["bwrap", *namespace_flags(), "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if limits.get("uid"):  # boot.py drops to it, and so loses these too
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    argv += sandbox_mounts(policy)
    if probe_bubblewrap().sizes:  # a size-limited tmpfs its own user may write to
        argv += _sized("0777", WORKDIR_SIZE) + ["--tmpfs", str(workdir)]
    else:  # bubblewrap before 0.5: the empty folder made for it on the host, with no size
        argv += ["--bind", str(workdir), str(workdir)]
    argv += ["--bind", str(ipc_dir), str(ipc_dir), "--chdir", str(workdir),
             "--unsetenv", "JPY_PARENT_PID"]
    return argv + python


def sandbox_mounts(policy: SandboxPolicy) -> list[str]:
    """bubblewrap's arguments for what every sandbox sees: the system read-only, fresh /proc
    and /dev, size-limited /tmp, /var/tmp and /dev/shm, then this Python read-only (after the
    temporary folders, so that a Python installed under /tmp stays visible), and the policy's
    hidden folders emptied."""
    argv: list[str] = []
    for path in SYSTEM_PATHS:
        if Path(path).exists():
            argv += ["--ro-bind", path, path]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    for path in ("/tmp", "/var/tmp", "/dev/shm"):
        argv += _sized("1777", TMPFS_SIZE) + ["--tmpfs", path]
    for path in python_paths():
        argv += _enterable_parents(path) + ["--ro-bind", str(path), str(path)]
    for path in policy.hidden:
        if path.exists() and any(v == path or v in path.parents for v in python_paths()):
            argv += ["--tmpfs", str(path)]
    for source, target in kernel_path_mounts(policy):
        argv += _enterable_parents(target) + ["--ro-bind", str(source), str(target)]
        for path in policy.hidden:  # course.py refuses such a folder; hide it all the same
            if path.exists() and source in path.parents:
                argv += ["--tmpfs", str(target / path.relative_to(source))]
    return argv


def _enterable_parents(path: Path) -> list[str]:
    """bubblewrap makes the missing folders above a mount private to root (0700): a Python
    under /root would be out of reach of the kernel's own uid. Make them enterable (0755)."""
    if not probe_bubblewrap().sizes:  # no --perms before bubblewrap 0.5
        return []
    argv: list[str] = []
    for parent in reversed(path.parents):
        # already there: the system's folders, and the fresh temporary folders themselves (a
        # folder under /tmp, such as a venv's, is made here: /tmp is an empty tmpfs)
        if parent == Path("/") or str(parent) in ("/tmp", "/var/tmp") or any(
                str(parent) == p or str(parent).startswith(p + "/") for p in (*SYSTEM_PATHS, "/dev")):
            continue
        argv += ["--perms", "0755", "--dir", str(parent)]
    return argv


def _sized(perms: str, size: int) -> list[str]:
    """bubblewrap's options for the next --tmpfs: its mode, and its size where bwrap can."""
    return ["--perms", perms, "--size", str(size)] if probe_bubblewrap().sizes else []


def kernel_env(workdir: Path, policy: SandboxPolicy,
               isolation: Isolation = Isolation.BUBBLEWRAP) -> dict[str, str]:
    """A small, explicit environment: nothing of the grader's own is passed on."""
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(workdir),
        "USER": "student", "LOGNAME": "student",  # the kernel's uid may have no name
        "IPYTHONDIR": str(workdir / ".ipython"),
        "MPLCONFIGDIR": str(workdir / ".matplotlib"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp" if isolation is Isolation.BUBBLEWRAP else str(workdir),
    }
    if kernel_pythonpath(policy, isolation):
        env["PYTHONPATH"] = kernel_pythonpath(policy, isolation)
    if policy.threads:
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[name] = str(policy.threads)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # needed on some processors
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def kernel_user_for(isolation: Isolation) -> KernelUser | None:
    """The unprivileged uid a cold kernel drops to: one of its own whenever the grader is root
    (and the Python installation is readable by others); None otherwise."""
    if os.getuid() != 0 or isolation is Isolation.RLIMITS:
        return None
    if not can_run_python_as_others(python_paths(), Path(sys.executable), inside_sandbox=(
            isolation is Isolation.BUBBLEWRAP)):
        return None
    return KernelUser.pick()
