"""The class page (`grade … --report FILE`): one self-contained HTML page for the instructor.

- Students: one row per student (each assignment's points, or missing / ungradable / not
  graded / late, as in the class gradebook), a link to the student's feedback file when
  `--feedback DIR` was written too (relative, so the two folders can move together), and a flag
  where the work matches another student's.
- Per assignment: counts, the distribution of scores (a matplotlib histogram drawn with the Agg
  backend, embedded as a base64 PNG, whole numbers of submissions on its axis), each check's
  pass rate, checks that fail for half the graded submissions or more (and at least 2) marked
  "suspect: check the check", the most common failures with the instructor's detail, and
  identical or near-identical submissions across students (`similarity`).
- Every check of every submission in full, hidden checks included and marked "hidden"
  (`class_students`).

The page is for the instructor only: feedback files for students are written by `feedback`,
which shows none of this. No scripts, no external files: it opens anywhere.
"""

from __future__ import annotations

import base64
import io
import os
import statistics
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from grader.reporters.class_students import student_details, student_table
from grader.reporters.gradebook import Clock, modified_time
from grader.reporters.similarity import NEAR_IDENTICAL, Match, matches
from grader.reporters.html import render_page
from grader.results import CheckStatus, Outcome, RowStatus

COMMON_FAILURES = 10
SUSPECT_SHARE = 0.5  # of the graded submissions failing a check ...
SUSPECT_MIN = 2  # ... and at least this many: the check is suspect
SIMILARITY_NOTE = (f"Same notebook file, same code of the graded functions (comments, names of "
                   f"local variables and layout aside), or {NEAR_IDENTICAL:.0%} of the code's "
                   "tokens alike. A reason to look, not a verdict: code copied from the book is "
                   "alike too.")


def by_assignment(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    grouped: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        grouped.setdefault(outcome.report.assignment or "(unknown assignment)", []).append(outcome)
    return grouped


def pass_rates(outcomes: Sequence[Outcome]) -> dict[str, tuple[int, int]]:
    """Check name -> (passed, judged) over the graded submissions."""
    rates: dict[str, tuple[int, int]] = {}
    for outcome in outcomes:
        if outcome.status is not RowStatus.GRADED:
            continue
        for check in outcome.report.checks:
            passed, judged = rates.get(check.name, (0, 0))
            rates[check.name] = (passed + (check.status is CheckStatus.PASSED), judged + 1)
    return rates


def common_failures(outcomes: Sequence[Outcome], limit: int = COMMON_FAILURES) -> list[tuple[str, str, int]]:
    """(check name, failure detail for the instructor, how many submissions), most
    frequent first."""
    counter: Counter[tuple[str, str]] = Counter()
    for outcome in outcomes:
        if outcome.status is not RowStatus.GRADED:
            continue
        for check in outcome.report.checks:
            if check.status is not CheckStatus.PASSED:
                counter[(check.name, check.detail or check.message or check.status.value)] += 1
    return [(name, message, n) for (name, message), n in counter.most_common(limit)]


def score_figure(scores: Sequence[float], maximum: float, title: str) -> Figure:
    """A histogram of scores; its count axis has whole numbers only (no half submissions)."""
    figure = Figure(figsize=(6, 3), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    bins = max(1, min(20, int(maximum) if maximum else 10))
    axes.hist(scores, bins=bins, range=(0, maximum or 1), color="#4c78a8", edgecolor="white")
    axes.set_xlabel("points")
    axes.set_ylabel("submissions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # points: whole where it can
    axes.set_title(title)
    figure.tight_layout()
    return figure


def score_plot(scores: Sequence[float], maximum: float, title: str) -> str:
    """The histogram of scores as a base64 PNG."""
    buffer = io.BytesIO()
    score_figure(scores, maximum, title).savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def suspect_checks(outcomes: Sequence[Outcome]) -> list[str]:
    """Checks that fail for at least `SUSPECT_SHARE` of the graded submissions, and at least
    `SUSPECT_MIN` of them: more often the check's fault than the class's."""
    return [name for name, (passed, judged) in pass_rates(outcomes).items()
            if judged - passed >= max(SUSPECT_MIN, SUSPECT_SHARE * judged)]


def hidden_checks(outcomes: Sequence[Outcome]) -> set[str]:
    return {c.name for o in outcomes for c in o.report.checks if c.hidden}


def render(outcomes: Sequence[Outcome], title: str = "Class report", *,
           feedback_link: str | None = None, deadline: datetime | None = None,
           clock: Clock = modified_time) -> str:
    """The page. `feedback_link`: the feedback folder, relative to the page (`relative_link`),
    when feedback files were written; `deadline`: mark notebooks modified after it as late."""
    found = matches(outcomes)
    return render_page(
        "class_page.html", title=title, similarity_note=SIMILARITY_NOTE,
        students=student_table(outcomes, found, feedback_link, deadline, clock),
        sections=[assignment_section(assignment, own, [m for m in found if m.assignment == assignment])
                  for assignment, own in by_assignment(outcomes).items()],
        details=student_details(outcomes))


def relative_link(page: Path, folder: Path) -> str:
    """`folder` as a link from the page at `page` ("feedback", "../out/feedback")."""
    return Path(os.path.relpath(Path(folder).resolve(), Path(page).resolve().parent)).as_posix()


def assignment_section(assignment: str, own: list[Outcome], found: list[Match]) -> dict:
    """One assignment's part of the page, as data for the template."""
    counts = Counter(o.status.value for o in own)
    graded = [o for o in own if o.status is RowStatus.GRADED]
    stats = None
    if graded:
        scores = [o.report.score for o in graded]
        maximum = max(o.report.max_score for o in graded)
        stats = {"mean": f"{statistics.fmean(scores):.2f}", "median": f"{statistics.median(scores):g}",
                 "max": f"{maximum:g}", "png": score_plot(scores, maximum, f"{assignment}: scores")}
    rates, suspects, hidden = pass_rates(own), set(suspect_checks(own)), hidden_checks(own)
    return {
        "assignment": assignment, "stats": stats,
        "counts": ", ".join(f"{n} {s}" for s, n in sorted(counts.items())),
        "rates": [{"name": name, "passed": passed, "judged": judged, "hidden": name in hidden,
                   "share": passed / judged if judged else 0.0, "suspect": name in suspects}
                  for name, (passed, judged) in rates.items()],
        "suspects": len(suspects),
        "failures": [{"name": name, "detail": detail, "count": n, "hidden": name in hidden}
                     for name, detail, n in common_failures(own)],
        "matches": [{"kind": m.kind, "ratio": m.ratio, "students": list(m.students), "same": list(m.same)}
                    for m in found],
        "problems": [{"student": o.student, "status": o.status.value, "reason": o.report.reason}
                     for o in own if o.status is not RowStatus.GRADED],
    }
