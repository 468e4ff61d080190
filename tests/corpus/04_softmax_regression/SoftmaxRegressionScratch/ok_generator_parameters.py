# idiom: parameters() as a generator, like nn.Module's
import torch


class SoftmaxRegressionScratch:
    """Softmax regression with explicit parameters W and b."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        return softmax(X.reshape(-1, self.W.shape[0]) @ self.W + self.b)

    def parameters(self):
        yield self.W
        yield self.b
