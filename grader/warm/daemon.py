"""A warm helper process kept between commands, like a compiler's daemon: one per user and key,
started in the background on first use, gone by itself after some idle minutes.

Why: a single `grade NOTEBOOK` pays each time for Python's imports (torch, pytest, ...) and a
kernel's start; a student who grades again and again should pay them once. What the daemon
does with a request is its owner's business (`grader.warm.grading_daemon` grades there); this
module holds only what makes one safe to share:

    <runtime>/<key>/        the daemon's folder, 0700, refused unless this user owns it
        daemon.lock         held by the daemon for its whole life: a second one exits at once
        daemon.sock         made only once the daemon is ready; only this user may connect
        daemon.json         what the daemon publishes (its pid, and what its owner adds)
        daemon.log          the daemon's stderr

`<runtime>` is `$XDG_RUNTIME_DIR/grader` or `/tmp/grader-<uid>` (the command line chooses:
`runtime_root`). One request per connection; each message is a length-prefixed pickle, which
is safe only because both ends are the same user (the folder's mode, checked at each use, and
the peer's uid, checked by the daemon). The daemon exits after `idle` seconds with no
connection open, or when its owner says it can no longer serve (`healthy`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import select
import signal
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

SOCKET, LOCK, INFO, LOG = "daemon.sock", "daemon.lock", "daemon.json", "daemon.log"
HEADER = struct.Struct("!Q")


class DaemonUnavailable(OSError):
    """No daemon can be used here (a folder someone else could reach, no socket, ...)."""


def runtime_root(xdg_runtime_dir: str | None) -> Path:
    """Where this user's daemons live: under $XDG_RUNTIME_DIR when set, else /tmp/grader-<uid>."""
    if xdg_runtime_dir and Path(xdg_runtime_dir).is_dir():
        return Path(xdg_runtime_dir) / "grader"
    return Path("/tmp") / f"grader-{os.getuid()}"


def private_folder(path: Path) -> Path:
    """`path` (and its parent, if missing) made 0700; raises DaemonUnavailable unless both are
    real folders of this user that nobody else can enter."""
    for folder in (path.parent, path):
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            info = folder.lstat()
        except OSError as error:
            raise DaemonUnavailable(f"{folder}: {error}") from error
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise DaemonUnavailable(f"{folder}: not a private folder of this user")
    return path


def send(connection: socket.socket, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    connection.sendall(HEADER.pack(len(data)) + data)


def receive(connection: socket.socket) -> Any:
    size = HEADER.unpack(_exactly(connection, HEADER.size))[0]
    return pickle.loads(_exactly(connection, size))  # noqa: S301 - same user only (see above)


def _exactly(connection: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = connection.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other end closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def ask(folder: Path, request: Any, connect_timeout: float = 2.0) -> Any:
    """Send `request` to the daemon of `folder` and wait for its answer. Raises OSError (or
    EOFError) when there is no daemon ready there, or it went away."""
    private_folder(folder)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection, \
            _short_path(folder) as short:
        connection.settimeout(connect_timeout)
        connection.connect(short(SOCKET))
        connection.settimeout(None)  # a grading takes what it takes; the daemon bounds it
        send(connection, request)
        return receive(connection)


@contextlib.contextmanager
def _short_path(folder: Path) -> Iterator[Callable[[str], str]]:
    """Names in `folder` short enough for a socket's address (108 bytes at most, which a deep
    folder exceeds): through /proc/self/fd/N of the folder, held open meanwhile."""
    descriptor = os.open(folder, os.O_PATH | os.O_DIRECTORY)
    try:
        yield lambda name: f"/proc/self/fd/{descriptor}/{name}"
    finally:
        os.close(descriptor)


def running(folder: Path) -> bool:
    """Whether a daemon holds `folder`'s lock (ready or still starting)."""
    try:
        with open(folder / LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def start_detached(argv: list[str], folder: Path, config: Any) -> bool:
    """Start `argv` as a daemon for `folder` unless one runs there; `config` goes to its stdin
    (a pickle; read it with `read_config`). Returns at once: the daemon leaves its parent
    (`detach`), so this call waits only for Python to start."""
    private_folder(folder)
    if running(folder):
        return False
    log = os.open(folder / LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=log, cwd=folder, start_new_session=True, close_fds=True)
    finally:
        os.close(log)
    assert process.stdin is not None
    try:
        with process.stdin:
            process.stdin.write(pickle.dumps(config))
    except BrokenPipeError:
        pass
    process.wait(timeout=60)
    return process.returncode == 0


def read_config() -> Any:
    """In the daemon: the config `start_detached` wrote to its stdin."""
    return pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - written by this user's command


def stop_daemon(folder: Path, program: str) -> bool:
    """Ask the daemon of `folder` to stop (SIGTERM), if its published pid is still `program`."""
    try:
        pid = int(json.loads((folder / INFO).read_text())["pid"])
        if program.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return False
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def detach() -> None:
    """In the daemon, first thing: fork, and let the parent (whom the command waits for) exit."""
    if os.fork() > 0:
        os._exit(0)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)


class Daemon:
    """The serving side: takes the folder's lock (raises BlockingIOError if another daemon has
    it), then `serve` answers requests until it has been idle for `idle` seconds, and lets the
    lock go."""

    def __init__(self, folder: Path, idle: float) -> None:
        self.folder = private_folder(folder)
        self.idle = idle
        self._lock_file = open(folder / LOCK, "a")  # noqa: SIM115 - held until `serve` ends
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_file.close()
            raise
        self._busy = 0
        self._last = time.monotonic()
        self._count = threading.Lock()
        self._stop = threading.Event()
        self.served = 0

    def stop(self) -> None:
        """Stop serving (from a signal handler, or any thread); answers under way finish."""
        self._stop.set()

    def serve(self, handle: Callable[[Any], Any], published: dict[str, Any],
              healthy: Callable[[], bool] = lambda: True) -> None:
        """Answer each connection's one request with `handle(request)`, each in a thread of its
        own, until idle, stopped (SIGTERM) or no longer `healthy`; `published` goes to
        daemon.json."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: self.stop())
        path, staging = self.folder / SOCKET, self.folder / f".{SOCKET}.{os.getpid()}"
        for stale in (path, staging):
            stale.unlink(missing_ok=True)  # a daemon that was killed left it; we hold the lock
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with _short_path(self.folder) as short:
            listener.bind(short(staging.name))
        listener.listen(16)
        info = self.folder / INFO
        info.write_text(json.dumps({"pid": os.getpid(), "idle_seconds": self.idle, **published}))
        os.replace(staging, path)  # clients see the socket only once it answers
        self._last = time.monotonic()  # idle from now, not from the (long) start
        try:
            while healthy() and not self._stop.is_set() and not self._idle_long_enough():
                if select.select([listener], [], [], 1.0)[0]:
                    connection, _ = listener.accept()
                    if self._same_user(connection):
                        self._begin()
                        threading.Thread(target=self._answer, args=(connection, handle),
                                         daemon=True).start()
                    else:
                        connection.close()
        finally:
            path.unlink(missing_ok=True)  # no new client from here on
            info.unlink(missing_ok=True)
            listener.close()
            while self._busy:  # let the clients already in get their answers
                time.sleep(0.1)
            self._lock_file.close()  # another daemon may start here now

    def _idle_long_enough(self) -> bool:
        with self._count:
            return self._busy == 0 and time.monotonic() - self._last > self.idle

    def _begin(self) -> None:
        with self._count:
            self._busy += 1
            self.served += 1

    def _answer(self, connection: socket.socket, handle: Callable[[Any], Any]) -> None:
        try:
            with connection:
                send(connection, handle(receive(connection)))
        except (OSError, EOFError, pickle.PickleError) as error:  # the client left: its loss
            print(f"daemon: a request was not answered: {error}", file=sys.stderr, flush=True)
        finally:
            with self._count:
                self._busy -= 1
                self._last = time.monotonic()

    @staticmethod
    def _same_user(connection: socket.socket) -> bool:
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                            struct.calcsize("3i"))
        _, uid, _ = struct.unpack("3i", credentials)
        return uid == os.getuid()
