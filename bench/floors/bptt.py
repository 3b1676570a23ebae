"""Plain-torch floor for compute/generators/bptt.py (default config): the same computation only."""

import torch

F64 = torch.float64


def _bptt_inputs(params):
    wu = torch.tensor([params["w"], params["u"]], dtype=F64, requires_grad=True)
    return wu, torch.tensor(params["h0"], dtype=F64), torch.tensor(params["x"], dtype=F64), params["y"]


def _bptt(wu, h, x, y):
    w, u = wu
    for step in range(x.shape[0]):
        h = torch.tanh(w * h + u * x[step])
    return torch.autograd.grad(0.5 * (h - y) ** 2, wu)[0][0].item()


FLOORS = {"bptt_gradient": (_bptt_inputs, _bptt)}
