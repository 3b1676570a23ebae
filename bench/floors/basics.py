"""Plain-torch floors for compute/generators/basics.py (default configs).

Each entry is (make_inputs, run): ``make_inputs(params)`` makes the tensors the generator's solve
makes, and ``run`` does the same forward and backward pass, nothing else.
"""

import torch
import torch.nn.functional as F

F64 = torch.float64


def linear_regression_inputs(params):
    return (
        torch.tensor(params["x"], dtype=F64),
        torch.tensor(params["y"], dtype=F64),
        torch.tensor([params["w"], params["b"]], dtype=F64, requires_grad=True),
    )


def linear_regression_run(x, y, wb):
    res = wb[0] * x + wb[1] - y
    (res * res).mean().backward()
    return wb.grad


def logistic_inputs(params):
    return (
        torch.tensor(params["x"], dtype=F64),
        torch.tensor([*params["w"], params["b"]], dtype=F64, requires_grad=True),
        torch.tensor(params["y"], dtype=F64),
    )


def logistic_run(x, theta, y):
    F.binary_cross_entropy_with_logits(theta[:-1] @ x + theta[-1], y).backward()
    return theta.grad


FLOORS = {
    "linear_regression_mse": (linear_regression_inputs, linear_regression_run),
    "logistic_regression": (logistic_inputs, logistic_run),
}
