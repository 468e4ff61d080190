"""Checks for 04_softmax_regression (D2L 4.1 to 4.4). Judged in the grading process.

Scoring (the plugin's rule): a function earns its points only when all of its checks pass; the
conditions ("uses no built-in", "leaves its input unchanged") hold no points but cost the
function's points when they fail. References are computed in float64 (`in_float64`) and the
tolerance follows the rule of `grader.check_tools.expect` (`ops=`, `like=`).

SoftmaxRegressionScratch's checks run with the grader's own `softmax` bound to that name
(`with_grader_softmax`), and training uses the grader's cross-entropy, so a wrong softmax or
cross_entropy costs its own points only. The contract's "trained with the student's
cross_entropy" is its own check of cross_entropy: the student's loss trains the grader's model. The trained W and b come back, and validation accuracy
is computed here with the grader's own forward: nothing computed in the kernel counts.

Diagnoses: a wrong answer that matches a known mistake's answer on the same input (the variants
of the reference below: `softmax_over_columns`, the entries of `CROSS_ENTROPY_MISTAKES`, ...) gets
the sentence naming that mistake (`expect_close(..., mistakes=...)`, `diagnosis`).
"""

import pytest
import torch

from grader.check_tools import (
    CheckFailed,
    N_,
    StudentRaised,
    _,
    diagnosis,
    expect,
    expect_close,
    expect_inputs_unchanged,
    expect_no_builtin,
    expect_own_parameters,
    fail,
    in_float64,
    mistake,
    mistake_answers,
    parameters_report,
    seeded,
    train_classifier,
)
from d2l_course.in_kernel import cross_entropy as grader_cross_entropy  # the course's own (course/lib)
from d2l_course.in_kernel import train_grader_softmax_regression, with_grader_softmax
from d2l_course.models import SOFTMAX_REGRESSION, classifier_accuracy

FORBIDDEN = {"softmax", "log_softmax", "cross_entropy", "nll_loss", "CrossEntropyLoss",
             "NLLLoss", "LogSoftmax", "Softmax", "Softmin", "softmin"}
FORBIDDEN_NODES = {"SoftmaxBackward0", "LogSoftmaxBackward0", "NllLossBackward0", "NllLoss2DBackward0"}

# Validation accuracy on the digits after 10 epochs, lr 0.5, batch 64, trained with the grader's
# cross-entropy and judged with the grader's forward on the returned W and b
# (tools/measure_thresholds.py, one thread, about 0.1 s of CPU; measured again for the grader's
# forward): the reference reaches 0.946 to 0.952 over seeds 0-4; a model whose forward skips the
# softmax stays at 0.078 to 0.106, and an update that rebinds `p = p - lr * p.grad` at 0.054 to
# 0.116. Fashion-MNIST: an estimate, not
# measured (the files are not available offline).
THRESHOLDS = {"digits": 0.90, "fashion-mnist": 0.78}
TRAINING = {"digits": dict(lr=0.5, epochs=10, batch_size=64),
            "fashion-mnist": dict(lr=0.1, epochs=3, batch_size=256)}


# -- functions sent into the kernel (student.define): self-contained, they import what they use --

def grad_of_softmax(softmax, O, weights):
    O = O.clone().requires_grad_(True)
    (softmax(O) * weights).sum().backward()
    return O.grad


def grad_of_cross_entropy(cross_entropy, O, y):
    import torch

    O = O.clone().requires_grad_(True)
    cross_entropy(torch.exp(O - O.logsumexp(dim=1, keepdim=True)), y).backward()
    return O.grad


def forward_without_grad(model, X):
    import torch

    with torch.no_grad():
        return model.forward(X)


def start_values(Model, model_args, seed, keep):
    import torch

    torch.manual_seed(seed)
    model = Model(*model_args)
    return {name: torch.Tensor.clone(torch.Tensor.detach(getattr(model, name))) for name in keep}


# -- known mistakes: variants of the reference, run here on the check's own inputs --------------
# Each is `@mistake`: a student kit holds their answers on these inputs, not their code; there an
# answer not recorded is None, which names nothing (`answers_of` leaves it out).

@mistake
def softmax_over_columns(X):
    X_exp = torch.exp(X - X.max(dim=0, keepdim=True).values)
    return X_exp / X_exp.sum(dim=0, keepdim=True)


@mistake
def softmax_without_keepdim(X):
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1)  # column j divided by the sum of row j


@mistake
def softmax_without_division(X):
    return torch.exp(X)


@mistake
def softmax_without_max_shift(X):
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(dim=1, keepdim=True)


SOFTMAX_MISTAKES = {
    N_("Your columns sum to one, not your rows: over which dim did you sum?"): softmax_over_columns,
    N_("Entry (i, j) is divided by the sum of row j: the row sums lost their dim, so they "
       "broadcast along the wrong axis (keepdim)"): softmax_without_keepdim,
    N_("You return exp(X) itself: each row still needs to be divided by its sum"): softmax_without_division,
}
OVERFLOW = (N_("For logits near 1000, exp overflows to inf: subtract each row's maximum first (the book's "
               "softmax of D2L 4.4 does not; this assignment asks for one that stays finite)"))


@mistake
def picked(y_hat, y):
    return y_hat[torch.arange(len(y_hat)), y]


@mistake
def cross_entropy_without_minus(y_hat, y):
    return torch.log(picked(y_hat, y)).mean()


@mistake
def cross_entropy_summed(y_hat, y):
    return -torch.log(picked(y_hat, y)).sum()


@mistake
def cross_entropy_of_every_entry(y_hat, y):
    return -torch.log(y_hat).mean()


@mistake
def cross_entropy_of_a_block(y_hat, y):
    return -torch.log(y_hat[:, y]).mean()


@mistake
def cross_entropy_zero(y_hat, y):
    return torch.zeros((), dtype=y_hat.dtype)


@mistake
def cross_entropy_per_example(y_hat, y):
    return -torch.log(picked(y_hat, y))


CROSS_ENTROPY_MISTAKES = {
    N_("Your loss is negative: did you forget the minus sign in front of the log?"): cross_entropy_without_minus,
    N_("You sum the losses of the examples: the loss is their mean over the batch"): cross_entropy_summed,
    N_("You average -log over every entry of y_hat: only each row's probability of its own label "
       "counts"):
        cross_entropy_of_every_entry,
    N_("You take every row's probability of every label in y (an n × n block): take one entry per "
       "row, the one of that row's own label"): cross_entropy_of_a_block,
    N_("Your loss is 0 whatever y_hat and y are: it should come from the log-probabilities of the "
       "labels"): cross_entropy_zero,
}
PER_EXAMPLE = N_("You return one loss per example: the loss is one number, their mean over the batch")


@mistake
def predicted(y_hat):
    return y_hat.argmax(dim=1)


@mistake
def accuracy_down_columns(y_hat, y):
    return (y_hat.argmax(dim=0) == y).double().mean()


@mistake
def accuracy_of_argmin(y_hat, y):
    return (y_hat.argmin(dim=1) == y).double().mean()


@mistake
def accuracy_of_largest_value(y_hat, y):
    return (y_hat.max(dim=1).values == y).double().mean()


@mistake
def accuracy_as_count(y_hat, y):
    return (predicted(y_hat) == y).sum()


@mistake
def accuracy_as_error_rate(y_hat, y):
    return (predicted(y_hat) != y).double().mean()


@mistake
def accuracy_floor_divided(y_hat, y):
    return (predicted(y_hat) == y).sum() // len(y)


ACCURACY_MISTAKES = {
    N_("You take the arg-max down each column (dim 0): a row's prediction is the index of that "
       "row's largest probability"): accuracy_down_columns,
    N_("You predict the least probable class (argmin): the prediction is the most probable one"):
        accuracy_of_argmin,
    N_("You compare the largest probability itself with the label: compare its index instead"):
        accuracy_of_largest_value,
    N_("You return the number of right predictions: the accuracy is their fraction"): accuracy_as_count,
    N_("You return the fraction of wrong predictions (the error rate), not of right ones"):
        accuracy_as_error_rate,
    N_("Your accuracy is rounded down to a whole number: // drops the fraction"): accuracy_floor_divided,
}


def logits_cases():
    torch.manual_seed(seeded(0))
    cases = [
        ("X = torch.randn(4, 5)", torch.randn(4, 5)),
        (N_("X = torch.randn(1, 3) (one row)"), torch.randn(1, 3)),
        (N_("X = torch.randn(6, 1) (one column)"), torch.randn(6, 1)),
        ("X = torch.randn(3, 4, dtype=torch.float64)", torch.randn(3, 4, dtype=torch.float64)),
        (N_("X = torch.randn(5, 3).T (not contiguous)"), torch.randn(5, 3).T),
        (N_("X = 1e-4 * torch.randn(4, 3) (tiny logits)"), 1e-4 * torch.randn(4, 3)),
    ]
    return [("X = torch.randn(3, 3)", torch.randn(3, 3))] + cases  # square: a broadcast along the wrong axis runs


@pytest.mark.check("softmax: rows are probabilities that sum to one", points=1)
def test_softmax_rows_sum_to_one(student):
    X = torch.randn(4, 5)
    P = student.softmax(X)
    expect(isinstance(P, torch.Tensor) and P.shape == (4, 5),
           _("softmax(X) with X = torch.randn(4, 5) should return a (4, 5) tensor, got {value}")
           .format(value=tuple(P.shape) if isinstance(P, torch.Tensor) else type(P).__name__))
    expect(bool((P >= 0).all()), _("softmax(X) with X = torch.randn(4, 5) has negative entries"))
    expect_close(P.sum(dim=1), torch.ones(4, dtype=torch.float64), dtype=torch.float32, ops=16,
                 call=_("softmax(X).sum(dim=1) with X = torch.randn(4, 5)"),
                 mistakes={says: answer.sum(dim=1) for says, answer in mistake_answers(SOFTMAX_MISTAKES, X).items()})


@pytest.mark.check("softmax: matches the reference on several inputs", points=3)
def test_softmax_values(student, reference):
    for text, X in logits_cases():
        expected = in_float64(reference.softmax, X)
        expect_close(student.softmax(X), expected, dtype=X.dtype, ops=8, like=X, call=_("softmax(X) with {text}")
                                                                                      .format(text=_(text)),
                     mistakes=mistake_answers(SOFTMAX_MISTAKES, X))


@pytest.mark.check("softmax: stays finite for logits near 1000", points=2)
def test_softmax_large_logits(student, reference):
    X = torch.tensor([[1000.0, 0.0, -1000.0], [999.0, 1000.0, 998.0]])
    expect_close(student.softmax(X), in_float64(reference.softmax, X), dtype=X.dtype, ops=8, like=X,
                 call=_("softmax(X) with X = [[1000, 0, -1000], [999, 1000, 998]]"),
                 mistakes=mistake_answers({OVERFLOW: softmax_without_max_shift}, X))


@pytest.mark.check("softmax: gradients match the reference", points=1)
def test_softmax_gradient(student, reference):
    grads = student.define(grad_of_softmax)
    O, weights = torch.randn(4, 3), torch.randn(4, 3)
    expected_O = O.double().requires_grad_(True)
    (reference.softmax(expected_O) * weights.double()).sum().backward()
    expect_close(grads(student.softmax, O, weights), expected_O.grad, dtype=O.dtype, ops=16, like=weights,
                 call=_("the gradient of (softmax(O) * W).sum() with respect to O"))


@pytest.mark.check("softmax: leaves its input unchanged", condition=True)
def test_softmax_input_unchanged(student):
    expect_inputs_unchanged(student, "softmax", [torch.randn(3, 4)], names=["X"], call="softmax(X)")


@pytest.mark.check("softmax: uses no built-in softmax", condition=True)
def test_softmax_no_builtin(student):
    expect_no_builtin(student, "softmax", FORBIDDEN, [torch.randn(2, 3)], nodes=FORBIDDEN_NODES,
                      advice=_("the exercise asks you to build softmax yourself, from exp and sum"))


def cross_entropy_cases():
    torch.manual_seed(seeded(1))
    return [
        ("y_hat = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], y = [0, 2]",
         torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]), torch.tensor([0, 2])),
        ("y_hat of shape (1, 4) (one row)", torch.softmax(torch.randn(1, 4), 1), torch.tensor([3])),
        ("y_hat of shape (8, 10)", torch.softmax(torch.randn(8, 10), 1), torch.randint(0, 10, (8,))),
        ("y_hat float64 of shape (5, 3)", torch.softmax(torch.randn(5, 3, dtype=torch.float64), 1),
         torch.randint(0, 3, (5,))),
    ]


@pytest.mark.check("cross_entropy: matches the reference on several inputs", points=2)
def test_cross_entropy_values(student, reference):
    for text, y_hat, y in cross_entropy_cases():
        got = student.cross_entropy(y_hat, y)
        per_example = mistake_answers({PER_EXAMPLE: cross_entropy_per_example}, y_hat, y)  # recorded in a kit
        if not (isinstance(got, torch.Tensor) and got.dim() == 0):
            says = diagnosis(got, per_example, ops=16, dtype=y_hat.dtype)
            fail(_("cross_entropy(y_hat, y) with {text} should return a 0-dim tensor, got {value}{value2}")
                 .format(text=_(text), value='shape ' + str(tuple(got.shape)) if isinstance(got, torch.Tensor) else type(got).__name__, value2=f". {says}" if says else ""))
        expected = in_float64(reference.cross_entropy, y_hat, y)
        expect_close(got, expected, dtype=y_hat.dtype, ops=16, call=_("cross_entropy(y_hat, y) with {text}")
                                                                    .format(text=_(text)),
                     mistakes=mistake_answers(CROSS_ENTROPY_MISTAKES, y_hat, y))


@pytest.mark.check("cross_entropy: gradients match the reference", points=1)
def test_cross_entropy_gradient(student, reference):
    grads = student.define(grad_of_cross_entropy)
    O, y = torch.randn(6, 4), torch.randint(0, 4, (6,))
    expected_O = O.double().requires_grad_(True)
    reference.cross_entropy(torch.exp(expected_O - expected_O.logsumexp(1, keepdim=True)), y).backward()
    expect_close(grads(student.cross_entropy, O, y), expected_O.grad, dtype=O.dtype, ops=16,
                 call=_("the gradient of cross_entropy(softmax(O), y) with respect to O"))


@pytest.mark.check("cross_entropy: trains a softmax-regression model to the threshold", points=1,
                   timeout=60)
def test_cross_entropy_trains(student, image_data):
    """The contract's "trained with the student's cross_entropy", judged on its own: the student's
    loss trains the grader's own model (so a wrong model costs this check nothing)."""
    train = student.define(train_grader_softmax_regression)
    n_inputs = image_data.train_X[0].numel()
    settings = TRAINING[image_data.name]
    params = train(student.cross_entropy, [n_inputs, 10, settings["lr"]], image_data.train_X,
                   image_data.train_y, seed=0, **settings)
    accuracy = classifier_accuracy(params, SOFTMAX_REGRESSION, image_data.val_X, image_data.val_y)
    threshold = THRESHOLDS[image_data.name]
    expect(accuracy >= threshold,
           _("a softmax regression trained with your cross_entropy ({epochs} epochs, lr {lr}, batch "
             "{batch_size}) reaches a validation accuracy of {accuracy}; at least {threshold} is "
             "needed: does your loss go down when the probability of the right class goes up?")
           .format(epochs=settings['epochs'], lr=settings['lr'], batch_size=settings['batch_size'], accuracy=f"{accuracy:.3f}", threshold=threshold))


@pytest.mark.check("cross_entropy: uses no built-in softmax or cross-entropy", condition=True)
def test_cross_entropy_no_builtin(student):
    expect_no_builtin(student, "cross_entropy", FORBIDDEN, [torch.tensor([[0.2, 0.8], [0.6, 0.4]]),
                                                             torch.tensor([1, 0])],
                      nodes=FORBIDDEN_NODES,
                      advice=_("the exercise asks you to build the loss yourself, from log and indexing"))


def accuracy_cases():
    """Three of five rows right, one of the wrong ones by its least probable class; then one row
    right: every mistake of ACCURACY_MISTAKES answers this pair of inputs differently."""
    square = torch.tensor([[0.50, 0.10, 0.15, 0.05, 0.20], [0.12, 0.60, 0.05, 0.08, 0.15],
                           [0.20, 0.05, 0.55, 0.06, 0.14], [0.37, 0.15, 0.20, 0.04, 0.24],
                           [0.35, 0.07, 0.16, 0.17, 0.25]])
    torch.manual_seed(seeded(2))
    return [("y_hat (5, 5) and y = [0, 1, 2, 3, 4]", square, torch.arange(5)),
            ("one row predicted right", torch.tensor([[0.1, 0.9]]), torch.tensor([1])),
            ("y_hat (20, 5)", torch.softmax(torch.randn(20, 5), 1), torch.randint(0, 5, (20,)))]


@pytest.mark.check("accuracy: matches the reference", points=1)
def test_accuracy(student, reference):
    cases = accuracy_cases()
    diagnosed = cases[:2]  # the last is not square: a mistake along dim 0 raises there
    got = [student.accuracy(y_hat, y) for _, y_hat, y in diagnosed]
    answers = [mistake_answers(ACCURACY_MISTAKES, y_hat, y) for _, y_hat, y in diagnosed]
    says = diagnosis(got, {s: [float(a[s]) for a in answers] for s in ACCURACY_MISTAKES
                           if all(s in a for a in answers)}, ops=4, dtype=torch.float32)
    for (text, y_hat, y), answer in zip(cases, got + [None]):
        answer = student.accuracy(y_hat, y) if answer is None else answer
        try:
            expect_close(answer, float(reference.accuracy(y_hat, y)), dtype=torch.float32, ops=4,
                         call=_("accuracy(y_hat, y) with {text}").format(text=_(text)))
        except CheckFailed as failed:
            fail(f"{failed}. {says}" if says else str(failed))


@pytest.mark.check("SoftmaxRegressionScratch: parameters have the right shapes and start values", points=1)
def test_model_parameters(student):
    model = student.SoftmaxRegressionScratch(64, 10, 0.1, sigma=0.5)
    W, b = student.get(model.W), student.get(model.b)
    expect(isinstance(W, torch.Tensor) and W.shape == (64, 10), _("W should be a (64, 10) tensor, got {w}")
                                                                .format(w=f"{W!r:.60}"))
    expect(isinstance(b, torch.Tensor) and b.shape == (10,), _("b should be a vector of shape (10,), got {value}")
                                                             .format(value=f"shape {tuple(b.shape)}" if isinstance(b, torch.Tensor) else f"{b!r:.60}"))
    expect(W.requires_grad and b.requires_grad, _("W and b need requires_grad=True"))
    for name in SOFTMAX_REGRESSION:
        expect(student.get(getattr(model, name).is_leaf),
               _("{name} is not a leaf tensor: it was computed from another tensor (an operation after "
                 "requires_grad=True?), so training gives it no gradient of its own")
               .format(name=name))
    expect(0.4 < float(W.std()) < 0.6, _("W should be drawn with standard deviation sigma=0.5, got {value}")
                                       .format(value=f"{float(W.std()):.3f}"))
    expect(bool((b == 0).all()), _("b should start as zeros"))
    expect_own_parameters(student, "SoftmaxRegressionScratch", ["W", "b"])  # read from the notebook's text
    found = student.define(parameters_report)(model, ["W", "b"])  # the kernel's word can only fail it
    expect(found["count"] == 2 and all(found["same"]),
           _("parameters() should give W and b themselves, in that order (a list, a tuple or "
             "nn.Module's own)"))


@pytest.mark.check("SoftmaxRegressionScratch: forward flattens and returns probabilities", points=1)
def test_model_forward(student, reference, image_data):
    with_softmax = student.define(with_grader_softmax)
    without_grad = student.define(forward_without_grad)
    model = with_softmax(student.SoftmaxRegressionScratch, image_data.train_X[0].numel(), 10, 0.1, sigma=0.5)
    W, b = student.get(model.W), student.get(model.b)
    random_X, images = torch.rand(5, *image_data.train_X.shape[1:]), image_data.train_X[:8]
    cases = [("X = torch.rand(5, 1, h, w)", random_X, forward_on_images(with_softmax, model, random_X)),
             ("the first 8 training images, under torch.no_grad()", images, with_softmax(without_grad, model, images))]
    for text, X, got in cases:
        logits = X.reshape(len(X), -1).double() @ W.detach().double() + b.detach().double()
        labels = torch.nn.functional.one_hot(image_data.train_y[:len(X)], 10).double()
        expect(isinstance(got, torch.Tensor), _("model.forward(X) with {text} should return a tensor")
                                              .format(text=_(text)))
        expect_close(got.detach(), reference.softmax(logits), dtype=torch.float32, ops=16, like=X,
                     call=_("model.forward(X) with model = SoftmaxRegressionScratch(…, sigma=0.5) and {text}")
                          .format(text=_(text)),
                     mistakes={N_("Your forward returns the logits X W + b: they are not probabilities yet"): logits,
                               N_("Your forward returns the images' labels, not what the model computes"): labels})


def forward_on_images(with_softmax, model, X):
    """model.forward(X) on images (n, 1, h, w); when it raises there but runs on the same images
    flattened into rows, the check fails saying so."""
    try:
        return with_softmax(model.forward, X)
    except StudentRaised as error:
        try:
            with_softmax(model.forward, X.reshape(len(X), -1))
        except StudentRaised:
            raise error from None
        fail(_("{error}. Your forward runs on rows of {value} pixels but not on images of shape {shape}: "
               "flatten each image into a row first")
             .format(error=error, value=X[0].numel(), shape=tuple(X.shape)))


@pytest.mark.check("SoftmaxRegressionScratch: trained, reaches the validation-accuracy threshold",
                   points=3, timeout=60)
def test_model_training(student, image_data):
    train = student.define(train_classifier)
    with_softmax = student.define(with_grader_softmax)
    loss = student.define(grader_cross_entropy)  # on the probabilities forward returns
    n_inputs = image_data.train_X[0].numel()
    settings = TRAINING[image_data.name]
    params = with_softmax(train, student.SoftmaxRegressionScratch, [n_inputs, 10, settings["lr"]],
                          loss, image_data.train_X, image_data.train_y, seed=0,
                          keep=list(SOFTMAX_REGRESSION), **settings)
    accuracy = classifier_accuracy(params, SOFTMAX_REGRESSION, image_data.val_X, image_data.val_y)
    threshold = THRESHOLDS[image_data.name]
    if accuracy >= threshold:
        return
    start = with_softmax(student.define(start_values), student.SoftmaxRegressionScratch,
                         [n_inputs, 10, settings["lr"]], 0, list(SOFTMAX_REGRESSION))
    unchanged = all(torch.equal(params[name], start[name]) for name in SOFTMAX_REGRESSION)
    fail(_("trained with cross-entropy ({epochs} epochs, lr {lr}, batch {batch_size}), the learned W "
           "and b reach a validation accuracy of {accuracy}; at least {threshold} is needed{value}")
         .format(epochs=settings['epochs'], lr=settings['lr'], batch_size=settings['batch_size'], accuracy=f"{accuracy:.3f}", threshold=threshold, value=_(". Training left W and b where they started: does something in your model stop or zero their gradients?") if unchanged else ""))
