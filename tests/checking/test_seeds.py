"""Nothing a student can see decides the final grade (issue 21, 2): the final grade draws every
check's inputs from a seed derived from a course secret; the kit's run and check() keep seed 0.
The kit-lookup attack is graded in this process (no kernel): a notebook whose softmax and
accuracy answer from a table of the reference's answers on the seed-0 inputs (what a kit
records) against its control, the same notebook with stubs."""

from __future__ import annotations

import dataclasses

import torch

from conftest import COURSE
from grader.checking.local_student import LocalStudent
from grader.checking.plugin import GradingPlugin, run_checks
from grader.checking.reference import load_reference
from grader.checking.seeds import RUN_SEED, derived, run_seed, seeded
from grader.options import GradeOptions, with_secret
from grader.submission.course import Course

ASSIGNMENT = "04_softmax_regression"
LOOKED_UP = ("softmax", "accuracy")


def test_the_final_seed_comes_from_the_secret_and_the_kits_run_keeps_zero():
    course = Course(COURSE)
    assignment = course.assignments[ASSIGNMENT]
    final = with_secret(GradeOptions(course=course), {"GRADER_SECRET": "s3cret"})  # read at the command's edge
    secret = run_seed(assignment, final)
    assert secret != 0 and secret == run_seed(assignment, final)  # regrades (and workers, given the options) agree
    assert secret != run_seed(assignment, with_secret(GradeOptions(course=course), {"GRADER_SECRET": "other"}))
    assert secret != run_seed(course.assignments["05_mlp"], final)
    assert run_seed(assignment, GradeOptions(course=course)) not in (0, secret)  # none: the solution's text is
    assert run_seed(assignment, dataclasses.replace(final, public_only=True)) == 0
    assert run_seed(assignment, dataclasses.replace(final, seed=2)) == 2
    token = RUN_SEED.set(0)
    assert seeded(3) == 3
    RUN_SEED.set(secret)
    assert seeded(3) not in (3, 0) and seeded(3) == derived(secret.to_bytes(8, "big"), "case 3")
    RUN_SEED.reset(token)


def _key(args) -> tuple:
    return tuple((tuple(a.shape), str(a.dtype), a.numpy().tobytes()) if isinstance(a, torch.Tensor) else repr(a)
                 for a in args)


def _grade(namespace: dict, source: str, seed: int) -> float:
    assignment = Course(COURSE).assignments[ASSIGNMENT]
    student = LocalStudent(dict(namespace), source)
    plugin = GradingPlugin(student, load_reference(assignment.solution), seed=seed)
    try:
        return sum(r.points for r in run_checks(assignment.checks, plugin) if r.function in LOOKED_UP)
    finally:
        student.close()


def test_answers_looked_up_from_the_kits_inputs_earn_no_more_than_stubs():
    reference = load_reference(Course(COURSE).assignments[ASSIGNMENT].solution)
    source = reference.__source__
    table: dict = {}

    def recording(name):
        def call(*args):
            answer = getattr(reference, name)(*args)
            table[(name, _key(args))] = answer
            return answer
        return call

    def looking_up(name):
        def call(*args):
            return table.get((name, _key(args)), torch.zeros(()))
        return call

    def stub(*args):
        raise NotImplementedError

    honest = {**vars(reference), "cross_entropy": stub, "SoftmaxRegressionScratch": stub}  # no training: fast
    _grade({**honest, **{n: recording(n) for n in LOOKED_UP}}, source, seed=0)  # what a kit records
    stubs = {**honest, **{n: stub for n in LOOKED_UP}}
    lookup = {**honest, **{n: looking_up(n) for n in LOOKED_UP}}
    final = derived(b"course secret", ASSIGNMENT)
    assert _grade(lookup, source, seed=0) > _grade(stubs, source, seed=0)  # with the kit's seed it pays
    assert _grade(lookup, source, seed=final) <= _grade(stubs, source, seed=final)
