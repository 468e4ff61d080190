"""mistake: I forgot to flatten the images, so X @ W fails on a batch of shape (n, 1, 8, 8).

says: runs on rows of 64 pixels but not on images of shape (5, 1, 8, 8)
"""
import torch


class SoftmaxRegressionScratch:
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        return softmax(X @ self.W + self.b)

    def parameters(self):
        return [self.W, self.b]
