"""Any failure to get a readable verdict costs the points the check guards (issue 21, 1): an
exception a check raises after the student's code answered is the check's failure, "the grader
could not read this answer"; an error of the check itself gives no points either; a message
the kernel sends that cannot be decoded is the call's failure. Fake students, no kernel."""

from __future__ import annotations

import types

import pytest

from grader.checking.plugin import GradingPlugin, run_checks
from grader.checking.student import Student, UnreadableMessage
from grader.checking.verdicts import UnreadableAnswer
from grader.reporters.gradescope import to_data
from grader.results import CheckStatus, GradeReport, GradeStatus

CHECKS = '''
import pytest

@pytest.mark.check("f: judged on a strange answer", points=2)
def test_strange(student):
    answer = student.f()
    raise OverflowError("int too large to convert to float")  # what judging a strange answer raised

@pytest.mark.check("f: other inputs", points=3)
def test_other(student):
    assert student.f() == 1

@pytest.mark.check("g: a check that breaks before asking anything", points=1)
def test_broken(student):
    raise KeyError("the check's own bug")

@pytest.mark.check("g: right", points=4)
def test_right(student):
    assert student.g() == 2

@pytest.mark.check("h: visible", points=1)
def test_visible(student):
    assert student.g() == 2

@pytest.mark.check("h: drops a fraction p of the entries", points=1, hidden=True)
def test_hidden(student):
    assert student.g() == 3, "h(X) with X = secret: wrong"
'''


class Answers:
    """Stands in for the kernel: each call is one reply."""

    def __init__(self):
        self.deadline = None
        self.replies = 0

    def seed(self, seed):
        pass

    def f(self):
        self.replies += 1
        return 1

    def g(self):
        self.replies += 1
        return 2


@pytest.fixture
def results(tmp_path):
    path = tmp_path / "checks_unreadable.py"
    path.write_text(CHECKS)
    plugin = GradingPlugin(Answers(), types.SimpleNamespace())
    return {r.name: r for r in run_checks(path, plugin)}


def test_an_exception_after_the_answer_is_the_checks_failure(results):
    strange = results["f: judged on a strange answer"]
    assert strange.status is CheckStatus.FAILED and strange.points == 0
    assert "could not read this answer" in strange.message
    assert "OverflowError" in strange.detail and "checks_unreadable.py" in strange.detail  # the instructor's
    other = results["f: other inputs"]
    assert other.points == 0 and other.status is CheckStatus.FAILED  # the control alone would earn 3


def test_an_error_of_the_check_is_named_for_the_instructor_and_gives_no_points(results):
    broken = results["g: a check that breaks before asking anything"]
    assert broken.status is CheckStatus.ERROR and "KeyError" in broken.detail
    assert results["g: right"].points == 0


def test_a_visible_check_never_names_a_hidden_one(results):
    visible = results["h: visible"]
    assert visible.points == 0
    assert "drops a fraction" not in visible.message and "hidden" not in visible.message.lower()
    assert "drops a fraction" in visible.detail  # the instructor's report names it
    report = GradeReport(submission="s.ipynb", assignment="demo", status=GradeStatus.GRADED,
                         checks=tuple(results.values()))
    shown = [t["output"] + t["name"] for t in to_data(report)["tests"] if t["visibility"] == "visible"]
    assert shown and not any("drops a fraction" in text for text in shown)


class UndecodableKernel:
    """A kernel whose every message after the first kernel_info fails to decode."""

    def __init__(self):
        self.sent = []
        self.info = 0

    def send(self, msg_type, content, buffers=None, control=False):
        self.sent.append(msg_type)
        return "id"

    def request_kernel_info(self):
        self.info += 1
        return "info"

    def next_iopub(self, timeout):
        if self.info == 1 and "comm_msg" not in self.sent:
            return {"msg_type": "status", "parent_header": {"msg_id": "info"}, "content": {}}
        raise UnreadableMessage("ValueError decoding a message")

    def close(self):
        pass


def test_a_message_that_cannot_be_decoded_is_the_calls_failure():
    student = Student(None, "", client=UndecodableKernel())
    with pytest.raises(UnreadableAnswer) as raised:
        student.softmax(1)
    assert "could not read" in str(raised.value) and student.replies == 1
