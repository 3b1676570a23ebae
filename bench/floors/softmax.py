"""Plain-torch floors for compute/generators/softmax.py (default configs).

Each entry is (make_inputs, run): ``make_inputs(params)`` makes the tensors the generator's solve
makes, and ``run`` does the same forward (and backward) pass, nothing else.
"""

import torch
import torch.nn.functional as F

F64 = torch.float64


def softmax_inputs(params):
    return torch.tensor(params["z"], dtype=F64), params["T"], int(params["y"])


def softmax_run(z, t, k):
    return -F.log_softmax(z / t, dim=0)[k]


def softmax_gradient_inputs(params):
    return torch.tensor(params["z"], dtype=F64, requires_grad=True), params["T"], int(params["y"])


def softmax_gradient_run(z, t, k):
    (-F.log_softmax(z / t, dim=0)[k]).backward()
    return z.grad


FLOORS = {
    "softmax_cross_entropy": (softmax_inputs, softmax_run),
    "softmax_gradient": (softmax_gradient_inputs, softmax_gradient_run),
}
