"""Where the answers of a checks file's known mistakes come from while a check runs.

A known mistake (`grader.check_tools.mistake`) is a variant of the reference, one edit away
from the solution: a student kit must not hold its code. So while a check runs, the plugin
puts its reference here, and a mistake's answer comes from it when it can give one: a
`RecordingReference` (a kit being made) computes it and records it; a `RecordedReference` (a
kit) replays it, or has none (no diagnosis then); the solution itself has no such method, and the
mistake's own code computes the answer.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Callable

RUNNING_REFERENCE: ContextVar[Any] = ContextVar("running_reference", default=None)


def answer_of_mistake(function: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """`function(*args, **kwargs)`, or what the running check's reference answers for it."""
    source = getattr(RUNNING_REFERENCE.get(), "answer_of_mistake", None)
    if source is None:
        return function(*args, **kwargs)
    return source(function.__qualname__, function, args, kwargs)
