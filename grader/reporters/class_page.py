"""The class overview: one self-contained HTML page for the instructor.

Per assignment: how many submissions were graded, the distribution of scores (a matplotlib
histogram drawn with the Agg backend, embedded as a base64 PNG), each check's pass rate, and
the most common failure messages. No scripts, no external files: it opens anywhere.
"""

from __future__ import annotations

import base64
import html
import io
import statistics
from collections import Counter
from typing import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from grader.results import CheckStatus, Outcome, RowStatus

COMMON_FAILURES = 10
STYLE = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;
text-align:left}td.num{text-align:right}.bar{background:#4c78a8;height:.8rem;display:inline-block}
img{max-width:100%}"""


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
    """(check name, failure message, how many submissions), most frequent first."""
    counter: Counter[tuple[str, str]] = Counter()
    for outcome in outcomes:
        if outcome.status is not RowStatus.GRADED:
            continue
        for check in outcome.report.checks:
            if check.status is not CheckStatus.PASSED:
                counter[(check.name, check.message or check.status.value)] += 1
    return [(name, message, n) for (name, message), n in counter.most_common(limit)]


def score_plot(scores: Sequence[float], maximum: float, title: str) -> str:
    """A histogram of scores as a base64 PNG."""
    figure = Figure(figsize=(6, 3), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    bins = max(1, min(20, int(maximum) if maximum else 10))
    axes.hist(scores, bins=bins, range=(0, maximum or 1), color="#4c78a8", edgecolor="white")
    axes.set_xlabel("points")
    axes.set_ylabel("submissions")
    axes.set_title(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def render(outcomes: Sequence[Outcome], title: str = "Class report") -> str:
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{STYLE}</style></head><body><h1>{e(title)}</h1>"]
    for assignment, own in by_assignment(outcomes).items():
        counts = Counter(o.status.value for o in own)
        graded = [o for o in own if o.status is RowStatus.GRADED]
        parts.append(f"<section class='assignment'><h2>{e(assignment)}</h2>")
        parts.append("<p>" + e(", ".join(f"{n} {s}" for s, n in sorted(counts.items()))) + "</p>")
        if graded:
            scores = [o.report.score for o in graded]
            maximum = max(o.report.max_score for o in graded)
            parts.append(f"<p>Mean {statistics.fmean(scores):.2f}, median "
                         f"{statistics.median(scores):g} of {maximum:g} points.</p>")
            png = score_plot(scores, maximum, f"{assignment}: scores")
            parts.append(f"<img class='score-distribution' alt='score distribution of {e(assignment)}' "
                         f"src='data:image/png;base64,{png}'>")
        rates = pass_rates(own)
        if rates:
            parts.append("<table class='pass-rates'><thead><tr><th>Check</th><th>Passed</th>"
                         "<th>Pass rate</th><th></th></tr></thead><tbody>")
            for name, (passed, judged) in rates.items():
                rate = passed / judged if judged else 0.0
                parts.append(f"<tr><td>{e(name)}</td><td class='num'>{passed}/{judged}</td>"
                             f"<td class='num'>{rate:.0%}</td><td><span class='bar' "
                             f"style='width:{rate * 10:.1f}rem'></span></td></tr>")
            parts.append("</tbody></table>")
        failures = common_failures(own)
        if failures:
            parts.append("<h3>Most common failures</h3><table class='failures'><thead><tr><th>Check</th>"
                         "<th>Message</th><th>Submissions</th></tr></thead><tbody>")
            parts += [f"<tr><td>{e(name)}</td><td>{e(message)}</td><td class='num'>{n}</td></tr>"
                      for name, message, n in failures]
            parts.append("</tbody></table>")
        problems = [o for o in own if o.status is not RowStatus.GRADED]
        if problems:
            parts.append("<h3>Not graded</h3><ul>" + "".join(
                f"<li>{e(o.student)}: {e(o.status.value)}: {e(o.report.reason)}</li>" for o in problems)
                + "</ul>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
