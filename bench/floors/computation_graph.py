"""Plain-torch floor for compute/generators/computation_graph.py (default config).

(make_inputs, run): ``make_inputs(params)`` makes the tensor the generator's solve makes, and
``run`` does the same forward and backward pass, nothing else.
"""

import torch

F64 = torch.float64


def graph_inputs(params):
    return (torch.tensor([params["x"], params["y"], params["z"]], dtype=F64, requires_grad=True),)


def graph_run(v):
    x, y, z = v
    u = x * y + z
    (u * u).backward()  # default graph "square"
    return v.grad


FLOORS = {"computation_graph": (graph_inputs, graph_run)}
