# idiom: torch.softmax in forward (the ban covers softmax and cross_entropy only)
import torch


class SoftmaxRegressionScratch:
    """Softmax regression with explicit parameters W and b."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        return torch.softmax(X.reshape(X.shape[0], -1) @ self.W + self.b, dim=1)

    def parameters(self):
        return [self.W, self.b]
