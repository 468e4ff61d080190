"""`from d2l import torch as d2l`: the names chapters 2 to 5 of the book use (see the package's
docstring for what this module is and is not)."""

import collections  # noqa: F401 - the book's modules are reachable as d2l.<name>
import inspect  # noqa: F401
import math  # noqa: F401
import random  # noqa: F401
import time  # noqa: F401

import numpy as np  # noqa: F401
import pandas as pd  # noqa: F401
import torch
from matplotlib import pyplot as plt  # noqa: F401
from torch import nn
from torch.nn import functional as F  # noqa: F401
from torch.utils import data  # noqa: F401

from ._base import (Accumulator, HyperParameters, Timer, add_to_class, cpu, gpu,  # noqa: F401
                    num_gpus, try_all_gpus, try_gpu)
from ._data import (DATA_HUB, DATA_URL, DataModule, FashionMNIST, SyntheticRegressionData,  # noqa: F401
                    download, download_extract)
from ._models import (SGD, Classifier, LinearRegression, LinearRegressionScratch,  # noqa: F401
                      Module, SoftmaxRegression, Trainer)
from ._plotting import (ProgressBoard, plot, set_axes, set_figsize, show_images,  # noqa: F401
                        use_svg_display)

nn_Module = nn.Module

# The book's framework-neutral spellings of torch's functions.
ones_like = torch.ones_like
ones = torch.ones
zeros_like = torch.zeros_like
zeros = torch.zeros
tensor = torch.tensor
arange = torch.arange
meshgrid = torch.meshgrid
sin = torch.sin
sinh = torch.sinh
cos = torch.cos
cosh = torch.cosh
tanh = torch.tanh
linspace = torch.linspace
exp = torch.exp
log = torch.log
normal = torch.normal
rand = torch.rand
randn = torch.randn
matmul = torch.matmul
int32 = torch.int32
int64 = torch.int64
float32 = torch.float32
concat = torch.cat
stack = torch.stack
abs = torch.abs
eye = torch.eye
sigmoid = torch.sigmoid
batch_matmul = torch.bmm


def numpy(x, *args, **kwargs):
    return x.detach().numpy(*args, **kwargs)


def size(x, *args, **kwargs):
    return x.numel(*args, **kwargs)


def reshape(x, *args, **kwargs):
    return x.reshape(*args, **kwargs)


def to(x, *args, **kwargs):
    return x.to(*args, **kwargs)


def reduce_sum(x, *args, **kwargs):
    return x.sum(*args, **kwargs)


def reduce_mean(x, *args, **kwargs):
    return x.mean(*args, **kwargs)


def argmax(x, *args, **kwargs):
    return x.argmax(*args, **kwargs)


def astype(x, *args, **kwargs):
    return x.type(*args, **kwargs)


def transpose(x, *args, **kwargs):
    return x.t(*args, **kwargs)


def expand_dims(x, *args, **kwargs):
    return x.unsqueeze(*args, **kwargs)


def swapaxes(x, *args, **kwargs):
    return x.swapaxes(*args, **kwargs)


def repeat(x, *args, **kwargs):
    return x.repeat(*args, **kwargs)


def get_fashion_mnist_labels(labels):
    return FashionMNIST.text_labels(None, labels)
