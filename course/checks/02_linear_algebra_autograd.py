"""Checks for 02_linear_algebra_autograd (D2L 2.3, 2.5). Judged in the grading process.

Scoring (the plugin's rule): a function earns its points only when all of its checks pass; the
conditions ("computed from scratch", "leaves its input unchanged", "leaves x as it was") hold no
points but cost the function's points when they fail. References are computed in float64
(`in_float64`) and the tolerance follows the rule of `grader.check_tools.expect` (`ops=`). A wrong
answer that matches a known mistake (a variant of the reference below, computed here on the same
input) says which.
"""

import pytest
import torch

from grader.check_tools import (
    N_,
    _,
    describe,
    diagnosis,
    expect,
    expect_close,
    expect_inputs_unchanged,
    expect_no_builtin,
    fail,
    in_float64,
    mistake,
    mistake_answers,
    naming_errors,
    seeded,
)

NORMS = {"norm", "vector_norm", "matrix_norm"}
NORM_NODES = {"NormBackward0", "NormBackward1", "NormBackward2", "NormBackward3", "LinalgVectorNormBackward0",
              "LinalgMatrixNormBackward0"}


# -- functions sent into the kernel (student.define): self-contained, they import what they use --

def grad_of(function, A, weights=None):
    """The gradient, by autograd, of function(A) (weighted and summed when it is not a scalar)."""
    A = A.clone().requires_grad_(True)
    out = function(A)
    (out if weights is None else (out * weights).sum()).backward()
    return A.grad


def probe_gradient(gradient, f, x, requires_grad):
    """What gradient(f, x) does to x itself, as plain booleans."""
    import torch

    x = x.clone().requires_grad_(requires_grad)
    before = x.detach().clone()
    result = gradient(f, x)
    return {
        "result": result.detach().clone() if isinstance(result, torch.Tensor) else None,
        "requires_grad": x.requires_grad,
        "grad_is_none": x.grad is None,
        "is_leaf": x.is_leaf,
        "values_kept": bool(torch.equal(x.detach(), before)),
    }


# Functions whose gradient `gradient(f, x)` must find, used here and sent into the kernel.

def cube_sum(x):
    return (x ** 3).sum()


def sine_sum(x):
    import torch

    return torch.sin(x).sum()


def twice_square_sum(x):
    return 2 * (x * x).sum()


def mean_exp_times_sum(x):
    import torch

    return torch.exp(x).mean() * x.sum()


def relu_sum_plus_max(x):
    import torch

    return torch.relu(x).sum() + x.max()


FUNCTIONS = [
    ("f(x) = (x**3).sum()", cube_sum),
    ("f(x) = torch.sin(x).sum()", sine_sum),
    ("f(x) = 2 * (x * x).sum() (D2L 2.5)", twice_square_sum),
    ("f(x) = torch.exp(x).mean() * x.sum()", mean_exp_times_sum),
    ("f(x) = torch.relu(x).sum() + x.max()", relu_sum_plus_max),
]


def matrices():
    torch.manual_seed(seeded(0))
    return [
        ("A = torch.randn(3, 4)", torch.randn(3, 4)),
        ("A = torch.ones(4, 9) (D2L 2.3)", torch.ones(4, 9)),
        ("A = [[3, 0], [0, -4]]", torch.tensor([[3.0, 0.0], [0.0, -4.0]])),
        ("A = torch.randn(2, 3, dtype=torch.float64)", torch.randn(2, 3, dtype=torch.float64)),
    ]


def edge_matrices():
    torch.manual_seed(seeded(1))
    return [
        (N_("A = torch.randn(1, 5) (one row)"), torch.randn(1, 5)),
        (N_("A = torch.randn(6, 1) (one column)"), torch.randn(6, 1)),
        ("A = torch.randn(3, 4, dtype=torch.float64)", torch.randn(3, 4, dtype=torch.float64)),
        (N_("A = torch.randn(5, 3).T (not contiguous)"), torch.randn(5, 3).T),
        (N_("A = 1e15 * torch.randn(3, 3) (large entries)"), 1e15 * torch.randn(3, 3)),
        (N_("A = 1e-15 * torch.randn(3, 3) (tiny entries)"), 1e-15 * torch.randn(3, 3)),
        ("A = 1e150 * torch.randn(2, 3, dtype=torch.float64)", 1e150 * torch.randn(2, 3, dtype=torch.float64)),
        ("A = 1e-150 * torch.randn(2, 3, dtype=torch.float64)", 1e-150 * torch.randn(2, 3, dtype=torch.float64)),
    ]


def matrices_to_normalize():
    torch.manual_seed(seeded(2))
    return [
        ("A = torch.arange(1, 7).reshape(2, 3)", torch.arange(1, 7, dtype=torch.float32).reshape(2, 3)),
        ("A = torch.rand(4, 5) + 0.1", torch.rand(4, 5) + 0.1),
        (N_("A = torch.rand(3, 3) + 0.1 (square)"), torch.rand(3, 3) + 0.1),
        ("A = torch.rand(2, 4, dtype=torch.float64) + 0.1", torch.rand(2, 4, dtype=torch.float64) + 0.1),
        (N_("A = [[2, -1, 1], [-1, -1, -2], [1, 3, -2]] (rows of mixed signs)"),
         torch.tensor([[2.0, -1.0, 1.0], [-1.0, -1.0, -2.0], [1.0, 3.0, -2.0]])),
    ]


def edge_matrices_to_normalize():
    torch.manual_seed(seeded(3))
    return [
        (N_("A = torch.rand(1, 5) + 0.1 (one row)"), torch.rand(1, 5) + 0.1),
        (N_("A = torch.rand(6, 1) + 0.1 (one column)"), torch.rand(6, 1) + 0.1),
        ("A = torch.rand(3, 4, dtype=torch.float64) + 0.1", torch.rand(3, 4, dtype=torch.float64) + 0.1),
        (N_("A = (torch.rand(5, 3) + 0.1).T (not contiguous)"), (torch.rand(5, 3) + 0.1).T),
        (N_("A = 1e30 * (torch.rand(3, 4) + 0.1) (large entries)"), 1e30 * (torch.rand(3, 4) + 0.1)),
        (N_("A = 1e-30 * (torch.rand(3, 4) + 0.1) (tiny entries)"), 1e-30 * (torch.rand(3, 4) + 0.1)),
        (N_("A with negative entries, rows of mixed signs"), torch.tensor([[1.0, -2.0, 4.0], [-1.0, -1.0, -2.0],
                                                                   [0.5, 0.25, 0.25], [3.0, -1.0, 0.5]])),
    ]


# -- mistakes students make: variants of the references, computed here on the check's input --

def unlike(expected, mistakes, **tolerance):
    """The mistakes whose answer differs from the right one on this input: one that agrees with
    it (the spectral norm of a rank-one matrix is its Frobenius norm) names nothing, and an answer
    right but for its dtype would match it; nor does one without an answer (None: it does not
    apply here, or a student kit recorded none)."""
    return {says: answer for says, answer in mistakes.items()
            if answer is not None and diagnosis(answer, {"right": expected}, **tolerance) is None}


@mistake
def sum_of_squares(A):
    return (A ** 2).sum()


@mistake
def sum_of_absolute_values(A):
    return A.abs().sum()


@mistake
def largest_singular_value(A):
    return torch.linalg.svdvals(A)[0]


@mistake
def row_norms(A):
    return torch.sqrt((A ** 2).sum(dim=1))


@mistake
def column_norms(A):
    return torch.sqrt((A ** 2).sum(dim=0))


NORM_MISTAKES = {
    N_("you returned the sum of the squares: did you forget the square root?"): sum_of_squares,
    N_("you summed the absolute values (the L1 norm of the entries), not their squares"): sum_of_absolute_values,
    N_("you returned the largest singular value (the spectral norm), not the Frobenius norm"): largest_singular_value,
    N_("you returned one norm per row, not one number for the whole matrix"): row_norms,
    N_("you returned one norm per column, not one number for the whole matrix"): column_norms,
}


@mistake
def divided_by_column_sums(A):
    return A / A.sum(dim=0, keepdim=True)


@mistake
def divided_by_total(A):
    return A / A.sum()


@mistake
def divided_by_row_max(A):
    return A / A.max(dim=1, keepdim=True).values


@mistake
def divided_by_absolute_sums(A):
    return A / A.abs().sum(dim=1, keepdim=True)


@mistake
def divided_without_keepdim(A):
    """Without keepdim the row sums (n,) broadcast along the last axis: entry (i, j) is divided
    by the sum of row j (it only runs on a square matrix)."""
    return A / A.sum(dim=1) if A.shape[0] == A.shape[1] else None


SUMS_ALONG_COLUMNS = (N_("the row sums lined up with the wrong axis: did they keep their dim (keepdim=True) before "
                         "dividing?"))
ROW_MISTAKES = {
    N_("your columns sum to one, not your rows: over which dim did you sum?"): divided_by_column_sums,
    N_("you divided by the sum of the whole matrix, not by each row's sum"): divided_by_total,
    N_("you divided each row by its largest entry, not by its sum"): divided_by_row_max,
    N_("you divided by the sum of the absolute values, so a row with negative entries does not "
       "sum to one"):
        divided_by_absolute_sums,
    SUMS_ALONG_COLUMNS: divided_without_keepdim,
}
BROADCAST_ERRORS = {"must match the size of tensor": SUMS_ALONG_COLUMNS}

NO_HISTORY = (N_("f(x) has no autograd history: did x require grad, and was f computed outside "
                 "torch.no_grad()?"))
APPROXIMATE = (N_("your gradient is close but not exact: is it a numerical approximation (a finite "
                  "difference) rather than autograd's?"))
SUMMED = N_("you returned one number (the gradient summed), not a gradient with the shape of x")


# -- frobenius_norm ---------------------------------------------------------------------------

def check_norm(student, reference, text, A):
    call = _("frobenius_norm(A) with {text}").format(text=_(text))
    got = student.frobenius_norm(A)
    expected = in_float64(reference.frobenius_norm, A)
    mistakes = unlike(expected, mistake_answers(NORM_MISTAKES, A), dtype=A.dtype, ops=16)
    if not (isinstance(got, torch.Tensor) and got.dim() == 0):
        kind = (f"shape {tuple(got.shape)}" if isinstance(got, torch.Tensor) else
                "a Python float (a tensor's .item() or float() gives one)" if isinstance(got, float) else
                describe(got))
        says = diagnosis(got, mistakes, dtype=A.dtype, ops=16) if isinstance(got, torch.Tensor) else None
        fail(_("{call} should return a 0-dim tensor, got {kind}{value}")
             .format(call=call, kind=kind, value=f". {says}" if says else ""))
    expect_close(got, expected, dtype=A.dtype, ops=16, call=call, mistakes=mistakes)


@pytest.mark.check("frobenius_norm: matches the reference on several matrices", points=3)
def test_norm_values(student, reference):
    for text, A in matrices():
        check_norm(student, reference, text, A)


@pytest.mark.check("frobenius_norm: edge cases (one row or column, float64, not contiguous, huge and tiny "
                   "entries)", points=1, hidden=True)
def test_norm_edge_cases(student, reference):
    for text, A in edge_matrices():
        check_norm(student, reference, text, A)


@pytest.mark.check("frobenius_norm: gradient matches the reference", points=2)
def test_norm_gradient(student, reference):
    remote_grad_of = student.define(grad_of)
    A = torch.randn(3, 4)
    expected = A.double().requires_grad_(True)
    reference.frobenius_norm(expected).backward()
    expect_close(remote_grad_of(student.frobenius_norm, A), expected.grad, dtype=A.dtype, ops=16,
                 call=_("the gradient of frobenius_norm(A) with respect to A, A = torch.randn(3, 4)"))


@pytest.mark.check("frobenius_norm: leaves its input unchanged", condition=True)
def test_norm_input_unchanged(student):
    expect_inputs_unchanged(student, "frobenius_norm", [torch.randn(3, 4)], names=["A"], call="frobenius_norm(A)")


@pytest.mark.check("frobenius_norm: computed from scratch, without a built-in norm", condition=True)
def test_norm_no_builtin(student):
    expect_no_builtin(student, "frobenius_norm", NORMS, [torch.randn(2, 3)], nodes=NORM_NODES,
                      advice=_("the exercise asks for it without a built-in norm: square, sum and take the root yourself"))


# -- row_normalize ----------------------------------------------------------------------------

def check_rows(student, reference, text, A):
    call = _("row_normalize(A) with {text}").format(text=_(text))
    with naming_errors(BROADCAST_ERRORS, call):
        got = student.row_normalize(A)
    expected = in_float64(reference.row_normalize, A)
    expect_close(got, expected, dtype=A.dtype, ops=8, call=call,
                 mistakes=mistake_answers(ROW_MISTAKES, A))


@pytest.mark.check("row_normalize: each row of the result sums to one", points=1)
def test_rows_sum_to_one(student):
    A = torch.rand(4, 5) + 0.1
    with naming_errors(BROADCAST_ERRORS, "row_normalize(A) with A = torch.rand(4, 5) + 0.1"):
        R = student.row_normalize(A)
    expect(isinstance(R, torch.Tensor) and R.shape == (4, 5),
           _("row_normalize(A) with A = torch.rand(4, 5) + 0.1 should return a (4, 5) tensor, got "
             "{value}")
           .format(value=tuple(R.shape) if isinstance(R, torch.Tensor) else type(R).__name__))
    expect_close(R.sum(dim=1), torch.ones(4, dtype=torch.float64), dtype=torch.float32, ops=16,
                 call=_("row_normalize(A).sum(dim=1) with A = torch.rand(4, 5) + 0.1"))


@pytest.mark.check("row_normalize: matches the reference on several matrices", points=3)
def test_rows_values(student, reference):
    for text, A in matrices_to_normalize():
        check_rows(student, reference, text, A)


@pytest.mark.check("row_normalize: edge cases (one row or column, float64, not contiguous, huge and tiny "
                   "entries, mixed signs)", points=1, hidden=True)
def test_rows_edge_cases(student, reference):
    for text, A in edge_matrices_to_normalize():
        check_rows(student, reference, text, A)


@pytest.mark.check("row_normalize: gradient matches the reference", points=1)
def test_rows_gradient(student, reference):
    remote_grad_of = student.define(grad_of)
    A, weights = torch.rand(3, 4) + 0.1, torch.randn(3, 4)
    expected = A.double().requires_grad_(True)
    (reference.row_normalize(expected) * weights.double()).sum().backward()
    expect_close(remote_grad_of(student.row_normalize, A, weights), expected.grad, dtype=A.dtype, ops=16,
                 call=_("the gradient of (row_normalize(A) * W).sum() with respect to A"))


@pytest.mark.check("row_normalize: leaves its input unchanged", condition=True)
def test_rows_input_unchanged(student):
    expect_inputs_unchanged(student, "row_normalize", [torch.rand(3, 4) + 0.1], names=["A"],
                            call=_("row_normalize(A) with A = torch.rand(3, 4) + 0.1"))


# -- gradient ---------------------------------------------------------------------------------

def points():
    torch.manual_seed(seeded(4))
    return [
        ("x = torch.randn(4)", torch.randn(4)),
        ("x = torch.randn(2, 3)", torch.randn(2, 3)),
        ("x = torch.randn(3, dtype=torch.float64)", torch.randn(3, dtype=torch.float64)),
    ]


def edge_points():
    torch.manual_seed(seeded(5))
    return [
        (N_("x = torch.randn(1) (one element)"), torch.randn(1)),
        ("x = torch.randn(3, 2, dtype=torch.float64)", torch.randn(3, 2, dtype=torch.float64)),
        (N_("x = torch.randn(4, 3).T (not contiguous)"), torch.randn(4, 3).T),
        (N_("x = 1e-20 * torch.randn(5) (tiny entries)"), 1e-20 * torch.randn(5)),
        (N_("x = 1e10 * torch.randn(3) (large entries)"), 1e10 * torch.randn(3)),
    ]


def check_gradient(student, reference, cases, functions):
    for description, function in functions:
        f_there = student.define(function)
        for text, x in cases:
            call = _("gradient(f, x) with {description} and {text}").format(description=_(description), text=_(text))
            with naming_errors({"does not require grad and does not have a grad_fn": NO_HISTORY}, call):
                got = student.gradient(f_there, x)
            expected = in_float64(reference.gradient, function, x.clone())
            try:
                expect_close(got, expected, dtype=x.dtype, ops=16, call=call, mistakes={SUMMED: expected.sum()})
            except AssertionError as failed:  # the check's verdict (CheckFailed is one)
                # within 1% of the largest entry, and not within the tolerance: an approximation
                scale = float(expected.abs().nan_to_num(0.0, 0.0, 0.0).max())
                near = diagnosis(got, {APPROXIMATE: expected}, rtol=0, atol=1e-2 * scale)
                if near is None:
                    raise
                fail(f"{failed}. {near}")


@pytest.mark.check("gradient: matches autograd on several functions", points=4)
def test_gradient_values(student, reference):
    check_gradient(student, reference, points(), FUNCTIONS)


@pytest.mark.check("gradient: edge cases (one element, float64, not contiguous, huge and tiny entries)",
                   points=1, hidden=True)
def test_gradient_edge_cases(student, reference):
    safe = [FUNCTIONS[0], FUNCTIONS[2]]  # exp and sin are no use at 1e10
    check_gradient(student, reference, edge_points(), safe)


def check_x_alone(student, reference, requires_grad):
    probe = student.define(probe_gradient)
    f = student.define(cube_sum)
    x = torch.tensor([[1.0, -2.0], [0.5, 3.0]])
    flag = f"requires_grad={requires_grad}"
    found = probe(student.gradient, f, x, requires_grad)
    call = _("gradient(f, x) with f(x) = (x**3).sum() and x = [[1, -2], [0.5, 3]] ({flag})").format(flag=flag)
    expect(found["result"] is not None, _("{call} should return a tensor").format(call=call))
    expect_close(found["result"], 3 * x.double() ** 2, dtype=x.dtype, ops=8, call=call)
    changes = [what for what, happened in (
        (_("changed the values of x"), not found["values_kept"]),
        (_("left x with requires_grad={found} (it should stay {requires_grad})").format(
            found=found["requires_grad"], requires_grad=requires_grad), found["requires_grad"] != requires_grad),
        (_("attached a .grad to x"), not found["grad_is_none"]),
        (_("turned x into a tensor with a history (x.is_leaf is False)"), not found["is_leaf"]),
    ) if happened]
    expect(not changes, _("{call} {value}; work on a detached copy of x (x.detach().clone().requires_grad_(True))")
                        .format(call=call, value=_(" and ").join(changes)))


@pytest.mark.check("gradient: leaves x as it was (values, requires_grad, no .grad)", condition=True)
def test_gradient_leaves_x_alone(student, reference):
    check_x_alone(student, reference, requires_grad=False)


@pytest.mark.check("gradient: leaves x as it was when x already requires grad", condition=True)
def test_gradient_leaves_x_alone_requires_grad(student, reference):
    check_x_alone(student, reference, requires_grad=True)
