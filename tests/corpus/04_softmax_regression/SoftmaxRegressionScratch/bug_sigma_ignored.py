"""mistake: I hard-coded a standard deviation of 0.01 for W and ignored sigma.

says: W should be drawn with standard deviation sigma=0.5
"""
import torch


class SoftmaxRegressionScratch:
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        return softmax(X.reshape(-1, self.W.shape[0]) @ self.W + self.b)

    def parameters(self):
        return [self.W, self.b]
