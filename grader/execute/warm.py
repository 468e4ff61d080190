"""Kernels that are ready before a submission asks: a fork server ("zygote") in the sandbox.

    Zygote(policy): bwrap (the policy's sandbox, --as-pid-1) running ZYGOTE, which mounts a
    spare /proc, imports torch, numpy, pandas, sklearn.datasets, ipykernel, then drops every
    capability but CAP_SETFCAP and makes itself non-dumpable; it listens on a socket.
      ZygoteClient (one per process) -- spawn -->  fork: C, still in the zygote's namespaces:
        waits until the grader has put it in its pids cgroup, then unshares user, mount, pid,
        net, ipc and uts namespaces
          fork: G, pid 1 of that pid namespace: a fresh /proc (its /proc/sys read-only), fresh
          /tmp, /var/tmp and /dev/shm, / and /dev read-only, nothing of the zygote's shared
          folder but its own kernel's folder
            fork: K, the kernel: no capabilities, no new privileges, rlimits (address space,
            core, processes), its own session and environment; IPKernelApp on its connection
            file (IPC sockets in its folder)

One kernel for one submission, then destroyed: `Kernel.close()` has the zygote stop C, which
kills G and waits: G's pid namespace dies with G, so every process the submission left is gone
when C exits (G also has a parent-death signal, should C die first); the kernel's cgroup
(`ProcessCap`, where one can be made) is killed and removed as for a cold kernel. Kernels do
not see each other's variables, files, processes, sockets or network: separate namespaces and
folders. No student code runs in the zygote, nor can reach it (other pid namespace, no
capabilities in its user namespace, its socket not visible). zmq contexts and threads are made
only in K, after the forks.

`WarmKernels(policy, ahead=1)` keeps `ahead` kernels forked and starting; `start(policy)` hands
one over: `pipeline.grade(path, options, kernels=pool.start)`. Thread-safe. Across processes:
each process makes its own `WarmKernels`, sharing one zygote by passing `zygote=address` (a
`ZygoteAddress`, picklable); a process that exits takes its kernels along. Where the policy's
isolation is not bubblewrap, where a policy asks for what the zygote cannot give (other hidden
folders, another thread count), or once the zygote is gone, `start` falls back to
`grader.execute.kernel.start_kernel` (counted in `cold`).

Known difference from a cold kernel: the modules the zygote imported count in the kernel's
address space (about 200 MB more than a cold kernel that imported only torch) against the
policy's memory limit.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from jupyter_client.provisioning import LocalProvisioner

from grader.errors import EnvironmentProblem
from grader.execute.kernel import Kernel, SandboxedKernelManager, own_process_count, start_kernel
from grader.results import Isolation
from grader.execute.sandbox import ProcessCap, SandboxPolicy, isolation_for, kernel_env, sandbox_mounts

PRELOAD = ("numpy", "torch", "torch.nn", "torch.nn.functional", "pandas", "sklearn.datasets",
           "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
           "IPython.core.interactiveshell", "IPython.core.completer")
FULL_PROC = "/.grader-proc"  # inside the zygote: a /proc with nothing over it (see ZYGOTE)

# Runs in the sandbox as `python -c ZYGOTE CONFIG`: says it is ready on fd 1, takes the end of
# fd 0 for the grader's, and serves JSON lines on its socket.
ZYGOTE = r'''
import ctypes, importlib, json, os, select, signal, socket, struct, sys
config = json.loads(sys.argv[1])
reply_fd = os.dup(1)
null = os.open("/dev/null", os.O_RDWR)
os.dup2(null, 1)  # stderr: the grader's choice (os.devnull unless debugging)
libc = ctypes.CDLL(None, use_errno=True)
NEWNS, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET = 0x20000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000
RDONLY, NOSUID, NODEV, NOEXEC, REMOUNT, BIND, REC, PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18

def check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, what + ": " + os.strerror(error))

def mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if s is not None else None
    check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), "mount " + target)

def locked_flags(path):
    return os.statvfs(path).f_flag & (NOSUID | NODEV | NOEXEC)

def read_only(path):
    mount(None, path, None, REMOUNT | BIND | RDONLY | locked_flags(path))

CAP_SETFCAP = 31

def drop_capabilities(keep=()):
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    for cap in range(last + 1):
        if cap not in keep:
            libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP
    libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT_CLEAR_ALL
    mask = sum(1 << cap for cap in keep)  # all below 32
    header = ctypes.create_string_buffer(struct.pack("II", 0x20080522, 0))
    data = ctypes.create_string_buffer(struct.pack("6I", mask, mask, 0, 0, 0, 0))
    check(libc.capset(header, data), "capset")
    check(libc.prctl(38, 1, 0, 0, 0), "no_new_privs")

def send(message):
    os.write(reply_fd, (json.dumps(message) + "\n").encode())

def kernel(request):
    """K: the kernel itself. Never returns."""
    os.dup2(null, 0)
    os.closerange(3, 65536)
    drop_capabilities()
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if request["memory"]:
        resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
    if request["processes"]:
        resource.setrlimit(resource.RLIMIT_NPROC, (request["processes"], request["processes"]))
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["workdir"])
    for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
    from ipykernel import kernelapp
    kernelapp.launch_new_instance(argv=sys.argv[1:])

def init(request, alive_fd):
    """G: pid 1 of the kernel's pid namespace. Makes its mounts, starts K, reaps. Never returns."""
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: go when C goes
    if select.select([alive_fd], [], [], 0)[0]:
        os._exit(71)  # C is already gone
    mount("proc", "/proc", "proc", NOSUID | NODEV | NOEXEC)
    for name in ("sys", "sysrq-trigger", "irq", "bus"):
        path = "/proc/" + name
        if os.path.exists(path):
            mount(path, path, None, BIND | REC)
            read_only(path)
    mount("tmpfs", config["full_proc"], "tmpfs", RDONLY | NOSUID | NODEV | NOEXEC, "size=4k")
    own = os.open(request["root"], os.O_PATH | os.O_DIRECTORY)
    for path in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", NOSUID | NODEV, "mode=1777")
    base = config["base"]
    if os.path.exists(base):  # not under one of those: hide the siblings' folders all the same
        mount("tmpfs", base, "tmpfs", NOSUID | NODEV, "mode=0755")
    os.makedirs(request["root"])
    mount("/proc/self/fd/%d" % own, request["root"], None, BIND | REC)
    os.close(own)
    read_only("/dev")
    read_only("/")
    pid = os.fork()
    if pid == 0:
        os.close(alive_fd)
        try:
            os.setsid()
            kernel(request)
        finally:
            os._exit(0)
    os.dup2(null, 0)
    os.closerange(3, 65536)
    while True:
        try:
            done, status = os.wait()
        except ChildProcessError:
            os._exit(0)
        if done == pid:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)

def child(request, go):
    """C: in the zygote's namespaces. Makes the kernel's own namespaces, waits for G."""
    try:
        signal.set_wakeup_fd(-1)  # the zygote's, not ours
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.dup2(null, 0)
        for fd in [int(fd) for fd in os.listdir("/proc/self/fd")]:
            if fd > 2 and fd not in (go, null):
                try:
                    os.close(fd)
                except OSError:
                    pass
        if request["hold"] and not os.read(go, 1):
            os._exit(0)  # the grader put it in its cgroup first; it gave up instead
        os.close(go)
        uid, gid = os.getuid(), os.getgid()
        libc.prctl(4, 1, 0, 0, 0)  # dumpable for a moment: /proc/self/uid_map must be ours
        check(libc.unshare(NEWUSER | NEWNS | NEWPID | NEWNET | NEWIPC | NEWUTS), "unshare")
        for name, text in (("setgroups", "deny"), ("uid_map", "%d %d 1" % (uid, uid)),
                           ("gid_map", "%d %d 1" % (gid, gid))):
            with open("/proc/self/" + name, "w") as file:
                file.write(text)
        libc.prctl(4, 0, 0, 0, 0)
        mount(None, "/", None, REC | PRIVATE)
        alive_read, alive_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(alive_write)
            try:
                init(request, alive_read)
            except BaseException as error:
                import traceback; os.write(2, traceback.format_exc().encode())
            os._exit(70)
        os.close(alive_read)
        # asked to stop: kill G, which takes its whole pid namespace along; exit once it is gone
        signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    except BaseException as error:
        import traceback; os.write(2, traceback.format_exc().encode())
    finally:
        os._exit(72)

# -- the zygote: a full /proc for the children, imports, then no capabilities -----------------
os.makedirs(config["full_proc"], exist_ok=True)
mount("proc", config["full_proc"], "proc", NOSUID | NODEV | NOEXEC)
for name in config["preload"]:
    try:
        importlib.import_module(name)
    except Exception:
        pass
drop_capabilities(keep=(CAP_SETFCAP,))  # only what mapping uid 0 in a child's namespace needs
libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no one without capabilities here may trace us
signal.signal(signal.SIGINT, signal.SIG_IGN)
wake_read, wake_write = os.pipe()  # a child's end wakes the loop below at once
os.set_blocking(wake_read, False)
os.set_blocking(wake_write, False)
signal.set_wakeup_fd(wake_write)
signal.signal(signal.SIGCHLD, lambda *_: None)
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(config["socket"])
listener.listen(64)
clients = {}  # socket -> bytes not yet read as a line
children = {}  # pid -> (id, client socket)
held = {}  # id -> the write end of the pipe C waits on
send({"ready": True})

def reply(client, message):
    try:
        client.sendall((json.dumps(message) + "\n").encode())
    except OSError:
        pass

def handle(client, request):
    name = request["id"]
    if request["op"] == "spawn":
        go, release = os.pipe()
        pid = os.fork()
        if pid == 0:
            child(request, go)
        os.close(go)
        if request["hold"]:
            held[name] = release
        else:
            os.close(release)
        children[pid] = (name, client)
        reply(client, {"spawned": name, "pid": pid})
    elif request["op"] == "go" and name in held:
        os.write(held[name], b"g")
        os.close(held.pop(name))
    elif request["op"] == "kill":
        if name in held:
            os.close(held.pop(name))
        for pid, (other, _) in children.items():
            if other == name:
                os.kill(pid, signal.SIGTERM)  # C kills G, and exits when all is gone

while True:
    readable = select.select([0, wake_read, listener, *clients], [], [], 1.0)[0]
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        if pid in children:
            name, client = children.pop(pid)
            if name in held:
                os.close(held.pop(name))
            reply(client, {"exited": name, "status": os.waitstatus_to_exitcode(status)})
    for source in readable:
        if source == wake_read:
            try:
                os.read(wake_read, 4096)
            except BlockingIOError:
                pass
        elif source == 0:
            if not os.read(0, 65536):  # the grader is gone: so are all kernels
                for pid in children:
                    os.kill(pid, signal.SIGKILL)
                os._exit(0)
        elif source is listener:
            client, _ = listener.accept()
            clients[client] = b""
        else:
            data = source.recv(65536)
            if not data:  # a grader process went away: its kernels go with it
                del clients[source]
                for pid, (name, owner) in list(children.items()):
                    if owner is source:
                        os.kill(pid, signal.SIGKILL)
                source.close()
                continue
            clients[source] += data
            while b"\n" in clients[source]:
                line, clients[source] = clients[source].split(b"\n", 1)
                try:
                    handle(source, json.loads(line))
                except Exception as error:  # a fork that failed (EAGAIN, ENOMEM): say so, go on
                    try:
                        name = json.loads(line)["id"]
                    except Exception:
                        name = None
                    reply(source, {"spawned": name, "error": repr(error)})
'''


@dataclass(frozen=True)
class ZygoteAddress:
    """How to reach a running zygote from any process of this machine (picklable)."""

    socket: str
    pid: int  # the zygote's pid, seen from outside its sandbox
    base: str  # the folder bound into its sandbox that holds each kernel's folder
    policy: SandboxPolicy  # the sandbox it runs in


class Zygote:
    """The fork server in its sandbox. Its lifetime is this object's (and this process's)."""

    def __init__(self, policy: SandboxPolicy, preload: tuple[str, ...] = PRELOAD,
                 startup_timeout: float = 120) -> None:
        base = Path(tempfile.mkdtemp(prefix="grader-warm-"))
        config = {"base": str(base), "full_proc": FULL_PROC, "preload": list(preload),
                  "socket": str(base / "zygote.sock")}
        env = kernel_env(base, policy)
        env.pop("GRADER_MEMORY_LIMIT", None)
        info_read, info_write = os.pipe()
        argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--as-pid-1",
                "--info-fd", str(info_write), *sandbox_mounts(policy),
                "--bind", str(base), str(base), "--dir", FULL_PROC,
                "--chdir", str(base), "--unsetenv", "JPY_PARENT_PID",
                sys.executable, "-c", ZYGOTE, json.dumps(config)]
        self.base = base
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=_debug_log(), env=env, pass_fds=(info_write,),
                                        start_new_session=True)
        os.close(info_write)
        try:
            with os.fdopen(info_read) as info:
                pid = json.loads(info.read())["child-pid"]
            self.address = ZygoteAddress(config["socket"], pid, str(base), policy)
            self._wait_ready(startup_timeout)
        except Exception:
            self.close()
            raise

    def _wait_ready(self, timeout: float) -> None:
        assert self.process.stdout is not None
        with self.process.stdout:
            if not select.select([self.process.stdout], [], [], timeout)[0]:
                raise EnvironmentProblem(
                    f"the warm kernels' fork server did not start in {timeout:.0f} s")
            if not json.loads(self.process.stdout.readline() or b"{}").get("ready"):
                raise EnvironmentProblem("the warm kernels' fork server exited while starting")

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """Stop the zygote: it kills every kernel it forked, whoever asked for it."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()  # the zygote kills its children and exits
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.base, ignore_errors=True)


class ZygoteClient:
    """One process's connection to a zygote. Thread-safe. Closing it kills its kernels."""

    def __init__(self, address: ZygoteAddress) -> None:
        self.address = address
        self.base = Path(address.base)
        self.connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.connection.connect(address.socket)
        self._lock = threading.Lock()
        self._replies: dict[str, queue.Queue] = {}
        self._exits: dict[str, int] = {}
        self._exited = threading.Condition()
        self.closed = False
        self._reader = threading.Thread(target=self._read_replies, name="zygote-replies",
                                        daemon=True)
        self._reader.start()

    def _read_replies(self) -> None:
        with self.connection.makefile("rb") as lines:
            self._dispatch(lines)
        with self._exited:  # the zygote is gone, and every kernel with it
            self.closed = True
            self._exited.notify_all()

    def _dispatch(self, lines: Iterable[bytes]) -> None:
        try:
            for line in lines:
                message = json.loads(line)
                if "spawned" in message:
                    replies = self._replies.get(message["spawned"])
                    if replies is not None:
                        replies.put(message)
                elif "exited" in message:
                    with self._exited:
                        self._exits[message["exited"]] = message["status"]
                        self._exited.notify_all()
        except (OSError, ValueError):
            pass

    def alive(self) -> bool:
        return not self.closed

    def _send(self, message: dict) -> None:
        with self._lock:
            self.connection.sendall((json.dumps(message) + "\n").encode())

    def spawn(self, request: dict, cap: ProcessCap | None, timeout: float = 30) -> ForkedKernel:
        """Fork a kernel; with a cgroup, C waits until it is in it, before it starts anything."""
        name = request["id"]
        replies: queue.Queue = queue.Queue()
        self._replies[name] = replies
        try:
            if self.closed:
                raise EnvironmentProblem("the warm kernels' fork server has exited")
            self._send({"op": "spawn", "hold": cap is not None, **request})
            try:
                spawned = replies.get(timeout=timeout)
            except queue.Empty:
                raise EnvironmentProblem("the warm kernels' fork server did not answer") from None
            if "error" in spawned:
                raise EnvironmentProblem(f"the warm kernels' fork server could not fork: "
                                         f"{spawned['error']}")
        except OSError as error:
            raise EnvironmentProblem(f"the warm kernels' fork server is gone: {error}") from error
        finally:
            self._replies.pop(name, None)
        kernel = ForkedKernel(self, name)
        if cap is not None:
            try:
                cap.add(_host_pid(self.address.pid, spawned["pid"]))
                self._send({"op": "go", "id": name})
            except (OSError, LookupError) as error:
                kernel.kill()
                raise EnvironmentProblem(f"the kernel could not be put in its cgroup: {error}") \
                    from error
        return kernel

    def kill(self, name: str) -> None:
        if not self.closed:
            try:
                self._send({"op": "kill", "id": name})
            except OSError:
                pass

    def exit_status(self, name: str) -> int | None:
        with self._exited:
            if name in self._exits:
                return self._exits[name]
            return -9 if self.closed else None

    def wait(self, name: str, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._exited:
            while name not in self._exits and not self.closed:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._exited.wait(left)
            return self._exits.pop(name, -9)

    def close(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)  # the zygote kills what is left of ours
        except OSError:
            pass
        self._reader.join(timeout=5)
        self.connection.close()


def _host_pid(zygote: int, inner: int) -> int:
    """The pid, seen from here, of the zygote's child whose pid in the sandbox is `inner`."""
    for task in Path(f"/proc/{zygote}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            spaces = next(line for line in status.splitlines() if line.startswith("NSpid:"))
            if int(spaces.split()[-1]) == inner:
                return int(pid)
    raise LookupError(f"no child {inner} of the zygote")


def _debug_log() -> int:
    """Where the zygote's and its kernels' stderr goes: $GRADER_WARM_LOG, else nowhere."""
    path = os.environ.get("GRADER_WARM_LOG")
    if path:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    return subprocess.DEVNULL


class ForkedKernel:
    """What jupyter_client's provisioner takes for a `Popen`: one kernel of the zygote."""

    pid = None  # not in this process's pid namespace
    stdin = stdout = stderr = None

    def __init__(self, zygote: ZygoteClient, name: str) -> None:
        self.zygote = zygote
        self.name = name
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.exit_status(self.name)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.wait(self.name, timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        self.kill()  # interrupts go as messages; any signal here means "stop"

    def kill(self) -> None:
        if self.poll() is None:
            self.zygote.kill(self.name)

    terminate = kill


class ForkedProvisioner(LocalProvisioner):
    """LocalProvisioner, but the kernel is forked by the zygote instead of started by Popen."""

    request: dict = {}
    zygote: ZygoteClient | None = None
    cap: ProcessCap | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: object):  # noqa: ANN201
        assert self.zygote is not None
        request = dict(self.request, connection_file=self.parent.connection_file)
        self.process = self.zygote.spawn(request, self.cap)
        self.pid = self.pgid = None
        self.cwd = request["workdir"]
        return self.connection_info


@dataclass(frozen=True)
class _Fits:
    """Whether a policy can be served by a zygote made for another."""

    zygote: SandboxPolicy

    def warm(self, policy: SandboxPolicy) -> bool:
        return (isolation_for(policy) is Isolation.BUBBLEWRAP
                and isolation_for(self.zygote) is Isolation.BUBBLEWRAP
                and policy.threads == self.zygote.threads
                and set(policy.hidden) <= set(self.zygote.hidden))

    def same(self, policy: SandboxPolicy) -> bool:
        return self.warm(policy) and (policy.memory_limit, policy.max_processes) == (
            self.zygote.memory_limit, self.zygote.max_processes)


class WarmKernels:
    """Sandboxed kernels forked ahead from a zygote with the heavy imports done; each one is
    for one submission only. Use `start` as `pipeline.grade`'s `kernels`.

    With `zygote=None` (and bubblewrap) it starts a zygote of its own, for `policy`; given the
    `address` of another pool's zygote it shares that one (another process's, for example:
    one zygote for all the workers of a batch holds the imported modules in memory once)."""

    def __init__(self, policy: SandboxPolicy, ahead: int = 1, preload: tuple[str, ...] = PRELOAD,
                 startup_timeout: float = 60, zygote: ZygoteAddress | None = None) -> None:
        self.policy = policy
        self.ahead = max(0, ahead)
        self.startup_timeout = startup_timeout
        self._ready: queue.Queue[Kernel] = queue.Queue()
        self._wanted = threading.Semaphore(0)
        self._stop = threading.Event()
        self._count = threading.Lock()
        self.forked = 0  # kernels handed out that came from the zygote
        self.cold = 0  # kernels handed out that `start_kernel` started (a policy it cannot serve)
        self.own: Zygote | None = None  # the zygote this pool started, if it did
        self.zygote: ZygoteClient | None = None
        if zygote is None and isolation_for(policy) is Isolation.BUBBLEWRAP:
            self.own = Zygote(policy, preload)
            zygote = self.own.address
        self._fits = _Fits(zygote.policy if zygote is not None else policy)
        if zygote is not None:
            try:
                self.zygote = ZygoteClient(zygote)
            except OSError:
                if self.own is not None:
                    self.own.close()
                raise
            for _ in range(self.ahead if self._fits.same(policy) else 0):
                self._wanted.release()
            self._filler = threading.Thread(target=self._fill, name="warm-kernels", daemon=True)
            self._filler.start()

    @property
    def address(self) -> ZygoteAddress | None:
        """What another process passes to `WarmKernels(..., zygote=)` to share this zygote."""
        return self.zygote.address if self.zygote is not None else None

    def __enter__(self) -> WarmKernels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, policy: SandboxPolicy) -> Kernel:
        """A kernel for one submission: one forked ahead when there is one, else a fresh one."""
        if self.zygote is None or self._stop.is_set() or not self._fits.warm(policy) \
                or not self.zygote.alive():
            with self._count:
                self.cold += 1
            return start_kernel(policy, self.startup_timeout)
        with self._count:
            self.forked += 1
        if self._fits.same(policy):
            while True:
                try:
                    kernel = self._ready.get_nowait()
                except queue.Empty:
                    break
                self._wanted.release()
                if _forked_alive(kernel):
                    return kernel
                kernel.close()
        try:
            return self._fork(policy)
        except EnvironmentProblem:  # the zygote could not fork one: a cold one, then
            with self._count:
                self.forked -= 1
                self.cold += 1
            return start_kernel(policy, self.startup_timeout)

    def _fork(self, policy: SandboxPolicy) -> Kernel:
        assert self.zygote is not None
        name = uuid.uuid4().hex[:12]
        root = self.zygote.base / name
        workdir, ipc_dir = root / "work", root / "ipc"
        workdir.mkdir(parents=True)
        ipc_dir.mkdir(mode=0o700)
        cap = ProcessCap.create(policy.max_processes)
        processes = 0
        if cap is None and os.getuid() != 0:
            processes = own_process_count() + policy.max_processes
        env = kernel_env(workdir, policy)
        env.pop("GRADER_MEMORY_LIMIT", None)
        manager = SandboxedKernelManager(
            client_class="jupyter_client.asynchronous.AsyncKernelClient",
            transport="ipc", ip=str(ipc_dir / "kernel"),
            connection_file=str(ipc_dir / "connection.json"),
        )
        manager.set_spec(["(forked by the warm kernels' zygote)"])
        manager.kernel_id = name
        provisioner = ForkedProvisioner(kernel_id=name, kernel_spec=manager.kernel_spec,
                                        parent=manager)
        provisioner.zygote, provisioner.cap = self.zygote, cap
        provisioner.request = {"id": name, "root": str(root), "workdir": str(workdir),
                               "env": env, "memory": policy.memory_limit, "processes": processes}
        manager.provisioner = provisioner
        kernel = Kernel(manager, Isolation.BUBBLEWRAP, workdir, root, cap)
        try:
            if threading.current_thread() is not threading.main_thread():
                loop = asyncio.new_event_loop()  # not jupyter_core's loop per thread, never closed
                try:
                    loop.run_until_complete(manager._async_start_kernel())
                finally:
                    loop.close()
            else:
                manager.start_kernel()
        except Exception as error:
            kernel.close()
            raise EnvironmentProblem(f"the kernel could not start: {error}") from error
        return kernel

    def _fill(self) -> None:
        while True:
            self._wanted.acquire()
            if self._stop.is_set():
                return
            try:
                self._ready.put(self._fork(self.policy))
            except Exception:  # noqa: BLE001 - `start` forks (or starts) one itself instead
                time.sleep(0.5)
                self._wanted.release()

    def close(self) -> None:
        """Destroy the kernels not handed out, and the zygote."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self.zygote is None:
            return
        self._wanted.release()
        self._filler.join(timeout=30)
        while True:
            try:
                self._ready.get_nowait().close()
            except queue.Empty:
                break
        self.zygote.close()
        if self.own is not None:
            self.own.close()


def _forked_alive(kernel: Kernel) -> bool:
    """`kernel.is_alive()` without jupyter_core's run_sync (which leaves a loop in each thread)."""
    process = getattr(kernel.manager.provisioner, "process", None)
    return process is not None and process.poll() is None
