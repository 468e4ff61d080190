"""The files that run inside the sandbox: real files, importable, that need nothing of the grader.

They reach the sandbox as text (the grader's sources are hidden there), so each may import only
the standard library, what a kernel has anyway (torch, numpy, pandas, ipykernel, IPython, comm),
and its siblings, whose text `grader.in_sandbox.program` sends ahead of it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.in_sandbox import program, responder_bootstrap, source

FOLDER = Path(__file__).resolve().parents[2] / "grader" / "in_sandbox"
FILES = sorted(path.name for path in FOLDER.glob("*.py"))
KERNEL_LIBRARIES = {"torch", "numpy", "pandas", "ipykernel", "IPython", "comm"}
PROGRAMS = ("boot.py", "fork_server.py", "responder.py")


def imports_of(name: str) -> list[tuple[int, int, str]]:
    """(line, level, module) for every import in a file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(source(name), name)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, 0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, node.level, node.module or ""))
    return found


def test_the_folder_holds_the_sandbox_side():
    assert {"boot.py", "fork_server.py", "limits.py", "responder.py", "syscalls.py",
            "wire.py"} <= set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_a_file_imports_nothing_of_the_grader(name: str):
    allowed = set(sys.stdlib_module_names) | KERNEL_LIBRARIES | {"__future__"}
    wrong = []
    for line, level, module in imports_of(name):
        if level == 0 and module.split(".")[0] not in allowed:
            wrong.append(f"line {line}: {module}")
        elif level == 1 and f"{module}.py" not in FILES:  # a sibling, sent along as text
            wrong.append(f"line {line}: .{module}")
        elif level > 1:
            wrong.append(f"line {line}: {'.' * level}{module}")
    assert not wrong, f"{name} runs in the sandbox and imports {wrong}"


@pytest.mark.parametrize("name", PROGRAMS)
def test_a_program_is_its_siblings_then_itself_and_compiles(name: str):
    text = program(name)
    compile(text, name, "exec")
    assert text.endswith(source(name))
    needed = {f"{module}.py" for _, level, module in imports_of(name) if level == 1}
    assert all(source(sibling) in text for sibling in needed)


def test_the_responder_bootstrap_is_one_statement():
    tree = ast.parse(responder_bootstrap())
    assert len(tree.body) == 1
    assert "__main__" in responder_bootstrap()  # the program's own `if __name__` installs it


def test_importing_the_programs_does_nothing():
    """No fds opened, no signal handler, environment, folder or argv changed, nothing heavy
    imported, libc not even opened: only names defined."""
    probe = (
        "import os, signal, sys, json\n"
        "def state():\n"
        "    return (sorted(os.listdir('/proc/self/fd')), os.getcwd(), dict(os.environ),\n"
        "            list(sys.argv), [str(signal.getsignal(s)) for s in\n"
        "            (signal.SIGINT, signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP)],\n"
        "            signal.set_wakeup_fd(-1))\n"
        "before = state()\n"
        "import grader.in_sandbox.boot, grader.in_sandbox.fork_server, grader.in_sandbox.limits\n"
        "import grader.in_sandbox.syscalls, grader.in_sandbox.responder\n"
        "print(json.dumps({'same': state() == before,\n"
        "                  'heavy': sorted({'torch', 'ipykernel', 'comm', 'IPython'} & set(sys.modules)),\n"
        "                  'libc': grader.in_sandbox.syscalls.libc.cache_info().currsize}))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, cwd=FOLDER.parents[1])
    assert json.loads(result.stdout) == {"same": True, "heavy": [], "libc": 0}


def test_the_limits_are_applied_in_the_process_that_asks():
    probe = ("import json, resource, sys\n"
             "from grader.in_sandbox.limits import apply_limits\n"
             "apply_limits(json.loads(sys.argv[1]))\n"
             "print(resource.getrlimit(resource.RLIMIT_AS)[0], "
             "resource.getrlimit(resource.RLIMIT_CORE)[0])\n")
    memory = 3 * 1024**3
    limits = json.dumps({"memory": memory, "processes": 0})
    result = subprocess.run([sys.executable, "-c", probe, limits], capture_output=True, text=True,
                            check=True, cwd=FOLDER.parents[1])
    assert result.stdout.split() == [str(memory), "0"]


def test_the_cold_boot_runs_as_sent():
    """`python -c <boot program> LIMITS ...`: limits set, then ipykernel with the rest of argv."""
    memory = 3 * 1024**3
    result = subprocess.run(
        [sys.executable, "-c", program("boot.py"), json.dumps({"memory": memory, "processes": 0}),
         "--help-all"],
        capture_output=True, text=True, timeout=60, cwd="/")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "IPKernelApp" in result.stdout
