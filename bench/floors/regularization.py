"""Plain-torch floors for compute/generators/regularization.py (default configs).

Each entry is (make_inputs, run): ``make_inputs(params)`` makes the tensors the generator's solve
makes, and ``run`` does the same computation (an optimizer step, a masked scaling, a backward
pass), nothing else.
"""

import torch

F64 = torch.float64


def weight_decay_inputs(params):
    w = torch.tensor(params["w"], dtype=F64, requires_grad=True)
    return w, torch.tensor(params["g"], dtype=F64), params["lr"], params["wd"]


def weight_decay_run(w, g, lr, wd):
    w.grad = g
    torch.optim.SGD([w], lr=lr, weight_decay=wd).step()
    return w


def dropout_inputs(params):
    return torch.tensor(params["a"], dtype=F64), torch.tensor(params["mask"], dtype=F64), params["p"]


def dropout_run(a, mask, p):
    return a * mask / (1 - p)  # default mode: train


def penalty_inputs(params):
    return torch.tensor(params["w"], dtype=F64, requires_grad=True), params["lam"]


def penalty_run(w, lam):
    (lam / 2 * (w * w).sum()).backward()  # default: L2 penalty, gradient asked
    return w.grad


FLOORS = {
    "weight_decay_step": (weight_decay_inputs, weight_decay_run),
    "dropout_scaling": (dropout_inputs, dropout_run),
    "norm_penalty": (penalty_inputs, penalty_run),
}
