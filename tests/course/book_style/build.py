"""Writes the book-style notebooks of this folder: the assignments 03, 04 and 05 answered the way
a student copies "Dive into Deep Learning" (1.0) into them, d2l and all. Run it after changing
it: `python tests/course/book_style/build.py`.

Each notebook starts as the book's do in Colab (`!pip install d2l==1.0.3`), imports
`from d2l import torch as d2l`, and holds the book's own code of sections 3.4, 4.4 and 5.2: its
classes on `d2l.HyperParameters`, `d2l.Module` and `d2l.Classifier`, methods attached in later
cells with `@d2l.add_to_class`, and `d2l.Trainer(...).fit(model, data)` on the book's data
modules. The graded functions the book does not write as functions (`linreg`, `squared_loss`,
`accuracy`, `backprop`) are written in its style. Two graded functions are the book's exactly
and break the assignment's contract: `SGD.step` (no `torch.no_grad()` of its own) and
`softmax` (no max shift); `FIXES` holds what a student changes to follow the contract.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
START = ["!pip install d2l==1.0.3",
         "%matplotlib inline\nimport torch\nfrom torch import nn\nfrom torch.nn import functional as F\n"
         "from d2l import torch as d2l"]
CHECK = ("try:\n    from grader.in_notebook import check\nexcept ImportError:\n"
         "    def check(function=None):\n        print('checks are not available here')")

BOOK_SGD = '''class SGD(d2l.HyperParameters):  #@save
    """Minibatch stochastic gradient descent."""
    def __init__(self, params, lr):
        self.save_hyperparameters()

    def step(self):
        for param in self.params:
            param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()'''

BOOK_SOFTMAX = '''def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdims=True)
    return X_exp / partition  # The broadcasting mechanism is applied here'''

FIXES = {  # the book's text -> what the assignment's contract asks instead
    BOOK_SGD: BOOK_SGD.replace("        for param in self.params:\n            param -= self.lr * param.grad",
                               "        with torch.no_grad():\n            for param in self.params:\n"
                               "                param -= self.lr * param.grad"),
    BOOK_SOFTMAX: BOOK_SOFTMAX.replace("X_exp = torch.exp(X)",
                                       "X_exp = torch.exp(X - X.max(1, keepdims=True).values)"),
}

LINEAR_REGRESSION = [
    '''def linreg(X, w, b):  #@save
    """The linear regression model."""
    return torch.matmul(X, w) + b''',
    '''def squared_loss(y_hat, y):  #@save
    """Squared loss, averaged over the minibatch."""
    l = (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
    return l.mean()''',
    '''class LinearRegressionScratch(d2l.Module):  #@save
    """The linear regression model implemented from scratch."""
    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.w = torch.normal(0, sigma, (num_inputs, 1), requires_grad=True)
        self.b = torch.zeros(1, requires_grad=True)''',
    '''@d2l.add_to_class(LinearRegressionScratch)  #@save
def forward(self, X):
    return linreg(X, self.w, self.b)''',
    '''@d2l.add_to_class(LinearRegressionScratch)  #@save
def loss(self, y_hat, y):
    return squared_loss(y_hat, y)''',
    BOOK_SGD,
    CHECK,
    'check("SGD")',
    '''@d2l.add_to_class(LinearRegressionScratch)  #@save
def configure_optimizers(self):
    return SGD([self.w, self.b], self.lr)''',
    '''@d2l.add_to_class(d2l.Trainer)  #@save
def prepare_batch(self, batch):
    return batch

@d2l.add_to_class(d2l.Trainer)  #@save
def fit_epoch(self):
    self.model.train()
    for batch in self.train_dataloader:
        loss = self.model.training_step(self.prepare_batch(batch))
        self.optim.zero_grad()
        with torch.no_grad():
            loss.backward()
            if self.gradient_clip_val > 0:  # To be discussed later
                self.clip_gradients(self.gradient_clip_val, self.model)
            self.optim.step()
        self.train_batch_idx += 1
    if self.val_dataloader is None:
        return
    self.model.eval()
    for batch in self.val_dataloader:
        with torch.no_grad():
            self.model.validation_step(self.prepare_batch(batch))
        self.val_batch_idx += 1''',
    '''model = LinearRegressionScratch(2, lr=0.03)
data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
trainer = d2l.Trainer(max_epochs=3)
trainer.fit(model, data)''',
    '''with torch.no_grad():
    print(f'error in estimating w: {data.w - model.w.reshape(data.w.shape)}')
    print(f'error in estimating b: {data.b - model.b}')''',
]

SOFTMAX_REGRESSION = [
    BOOK_SOFTMAX,
    '''X = torch.rand((2, 5))
X_prob = softmax(X)
X_prob, X_prob.sum(1)''',
    '''class SoftmaxRegressionScratch(d2l.Classifier):
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs),
                              requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def parameters(self):
        return [self.W, self.b]''',
    '''@d2l.add_to_class(SoftmaxRegressionScratch)
def forward(self, X):
    X = X.reshape((-1, self.W.shape[0]))
    return softmax(torch.matmul(X, self.W) + self.b)''',
    '''def cross_entropy(y_hat, y):
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()

y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
cross_entropy(y_hat, y)''',
    '''@d2l.add_to_class(SoftmaxRegressionScratch)
def loss(self, y_hat, y):
    return cross_entropy(y_hat, y)''',
    '''def accuracy(y_hat, y):
    """The fraction of correct predictions, as d2l.Classifier.accuracy computes it."""
    preds = y_hat.argmax(axis=1).type(y.dtype)
    compare = (preds == y.reshape(-1)).type(torch.float32)
    return compare.mean()''',
    CHECK,
    'check("softmax")',
    '''data = d2l.FashionMNIST(batch_size=256)
model = SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1)
trainer = d2l.Trainer(max_epochs=10)
trainer.fit(model, data)''',
    '''X, y = next(iter(data.val_dataloader()))
preds = model(X).argmax(axis=1)
preds.shape''',
]

MLP = [
    '''def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)''',
    '''class MLPScratch(d2l.Classifier):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))''',
    '''@d2l.add_to_class(MLPScratch)
def forward(self, X):
    X = X.reshape((-1, self.num_inputs))
    H = relu(torch.matmul(X, self.W1) + self.b1)
    return torch.matmul(H, self.W2) + self.b2''',
    '''model = MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1)
data = d2l.FashionMNIST(batch_size=256)
trainer = d2l.Trainer(max_epochs=10)
trainer.fit(model, data)''',
    '''def backprop(X, y, W1, W2, lambd):
    """The gradients of section 5.3's network, by the chain rule of its computational graph."""
    n = X.shape[0]
    Z = X @ W1.T
    H = relu(Z)
    O = H @ W2.T
    P = torch.exp(O) / torch.exp(O).sum(1, keepdims=True)
    dO = (P - F.one_hot(y, O.shape[1]).to(O.dtype)) / n
    dW2 = dO.T @ H + lambd * W2
    dZ = (dO @ W2) * (Z > 0).to(Z.dtype)
    dW1 = dZ.T @ X + lambd * W1
    return dW1, dW2''',
    CHECK,
    "check()",
]

NOTEBOOKS = {"03_linear_regression": LINEAR_REGRESSION, "04_softmax_regression": SOFTMAX_REGRESSION,
             "05_mlp": MLP}


def notebook(assignment: str, fixed: bool = False) -> nbformat.NotebookNode:
    """The book-style notebook of `assignment`; `fixed`: with FIXES applied."""
    sources = [FIXES.get(source, source) if fixed else source for source in START + NOTEBOOKS[assignment]]
    cells = [nbformat.v4.new_markdown_cell(f"# {assignment}, answered in the book's own style (D2L 1.0)")]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    return nbformat.v4.new_notebook(cells=cells, metadata={
        "grader": {"assignment": assignment},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})


def main() -> None:
    for assignment in NOTEBOOKS:
        nbformat.write(notebook(assignment), HERE / f"{assignment}.ipynb")


if __name__ == "__main__":
    main()
