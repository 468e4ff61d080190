"""Each cell that cannot run at grading is named in one line, in the notebook's order, by every
reporter a student reads: the table, the feedback files and Gradescope's output."""

from __future__ import annotations

import json

from grader.reporters import feedback, gradescope, table
from grader.reporters.text import cells_to_note, unavailable_at_grading
from grader.results import CellRecord, CheckResult, CheckStatus, ExecutionSummary, GradeReport, GradeStatus

NOT_RUN = "code cell 1: shell command not run at grading (!pip install d2l==1.0.3)"
CELLS = (CellRecord(2, "error", "ModuleNotFoundError: No module named 'google'", number=2),
         CellRecord(3, "error", "URLError: <urlopen error [Errno -3] Temporary failure in name resolution>", number=3),
         CellRecord(4, "error", "ValueError: shapes differ", number=4))


def report(skipped: tuple[str, ...] = (NOT_RUN,)) -> GradeReport:
    return GradeReport("colab.ipynb", "04_softmax_regression", GradeStatus.GRADED,
                       checks=(CheckResult("softmax: sums to one", 1.0, 1.0, CheckStatus.PASSED, number="1"),),
                       execution=ExecutionSummary(cells=CELLS, skipped_lines=skipped))


def test_one_line_per_cell_in_the_notebook_s_order_with_the_reason_the_grader_is_the_cause():
    assert cells_to_note(report()) == [
        "Code cell 1: shell command not run at grading (!pip install d2l==1.0.3)",
        "Code cell 2: stopped with an error (ModuleNotFoundError: No module named 'google'); "
        "Google Colab only, not available at grading",
        "Code cell 3: stopped with an error (URLError: <urlopen error [Errno -3] Temporary failure in name "
        "resolution>); no network at grading",
        "Code cell 4: stopped with an error (ValueError: shapes differ)"]  # the student's own error: no excuse


def test_the_reason_is_given_only_for_what_the_grading_machine_lacks():
    assert unavailable_at_grading("RuntimeError: Found no NVIDIA driver on your system") == "no GPU at grading"
    assert unavailable_at_grading("ModuleNotFoundError: No module named 'googletrans'") == ""
    assert unavailable_at_grading("NameError: name 'softmax' is not defined") == ""


def test_every_reporter_a_student_reads_names_the_cell():
    assert "code cell 1: shell command not run at grading (!pip install d2l==1.0.3)" in table.render(report(), width=300)
    output = json.loads(gradescope.render(report()))["output"]
    assert "Code cell 1: shell command not run at grading (!pip install d2l==1.0.3)" in output
    assert "Code cell 1: shell command not run at grading" in "\n".join(feedback.notes(report()))


def test_an_older_report_s_bare_lines_still_show():
    assert "Not run at grading: !ls, %pip install x" in cells_to_note(report(("!ls", "%pip install x")))
