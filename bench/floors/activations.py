"""Plain-torch floors for compute/generators/activations.py (default configs).

Each entry is (make_inputs, run): ``make_inputs(params)`` makes the tensors the generator's solve
makes, and ``run`` does the same forward (and backward) pass, nothing else.
"""

import torch

F64 = torch.float64


def activation_inputs(params):
    return (torch.tensor(params["x"], dtype=F64, requires_grad=True),)


def activation_run(x):
    torch.sigmoid(x).backward()  # default activation: sigmoid, derivative asked
    return x.grad


def xor_inputs(params):
    return (
        torch.tensor(params["W1"], dtype=F64),
        torch.tensor(params["b1"], dtype=F64),
        torch.tensor(params["w2"], dtype=F64),
        torch.tensor(params["x"], dtype=F64),
        params["b2"],
    )


def xor_run(W1, b1, w2, x, b2):
    return w2 @ torch.relu(W1 @ x + b1) + b2  # default: ReLU hidden layer, linear output


FLOORS = {
    "activation_derivative": (activation_inputs, activation_run),
    "xor_network": (xor_inputs, xor_run),
}
