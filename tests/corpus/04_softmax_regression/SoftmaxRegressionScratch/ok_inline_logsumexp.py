# idiom: the probabilities computed inline with logsumexp instead of calling softmax
import torch


class SoftmaxRegressionScratch:
    """Softmax regression with explicit parameters W and b."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        O = X.reshape(len(X), -1) @ self.W + self.b
        return torch.exp(O - torch.logsumexp(O, dim=1, keepdim=True))

    def parameters(self):
        return [self.W, self.b]
