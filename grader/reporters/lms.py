"""Gradebook files that learning-management systems import: Canvas and Moodle
(`grade --canvas FILE`, `grade --moodle FILE`). The grades are the class gradebook's
(`gradebook.rows`): one row per student, one column per assignment, its total points.

The student id that the batch layout gives (`alice` of `alice.ipynb`, `alice/04_….ipynb`, or a
Classroom repository `<assignment>-alice/`) is the only identifier there is, so name the files
or folders after the login the LMS knows:

Canvas (Grades > Import, a CSV):
    Student, ID, SIS User ID, SIS Login ID, Section, <assignment>, …
    row 2: "Points Possible" in the first column, each assignment's maximum under it.
    student id -> "SIS Login ID" (also shown as "Student"); "ID", "SIS User ID" and "Section"
    are left empty: Canvas matches a row by any one of its three ids. A column whose header
    matches no existing assignment becomes a new assignment of the row-2 points; to fill an
    existing one, rename the header to that assignment's exact name (as Canvas's own export
    writes it, "Name (id)").

Moodle (Grades > Import > CSV file):
    username, <assignment>, …
    student id -> "username": map "username" to "username" under "Identify user by", and each
    assignment column to its grade item (or "new grade item").

Cells: points earned; empty for a missing assignment and for one not graded yet (both
systems leave the grade as it was), 0 for an ungradable notebook. Late is not carried (neither
format has a column for it); it is in the class gradebook's notes.
"""

from __future__ import annotations

import csv
import io
from typing import Sequence

from grader.reporters.gradebook import assignments, maxima, rows, spreadsheet_safe
from grader.reporters.text import points
from grader.results import Outcome

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_POSSIBLE = "    Points Possible"  # as Canvas's own export writes it
MOODLE_IDENTITY = ["username"]
SYSTEMS = ("canvas", "moodle")


def render_canvas(outcomes: Sequence[Outcome]) -> str:
    columns = assignments(outcomes)
    limits = maxima(outcomes)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CANVAS_IDENTITY, *(spreadsheet_safe(a) for a in columns)])
    writer.writerow([CANVAS_POINTS_POSSIBLE, "", "", "", "",
                     *(points(limits.get(a, 0.0)) for a in columns)])
    for row in rows(outcomes):
        student = spreadsheet_safe(row.student)
        writer.writerow([student, "", "", student, "", *_grades(row.cells, columns)])
    return buffer.getvalue()


def render_moodle(outcomes: Sequence[Outcome]) -> str:
    columns = assignments(outcomes)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*MOODLE_IDENTITY, *(spreadsheet_safe(a) for a in columns)])
    for row in rows(outcomes):
        writer.writerow([spreadsheet_safe(row.student), *_grades(row.cells, columns)])
    return buffer.getvalue()


def render(system: str, outcomes: Sequence[Outcome]) -> str:
    """The file for `system` ("canvas" or "moodle")."""
    return {"canvas": render_canvas, "moodle": render_moodle}[system](outcomes)


def _grades(cells: dict, columns: list[str]) -> list[str]:
    return ["" if cells[a].points is None else points(cells[a].points) for a in columns]
