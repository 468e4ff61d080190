"""mistake: my forward returns the logits X W + b and forgets the softmax.

says: your forward returns the logits
"""
import torch


class SoftmaxRegressionScratch:
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        return X.reshape(-1, self.W.shape[0]) @ self.W + self.b

    def parameters(self):
        return [self.W, self.b]
