"""The course's kernel folders (`[kernel] path` of course.toml: the course's own `d2l`) as the
student's kernel sees them: in bubblewrap, bound read-only at /course-kernel/0, /course-kernel/1...
(`grader.execute.sandbox` mounts them); without it, at their own paths, or, for a kernel of a
uid of its own, as copies in the kernel's folder (`copy_for_kernel_user`). Either way they are the kernel's PYTHONPATH, so `from d2l import torch as d2l` finds them
before any installed package."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.options import SandboxPolicy
from grader.results import Isolation

KERNEL_PATHS_MOUNT = Path("/course-kernel")


def kernel_path_mounts(policy: SandboxPolicy) -> list[tuple[Path, Path]]:
    """(folder here, where the kernel sees it in bubblewrap) for each kernel folder of the policy
    that exists and lies inside no hidden folder. A fixed place, so that neither a cold kernel's
    nor a forked kernel's fresh /tmp covers a course that lives under /tmp."""
    return [(path, KERNEL_PATHS_MOUNT / str(index)) for index, path in enumerate(policy.kernel_paths)
            if path.is_dir() and not any(h == path or h in path.parents for h in policy.hidden)]


def kernel_pythonpath(policy: SandboxPolicy, isolation: Isolation) -> str:
    """The kernel's PYTHONPATH: where it sees the course's kernel folders ('' for none)."""
    mounts = kernel_path_mounts(policy)
    seen = [target if isolation is Isolation.BUBBLEWRAP else source for source, target in mounts]
    return os.pathsep.join(str(path) for path in seen)


def copy_for_kernel_user(policy: SandboxPolicy, root: Path) -> str:
    """Without bubblewrap, for a kernel running as a uid of its own: copies of the kernel folders
    in `root/course-kernel/N` (the grader's, readable and never writable by that uid; `root` is
    enterable), so that a course checkout closed to other users still gives the kernel its
    `d2l`. Returns the PYTHONPATH that names them ('' for none)."""
    copies = []
    for source, target in kernel_path_mounts(policy):
        copy = root / "course-kernel" / target.name
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), symlinks=False)
        for folder, _, files in os.walk(copy):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        os.chmod(copy.parent, 0o755)
        copies.append(str(copy))
    return os.pathsep.join(copies)
