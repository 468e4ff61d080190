"""mistake: I multiplied by sigma after requires_grad=True, so W is not a leaf and never gets a gradient.

says: W is not a leaf tensor
"""
import torch


class SoftmaxRegressionScratch:
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = torch.randn(num_inputs, num_outputs, requires_grad=True) * sigma
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        return softmax(X.reshape(-1, self.W.shape[0]) @ self.W + self.b)

    def parameters(self):
        return [self.W, self.b]
