"""Watching the memory of a kernel's whole process tree where no memory cgroup can hold it.

RLIMIT_AS binds each process alone: three children at 2 GiB each held 5.7 GiB under a 4 GiB
limit. Where `ProcessCap` could make no memory cgroup, `MemoryWatch` sums, every PERIOD
seconds, the proportional resident memory (PSS: a page shared by n processes counts 1/n, so
the pages a forked kernel shares with its parent are not counted twice) of the kernel's
processes, and ends them all when together they pass the limit. It is a watchdog, not a
limit: between two looks the tree can grow by what it allocates in PERIOD seconds.

The kernel's processes: every process of the kernel's own uid (daemons included) when it has
one; else the kernel's process and its descendants. A kernel user of its own (no namespaces)
writes to the machine's /tmp, /var/tmp and /dev/shm: what it holds there (`temporary_bytes`)
counts too, so that three files of 1.5 GiB each cannot outgrow the limit either.
"""

from __future__ import annotations

import os
import threading
from typing import Callable

PERIOD = 0.2  # seconds between two looks


class MemoryWatch:
    """A thread that calls `end()` once `measure()` (bytes) passes `limit`."""

    def __init__(self, limit: int, measure: Callable[[], int], end: Callable[[], None],
                 period: float = PERIOD) -> None:
        self.limit = limit
        self.measure = measure
        self.end = end
        self.period = period
        self.exceeded = False  # it ended the tree
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="kernel-memory")

    def start(self) -> MemoryWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)

    def _watch(self) -> None:
        while not self._stop.wait(self.period):
            if self.measure() > self.limit:
                self.exceeded = True
                self.end()


def tree_memory(pids: list[int]) -> int:
    """The bytes of memory these processes hold together (their PSS; RSS where the kernel has no
    smaps_rollup)."""
    return sum(process_memory(pid) for pid in pids)


def process_memory(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def descendants(root: int) -> list[int]:
    """`root` and every process below it, from one look at /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, waiting = [], [root]
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        waiting += children.get(pid, [])
    return found


def kill(pids: list[int]) -> None:
    """SIGKILL to each of `pids`."""
    for pid in pids:
        try:
            os.kill(pid, 9)
        except OSError:
            pass


def temporary_bytes(uid: int, folders: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")) -> int:
    """The bytes of the files `uid` owns in the machine's temporary folders (and in folders of
    its own there), looked at without following links."""
    total = 0
    waiting = list(folders)
    while waiting:
        try:
            entries = list(os.scandir(waiting.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_uid != uid:
                continue
            if entry.is_dir(follow_symlinks=False):
                waiting.append(entry.path)
            else:
                total += info.st_blocks * 512
    return total
