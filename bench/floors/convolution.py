"""Plain-torch floors for compute/generators/convolution.py (default configs): the same computation only."""

import torch
import torch.nn.functional as F

F64 = torch.float64


def _conv_inputs(params):
    x = torch.tensor(params["X"], dtype=F64)[None, None]
    w = torch.tensor(params["K"], dtype=F64)[None, None]
    b = torch.tensor([params["b"]], dtype=F64)
    return x, w, b, int(params.get("i", 0)), int(params.get("j", 0))


def _conv_value(x, w, b, row, col):
    return F.conv2d(x, w, b)[0, 0, row, col].item()


def _conv_matrix(x, w, b, row, col):
    return F.conv2d(x, w, b)[0, 0].tolist()


FLOORS = {
    "conv2d_output_value": (_conv_inputs, _conv_value),
    "conv2d_output_matrix": (_conv_inputs, _conv_matrix),
    "pooling_output": (lambda params: (torch.tensor(params["X"], dtype=F64)[None, None],),
                       lambda x: F.max_pool2d(x, 2, 2)[0, 0].tolist()),
}
