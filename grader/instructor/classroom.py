"""GitHub Classroom: the template repository students start from.

Two kinds. With `--kit`, a feedback workflow (`templates/classroom_kit.yml`): the repository
holds the student kit in `kit/` (`grader.instructor.student_kit`: public checks and recorded
answers, nothing secret), the grader is installed with pip from a public source, and the
public checks grade the notebook; no token, nothing a student could take. A failed install
becomes a result of 0 points with the reason. Without `--kit`, the final grading:

It holds the student's notebook and `.github/workflows/classroom.yml`, a workflow that fetches
the grader, checks and solutions at grading time from a private repository and grades with
`grade --format classroom`. It never contains checks or solutions: students can read anything
in their repository. The workflow's `tests` list is never empty, so the reporter never drops
the points, even when `grade` cannot start (the fallback result). Nothing `grade` prints runs as
a workflow command (a student's `::error::` or `::add-mask::`): the step stops commands around
it with a random token, and the result's names and messages are one escaped line each.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.files import write_atomically
from grader.i18n import ENGLISH, _, speaking
from grader.instructor.template_files import TORCH_VERSION, fill
from grader.options import GradeOptions
from grader.pipeline import unrun_checks
from grader.reporters.text import number
from grader.submission.course import Course

WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
KIT_FOLDER = "kit"  # the student kit's folder in the template repository
PUBLIC_GRADER = "dl-notebook-grader"  # what the kit's workflow installs with pip (no token)


def classroom_workflow(assignment_id: str, max_score: float, notebook: str | None = None,
                       public_only: bool = False, torch: str = TORCH_VERSION, language: str | None = None) -> str:
    """The workflow's text; `max_score` goes into the result written when `grade` cannot run;
    `language`: what students read ("ko"; None: the runner's locale, English)."""
    with speaking(language or ENGLISH):
        fallback = fallback_result(max_score, _("the grader could not run; your instructor has been told"))
    return fill("classroom.yml", assignment=assignment_id,
                notebook=notebook or f"{assignment_id}.ipynb",
                public_only=" --public-only" if public_only else "", torch=torch,
                lang=f" --lang {language}" if language else "", fallback=fallback)


def fallback_result(max_score: float, message: str) -> str:
    """The one-line result the workflow writes when `grade` gave none: 0 points, and why."""
    return json.dumps({"version": 1, "status": "error", "max_score": number(max_score), "tests": [{
        "name": _("notebook could be graded"), "status": "error", "score": 0, "message": message,
        "test_code": "", "filename": "", "line_no": 0, "duration": 0}]}, separators=(",", ":"))


def kit_workflow(assignment_id: str, max_score: float, grader: str = PUBLIC_GRADER,
                 torch: str = TORCH_VERSION, language: str | None = None) -> str:
    """The feedback workflow's text (see the module's docstring)."""
    with speaking(language or ENGLISH):
        fallback = fallback_result(max_score, _("the grader could not run (see the log of the workflow)"))
        install_fallback = fallback_result(max_score, _('the grader could not be installed (see the step '
                                                        '"Install the grader" in the log of the workflow)'))
    return fill("classroom_kit.yml", assignment=assignment_id, notebook=f"{assignment_id}.ipynb",
                torch=torch, grader=grader, lang=f" --lang {language}" if language else "",
                fallback=fallback, install_fallback=install_fallback)


def write_classroom_kit_template(course: Course, assignment_id: str, output: Path,
                                 grader: str = PUBLIC_GRADER, language: str | None = None) -> list[Path]:
    """The feedback template: the kit in kit/, the notebook, and the kit's workflow."""
    from grader.instructor.student_kit import write_student_kit

    written = write_student_kit(course, assignment_id, output / KIT_FOLDER)
    kit = json.loads(written[0].read_text(encoding="utf-8"))
    workflow = output / WORKFLOW
    write_atomically(workflow, kit_workflow(assignment_id, kit["public_points"], grader, language=language))
    notebook = output / f"{assignment_id}.ipynb"
    write_atomically(notebook, (output / KIT_FOLDER / "assignments" / notebook.name).read_bytes())
    return [workflow, notebook, *written]


def write_classroom_template(course: Course, assignment_id: str, output: Path,
                             public_only: bool = False, language: str | None = None) -> list[Path]:
    """The workflow, and the student's notebook when it has been generated. No checks, no solution."""
    assignment = course.assignment_for(assignment_id)  # an unknown one writes nothing
    options = GradeOptions(course=course, assignment=assignment_id, public_only=public_only)
    max_score = sum(check.max_points for check in unrun_checks(assignment, options, "not run"))
    workflow = output / WORKFLOW
    write_atomically(workflow, classroom_workflow(assignment_id, max_score, public_only=public_only,
                                                  language=language))
    written = [workflow]
    student_copy = assignment.generated  # beside its solution: DIR or the built-in course
    if student_copy.is_file():
        target = output / f"{assignment_id}.ipynb"
        write_atomically(target, student_copy.read_bytes())
        written.append(target)
    return written
