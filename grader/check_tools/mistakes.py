"""Known mistakes: variants of the reference that diagnoses compare a wrong answer with.

    @mistake
    def softmax_over_columns(X):
        ...

    expect_close(got, expected, call=..., mistakes={"your columns sum to one ...":
                                                    in_float64(softmax_over_columns, X)})

A student kit leaves a mistake's code out (it is one edit away from the solution) and records its
answers on the checks' inputs instead (`grader.checking.mistakes`); a mistake with no recorded
answer for an input gives None there, which matches nothing. Mark every function of a checks
file that holds a step of the solution this way, helpers of mistakes included.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from grader.check_tools.expect import in_float64
from grader.checking.mistakes import answer_of_mistake


def mistake(function: Callable[..., Any]) -> Callable[..., Any]:
    """Mark `function` as a known mistake (see the module's docstring)."""
    @functools.wraps(function)
    def answer(*args: Any, **kwargs: Any) -> Any:
        return answer_of_mistake(function, args, kwargs)
    answer.known_mistake = True  # type: ignore[attr-defined]
    return answer


def mistake_answers(mistakes: dict[str, Callable[..., Any]], *args: Any) -> dict[str, Any]:
    """{sentence: that mistake's answer on args, in float64} (`in_float64`), for
    `expect_close(..., mistakes=...)`, leaving out a mistake that raises on these arguments (a
    softmax without keepdim on a matrix that is not square) or has no answer for them (None: a
    kit that recorded none)."""
    found = {}
    for says, variant in mistakes.items():
        try:
            answer = in_float64(variant, *args)
        except RuntimeError:
            continue
        if answer is not None:
            found[says] = answer
    return found
