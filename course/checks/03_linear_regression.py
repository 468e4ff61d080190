"""Checks for 03_linear_regression (D2L 3.1 to 3.4). Judged in the grading process.

The SGD checks train with the grader's own model and loss (`train_linear_regression`), so a
wrong linreg or squared_loss costs their own checks only.

Scoring (the plugin's rule): a function earns its points only when all of its checks pass; the
condition "leaves its inputs unchanged" holds no points but costs the function's points when it
fails. References are computed in float64 (`in_float64`) and the tolerance follows the rule of
`grader.check_tools.expect` (`ops=`).
"""

import pytest
import torch

from grader.check_tools import (
    N_,
    _,
    diagnosis,
    expect,
    expect_close,
    expect_inputs_unchanged,
    fail,
    in_float64,
    mistake,
    mistake_answers,
    naming_errors,
    seeded,
)
from d2l_course.in_kernel import train_linear_regression
from d2l_course.models import regression_error, synthetic_regression_data

# The largest error over the entries of w and b after 3 epochs, lr 0.03, batch 10 on 1,000
# examples (D2L 3.4; tools/measure_thresholds.py, one thread, under 0.1 s of CPU): the reference
# is off by 0.0005 to 0.0009 over seeds 0-4; an SGD.step that rebinds `param = param - lr *
# param.grad` leaves w and b where they started, off by 4.2 (b) on every seed.
MAX_ERROR = 0.01
TRAINING = dict(lr=0.03, epochs=3, batch_size=10)


# -- functions sent into the kernel (student.define): self-contained, they import what they use --

def grads_of(function, tensors, weights, others=()):
    """The gradients, by autograd, of (function(*tensors, *others) * weights).sum() with respect
    to each of tensors."""
    tensors = [t.clone().requires_grad_(True) for t in tensors]
    (function(*tensors, *others) * weights).sum().backward()
    return [t.grad for t in tensors]


def sgd_step(SGD, values, grads, lr, second):
    """One optimizer step on fresh leaf parameters, then (with `second`) another; what became of
    them, as plain data."""
    params = [v.clone().requires_grad_(True) for v in values]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    optimizer = SGD(params, lr)
    optimizer.step()
    report = {
        "values": [p.detach().clone() for p in params],
        "is_leaf": all(p.is_leaf for p in params),
        "no_grad_fn": all(p.grad_fn is None for p in params),
        "requires_grad": all(p.requires_grad for p in params),
    }
    if not second:
        return report
    # a second step: the parameters are still usable in a graph
    loss = sum((p ** 2).sum() for p in params)
    for p in params:
        p.grad = None
    loss.backward()
    optimizer.step()
    report["second"] = [p.detach().clone() for p in params]
    return report


def sgd_zero_grad(SGD, values):
    """zero_grad on parameters with gradients and one without; what became of them."""
    import torch

    with_grad = [v.clone().requires_grad_(True) for v in values]
    without = torch.ones(2, requires_grad=True)
    for p in with_grad:
        (p * 3).sum().backward()
    optimizer = SGD([*with_grad, without], 0.1)
    optimizer.zero_grad()
    return {
        "zeroed": all(p.grad is None or bool((p.grad == 0).all()) for p in with_grad),
        "values_kept": all(bool(torch.equal(p.detach(), v)) for p, v in zip(with_grad, values)),
        "gradless_kept": without.grad is None,
    }


def linreg_cases():
    torch.manual_seed(seeded(0))
    return [
        ("X = torch.randn(3, 3), w = torch.randn(3, 1), b = torch.randn(1)",
         (torch.randn(3, 3), torch.randn(3, 1), torch.randn(1))),
        ("X = torch.randn(5, 2), w = torch.randn(2, 1), b = torch.randn(1)",
         (torch.randn(5, 2), torch.randn(2, 1), torch.randn(1))),
        ("X = torch.randn(8, 3), w = torch.randn(3, 1), b = torch.randn(1)",
         (torch.randn(8, 3), torch.randn(3, 1), torch.randn(1))),
        (N_("float64 tensors, X = torch.randn(3, 2, dtype=torch.float64)"),
         (torch.randn(3, 2, dtype=torch.float64), torch.randn(2, 1, dtype=torch.float64),
          torch.randn(1, dtype=torch.float64))),
    ]


def linreg_edge_cases():
    torch.manual_seed(seeded(1))
    return [
        (N_("one row, X = torch.randn(1, 4)"), (torch.randn(1, 4), torch.randn(4, 1), torch.randn(1))),
        (N_("one feature, X = torch.randn(6, 1)"), (torch.randn(6, 1), torch.randn(1, 1), torch.randn(1))),
        (N_("float64 tensors"), (torch.randn(4, 3, dtype=torch.float64), torch.randn(3, 1, dtype=torch.float64),
                             torch.randn(1, dtype=torch.float64))),
        (N_("X = torch.randn(3, 5).T (not contiguous)"), (torch.randn(3, 5).T, torch.randn(3, 1), torch.randn(1))),
        (N_("X = 1e15 * torch.randn(4, 2) (large values)"), (1e15 * torch.randn(4, 2), torch.randn(2, 1), torch.randn(1))),
        (N_("X = 1e-15 * torch.randn(4, 2), b = 1e-15 (tiny values)"),
         (1e-15 * torch.randn(4, 2), torch.randn(2, 1), torch.tensor([1e-15]))),
    ]


# -- mistakes students make: variants of the reference, computed here on the check's input --

@mistake
def linreg_elementwise(X, w, b):
    return X * w + b


@mistake
def linreg_minus_bias(X, w, b):
    return X @ w - b


@mistake
def linreg_without_bias(X, w, b):
    return X @ w


@mistake
def linreg_flat(X, w, b):
    return (X @ w).reshape(-1) + b


LINREG_MISTAKES = {
    N_("X * w multiplies entry by entry (broadcasting w across the columns of X); the model needs "
       "the matrix product of X and w"): linreg_elementwise,
    N_("It looks like the bias is subtracted instead of added"): linreg_minus_bias,
    N_("It looks like the bias b is left out"): linreg_without_bias,
    N_("Your predictions are flattened to one dimension; the model gives one row per example, "
       "with one column"): linreg_flat,
}


def check_linreg(student, reference, text, args):
    call = _("linreg(X, w, b) with {text}").format(text=_(text))
    got = student.linreg(*args)
    X = args[0]
    expect(not (isinstance(got, torch.Tensor) and got.is_floating_point() and got.dtype != X.dtype),
           _("{call}: got dtype {value} for {value2} inputs; keep the dtype of the inputs (a cast to "
             "another dtype loses precision)")
           .format(call=call, value=str(getattr(got, 'dtype', '')).removeprefix('torch.'), value2=str(X.dtype).removeprefix('torch.')))
    expect_close(got, in_float64(reference.linreg, *args), dtype=X.dtype, ops=16, call=call,
                 mistakes=mistake_answers(LINREG_MISTAKES, *args))


@pytest.mark.check("linreg: matches the reference, with shape (n, 1)", points=3)
def test_linreg_values(student, reference):
    for text, args in linreg_cases():
        check_linreg(student, reference, text, args)


@pytest.mark.check("linreg: edge cases (one row, one feature, float64, not contiguous, huge and tiny values)",
                   points=1, hidden=True)
def test_linreg_edge_cases(student, reference):
    for text, args in linreg_edge_cases():
        check_linreg(student, reference, text, args)


@pytest.mark.check("linreg: gradients with respect to X, w and b match the reference", points=1)
def test_linreg_gradient(student, reference):
    remote_grads_of = student.define(grads_of)
    X, w, b, weights = torch.randn(5, 3), torch.randn(3, 1), torch.randn(1), torch.randn(5, 1)
    expected = [t.double().requires_grad_(True) for t in (X, w, b)]
    (reference.linreg(*expected) * weights.double()).sum().backward()
    got = remote_grads_of(student.linreg, [X, w, b], weights)
    expect(isinstance(got, list) and len(got) == 3 and all(isinstance(g, torch.Tensor) for g in got),
           _("the gradient of (linreg(X, w, b) * weights).sum() does not reach each of X, w and b"))
    for name, g, e in zip("Xwb", got, expected):
        expect_close(g, e.grad, dtype=torch.float32, ops=16,
                     call=_("the gradient of (linreg(X, w, b) * weights).sum() with respect to {name}")
                          .format(name=name))


@pytest.mark.check("linreg: leaves its inputs unchanged", condition=True)
def test_linreg_inputs_unchanged(student):
    expect_inputs_unchanged(student, "linreg", [torch.randn(4, 2), torch.randn(2, 1), torch.randn(1)],
                            names=["X", "w", "b"], call="linreg(X, w, b)")


def loss_cases():
    torch.manual_seed(seeded(2))
    return [
        ("y_hat = [[1], [2], [3]], y = [1, 1, 1] (y 1-D)", (torch.tensor([[1.0], [2.0], [3.0]]), torch.ones(3))),
        ("y_hat = torch.randn(6, 1), y = torch.randn(6) (y 1-D)", (torch.randn(6, 1), torch.randn(6))),
        ("y_hat = torch.randn(6, 1), y = torch.randn(6, 1)", (torch.randn(6, 1), torch.randn(6, 1))),
        (N_("float64 tensors"), (torch.randn(4, 1, dtype=torch.float64), torch.randn(4, dtype=torch.float64))),
    ]


def loss_edge_cases():
    torch.manual_seed(seeded(3))
    return [
        (N_("one example, y_hat of shape (1, 1), y of shape (1,)"), (torch.randn(1, 1), torch.randn(1))),
        (N_("float64 tensors"), (torch.randn(5, 1, dtype=torch.float64), torch.randn(5, dtype=torch.float64))),
        (N_("y = torch.randn(1, 7).T (not contiguous)"), (torch.randn(7, 1), torch.randn(1, 7).T)),
        (N_("values near 1e15"), (1e15 * torch.randn(4, 1), 1e15 * torch.randn(4))),
        (N_("values near 1e-15"), (1e-15 * torch.randn(4, 1), 1e-15 * torch.randn(4))),
    ]


@mistake
def loss_per_example(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


@mistake
def loss_without_half(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)) ** 2).mean()


@mistake
def loss_summed(y_hat, y):
    return loss_per_example(y_hat, y).sum()


@mistake
def loss_absolute(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)).abs() / 2).mean()


@mistake
def loss_without_reshape(y_hat, y):
    return ((y_hat - y) ** 2 / 2).mean()


LOSS_MISTAKES = {
    N_("You return one loss per example; the loss is their mean, a single number"): loss_per_example,
    N_("It looks like the mean of the squared errors, without the factor 1/2 of the squared loss"): loss_without_half,
    N_("It looks like the sum of the per-example losses; the loss is their mean"): loss_summed,
    N_("It looks like you took the absolute difference; the squared loss squares the difference"): loss_absolute,
    N_("y_hat of shape (n, 1) minus y of shape (n,) broadcasts to an (n, n) matrix; give y the "
       "shape of y_hat first"): loss_without_reshape,
}


def check_loss(student, reference, text, args):
    call = _("squared_loss(y_hat, y) with {text}").format(text=_(text))
    got = student.squared_loss(*args)
    mistakes = mistake_answers(LOSS_MISTAKES, *args)
    if not (isinstance(got, torch.Tensor) and got.dim() == 0):
        says = diagnosis(got, mistakes, ops=16, dtype=args[0].dtype)
        fail(_("{call} should return a 0-dim tensor, got {value}{value2}")
             .format(call=call, value='shape ' + str(tuple(got.shape)) if isinstance(got, torch.Tensor) else type(got).__name__, value2=f". {says}" if says else ""))
    expect_close(got, in_float64(reference.squared_loss, *args), dtype=args[0].dtype, ops=16, call=call,
                 mistakes=mistakes)


@pytest.mark.check("squared_loss: matches the reference as a 0-dim mean", points=3)
def test_loss_values(student, reference):
    for text, args in loss_cases():
        check_loss(student, reference, text, args)


@pytest.mark.check("squared_loss: edge cases (one example, float64, not contiguous, huge and tiny values)",
                   points=1, hidden=True)
def test_loss_edge_cases(student, reference):
    for text, args in loss_edge_cases():
        check_loss(student, reference, text, args)


@pytest.mark.check("squared_loss: gradient with respect to y_hat matches the reference", points=1)
def test_loss_gradient(student, reference):
    remote_grads_of = student.define(grads_of)
    y_hat, y = torch.randn(6, 1), torch.randn(6)
    expected = y_hat.double().requires_grad_(True)
    reference.squared_loss(expected, y.double()).backward()
    got = remote_grads_of(student.squared_loss, [y_hat], 1.0, [y])
    expect(isinstance(got, list) and len(got) == 1 and isinstance(got[0], torch.Tensor),
           _("the gradient of squared_loss(y_hat, y) does not reach y_hat"))
    expect_close(got[0], expected.grad, dtype=torch.float32, ops=16,
                 call=_("the gradient of squared_loss(y_hat, y) with respect to y_hat, y_hat = torch.randn(6, 1), "
                        "y = torch.randn(6)"))


@pytest.mark.check("squared_loss: leaves its inputs unchanged", condition=True)
def test_loss_inputs_unchanged(student):
    expect_inputs_unchanged(student, "squared_loss", [torch.randn(4, 1), torch.randn(4)],
                            names=["y_hat", "y"], call="squared_loss(y_hat, y)")


STEP_ERRORS = {
    "leaf Variable that requires grad is being used in an in-place operation":
        N_("Autograd refuses an in-place change of a tensor that requires grad: make the update "
           "inside a torch.no_grad() block, so that it is not recorded in the graph (the book's SGD "
           "leaves that to d2l's Trainer, which calls step() under torch.no_grad(); this assignment "
           "asks step() to do it itself)"),
}


@mistake
def step_along_gradient(value, grad, lr):
    return value + lr * grad


@mistake
def step_by_whole_gradient(value, grad, lr):
    return value - grad


STEP_MISTAKES = {  # {sentence: what a mistaken step makes of one parameter}
    N_("Each parameter moved along its gradient, which makes the loss grow; a step goes against "
       "the gradient"):
        step_along_gradient,
    N_("Each parameter moved by its whole gradient: the step is not scaled by the learning rate"):
        step_by_whole_gradient,
}


def check_step(student, values, grads, lr, text):
    step = student.define(sgd_step)
    call = _("SGD(params, lr={lr}).step() with {text}").format(lr=lr, text=_(text))
    with naming_errors(STEP_ERRORS, call):
        found = step(student.SGD, values, grads, lr, False)
    expected = [v.double() - lr * g.double() for v, g in zip(values, grads)]
    expect(isinstance(found.get("values"), list) and len(found["values"]) == len(values),
           _("{call}: the parameters could not be read back").format(call=call))
    unchanged = all(isinstance(got, torch.Tensor) and got.shape == v.shape and bool(torch.equal(got, v))
                    for got, v in zip(found["values"], values))
    expect(not unchanged, _("{call} left every parameter as it was: `param = param - ...` (or a list of new tensors) "
                            "only makes new tensors that the model never sees; change each parameter in place (param "
                            "-= ...)").format(call=call))
    for i, (got, want) in enumerate(zip(found["values"], expected)):
        expect_close(got, want, dtype=values[i].dtype, ops=4, call=_("{call}, parameter {i} after the step")
                                                                   .format(call=call, i=i),
                     mistakes=mistake_answers(STEP_MISTAKES, values[i], grads[i], lr))
    expect(found["is_leaf"] and found["no_grad_fn"],
           _("{call} recorded the update in the autograd graph (a parameter has a grad_fn afterwards); "
             "update under torch.no_grad()").format(call=call))
    expect(found["requires_grad"], _("{call} left a parameter without requires_grad").format(call=call))
    with naming_errors(STEP_ERRORS, call):
        found = step(student.SGD, values, grads, lr, True)
    second = [v.double() - lr * 2 * v.double() for v in found["values"]]  # the gradient of (p ** 2).sum()
    for i, (got, want) in enumerate(zip(found["second"], second)):
        expect_close(got, want, dtype=values[i].dtype, ops=4, call=_("{call}, parameter {i} after a second step")
                                                                   .format(call=call, i=i))


@pytest.mark.check("SGD: step updates every parameter in place, outside the autograd graph", points=2)
def test_sgd_step(student):
    values = [torch.randn(2, 1), torch.zeros(1)]
    grads = [torch.randn(2, 1), torch.randn(1)]
    check_step(student, values, grads, 0.1, "w of shape (2, 1) and b of shape (1,)")
    check_step(student, [torch.randn(2, dtype=torch.float64)], [torch.randn(2, dtype=torch.float64)], 0.1,
               "a float64 parameter of shape (2,)")


@pytest.mark.check("SGD: step on matrices, float64 and several learning rates", points=1, hidden=True)
def test_sgd_step_edge_cases(student):
    check_step(student, [torch.randn(3, 4), torch.randn(4), torch.randn(2, 2).T], [torch.randn(3, 4),
               torch.randn(4), torch.randn(2, 2)], 0.5, "three parameters, one not contiguous")
    check_step(student, [torch.randn(3, dtype=torch.float64)], [torch.randn(3, dtype=torch.float64)], 1e-3,
               "a float64 parameter")


@pytest.mark.check("SGD: zero_grad zeroes every gradient and leaves gradless parameters alone", points=1)
def test_sgd_zero_grad(student):
    zero = student.define(sgd_zero_grad)
    call = _("SGD([w, b, p], 0.1).zero_grad() with w and b holding gradients and p without one")
    with naming_errors({"'NoneType' object has no attribute": N_("A parameter that has no gradient yet has None as its .grad: there is nothing to zero")}, call):
        found = zero(student.SGD, [torch.randn(2, 1), torch.randn(1)])
    expect(found["zeroed"], _("{call} left a gradient that is not zero (or None)").format(call=call))
    expect(found["values_kept"], _("{call} changed a parameter's values").format(call=call))
    expect(found["gradless_kept"], _("{call} gave p a gradient; leave parameters without one alone")
                                   .format(call=call))


@pytest.mark.check("SGD: trains linear regression, recovering w and b", points=3, timeout=60)
def test_sgd_training(student):
    train = student.define(train_linear_regression)
    X, y, true_w, true_b = synthetic_regression_data(seed=0)
    with naming_errors(STEP_ERRORS, "SGD.step"):
        w, b = train(student.SGD, X, y, seed=0, **TRAINING)
    error = regression_error(w, b, true_w, true_b)
    expect(error <= MAX_ERROR,
           _("trained with your SGD (lr {lr}, {epochs} epochs, batch {batch_size}) on y = X [2, -3.4] + "
             "4.2 + noise, the learned w and b are off by up to {error}; at most {max_error} is allowed")
           .format(lr=TRAINING['lr'], epochs=TRAINING['epochs'], batch_size=TRAINING['batch_size'], error=f"{error:.3g}", max_error=MAX_ERROR))
