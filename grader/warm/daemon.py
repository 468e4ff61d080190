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
`runtime_root`). The socket is a `multiprocessing.connection` Listener (AF_UNIX); one request
per connection, sent and answered as `Connection.send`/`recv` pickles, which is safe only
because both ends are the same user (the folder's mode, checked at each use, and the peer's
uid, SO_PEERCRED, checked by the daemon before it reads a byte). The daemon exits after `idle`
seconds with no connection open, or when its owner says it can no longer serve (`healthy`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import signal
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any, Callable, Iterator

SOCKET, LOCK, INFO, LOG = "daemon.sock", "daemon.lock", "daemon.json", "daemon.log"
WATCH_SECONDS = 1.0  # how often the daemon looks at its idle clock and its owner's health


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


def ask(folder: Path, request: Any) -> Any:
    """Send `request` to the daemon of `folder` and wait for its answer. Raises OSError (or
    EOFError) when there is no daemon ready there, or it went away."""
    private_folder(folder)
    with _short_path(folder) as short, Client(short(SOCKET), family="AF_UNIX") as connection:
        connection.send(request)
        return connection.recv()  # a grading takes what it takes; the daemon bounds it


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
        daemon.json. The socket appears only now, once the daemon is ready to answer."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: self.stop())
        (self.folder / SOCKET).unlink(missing_ok=True)  # a killed daemon's; we hold the lock
        info = self.folder / INFO
        with _short_path(self.folder) as short:
            address = short(SOCKET)
            listener = Listener(address, family="AF_UNIX")
            info.write_text(json.dumps({"pid": os.getpid(), "idle_seconds": self.idle, **published}))
            self._last = time.monotonic()  # idle from now, not from the (long) start
            watch = threading.Thread(target=self._watch, args=(address, healthy), daemon=True)
            watch.start()
            try:
                while not self._stop.is_set():
                    connection = listener.accept()
                    if self._stop.is_set() or not self._same_user(connection):
                        connection.close()  # the watch waking us, or another user
                        continue
                    self._begin()
                    threading.Thread(target=self._answer, args=(connection, handle),
                                     daemon=True).start()
            finally:
                listener.close()  # unlinks the socket: no new client from here on
                info.unlink(missing_ok=True)
                watch.join(timeout=2 * WATCH_SECONDS)
        while self._busy:  # let the clients already in get their answers
            time.sleep(0.1)
        self._lock_file.close()  # another daemon may start here now

    def _watch(self, address: str, healthy: Callable[[], bool]) -> None:
        """Stop when idle long enough, asked to, or no longer healthy; then wake `accept`
        (which no timeout bounds) with a connection of our own."""
        while not self._stop.wait(WATCH_SECONDS):
            if not healthy() or self._idle_long_enough():
                self._stop.set()
        with contextlib.suppress(OSError), Client(address, family="AF_UNIX"):
            pass

    def _idle_long_enough(self) -> bool:
        with self._count:
            return self._busy == 0 and time.monotonic() - self._last > self.idle

    def _begin(self) -> None:
        with self._count:
            self._busy += 1
            self.served += 1

    def _answer(self, connection: Connection, handle: Callable[[Any], Any]) -> None:
        try:
            with connection:
                connection.send(handle(connection.recv()))
        except (OSError, EOFError, pickle.PickleError) as error:  # the client left: its loss
            print(f"daemon: a request was not answered: {error}", file=sys.stderr, flush=True)
        finally:
            with self._count:
                self._busy -= 1
                self._last = time.monotonic()

    @staticmethod
    def _same_user(connection: Connection) -> bool:
        """Whether the peer runs as this user (SO_PEERCRED: the kernel's word, not the peer's)."""
        with socket.socket(fileno=os.dup(connection.fileno())) as peer:
            credentials = peer.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                          struct.calcsize("3i"))
        _, uid, _ = struct.unpack("3i", credentials)
        return uid == os.getuid()
