# idiom: an nn.Module with nn.Parameter attributes; parameters() is nn.Module's own
import torch
from torch import nn


class SoftmaxRegressionScratch(nn.Module):
    """Softmax regression with explicit parameters W and b."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        super().__init__()
        self.lr = lr
        self.W = nn.Parameter(torch.randn(num_inputs, num_outputs) * sigma)
        self.b = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape(X.shape[0], -1)
        return softmax(X @ self.W + self.b)
