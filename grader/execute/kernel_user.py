"""The unprivileged uid a kernel runs as when the grader is root: the second line of defence.

Each kernel gets a uid (and gid) of its own, picked at random from a range no account uses
(`UID_BASE`...), never a shared account: kernels graded at once cannot read each other's files
or signal each other, RLIMIT_NPROC counts one kernel's processes only, and "every process of
this uid" is exactly what the submission started. No passwd entry is needed (the kernel's
environment names its user). `in_sandbox/limits.py` drops to it as the kernel starts.

Closing the course to it (`close_to_others`): the course's solutions/ and checks/ and the
grader's package are made unreadable to other users (`chmod o-rwx` on those folders, not
restored: a restore would race with other graders on the machine, and their files are the
instructor's, who can read them anyway). The grader, root, still reads them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

UID_BASE = 1_900_000_000  # far above any account's uid, and below the 32-bit overflow ids
UID_SPAN = 1 << 24
TEMP_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")


@dataclass(frozen=True)
class KernelUser:
    uid: int
    gid: int

    @classmethod
    def pick(cls) -> KernelUser:
        """A uid of the range that no process uses now."""
        while True:
            # the system's randomness, not `random`'s: checks seed `random` alike in every worker,
            # and two kernels of one uid would kill each other's processes at close
            uid = UID_BASE + secrets.randbelow(UID_SPAN)
            if not processes_of(uid):
                return cls(uid, uid)

    def give(self, *folders: Path) -> None:
        """Make `folders` this user's own (and only its own)."""
        for folder in folders:
            os.chown(folder, self.uid, self.gid)
            folder.chmod(0o700)

    def end_processes(self, within: float = 5.0) -> bool:
        """Kill every process of this uid (daemons in their own session included); True when
        none is left. `kill -9 -1` run as the uid reaches all of them and nothing else."""
        deadline = time.monotonic() + within
        while processes_of(self.uid):
            if time.monotonic() > deadline:
                return False
            try:
                subprocess.run(self._kill_all(), user=self.uid, group=self.gid, extra_groups=[],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=5, env={}, cwd="/")
            except (OSError, subprocess.SubprocessError):
                time.sleep(0.05)
        return True

    def _kill_all(self) -> list[str]:
        kill = shutil.which("kill", path="/usr/bin:/bin")
        if kill is not None:
            return [kill, "-9", "-1"]
        return [sys.executable, "-I", "-c", "import os; os.kill(-1, 9)"]

    def remove_temporary_files(self) -> None:
        """What it left in the machine's shared temporary folders (not under bubblewrap)."""
        for folder in TEMP_FOLDERS:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.stat(follow_symlinks=False).st_uid != self.uid:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        os.unlink(entry.path)
                except OSError:
                    pass


def processes_of(uid: int) -> list[int]:
    """The live processes of `uid` (zombies, dead but not yet reaped by their parent, are not)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid and not _is_zombie(entry.path):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _is_zombie(proc: str) -> bool:
    with open(proc + "/stat", "rb") as stat_file:
        return stat_file.read().rsplit(b")", 1)[-1].split()[0] == b"Z"


def close_to_others(paths: tuple[Path, ...] | list[Path]) -> list[Path]:
    """Remove the "other" permissions of these folders (and files) where they have any;
    return those changed."""
    changed = []
    for path in paths:
        try:
            mode = path.stat().st_mode
            if mode & stat.S_IRWXO:
                path.chmod(stat.S_IMODE(mode) & ~stat.S_IRWXO)
                changed.append(path)
        except OSError:
            pass
    return changed


def can_run_python_as_others(paths: list[Path], executable: Path,
                             inside_sandbox: bool = False) -> bool:
    """Whether a user with no rights of its own can run this Python: its folders readable and
    enterable by others, and (outside a sandbox, where the folders above them are the real
    ones) every folder above them enterable."""
    for path in [*paths, executable.resolve()]:
        checked = [path] if inside_sandbox else [path, *path.parents]
        for folder in checked:
            try:
                mode = folder.stat().st_mode
            except OSError:
                return False
            needed = stat.S_IXOTH | (stat.S_IROTH if folder == path else 0)
            if mode & needed != needed:
                return False
    return True
