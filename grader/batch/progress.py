"""The batch's progress on stderr: one line rewritten in place on a terminal, else plain lines.

    [ 7/20] 5 graded, 1 ungradable, 1 from cache · about 1 min 20 s left

Student ids and assignments come from file names and notebooks: they go through
`printable`, so none can move the cursor or break the line.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from grader.batch.run import Progress
from grader.reporters.text import printable


class ProgressDisplay:
    def __init__(self, stream: TextIO | None = None, interactive: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self._reported = 0
        self._drawn = 0.0
        self._stopping = False

    def __call__(self, state: Progress) -> None:
        if state.stopping and not self._stopping:
            self._stopping = True
            self._write_line("stopping: queued submissions dropped, waiting for the running ones "
                             "(Ctrl-C again to abandon them)")
        if self.interactive:
            if state.done != self._reported or time.monotonic() - self._drawn > 1:
                self._reported = state.done
                self._drawn = time.monotonic()
                self.stream.write("\r\033[K" + self.line(state))
                if state.done == state.total:
                    self.stream.write("\n")
                self.stream.flush()
        elif state.done != self._reported:  # a line per finished submission, none while waiting
            self._reported = state.done
            last = state.last
            about = ""
            if last is not None:
                report = last.report
                about = printable(f"{last.student} ({report.assignment or '?'}): "
                                  f"{last.status.value}")
                if report.checks:
                    about += f" {report.score:g}/{report.max_score:g}"
                if last.cached:
                    about += " (from cache)"
                about += " · "
            self._write_line(f"[{state.done:>{len(str(state.total))}}/{state.total}] {about}"
                             + _left(state))

    def line(self, state: Progress) -> str:
        width = len(str(state.total))
        counts = ", ".join(f"{n} {status}" for status, n in sorted(state.counts.items()))
        if state.cached:
            counts += f" ({state.cached} from cache)"
        return f"[{state.done:>{width}}/{state.total}] {counts or 'starting'} · {_left(state)}"

    def _write_line(self, text: str) -> None:
        prefix = "\r\033[K" if self.interactive else ""
        self.stream.write(prefix + text + "\n")
        self.stream.flush()


def _left(state: Progress) -> str:
    if state.done == state.total:
        return f"done in {_duration(time.monotonic() - state.started)}"
    seconds = state.seconds_left()
    return "time left unknown yet" if seconds is None else f"about {_duration(seconds)} left"


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
