"""What a kernel user of its own (no namespaces) could reach, tried as that user before any
notebook runs, and what the grader keeps from it.

Without bubblewrap the kernel sees the machine's files as any other user does. Closing the
course's folders (`close_to_others`) is not enough where a file is reachable another way (a
hard link, a folder above closed but the file's own mode open elsewhere, a copy the grader
knows of in the built-in course). So the grader asks the machine itself: a short process, run
as an unused uid with no groups (what every kernel user is), tries to open each solutions and
checks file of the course, and, in a batch, each submission. Any it can open is one line,
`NotIsolated` (exit 12), naming it and the fix; nothing runs.

A batch's command line names the folder of submissions, and /proc/<pid>/cmdline is readable by
every user: `hide_command_line` gives the grading processes a title without paths.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path
from typing import Iterable

from grader.errors import NotIsolated
from grader.execute.kernel_user import KernelUser, close_to_others
from grader.in_sandbox import program

MAX_FILES = 5000  # files tried at most (the course's, a batch's notebooks)
PYTHON = sys.executable  # the probe's: other users can run it wherever a kernel user can be


def readable_by_others(paths: Iterable[Path]) -> list[Path]:
    """Those of `paths` that a user with no rights of its own can open, tried as one."""
    paths = [Path(p) for p in paths][:MAX_FILES]
    if not paths:
        return []
    user = KernelUser.pick()
    done = subprocess.run([PYTHON, "-I", "-S", "-c", program("open_probe.py")], user=user.uid,
                          group=user.gid, extra_groups=[], env={}, cwd="/", timeout=60,
                          input=b"\0".join(bytes(p) for p in paths), capture_output=True)
    return [Path(p.decode(errors="surrogateescape")) for p in done.stdout.split(b"\0") if p]


@functools.lru_cache(maxsize=8)
def refuse_if_course_exposed(hidden: tuple[Path, ...]) -> None:
    """Close the course's folders to other users, then check, as one, that none of their files
    opens; raises NotIsolated naming the first that does. Once per process and course."""
    close_to_others(hidden)
    files = [file for folder in hidden if folder.name in ("solutions", "checks")
             for file in sorted(folder.rglob("*")) if file.is_file()]
    exposed = readable_by_others(files)
    if exposed:
        raise NotIsolated(_exposed_line("the course's solutions and checks", exposed))


def refuse_if_submissions_exposed(paths: Iterable[Path]) -> None:
    """A batch without namespaces: no submission may be readable by other users (a notebook
    would read its classmates')."""
    exposed = readable_by_others(paths)
    if exposed:
        raise NotIsolated(_exposed_line("the submissions", exposed))


def _exposed_line(what: str, exposed: list[Path]) -> str:
    more = f" and {len(exposed) - 1} more" if len(exposed) > 1 else ""
    return (f"refused to run notebooks without bubblewrap: {what} can be read by other users "
            f"({exposed[0]}{more}), so a notebook running as a user of its own could read them; "
            f"close them (chmod -R o-rwx {exposed[0].parent}) or install bubblewrap")


def hide_command_line(title: str = "grade (batch)") -> None:
    """Replace this process's command line (and its workers', forked after) with `title`."""
    from setproctitle import setproctitle

    setproctitle(title)
