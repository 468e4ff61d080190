"""The seed of a grading run: nothing a student can see decides the final grade.

A student's kit records the reference's answers on the public checks' inputs, drawn with seed 0,
and `check()` in their notebook runs the same checks with seed 0. So the final grade draws every
check's inputs from a seed the student cannot know (`run_seed`): derived from a course secret
(`GradeOptions.secret`, the `GRADER_SECRET` environment variable read where a command builds
its options; else the assignment's solution file, which never leaves the instructor's side)
and the assignment's id, with HMAC-SHA256. It is deterministic:
a regrade, the batch result cache and Dask workers draw the same inputs. A public-only run, a
kit's course (no secrets) and an explicit seed (`grade-admin validate`'s 0..N-1) keep theirs.

Checks draw from it in two ways: the plugin seeds torch, numpy and random with it before each
check (here and in the kernel), and a check that seeds a case of its own writes
`torch.manual_seed(seeded(1))` (`seeded`: 1 itself with seed 0, what the kit recorded; another
number in the final grade).
"""

from __future__ import annotations

import hashlib
import hmac
from contextvars import ContextVar
from typing import Any

RUN_SEED: ContextVar[int] = ContextVar("run_seed", default=0)  # set by the plugin for each check


def run_seed(assignment: Any, options: Any) -> int:
    """The seed every check of this grading run draws from (see the module's docstring)."""
    from grader.options import course_secrets

    if options.seed is not None:
        return int(options.seed)
    if options.public_only or not course_secrets(options):
        return 0
    secret = options.secret.encode("utf-8")  # read at the command's edge (`grader.options.with_secret`)
    if not secret:
        try:
            secret = hashlib.sha256(assignment.solution.read_bytes()).digest()
        except OSError:
            return 0  # no solution to read: the grading fails on it anyway
    return derived(secret, str(assignment.id))


def derived(secret: bytes, what: str) -> int:
    """A seed in 1..2**31-1 from `secret` and `what` (never 0: 0 is the kit's)."""
    digest = hmac.new(secret, what.encode("utf-8"), hashlib.sha256).digest()
    return 1 + int.from_bytes(digest[:8], "big") % (2**31 - 1)


def seeded(case: int) -> int:
    """The seed of a check's own case number `case`: `case` itself in a run with seed 0 (the
    kit's, a student's `check()`), else derived from the run's seed, which the student cannot know."""
    seed = RUN_SEED.get()
    return case if seed == 0 else derived(seed.to_bytes(8, "big"), f"case {case}")
