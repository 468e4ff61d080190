"""GPU requests in the grading kernel get the CPU (grader/in_sandbox/gpu_on_cpu.py), whether torch
was loaded before (a warm kernel) or is imported by the notebook later; only for notebooks that
mention the GPU. Each case runs in a Python of its own: the mode lasts for the process's life."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from grader.in_sandbox import gpu_on_cpu_bootstrap
from grader.submission.notebook import load_notebook

REQUESTS = """
import json
import torch
x = torch.ones(2, requires_grad=True)
model = torch.nn.Linear(2, 1).cuda()
moved = torch.nn.Linear(2, 1).to("cuda:0")
y = (x.cuda() * 2 + torch.zeros(2, device="cuda") + x.to(torch.device("cuda"))).sum()
y.backward()
print(json.dumps([str(t.device) for t in (x.cuda(0), x.to("cuda", non_blocking=True), next(model.parameters()),
                                          next(moved.parameters()), torch.tensor([1.0], device="cuda"))]
                 + [x.grad.tolist(), torch.cuda.is_available(), str(x.to(torch.float64).dtype)]))
"""


@pytest.mark.parametrize("torch_first", [False, True])
def test_gpu_requests_get_the_cpu(torch_first):
    program = ("import torch\n" if torch_first else "") + gpu_on_cpu_bootstrap() + "\n" + REQUESTS
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == ["cpu"] * 5 + [[3.0, 3.0], False, "torch.float64"]


def test_without_it_a_gpu_request_fails_here():
    """The control: this machine has no GPU, so the requests above would raise."""
    done = subprocess.run([sys.executable, "-c", "import torch; torch.ones(1).cuda()"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0


def test_only_a_notebook_that_mentions_the_gpu_gets_it(tmp_path):
    """The mode costs every torch call microseconds: a notebook that never mentions the GPU runs without it."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    def asks(*cells: str) -> bool:
        path = tmp_path / "n.ipynb"
        nbformat.write(new_notebook(cells=[new_markdown_cell("CUDA is not needed"), *map(new_code_cell, cells)]), path)
        return load_notebook(path).asks_for_gpu

    assert not asks("import torch\nx = torch.ones(2)", "def softmax(X):\n    return X")
    assert asks("device = torch.device('cuda')")
    assert asks("X = X.to(d2l.try_gpu())")
