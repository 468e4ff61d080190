"""Grader functions that checks run inside the student's kernel, for any course (public: nothing
here is an answer; a course's own, answers included, live in its `[checks] path`, e.g.
course/lib/d2l_course/in_kernel.py, and are sent the same way, with this module's text before theirs).

A check sends one of these with `student.define(train_classifier)`: the text of this whole
module is executed in a private namespace in the kernel, so the functions may call each other,
and a handle on the named function comes back. Hence the rule for this file: it imports only the
standard library, torch and IPython, and nothing of the grader.

Training runs the student's model on the training images and returns only the trained
parameters; validation images never enter the kernel: the grading process runs the course's own
forward of the model on them and computes accuracy there (course/lib/d2l_course/models.py).

`source_of` and `torch_calls` tell the grading process, as plain strings, what a student's
function is made of: its source as the kernel holds it, and the torch functions it calls.
"""

import copy
import inspect
import sys
import textwrap
import types

import torch
from torch.overrides import TorchFunctionMode


def minibatches(n, batch_size, epochs, seed):
    """D2L's shuffled minibatches: the indices of each batch, epoch after epoch."""
    order = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        permutation = torch.randperm(n, generator=order)
        for start in range(0, n, batch_size):
            yield permutation[start:start + batch_size]


def train_classifier(Model, model_args, loss, train_X, train_y, lr, epochs, batch_size, seed, keep):
    """Minibatch SGD as in D2L; returns the trained parameters named in `keep`, as plain tensors.

    loss "logits": torch's cross-entropy on the logits forward returns; "probabilities": torch's
    negative log-likelihood of the probabilities it returns; a function: that loss (a course's
    own, or the student's cross_entropy training the grader's own model)."""
    torch.manual_seed(seed)
    model = Model(*model_args)
    losses = {"logits": torch.nn.functional.cross_entropy,
              "probabilities": lambda y_hat, y: torch.nn.functional.nll_loss(torch.log(y_hat), y)}
    loss_fn = losses[loss] if isinstance(loss, str) else loss
    for batch in minibatches(len(train_X), batch_size, epochs, seed):
        loss = loss_fn(model.forward(train_X[batch]), train_y[batch])
        params = list(model.parameters())
        for p in params:
            p.grad = None
        loss.backward()
        if any(p.grad is None for p in params):
            raise ValueError("a parameter from model.parameters() got no gradient: is it a leaf tensor "
                             "with requires_grad=True, used by forward?")
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
    return {name: torch.Tensor.clone(torch.Tensor.detach(getattr(model, name))) for name in keep}


def _text_of(obj):
    try:
        return textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError):
        return None


def _global_names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def source_of(obj):
    """What the kernel holds under a graded name, as plain data: {"source": its source (None when
    there is none, e.g. made by exec), "module": where it was defined, "name": its qualified name,
    "helpers": {global name: source} of the notebook's own functions and classes it refers to
    (followed), "refers": {global name: "module.name"} of library callables it refers to}."""
    found = {"source": _text_of(obj), "module": str(getattr(obj, "__module__", "") or ""),
             "name": str(getattr(obj, "__qualname__", "") or getattr(obj, "__name__", "")),
             "helpers": {}, "refers": {}}
    pending, seen = [obj], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        functions = [current] if isinstance(current, types.FunctionType) else \
            [v for v in vars(current).values() if isinstance(v, types.FunctionType)] if isinstance(current, type) else []
        for function in functions:
            for name in _global_names(function.__code__):
                value = function.__globals__.get(name)
                module = str(getattr(value, "__module__", "") or "")
                if isinstance(value, (types.FunctionType, type)) and module == function.__module__:
                    if value is not obj and name not in found["helpers"]:
                        found["helpers"][name] = _text_of(value) or ""
                        pending.append(value)
                elif callable(value) and module.split(".")[0] == "torch":
                    found["refers"][name] = f"{module}.{getattr(value, '__name__', '')}"
    return found


class CallRecorder(TorchFunctionMode):
    """Records the name of every torch function, method and module call made under it (torch's
    public `__torch_function__` modes see them however they are reached: an alias, getattr, exec)."""

    def __init__(self):
        super().__init__()
        self.names = set()

    def __torch_function__(self, func, kinds, args=(), kwargs=None):
        """Note the torch function, then run it as asked."""
        self.names.add(str(getattr(func, "__name__", "") or getattr(func, "__qualname__", "")))
        return func(*args, **(kwargs or {}))


def torch_calls(function, *args):
    """What function(*args) is made of, as plain strings: {"calls": names of the torch functions it
    called, "history": the autograd nodes behind its result when its floating inputs require
    grad (its own call; [] when that call fails), "graph_in_result": a returned tensor has a
    history although no input required grad, "inputs_touched": an input got a .grad or had its
    requires_grad flag changed}."""
    flags = [a.requires_grad if isinstance(a, torch.Tensor) else None for a in args]
    recorder = CallRecorder()
    with recorder:
        result = function(*args)
    outputs = result if isinstance(result, (tuple, list)) else [result]
    report = {"calls": sorted(recorder.names), "history": [],
              "graph_in_result": any(isinstance(o, torch.Tensor) and o.grad_fn is not None for o in outputs),
              "inputs_touched": any(isinstance(a, torch.Tensor) and (a.grad is not None or a.requires_grad != flag)
                                    for a, flag in zip(args, flags))}
    leaves = [a.detach().clone().requires_grad_(True) if isinstance(a, torch.Tensor) and a.is_floating_point()
              else a for a in args]
    try:
        result = function(*leaves)
    except Exception:  # the history is a second signal; the calls stand
        return report
    pending = [o.grad_fn for o in (result if isinstance(result, (tuple, list)) else [result])
               if isinstance(o, torch.Tensor) and o.grad_fn is not None]
    history, seen = set(), set()
    while pending:
        node = pending.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        history.add(type(node).__name__)
        pending.extend(next_node for next_node, _ in node.next_functions)
    report["history"] = sorted(history)
    return report


def parameters_report(model, names):
    """What model.parameters() gives, as plain data: how many, and whether each is the very
    tensor model.<name> in `names`' order (any iterable is accepted: a list, a generator)."""
    params = list(model.parameters())
    return {"count": len(params), "same": [p is getattr(model, n, None) for p, n in zip(params, names)]}


def call_with_copies(function, args):
    """Call function(*args); return copies of the arguments from before and the arguments after."""
    before = copy.deepcopy(args)
    function(*args)
    return before, args


def notebook_namespace():
    """The notebook's global names: the kernel's user namespace (`__main__` outside a kernel)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except Exception:  # outside a kernel
        pass
    return sys.modules["__main__"].__dict__


def with_names(bound, function, *args, **kwargs):
    """Call function(*args, **kwargs) while the notebook's global names are bound to the
    objects of `bound` ({name: object}), restored after: a course binds its own versions of
    the helpers a student's function calls, so that a check judges that function alone."""
    namespace = notebook_namespace()
    missing = object()
    saved = {name: namespace.get(name, missing) for name in bound}
    namespace.update(bound)
    try:
        return function(*args, **kwargs)
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value
