"""GitHub Classroom: the template repository students start from.

Two kinds. With `--kit`, a feedback workflow (`templates/classroom_kit.yml`): the repository
holds the student kit in `kit/` (`grader.instructor.student_kit`: public checks and recorded
answers, nothing secret), the grader is installed from the course's install source
(`grader.instructor.install_source`; by default the wheel the kit carries, no package index),
and the public checks grade the notebook; no token, nothing a student could take. A failed
install becomes a result of 0 points with the reason. Without `--kit`, the final grading:

It holds the student's notebook and `.github/workflows/classroom.yml`, a workflow that fetches
the course at grading time from a private repository (an instructor's own course: its folder at
the repository's top, solutions/, checks/, course.toml, never a copy of the grader), installs
the grader from the install source (by default its wheel, carried in the template's
`.grader/`), and grades with `grade --format classroom`. The built-in course's private
repository is a copy of this grader's checkout, installed from the clone. It never contains
checks or solutions: students can read anything in their repository. The workflow's `tests`
list is never empty, so the reporter never drops the points, even when `grade` cannot start
(the fallback result). Nothing `grade` prints runs as a workflow command (a student's
`::error::` or `::add-mask::`): the step stops commands around it with a random token, and the
result's names and messages are one escaped line each. Every action is pinned to a full commit
(its tag in a comment), and the checkout keeps no credentials (`persist-credentials: false`).
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.files import write_atomically
from grader.i18n import ENGLISH, _, speaking
from grader.instructor.generate import with_install_hint
from grader.instructor.install_source import install_command, install_source, put_in_kit
from grader.instructor.template_files import TORCH_VERSION, fill
from grader.options import GradeOptions
from grader.pipeline import unrun_checks
from grader.reporters.text import number
from grader.submission.course import BUILTIN_ROOT, Course

WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
KIT_FOLDER = "kit"  # the student kit's folder in the template repository
CARRIED = ".grader"  # the final template's folder of the grader's wheel, where it carries one
CLONED_GRADER = "$RUNNER_TEMP/course"  # the built-in course's private repository: a copy of the grader


def classroom_workflow(assignment_id: str, max_score: float, notebook: str | None = None,
                       public_only: bool = False, torch: str = TORCH_VERSION, language: str | None = None,
                       grader: str = CLONED_GRADER) -> str:
    """The workflow's text; `max_score` goes into the result written when `grade` cannot run;
    `language`: what students read ("ko"; None: the runner's locale, English); `grader`: what
    pip installs (default: the clone of a private repository that is a copy of this grader)."""
    with speaking(language or ENGLISH):
        fallback = fallback_result(max_score, _("the grader could not run; your instructor has been told"))
    return fill("classroom.yml", assignment=assignment_id,
                notebook=notebook or f"{assignment_id}.ipynb",
                public_only=" --public-only" if public_only else "", torch=torch, grader=grader,
                lang=f" --lang {language}" if language else "", fallback=fallback)


def fallback_result(max_score: float, message: str) -> str:
    """The one-line result the workflow writes when `grade` gave none: 0 points, and why."""
    return json.dumps({"version": 1, "status": "error", "max_score": number(max_score), "tests": [{
        "name": _("notebook could be graded"), "status": "error", "score": 0, "message": message,
        "test_code": "", "filename": "", "line_no": 0, "duration": 0}]}, separators=(",", ":"))


def kit_workflow(assignment_id: str, max_score: float, grader: str,
                 torch: str = TORCH_VERSION, language: str | None = None) -> str:
    """The feedback workflow's text (see the module's docstring); `grader`: what pip installs."""
    with speaking(language or ENGLISH):
        fallback = fallback_result(max_score, _("the grader could not run (see the log of the workflow)"))
        install_fallback = fallback_result(max_score, _('the grader could not be installed (see the step '
                                                        '"Install the grader" in the log of the workflow)'))
    return fill("classroom_kit.yml", assignment=assignment_id, notebook=f"{assignment_id}.ipynb",
                torch=torch, grader=grader, lang=f" --lang {language}" if language else "",
                fallback=fallback, install_fallback=install_fallback)


def write_classroom_kit_template(course: Course, assignment_id: str, output: Path,
                                 install: str | None = None, language: str | None = None) -> list[Path]:
    """The feedback template: the kit in kit/ (with the grader's wheel, by default), the
    notebook, and the kit's workflow, all naming the one install source."""
    from grader.instructor.student_kit import write_student_kit

    written = write_student_kit(course, assignment_id, output / KIT_FOLDER,
                                install=install_source(course.root, install))
    kit = json.loads(written[0].read_text(encoding="utf-8"))
    command = install_command(kit["install"], KIT_FOLDER)
    workflow = output / WORKFLOW
    write_atomically(workflow, kit_workflow(assignment_id, kit["public_points"], _pip_argument(command),
                                            language=language))
    notebook = output / f"{assignment_id}.ipynb"
    write_atomically(notebook, with_install_hint(course.assignment_for(assignment_id).generated.read_bytes(),
                                                 command))
    return [workflow, notebook, *written]


def write_classroom_template(course: Course, assignment_id: str, output: Path, public_only: bool = False,
                             language: str | None = None, install: str | None = None) -> list[Path]:
    """The workflow, and the student's notebook when it has been generated. No checks, no
    solution. The built-in course's workflow installs the grader from its private clone; an
    instructor's own course's, from the install source (its wheel carried in .grader/)."""
    assignment = course.assignment_for(assignment_id)  # an unknown one writes nothing
    options = GradeOptions(course=course, assignment=assignment_id, public_only=public_only)
    max_score = sum(check.max_points for check in unrun_checks(assignment, options, "not run"))
    own_course = assignment.checks.resolve().parent.parent != BUILTIN_ROOT.resolve()
    command = f"pip install {CLONED_GRADER}"
    if own_course:
        command = install_command(put_in_kit(install_source(course.root, install), output / CARRIED), CARRIED)
    workflow = output / WORKFLOW
    write_atomically(workflow, classroom_workflow(assignment_id, max_score, public_only=public_only,
                                                  language=language, grader=_pip_argument(command)))
    written = [workflow, *sorted((output / CARRIED).rglob("*.whl"))]
    student_copy = assignment.generated  # beside its solution: DIR or the built-in course
    if student_copy.is_file():
        target = output / f"{assignment_id}.ipynb"
        text = student_copy.read_bytes()
        write_atomically(target, with_install_hint(text, command) if own_course else text)
        written.append(target)
    return written


def _pip_argument(command: str) -> str:
    return command.removeprefix("pip install ")
