"""The course's own `d2l` (course/kernel/d2l), imported here as a grading kernel imports it, with
the book's code of sections 3.2 to 5.2 run against it. No kernel is started."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch
from torch import nn

KERNEL_PATH = Path(__file__).resolve().parents[2] / "course" / "kernel"


@pytest.fixture(scope="module")
def d2l():
    sys.path.insert(0, str(KERNEL_PATH))
    try:
        from d2l import torch as module

        assert Path(module.__file__).resolve().parent.parent == KERNEL_PATH  # ours, not an installed one
        yield module
    finally:
        sys.path.remove(str(KERNEL_PATH))
        for name in [n for n in sys.modules if n == "d2l" or n.startswith("d2l.")]:
            del sys.modules[name]


def test_save_hyperparameters_takes_the_callers_arguments(d2l):
    class Model(d2l.HyperParameters):
        def __init__(self, a, b, c=3, _hidden=4):
            self.save_hyperparameters(ignore=["c"])

    model = Model(1, b=torch.ones(2))
    assert model.a == 1 and torch.equal(model.b, torch.ones(2))
    assert not hasattr(model, "c") and not hasattr(model, "_hidden")
    assert set(model.hparams) == {"a", "b"}


def test_module_keeps_tensors_as_plain_attributes_and_parameters_in_order(d2l):
    class MLPScratch(d2l.Classifier):  # D2L 5.2, as the book writes it
        def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
            super().__init__()
            self.save_hyperparameters()
            self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
            self.b1 = nn.Parameter(torch.zeros(num_hiddens))
            self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
            self.b2 = nn.Parameter(torch.zeros(num_outputs))

    model = MLPScratch(64, 10, 32, lr=0.1)
    assert isinstance(model, nn.Module)
    assert [p.shape for p in model.parameters()] == [(64, 32), (32,), (32, 10), (10,)]
    assert model.num_hiddens == 32 and model.lr == 0.1 and model.sigma == 0.01
    assert model.plot_train_per_epoch == 2  # Module's own hyperparameters, saved first


def test_add_to_class_attaches_to_existing_instances_and_leaves_the_name_none(d2l):
    class A:
        pass

    a = A()

    @d2l.add_to_class(A)
    def double(self, x):
        return 2 * x

    assert double is None
    assert a.double(3) == 6


def book_linear_regression(d2l):
    """Section 3.4 as the book writes it (its SGD included)."""
    class LinearRegressionScratch(d2l.Module):
        def __init__(self, num_inputs, lr, sigma=0.01):
            super().__init__()
            self.save_hyperparameters()
            self.w = torch.normal(0, sigma, (num_inputs, 1), requires_grad=True)
            self.b = torch.zeros(1, requires_grad=True)

    @d2l.add_to_class(LinearRegressionScratch)
    def forward(self, X):
        return torch.matmul(X, self.w) + self.b

    @d2l.add_to_class(LinearRegressionScratch)
    def loss(self, y_hat, y):
        return ((y_hat - y) ** 2 / 2).mean()

    class SGD(d2l.HyperParameters):
        def __init__(self, params, lr):
            self.save_hyperparameters()

        def step(self):
            for param in self.params:
                param -= self.lr * param.grad

        def zero_grad(self):
            for param in self.params:
                if param.grad is not None:
                    param.grad.zero_()

    @d2l.add_to_class(LinearRegressionScratch)
    def configure_optimizers(self):
        return SGD([self.w, self.b], self.lr)

    return LinearRegressionScratch, SGD


def test_trainer_fits_the_books_linear_regression(d2l):
    torch.manual_seed(0)
    LinearRegressionScratch, _ = book_linear_regression(d2l)
    model = LinearRegressionScratch(2, lr=0.03)
    data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
    trainer = d2l.Trainer(max_epochs=3)
    trainer.fit(model, data)
    assert trainer.num_train_batches == 32 and trainer.num_val_batches == 32
    assert trainer.train_batch_idx == 3 * 32 and trainer.val_batch_idx == 3 * 32
    assert torch.allclose(model.w.detach().reshape(-1), torch.tensor([2, -3.4]), atol=0.5)
    assert abs(float(model.b.detach()) - 4.2) < 0.5
    losses = [point.y for point in model.board.data["train_loss"]]
    assert len(losses) == 6 and losses[-1] < losses[0] / 10  # two points an epoch, falling
    assert len(model.board.data["val_loss"]) == 3


def test_the_books_sgd_needs_its_callers_no_grad(d2l):
    _, SGD = book_linear_regression(d2l)
    for optimizer_class in (SGD, d2l.SGD):
        w = torch.ones(2, requires_grad=True)
        (w * torch.tensor([1.0, 2.0])).sum().backward()
        with pytest.raises(RuntimeError, match="in-place"):
            optimizer_class([w], lr=0.5).step()
        with torch.no_grad():
            optimizer_class([w], lr=0.5).step()
        assert torch.equal(w.detach(), torch.tensor([0.5, 0.0]))
        optimizer_class([w, torch.zeros(1, requires_grad=True)], lr=0.5).zero_grad()
        assert torch.equal(w.grad, torch.zeros(2))


def test_classifier_accuracy_and_loss(d2l):
    classifier = d2l.Classifier()
    Y_hat = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    Y = torch.tensor([1, 0, 0, 1])
    assert float(classifier.accuracy(Y_hat, Y)) == 0.5
    assert classifier.accuracy(Y_hat, Y, averaged=False).tolist() == [1.0, 1.0, 0.0, 0.0]
    expected = -torch.log_softmax(Y_hat, dim=1)[torch.arange(4), Y].mean()
    assert torch.allclose(classifier.loss(Y_hat, Y), expected)


def test_gradient_clipping_scales_the_gradient_to_the_limit(d2l):
    model = d2l.LinearRegression(lr=0.1)
    model(torch.ones(1, 2))  # the lazy layer takes its shape
    for param in model.parameters():
        param.grad = torch.full_like(param, 3.0)
    d2l.Trainer(max_epochs=1, gradient_clip_val=1.0).clip_gradients(1.0, model)
    norm = torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters()))
    assert abs(float(norm) - 1.0) < 1e-5


def test_tensorloader_shuffles_only_for_training(d2l):
    data = d2l.SyntheticRegressionData(w=torch.tensor([1.0]), b=0.0, num_train=10, num_val=6, batch_size=4)
    val = [batch[0] for batch in data.val_dataloader()]
    assert [len(x) for x in val] == [4, 2]
    assert torch.equal(torch.cat(val), data.X[10:])
    torch.manual_seed(1)
    train = torch.cat([batch[0] for batch in data.train_dataloader()])
    assert not torch.equal(train, data.X[:10]) and torch.equal(train.sort(0).values, data.X[:10].sort(0).values)


def write_idx(path: Path, array: np.ndarray, compressed: bool) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compressed else raw)


def test_fashion_mnist_reads_the_training_files_only(d2l, tmp_path, monkeypatch):
    raw = tmp_path / "data" / "FashionMNIST" / "raw"  # the book's root, '../data', seen from work/
    raw.mkdir(parents=True)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    images = np.random.default_rng(0).integers(0, 256, (60, 28, 28))
    labels = np.arange(60) % 10
    write_idx(raw / "train-images-idx3-ubyte.gz", images, compressed=True)
    write_idx(raw / "train-labels-idx1-ubyte", labels, compressed=False)
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):  # read them and it fails
        (raw / name).write_bytes(b"not an idx file")
        (raw / f"{name}.gz").write_bytes(b"not an idx file")
    data = d2l.FashionMNIST(batch_size=16)
    resized = d2l.FashionMNIST(batch_size=16, resize=(32, 32))
    X, y = next(iter(data.val_dataloader()))
    assert len(data.train) == 50 and len(data.val) == 10
    assert X.shape == (10, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert torch.allclose(X[0, 0], torch.from_numpy(images[50] / 255).float())
    assert y.tolist() == labels[50:].tolist()
    assert resized.train[0][0].shape == (1, 32, 32)
    assert data.text_labels([0, 9]) == ["t-shirt", "ankle boot"]


def test_fashion_mnist_without_files_says_it_never_downloads(d2l, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="never downloads"):
        d2l.FashionMNIST(batch_size=256)


def test_plots_draw_headless(d2l):
    x = torch.arange(0, 3, 0.1, requires_grad=True)
    d2l.plot(x, [x ** 2, 2 * x], "x", "f(x)", legend=["f", "g"])
    axes = matplotlib.pyplot.gca()
    assert len(axes.get_lines()) == 2 and axes.get_xlabel() == "x"
    assert len(d2l.show_images(torch.rand(3, 8, 8), 1, 3, titles=["a", "b", "c"])) == 3
    board = d2l.ProgressBoard(xlabel="epoch")
    for i in range(4):
        board.draw(i, float(i), "loss", every_n=2)
    assert board.data["loss"] == [(0.5, 0.5), (2.5, 2.5)]
    matplotlib.pyplot.close("all")


def test_utilities(d2l):
    assert d2l.try_gpu() == (d2l.gpu() if torch.cuda.device_count() else d2l.cpu())
    assert d2l.num_gpus() == torch.cuda.device_count()
    accumulator = d2l.Accumulator(2)
    accumulator.add(1, torch.tensor(2.0))
    accumulator.add(3, 4)
    assert (accumulator[0], accumulator[1]) == (4.0, 6.0)
    timer = d2l.Timer()
    timer.stop()
    timer.stop()
    assert len(timer.cumsum()) == 2 and timer.sum() >= timer.avg() >= 0
    assert d2l.reduce_sum(d2l.ones(3)) == 3 and d2l.numpy(d2l.tensor([1.0], requires_grad=True)).shape == (1,)


def test_import_needs_no_torchvision_network_or_display(tmp_path):
    """A fresh Python, as a kernel: no DISPLAY, no backend chosen; importing and plotting works,
    and neither torchvision nor an HTTP library is imported."""
    program = ("import sys; from d2l import torch as d2l; d2l.plot([1, 2, 3]); "
               "import matplotlib; print(matplotlib.get_backend().lower()); "
               "print(sorted(m for m in ('torchvision', 'requests', 'urllib3') if m in sys.modules))")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(KERNEL_PATH), "MPLCONFIGDIR": str(tmp_path),
           "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["agg", "[]"]


def test_check_offers_the_courses_d2l_where_none_is_installed(monkeypatch, tmp_path):
    """`from grader.in_notebook import check` in a notebook without d2l installed: the course's
    own d2l goes at the end of sys.path (an installed one would come first)."""
    from grader import in_notebook

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if not (Path(p) / "d2l").is_dir()])
    for name in [n for n in sys.modules if n == "d2l" or n.startswith("d2l.")]:
        monkeypatch.delitem(sys.modules, name)
    added = in_notebook.offer_course_d2l()  # a shipped kit's copy, or the course's own
    assert len(added) == 1 and (added[0] / "d2l" / "torch.py").read_bytes() == (KERNEL_PATH / "d2l" / "torch.py").read_bytes()
    assert sys.path[-1] == str(added[0])
    assert in_notebook.offer_course_d2l() == []  # d2l is importable now: nothing more


# The d2l names that chapters 2 to 5 of the book (1.0) use, section by section.
BOOK_NAMES = {
    "2.4 calculus": ["use_svg_display", "set_figsize", "set_axes", "plot", "plt"],
    "2.6 probability": ["set_figsize", "plt"],
    "3.1-3.2 design": ["Timer", "add_to_class", "HyperParameters", "ProgressBoard", "Module", "DataModule",
                       "Trainer"],
    "3.3-3.5 linear regression": ["SyntheticRegressionData", "LinearRegressionScratch", "SGD",
                                  "LinearRegression", "numpy", "reshape", "normal", "zeros", "matmul",
                                  "reduce_mean"],
    "4.2-4.5 classification": ["FashionMNIST", "show_images", "Classifier", "SoftmaxRegression", "astype",
                               "argmax", "float32"],
    "5.x MLPs and GPUs": ["cpu", "gpu", "num_gpus", "try_gpu", "try_all_gpus", "Accumulator", "DATA_HUB",
                          "DATA_URL", "download", "nn_Module"],
}


@pytest.mark.parametrize("section", sorted(BOOK_NAMES))
def test_the_books_names_are_there(d2l, section):
    assert [name for name in BOOK_NAMES[section] if not hasattr(d2l, name)] == []


def test_download_finds_what_is_there_and_never_fetches(d2l, tmp_path, monkeypatch):
    monkeypatch.setitem(d2l.DATA_HUB, "house", (d2l.DATA_URL + "kaggle_house_pred_train.csv", "0" * 40))
    (tmp_path / "kaggle_house_pred_train.csv").write_text("Id\n1\n")
    assert d2l.download("house", cache_dir=str(tmp_path)) == str(tmp_path / "kaggle_house_pred_train.csv")
    with pytest.raises(FileNotFoundError, match="never downloads"):
        d2l.download("house", cache_dir=str(tmp_path / "empty"))
