"""How a student's kernel is confined: the command that starts it, and its process cap.

With bubblewrap (Linux), the kernel runs in fresh user, pid, network, ipc and uts namespaces,
sees only the system folders and the Python installation (read-only), an empty private /tmp and
its own empty working folder, and nothing of the course (solutions, checks) or the grader's
sources. It talks to the grader over IPC sockets in a folder bound into the sandbox. Without
bubblewrap it still gets resource limits, its own session and an empty working folder.

Both ways: an address-space limit (a huge allocation fails instead of taking the machine),
no core files, and a cap on processes (a pids cgroup where one can be made, else RLIMIT_NPROC).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import sys
import sysconfig
import uuid
from pathlib import Path

from grader.in_sandbox import program
from grader.options import SandboxPolicy
from grader.results import Isolation

SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")


def bubblewrap_available() -> bool:
    return sys.platform.startswith("linux") and shutil.which("bwrap") is not None


def isolation_for(policy: SandboxPolicy) -> Isolation:
    wanted = policy.use_bubblewrap
    if wanted is None:
        wanted = bubblewrap_available()
    return Isolation.BUBBLEWRAP if wanted else Isolation.RLIMITS


def python_paths() -> list[Path]:
    """Folders the kernel needs to see to run this Python and its packages."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  *site.getsitepackages(), sysconfig.get_paths()["purelib"],
                  sysconfig.get_paths()["platlib"], site.getusersitepackages()}
    paths = sorted({Path(p).resolve() for p in candidates if p and Path(p).exists()})
    # keep only the outermost of nested paths
    return [p for p in paths if not any(q != p and q in p.parents for q in paths)]


def kernel_argv(isolation: Isolation, workdir: Path, ipc_dir: Path, policy: SandboxPolicy,
                limits: dict[str, int]) -> list[str]:
    """The cold kernel's command line: `in_sandbox/boot.py` with `limits` (what
    `in_sandbox/limits.py` applies), inside bubblewrap unless the isolation is rlimits only.
    jupyter_client fills in `{connection_file}` (and would fill any other `{word}` of these
    arguments: the texts sent hold none)."""
    python = [sys.executable, "-c", program("boot.py"), json.dumps(limits), "-f", "{connection_file}"]
    if isolation is Isolation.RLIMITS:
        return python
    argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    argv += sandbox_mounts(policy)
    argv += ["--bind", str(workdir), str(workdir), "--bind", str(ipc_dir), str(ipc_dir),
             "--chdir", str(workdir), "--unsetenv", "JPY_PARENT_PID"]
    return argv + python


def sandbox_mounts(policy: SandboxPolicy) -> list[str]:
    """bubblewrap's arguments for what every sandbox sees: the system and this Python read-only,
    fresh /proc, /dev, /tmp and /var/tmp, and the policy's hidden folders emptied."""
    argv: list[str] = []
    for path in SYSTEM_PATHS:
        if Path(path).exists():
            argv += ["--ro-bind", path, path]
    for path in python_paths():
        argv += ["--ro-bind", str(path), str(path)]
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp"]
    for path in policy.hidden:
        if path.exists() and any(v == path or v in path.parents for v in python_paths()):
            argv += ["--tmpfs", str(path)]
    return argv


def kernel_env(workdir: Path, policy: SandboxPolicy) -> dict[str, str]:
    """A small, explicit environment: nothing of the grader's own is passed on."""
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(workdir),
        "IPYTHONDIR": str(workdir / ".ipython"),
        "MPLCONFIGDIR": str(workdir / ".matplotlib"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp" if policy.use_bubblewrap is not False else str(workdir),
    }
    if policy.threads:
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[name] = str(policy.threads)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # needed on some processors
        if name in os.environ:
            env[name] = os.environ[name]
    return env


class ProcessCap:
    """A pids cgroup holding one kernel and everything it starts; `None` where none can be made."""

    ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, max_processes: int) -> ProcessCap | None:
        for root in cls.ROOTS:
            if not (root / "cgroup.procs").exists() or not os.access(root, os.W_OK):
                continue
            if root == Path("/sys/fs/cgroup") and "pids" not in _read(root / "cgroup.subtree_control"):
                continue
            path = root / "grader" / uuid.uuid4().hex[:12]
            try:
                path.mkdir(parents=True)
                (path / "pids.max").write_text(str(max_processes))
            except OSError:
                _remove_cgroup(path)
                continue
            return cls(path)
        return None

    def add(self, pid: int) -> None:
        (self.path / "cgroup.procs").write_text(str(pid))

    def wrap(self, argv: list[str]) -> list[str]:
        """The command, entering this cgroup itself before it execs: nothing forks outside it."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.path / "cgroup.procs"), *argv]

    def kill_all(self) -> None:
        for line in _read(self.path / "cgroup.procs").split():
            try:
                os.kill(int(line), 9)
            except (OSError, ValueError):
                pass

    def remove(self) -> None:
        import time

        deadline = time.monotonic() + 3
        while _read(self.path / "cgroup.procs").split() and time.monotonic() < deadline:
            self.kill_all()  # again: a process may have forked while the others were killed
            time.sleep(0.02)
        _remove_cgroup(self.path)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _remove_cgroup(path: Path) -> None:
    import time

    for _ in range(50):
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)
