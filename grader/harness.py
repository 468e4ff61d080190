"""Training code the checks send into the student's kernel (public: nothing here is an answer).

The harness trains the student's model with the student's loss on the training images and
returns only the predicted classes of the validation images; their labels never leave the
grading process, where accuracy is computed.
"""

TRAIN_CLASSIFIER = '''
import torch

def train_classifier(Model, model_args, loss_fn, train_X, train_y, val_X, lr, epochs, batch_size, seed):
    """Minibatch SGD as in D2L; returns the arg-max predictions for val_X.

    loss_fn None: cross-entropy on logits (torch's own), for models that return logits."""
    torch.manual_seed(seed)
    model = Model(*model_args)
    loss_fn = loss_fn or torch.nn.functional.cross_entropy
    order = torch.Generator().manual_seed(seed)
    n = len(train_X)
    for _ in range(epochs):
        permutation = torch.randperm(n, generator=order)
        for start in range(0, n, batch_size):
            batch = permutation[start:start + batch_size]
            loss = loss_fn(model.forward(train_X[batch]), train_y[batch])
            params = list(model.parameters())
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
    with torch.no_grad():
        return model.forward(val_X).argmax(dim=1)
'''


def classifier_accuracy(predictions, labels) -> float:  # noqa: ANN001 - tensors
    """Accuracy of predicted classes against labels, computed in the grading process."""
    import torch

    if not isinstance(predictions, torch.Tensor) or predictions.shape != labels.shape:
        return 0.0
    return float((predictions.to(torch.int64) == labels).float().mean())


CALL_WITH_COPIES = '''
import copy

def call_with_copies(function, args):
    """Call function(*args); return copies of the arguments from before and the arguments after."""
    before = copy.deepcopy(args)
    function(*args)
    return before, args
'''
