"""Check outcomes: the exceptions that end a check with a verdict about the submission.

They are verdicts, not errors: each one says "this answer earns nothing", and the plugin turns
it into a failed check with a message the student can read (pytest's `outcomes.py` plays the
same part for skip and xfail). Nothing here crosses a command; what stops grading altogether
is a `grader.errors.GraderError`.

    Verdict                      a check ends: the submission is judged, not the grader
    ├── StudentCallError         a call into the student's code gave no value
    │   ├── StudentRaised        the student's function raised
    │   ├── StudentMissing       the name is not defined in the notebook
    │   ├── NotOwnWork           the name is the provided d2l's own object (`SGD = d2l.SGD`)
    │   ├── StudentTimeout       it did not return in time (an endless loop?)
    │   ├── KernelGone           the notebook's kernel had died
    │   ├── BadAnswer            it returned something that is not plain data
    │   └── UnreadableAnswer     the grader could not read its answer (a message it cannot decode)
    ├── CheckFailed              the answer came back and is wrong (also an AssertionError)
    └── KernelUnavailable        no kernel to call at all: the notebook could not be run

`str(verdict)` is the student's message. For hidden checks a `StudentCallError` shows only its
`hidden_text` (the kind of failure, never the input).
"""

from __future__ import annotations

from grader.i18n import _


class Verdict(Exception):
    """Root of the check outcomes. `str()` is the message a student reads."""


class StudentCallError(Verdict):
    """A call into the student's code did not give a value."""

    def __init__(self, call: str, text: str) -> None:
        super().__init__(text)
        self.call = call
        self.hidden_text = _("did not run")


class StudentRaised(StudentCallError):
    """`where`: the student's own line, "at line 3 of code cell 5 (return X @ W)" (`describe_place`)."""

    def __init__(self, call: str, etype: str, evalue: str, where: str = "") -> None:
        at = f" {where}" if where else ""
        evalue = evalue if len(evalue) < 300 else evalue[:300] + "…"
        text = (_("{call} raised {error}{at}: {message}") if evalue else _("{call} raised {error}{at}"))
        super().__init__(call, text.format(call=call, error=etype, at=at, message=evalue))
        self.etype = etype
        self.hidden_text = _("raised {error}").format(error=etype)


class StudentMissing(StudentCallError):
    def __init__(self, call: str, name: str) -> None:
        super().__init__(call, _("{name} is not defined in the notebook (did its cell run without "
                                 "errors?)").format(name=name))
        self.name = name
        self.hidden_text = _("{name} is not defined").format(name=name)


class NotOwnWork(StudentCallError):
    """A graded name the notebook binds to the provided `d2l`'s own object (`grader.checking.provided`)."""

    def __init__(self, call: str, name: str, binding: str) -> None:
        super().__init__(call, _("{name} is d2l's, not your own ({binding}): the assignment asks you "
                                 "to write {name} yourself (building on d2l.HyperParameters, d2l.Module "
                                 "or d2l.Classifier is fine)").format(name=name, binding=binding))
        self.name = name
        self.hidden_text = _("{name} is d2l's, not your own").format(name=name)


class StudentTimeout(StudentCallError):
    def __init__(self, call: str, seconds: float) -> None:
        super().__init__(call, _("{call} did not return within {seconds} s (an endless loop?)").format(
            call=call, seconds=f"{seconds:.0f}"))
        self.seconds = seconds
        self.hidden_text = _("did not return in time")


class KernelGone(StudentCallError):
    def __init__(self, call: str) -> None:
        super().__init__(call, _("{call} could not run: the notebook's kernel had died").format(call=call))
        self.hidden_text = _("the kernel had died")


class BadAnswer(StudentCallError):
    def __init__(self, call: str, problem: str) -> None:
        super().__init__(call, _("{call} returned something that is not plain data ({problem})").format(
            call=call, problem=problem))
        self.problem = problem
        self.hidden_text = _("returned something that is not plain data")


class UnreadableAnswer(StudentCallError):
    """Whatever came back from the kernel for this call could not be read: the call earns what an
    answer that is not there earns. (An exception a check raises after the student answered is
    judged the same way by the plugin: `grader.checking.plugin`.)"""

    def __init__(self, call: str, problem: str) -> None:
        super().__init__(call, _("the grader could not read this answer of {call} ({problem})").format(
            call=call, problem=problem))
        self.problem = problem
        self.hidden_text = _("the grader could not read this answer")


class CheckFailed(Verdict, AssertionError):
    """The student's answer is wrong. An AssertionError too, so pytest reports it as a failure."""


class KernelUnavailable(Verdict):
    """There is no kernel for this check: the notebook could not be run (`str()` says why)."""
