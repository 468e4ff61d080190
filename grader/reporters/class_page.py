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
import html
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

from grader.reporters.class_students import HIDDEN_MARK, student_details, student_table
from grader.reporters.gradebook import Clock, modified_time
from grader.reporters.similarity import NEAR_IDENTICAL, Match, matches
from grader.reporters.text import printable
from grader.results import CheckStatus, Outcome, RowStatus

COMMON_FAILURES = 10
SUSPECT_SHARE = 0.5  # of the graded submissions failing a check ...
SUSPECT_MIN = 2  # ... and at least this many: the check is suspect
SUSPECT_MARK = " <span class='suspect'>suspect: check the check</span>"
INSTRUCTOR_ONLY = ("<p class='instructor-only'>For the instructor only: this page shows hidden "
                   "checks and the full detail of every failure. Give students their feedback "
                   "files, never this page.</p>")
SIMILARITY_NOTE = (f"Same notebook file, same code of the graded functions (comments, names of "
                   f"local variables and layout aside), or {NEAR_IDENTICAL:.0%} of the code's "
                   "tokens alike. A reason to look, not a verdict: code copied from the book is "
                   "alike too.")
STYLE = """body{font-family:system-ui,sans-serif;max-width:80rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;
text-align:left;vertical-align:top}td.num{text-align:right}img{max-width:100%}
.bar{background:#4c78a8;height:.8rem;display:inline-block}.of{font-weight:normal;color:#555}
.hidden-check,.late,.mark,.flag{font-size:.8em;padding:0 .3em;border-radius:.2em;background:#eee}
.suspect,.flag,.instructor-only{background:#fde2e1;color:#8a1c12}.missing{color:#8a1c12}
.failed,.check-error{color:#b00020}.passed{color:#176f2c}pre{white-space:pre-wrap;margin:0}
.instructor-only{padding:.5rem}"""
e = lambda text: html.escape(printable(str(text), keep_newlines=True))  # noqa: E731


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
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{STYLE}</style></head><body><h1>{e(title)}</h1>", INSTRUCTOR_ONLY,
             "<section class='class'><h2>Students</h2>",
             student_table(outcomes, found, feedback_link, deadline, clock), "</section>"]
    for assignment, own in by_assignment(outcomes).items():
        parts.append(_assignment_section(assignment, own,
                                         [m for m in found if m.assignment == assignment]))
    parts += ["<section class='details'><h2>Every check, per student</h2>",
              student_details(outcomes), "</section>", "</body></html>"]
    return "\n".join(parts) + "\n"


def relative_link(page: Path, folder: Path) -> str:
    """`folder` as a link from the page at `page` ("feedback", "../out/feedback")."""
    return Path(os.path.relpath(Path(folder).resolve(), Path(page).resolve().parent)).as_posix()


def _assignment_section(assignment: str, own: list[Outcome], found: list[Match]) -> str:
    counts = Counter(o.status.value for o in own)
    graded = [o for o in own if o.status is RowStatus.GRADED]
    parts = [f"<section class='assignment'><h2>{e(assignment)}</h2>",
             "<p>" + e(", ".join(f"{n} {s}" for s, n in sorted(counts.items()))) + "</p>"]
    if graded:
        scores = [o.report.score for o in graded]
        maximum = max(o.report.max_score for o in graded)
        parts.append(f"<p>Mean {statistics.fmean(scores):.2f}, median "
                     f"{statistics.median(scores):g} of {maximum:g} points.</p>")
        png = score_plot(scores, maximum, f"{assignment}: scores")
        parts.append(f"<img class='score-distribution' alt='score distribution of {e(assignment)}' "
                     f"src='data:image/png;base64,{png}'>")
    rates, suspects, hidden = pass_rates(own), set(suspect_checks(own)), hidden_checks(own)
    if rates:
        parts.append("<table class='pass-rates'><thead><tr><th>Check</th><th>Passed</th>"
                     "<th>Pass rate</th><th></th></tr></thead><tbody>")
        for name, (passed, judged) in rates.items():
            rate = passed / judged if judged else 0.0
            marks = (f" {HIDDEN_MARK}" if name in hidden else "") + (SUSPECT_MARK if name in suspects else "")
            parts.append(f"<tr><td>{e(name)}{marks}</td><td class='num'>{passed}/{judged}</td>"
                         f"<td class='num'>{rate:.0%}</td><td><span class='bar' "
                         f"style='width:{rate * 10:.1f}rem'></span></td></tr>")
        parts.append("</tbody></table>")
    if suspects:
        parts.append(f"<p class='suspect-note'>{len(suspects)} check(s) fail for half the graded "
                     "submissions or more: suspect: check the check (a wrong reference, a too "
                     "tight tolerance, a kernel problem) before trusting the scores.</p>")
    failures = common_failures(own)
    if failures:
        parts.append("<h3>Most common failures</h3><table class='failures'><thead><tr><th>Check</th>"
                     "<th>Detail (instructor)</th><th>Submissions</th></tr></thead><tbody>")
        parts += [f"<tr><td>{e(name)}{f' {HIDDEN_MARK}' if name in hidden else ''}</td>"
                  f"<td>{e(message)}</td><td class='num'>{n}</td></tr>" for name, message, n in failures]
        parts.append("</tbody></table>")
    if found:
        parts.append("<h3>Alike across students</h3><p class='note'>" + e(SIMILARITY_NOTE)
                     + "</p><ul class='similar'>")
        parts += [f"<li><span class='flag'>{e(m.kind)}</span>" + (f" ({m.ratio:.0%})" if m.ratio < 1 else "")
                  + f": {e(', '.join(m.students))}" + (f"; same: {e(', '.join(m.same))}" if m.same else "")
                  + "</li>" for m in found]
        parts.append("</ul>")
    problems = [o for o in own if o.status is not RowStatus.GRADED]
    if problems:
        parts.append("<h3>Not graded</h3><ul>" + "".join(
            f"<li>{e(o.student)}: {e(o.status.value)}: {e(o.report.reason)}</li>" for o in problems)
            + "</ul>")
    parts.append("</section>")
    return "\n".join(parts)
