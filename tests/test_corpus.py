"""The corpus of student-written variants (tests/corpus): its shape, its verdict rule, and the
verdicts the checks give on it.

The fast tests need no kernel. The `notebook` test grades all of it (about 260 notebooks, several
minutes on 2 cores) and asks for every verdict to be right: each correct variant at full marks,
each bug losing points on its own function and on no other. `python tests/corpus/run.py` prints
the same table and the list of wrong verdicts.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"

CONTRACT = {
    "01_preprocessing": ["missing_fraction", "drop_most_missing", "preprocess"],
    "02_linear_algebra_autograd": ["frobenius_norm", "row_normalize", "gradient"],
    "03_linear_regression": ["linreg", "squared_loss", "SGD"],
    "04_softmax_regression": ["softmax", "cross_entropy", "accuracy", "SoftmaxRegressionScratch"],
    "05_mlp": ["relu", "MLPScratch", "backprop"],
}
MIN_CORRECT, MIN_BUGS = 8, 5


def _load_runner():  # a module
    if "corpus_run" not in sys.modules:
        spec = importlib.util.spec_from_file_location("corpus_run", CORPUS / "run.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["corpus_run"] = module
        spec.loader.exec_module(module)
    return sys.modules["corpus_run"]


run = _load_runner()
variants = run.variants
ALL = variants.discover()
GRADED = [(assignment, name) for assignment, names in CONTRACT.items() for name in names]


@pytest.mark.parametrize(("assignment", "function"), GRADED)
def test_every_graded_name_has_enough_variants(assignment, function):
    found = [v for v in ALL if (v.assignment, v.function) == (assignment, function)]
    kinds = [v.kind for v in found]
    assert kinds.count("ok") >= MIN_CORRECT, f"{function}: {kinds.count('ok')} correct variants"
    assert kinds.count("bug") >= MIN_BUGS, f"{function}: {kinds.count('bug')} bugs"


def test_the_corpus_holds_only_graded_names():
    assert sorted({(v.assignment, v.function) for v in ALL}) == sorted(GRADED)
    strays = [p for p in CORPUS.glob("*/*/*.py") if p.stem.split("_", 1)[0] not in variants.KINDS]
    assert not strays, f"files that are neither ok_* nor bug_*: {strays}"


@pytest.mark.parametrize("variant", ALL, ids=lambda v: v.student)
def test_variant_defines_its_name_and_says_what_it_is(variant):
    assert variant.function in variants.top_level_names(variant.source)
    docstring = ast.get_docstring(ast.parse(variant.source)) or ""
    if variant.kind == "bug":
        assert variant.mistake.startswith("mistake: ") and len(variant.mistake) > len("mistake: ") + 10
        assert len(variant.says) >= 8, "a bug's docstring needs a line 'says: <words of its diagnosis>'"
    else:
        assert not docstring.startswith("mistake:")


@pytest.mark.parametrize(("assignment", "function"), GRADED)
def test_a_variant_replaces_only_the_cell_that_defines_its_name(assignment, function):
    variant = next(v for v in ALL if (v.assignment, v.function) == (assignment, function))
    solved = variants.nbformat.read(variants.SOLUTIONS / f"{assignment}.ipynb", as_version=4)
    built = variants.build_notebook(variant)
    changed = [i for i, (a, b) in enumerate(zip(solved.cells, built.cells)) if a.source != b.source]
    assert len(built.cells) == len(solved.cells) and len(changed) == 1
    assert built.cells[changed[0]].source == variant.source.rstrip("\n")
    assert function in variants.top_level_names(solved.cells[changed[0]].source)
    assert built.metadata.grader.assignment == assignment


def _check(name, points, max_points=1.0, message=""):
    return run.CheckScore(name, points, max_points, message)


def _variant(kind, function="softmax", says="over which dim"):
    source = f'"""mistake: an example.\n\nsays: {says}\n"""\n' if kind == "bug" else ""
    return variants.Variant("04_softmax_regression", function, f"{kind}_example", source)


def test_verdict_rule_for_correct_code():
    full = [_check("softmax: values", 2, 2), _check("accuracy: values", 1)]
    assert run.judge(_variant("ok"), "graded", full).right
    lost = run.judge(_variant("ok"), "graded", [_check("softmax: values", 1, 2), _check("accuracy: values", 1)])
    assert not lost.right and [c.name for c in lost.wrong] == ["softmax: values"]


def test_verdict_rule_for_bugs():
    named = "softmax(X): 3 of 4 entries differ. Your columns sum to one: over which   dim did you sum?"
    caught = run.judge(_variant("bug"), "graded", [_check("softmax: values", 0, message=named),
                                                   _check("accuracy: values", 1)])
    assert caught.right
    unnamed = run.judge(_variant("bug"), "graded", [_check("softmax: values", 0, message="3 of 4 entries differ"),
                                                    _check("accuracy: values", 1)])
    assert unnamed.undiagnosed and not unnamed.right
    elsewhere = run.judge(_variant("bug"), "graded", [_check("softmax: values", 0),  # named by another function
                                                      _check("accuracy: values", 1, message=named)])
    assert elsewhere.undiagnosed
    missed = run.judge(_variant("bug"), "graded", [_check("softmax: values", 1), _check("accuracy: values", 1)])
    assert missed.uncaught and not missed.right
    spilled = run.judge(_variant("bug"), "graded", [_check("softmax: values", 0), _check("accuracy: values", 0)])
    assert not spilled.right and [c.name for c in spilled.wrong] == ["accuracy: values"]
    assert not run.judge(_variant("ok"), "error", []).right


def test_feedback_rows_are_read_back_with_their_escapes():
    markdown = ("| # | Check | Result | Points | Message |\n|---|---|---|---|---|\n"
                "| 3 | cross\\_entropy: values | failed | 0.5/2 | got \\[1\\] for \\|x\\| |\n")
    assert run.feedback_checks(markdown) == [run.CheckScore("cross_entropy: values", 0.5, 2.0, "got [1] for |x|")]


@pytest.mark.notebook
def test_every_verdict_on_the_corpus_is_right():
    result = run.run_corpus()
    print(run.render_table(result))
    assert result.all_right, run.render_table(result) + "\n\n" + run.render_wrong_verdicts(result)
