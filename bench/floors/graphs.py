"""Plain-torch floors for compute/generators/graphs.py (default configs): the same computation only."""

import torch

F64 = torch.float64


def _normalized(a):
    a_hat = a + torch.eye(a.shape[0], dtype=F64, device=a.device)
    d = a_hat.sum(1).rsqrt()
    return d[:, None] * a_hat * d[None, :]


def _adjacency_inputs(params):
    return torch.tensor(params["A"], dtype=F64), int(params["u"]), int(params["v"])


def _gcn_inputs(params):
    return tuple(torch.tensor(params[name], dtype=F64) for name in ("A", "H", "W"))


def _mp_inputs(params):
    return tuple(torch.tensor(params[name], dtype=F64) for name in ("A", "H", "W_self", "W_neigh"))


FLOORS = {
    "normalized_adjacency": (_adjacency_inputs, lambda a, i, j: _normalized(a)[i, j].item()),
    "gcn_layer": (_gcn_inputs, lambda a, h, w: torch.relu(_normalized(a) @ h @ w)[0].tolist()),
    # Node 1, sum aggregation.
    "message_passing": (_mp_inputs, lambda a, h, w_self, w_neigh: torch.relu(
        w_self @ h[0] + w_neigh @ (a[0] @ h)).tolist()),
}
