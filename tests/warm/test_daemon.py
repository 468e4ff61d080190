"""The warm daemon: its private folder, its lock, its socket, its idle exit (no kernel), and the
grading daemon behind `grade NOTEBOOK` (one real notebook, twice)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import COURSE
from grader.warm import daemon

# A daemon that answers ("echo", request): what `start_detached` starts in these tests.
ECHO_DAEMON = [sys.executable, "-c", "; ".join([
    "from grader.warm import daemon",
    "config = daemon.read_config()",
    "daemon.detach()",
    "daemon.Daemon(config['folder'], config['idle']).serve(lambda r: ('echo', r), {'echo': 1})",
])]


def wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_folder_is_private_and_a_reachable_one_is_refused(tmp_path):
    folder = daemon.private_folder(tmp_path / "runtime" / "key")
    assert folder.stat().st_mode & 0o777 == 0o700
    assert folder.parent.stat().st_mode & 0o777 == 0o700
    open_to_all = tmp_path / "open"
    open_to_all.mkdir(mode=0o755)
    open_to_all.chmod(0o755)
    with pytest.raises(daemon.DaemonUnavailable):
        daemon.private_folder(open_to_all / "key")
    (tmp_path / "link").symlink_to(folder)
    with pytest.raises(daemon.DaemonUnavailable):
        daemon.private_folder(tmp_path / "link")


def test_the_runtime_root_is_per_user():
    assert daemon.runtime_root(None) == Path(f"/tmp/grader-{os.getuid()}")
    assert daemon.runtime_root("/nonexistent-runtime-dir") == Path(f"/tmp/grader-{os.getuid()}")
    assert daemon.runtime_root("/tmp") == Path("/tmp/grader")


def test_one_daemon_per_folder_answers_then_leaves_when_idle(tmp_path):
    folder = tmp_path / ("a-deep-folder-" * 8) / "d"  # its socket's path: over 108 bytes
    server = daemon.Daemon(folder, idle=1.0)
    with pytest.raises(BlockingIOError):
        daemon.Daemon(folder, idle=1.0)  # the lock: a second daemon exits at once
    assert daemon.running(folder)
    serving = threading.Thread(target=server.serve, args=(lambda r: r * 2, {"what": "doubles"}))
    serving.start()
    assert wait_for(lambda: (folder / daemon.SOCKET).exists())
    assert daemon.ask(folder, 21) == 42
    assert '"what": "doubles"' in (folder / daemon.INFO).read_text()
    serving.join(timeout=30)  # idle for a second: it stops by itself
    assert not serving.is_alive() and server.served == 1
    assert not (folder / daemon.SOCKET).exists() and not (folder / daemon.INFO).exists()
    with pytest.raises(OSError):
        daemon.ask(folder, 1)


def _ask_as(uid: int, folder: Path) -> str:
    """In a child that runs as `uid`: what asking the daemon of `folder` gives."""
    try:
        os.setgid(uid)
        os.setuid(uid)
        return repr(daemon.Client(str(folder / daemon.SOCKET), family="AF_UNIX").recv())
    except Exception as error:  # noqa: BLE001 - the answer we look at
        return type(error).__name__


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to connect as another user")
def test_another_user_who_reaches_the_socket_is_turned_away():
    import concurrent.futures as cf
    import multiprocessing
    import shutil
    import tempfile

    outer = Path(tempfile.mkdtemp(dir="/tmp"))  # pytest's own folder is closed to others
    folder = outer / "d"
    server = daemon.Daemon(folder, idle=30.0)
    serving = threading.Thread(target=server.serve, args=(lambda r: "answered", {}))
    serving.start()
    try:
        assert wait_for(lambda: (folder / daemon.SOCKET).exists())
        for path in (outer, folder, folder / daemon.SOCKET):  # as if the folder were open
            path.chmod(0o777)
        with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            assert pool.submit(_ask_as, 65534, folder).result(timeout=30) == "EOFError"
        assert server.served == 0
        outer.chmod(0o700)
        folder.chmod(0o700)
        assert daemon.ask(folder, "hello") == "answered"
    finally:
        server.stop()
        serving.join(timeout=30)
        shutil.rmtree(outer)


def test_a_detached_daemon_starts_once_serves_and_stops_on_request(tmp_path):
    folder = daemon.private_folder(tmp_path / "d")
    started = time.monotonic()
    assert daemon.start_detached(ECHO_DAEMON, folder, {"folder": folder, "idle": 60})
    assert time.monotonic() - started < 20  # it returns once the daemon has left it
    assert wait_for(lambda: (folder / daemon.SOCKET).exists())
    assert not daemon.start_detached(ECHO_DAEMON, folder, {"folder": folder, "idle": 60})
    assert daemon.ask(folder, "hello") == ("echo", "hello")
    assert daemon.stop_daemon(folder, "daemon.read_config")
    assert wait_for(lambda: not daemon.running(folder))
    assert not (folder / daemon.SOCKET).exists()


@pytest.mark.notebook
def test_grade_twice_the_second_from_the_warm_daemon(tmp_path, monkeypatch, capsys):
    from grader import pipeline
    from grader.commands.grade import main

    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("GRADER_WARM_MINUTES", "0.15")  # nine seconds idle, then gone
    notebook = COURSE / "solutions" / "01_preprocessing.ipynb"
    assert main([str(notebook)]) == 0  # cold; it starts the daemon for next time
    cold = capsys.readouterr().out
    folder = next((runtime / "grader").iterdir())
    assert wait_for(lambda: (folder / daemon.SOCKET).exists()
                    or "Traceback" in (folder / daemon.LOG).read_text(), 180)
    assert (folder / daemon.SOCKET).exists(), (folder / daemon.LOG).read_text()

    def not_here(*args, **kwargs):
        raise AssertionError("graded in the command's process, not by the daemon")

    monkeypatch.setattr(pipeline, "grade_notebook", not_here)
    assert main([str(notebook)]) == 0
    warm = capsys.readouterr().out
    assert warm.splitlines()[:-1] == cold.splitlines()[:-1]  # all but "graded in N s"
    assert wait_for(lambda: not daemon.running(folder), 60)  # idle: it left by itself
    assert not (folder / daemon.SOCKET).exists()
    assert "Traceback" not in (folder / daemon.LOG).read_text()


def test_cold_bypasses_the_daemon(tmp_path, monkeypatch):
    from grader.commands import grade as command

    monkeypatch.setenv("GRADER_WARM_MINUTES", "10")
    args = command.build_parser().parse_args(["x.ipynb", "--cold"])
    assert args.cold  # and `_grade` then asks for no daemon folder:
    asked, graded = [], []
    monkeypatch.setattr(command, "_warm_daemon_folder", asked.append)
    monkeypatch.setattr(command, "_grade_one",
                        lambda path, options, daemon: graded.append(daemon) or SystemExit(0))
    with pytest.raises(AttributeError):  # the stand-in is no report: enough
        command._grade(args)
    assert graded == [None] and not asked


def test_the_daemon_is_keyed_by_sandbox_then_version():
    from dataclasses import replace

    from grader.warm.grading_daemon import daemon_key
    from grader.options import GiB, GradeOptions

    options = GradeOptions()
    key = daemon_key(options, "1+a")
    assert key == daemon_key(options, "1+a")
    other_version = daemon_key(options, "1+b")
    assert other_version.split("-")[0] == key.split("-")[0] and other_version != key
    tighter = replace(options, policy=replace(options.policy, memory_limit=2 * GiB))
    assert daemon_key(tighter, "1+a").split("-")[0] != key.split("-")[0]


def test_a_call_that_finds_the_daemon_starting_says_so_and_waits_for_it(tmp_path, capsys):
    from grader.options import GradeOptions
    from grader.warm import grading_daemon

    folder = daemon.private_folder(tmp_path / "d")
    server = daemon.Daemon(folder, idle=30.0)  # holds the lock: starting, no socket yet
    serving = threading.Thread(target=server.serve, args=(lambda r: "not a report", {}))
    threading.Timer(1.0, serving.start).start()  # ready a second later
    try:
        started = time.monotonic()
        assert grading_daemon.grade_warm(tmp_path / "x.ipynb", GradeOptions(), folder, wait=20) is None
        assert 0.9 < time.monotonic() - started < 15 and server.served == 1  # it waited, then asked
        said = capsys.readouterr().err.strip().splitlines()
        assert len(said) == 1 and "daemon is starting" in said[0]
    finally:
        server.stop()
        serving.join(timeout=30)
