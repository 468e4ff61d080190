"""mistake: I made b a (1, num_outputs) row instead of a vector of shape (num_outputs,).

says: b should be a vector of shape (10,), got shape (1, 10)
"""
import torch


class SoftmaxRegressionScratch:
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(1, num_outputs, requires_grad=True)

    def forward(self, X):
        return softmax(X.reshape(-1, self.W.shape[0]) @ self.W + self.b)

    def parameters(self):
        return [self.W, self.b]
