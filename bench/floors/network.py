"""Plain-torch floor for the network generator's default question (2-3-1 sigmoid MLP, MSE, ∂L/∂W1[0, 1]).

What a person would write by hand: one tensor per parameter, the forward pass with the
library's own ops, one ``torch.autograd.grad`` call. No registry, config, explanation or
conversion.
"""

import torch


def make_inputs(params: dict) -> tuple:
    """Float64 tensors from one variant's params; W1 requires grad (it is the asked parameter)."""
    f64 = torch.float64
    return (
        torch.tensor(params["x"], dtype=f64),
        torch.tensor(params["W1"], dtype=f64, requires_grad=True),
        torch.tensor(params["b1"], dtype=f64),
        torch.tensor(params["W2"], dtype=f64),
        torch.tensor([params["b2"]], dtype=f64),
        torch.tensor([params["y"]], dtype=f64),
    )


def run(x, W1, b1, W2, b2, y):
    z1 = torch.nn.functional.linear(x, W1, b1)
    z2 = torch.nn.functional.linear(torch.sigmoid(z1), W2, b2)
    loss = torch.nn.functional.mse_loss(z2, y)
    return torch.autograd.grad(loss, W1)[0][0, 1]


FLOORS = {"network": (make_inputs, run)}
