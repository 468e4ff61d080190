"""Measure what the training and forward checks' thresholds rest on.

Runs the checks' own training functions (grader/in_sandbox/helpers.py and the course's
course/lib/d2l_course/in_kernel.py, from the text the checks send into the kernel) in this process, with one thread as in the kernels, on the reference
solutions (grader.checking.reference.load_reference) over seeds 0-4 and on known-broken
variants, and prints a table. Accuracy is computed as the checks do: on the trained parameters,
with the grader's own forward of the contract's model. Each threshold in checks/*.py must be cleared by the
reference on every seed with margin and missed by the broken variants meant to fail it.

    python tools/measure_thresholds.py [--data FOLDER_WITH_FASHION_MNIST] [--seeds 0 1 2 3 4]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"  # the built-in D2L course
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(COURSE / "lib"))  # the course's own modules (course.toml's [checks] path)

from d2l_course.data import load_image_data  # noqa: E402
from d2l_course.in_kernel import cross_entropy, train_linear_regression  # noqa: E402
from d2l_course.models import MLP, SOFTMAX_REGRESSION, classifier_accuracy, regression_error  # noqa: E402
from d2l_course.models import synthetic_regression_data  # noqa: E402
from grader.check_tools import train_classifier  # noqa: E402
from grader.checking.reference import load_reference  # noqa: E402
from grader.checking.sending import source_to_send  # noqa: E402

REBINDING_UPDATE = ("p -= lr * p.grad", "p = p - lr * p.grad")


def harness(function: Callable, replace: tuple[str, str] | None = None) -> Callable:
    """`function` as the kernel gets it (from the text `student.define` sends), with one edit."""
    source, name = source_to_send(function)
    if replace is not None:
        assert replace[0] in source, replace
        source = source.replace(*replace)
    namespace: dict = {"__name__": "harness"}
    exec(compile(source, f"<harness {name}>", "exec"), namespace)  # noqa: S102 - our own helpers
    return namespace[name]


def check_module(stem: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(f"checks_{stem}", COURSE / "checks" / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference(stem: str) -> types.ModuleType:
    return load_reference(COURSE / "solutions" / f"{stem}.ipynb")


# -- broken variants --------------------------------------------------------------------------

def rebinding_sgd(SGD):
    class RebindingSGD(SGD):
        def step(self):
            with torch.no_grad():
                for param in self.params:
                    param = param - self.lr * param.grad  # the bug: a local name only
    return RebindingSGD


def mlp_without_activation(MLPScratch):
    class Linear(MLPScratch):
        def forward(self, X):
            X = X.reshape(-1, self.W1.shape[0])
            return (X @ self.W1 + self.b1) @ self.W2 + self.b2
    return Linear


def softmax_regression_without_softmax(Model):
    class Logits(Model):
        def forward(self, X):
            return X.reshape(len(X), -1) @ self.W + self.b
    return Logits


# -- measurements -----------------------------------------------------------------------------

def timed(run):
    started = time.process_time()
    value = run()
    return value, time.process_time() - started


def measure_linear_regression(seeds):
    checks, ref = check_module("03_linear_regression"), reference("03_linear_regression")
    train = harness(train_linear_regression)
    rows = []
    for label, SGD in (("reference", ref.SGD), ("SGD.step rebinds param", rebinding_sgd(ref.SGD))):
        for seed in seeds:
            X, y, true_w, true_b = synthetic_regression_data(seed)
            (w, b), seconds = timed(lambda: train(SGD, X, y, seed=seed, **checks.TRAINING))
            rows.append(("03 SGD training: max |error| of w, b", label, seed,
                         regression_error(w, b, true_w, true_b), seconds))
    return rows, f"<= {checks.MAX_ERROR}"


def measure_classifier(stem, data, seeds):
    checks, ref = check_module(stem), reference(stem)
    settings = checks.TRAINING[data.name]
    n_inputs = data.train_X[0].numel()
    train = harness(train_classifier)
    rebinding = harness(train_classifier, REBINDING_UPDATE)
    if stem == "04_softmax_regression":
        args = [n_inputs, 10, settings["lr"]]
        variants = [("reference", ref.SoftmaxRegressionScratch, train),
                    ("forward without softmax", softmax_regression_without_softmax(ref.SoftmaxRegressionScratch),
                     train),
                    ("update rebinds param", ref.SoftmaxRegressionScratch, rebinding)]
        loss, names = harness(cross_entropy), SOFTMAX_REGRESSION  # the course's, as its check sends it
        training = dict(lr=settings["lr"], epochs=settings["epochs"], batch_size=settings["batch_size"])
    else:
        args = [n_inputs, 10, settings["num_hiddens"], settings["lr"], settings["sigma"]]
        variants = [("reference", ref.MLPScratch, train),
                    ("forward without activation", mlp_without_activation(ref.MLPScratch), train),
                    ("update rebinds param", ref.MLPScratch, rebinding)]
        loss, names = "logits", MLP
        training = dict(lr=settings["lr"], epochs=settings["epochs"], batch_size=settings["batch_size"])
    rows = []
    for label, Model, run in variants:
        for seed in seeds:
            params, seconds = timed(lambda: run(Model, args, loss, data.train_X, data.train_y, seed=seed,
                                                keep=list(names), **training))
            rows.append((f"{stem[:2]} training on {data.name}: validation accuracy", label, seed,
                         classifier_accuracy(params, names, data.val_X, data.val_y), seconds))
    return rows, f">= {checks.THRESHOLDS[data.name]}"


def measure_mlp_forward(seeds):
    """The forward check's largest difference, for the reference and an MLP without activation."""
    ref = reference("05_mlp")
    rows = []
    for label, Model in (("reference", ref.MLPScratch), ("forward without activation",
                                                         mlp_without_activation(ref.MLPScratch))):
        for seed in seeds:
            torch.manual_seed(seed)
            model = Model(64, 10, 32, 0.1, sigma=1.0)
            generator = torch.Generator().manual_seed(seed)
            with torch.no_grad():
                for bias in (model.b1, model.b2):
                    bias.copy_(torch.randn(bias.shape, generator=generator))
            X = torch.rand(5, 1, 8, 8)
            with torch.no_grad():
                got = model.forward(X)
                expected = torch.clamp(X.reshape(5, -1) @ model.W1 + model.b1, min=0) @ model.W2 + model.b2
            rows.append(("05 MLP forward check: max |difference|", label, seed,
                         float((got - expected).abs().max()), 0.0))
    return rows, "<= 32 x 2**-23 x max |expected| (the checks' tolerance rule, ops=32)"


def print_table(title, rows, threshold):
    print(f"\n{title}   (threshold {threshold})")
    by_label: dict[str, list] = {}
    for _, label, seed, value, seconds in rows:
        by_label.setdefault(label, []).append((seed, value, seconds))
    for label, found in by_label.items():
        values = " ".join(f"{value:.4f}" for _, value, _ in found)
        low, high = min(v for _, v, _ in found), max(v for _, v, _ in found)
        slowest = max(s for _, _, s in found)
        print(f"  {label:30s} seeds {[s for s, _, _ in found]}: {values}  (min {low:.4f}, max {high:.4f}; "
              f"slowest run {slowest:.2f} s CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="folder with the four Fashion-MNIST files")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    options = parser.parse_args()
    torch.set_num_threads(1)  # as in the kernels
    rows, threshold = measure_linear_regression(options.seeds)
    print_table("03_linear_regression: SGD training", rows, threshold)
    rows, threshold = measure_mlp_forward(options.seeds)
    print_table("05_mlp: MLPScratch forward check", rows, threshold)
    datasets = [load_image_data(None) if options.data is None else load_image_data(options.data)]
    for data in datasets:
        for stem in ("04_softmax_regression", "05_mlp"):
            rows, threshold = measure_classifier(stem, data, options.seeds)
            print_table(f"{stem}: training on {data.name}", rows, threshold)
    if options.data is None:
        print("\nFashion-MNIST: not measured (pass --data FOLDER with its four *-ubyte.gz files); "
              "its thresholds in checks/ are estimates.")


if __name__ == "__main__":
    main()
