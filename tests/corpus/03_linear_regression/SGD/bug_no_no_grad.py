"""mistake: I copied the book's step without torch.no_grad(), so the in-place update of a leaf raises.

says: inside a torch.no_grad() block
"""


class SGD:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self):
        for param in self.params:
            param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
