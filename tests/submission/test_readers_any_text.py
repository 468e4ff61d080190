"""Every reader of student text in the grading process gives a value for any text, never an
exception (issue 21, section 4): the IPython transformation at grading, fingerprints, the source
scan of forbidden APIs and the explanations of missing names. They all read through
grader.submission.student_code, whose own properties are in test_student_code.py."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.check_tools.source_scan import forbidden_uses
from grader.checking.missing import defines, explain_missing, syntax_problem
from grader.checking.missing import CodeCell
from grader.submission.fingerprint import fingerprint_submission, normalised_source, top_level_definitions
from grader.submission.ipython_syntax import for_grading, not_run_note
from grader.submission.student_code import cells_of_sources

PIECES = [*"fX_ ()[]:=+*%!?.,'\"\\#@\n\t01", "def f(X):\n    return ", "class A:\n    ", "%%time\n",
          "%%writefile h.py\n", "!pip install d2l", "x = !ls", "%pip ", "%matplotlib inline\n", "torch.softmax(X)",
          "\n    ", "@d2l.add_to_class(A)\n", "X + " * 50, "((((((", "\x00", "é", "lambda: ", "\r"]
TEXT = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(PIECES), max_size=80).map("".join))
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(TEXT)
def test_the_grading_transformation_gives_a_value(text):
    grading = for_grading(text)
    assert isinstance(grading.source, str)
    if grading.not_run:
        assert not_run_note(4, grading.not_run).startswith("code cell 4: ")
        assert "\n" not in not_run_note(4, grading.not_run)


@SETTINGS
@given(TEXT, TEXT)
def test_fingerprints_scans_and_explanations_give_a_value(first, second):
    cells = cells_of_sources([first, second])
    pairs = fingerprint_submission(Path("/no/such/file"), cells, ["f", "A"])
    assert all(isinstance(text, str) for _, text in pairs)
    for definition in top_level_definitions(first + "\n\n" + second).values():
        assert normalised_source(definition) is None or isinstance(normalised_source(definition), str)
    assert isinstance(forbidden_uses(first + "\n\n" + second, "f", {"softmax"}), list)
    assert isinstance(defines(first, "f"), bool) and isinstance(syntax_problem(first), str)
    assert isinstance(explain_missing("f", [CodeCell("code cell 1", first), CodeCell("code cell 2", second)]), str)
