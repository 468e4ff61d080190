"""IPython syntax at grading: which magics and shell escapes of a cell run, and which do not.

The cell is read with IPython's own input transformers (`IPython.core.inputtransformer2`), the
ones the kernel itself uses, so what is a magic here is a magic there, and Python stays Python
(a continuation line that starts with `!=` is an operator, not a shell escape). Then:

- run, as IPython runs them: `%%writefile` (writes its file into the kernel's working folder),
  `%%time`, `%%timeit`, `%%capture`, `%%prun` (their body read the same way, recursively), the
  display magics (`%%html`, `%%markdown`, `%%latex`, ...) and harmless line magics
  (`%matplotlib inline`, `%config`, `%load_ext autoreload`, `%time`, `%run file.py`, `%cd`, help `x?`);
- not run: shell escapes (`!cmd`, `x = !cmd`, `%sx`, `%system`, `%%bash`, `%%sh`, `%%script`),
  package installs (`%pip`, `%conda`, `%mamba`, and a one-line cell `pip install x`, which IPython
  would run through automagic: the grading kernel runs with automagic off), and every other magic
  (`%load` downloads, `%store`, `%debug`, magics of Colab or of extensions).

A cell with nothing left out is sent to the kernel as written. A cell with something left out is
sent as IPython's transformation of it, each part left out replaced by `pass` (or, after `x =`,
an empty list, what a shell command with no output gives), so the rest of the cell runs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from IPython.core import inputtransformer2 as it2
from IPython.core.alias import default_aliases

from grader.i18n import N_, _

SHELL = "shell command"
PACKAGES = "package install"
MAGIC = "magic"
NOT_RUN_MARK = "  # not run at grading"
KIND_WORDS = {SHELL: (N_("shell command"), N_("shell commands")),  # one, several
              PACKAGES: (N_("package install"), N_("package installs")), MAGIC: (N_("magic"), N_("magics"))}

CELL_MAGICS_RUN = frozenset({"writefile", "html", "javascript", "js", "latex", "markdown", "svg"})
CELL_MAGICS_OF_CODE = frozenset({"time", "timeit", "capture", "prun"})  # their body is a cell
LINE_MAGICS_RUN = frozenset({
    "matplotlib", "config", "load_ext", "reload_ext", "unload_ext", "autoreload", "aimport",
    "precision", "pprint", "pinfo", "pinfo2", "pdef", "pdoc", "psource", "psearch", "who",
    "who_ls", "whos", "lsmagic", "magic", "quickref", "colors", "env", "set_env", "cd", "pwd",
    "run", "reset", "reset_selective", "xdel", "history", "tb"})
LINE_MAGICS_OF_CODE = frozenset({"time", "timeit", "prun"})  # their argument is a statement
PACKAGE_MAGICS = frozenset({"pip", "conda", "mamba", "micromamba", "uv"})
SHELL_MAGICS = frozenset({"system", "sx", "sc", "bash", "sh", "script", "!", "alias", "rehashx",
                          "perl", "ruby", "python", "python2", "python3", "pypy"})
SHELL_ALIASES = frozenset(name for name, _command in default_aliases())  # %ls, %cat, %mkdir: commands
MAX_NESTING = 4  # %%time inside %%capture inside ...: deeper bodies are not run


@dataclass(frozen=True)
class NotRun:
    """A part of a cell not run at grading."""

    kind: str  # SHELL, PACKAGES or MAGIC
    text: str  # its first line as written: "!pip install d2l==1.0.3"


@dataclass(frozen=True)
class GradingCell:
    source: str  # what the kernel runs: the cell as written, or its transformation with parts left out
    not_run: tuple[NotRun, ...] = ()


def for_grading(source: str, nesting: int = 0) -> GradingCell:
    """What of the cell `source` runs at grading (see the module's docstring)."""
    reader = _RecordingTransformer()
    try:
        python = reader.transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython cannot read it: the kernel cannot either, and fails on it
        return GradingCell(source)
    if reader.cell_magic is not None:
        return _cell_magic(source, reader.cell_magic, nesting)
    if not reader.generated:
        return _automagic(source, python)
    lines = python.splitlines(keepends=True)
    not_run: list[NotRun] = []
    for number, line in enumerate(lines):
        written = reader.generated.get(line)
        if written is None:
            continue
        kind, replacement = _decision(line, nesting)
        if kind:
            not_run.append(NotRun(kind, written))
            lines[number] = replacement
    return GradingCell("".join(lines), tuple(not_run)) if not_run else GradingCell(source)


def not_run_note(number: int, not_run: tuple[NotRun, ...]) -> str:
    """One line for a cell with parts not run: "code cell 1: shell command not run at grading
    (!pip install d2l==1.0.3)"."""
    kinds = list(dict.fromkeys(part.kind for part in not_run))
    named = [_(KIND_WORDS[kind][sum(p.kind == kind for p in not_run) > 1]) for kind in kinds]
    what = named[0]
    for more in named[1:]:
        what = _("{first} and {second}").format(first=what, second=more)
    shown = "; ".join(_short(part.text) for part in not_run[:3]) + ("; ..." if len(not_run) > 3 else "")
    return _("code cell {number}: {what} not run at grading ({shown})").format(number=number, what=what, shown=shown)


class _RecordingTransformer(it2.TransformerManager):
    """IPython's transformer manager, remembering each line its token transformers wrote
    (`generated`: that line -> the first line of what it replaced) and the cell magic, if any."""

    def __init__(self) -> None:
        super().__init__()
        self.generated: dict[str, str] = {}
        self.cell_magic: tuple[str, str, str] | None = None  # name, its line, its body
        self.line_transforms = [self._cell_magic if t is it2.cell_magic else t for t in self.line_transforms]
        self.token_transformers = [self._recording(kind) for kind in self.token_transformers]

    def _cell_magic(self, lines: list[str]) -> list[str]:
        transformed = it2.cell_magic(lines)
        if transformed is not lines:
            name, _space, first_line = lines[0][2:].rstrip().partition(" ")
            self.cell_magic = (name, first_line, "".join(lines[1:]))
        return transformed

    def _recording(self, kind: type) -> type:
        generated = self.generated

        class Recorded(kind):  # type: ignore[misc, valid-type]
            def transform(self, lines: list[str]) -> list[str]:
                written = lines[self.start_line].strip()
                transformed = super().transform(lines)
                generated[transformed[self.start_line]] = written
                return transformed

        return Recorded


def _cell_magic(source: str, magic: tuple[str, str, str], nesting: int) -> GradingCell:
    name, first_line, body = magic
    written = f"%%{name} {first_line}".strip()
    if name in CELL_MAGICS_RUN:
        return GradingCell(source)
    if name in CELL_MAGICS_OF_CODE and nesting < MAX_NESTING:
        inner = for_grading(body, nesting + 1)
        if not inner.not_run:
            return GradingCell(source)
        return GradingCell(f"{written}\n{inner.source}", inner.not_run)
    return GradingCell("pass" + NOT_RUN_MARK + "\n", (NotRun(_kind(name), written),))


def _automagic(source: str, python: str) -> GradingCell:
    """A one-line cell `pip install x` (IPython's automagic would run `%pip install x`)."""
    words = python.strip().split()
    if len(python.strip().splitlines()) != 1 or len(words) < 2 or words[0] not in PACKAGE_MAGICS:
        return GradingCell(source)
    try:
        ast.parse(python)
    except (SyntaxError, ValueError):
        return GradingCell("pass" + NOT_RUN_MARK + "\n", (NotRun(PACKAGES, python.strip()),))
    return GradingCell(source)


def _decision(line: str, nesting: int) -> tuple[str, str]:
    """(kind, replacement) for a line IPython wrote for a magic or shell escape: ("", line)
    when it runs at grading."""
    indent = line[:len(line) - len(line.lstrip())]
    statement = line.strip()
    try:
        node = ast.parse(statement).body[0]
    except (SyntaxError, ValueError, IndexError):
        return MAGIC, indent + "pass" + NOT_RUN_MARK + "\n"
    call = node.value if isinstance(node, (ast.Expr, ast.Assign)) else None
    method = call.func.attr if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) else ""
    arguments = [a.value for a in call.args if isinstance(a, ast.Constant)] if isinstance(call, ast.Call) else []
    if method in ("system", "getoutput"):
        kind = SHELL
    elif method == "run_line_magic" and len(arguments) == 2:
        kind = _line_magic_kind(str(arguments[0]), str(arguments[1]), nesting)
    else:
        kind = MAGIC
    if not kind:
        return "", line
    if isinstance(node, ast.Assign):  # x = !ls: what a command with no output gives
        left = statement.encode()[:node.value.col_offset].decode(errors="replace")
        return kind, f"{indent}{left}{'[]' if kind == SHELL else 'None'}{NOT_RUN_MARK}\n"
    return kind, indent + "pass" + NOT_RUN_MARK + "\n"


def _line_magic_kind(name: str, argument: str, nesting: int) -> str:
    if name in LINE_MAGICS_OF_CODE:
        inner = for_grading(argument, nesting + 1) if nesting < MAX_NESTING else None
        return "" if inner is not None and not inner.not_run else (inner.not_run[0].kind if inner else MAGIC)
    if name == "run" and not _runs_a_python_file(argument):
        return MAGIC  # `%run -m pip install x`, `%run script.ipy` (its shell lines would run)
    if name in LINE_MAGICS_RUN:
        return ""
    return _kind(name)


def _runs_a_python_file(argument: str) -> bool:
    words = argument.split()
    return "-m" not in words and any(word.endswith(".py") for word in words)


def _kind(name: str) -> str:
    """How to name a magic that is not run."""
    if name in SHELL_MAGICS or name in SHELL_ALIASES:
        return SHELL
    return PACKAGES if name in PACKAGE_MAGICS else MAGIC


def _short(text: str, limit: int = 60) -> str:
    line = (text.splitlines() or [""])[0].strip()
    return line if len(line) <= limit else line[:limit - 3] + "..."
