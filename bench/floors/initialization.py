"""Plain-torch floor for compute/generators/initialization.py (default config).

(make_inputs, run): ``make_inputs(params)`` makes the tensor the generator's solve makes, and
``run`` does the same variance computation, nothing else.
"""

import torch

F64 = torch.float64


def init_inputs(params):
    return (torch.tensor([params["fan_in"], params["fan_out"]], dtype=F64),)


def init_run(fans):
    return 2 / fans.sum()  # default: xavier_uniform, variance asked (gain 1)


FLOORS = {"init_variance": (init_inputs, init_run)}
