"""Identical and near-identical submissions across students, for the class page.

It compares what the pipeline put in `GradeReport.fingerprints` (`grader.submission.fingerprint`):

- identical notebooks: the same file's SHA-256, handed in by different students (the batch's
  cache grades such a file once and gives every copy the same result: this is where it shows);
- identical code: the same normalised source for every graded function and class (comments,
  docstrings, layout and local names do not count);
- near-identical code: token sequences of that normalised source whose `difflib` similarity
  ratio is at least `NEAR_IDENTICAL` (0.9: 2 x matching tokens / all tokens of both).

Only submissions of the same assignment, by different students, are compared, and only code of
at least `MIN_TOKENS` tokens (short functions are written alike independently). A flag is a
reason to look, not a verdict: code copied from the book is identical too, and large groups of
identical code are usually that.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Sequence

from grader.results import NOTEBOOK_FINGERPRINT, Outcome

NEAR_IDENTICAL = 0.9
MIN_TOKENS = 30
_TOKEN = re.compile(r"[A-Za-z_]\w*|\d+(?:\.\d*)?|\S")


@dataclass(frozen=True)
class Match:
    kind: str  # "identical notebook", "identical code", "near-identical code"
    students: tuple[str, ...]
    assignment: str
    ratio: float = 1.0
    same: tuple[str, ...] = ()  # graded names whose normalised source is equal in all of them


def tokens(code: str) -> list[str]:
    """Names, numbers and single punctuation characters, in order."""
    return _TOKEN.findall(code)


def similarity(first: str, second: str) -> float:
    """difflib's ratio over the token sequences of two pieces of code (1.0: the same)."""
    return difflib.SequenceMatcher(None, tokens(first), tokens(second), autojunk=False).ratio()


def code_of(outcome: Outcome) -> dict[str, str]:
    """Graded name -> normalised source, from the report's fingerprints."""
    return {name: text for name, text in outcome.report.fingerprints if name != NOTEBOOK_FINGERPRINT}


def notebook_digest(outcome: Outcome) -> str:
    return dict(outcome.report.fingerprints).get(NOTEBOOK_FINGERPRINT, "")


def matches(outcomes: Sequence[Outcome]) -> list[Match]:
    """Every group of identical notebooks, every group of identical code (not already an
    identical-notebook group), then near-identical pairs, per assignment."""
    found: list[Match] = []
    by_assignment: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.report.assignment and outcome.report.fingerprints:
            by_assignment.setdefault(outcome.report.assignment, []).append(outcome)
    for assignment, own in by_assignment.items():
        found += _groups(own, assignment)
    return found


def _groups(own: list[Outcome], assignment: str) -> list[Match]:
    found = []
    notebooks = _grouped(own, notebook_digest)
    for group in notebooks:
        found.append(Match("identical notebook", _students(group), assignment,
                           same=tuple(sorted(code_of(group[0])))))
    copies = {id(o) for group in notebooks for o in group}

    def joined(outcome: Outcome) -> str:
        code = code_of(outcome)
        text = "\n".join(code[name] for name in sorted(code))
        return text if len(tokens(text)) >= MIN_TOKENS else ""

    identical = _grouped(own, joined)
    for group in identical:
        if not all(id(o) in copies for o in group) or len(_grouped(group, notebook_digest)) > 1:
            found.append(Match("identical code", _students(group), assignment,
                               same=tuple(sorted(code_of(group[0])))))
    students_of: dict[str, list[Outcome]] = {}
    for outcome in own:
        if joined(outcome):
            students_of.setdefault(joined(outcome), []).append(outcome)
    codes = list(students_of)
    for i, first in enumerate(codes):
        for second in codes[i + 1:]:
            ratio = _ratio(first, second)
            if ratio >= NEAR_IDENTICAL:
                group = students_of[first] + students_of[second]
                if len({o.student for o in group}) < 2:
                    continue
                a, b = code_of(group[0]), code_of(group[-1])
                same = tuple(sorted(n for n in a if b.get(n) == a[n]))
                found.append(Match("near-identical code", _students(group), assignment,
                                   round(ratio, 3), same))
    return found


def _grouped(own: list[Outcome], key) -> list[list[Outcome]]:  # noqa: ANN001 - Outcome -> str
    """Groups of two students or more that share a non-empty key, in first-seen order."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in own:
        value = key(outcome)
        if value:
            groups.setdefault(value, []).append(outcome)
    return [group for group in groups.values() if len({o.student for o in group}) > 1]


def _ratio(first: str, second: str) -> float:
    matcher = difflib.SequenceMatcher(None, tokens(first), tokens(second), autojunk=False)
    if matcher.real_quick_ratio() < NEAR_IDENTICAL or matcher.quick_ratio() < NEAR_IDENTICAL:
        return 0.0  # upper bounds, cheap: most pairs stop here
    return matcher.ratio()


def _students(group: list[Outcome]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(o.student for o in group))
