"""Grade the whole corpus in one batch and judge every verdict the checks gave.

    python tests/corpus/run.py              # every variant (about 260 notebooks)
    python tests/corpus/run.py --only 04    # one assignment ("04") or one graded name ("softmax")

A correct variant (`ok_*`) must get full marks on every check of its notebook. A bug (`bug_*`)
must lose at least one point among the checks of its own function (check names begin with the
function's name) and no point on the checks of any other function, and a message of its
function's checks must name the mistake (the `says:` words of its docstring). Anything else is a wrong
verdict, listed under the check that gave it. The batch runs through the `grade` command line,
exactly as an instructor would run it; per-check points come from its CSV gradebook, maxima and
messages from its Markdown feedback (which shows hidden checks only by name and kind of failure).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path


def _sibling(stem: str):  # a module
    """tests/ is not a package: load a module of this folder by its path, once."""
    name = f"corpus_{stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{stem}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


variants = _sibling("variants")
Variant = variants.Variant


@dataclass(frozen=True)
class CheckScore:
    name: str
    points: float
    max_points: float
    message: str

    @property
    def function(self) -> str:
        return self.name.split(":", 1)[0]

    @property
    def lost(self) -> bool:
        return self.points < self.max_points


@dataclass(frozen=True)
class Verdict:
    variant: Variant
    status: str  # the batch's status for the notebook: "graded", "ungradable", "error", ...
    checks: tuple[CheckScore, ...]
    wrong: tuple[CheckScore, ...] = field(default=())  # the checks that gave a wrong verdict
    uncaught: bool = False  # a bug that lost no point on its own function
    undiagnosed: bool = False  # a bug caught, but no message of its function says its `says:`

    @property
    def right(self) -> bool:
        return self.status == "graded" and not self.wrong and not self.uncaught and not self.undiagnosed

    @property
    def score(self) -> str:
        return f"{_number(sum(c.points for c in self.checks))}/{_number(sum(c.max_points for c in self.checks))}"


@dataclass(frozen=True)
class CorpusResult:
    verdicts: tuple[Verdict, ...]
    seconds: float

    def of(self, function: str, kind: str) -> list[Verdict]:
        return [v for v in self.verdicts if v.variant.function == function and v.variant.kind == kind]

    @property
    def all_right(self) -> bool:
        return all(v.right for v in self.verdicts)


def judge(variant: Variant, status: str, checks: list[CheckScore]) -> Verdict:
    """The verdict rule: correct code loses nothing; a bug loses on its own function only."""
    if variant.kind == "ok":
        wrong = tuple(c for c in checks if c.lost)
        return Verdict(variant, status, tuple(checks), wrong)
    own_lost = any(c.lost for c in checks if c.function == variant.function)
    wrong = tuple(c for c in checks if c.lost and c.function != variant.function)
    return Verdict(variant, status, tuple(checks), wrong, uncaught=not own_lost,
                   undiagnosed=own_lost and not diagnosed(variant, checks))


def diagnosed(variant: Variant, checks: list[CheckScore]) -> bool:
    """A message of a check of the bug's function holds its `says:` words (case and spacing aside)."""
    def words(text: str) -> str:
        return " ".join(text.lower().split())
    says = words(variant.says)
    return bool(says) and any(says in words(c.message) for c in checks if c.function == variant.function)


def grade_batch(folder: Path, work: Path, jobs: int) -> tuple[dict, dict, Path]:
    """Run `grade` on the folder; the CSV rows and summary entries by student, and the feedback folder."""
    command = [_grade_command(), str(folder), "-j", str(jobs), "--course", str(variants.COURSE),
               "--summary", str(work / "s.json"), "--csv", str(work / "g.csv"),
               "--feedback", str(work / "feedback"), "--state", str(work / "state"), "--force"]
    finished = subprocess.run(command, capture_output=True, text=True, cwd=work, check=False)
    if not (work / "g.csv").exists() or not (work / "s.json").exists():
        raise RuntimeError(f"grade exited with {finished.returncode} and wrote no gradebook:\n{finished.stderr[-3000:]}")
    with open(work / "g.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    summary = json.loads((work / "s.json").read_text())
    return rows, {entry["student"]: entry for entry in summary["submissions"]}, work / "feedback"


def feedback_checks(markdown: str) -> list[CheckScore]:
    """The check rows of a Markdown feedback file: | # | Check | Result | points/max | Message |."""
    checks = []
    for line in markdown.splitlines():
        cells = [_unescape(cell.strip()) for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 5 and cells[0].isdigit():
            points, _, max_points = cells[3].partition("/")
            checks.append(CheckScore(cells[1], float(points), float(max_points), cells[4]))
    return checks


def scores_of(variant: Variant, row: dict | None, feedback: Path) -> list[CheckScore]:
    """Per-check points from the CSV row, with maxima and messages from the feedback file."""
    path = feedback / f"{variant.student}.md"
    from_feedback = feedback_checks(path.read_text()) if path.exists() else []
    checks = []
    for check in from_feedback:
        row = row or {}  # a batch of one assignment names its columns without the assignment's id
        value = row.get(f"{variant.assignment}: {check.name}", row.get(check.name, ""))
        points = float(value) if value not in ("", None) else 0.0
        if points != check.points:
            raise ValueError(f"{variant.student}: the CSV gives {points} for {check.name!r}, "
                             f"the feedback {check.points}")
        checks.append(check)
    return checks


def explain(verdict: Verdict, notebook: Path) -> Verdict:
    """The same verdict with the instructor's messages of its wrong checks (hidden ones included),
    from grading that one notebook again with `--format json`."""
    hidden = [c for c in verdict.wrong if c.message.startswith("hidden check")]
    if not hidden:
        return verdict
    finished = subprocess.run([_grade_command(), str(notebook), "--format", "json", "--course", str(variants.COURSE)],
                              capture_output=True, text=True, check=False)
    try:
        messages = {c["name"]: c.get("detail") or c["message"] for c in json.loads(finished.stdout)["checks"]}
    except (ValueError, KeyError):
        return verdict
    wrong = tuple(replace(c, message=messages.get(c.name, c.message)) for c in verdict.wrong)
    return replace(verdict, wrong=wrong)


def run_corpus(only: str | None = None, jobs: int = 2, keep: Path | None = None,
               explained: bool = False) -> CorpusResult:
    chosen = variants.discover(only)
    if not chosen:
        raise LookupError(f"no variant matches {only!r}")
    work = Path(tempfile.mkdtemp(prefix="corpus-")) if keep is None else keep
    started = time.monotonic()
    try:
        variants.write_notebooks(chosen, work / "notebooks")
        rows, summary, feedback = grade_batch(work / "notebooks", work, jobs)
        verdicts = []
        for variant in chosen:
            status = summary.get(variant.student, {}).get("status", "missing")
            verdict = judge(variant, status, scores_of(variant, rows.get(variant.student), feedback))
            if explained:
                verdict = explain(verdict, work / "notebooks" / f"{variant.student}.ipynb")
            verdicts.append(verdict)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return CorpusResult(tuple(verdicts), time.monotonic() - started)


def render_table(result: CorpusResult) -> str:
    lines = [f"{'function':34} {'correct at full marks':>22} {'bugs caught and named':>22}"]
    totals = [0, 0, 0, 0]
    seen = []
    for verdict in result.verdicts:
        key = (verdict.variant.assignment, verdict.variant.function)
        if key in seen:
            continue
        seen.append(key)
        oks, bugs = result.of(key[1], "ok"), result.of(key[1], "bug")
        counts = [sum(v.right for v in oks), len(oks), sum(v.right for v in bugs), len(bugs)]
        totals = [t + c for t, c in zip(totals, counts)]
        lines.append(f"{key[0][:2] + ' ' + key[1]:34} {counts[0]:>18}/{counts[1]:<3} {counts[2]:>18}/{counts[3]:<3}")
    lines.append(f"{'total':34} {totals[0]:>18}/{totals[1]:<3} {totals[2]:>18}/{totals[3]:<3}"
                 f"  ({_percent(totals[0], totals[1])} and {_percent(totals[2], totals[3])})")
    return "\n".join(lines)


def render_diagnoses(result: CorpusResult) -> str:
    """Markdown: each bug, and the message of its function's first check that names the mistake."""
    lines = ["| bug | the student reads |", "|---|---|"]
    for verdict in result.verdicts:
        if verdict.variant.kind != "bug":
            continue
        says = " ".join(verdict.variant.says.lower().split())
        named = [c.message for c in verdict.checks if c.function == verdict.variant.function
                 and says and says in " ".join(c.message.lower().split())]
        text = (named[0] if named else "(not named)").replace("|", "\\|")
        lines.append(f"| {verdict.variant.assignment[:2]} {verdict.variant.function}/{verdict.variant.name} | {text} |")
    return "\n".join(lines)


def render_wrong_verdicts(result: CorpusResult) -> str:
    """Every wrong verdict, grouped by the check that gave it (uncaught bugs by function)."""
    groups: dict[str, list[str]] = {}
    for verdict in result.verdicts:
        variant = verdict.variant
        label = f"{variant.student} ({'correct' if variant.kind == 'ok' else 'bug'}, {verdict.score})"
        if verdict.status != "graded":
            groups.setdefault(f"(not graded: {verdict.status})", []).append(label)
        for check in verdict.wrong:
            why = f"lost {_number(check.max_points - check.points)}/{_number(check.max_points)}"
            groups.setdefault(check.name, []).append(f"{label}: {why}. {check.message}".rstrip(". ") + ".")
        if verdict.uncaught:
            groups.setdefault(f"{variant.function}: no check of it lost a point", []).append(
                f"{label}: {variant.mistake}")
        if verdict.undiagnosed:
            said = " | ".join(c.message for c in verdict.checks if c.lost and c.function == variant.function)
            groups.setdefault(f"{variant.function}: the mistake is not named", []).append(
                f"{label}: wants {variant.says!r}; said: {said}")
    if not groups:
        return "No wrong verdict."
    count = sum(len(items) for items in groups.values())
    lines = [f"Wrong verdicts: {count}, by check"]
    for check in sorted(groups):
        lines.append(f"- {check}")
        lines += [f"    {item}" for item in groups[check]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="an assignment id prefix (04) or a graded name (softmax)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="notebooks graded at once (2)")
    parser.add_argument("--keep", type=Path, help="keep the notebooks and the batch's outputs in this folder")
    parser.add_argument("--explain", action="store_true",
                        help="grade each notebook with a wrong verdict on a hidden check again, for its full message")
    parser.add_argument("--diagnoses", action="store_true", help="print each bug and the message that names it")
    args = parser.parse_args(argv)
    result = run_corpus(args.only, args.jobs, args.keep, args.explain)
    if args.diagnoses:
        print(render_diagnoses(result), end="\n\n")
    print(render_table(result))
    print()
    print(render_wrong_verdicts(result))
    print(f"\n{len(result.verdicts)} notebooks graded in {result.seconds:.0f} s")
    return 0 if result.all_right else 1


def _grade_command() -> str:
    beside = Path(sys.executable).with_name("grade")
    found = str(beside) if beside.exists() else shutil.which("grade")
    if not found:
        raise FileNotFoundError("the `grade` command is not installed (pip install -e .)")
    return found


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _number(value: float) -> str:
    return f"{value:g}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "n/a"


if __name__ == "__main__":
    sys.exit(main())
