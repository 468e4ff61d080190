"""Checks for 05_mlp (D2L 5.1 to 5.3). Judged in the grading process.

Scoring (the plugin's rule): a function earns its points only when all of its checks pass; the
conditions ("uses no built-in", "leaves its input unchanged", "without autograd") hold no
points but cost the function's points when they fail. References are computed in float64 and the
tolerance follows the rule of `grader.check_tools.expect` (`ops=`; relu is exact: `ops=0`).

MLPScratch and backprop run with the grader's own `relu` bound to that name for the duration of
their checks (`with_grader_relu`): a wrong relu costs the relu checks only. The trained W1, b1,
W2, b2 come back, and validation accuracy is computed here with the grader's own forward.
"""

import pytest
import torch

from grader.check_tools import (
    N_,
    StudentRaised,
    _,
    autograd_uses,
    builtin_uses,
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
from d2l_course.in_kernel import with_grader_relu
from d2l_course.models import MLP, classifier_accuracy

RELU_BUILTINS = {"relu", "relu_", "ReLU"}
RELU_NODES = {"ReluBackward0", "ReluBackward1"}
AUTOGRAD = {"backward", "autograd", "func", "functorch"}  # torch.func.grad is autograd too

# Validation accuracy on the digits after 15 epochs, lr 0.2, batch 32, 64 hidden units, sigma 0.1,
# of the learned W1, b1, W2, b2 under the grader's own forward (tools/measure_thresholds.py, one
# thread, about 0.2 s of CPU): the reference reaches 0.970 to 0.980 over seeds 0-4; with an update
# that rebinds `p = p - lr * p.grad` (the parameters never change) it stays at 0.042 to 0.122.
# Trained without its activation (a linear model), the weights reach 0.838 to 0.944 under the
# grader's forward: the forward checks catch that (largest difference 36 to 73 on their input).
# Fashion-MNIST: an estimate, not measured (the files are not available offline); D2L's scratch
# MLP (256 hidden units, lr 0.1, batch 256) is near 0.80 after 3 epochs.
THRESHOLDS = {"digits": 0.90, "fashion-mnist": 0.72}
TRAINING = {"digits": dict(lr=0.2, epochs=15, batch_size=32, num_hiddens=64, sigma=0.1),
            "fashion-mnist": dict(lr=0.1, epochs=3, batch_size=256, num_hiddens=256, sigma=0.01)}


# -- functions sent into the kernel (student.define): self-contained, they import what they use --

def grad_of_relu(relu, X, weights):
    X = X.clone().requires_grad_(True)
    (relu(X) * weights).sum().backward()
    return X.grad


def build_mlp_with_random_biases(Model, args, kwargs, seed):
    """A model whose biases are set to random values, so that forward shows whether it adds them."""
    import torch

    model = Model(*args, **kwargs)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name in ("b1", "b2"):
            bias = getattr(model, name)
            bias.copy_(torch.randn(bias.shape, generator=generator, dtype=bias.dtype))
    return model


def leaf_flags(model):
    return {name: bool(getattr(model, name).is_leaf) for name in ("W1", "b1", "W2", "b2")}


def forward_and_parameters(model, X):
    out = model.forward(X)
    return out.detach(), [getattr(model, name).detach().clone() for name in ("W1", "b1", "W2", "b2")]


def reference_relu(X):
    """The grader's relu for its own expected answers: the built-in, which the relu checks forbid
    (a student kit holds this code, so it gives nothing to copy)."""
    return torch.relu(X)


RELU_CASES = [
    ("X = [[-2, -0.5, 0], [0.5, 1, 3]]", lambda: torch.tensor([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])),
    ("X = torch.randn(4, 5)", lambda: torch.randn(4, 5)),
    ("X = torch.randn(2, 3, 4) (3-D)", lambda: torch.randn(2, 3, 4)),
    ("X = torch.randn(5, dtype=torch.float64) (1-D, float64)", lambda: torch.randn(5, dtype=torch.float64)),
]
RELU_EDGE_CASES = [
    (N_("X = torch.randn(1, 6) (one row)"), lambda: torch.randn(1, 6)),
    ("X = torch.randn(7) (1-D)", lambda: torch.randn(7)),
    ("X = torch.randn(3, 4, dtype=torch.float64)", lambda: torch.randn(3, 4, dtype=torch.float64)),
    (N_("X = torch.randn(5, 3).T (not contiguous)"), lambda: torch.randn(5, 3).T),
    (N_("X with entries near ±1e30 and ±1e-30"),
     lambda: torch.tensor([[1e30, -1e30, 1e-30], [-1e-30, 3e29, -2e-29]])),
]


# -- mistakes students make: variants of the reference, computed here on the check's input --
# Each is `@mistake`: a student kit holds their answers on these inputs, not their code; there an
# answer not recorded is None, which names nothing (`answers_of` leaves it out). They are computed
# before the student's answer is judged, so that making a kit (with the solution, which fails
# nothing) records them.

@mistake
def relu_mask(X):
    return X > 0


@mistake
def relu_negative_part(X):
    return torch.min(X, torch.zeros_like(X))


@mistake
def relu_leaky(X):
    return torch.where(X > 0, X, 0.01 * X)


RELU_MISTAKES = {
    N_("Your relu returns the mask X > 0 (True or False) instead of the values of X where it is "
       "positive"):
        relu_mask,
    N_("Your relu keeps the negative entries and zeroes the positive ones"): relu_negative_part,
    N_("Your relu scales the negative entries by a small slope (a leaky ReLU); ReLU sets them to "
       "zero"):
        relu_leaky,
}


def check_relu(student, reference, cases):
    matrix_passed = False
    for text, make in cases:
        X = make()
        call = _("relu(X) with {text}").format(text=_(text))
        try:
            got = student.relu(X)
        except StudentRaised as error:
            if not (matrix_passed and X.dim() != 2):
                raise
            several = (_("{error}. Your relu works on matrices but not on a tensor with {count} dimensions: what "
                         "you compare X with must follow the shape of X, whatever its number of dimensions")
                       if X.dim() > 1 else
                       _("{error}. Your relu works on matrices but not on a tensor with {count} dimension: what "
                         "you compare X with must follow the shape of X, whatever its number of dimensions"))
            fail(several.format(error=error, count=X.dim()))
        mistakes = mistake_answers(RELU_MISTAKES, X)
        try:
            expect_close(got, in_float64(reference.relu, X), dtype=X.dtype, ops=0, call=call)
        except AssertionError as failed:  # the check's verdict of a wrong answer
            says = diagnosis(got, mistakes, ops=4, dtype=X.dtype)  # a few roundings: 0.01 * X
            if says is None:
                raise
            fail(f"{failed}. {says}")
        matrix_passed = matrix_passed or X.dim() == 2


@pytest.mark.check("relu: matches the reference on several inputs", points=4)
def test_relu_values(student, reference):
    check_relu(student, reference, RELU_CASES)


@pytest.mark.check("relu: edge cases (one row, 1-D, float64, not contiguous, huge and tiny values)",
                   points=1, hidden=True)
def test_relu_edge_cases(student, reference):
    check_relu(student, reference, RELU_EDGE_CASES)


@pytest.mark.check("relu: gradient matches the reference", points=1)
def test_relu_gradient(student, reference):
    grads = student.define(grad_of_relu)
    X = torch.randn(4, 5)
    X[X.abs() < 1e-3] = 0.5  # no exact zeros: relu has no derivative there
    weights = torch.randn(4, 5)
    expected = X.clone().requires_grad_(True)
    (reference.relu(expected) * weights).sum().backward()
    expect_close(grads(student.relu, X, weights), expected.grad, ops=0,
                 call=_("the gradient of (relu(X) * W).sum() with respect to X, X = torch.randn(4, 5)"))


@pytest.mark.check("relu: leaves its input unchanged", condition=True)
def test_relu_input_unchanged(student):
    expect_inputs_unchanged(student, "relu", [torch.randn(3, 4)], names=["X"], call="relu(X)")


@pytest.mark.check("relu: uses no built-in ReLU", condition=True)
def test_relu_no_builtin(student):
    expect_no_builtin(student, "relu", RELU_BUILTINS, [torch.randn(2, 3)], nodes=RELU_NODES,
                      advice=_("the exercise asks you to build relu yourself, from torch.max and zeros"))


@pytest.mark.check("MLPScratch: parameters have the right shapes and start values", points=1)
def test_mlp_parameters(student):
    patched = student.define(with_grader_relu)
    model = patched(student.MLPScratch, 64, 10, 32, 0.1, sigma=0.5)
    names = ("W1", "b1", "W2", "b2")
    shapes = {"W1": (64, 32), "b1": (32,), "W2": (32, 10), "b2": (10,)}
    values = {name: student.get(getattr(model, name)) for name in names}
    for name in names:
        value = values[name]
        transposed = isinstance(value, torch.Tensor) and tuple(value.shape) == shapes[name][::-1] != shapes[name]
        expect(isinstance(value, torch.Tensor) and tuple(value.shape) == shapes[name],
               _("MLPScratch(64, 10, 32, 0.1, sigma=0.5).{name} should be a tensor of shape {shapes}, got "
                 "{value}{value2}")
               .format(name=name, shapes=shapes[name], value=tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__, value2=_(", the transposed shape: nn.Linear stores (outputs, inputs), but this model computes X W1, with one row of W1 per input") if transposed else ""))
        expect(value.requires_grad, _("MLPScratch(64, 10, 32, 0.1, sigma=0.5).{name} needs requires_grad=True")
                                    .format(name=name))
    leaves = student.define(leaf_flags)(model)
    for name in names:
        expect(leaves[name], _("MLPScratch(64, 10, 32, 0.1, sigma=0.5).{name} is not a leaf tensor (it was computed from "
                               "one that requires grad), so training cannot update it; scale first, then call "
                               ".requires_grad_()").format(name=name))
    for name in ("W1", "W2"):
        std = float(values[name].detach().std())
        default = 0.006 < std < 0.014
        expect(0.4 < std < 0.6, _("MLPScratch(64, 10, 32, 0.1, sigma=0.5).{name} should be drawn with standard deviation "
                                  "sigma=0.5, got {std}{value}")
                                .format(name=name, std=f"{std:.3f}", value=_("; that is the default spread: it looks like the sigma argument is ignored") if default else ""))
    for name in ("b1", "b2"):
        expect(bool((values[name] == 0).all()), _("MLPScratch(64, 10, 32, 0.1, sigma=0.5).{name} should start as zeros")
                                                .format(name=name))
    expect_own_parameters(student, "MLPScratch", list(names))  # read from the notebook's text
    found = student.define(parameters_report)(model, list(names))  # the kernel's word can only fail it
    expect(found["count"] == 4 and all(found["same"]),
           _("MLPScratch(...).parameters() should give W1, b1, W2, b2 themselves, in that order (a "
             "list, a tuple or nn.Module's own)"))
    default = patched(student.MLPScratch, 64, 10, 32, 0.1)
    std = float(student.get(default.W1).detach().std())
    expect(0.006 < std < 0.014, _("MLPScratch(64, 10, 32, 0.1).W1 should be drawn with the default sigma=0.01, got a "
                                  "standard deviation of {std}")
                                .format(std=f"{std:.4f}"))


@mistake
def forward_without_activation(X, W1, b1, W2, b2):
    return (X.reshape(len(X), -1) @ W1 + b1) @ W2 + b2


@mistake
def forward_without_output_bias(X, W1, b1, W2, b2):
    return reference_relu(X.reshape(len(X), -1) @ W1 + b1) @ W2


@mistake
def forward_relu_on_output(X, W1, b1, W2, b2):
    return reference_relu(reference_relu(X.reshape(len(X), -1) @ W1 + b1) @ W2 + b2)


FORWARD_MISTAKES = {
    N_("It looks like there is no relu between the layers: without it the network is a linear "
       "model"):
        forward_without_activation,
    N_("It looks like b2 is not added in the output layer"): forward_without_output_bias,
    N_("It looks like relu is applied to the output layer too, so no logit can be negative"): forward_relu_on_output,
}
FLATTEN_ERRORS = ("cannot be multiplied", "must match the size", "size mismatch")


def check_forward(student, reference, args, kwargs, X, text):
    helper = student.define(build_mlp_with_random_biases)
    run = student.define(forward_and_parameters)
    patched = student.define(with_grader_relu)
    model = patched(helper, student.MLPScratch, list(args), kwargs, 0)
    model_text = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
    call = (_("model.forward(X) with model = MLPScratch({model_text}) given random biases, {text} (relu "
              "is the grader's here)").format(model_text=model_text, text=_(text)))
    try:
        out, (W1, b1, W2, b2) = patched(run, model, X)
    except StudentRaised as error:
        if not any(words in str(error) for words in FLATTEN_ERRORS):
            raise
        fail(_("{error}. forward gets a batch of images of shape {shape}: each image must become one row "
               "of num_inputs values before the first layer")
             .format(error=error, shape=tuple(X.shape)))
    num_inputs, num_outputs, num_hiddens = args[:3]
    shapes = {"W1": (num_inputs, num_hiddens), "b1": (num_hiddens,), "W2": (num_hiddens, num_outputs),
              "b2": (num_outputs,)}
    for name, value in zip(shapes, (W1, b1, W2, b2)):
        expect(tuple(value.shape) == shapes[name], _("{call}: {name} has shape {shape}, so the contract's forward cannot run; it needs {shapes}")
                                                   .format(call=call, name=name, shape=tuple(value.shape), shapes=shapes[name]))
    params = (X, W1, b1, W2, b2)
    expected = in_float64(lambda X, W1, b1, W2, b2: reference_relu(X.reshape(len(X), -1) @ W1 + b1) @ W2 + b2,
                          *params)
    expect_close(out, expected, dtype=X.dtype, ops=32, call=call,
                 mistakes=mistake_answers(FORWARD_MISTAKES, *params))


@pytest.mark.check("MLPScratch: forward flattens and returns relu(X W1 + b1) W2 + b2", points=2)
def test_mlp_forward(student, reference):
    check_forward(student, reference, (64, 10, 32, 0.1), {"sigma": 1.0}, torch.rand(5, 1, 8, 8),
                  "X = torch.rand(5, 1, 8, 8)")


@pytest.mark.check("MLPScratch: forward works for other sizes and a single example", points=1, hidden=True)
def test_mlp_forward_edge_cases(student, reference):
    check_forward(student, reference, (12, 3, 5, 0.1), {"sigma": 1.0}, torch.randn(4, 1, 3, 4),
                  "X = torch.randn(4, 1, 3, 4)")
    check_forward(student, reference, (64, 10, 16, 0.1), {"sigma": 1.0}, torch.rand(1, 1, 8, 8),
                  "X = torch.rand(1, 1, 8, 8) (one example)")


@pytest.mark.check("MLPScratch: trained, reaches the validation-accuracy threshold", points=3, timeout=60)
def test_mlp_training(student, image_data):
    train = student.define(train_classifier)
    patched = student.define(with_grader_relu)
    n_inputs = image_data.train_X[0].numel()
    settings = TRAINING[image_data.name]
    model_args = [n_inputs, 10, settings["num_hiddens"], settings["lr"], settings["sigma"]]
    params = patched(train, student.MLPScratch, model_args, "logits", image_data.train_X, image_data.train_y,
                     seed=0, lr=settings["lr"], epochs=settings["epochs"], batch_size=settings["batch_size"],
                     keep=list(MLP))
    accuracy = classifier_accuracy(params, MLP, image_data.val_X, image_data.val_y)
    threshold = THRESHOLDS[image_data.name]
    expect(accuracy >= threshold,
           _("MLPScratch{model_args} trained with cross-entropy on its logits ({epochs} epochs, lr "
             "{lr}, batch {batch_size}) reaches a validation accuracy of {accuracy} (the learned W1, "
             "b1, W2, b2 under the contract's forward); at least {threshold} is needed")
           .format(model_args=tuple(model_args), epochs=settings['epochs'], lr=settings['lr'], batch_size=settings['batch_size'], accuracy=f"{accuracy:.3f}", threshold=threshold))


def network_gradients(reference, X, y, W1, W2, lambd):
    """dJ/dW1, dJ/dW2 of D2L 5.3's network, by autograd of the reference's relu, in float64."""
    X = X.double()
    W1 = W1.double().requires_grad_(True)
    W2 = W2.double().requires_grad_(True)
    O = reference.relu(X @ W1.T) @ W2.T
    J = torch.nn.functional.cross_entropy(O, y) + lambd / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    J.backward()
    return W1.grad, W2.grad


@mistake
def mean_softmax_grad(O, y):
    return (torch.softmax(O, dim=1) - torch.nn.functional.one_hot(y, O.shape[1]).to(O.dtype)) / len(O)


@mistake
def summed_softmax_grad(O, y):
    return mean_softmax_grad(O, y) * len(O)


@mistake
def logits_grad(O, y):
    return (O - torch.nn.functional.one_hot(y, O.shape[1]).to(O.dtype)) / len(O)


@mistake
def relu_indicator(Z):
    return (Z > 0).to(Z.dtype)


@mistake
def hand_gradients(X, y, W1, W2, lambd, output_grad=mean_softmax_grad, relu_grad=relu_indicator, decay=1.0):
    """(dW1, dW2) of D2L 5.3's network by the chain rule, with one step possibly done wrong."""
    X = X.reshape(len(X), -1)
    Z = X @ W1.T
    H = reference_relu(Z)
    dO = output_grad(H @ W2.T, y)
    dZ = (dO @ W2) * relu_grad(Z)
    return dZ.T @ X + decay * lambd * W1, dO.T @ H + decay * lambd * W2


@mistake
def backprop_swapped(X, y, W1, W2, lambd):
    dW1, dW2 = hand_gradients(X, y, W1, W2, lambd)
    return dW2, dW1


@mistake
def backprop_of_summed_loss(X, y, W1, W2, lambd):
    return hand_gradients(X, y, W1, W2, lambd, output_grad=summed_softmax_grad)


@mistake
def backprop_without_softmax(X, y, W1, W2, lambd):
    return hand_gradients(X, y, W1, W2, lambd, output_grad=logits_grad)


@mistake
def backprop_without_decay(X, y, W1, W2, lambd):
    return hand_gradients(X, y, W1, W2, lambd, decay=0.0)


@mistake
def backprop_with_half_decay(X, y, W1, W2, lambd):
    return hand_gradients(X, y, W1, W2, lambd, decay=0.5)


@mistake
def backprop_times_relu(X, y, W1, W2, lambd):
    return hand_gradients(X, y, W1, W2, lambd, relu_grad=reference_relu)


BACKPROP_MISTAKES = {
    N_("You return (dW2, dW1): the pair comes in the order (dW1, dW2)"): backprop_swapped,
    N_("The gradient of the loss is not divided by n: the loss is the mean over the examples"):
        backprop_of_summed_loss,
    N_("It looks like the softmax is missing from the gradient of the logits"): backprop_without_softmax,
    N_("The weight-decay terms are missing: the penalty on W1 and W2 has a gradient too"): backprop_without_decay,
    N_("The weight-decay terms are halved: the 1/2 of the penalty cancels when you differentiate "
       "the square"):
        backprop_with_half_decay,
    N_("The ReLU step multiplies by relu(Z) itself rather than by the derivative of relu"): backprop_times_relu,
}


def check_backprop(student, reference, X, y, W1, W2, lambd, text):
    patched = student.define(with_grader_relu)
    got = patched(student.backprop, X, y, W1, W2, lambd)
    expected = network_gradients(reference, X, y, W1, W2, lambd)
    call = _("backprop(X, y, W1, W2, lambd={lambd}) with {text}").format(lambd=lambd, text=_(text))
    mistakes = mistake_answers(BACKPROP_MISTAKES, X, y, W1, W2, lambd)
    expect(isinstance(got, (tuple, list)) and len(got) == 2,
           _("{call} should return a pair (dW1, dW2), got {name}").format(call=call, name=type(got).__name__))
    try:
        for i, name in enumerate(("dW1", "dW2")):
            expect_close(got[i], expected[i], dtype=X.dtype, ops=64, call=f"{call}, {name}")
    except AssertionError as failed:  # the check's verdict of a wrong answer
        says = diagnosis(tuple(got), mistakes, ops=64, dtype=X.dtype)
        if says is None:
            raise
        fail(f"{failed}. {says}")


# X is (n, d) and logits are of moderate size, as the contract says (no stable softmax is asked for).
@pytest.mark.check("backprop: matches autograd of the network at several lambd, float32 and float64", points=4)
def test_backprop_values(student, reference):
    torch.manual_seed(seeded(0))
    X, y = torch.randn(7, 5), torch.tensor([0, 1, 2, 3, 0, 1, 2])
    W1, W2 = torch.randn(6, 5), torch.randn(4, 6)
    for lambd in (0.0, 0.1, 1.0):
        check_backprop(student, reference, X, y, W1, W2, lambd,
                       "X = torch.randn(7, 5), W1 = torch.randn(6, 5), W2 = torch.randn(4, 6)")
    check_backprop(student, reference, X.double(), y, W1.double(), W2.double(), 0.1,
                   "the same X, W1, W2 as float64 tensors")


@pytest.mark.check("backprop: edge cases (one example, float64, not contiguous, small values)", points=1,
                   hidden=True)
def test_backprop_edge_cases(student, reference):
    torch.manual_seed(seeded(1))
    check_backprop(student, reference, torch.randn(1, 4), torch.tensor([2]), torch.randn(3, 4),
                   torch.randn(3, 3), 0.5, "one example, X = torch.randn(1, 4)")
    check_backprop(student, reference, torch.randn(6, 5, dtype=torch.float64), torch.randint(0, 3, (6,)),
                   torch.randn(4, 5, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64), 0.1,
                   "float64 tensors")
    check_backprop(student, reference, torch.randn(5, 4), torch.randint(0, 3, (5,)), torch.randn(4, 6).T,
                   torch.randn(6, 3).T, 0.2, "W1 = torch.randn(4, 6).T, W2 = torch.randn(6, 3).T (not contiguous)")
    check_backprop(student, reference, 1e-4 * torch.randn(6, 4), torch.randint(0, 3, (6,)),
                   torch.randn(5, 4), torch.randn(3, 5), 0.0, "X = 1e-4 * torch.randn(6, 4) (tiny values)")


@pytest.mark.check("backprop: leaves its inputs unchanged", condition=True)
def test_backprop_inputs_unchanged(student):
    patched = student.define(with_grader_relu)
    args = [torch.randn(5, 4), torch.tensor([0, 1, 2, 0, 1]), torch.randn(6, 4), torch.randn(3, 6), 0.1]
    expect_inputs_unchanged(student, "backprop", args, names=["X", "y", "W1", "W2"],
                            call="backprop(X, y, W1, W2, lambd)", wrap=patched)


@pytest.mark.check("backprop: computes by hand, without autograd", condition=True)
def test_backprop_no_autograd(student):
    patched = student.define(with_grader_relu)
    args = [torch.randn(3, 4), torch.tensor([0, 1, 0]), torch.randn(5, 4), torch.randn(2, 5), 0.1]
    uses = builtin_uses(student, "backprop", AUTOGRAD, args, wrap=patched) or \
        autograd_uses(student, "backprop", args, wrap=patched)
    if uses:
        fail(_("backprop uses {uses}; derive the gradients by hand").format(uses=uses[0]))
