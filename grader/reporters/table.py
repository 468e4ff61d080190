"""The terminal table: one row per check, then the total."""

from __future__ import annotations

import shutil
import textwrap

from grader.results import CheckStatus, GradeReport, GradeStatus

MARKS = {CheckStatus.PASSED: "pass", CheckStatus.FAILED: "FAIL", CheckStatus.ERROR: "ERROR"}


def render(report: GradeReport, width: int | None = None) -> str:
    width = width or min(shutil.get_terminal_size((120, 20)).columns, 140)
    lines = [f"{report.submission}  ({report.assignment or 'unknown assignment'})"]
    if report.status is GradeStatus.UNGRADABLE:
        lines.append(f"not graded: {report.reason}")
    name_width = min(max((len(c.name) for c in report.checks), default=10), 60)
    for check in report.checks:
        points = f"{_num(check.points)}/{_num(check.max_points)}"
        head = f"{MARKS[check.status]:<5} {points:>7}  {check.name:<{name_width}}"
        lines.append(head)
        if check.message and check.status is not CheckStatus.PASSED:
            lines += textwrap.wrap(check.message, width=max(40, width - 16),
                                   initial_indent=" " * 16, subsequent_indent=" " * 16)
    lines.append(f"Total: {_num(report.score)}/{_num(report.max_score)}")
    notes = _notes(report)
    if notes:
        lines.append("; ".join(notes))
    return "\n".join(lines)


def _notes(report: GradeReport) -> list[str]:
    notes = []
    execution = report.execution
    broken = [c for c in execution.cells if c.status not in ("ok",)]
    for cell in broken:
        notes.append(f"cell {cell.index + 1}: {cell.status}" + (f" ({cell.summary})" if cell.summary else ""))
    if execution.skipped_lines:
        notes.append(f"not run (shell commands): {', '.join(execution.skipped_lines)}")
    if execution.kernel_restarts:
        notes.append(f"the kernel was restarted {execution.kernel_restarts} time(s)")
    if report.reason and report.status is GradeStatus.GRADED:
        notes.append(report.reason)
    if report.isolation is not None:
        notes.append(f"isolation: {report.isolation.value}; graded in {report.duration:.1f} s")
    return notes


def _num(x: float) -> str:
    return f"{x:g}"
