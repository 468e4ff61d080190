"""A student kit: everything a student may hold for one assignment, and nothing more.

    DIR/kit.json                   marks DIR as a kit (a course folder of one assignment); its
                                   points and the graded names its checks are about
    DIR/assignments/<id>.ipynb     the notebook to fill in
    DIR/checks/<id>.py             the public checks; each hidden check is a stub that holds
                                   only its points (no code, no inputs, a generic name), and
                                   each known mistake (`@mistake`) a stub without its code
    DIR/answers/<id>.json, .bin    the reference's and the known mistakes' answers on the
                                   public checks' fixed inputs, as data
                                   (`grader.checking.recorded`): no pickle, no code
    DIR/course.toml, DIR/kernel-N/ what the course gives the kernel (its own `d2l`), public
                                   course material (`grader.instructor.course_kernel`)
    DIR/wheels/<grader>.whl        the grader's wheel, where the kit carries it (the default
                                   install source, `grader.instructor.install_source`)

Never the solution notebook, the hidden checks' code or validation labels. A public check that
judges training by validation accuracy needs those labels, so in a kit it is graded by the
instructor: it becomes a stub like a hidden check, and its points count with the hidden ones.

The answers are recorded by running the public checks against the solution, in this process,
with the solution as the student (`LocalStudent`) and a `RecordingReference` as the reference.
In DIR, `grade submission.ipynb --public-only` needs no solutions/, and ends with the points of
the public checks and how many more the hidden checks hold.
"""

from __future__ import annotations

import ast
import json
import shutil
import tempfile
from pathlib import Path

from grader.checking.local_student import LocalStudent
from grader.checking.plugin import GradingPlugin, run_checks
from grader.checking.recorded import KIT_FORMAT, RecordingReference
from grader.checking.reference import load_reference
from grader.errors import AuthoringError
from grader.files import write_atomically
from grader.i18n import catalog_files
from grader.instructor.course_kernel import kernel_files
from grader.instructor.generate import with_install_hint
from grader.instructor.install_source import WHEELS, InstallSource, install_command, put_in_kit
from grader.results import CheckStatus
from grader.submission.course import KIT_MARKER, Assignment, Course, settings_of

VALIDATION_NAMES = {"val_X", "val_y"}  # image_data's validation split: never in a kit
INSTRUCTOR_GRADED = " (graded by your instructor)"  # a public check the kit cannot judge
INSTRUCTOR_BODY = ('    raise NotInKit("your instructor\'s grader runs this check: it needs data the '
                   'student kit does not hold")\n')
STUB_BODY = ('    raise NotInKit("your instructor\'s grader runs this check: it is not in the '
             'student kit")\n')


def write_student_kit(course: Course, assignment_id: str, output: Path, data_dir: Path | None = None,
                      install: InstallSource | None = None) -> list[Path]:
    """Write the kit of `assignment_id` into `output`; return the files written. With `install`,
    the kit names how to install the grader (and carries its wheel, by default): kit.json's
    "install" and the notebook's check cell say it. The kits shipped inside the grader have none."""
    assignment = course.assignment_for(assignment_id)
    if not assignment.generated.is_file():
        raise AuthoringError(assignment.generated.name, 0, "no assignment notebook: run "
                             "`grade-admin generate` first")
    public, hidden_points, instructor_only = public_checks(assignment.checks)
    output = Path(output)
    for folder in ("assignments", "checks", "answers"):
        (output / folder).mkdir(parents=True, exist_ok=True)
    notebook = output / "assignments" / f"{assignment.id}.ipynb"
    shutil.copyfile(assignment.generated, notebook)
    argument = put_in_kit(install, output) if install is not None else None
    if argument is not None:
        carried = " (in the kit's folder)" if argument.startswith(f"{WHEELS}/") else ""
        write_atomically(notebook, with_install_hint(notebook.read_bytes(), install_command(argument) + carried))
    checks = output / "checks" / f"{assignment.id}.py"
    write_atomically(checks, public.encode("utf-8"))
    answers = output / "answers" / f"{assignment.id}.json"
    with tempfile.TemporaryDirectory() as folder:  # recorded with the mistakes' code, which the kit leaves out
        recording = Path(folder) / checks.name
        write_atomically(recording, public_checks(assignment.checks, keep_mistakes=True)[0].encode("utf-8"))
        public_points, failed = record_answers(assignment, recording, answers, data_dir)
    if failed:
        raise AuthoringError(assignment.checks.name, 0, "the solution fails public checks, so the kit "
                             f"would teach wrong answers: {', '.join(failed)}")
    shipped = []
    for name, data in {**kernel_files(course), **catalog_files(course.folders)}.items():  # its d2l, its messages
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        write_atomically(output / name, data)
        shipped.append(output / name)
    marker = output / KIT_MARKER
    write_atomically(marker, json.dumps({
        "kit": KIT_FORMAT, "assignment": assignment.id, "public_points": public_points,
        "hidden_points": hidden_points, "graded_by_instructor": instructor_only,
        "functions": checked_functions(public, checks), "install": argument,
    }, indent=1).encode("utf-8"))
    wheels = sorted((output / WHEELS).glob("*.whl")) if argument and argument.startswith(f"{WHEELS}/") else []
    return [marker, notebook, checks, answers, answers.with_suffix(".bin"), *shipped, *wheels]


def record_answers(assignment: Assignment, checks: Path, answers: Path,
                   data_dir: Path | None) -> tuple[float, list[str]]:
    """Run the kit's public checks with the solution as the student; save the reference's
    answers. Returns the public points and the names of checks the solution failed."""
    module = load_reference(assignment.solution)
    recording = RecordingReference(module)
    student = LocalStudent(dict(vars(module)), getattr(module, "__source__", ""))  # the text: static facts
    plugin = GradingPlugin(student, recording, data_dir, public_only=True)
    try:
        results = run_checks(checks, plugin, settings_of(assignment.checks.resolve().parent.parent))
    finally:
        student.close()
    recording.save(answers)
    failed = [r.name for r in results if r.status is not CheckStatus.PASSED]
    return sum(r.max_points for r in results), failed


def public_checks(checks: Path, keep_mistakes: bool = False) -> tuple[str, float, list[str]]:
    """The checks file without the code of its hidden checks (nor of the public checks that read
    validation labels): each becomes a stub holding its points; and without the code of its known
    mistakes (`@mistake`), unless `keep_mistakes` (the kit's answers are recorded with it).
    Returns the text, the stubs' points and the names of the public checks turned into stubs."""
    text = checks.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    replaced: list[tuple[int, int, str]] = []
    stub_points, instructor_only, count = 0.0, [], 0
    for node in tree.body:
        spec = _marker(node, checks)
        if spec is None:
            continue
        reads_validation = any(isinstance(n, ast.Attribute) and n.attr in VALIDATION_NAMES
                               for n in ast.walk(node))
        if not spec["hidden"] and not reads_validation:
            continue
        count += 1
        if not spec["hidden"]:
            instructor_only.append(spec["name"])
        stub_points += 0.0 if spec["condition"] else spec["points"]
        start = min(d.lineno for d in node.decorator_list)
        replaced.append((start, node.end_lineno, _stub(spec, count)))
    for node in tree.body if not keep_mistakes else []:  # known mistakes: one edit from the solution
        if isinstance(node, ast.FunctionDef) and any(ast.unparse(d) == "mistake" for d in node.decorator_list):
            start = min(d.lineno for d in node.decorator_list)
            replaced.append((start, node.end_lineno, _mistake_stub(node)))
    replaced.sort()
    for start, end, stub in reversed(replaced):
        lines[start - 1:end] = [stub]
    after = tree.body[0].end_lineno if tree.body and isinstance(tree.body[0], ast.Expr) else 0
    lines.insert(after, "\nfrom grader.checking.recorded import NotInKit  # the stubs of hidden checks\n")
    return "".join(lines), stub_points, instructor_only


def checked_functions(text: str, checks: Path) -> list[str]:
    """The graded names a checks file's checks are about (each check's name up to its colon),
    in the file's order: `check("softmax")` in a notebook finds its kit by them."""
    specs = [_marker(node, checks) for node in ast.parse(text).body]
    return list(dict.fromkeys(spec["name"].split(":")[0].strip() for spec in specs if spec))


def _marker(node: ast.stmt, checks: Path) -> dict | None:
    """The arguments of a function's `@pytest.mark.check(...)`, or None when it has none."""
    if not isinstance(node, ast.FunctionDef):
        return None
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "pytest.mark.check":
            try:
                args = [ast.literal_eval(a) for a in decorator.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords}
            except ValueError:
                raise AuthoringError(checks.name, decorator.lineno, "a kit needs the marker's "
                                     "arguments written as plain values") from None
            name = kwargs.get("name", args[0] if args else node.name)
            return {"name": str(name), "points": float(kwargs.get("points", 1)),
                    "hidden": bool(kwargs.get("hidden", False)),
                    "condition": bool(kwargs.get("condition", False))}
    return None


def _mistake_stub(node: ast.FunctionDef) -> str:
    """A known mistake without its code: in a kit its answers come from the recording."""
    return (f"@mistake\ndef {node.name}({ast.unparse(node.args)}):\n"
            '    raise NotInKit("a known mistake: the kit holds its answers, not its code")\n')


def _stub(spec: dict, count: int) -> str:
    """A hidden check: its points under a generic name. A public check that needs what a kit
    cannot hold keeps its name (students know it), marked as graded by the instructor."""
    function = spec["name"].split(":")[0].strip()
    extra = ", condition=True" if spec["condition"] else f", points={spec['points']:g}"
    if not spec["hidden"]:
        return (f"@pytest.mark.check({spec['name'] + INSTRUCTOR_GRADED!r}{extra}, hidden=True)\n"
                f"def test_graded_by_instructor_{count}():\n{INSTRUCTOR_BODY}")
    return (f'@pytest.mark.check("{function}: hidden check {count}"{extra}, hidden=True)\n'
            f"def test_hidden_{count}():\n{STUB_BODY}")
