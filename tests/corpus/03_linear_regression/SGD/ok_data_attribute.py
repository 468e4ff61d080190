# idiom: the older D2L style, updating param.data so autograd does not see it
class SGD:
    """Minibatch stochastic gradient descent."""

    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self):
        for param in self.params:
            if param.grad is not None:
                param.data -= self.lr * param.grad.data

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.data.zero_()
