"""`grade-admin`: the instructor's commands around the grader.

    grade-admin generate [ID...]                     assignments/<id>.ipynb from the solutions
    grade-admin gradescope ID --output autograder.zip   Gradescope's autograder bundle
    grade-admin classroom ID --output DIR            a GitHub Classroom template: workflow + notebook
    grade-admin gradescope-run ...                   what the bundle's run_autograder calls

The Gradescope bundle holds the grader's sources, the assignment's checks and solution; it is
uploaded to Gradescope and never seen by students. The Classroom template holds the student's
notebook and a workflow that fetches checks and solutions at grading time from a private
repository (see `classroom_workflow`); it never contains them.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import replace
from pathlib import Path

from grader.submission.course import PACKAGE_DIR, Course, default_course
from grader.errors import ExitStatus, GraderError, UsageError
from grader.files import write_atomically
from grader.pipeline import GradeOptions, grade_or_explain
from grader.results import GradeReport, GradeStatus
from grader.reporters import gradescope
from grader.execute.sandbox import SandboxPolicy

TORCH_VERSION = "2.13.0"
EXECUTABLE = 0o100755 << 16  # zip external attributes of an executable regular file
FILE = 0o100644 << 16


# -- Gradescope --------------------------------------------------------------------------------

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope builds the autograder image with this script (as root, on Ubuntu).
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends bubblewrap ca-certificates software-properties-common
if ! apt-get install -y --no-install-recommends python3.11 python3.11-venv; then
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
fi
python3.11 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --upgrade pip
# torch first, from the CPU-only index (the default wheels bring CUDA: gigabytes for nothing)
/autograder/venv/bin/python -m pip install "torch=={torch}" --index-url https://download.pytorch.org/whl/cpu
/autograder/venv/bin/python -m pip install /autograder/source/grader-src
/autograder/venv/bin/python -c "import grader.pipeline"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission. It always leaves a valid results.json.
# The paths are Gradescope's; the variables let a test run it in a folder laid out alike.
set -u
ROOT="${{GRADESCOPE_ROOT:-/autograder}}"
SOURCE="${{GRADESCOPE_SOURCE:-$ROOT/source}}"
SUBMISSION="${{GRADESCOPE_SUBMISSION:-$ROOT/submission}}"
RESULTS="${{GRADESCOPE_RESULTS:-$ROOT/results}}"
PYTHON="${{GRADER_PYTHON:-$ROOT/venv/bin/python}}"
mkdir -p "$RESULTS"
rm -f "$RESULTS/results.json"
export GRADER_COURSE="$SOURCE/course"
export PYTHONPATH="$SOURCE/grader-src${{PYTHONPATH:+:$PYTHONPATH}}"
"$PYTHON" -m grader.commands.grade_admin gradescope-run {assignment} --submission "$SUBMISSION" \\
    --results "$RESULTS/results.json"
if [ ! -s "$RESULTS/results.json" ]; then
    cat > "$RESULTS/results.json" <<'JSON'
{{"score": 0.0, "output": "The autograder could not run; your instructor has been told.",
 "visibility": "visible", "stdout_visibility": "hidden", "tests": []}}
JSON
fi
exit 0
"""

BUNDLE_README = "The grader's sources, bundled for Gradescope by `grade-admin gradescope`.\n"


def gradescope_bundle(course: Course, assignment_id: str, torch: str = TORCH_VERSION) -> bytes:
    """The autograder zip: setup.sh, run_autograder, the grader's sources, checks and solution."""
    assignment = _assignment(course, assignment_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        _add(bundle, "setup.sh", SETUP_SH.format(torch=torch), EXECUTABLE)
        _add(bundle, "run_autograder", RUN_AUTOGRADER.format(assignment=assignment_id), EXECUTABLE)
        project = PACKAGE_DIR.parent
        _add(bundle, "grader-src/pyproject.toml", (project / "pyproject.toml").read_text())
        readme = project / "README.md"
        _add(bundle, "grader-src/README.md", readme.read_text() if readme.is_file() else BUNDLE_README)
        for source in sorted(PACKAGE_DIR.rglob("*")):
            if source.is_file() and source.suffix in (".py", ".ini") and "__pycache__" not in source.parts:
                _add(bundle, f"grader-src/grader/{source.relative_to(PACKAGE_DIR).as_posix()}",
                     source.read_bytes())
        checks_dir = assignment.checks.parent
        helpers = [p for p in sorted(checks_dir.glob("*.py")) if p.name.startswith(("_", "conftest"))]
        for checks in [assignment.checks, *helpers]:
            _add(bundle, f"course/checks/{checks.name}", checks.read_bytes())
        _add(bundle, f"course/solutions/{assignment_id}.ipynb", assignment.solution.read_bytes())
    return buffer.getvalue()


def _add(bundle: zipfile.ZipFile, name: str, data: str | bytes, mode: int = FILE) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = mode
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)


def run_gradescope(assignment_id: str, submission_dir: Path, results: Path,
                   options: GradeOptions | None = None) -> GradeReport:
    """Grade what was submitted and write Gradescope's results.json, whatever happens."""
    started = time.monotonic()
    try:
        options = options or GradeOptions()
        options = replace(options, assignment=assignment_id,
                          policy=replace(options.policy, use_bubblewrap=_bubblewrap_works()))
        notebook = _submitted_notebook(submission_dir, assignment_id)
        if notebook is None:
            report = _without_notebook(assignment_id, options)
            found = sorted(p.name for p in submission_dir.rglob("*") if p.is_file()) \
                if submission_dir.is_dir() else []
            reason = "no notebook (.ipynb) in the submission"
            if found:
                reason += f"; it holds: {', '.join(found[:10])}"
            report = replace(report, submission=str(submission_dir), reason=reason)
        else:
            report = grade_or_explain(notebook, options)
    except Exception as error:  # noqa: BLE001 - Gradescope must get a results.json
        report = GradeReport(submission=str(submission_dir), assignment=assignment_id,
                             status=GradeStatus.UNGRADABLE,
                             reason=f"the autograder failed ({type(error).__name__}); your "
                                    "instructor has been told",
                             duration=time.monotonic() - started)
        print(f"grade-admin: {type(error).__name__}: {error}", file=sys.stderr)
    write_atomically(results, gradescope.render(report))
    return report


def _without_notebook(assignment_id: str, options: GradeOptions) -> GradeReport:
    """The report of a submission with no notebook: every check, at no points."""
    with tempfile.TemporaryDirectory() as empty:
        path = Path(empty) / f"{assignment_id}.ipynb"  # a path nobody could have filled
        return grade_or_explain(path, replace(options, assignment=assignment_id))


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


def _bubblewrap_works() -> bool:
    """Whether bubblewrap can make its namespaces here (Docker often forbids them)."""
    try:
        probe = subprocess.run(["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                                "true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


# -- GitHub Classroom --------------------------------------------------------------------------

WORKFLOW = """\
# Generated by `grade-admin classroom {assignment}`. Grades {notebook} with the course's checks.
# The checks and solutions are NOT in this repository: they are fetched at grading time from the
# private repository named by the organisation variable GRADER_REPOSITORY, with the read-only
# token in the organisation secret GRADER_TOKEN (see the README's section on hidden checks).
name: Autograding Tests
on:
  - push
  - repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 30
    steps:
      - name: Check out the submission
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Fetch the grader and the course from the private repository
        env:
          GRADER_TOKEN: ${{{{ secrets.GRADER_TOKEN }}}}
          GRADER_REPOSITORY: ${{{{ vars.GRADER_REPOSITORY }}}}
        run: |
          git clone --quiet --depth 1 \\
            "https://x-access-token:${{GRADER_TOKEN}}@github.com/${{GRADER_REPOSITORY}}.git" "$RUNNER_TEMP/course"
          rm -rf "$RUNNER_TEMP/course/.git"
      - name: Install the grader
        run: |
          sudo apt-get update -q && sudo apt-get install -y -q bubblewrap
          sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 || true
          python -m pip install -q "torch=={torch}" --index-url https://download.pytorch.org/whl/cpu
          python -m pip install -q "$RUNNER_TEMP/course"
      - name: Grade
        id: grade
        env:
          GRADER_COURSE: ${{{{ runner.temp }}}}/course
        run: |
          rm -f result.json
          if [ -L {notebook} ]; then rm -f {notebook}; fi  # a link could point at the solution
          grade {notebook} --assignment {assignment}{extra} --format classroom --output result.json || true
          if [ ! -s result.json ]; then
            echo '{fallback}' > result.json
          fi
          echo "result=$(base64 -w0 result.json)" >> "$GITHUB_OUTPUT"
          rm -rf "$GRADER_COURSE"
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          GRADE_RESULTS: ${{{{ steps.grade.outputs.result }}}}
        with:
          runners: grade
"""


def classroom_workflow(assignment_id: str, max_score: float, notebook: str | None = None,
                       public_only: bool = False, torch: str = TORCH_VERSION) -> str:
    fallback = {"version": 1, "status": "error", "max_score": _whole(max_score), "tests": [{
        "name": "notebook could be graded", "status": "error", "score": 0,
        "message": "the grader could not run; your instructor has been told",
        "test_code": "", "filename": "", "line_no": 0, "duration": 0}]}
    return WORKFLOW.format(assignment=assignment_id, notebook=notebook or f"{assignment_id}.ipynb",
                           extra=" --public-only" if public_only else "", torch=torch,
                           fallback=json.dumps(fallback, separators=(",", ":")))


def write_classroom_template(course: Course, assignment_id: str, output: Path,
                             public_only: bool = False) -> list[Path]:
    """The workflow, and the student's notebook when it has been generated. No checks, no solution."""
    _assignment(course, assignment_id)
    empty = _without_notebook(assignment_id, GradeOptions(course=course, public_only=public_only))
    workflow = output / ".github" / "workflows" / "classroom.yml"
    write_atomically(workflow, classroom_workflow(assignment_id, empty.max_score,
                                                  public_only=public_only))
    written = [workflow]
    student_copy = course.root / "assignments" / f"{assignment_id}.ipynb"
    if student_copy.is_file():
        target = output / f"{assignment_id}.ipynb"
        write_atomically(target, student_copy.read_bytes())
        written.append(target)
    return written


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


# -- the command line ---------------------------------------------------------------------------

def _assignment(course: Course, assignment_id: str):  # noqa: ANN202 - an Assignment
    known = course.assignments
    if assignment_id not in known:
        raise UsageError(f"unknown assignment {assignment_id!r}; known: {', '.join(sorted(known)) or 'none'}")
    return known[assignment_id]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade-admin", description="Instructor commands.")
    parser.add_argument("--course", type=Path, help="course folder with solutions/ and checks/")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of grader errors")
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write assignments/<id>.ipynb from the solutions")
    generate.add_argument("ids", nargs="*", help="only these assignments (default: all)")
    scope = commands.add_parser("gradescope", help="build Gradescope's autograder zip")
    scope.add_argument("assignment")
    scope.add_argument("--output", type=Path, default=Path("autograder.zip"))
    scope.add_argument("--torch", default=TORCH_VERSION, help=f"torch version to install ({TORCH_VERSION})")
    room = commands.add_parser("classroom", help="write a GitHub Classroom template repository")
    room.add_argument("assignment")
    room.add_argument("--output", type=Path, required=True, help="the template repository's folder")
    room.add_argument("--public-only", action="store_true",
                      help="the workflow runs only the public checks")
    run = commands.add_parser("gradescope-run", help="(run_autograder) grade one Gradescope submission")
    run.add_argument("assignment")
    run.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    run.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.course and not (args.course / "checks").is_dir():
            raise UsageError(f"{args.course}: not a course folder (no checks/ inside)")
        course = Course(args.course.resolve()) if args.course else default_course()
        if args.command == "generate":
            from grader.instructor.generate import generate_assignments

            for path in generate_assignments(course.root, args.ids or None):
                print(path)
        elif args.command == "gradescope":
            write_atomically(args.output, gradescope_bundle(course, args.assignment, args.torch))
            print(f"{args.output}: Gradescope autograder for {args.assignment}")
        elif args.command == "classroom":
            for path in write_classroom_template(course, args.assignment, args.output, args.public_only):
                print(path)
        elif args.command == "gradescope-run":
            options = GradeOptions(course=course, policy=SandboxPolicy())
            report = run_gradescope(args.assignment, args.submission, args.results, options)
            print(f"{report.submission}: {report.score:g}/{report.max_score:g} ({report.status.value})")
        return int(ExitStatus.GRADED)
    except GraderError as error:
        if args.debug:
            raise
        print(f"grade-admin: {error}", file=sys.stderr)
        return int(error.exit_status)


if __name__ == "__main__":
    sys.exit(main())
