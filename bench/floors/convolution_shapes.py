"""Plain-torch floors for compute/generators/convolution_shapes.py (default configs): the same computation only."""

import math

import torch
import torch.nn.functional as F

F64 = torch.float64


def _shape_inputs(params):
    q = {name: int(value) for name, value in params.items()}
    x = torch.empty((q["N"], q["C_in"], q["H"], q["W"]), device="meta", dtype=F64)
    w = torch.empty((q["C_out"], q["C_in"], q["kernel"], q["kernel"]), device="meta", dtype=F64)
    return x, w, q["stride"], q["padding"], q["dilation"]


def _conv_shape(x, w, stride, padding, dilation):
    return list(F.conv2d(x, w, stride=stride, padding=padding, dilation=dilation).shape[2:])


def _transposed_inputs(params):
    q = {name: int(value) for name, value in params.items()}
    x = torch.empty((q["N"], q["C_in"], q["H"], q["W"]), device="meta", dtype=F64)
    w = torch.empty((q["C_in"], q["C_out"], q["kernel"], q["kernel"]), device="meta", dtype=F64)
    return x, w, q["stride"], q["padding"], q["dilation"], q["output_padding"]


def _transposed_shape(x, w, stride, padding, dilation, output_padding):
    return list(F.conv_transpose2d(x, w, stride=stride, padding=padding, dilation=dilation,
                                   output_padding=output_padding).shape[2:])


def _count_inputs(params):
    layers = sum(1 for name in params if name.startswith("k"))
    return (torch.tensor([params[f"c{i}"] for i in range(layers + 1)], dtype=F64),
            torch.tensor([params[f"k{i + 1}"] for i in range(layers)], dtype=F64))


def _count(c, k):
    return (c[1:] * c[:-1] * k * k + c[1:]).sum().item()


def _receptive_inputs(params):
    ks = [int(params[f"k{i + 1}"]) for i in range(len(params) // 2)]
    ss = [int(params[f"s{i + 1}"]) for i in range(len(params) // 2)]
    x = torch.ones((1, 1, math.prod(ss) * sum(ks) + 1), dtype=F64, requires_grad=True)
    return x, [torch.ones((1, 1, k), dtype=F64) for k in ks], ss


def _receptive(x, kernels, strides):
    h = x
    for i, (w, s) in enumerate(zip(kernels, strides, strict=True)):
        h = F.avg_pool1d(h, w.shape[-1], s) if i % 2 else F.conv1d(h, w, stride=s)
    return (torch.autograd.grad(h[0, 0, 0], x)[0] != 0).sum().item()


FLOORS = {
    "conv_output_shape": (_shape_inputs, _conv_shape),
    "transposed_conv_shape": (_transposed_inputs, _transposed_shape),
    "conv_param_count": (_count_inputs, _count),
    "receptive_field": (_receptive_inputs, _receptive),
}
