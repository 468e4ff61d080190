"""The Linux calls the fork server needs that Python's os module lacks: mount, unshare, prctl and
capset, through ctypes.

Sent into the sandbox as text ahead of `fork_server.py` (see `grader.in_sandbox.program`).
Importing it does nothing: libc is opened on first use.
"""

import ctypes
import functools
import os
import struct

NEWNS, NEWUTS, NEWIPC = 0x20000, 0x4000000, 0x8000000  # unshare(2)
NEWUSER, NEWPID, NEWNET = 0x10000000, 0x20000000, 0x40000000
RDONLY, NOSUID, NODEV, NOEXEC = 1, 2, 4, 8  # mount(2)
REMOUNT, BIND, REC, PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24  # prctl(2)
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_SETFCAP = 5, 6, 7, 31
LINUX_CAPABILITY_VERSION_3 = 0x20080522


@functools.lru_cache(maxsize=None)
def libc():
    return ctypes.CDLL(None, use_errno=True)


def check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, what + ": " + os.strerror(error))


def mount(source, target, fstype, flags, data=None):
    def encoded(text):
        return text.encode() if text is not None else None

    check(libc().mount(encoded(source), encoded(target), encoded(fstype), flags, encoded(data)),
          "mount " + target)


def read_only(path):
    locked = os.statvfs(path).f_flag & (NOSUID | NODEV | NOEXEC)  # a remount must keep these
    mount(None, path, None, REMOUNT | BIND | RDONLY | locked)


def set_dumpable(dumpable):
    """Whether this process may be traced, or have its /proc files opened, by others."""
    libc().prctl(PR_SET_DUMPABLE, 1 if dumpable else 0, 0, 0, 0)


def die_with_parent(signal_number):
    libc().prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0)


def drop_capabilities(keep=()):
    """Keep only the capabilities `keep` (all below 32), and never gain any again."""
    with open("/proc/sys/kernel/cap_last_cap") as file:
        last = int(file.read())
    for cap in range(last + 1):
        if cap not in keep:
            libc().prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    libc().prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    mask = sum(1 << cap for cap in keep)
    header = ctypes.create_string_buffer(struct.pack("II", LINUX_CAPABILITY_VERSION_3, 0))
    data = ctypes.create_string_buffer(struct.pack("6I", mask, mask, 0, 0, 0, 0))
    check(libc().capset(header, data), "capset")
    check(libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def enter_own_namespaces():
    """Leave this process's namespaces for new user, mount, pid, net, ipc and uts namespaces,
    keeping its uid and gid; mounts made from now on stay private to it."""
    uid, gid = os.getuid(), os.getgid()
    set_dumpable(True)  # for a moment: /proc/self/uid_map must be ours
    check(libc().unshare(NEWUSER | NEWNS | NEWPID | NEWNET | NEWIPC | NEWUTS), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", "%d %d 1" % (uid, uid)),
                       ("gid_map", "%d %d 1" % (gid, gid))):
        with open("/proc/self/" + name, "w") as file:
            file.write(text)
    set_dumpable(False)
    mount(None, "/", None, REC | PRIVATE)
