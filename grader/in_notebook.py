"""`check("softmax")` in a student's notebook: the public checks, run against the live kernel.

    from grader.in_notebook import check
    check("softmax")     # the public checks of softmax
    check()              # every public check of the assignment
    check(lang="ko")     # ... with messages in Korean (default: the locale, else English)

It is the student's own kernel checking their own work, so no sandbox: the checks run in this
process on the notebook's namespace (`LocalStudent`, which still passes every value through the
wire codec), against the answers recorded in a student kit (`RecordedReference`), and print the
same table as `grade --public-only`. The kit is found, first that applies: `check(kit=DIR)`; the
folder named by $GRADER_KIT; the working folder or a folder above it holding `kit.json` (or
`kit/kit.json`, as a Classroom repository does); for the built-in assignments, the kit shipped
in the package (`grader/kits/<id>.zip`) that `grade` picks for the same notebook: the one of
its assignment (`checks_of(id)`, which the generated notebooks use, else the notebook file's
metadata or name), and only where none is known, the one of its graded names. In Colab: `pip
install` is all.

Where no `d2l` is installed, importing this module offers the course's own (`offer_course_d2l`):
the book's `from d2l import torch as d2l` then works in the cells after it, as at grading.

A name that is missing says why, with the cell numbers Jupyter shows (`cell [5]`): importing
this module starts noting how each later cell ended (IPython's `post_run_cell` event).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any, Callable

from grader.checking.missing import CodeCell, syntax_problem
from grader.errors import GraderError, UsageError
from grader.i18n import _, language_for, speaking
from grader.in_sandbox.wire import COMM_TARGET
from grader.reporters.table import render
from grader.results import GradeReport, GradeStatus
from grader.submission.course import BUILTIN_ROOT, KIT_MARKER, Course, packaged_kits
from grader.submission.shipped_kits import nearby_kit, shipped_kit

KIT_ENV = "GRADER_KIT"
_failures: dict[int, str] = {}  # execution count -> the error that cell raised ("SyntaxError: …")


def check(function: str | None = None, *, kit: str | Path | None = None, lang: str | None = None,
          assignment: str | None = None) -> None:
    """Run the public checks of `function` (of everything when None) and print the table; a
    problem (no kit, an unknown function) is printed as one line, without a traceback. The
    messages are in `lang` ("ko"), else the locale's language (LANG...), else English."""
    language = language_for(lang)
    with speaking(language):
        if _graded_now():
            print(_("check: skipped (the grader is running this notebook; it runs the checks itself)"))
            return
        try:
            _check(function, kit, language, assignment)
        except GraderError as error:
            print(_("check: {problem}").format(problem=error.problem))


def checks_of(assignment: str) -> Callable[..., None]:
    """`check` for one assignment (the generated notebooks' first check cell): its kit is the
    one `grade` picks for a notebook of that assignment."""
    return functools.partial(check, assignment=assignment)


def check_results(function: str | None = None, *, kit: str | Path | None = None,
                  assignment: str | None = None) -> Any:
    """What `check` prints, as results (a list of `CheckResult`, with `.assignment`): for a
    notebook's own use, or to compare with `grade --public-only`."""
    namespace = _namespace()
    return public_results(find_kit(Path(kit) if kit else None, function, namespace, assignment), namespace, function)


def _check(function: str | None, kit: str | Path | None, language: str, assignment: str | None) -> None:
    namespace = _namespace()
    folder = find_kit(Path(kit) if kit else None, function, namespace, assignment)
    with speaking(language, [folder]):  # the kit's own catalogs: its check names and diagnoses
        results = public_results(folder, namespace, function, _cells(namespace))
        print(render(GradeReport(submission=_("your notebook"), assignment=results.assignment,
                                 status=GradeStatus.GRADED, checks=tuple(results),
                                 hidden_points=results.hidden_points)))


def public_results(folder: Path, namespace: dict, function: str | None = None,
                   cells: list[CodeCell] | None = None) -> Any:
    """The results of the kit's public checks (of `function`, all when None) on `namespace`,
    whose text is `cells` (default: the cells IPython ran, `In`); UsageError when the kit has no
    checks of `function`."""
    from grader.checking.local_student import LocalStudent
    from grader.checking.plugin import run_checks
    from grader.checking.recorded import load_recorded

    assignment = json.loads((folder / KIT_MARKER).read_text(encoding="utf-8"))["assignment"]
    cells = _cells(namespace) if cells is None else list(cells)
    student = LocalStudent(namespace, "\n\n".join(c.source for c in cells))
    student.notebook_cells = lambda: cells  # why a name is missing; the cell of a raised error's line
    plugin = _one_function_plugin()(function, student, load_recorded(folder / "answers" / f"{assignment}.json"),
                                    None, public_only=True)
    try:
        results = run_checks(folder / "checks" / f"{assignment}.py", plugin)
    finally:
        student.close()
    if function and not results and not results.hidden_points:
        raise UsageError(_("{assignment} has no checks of {function}").format(
            assignment=assignment, function=repr(function)))
    results.assignment = assignment
    return results


def find_kit(named: Path | None = None, function: str | None = None,
             namespace: dict | None = None, assignment: str | None = None) -> Path:
    """The kit's folder, first that applies: `named`, $GRADER_KIT, a kit in or above the working
    folder, the shipped kit that `grade` would pick for this notebook (`shipped_kit`: its
    assignment, else its graded names). UsageError when there is none."""
    for candidate in ([named] if named else []) + ([Path(os.environ[KIT_ENV])] if os.environ.get(KIT_ENV) else []):
        if (candidate / KIT_MARKER).is_file():
            return candidate
        raise UsageError(_("{folder}: not a student kit (no {marker})").format(folder=candidate, marker=KIT_MARKER))
    nearby = nearby_kit(Path.cwd(), KIT_MARKER)
    if nearby is not None:
        return nearby
    namespace = namespace or {}
    shipped = shipped_kit(assignment or notebook_assignment(namespace), function, namespace)
    if shipped is not None:
        return shipped
    raise UsageError(_("no student kit found: put the kit's folder beside the notebook, or set "
                       "{variable} to it").format(variable=KIT_ENV))


def notebook_assignment(namespace: dict) -> str | None:
    """The assignment of the notebook this kernel runs, as `grade` reads it (its metadata, else
    its file name), where the notebook's file is known (Jupyter's JPY_SESSION_NAME, VS Code's
    `__vsc_ipynb_file__`); None elsewhere (Colab)."""
    import nbformat

    from grader.submission.course import declared_assignment

    for place in (namespace.get("__vsc_ipynb_file__"), os.environ.get("JPY_SESSION_NAME")):
        path = Path(str(place)) if place else None
        if path is None or path.suffix != ".ipynb" or not path.is_file():
            continue
        try:
            metadata = nbformat.read(path, as_version=nbformat.NO_CONVERT).get("metadata", {})
        except Exception:  # noqa: BLE001 - any unreadable notebook: go by its name
            metadata = {}
        return declared_assignment(metadata) or path.stem
    return None


def _graded_now() -> bool:
    """Whether this kernel is the grader's (its responder answers here): checks run outside it."""
    try:
        import comm

        return COMM_TARGET in getattr(comm.get_comm_manager(), "targets", {})
    except Exception:  # noqa: BLE001 - no comm machinery: a plain Python, not the grader's kernel
        return False


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _namespace() -> dict:
    shell = _shell()
    if shell is not None:
        return shell.user_ns
    import __main__

    return vars(__main__)


def _cells(namespace: dict) -> list[CodeCell]:
    """The cells run so far (IPython's `In`), each labelled as Jupyter shows it, with how it ended."""
    inputs = namespace.get("In") or []
    return [CodeCell(_("cell [{number}]").format(number=count), str(source),
                     _("raised {error}").format(error=_failures[count]) if count in _failures else "")
            for count, source in enumerate(inputs) if count and str(source).strip()]


def _note_failure(result: Any) -> None:
    error = result.error_before_exec or result.error_in_exec
    count = result.execution_count
    if error is None or count is None:
        _failures.pop(count, None)
        return
    if isinstance(error, SyntaxError):
        text = syntax_problem(result.info.raw_cell) or f"SyntaxError: {error.msg}"
    else:
        text = f"{type(error).__name__}: {error}".strip()
    _failures[count] = text


def _listen() -> None:
    shell = _shell()
    if shell is not None and _note_failure not in shell.events.callbacks.get("post_run_cell", []):
        shell.events.register("post_run_cell", _note_failure)


_listen()


def offer_course_d2l() -> list[Path]:
    """Where `d2l` cannot be imported, put the course's kernel folder that holds one (a kit's: the
    one named by $GRADER_KIT, the working folder's or a folder above it, one shipped in the
    package; else the built-in course's `[kernel] path`) at the END of sys.path: a real `d2l`
    installed later (`!pip install d2l==1.0.3`) still comes first. Returns the folders added."""
    import importlib.util
    import sys

    if importlib.util.find_spec("d2l") is not None:
        return []
    here = Path.cwd().resolve()
    kits = [Path(os.environ[KIT_ENV])] if os.environ.get(KIT_ENV) else []
    kits += [c for f in (here, *here.parents) for c in (f, f / "kit") if (c / KIT_MARKER).is_file()]
    candidates: list[Path] = []
    for course in (*kits, *packaged_kits(), BUILTIN_ROOT):  # a kit's course.toml names its kernel-N/
        try:
            candidates += Course(course).kernel_paths
        except GraderError:
            continue
    found = next((folder for folder in candidates if (folder / "d2l" / "torch.py").is_file()), None)
    if found is None or str(found) in sys.path:
        return []
    sys.path.append(str(found))
    return [found]


offer_course_d2l()


def _one_function_plugin() -> type:
    from grader.checking.plugin import GradingPlugin

    class Plugin(GradingPlugin):
        """The grading plugin, keeping only the checks of one function (all when None)."""

        def __init__(self, function: str | None, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._function = function

        def pytest_collection_modifyitems(self, config: Any, items: list) -> None:
            if self._function is not None:
                others = [item for item in items if _function_of(item) != self._function]
                if others:
                    self.deselected += len(others)
                    config.hook.pytest_deselected(items=others)
                    items[:] = [item for item in items if item not in others]
            super().pytest_collection_modifyitems(config, items)

    return Plugin


def _function_of(item: Any) -> str | None:
    marker = item.get_closest_marker("check")
    name = (marker.kwargs.get("name") or (marker.args[0] if marker.args else "")) if marker else ""
    return str(name).split(":")[0].strip() or None
