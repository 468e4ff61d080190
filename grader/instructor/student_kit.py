"""A student kit: everything a student may hold for one assignment, and nothing more.

    DIR/kit.json                   marks DIR as a kit (a course folder of one assignment); its
                                   points and the graded names its checks are about
    DIR/assignments/<id>.ipynb     the notebook to fill in
    DIR/checks/<id>.py             the public checks; each hidden check is a stub that holds
                                   only its points (no code, no inputs, a generic name), and
                                   each known mistake (`@mistake`) a stub without its code
    DIR/answers/<id>.json, .bin    the reference's and the known mistakes' answers on the
                                   public checks' fixed inputs, as data
                                   (`grader.checking.recorded`): no pickle, no code
    DIR/course.toml, DIR/kernel-N/ what the course gives the kernel (its own `d2l`), public
                                   course material (`grader.instructor.course_kernel`)
    DIR/wheels/<grader>.whl        the grader's wheel, where the kit carries it (the default
                                   install source, `grader.instructor.install_source`)

Never the solution notebook, the hidden checks' code, validation labels or the course's own
modules (its reference helpers and models). A public check that needs one of them (training
judged by validation accuracy, the grader's own softmax) is graded by the instructor in a kit:
it becomes a stub like a hidden check, under its own name, and its points count with the hidden
ones (`grader.instructor.kit_checks`).

The answers are recorded by running the public checks against the solution, in this process,
with the solution as the student (`LocalStudent`) and a `RecordingReference` as the reference.
In DIR, `grade submission.ipynb --public-only` needs no solutions/, and ends with the points of
the public checks and how many more the hidden checks hold.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from grader.checking.local_student import LocalStudent
from grader.checking.plugin import GradingPlugin, run_checks
from grader.checking.recorded import KIT_FORMAT, RecordingReference
from grader.checking.reference import load_reference
from grader.errors import AuthoringError
from grader.files import write_atomically
from grader.i18n import catalog_files
from grader.instructor.course_kernel import kernel_files
from grader.instructor.generate import with_install_hint
from grader.instructor.install_source import WHEELS, InstallSource, install_command, put_in_kit
from grader.instructor.kit_checks import checked_functions, course_modules, public_checks
from grader.results import CheckStatus
from grader.submission.course import KIT_MARKER, Assignment, Course, settings_of



def write_student_kit(course: Course, assignment_id: str, output: Path, data_dir: Path | None = None,
                      install: InstallSource | None = None) -> list[Path]:
    """Write the kit of `assignment_id` into `output`; return the files written. With `install`,
    the kit names how to install the grader (and carries its wheel, by default): kit.json's
    "install" and the notebook's check cell say it. The kits shipped inside the grader have none."""
    assignment = course.assignment_for(assignment_id)
    if not assignment.generated.is_file():
        raise AuthoringError(assignment.generated.name, 0, "no assignment notebook: run "
                             "`grade-admin generate` first")
    modules = course_modules(settings_of(assignment.checks.resolve().parent.parent).checks_paths)
    public, hidden_points, instructor_only = public_checks(assignment.checks, modules=modules)
    output = Path(output)
    for folder in ("assignments", "checks", "answers"):
        (output / folder).mkdir(parents=True, exist_ok=True)
    notebook = output / "assignments" / f"{assignment.id}.ipynb"
    shutil.copyfile(assignment.generated, notebook)
    argument = put_in_kit(install, output) if install is not None else None
    if argument is not None:
        carried = " (in the kit's folder)" if argument.startswith(f"{WHEELS}/") else ""
        write_atomically(notebook, with_install_hint(notebook.read_bytes(), install_command(argument) + carried))
    checks = output / "checks" / f"{assignment.id}.py"
    write_atomically(checks, public.encode("utf-8"))
    answers = output / "answers" / f"{assignment.id}.json"
    with tempfile.TemporaryDirectory() as folder:  # recorded with the mistakes' code, which the kit leaves out
        recording = Path(folder) / checks.name
        write_atomically(recording, public_checks(assignment.checks, True, modules)[0].encode("utf-8"))
        public_points, failed = record_answers(assignment, recording, answers, data_dir)
    if failed:
        raise AuthoringError(assignment.checks.name, 0, "the solution fails public checks, so the kit "
                             f"would teach wrong answers: {', '.join(failed)}")
    shipped = []
    for name, data in {**kernel_files(course), **catalog_files(course.folders)}.items():  # its d2l, its messages
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        write_atomically(output / name, data)
        shipped.append(output / name)
    marker = output / KIT_MARKER
    write_atomically(marker, json.dumps({
        "kit": KIT_FORMAT, "assignment": assignment.id, "public_points": public_points,
        "hidden_points": hidden_points, "graded_by_instructor": instructor_only,
        "functions": checked_functions(public, checks), "install": argument,
    }, indent=1).encode("utf-8"))
    wheels = sorted((output / WHEELS).glob("*.whl")) if argument and argument.startswith(f"{WHEELS}/") else []
    return [marker, notebook, checks, answers, answers.with_suffix(".bin"), *shipped, *wheels]


def record_answers(assignment: Assignment, checks: Path, answers: Path,
                   data_dir: Path | None) -> tuple[float, list[str]]:
    """Run the kit's public checks with the solution as the student; save the reference's
    answers. Returns the public points and the names of checks the solution failed."""
    module = load_reference(assignment.solution)
    recording = RecordingReference(module)
    student = LocalStudent(dict(vars(module)), getattr(module, "__source__", ""))  # the text: static facts
    plugin = GradingPlugin(student, recording, data_dir, public_only=True)
    try:
        results = run_checks(checks, plugin, settings_of(assignment.checks.resolve().parent.parent))
    finally:
        student.close()
    recording.save(answers)
    failed = [r.name for r in results if r.status is not CheckStatus.PASSED]
    return sum(r.max_points for r in results), failed
