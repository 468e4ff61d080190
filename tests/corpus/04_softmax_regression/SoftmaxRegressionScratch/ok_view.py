# idiom: view(batch, -1) for the flattening
import torch


class SoftmaxRegressionScratch:
    """Softmax regression with explicit parameters W and b."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = torch.normal(0, sigma, (num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros((num_outputs,), requires_grad=True)

    def forward(self, X):
        batch = X.shape[0]
        logits = X.view(batch, -1) @ self.W + self.b
        return softmax(logits)

    def parameters(self):
        return [self.W, self.b]
