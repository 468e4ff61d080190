"""Gradescope: the autograder zip, and the run inside it.

`gradescope_bundle` builds the zip an instructor uploads: `setup.sh` (builds the image),
`run_autograder` (runs for every submission), the grader's package with its data files, the
assignment's checks and solution, and the course's own modules its checks import (`[checks]
path`, the D2L course's d2l_course) and its kernel folders (its d2l). Students never see it.

`run_gradescope` is what `run_autograder` calls (`grade-admin gradescope-run`): it grades what
was submitted and always writes Gradescope's results.json, whatever happens. Gradescope runs it
as root in Docker, where bubblewrap usually cannot make namespaces: the kernel then runs as an
unprivileged uid of its own (see `grader.execute.sandbox`), and the results say so. Where not
even that is possible (not root, no bubblewrap), the notebook could read the solution: it
refuses to grade (score 0, with the reason), and there is no way around it (no --no-sandbox).
"""

from __future__ import annotations

import io
import json
import sys
import time
import traceback
import zipfile
from dataclasses import replace
from pathlib import Path

from grader.errors import EnvironmentProblem, GraderError
from grader.instructor.course_kernel import folder_files, kernel_files
from grader.files import write_atomically
from grader.i18n import catalog_files
from grader.instructor.template_files import TORCH_VERSION, fill
from grader.options import GradeOptions
from grader.pipeline import decide_isolation, grade_or_explain, report_without_notebook, student_reason
from grader.reporters import gradescope
from grader.results import GradeReport, ungradable_report
from grader.submission.course import PACKAGE_DIR, Course, is_helper_file

EXECUTABLE = 0o100755 << 16  # zip external attributes of an executable regular file
FILE = 0o100644 << 16
BUNDLE_README = "The grader's sources, bundled for Gradescope by `grade-admin gradescope`.\n"


def gradescope_bundle(course: Course, assignment_id: str, torch: str = TORCH_VERSION,
                      language: str | None = None) -> bytes:
    """The autograder zip: setup.sh, run_autograder, the grader's package, checks and solution;
    the results in `language` ("ko"; None: Gradescope's locale, English)."""
    assignment = course.assignment_for(assignment_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        _add(bundle, "setup.sh", fill("setup.sh", torch=torch), EXECUTABLE)
        _add(bundle, "run_autograder", fill("run_autograder", assignment=assignment_id,
                                               lang=f" --lang {language}" if language else ""), EXECUTABLE)
        project = PACKAGE_DIR.parent
        _add(bundle, "grader-src/pyproject.toml", (project / "pyproject.toml").read_text())
        readme = project / "README.md"
        _add(bundle, "grader-src/README.md", readme.read_text() if readme.is_file() else BUNDLE_README)
        for source in _package_files():
            _add(bundle, f"grader-src/grader/{source.relative_to(PACKAGE_DIR).as_posix()}",
                 source.read_bytes())
        helpers = [p for p in sorted(assignment.checks.parent.glob("*.py")) if is_helper_file(p)]
        for checks in [assignment.checks, *helpers]:
            _add(bundle, f"course/checks/{checks.name}", checks.read_bytes())
        _add(bundle, f"course/solutions/{assignment_id}.ipynb", assignment.solution.read_bytes())
        kernel = kernel_files(course)  # the course's d2l, and a course.toml naming it
        checks_libs, checks_settings = checks_files(course)  # its checks' own modules (d2l_course)
        kernel["course.toml"] += checks_settings.encode()
        for name, data in {**kernel, **checks_libs}.items():
            _add(bundle, f"course/{name}", data)
        for name, data in catalog_files(course.folders).items():  # its check names and diagnoses, translated
            _add(bundle, f"course/{name}", data)
    return buffer.getvalue()



def checks_files(course: Course) -> tuple[dict[str, bytes], str]:
    """The course's `[checks] path` folders as `lib-N/...` files, and the `[checks]` table of
    course.toml that names them and its fixtures modules: the grading process imports them on
    Gradescope as here (where the built-in course is not on disk to lend them)."""
    files = folder_files(course.checks_paths, "lib")
    paths = [f"lib-{index}" for index in range(len(course.checks_paths))]
    table = f"\n[checks]\npath = {json.dumps(paths)}\nfixtures = {json.dumps(list(course.settings.fixtures))}\n"
    return files, table


def _package_files() -> list[Path]:
    """The grader's package as pip installs it: its modules and its data files (checks.ini,
    the templates), without compiled leftovers."""
    return [source for source in sorted(PACKAGE_DIR.rglob("*"))
            if source.is_file() and "__pycache__" not in source.parts
            and source.suffix not in (".pyc", ".pyo")]


def _add(bundle: zipfile.ZipFile, name: str, data: str | bytes, mode: int = FILE) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = mode
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)


NO_SANDBOX = "the autograder never grades with the sandbox turned off (--no-sandbox)"


def run_gradescope(assignment_id: str, submission_dir: Path, results: Path,
                   options: GradeOptions | None = None) -> GradeReport:
    """Grade what was submitted and write Gradescope's results.json, whatever happens. Where
    the notebook cannot be isolated from the course it refuses (score 0, the reason)."""
    started = time.monotonic()
    options = replace(options or GradeOptions(), assignment=assignment_id)
    try:
        if options.policy.use_bubblewrap is False or options.policy.allow_unisolated:
            raise EnvironmentProblem(NO_SANDBOX)
        decide_isolation(options)  # before any student code: NotIsolated where nothing holds
        notebook = _submitted_notebook(submission_dir, assignment_id)
        if notebook is None:
            report = report_without_notebook(submission_dir, options, _no_notebook(submission_dir))
        else:
            report = grade_or_explain(notebook, options)
    except Exception as error:  # noqa: BLE001 - Gradescope must get a results.json
        report = ungradable_report(submission_dir, assignment_id, student_reason(error),
                                   duration=time.monotonic() - started)
        if isinstance(error, GraderError):
            print(f"grade-admin: {error}", file=sys.stderr)
        else:  # for the instructor, in Gradescope's log of the run
            traceback.print_exc()
    write_atomically(results, gradescope.render(report))
    return report


def _no_notebook(folder: Path) -> str:
    found = sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    reason = "no notebook (.ipynb) in the submission"
    return reason + (f"; it holds: {', '.join(found[:10])}" if found else "")


def _submitted_notebook(folder: Path, assignment_id: str) -> Path | None:
    """`<id>.ipynb` if it was submitted, else the first notebook (by path) anywhere inside."""
    if not folder.is_dir():
        return None
    inside = folder.resolve()
    notebooks = sorted(p for p in folder.rglob("*.ipynb")  # no links: they could reach the solution
                       if p.is_file() and not p.is_symlink() and inside in p.resolve().parents
                       and ".ipynb_checkpoints" not in p.parts)
    for notebook in notebooks:
        if notebook.name == f"{assignment_id}.ipynb":
            return notebook
    return notebooks[0] if notebooks else None
