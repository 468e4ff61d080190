"""The course's own `d2l`, provided to grading kernels: `from d2l import torch as d2l`.

The real `d2l` package (1.0.3) pins old releases of numpy, pandas and matplotlib, imports
torchvision and downloads its data sets; none of that works in the grading sandbox. This package
gives the API that chapters 2 to 5 of "Dive into Deep Learning" use, written for the grader,
offline and headless, with the book's behaviour wherever a notebook's graded code relies on it
(`HyperParameters.save_hyperparameters`, `Module`, `Classifier`, `add_to_class`...).

It is course material: the grader puts its folder on the kernel's `sys.path` (the course's
`[kernel] path`), it is never installed into anyone's environment, and nothing of it is graded:
a graded name that is one of its objects (`SGD = d2l.SGD`) earns nothing.
"""

__version__ = "1.0.3+course"  # the API of d2l 1.0.3, chapters 2 to 5
