"""Fingerprints of graded functions and the similarity of submissions, on real code variants
(the corpus of student-like solutions in tests/corpus)."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT

from grader import results
from grader.reporters import similarity
from grader.results import GradeReport, GradeStatus, Outcome, RowStatus, report_from_dict, to_dict
from grader.submission import fingerprint
from grader.submission.fingerprint import fingerprint_submission, normalised_source
from grader.submission.fingerprint import top_level_definitions
from grader.submission.student_code import cells_of_sources

CORPUS = ROOT / "tests" / "corpus"
BACKPROP = CORPUS / "05_mlp" / "backprop"
GATHER = (CORPUS / "04_softmax_regression" / "cross_entropy" / "ok_gather.py").read_text()

# ok_gather.py as another student might write it: other names, comments, layout, annotations.
GATHER_RENAMED = '''
import torch

def cross_entropy(probabilities: torch.Tensor, labels) -> torch.Tensor:
    # the probability given to the right class, for every example
    right = probabilities.gather(1,
                                 labels.unsqueeze(1)).squeeze(1)
    return -torch.log(right).mean()   # averaged
'''


def code(path: Path, name: str) -> str:
    return normalised_source(top_level_definitions(path.read_text())[name])


def test_renamed_variables_comments_and_layout_are_the_same_code():
    first = normalised_source(top_level_definitions(GATHER)["cross_entropy"])
    second = normalised_source(top_level_definitions(GATHER_RENAMED)["cross_entropy"])
    assert first == second
    assert similarity.similarity(first, second) == 1.0


def test_another_algorithm_is_not_alike():
    gather = code(BACKPROP / "bug_no_one_over_n.py", "backprop")
    for other in ("ok_einsum.py", "ok_loop_examples.py", "bug_uses_autograd.py"):
        assert similarity.similarity(gather, code(BACKPROP / other, "backprop")) \
            < similarity.NEAR_IDENTICAL, other


def test_a_one_line_change_is_near_identical():
    first = code(BACKPROP / "bug_no_one_over_n.py", "backprop")
    second = code(BACKPROP / "bug_half_weight_decay.py", "backprop")
    assert first != second
    assert similarity.similarity(first, second) >= similarity.NEAR_IDENTICAL


def test_globals_and_attributes_keep_their_names():
    text = normalised_source(top_level_definitions(GATHER)["cross_entropy"])
    assert "torch.log" in text and ".gather(" in text and "picked" not in text
    assert text.startswith("def cross_entropy(v0, v1):")


def test_stubs_magics_and_broken_cells():
    source = ("%matplotlib inline\n!pip install x\n"
              "def softmax(X):\n    '''Rows sum to one.'''\n    raise NotImplementedError\n\n"
              "def relu(X):\n    return torch.maximum(X, torch.zeros_like(X))\n\n"
              "def broken(:\n    pass\n")
    definitions = top_level_definitions(source)  # the broken cell is skipped, not fatal
    assert set(definitions) == {"softmax", "relu"}
    pairs = dict(fingerprint_submission(Path("/no/such/file"), cells_of_sources(source.split("\n\n")),
                                        ["softmax", "relu", "gone"]))
    assert set(pairs) == {"relu"}  # no file digest, no stub, nothing for a missing name


def test_a_definition_too_deep_to_normalise_gets_no_fingerprint_and_stops_nothing():
    deep = "def softmax(X):\n    return " + " + ".join(["X"] * 1000)
    relu = "def relu(X):\n    return torch.maximum(X, torch.zeros_like(X))"
    pairs = dict(fingerprint_submission(Path("/no/such/file"), cells_of_sources([deep, relu]), ["softmax", "relu"]))
    assert set(pairs) == {"relu"}


def test_the_notebook_digest_and_its_key(tmp_path):
    notebook = tmp_path / "a.ipynb"
    notebook.write_bytes(b'{"cells": []}')
    pairs = dict(fingerprint_submission(notebook, cells_of_sources([GATHER]), ["cross_entropy"]))
    assert len(pairs[results.NOTEBOOK_FINGERPRINT]) == 64
    assert fingerprint.NOTEBOOK_FINGERPRINT == results.NOTEBOOK_FINGERPRINT  # written twice


def test_fingerprints_travel_in_the_json_form_only_when_present():
    report = GradeReport("a.ipynb", "x", GradeStatus.GRADED, fingerprints=(("f", "def f(): pass"),))
    assert report_from_dict(to_dict(report)) == report
    plain = GradeReport("a.ipynb", "x", GradeStatus.GRADED)
    assert "fingerprints" not in to_dict(plain)  # older readers see the format they know
    assert report_from_dict(to_dict(plain)).fingerprints == ()


def outcome(student: str, notebook: str, **functions: str) -> Outcome:
    pairs = ((results.NOTEBOOK_FINGERPRINT, notebook), *sorted(functions.items()))
    report = GradeReport(f"{student}.ipynb", "05_mlp", GradeStatus.GRADED, student=student,
                         fingerprints=pairs)
    return Outcome(student, Path(f"{student}.ipynb"), report, RowStatus.GRADED, cached=True)


def test_matches_groups_identical_notebooks_code_and_near_identical_pairs():
    one = code(BACKPROP / "bug_no_one_over_n.py", "backprop")
    near = code(BACKPROP / "bug_half_weight_decay.py", "backprop")
    other = code(BACKPROP / "ok_einsum.py", "backprop")
    found = similarity.matches([
        outcome("ann", "n1", backprop=one), outcome("ben", "n1", backprop=one),  # same file
        outcome("cid", "n2", backprop=one),  # same code, another file
        outcome("dan", "n3", backprop=near),
        outcome("fay", "n4", backprop=other), outcome("fay", "n4", backprop=other),  # one student
    ])
    kinds = {(m.kind, m.students) for m in found}
    assert ("identical notebook", ("ann", "ben")) in kinds
    assert ("identical code", ("ann", "ben", "cid")) in kinds
    near_pairs = [m for m in found if m.kind == "near-identical code"]
    assert len(near_pairs) == 1 and set(near_pairs[0].students) == {"ann", "ben", "cid", "dan"}
    assert not any("fay" in m.students for m in found)


def test_short_code_is_not_flagged():
    tiny = "def relu(v0):\n    return v0.clamp(min=0)"
    assert similarity.matches([outcome("a", "n1", relu=tiny), outcome("b", "n2", relu=tiny)]) == []
