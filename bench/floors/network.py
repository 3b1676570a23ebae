"""Plain-torch floor for the network generator's default question (2-3-1 sigmoid MLP, MSE, ∂L/∂W1[0, 1]).

What a person would write by hand: one tensor per parameter, the forward pass with the
library's own ops, one ``torch.autograd.grad`` call. No registry, config, explanation or
conversion.
"""

import torch

from bench.floors.mlp import make_inputs  # the same parameters x, W1, b1, W2, b2, y as mlp_backward's


def run(x, W1, b1, W2, b2, y):
    z1 = torch.nn.functional.linear(x, W1, b1)
    z2 = torch.nn.functional.linear(torch.sigmoid(z1), W2, b2)
    loss = torch.nn.functional.mse_loss(z2, y)
    return torch.autograd.grad(loss, W1)[0][0, 1]


FLOORS = {"network": (make_inputs, run)}
