"""The uid a kernel runs as: its own, even when every worker seeds `random` alike."""

import random

from grader.execute.kernel_user import UID_BASE, UID_SPAN, KernelUser


def test_two_workers_seeded_alike_pick_different_uids():
    """Checks seed `random` with the same seed in every batch worker; were the uid drawn from
    `random`, two kernels graded side by side would share a uid, and closing one would kill the
    other's processes (seen as kernels dying at random in `-j 2` batches)."""
    picked = set()
    for _ in range(4):
        random.seed(0)  # what the plugin does before every check, in every worker
        picked.add(KernelUser.pick().uid)
    assert len(picked) == 4
    assert all(UID_BASE <= uid < UID_BASE + UID_SPAN for uid in picked)
