"""In the grading kernel, what a notebook asks of the GPU is done on the CPU.

The grader has no GPU. A notebook written on Colab's GPU runtime says `.cuda()`, `.to('cuda')`,
`device='cuda'` or `torch.device('cuda')`, in its own cells and sometimes inside a graded
function, on the grader's tensors. Failing those would cost a correct function its points for
where it was written, not for what it computes; so in the grading kernel every such request gets
the CPU instead (the same numbers: the grader compares on the CPU anyway), through one torch
function mode (`torch.overrides.TorchFunctionMode`), entered as soon as the notebook imports
torch. `torch.cuda.is_available()` stays False, so code that asks first takes its CPU path.

A torch function mode costs every torch call in the kernel some microseconds, so the grader
starts it only in the kernels of a notebook whose code mentions the GPU (`cuda`, `gpu`): run as a
program (`__main__`, `grader.in_sandbox.gpu_on_cpu_bootstrap`); importing this file only defines
names.
"""

import importlib.abc
import importlib.util
import sys


def is_gpu(device):
    """Whether `device` (a text or a `torch.device`) names a CUDA device."""
    kind = getattr(device, "type", device)
    return isinstance(kind, str) and kind.split(":")[0] == "cuda"


def serve_gpu_on_cpu():
    """Enter the mode now if torch is loaded, or right after the notebook first imports it."""
    if "torch" in sys.modules:
        _enter()
    elif not any(isinstance(finder, _AfterTorch) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterTorch())


def _enter():
    import torch
    from torch.overrides import TorchFunctionMode

    class GpuOnCpu(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = dict(kwargs or {})
            if func is torch.Tensor.cuda:  # x.cuda(), x.cuda(0), module.cuda()
                kept = {key: kwargs[key] for key in ("non_blocking", "memory_format") if key in kwargs}
                return args[0].to("cpu", **kept)
            if is_gpu(kwargs.get("device")):
                kwargs["device"] = "cpu"
            return func(*("cpu" if is_gpu(arg) else arg for arg in args), **kwargs)

    GpuOnCpu().__enter__()  # for the rest of the kernel's life


class _AfterTorch(importlib.abc.MetaPathFinder):
    """Finds nothing itself: when `torch` is imported, lets the usual finders find it and enters
    the mode once its module has run."""

    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module):
            run(module)
            _enter()

        loader.exec_module = exec_module
        return spec


if __name__ == "__main__":
    serve_gpu_on_cpu()
