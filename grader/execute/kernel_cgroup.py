"""The cgroups that hold one kernel and everything it starts: a cap on its processes and on the
memory of its whole process tree.

A limit that binds each process (RLIMIT_AS) lets three children at 2 GiB each hold 6 GiB under
a "4 GiB" limit; a memory cgroup counts them together. `ProcessCap.create` makes, where this
process may (as root, or with a delegated cgroup): a pids cgroup (`pids.max`) and a memory
cgroup (`memory.max` on cgroup v2, `memory.limit_in_bytes` on v1, where each controller is a
hierarchy of its own). The kernel's command enters them before it execs (`wrap`), a forked
kernel is moved in before it runs anything (`add`). Where no memory cgroup can be made,
`bounds_memory` is False and the grader watches the tree itself (`grader.execute.memory_watch`).
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

V2 = Path("/sys/fs/cgroup")
# (controller, the file of its limit) on each hierarchy: v1 first (a hierarchy per controller)
V1 = {"pids": "pids.max", "memory": "memory.limit_in_bytes"}
V2_LIMITS = {"pids": "pids.max", "memory": "memory.max"}


class ProcessCap:
    """The cgroups of one kernel; `create` returns None where none can be made."""

    def __init__(self, paths: list[Path], bounds_memory: bool = False) -> None:
        self.paths = paths
        self.bounds_memory = bounds_memory  # its memory limit counts the whole tree

    @property
    def path(self) -> Path:
        return self.paths[0]

    @classmethod
    def create(cls, max_processes: int, memory_limit: int = 0) -> ProcessCap | None:
        limits = {"pids": max_processes, "memory": memory_limit}
        name = uuid.uuid4().hex[:12]
        paths: list[Path] = []
        if _usable(V2) and "pids" in _read(V2 / "cgroup.subtree_control"):  # one hierarchy
            path = _make(V2 / "grader" / name, {V2_LIMITS[c]: limits[c] for c in limits
                                                 if limits[c] and c in _read(V2 / "cgroup.subtree_control")})
            if path is not None:
                return cls([path], bounds_memory=bool(memory_limit) and (path / "memory.max").exists())
            return None
        for controller, limit_file in V1.items():
            root = V2 / controller
            if limits[controller] and _usable(root):
                path = _make(root / "grader" / name, {limit_file: limits[controller]})
                if path is not None:
                    paths.append(path)
        if not any(p.parts[-3] == "pids" for p in paths):  # the process cap is what it is for
            for path in paths:
                _remove_cgroup(path)
            return None
        return cls(paths, bounds_memory=any(p.parts[-3] == "memory" for p in paths))

    def add(self, pid: int) -> None:
        for path in self.paths:
            (path / "cgroup.procs").write_text(str(pid))

    def wrap(self, argv: list[str]) -> list[str]:
        """The command, entering these cgroups itself before it execs: nothing forks outside."""
        enter = " && ".join(f'echo $$ > "${i + 1}"' for i in range(len(self.paths)))
        shift = len(self.paths)
        return ["/bin/sh", "-c", f'{enter} && shift {shift} && exec "$@"', "sh",
                *(str(p / "cgroup.procs") for p in self.paths), *argv]

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.paths:
            found.update(int(line) for line in _read(path / "cgroup.procs").split() if line.isdigit())
        return found

    def memory_ran_out(self) -> bool:
        """Whether the kernel's out-of-memory killer ended a process of these cgroups."""
        for path in self.paths:
            for events in ("memory.events", "memory.oom_control"):  # v2, v1
                for line in _read(path / events).splitlines():
                    name, _, count = line.partition(" ")
                    if name == "oom_kill" and count.strip() not in ("", "0"):
                        return True
        return False

    def kill_all(self) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, 9)
            except OSError:
                pass

    def remove(self) -> None:
        deadline = time.monotonic() + 3
        while self.pids() and time.monotonic() < deadline:
            self.kill_all()  # again: a process may have forked while the others were killed
            time.sleep(0.02)
        for path in self.paths:
            _remove_cgroup(path)


def _usable(root: Path) -> bool:
    return (root / "cgroup.procs").exists() and os.access(root, os.W_OK)


def _make(path: Path, limits: dict[str, int]) -> Path | None:
    try:
        path.mkdir(parents=True)
        for name, value in limits.items():
            (path / name).write_text(str(value))
    except OSError:
        _remove_cgroup(path)
        return None
    return path


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _remove_cgroup(path: Path) -> None:
    for _ in range(50):
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)
