"""End to end on the softmax assignment: real notebooks, a real sandboxed kernel."""

from __future__ import annotations

import pytest

from grader.pipeline import grade
from grader.reporters.table import render
from grader.results import CheckStatus, GradeStatus

from conftest import COURSE

pytestmark = pytest.mark.notebook


def test_solved_softmax_notebook_scores_full_marks(options):
    report = grade(COURSE / "solutions" / "04_softmax_regression.ipynb", options)
    assert report.status is GradeStatus.GRADED
    assert report.max_score > 10
    failed = [(c.name, c.detail) for c in report.checks if c.status is not CheckStatus.PASSED]
    assert failed == []
    assert report.score == report.max_score


def test_grading_twice_gives_identical_results(tmp_path, options):
    import nbformat

    notebook = nbformat.read(COURSE / "solutions" / "04_softmax_regression.ipynb", as_version=4)
    for cell in notebook.cells:  # a model that starts from too large weights: results depend on seeding
        cell.source = cell.source.replace("size=(num_inputs, num_outputs)", "size=(num_inputs, num_outputs)) * 30 + (0")
    path = tmp_path / "04_softmax_regression.ipynb"
    nbformat.write(notebook, path)
    first, second = (grade(path, options) for _ in range(2))

    def outcome(report):
        return [(c.name, c.status, c.points, c.message) for c in report.checks]

    assert outcome(first) == outcome(second)
    assert first.score < first.max_score


def test_ungradable_file_still_gets_a_gradescope_results_file(tmp_path, capsys):
    import json

    from grader.commands import grade as cli

    broken = tmp_path / "04_softmax_regression.ipynb"
    broken.write_text("{not json")
    results = tmp_path / "results.json"
    status = cli.main([str(broken), "--format", "gradescope", "--output", str(results)])
    assert status == 4
    data = json.loads(results.read_text())
    assert data["score"] == 0 and "not valid JSON" in data["output"]
    assert data["tests"] and all(t["score"] == 0 and t["status"] == "failed" for t in data["tests"])
    assert sum(t["max_score"] for t in data["tests"]) > 10


def test_a_notebook_handed_in_as_another_assignment_is_graded_as_asked_and_flagged(options):
    from dataclasses import replace

    from grader.reporters import table

    solved_01 = COURSE / "solutions" / "01_preprocessing.ipynb"
    report = grade(solved_01, replace(options, assignment="04_softmax_regression"))
    assert report.status is GradeStatus.GRADED and report.assignment == "04_softmax_regression"
    assert report.score < report.max_score  # what it earns for 04, not 01's full marks
    note = "this notebook says it is for 01_preprocessing; graded as 04_softmax_regression"
    assert note in report.reason and note in table.render(report)



COLAB_CELLS = [  # cells of a notebook written on Colab's GPU runtime, put before the solution's
    "!pip install d2l==1.0.3\n!nvidia-smi",
    "from google.colab import drive\ndrive.mount('/content/drive')",
    "import urllib.request\nurllib.request.urlretrieve('https://example.org/data.csv', 'data.csv')",
    "import torch\ndevice = torch.device('cuda')\nprobe = torch.ones(2).to(device) + torch.zeros(2, device='cuda')",
]


def test_a_colab_notebook_with_a_thousand_term_softmax_on_the_gpu_gets_full_marks(tmp_path, options):
    """What cannot run at grading costs no points: shell commands are not run, the Drive mount and
    the download fail on their own (each named in one line), the GPU requests, in cells and inside
    the graded softmax on the grader's tensors, get the CPU; and the grading process reads a
    1,000-term expression (one guarded reader of student code, grader.submission.student_code)."""
    import nbformat

    notebook = nbformat.read(COURSE / "solutions" / "04_softmax_regression.ipynb", as_version=4)
    terms = " + ".join(["shifted"] * 1000)
    stable = "    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)\n"
    assert any(stable in cell.source for cell in notebook.cells)
    for cell in notebook.cells:
        cell.source = cell.source.replace(stable, "    shifted = X.cuda() - X.to('cuda').max(dim=1, keepdim=True).values\n"
                                                  f"    X_exp = torch.exp(shifted + 0 * ({terms}))\n")
    notebook.cells[:0] = [nbformat.v4.new_code_cell(source) for source in COLAB_CELLS]
    path = tmp_path / "04_softmax_regression.ipynb"
    nbformat.write(notebook, path)
    report = grade(path, options)
    assert report.status is GradeStatus.GRADED
    assert report.score == report.max_score
    assert [(c.number, c.summary.split(":")[0]) for c in report.execution.cells if c.summary] == \
        [(2, "ModuleNotFoundError"), (3, "URLError")]
    assert report.execution.skipped_lines == (
        "code cell 1: shell commands not run at grading (!pip install d2l==1.0.3; !nvidia-smi)",)
    notes = render(report, width=400)
    assert "code cell 1: shell commands not run at grading (!pip install d2l==1.0.3; !nvidia-smi); " \
           "code cell 2: stopped with an error (ModuleNotFoundError: No module named 'google'); " \
           "Google Colab only, not available at grading; code cell 3: " in notes
    assert "; no network at grading; isolation: " in notes
    assert "cross_entropy" in dict(report.fingerprints)  # softmax: too deep to normalise, and nothing else lost
