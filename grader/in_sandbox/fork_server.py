"""The warm kernels' fork server ("zygote"): it runs in its own sandbox and forks kernels.

Started by `grader.warm.zygote.Zygote` inside bubblewrap (--as-pid-1), as `python -c
<limits.py's and syscalls.py's text, then this file's> CONFIG`, where CONFIG is the JSON
{"base": folder holding each kernel's folder, "full_proc": where to mount a spare /proc,
 "keep": this Python's folders (bound again over a kernel's fresh /tmp when they lie under it),
 "preload": modules to import, "socket": path to listen on, "users": started by root}.
It mounts a spare /proc, imports the preloaded modules (torch...), freezes them out of garbage
collections, drops every capability but CAP_SETFCAP (and CAP_SETUID, CAP_SETGID, CAP_KILL if
"users"), makes itself non-dumpable, says {"ready": true} on fd 1 and serves JSON lines on its
socket. fd 0 is the grader's pipe: when it closes, every kernel goes and the zygote exits.

    {"op": "spawn", "id", "hold", "root", "workdir", "env", "limits", "connection_file", "user",
     "options": ipykernel's}
        -> {"spawned": id, "pid": C's pid in here} or {"spawned": id, "error": text}
    {"op": "go", "id"}    a held C goes on (the grader has put it in the kernel's cgroup)
    {"op": "kill", "id"}  C kills G, and with it the kernel's whole pid namespace
    later, unasked:       {"exited": id, "status": C's exit status}

One kernel, three processes:
    C (`run_child`), in the zygote's namespaces: waits until it is in its pids cgroup, takes the
      kernel's own [uid, gid] ("user", as root), unshares user, mount, pid, net, ipc and uts;
    G (`run_init`), pid 1 of that pid namespace: a fresh /proc (its /proc/sys read-only), fresh
      size-limited /tmp, /var/tmp, /dev/shm (this Python still seen read-only where it lies
      under one of them) and working folder, / and /dev read-only, nothing
      of the shared folder but its own kernel's folder; it dies with C;
    K (`run_kernel`), the kernel: no capabilities, no new privileges, the limits of `limits.py`,
      its own session and environment; IPKernelApp on its connection file.
No student code runs in the zygote, nor can reach it. zmq contexts and threads are made only in
K, after the forks. Importing this module does nothing; only `main` acts.
"""

import contextlib
import gc
import importlib
import json
import os
import select
import signal
import socket
import sys
import traceback

try:
    from .limits import apply_limits, become
    from .syscalls import (BIND, CAP_KILL, CAP_SETFCAP, CAP_SETGID, CAP_SETUID, NODEV, NOEXEC,
                           NOSUID, RDONLY, REC, die_with_parent, drop_capabilities,
                           enter_own_namespaces, mount, read_only, set_dumpable)
except ImportError:  # run as `python -c`: limits.py's and syscalls.py's text came first
    pass


def report_error():
    os.write(2, traceback.format_exc().encode())  # stderr: the grader's log, or nowhere


def close_other_fds(null):
    os.dup2(null, 0)
    os.closerange(3, 65536)


def run_kernel(request, null):
    """K: the kernel itself. Never returns."""
    close_other_fds(null)
    drop_capabilities()
    apply_limits(request["limits"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["workdir"])
    for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["ipykernel_launcher", "-f", request["connection_file"], *request["options"]]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=sys.argv[1:])


def make_kernel_mounts(request, config):
    """G's view: a fresh /proc, fresh temporary folders, and of the shared folder only its own."""
    mount("proc", "/proc", "proc", NOSUID | NODEV | NOEXEC)
    for name in ("sys", "sysrq-trigger", "irq", "bus"):
        path = "/proc/" + name
        if os.path.exists(path):
            mount(path, path, None, BIND | REC)
            read_only(path)
    mount("tmpfs", config["full_proc"], "tmpfs", RDONLY | NOSUID | NODEV | NOEXEC, "size=4k")
    own = os.open(request["root"], os.O_PATH | os.O_DIRECTORY)
    temporary = [path for path in ("/tmp", "/var/tmp", "/dev/shm") if os.path.isdir(path)]
    kept = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in config.get("keep", ())
            if os.path.isdir(path) and any(path.startswith(t + "/") for t in temporary)]
    for path in temporary:
        mount("tmpfs", path, "tmpfs", NOSUID | NODEV, "mode=1777,size=256m")  # as sandbox.py's
    for path, held in kept:  # this Python, installed under /tmp: visible again, read-only
        os.makedirs(path, mode=0o755, exist_ok=True)
        mount("/proc/self/fd/%d" % held, path, None, BIND | REC)
        read_only(path)
        os.close(held)
    base = config["base"]
    if os.path.exists(base):  # not under one of those: hide the siblings' folders all the same
        mount("tmpfs", base, "tmpfs", NOSUID | NODEV, "mode=0755")
    os.makedirs(request["root"])
    mount("/proc/self/fd/%d" % own, request["root"], None, BIND | REC)
    mount("tmpfs", request["workdir"], "tmpfs", NOSUID | NODEV, "mode=0700,size=1g")  # 1 GiB
    os.close(own)
    read_only("/dev")
    read_only("/")


def run_init(request, alive_fd, config, null):
    """G: pid 1 of the kernel's pid namespace. Makes its mounts, starts K, reaps. Never returns."""
    die_with_parent(signal.SIGKILL)  # go when C goes
    if select.select([alive_fd], [], [], 0)[0]:
        os._exit(71)  # C is already gone
    make_kernel_mounts(request, config)
    pid = os.fork()
    if pid == 0:
        os.close(alive_fd)
        try:
            os.setsid()
            run_kernel(request, null)
        finally:
            os._exit(0)
    close_other_fds(null)
    while True:
        try:
            done, status = os.wait()
        except ChildProcessError:
            os._exit(0)
        if done == pid:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def run_child(request, go, config, null):
    """C: in the zygote's namespaces. Makes the kernel's own namespaces, waits for G."""
    try:
        signal.set_wakeup_fd(-1)  # the zygote's, not ours
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.dup2(null, 0)
        for fd in [int(fd) for fd in os.listdir("/proc/self/fd")]:
            if fd > 2 and fd not in (go, null):
                with contextlib.suppress(OSError):
                    os.close(fd)
        if request["hold"] and not os.read(go, 1):
            os._exit(0)  # the grader put it in its cgroup first; it gave up instead
        os.close(go)
        if request.get("user"):
            become(*request["user"])  # every capability goes: from here on, an ordinary user
        enter_own_namespaces()
        alive_read, alive_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(alive_write)
            try:
                run_init(request, alive_read, config, null)
            except BaseException:
                report_error()
            os._exit(70)
        os.close(alive_read)
        # asked to stop: kill G, which takes its whole pid namespace along; exit once it is gone
        signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    except BaseException:
        report_error()
    finally:
        os._exit(72)


def prepare(config):
    """The zygote itself: a full /proc for the children, the imports, then no capabilities."""
    os.makedirs(config["full_proc"], exist_ok=True)
    mount("proc", config["full_proc"], "proc", NOSUID | NODEV | NOEXEC)
    for name in config["preload"]:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    gc.freeze()  # the kernels' collections skip it all: far fewer of its pages copied per kernel
    users = (CAP_SETUID, CAP_SETGID, CAP_KILL) if config.get("users") else ()  # to own a uid, end it
    drop_capabilities(keep=(CAP_SETFCAP, *users))
    set_dumpable(False)  # no one without capabilities here may trace us
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def reply(client, message):
    with contextlib.suppress(OSError):
        client.sendall((json.dumps(message) + "\n").encode())


class ForkServer:
    """The zygote's loop: forks a kernel's C on request and tells its client when C exits."""

    def __init__(self, config, null):
        self.config = config
        self.null = null
        self.clients = {}  # socket -> bytes not yet read as a line
        self.children = {}  # pid -> (id, client socket)
        self.held = {}  # id -> the write end of the pipe C waits on
        self.wake_read, wake_write = os.pipe()  # a child's end wakes the loop at once
        os.set_blocking(self.wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(config["socket"])
        self.listener.listen(64)

    def serve(self):
        """Never returns: the zygote exits when the grader's pipe (fd 0) closes."""
        while True:
            readable = select.select([0, self.wake_read, self.listener, *self.clients],
                                     [], [], 1.0)[0]
            self.reap()
            for source in readable:
                if source == self.wake_read:
                    try:
                        os.read(self.wake_read, 4096)
                    except BlockingIOError:
                        pass
                elif source == 0:
                    if not os.read(0, 65536):  # the grader is gone: so are all kernels
                        for pid in self.children:
                            os.kill(pid, signal.SIGKILL)
                        os._exit(0)
                elif source is self.listener:
                    client, _ = self.listener.accept()
                    self.clients[client] = b""
                else:
                    self.read_from(source)

    def reap(self):
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid in self.children:
                name, client = self.children.pop(pid)
                if name in self.held:
                    os.close(self.held.pop(name))
                reply(client, {"exited": name, "status": os.waitstatus_to_exitcode(status)})

    def read_from(self, client):
        data = client.recv(65536)
        if not data:  # a grader process went away: its kernels go with it
            del self.clients[client]
            for pid, (_, owner) in list(self.children.items()):
                if owner is client:
                    os.kill(pid, signal.SIGKILL)
            client.close()
            return
        self.clients[client] += data
        while b"\n" in self.clients[client]:
            line, self.clients[client] = self.clients[client].split(b"\n", 1)
            try:
                self.handle(client, json.loads(line))
            except Exception as error:  # a fork that failed (EAGAIN, ENOMEM): say so, go on
                try:
                    name = json.loads(line)["id"]
                except Exception:
                    name = None
                reply(client, {"spawned": name, "error": repr(error)})

    def handle(self, client, request):
        name = request["id"]
        if request["op"] == "spawn":
            self.spawn(client, request)
        elif request["op"] == "go" and name in self.held:
            os.write(self.held[name], b"g")
            os.close(self.held.pop(name))
        elif request["op"] == "kill":
            if name in self.held:
                os.close(self.held.pop(name))
            for pid, (other, _) in self.children.items():
                if other == name:
                    os.kill(pid, signal.SIGTERM)  # C kills G, and exits when all is gone

    def spawn(self, client, request):
        name = request["id"]
        go, release = os.pipe()
        pid = os.fork()
        if pid == 0:
            run_child(request, go, self.config, self.null)
        os.close(go)
        if request["hold"]:
            self.held[name] = release
        else:
            os.close(release)
        self.children[pid] = (name, client)
        reply(client, {"spawned": name, "pid": pid})


def main(argv):
    """`argv`: [CONFIG]. Never returns."""
    config = json.loads(argv[0])
    ready = os.dup(1)
    null = os.open("/dev/null", os.O_RDWR)
    os.dup2(null, 1)  # stderr stays: the grader's choice (nowhere unless it keeps a log)
    prepare(config)
    server = ForkServer(config, null)
    os.write(ready, (json.dumps({"ready": True}) + "\n").encode())
    server.serve()


if __name__ == "__main__":
    main(sys.argv[1:])
