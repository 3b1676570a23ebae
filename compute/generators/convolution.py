"""Lecture 7 (CNNs): output shapes, parameter counts, conv and pooling outputs, receptive fields.

Convolutions follow PyTorch (``nn.Conv2d``): cross-correlation (the kernel is not flipped), zero
padding, output side ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1; prompts say so.
"""

import math

import numpy as np

from compute import latex
from compute.config import Field, Schema
from compute.generators.base import Generator
from compute.variant import Solved, Step

EXACT = {"rtol": 0.0, "atol": 1e-6}
SHAPE_PARAMS = ("N", "C_in", "H", "W", "C_out", "kernel", "stride", "padding", "dilation")


class ConvOutputShape(Generator):
    slug = "conv_output_shape"
    title = "Conv2d: output shape"
    description = ("The output height and width (or full shape) of a Conv2d layer from input size, kernel, "
                   "stride, padding and dilation.")
    lectures = (7,)
    answer_kind = "vector"
    schema = Schema((
        Field("asked", "choice", "spatial",
              "spatial: the output's (H_out, W_out); full: the whole shape (N, C_out, H_out, W_out).",
              choices=("spatial", "full")),
        Field("max_dilation", "int", 1, "Largest dilation drawn (1: no dilation).", min=1, max=3),
    ))
    mistakes = {
        "forgot_padding": "It looks like you forgot the padding: it adds 2p to the input size.",
        "forgot_plus_one": "It looks like you forgot the + 1 in ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1.",
        "forgot_stride": "It looks like you forgot to divide by the stride.",
        "forgot_dilation": "The dilated kernel spans d(k − 1) + 1 pixels, not k.",
        "rounded_up": "The division by the stride rounds down (floor), not up.",
        "kept_input_channels": "The output has C_out channels (one per filter), not C_in.",
    }
    layer, kernels, params = "nn.Conv2d", (1, 2, 3, 5, 7), SHAPE_PARAMS
    rule = "\\left\\lfloor \\frac{n + 2p - d(k - 1) - 1}{s} \\right\\rfloor + 1"

    def tolerance(self, config):
        return EXACT

    def sample_batch(self, sampler, config):
        k = sampler.choice(self.kernels, shape=())
        d = sampler.integers(1, config["max_dilation"])
        span = d * (k - 1) + 1
        p = sampler.integers(0, 3) % (span // 2 + 1)  # at most half the dilated kernel, as usual
        hw = sampler.integers(0, 26, shape=(2,)) + np.maximum(span - 2 * p, 2)[:, None]  # room for the kernel
        return {"N": sampler.choice([1, 8, 16, 32], shape=()),
                "C_in": sampler.choice([1, 3, 16, 32], shape=()),
                "H": hw[:, 0], "W": hw[:, 1], "C_out": sampler.choice([8, 16, 32, 64], shape=()),
                "kernel": k, "stride": sampler.integers(1, 3), "padding": p, "dilation": d}

    def _shape(self, q: dict) -> list[int]:
        """PyTorch's own shape rule, on meta tensors (shapes without data)."""
        import torch
        import torch.nn.functional as F

        x = torch.empty((q["N"], q["C_in"], q["H"], q["W"]), device="meta", dtype=torch.float64)
        w = torch.empty((q["C_out"], q["C_in"], q["kernel"], q["kernel"]), device="meta", dtype=torch.float64)
        return list(F.conv2d(x, w, stride=q["stride"], padding=q["padding"], dilation=q["dilation"]).shape)

    def _wrong(self, q: dict) -> dict:
        """Mistake name -> side length as a function of the input side n."""
        k, s, p, d = q["kernel"], q["stride"], q["padding"], q["dilation"]
        return {
            "forgot_padding": lambda n: (n - d * (k - 1) - 1) // s + 1,
            "forgot_plus_one": lambda n: (n + 2 * p - d * (k - 1) - 1) // s,
            "forgot_stride": lambda n: n + 2 * p - d * (k - 1),
            "forgot_dilation": lambda n: (n + 2 * p - k) // s + 1,
            "rounded_up": lambda n: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1,
        }

    def _side_tex(self, n: int, q: dict) -> str:
        return (f"\\left\\lfloor \\frac{{{n} + 2 \\cdot {q['padding']} - {q['dilation']}({q['kernel']} - 1) "
                f"- 1}}{{{q['stride']}}} \\right\\rfloor + 1")

    def solve(self, params, config, device="cpu"):
        q = {name: int(value) for name, value in params.items()}
        shape = self._shape(q)
        spatial = config["asked"] == "spatial"
        lead = [] if spatial else shape[:2]
        mistakes = {name: lead + [f(q["H"]), f(q["W"])] for name, f in self._wrong(q).items()}
        if not spatial:
            mistakes["kept_input_channels"] = [q["N"], q["C_in"], *shape[2:]]
        return Solved(shape[2:] if spatial else shape, {"shape": shape}, mistakes)

    def explain(self, params, values, config):
        q = {name: int(value) for name, value in params.items()}
        shape = [int(v) for v in values["shape"]]
        rows = "\n\n".join(f"$${name}_{{out}} = {self._side_tex(q[name], q)} = {out}$$"
                           for name, out in (("H", shape[2]), ("W", shape[3])))
        steps = [Step(f"PyTorch's `{self.layer}` output size",
                      f"For each spatial side $n$: ${self.rule}$.\n\n{rows}")]
        if config["asked"] == "full":
            steps.append(Step("Full shape", "The batch size is unchanged and there is one output channel per "
                                            f"filter: $({', '.join(map(str, shape))})$."))
        return steps

    def prompt(self, config):
        asked = ("the output's height and width $(H_{out}, W_{out})$" if config["asked"] == "spatial"
                 else "the full output shape $(N, C_{out}, H_{out}, W_{out})$")
        extra = ", output_padding ${{ output_padding }}$" if "output_padding" in self.params else ""
        return (
            "A batch of shape $(N, C_{in}, H, W) = ({{ N }}, {{ C_in }}, {{ H }}, {{ W }})$ goes through "
            f"PyTorch's `{self.layer}` with ${{{{ C_out }}}}$ output channels, a square kernel of size "
            "$k = {{ kernel }}$, stride $s = {{ stride }}$, zero padding $p = {{ padding }}$ on every side "
            "and "
            f"dilation $d = {{{{ dilation }}}}${extra}. What is {asked}? Give whole numbers."
        )


class TransposedConvShape(ConvOutputShape):
    slug = "transposed_conv_shape"
    title = "ConvTranspose2d: output shape"
    description = ("The output height and width (or full shape) of a ConvTranspose2d layer: "
                   "(n − 1)s − 2p + d(k − 1) + output_padding + 1.")
    schema = Schema((*ConvOutputShape.schema.fields,
                     Field("output_padding", "bool", False, "Draw an output_padding below max(stride, "
                                                            "dilation).")))
    mistakes = {
        "used_conv_formula": "That is the output size of an ordinary convolution; a transposed convolution "
                             "upsamples: (n − 1)s − 2p + d(k − 1) + output_padding + 1.",
        "added_padding": "In a transposed convolution the padding is subtracted (−2p): it crops the output.",
        "forgot_minus_one": "It is (n − 1)·s, not n·s: the stride spaces out the n input positions.",
        "forgot_output_padding": "output_padding is added to one side of the output: + output_padding.",
        "forgot_dilation": ConvOutputShape.mistakes["forgot_dilation"],
        "kept_input_channels": ConvOutputShape.mistakes["kept_input_channels"],
    }
    layer, kernels, params = "nn.ConvTranspose2d", (2, 3, 4, 5), (*SHAPE_PARAMS, "output_padding")
    rule = "(n - 1)s - 2p + d(k - 1) + \\text{output\\_padding} + 1"

    def sample_batch(self, sampler, config):
        params = super().sample_batch(sampler, config)
        params["H"], params["W"] = params["H"] % 15 + 2, params["W"] % 15 + 2
        limit = np.maximum(params["stride"], params["dilation"])  # PyTorch: output_padding < max(s, d)
        params["output_padding"] = sampler.integers(0, 2) % limit * int(config["output_padding"])
        return params

    def _shape(self, q):
        import torch
        import torch.nn.functional as F

        x = torch.empty((q["N"], q["C_in"], q["H"], q["W"]), device="meta", dtype=torch.float64)
        w = torch.empty((q["C_in"], q["C_out"], q["kernel"], q["kernel"]), device="meta", dtype=torch.float64)
        return list(F.conv_transpose2d(x, w, stride=q["stride"], padding=q["padding"], dilation=q["dilation"],
                                       output_padding=q["output_padding"]).shape)

    def _wrong(self, q):
        k, s, p, d, op = q["kernel"], q["stride"], q["padding"], q["dilation"], q["output_padding"]
        return {
            "used_conv_formula": lambda n: (n + 2 * p - d * (k - 1) - 1) // s + 1,
            "added_padding": lambda n: (n - 1) * s + 2 * p + d * (k - 1) + op + 1,
            "forgot_minus_one": lambda n: n * s - 2 * p + d * (k - 1) + op + 1,
            "forgot_output_padding": lambda n: (n - 1) * s - 2 * p + d * (k - 1) + 1,
            "forgot_dilation": lambda n: (n - 1) * s - 2 * p + (k - 1) + op + 1,
        }

    def _side_tex(self, n, q):
        return (f"({n} - 1) \\cdot {q['stride']} - 2 \\cdot {q['padding']} + {q['dilation']}({q['kernel']} - "
                f"1) + {q['output_padding']} + 1")


class ConvParamCount(Generator):
    slug = "conv_param_count"
    title = "Conv2d: number of parameters of a conv stack"
    description = ("The number of trainable parameters (weights and biases) of 1-3 stacked Conv2d layers, "
                   "optionally grouped.")
    lectures = (7,)
    schema = Schema((
        Field("layers", "int", 2, "Number of conv layers.", min=1, max=3),
        Field("bias", "bool", True, "Whether the layers have biases (PyTorch's default bias=True)."),
        Field("groups", "int", 1, "Groups of every layer (1: ordinary convolution).", min=1, max=4),
    ))
    mistakes = {
        "forgot_bias": "It looks like you forgot the biases: one per output channel.",
        "added_bias": "These layers have bias=False: count weights only.",
        "forgot_input_channels": "Each filter spans C_in/groups input channels: C_out · (C_in/groups) · k².",
        "forgot_groups": "With groups = g each filter sees only C_in/g input channels.",
        "kernel_not_squared": "A k × k kernel has k² weights per input channel.",
    }

    def tolerance(self, config):
        return EXACT

    def sample_batch(self, sampler, config):
        g, layers = config["groups"], config["layers"]
        params = {"c0": g * sampler.choice([1, 2, 3], shape=())}
        widths = g * sampler.choice([4, 6, 8, 16, 32], shape=(layers,))
        kernels = sampler.choice([1, 3, 5, 7], shape=(layers,))
        for layer in range(layers):
            params[f"c{layer + 1}"], params[f"k{layer + 1}"] = widths[:, layer], kernels[:, layer]
        return params

    def solve(self, params, config, device="cpu"):
        import torch

        layers, g = config["layers"], config["groups"]
        c = torch.tensor([params[f"c{i}"] for i in range(layers + 1)], dtype=torch.float64, device=device)
        k = torch.tensor([params[f"k{i + 1}"] for i in range(layers)], dtype=torch.float64, device=device)
        weights = c[1:] * (c[:-1] / g) * k * k
        biases = c[1:] * float(config["bias"])
        total = (weights + biases).sum().item()
        w, b, c_out, k_l = weights.tolist(), sum(biases.tolist()), c[1:].tolist(), k.tolist()
        mistakes = {"forgot_input_channels": sum(co * kk * kk for co, kk in zip(c_out, k_l, strict=True)) + b,
                    "kernel_not_squared": sum(wi / kk for wi, kk in zip(w, k_l, strict=True)) + b}
        if config["bias"]:
            mistakes["forgot_bias"] = total - sum(c_out)
        else:
            mistakes["added_bias"] = total + sum(c_out)
        if g > 1:
            mistakes["forgot_groups"] = total + sum(w) * (g - 1)
        return Solved(total, {"weights": w, "biases": biases.tolist(), "total": total}, mistakes)

    def explain(self, params, values, config):
        g, bias = config["groups"], config["bias"]
        rows = []
        for i, (w, b) in enumerate(zip(values["weights"], values["biases"], strict=True), start=1):
            c_in, c_out, k = (int(params[n]) for n in (f"c{i - 1}", f"c{i}", f"k{i}"))
            group = f" / {g}" if g > 1 else ""
            rows.append(f"$$\\text{{layer {i}}}: {c_out} \\cdot ({c_in}{group}) \\cdot {k}^2"
                        f"{f' + {c_out}' if bias else ''} = {int(w + b)}$$")
        rule = " plus $C_{out}$ biases" if bias else " (bias=False: no biases)"
        return [Step("Per layer", "A Conv2d layer has $C_{out} \\cdot (C_{in}/\\text{groups}) \\cdot k^2$ "
                                  f"weights{rule}:\n\n" + "\n\n".join(rows)),
                Step("Total", f"$$\\text{{parameters}} = {int(values['total'])}$$")]

    def prompt(self, config):
        layers = "\n".join(
            f"{i}. `nn.Conv2d` from ${{{{ c{i - 1} }}}}$ to ${{{{ c{i} }}}}$ channels, kernel "
            f"${{{{ k{i} }}}} \\times {{{{ k{i} }}}}$" for i in range(1, config["layers"] + 1))
        return (f"A CNN stacks these layers (each with groups={config['groups']}, bias={config['bias']}):\n\n"
                f"{layers}\n\nHow many trainable parameters do they have in total? Give a whole number.")


class Conv2dOutputMatrix(Generator):
    slug = "conv2d_output_matrix"
    title = "Conv2d: the output of a small convolution"
    description = ("The whole output of a single-channel Conv2d (cross-correlation, as PyTorch) of a small "
                   "integer input with a 2×2 or 3×3 integer kernel and a bias.")
    lectures = (7,)
    answer_kind = "matrix"
    schema = Schema((
        Field("size", "int", 4, "Input side length.", min=3, max=6),
        Field("kernel", "int", 3, "Kernel side length.", min=2, max=3),
        Field("stride", "int", 1, "Stride.", min=1, max=2),
        Field("padding", "int", 0, "Zero padding on every side.", min=0, max=1),
    ))
    mistakes = {
        "flipped_kernel": "PyTorch's Conv2d is a cross-correlation: it slides the kernel as given, without "
                          "flipping it (that would be the mathematical convolution).",
        "forgot_bias": "It looks like you forgot to add the bias to every output.",
    }

    def tolerance(self, config):
        return EXACT

    def sample_batch(self, sampler, config):
        k = config["kernel"]
        kernel = sampler.nice(-1, 1, 1, shape=(k, k))
        # A kernel equal to its 180° rotation would make flipping invisible: change one corner.
        symmetric = (kernel == kernel[:, ::-1, ::-1]).all(axis=(1, 2))
        kernel[symmetric, 0, 0] = (kernel[symmetric, -1, -1] + 2) % 3 - 1
        params = {"X": sampler.nice(-2, 2, 1, shape=(config["size"],) * 2), "K": kernel,
                  "b": sampler.nice(-2, 2, 1, nonzero=True)}
        if self.answer_kind == "scalar":
            # The asked entry: uniform among those that are not 0 and change when the kernel is flipped.
            p, s = config["padding"], config["stride"]
            padded = np.pad(params["X"], ((0, 0), (p, p), (p, p)))
            windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(1, 2))[:, ::s, ::s]
            out = np.einsum("bijuv,buv->bij", windows, kernel)
            flipped = np.einsum("bijuv,buv->bij", windows, kernel[:, ::-1, ::-1])
            good = ((out + params["b"][:, None, None] != 0) & (out != flipped)).reshape(sampler.size, -1)
            good[~good.any(axis=1)] = True
            pick = (sampler.uniform() * good.sum(1)).astype(np.int64)
            cell = np.argmax(np.cumsum(good, axis=1) > pick[:, None], axis=1)
            params["row"], params["col"] = np.divmod(cell, out.shape[1])
            params["row"], params["col"] = params["row"] + 1.0, params["col"] + 1.0
        return params

    def _outputs(self, params, config, device):
        """The output with the kernel as given and with it flipped (one conv call), as lists."""
        import torch
        import torch.nn.functional as F

        x = torch.tensor(params["X"], dtype=torch.float64, device=device)
        k = torch.tensor(params["K"], dtype=torch.float64, device=device)
        weight = torch.stack((k, k.flip(0, 1)))[:, None]
        bias = torch.full((2,), params["b"], dtype=torch.float64, device=device)
        out = F.conv2d(x[None, None], weight, bias, stride=config["stride"], padding=config["padding"])
        return out[0].tolist()

    def solve(self, params, config, device="cpu"):
        right, flipped = self._outputs(params, config, device)
        b = params["b"]
        return Solved(right, {"output": right},
                      {"flipped_kernel": flipped, "forgot_bias": [[v - b for v in row] for row in right]})

    def _entry(self, params, config, r, c, value) -> str:
        """One output entry written out as the sum over its window (0-based r, c)."""
        k, s, p = config["kernel"], config["stride"], config["padding"]
        x, n = params["X"], len(params["X"])
        terms = []
        for i in range(k):
            for j in range(k):
                row, col = r * s + i - p, c * s + j - p
                pixel = x[row][col] if 0 <= row < n and 0 <= col < n else 0.0
                text = latex.num(pixel)
                terms.append(f"{f'({text})' if pixel < 0 else text} \\cdot ({latex.num(params['K'][i][j])})")
        return (f"$$y_{{{r + 1}{c + 1}}} = {' + '.join(terms)} + ({latex.num(params['b'])}) = "
                f"{latex.num(value)}$$")

    def _convention(self, config) -> Step:
        pad = f"The input is padded with {config['padding']} ring of zeros. " if config["padding"] else ""
        return Step("Cross-correlation", (
            "PyTorch's Conv2d multiplies each window of the input elementwise with the kernel **as given** "
            "(no flip) and adds the bias: $y_{ij} = \\sum_{u,v} x_{s(i-1)+u,\\, s(j-1)+v} K_{uv} + b$. " + pad
            + f"The kernel moves {config['stride']} pixel(s) at a time."))

    def explain(self, params, values, config):
        rows = [self._entry(params, config, r, c, v)
                for r, line in enumerate(values["output"]) for c, v in enumerate(line)]
        return [self._convention(config), Step("Every output entry", "\n\n".join(rows)),
                Step("Output", f"$$Y = {latex.value(values['output'])}$$")]

    def prompt(self, config):
        return (
            "A single-channel `nn.Conv2d` (PyTorch: cross-correlation, the kernel is **not** flipped) with "
            f"stride {config['stride']} and zero padding {config['padding']} is applied to the input "
            "$$X = {{ X }}$$ with the kernel $$K = {{ K }}$$ and bias $b = {{ b }}$. "
            + ("Compute the whole output matrix." if self.answer_kind == "matrix" else
               "Compute the output entry in row ${{ row }}$ and column ${{ col }}$ (counting from 1).")
        )


class Conv2dOutputValue(Conv2dOutputMatrix):
    slug = "conv2d_output_value"
    title = "Conv2d: one output value of a small convolution"
    description = ("One entry of the output of a single-channel Conv2d (cross-correlation, as PyTorch) of a "
                   "small integer input with a 2×2 or 3×3 integer kernel and a bias.")
    answer_kind = "scalar"

    def solve(self, params, config, device="cpu"):
        right, flipped = self._outputs(params, config, device)
        r, c = int(params["row"]) - 1, int(params["col"]) - 1
        value = right[r][c]
        return Solved(value, {"value": value},
                      {"flipped_kernel": flipped[r][c], "forgot_bias": value - params["b"]})

    def explain(self, params, values, config):
        r, c = int(params["row"]) - 1, int(params["col"]) - 1
        return [self._convention(config),
                Step(f"Output entry ({r + 1}, {c + 1})", self._entry(params, config, r, c, values["value"]))]


class ReceptiveField(Generator):
    slug = "receptive_field"
    title = "Receptive field of a conv/pool stack"
    description = ("The receptive field (side length, in input pixels) of one output unit of 2-4 stacked "
                   "conv and pooling layers with given kernel sizes and strides.")
    lectures = (7,)
    schema = Schema((
        Field("layers", "int", 3, "Number of layers (conv and pooling alternate).", min=2, max=4),
    ))
    mistakes = {
        "forgot_strides": "Each layer's kernel adds (k − 1) times the product of the strides of the layers "
                          "before it, not just k − 1.",
        "included_own_stride": "Layer ℓ's (k − 1) is scaled by the strides of the layers *before* it only, "
                               "not its own.",
        "forgot_minus_one": "Each layer adds (k − 1)·jump to the receptive field (starting from 1), not "
                            "k·jump.",
    }

    def tolerance(self, config):
        return EXACT

    def sample_batch(self, sampler, config):
        layers = config["layers"]
        conv_k = sampler.choice([3, 5, 7], shape=(layers,))
        conv_s = sampler.choice([1, 1, 2], shape=(layers,))
        pool_k = sampler.choice([2, 3], shape=(layers,))
        params = {}
        for i in range(layers):  # conv, pool, conv, pool; pooling has stride 2
            params[f"k{i + 1}"] = pool_k[:, i] if i % 2 else conv_k[:, i]
            params[f"s{i + 1}"] = np.full(sampler.size, 2) if i % 2 else conv_s[:, i]
        return params

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        ks = [int(params[f"k{i + 1}"]) for i in range(config["layers"])]
        ss = [int(params[f"s{i + 1}"]) for i in range(config["layers"])]
        # The receptive field is the set of inputs the first output unit depends on: autograd finds it.
        # 1-D suffices (square kernels); average pooling spreads the gradient over its whole window.
        x = torch.ones((1, 1, math.prod(ss) * sum(ks) + 1), dtype=torch.float64, device=device,
                       requires_grad=True)
        h = x
        for i, (k, s) in enumerate(zip(ks, ss, strict=True)):
            ones = torch.ones((1, 1, k), dtype=torch.float64, device=device)
            h = F.avg_pool1d(h, k, s) if i % 2 else F.conv1d(h, ones, stride=s)
        (grad,) = torch.autograd.grad(h[0, 0, 0], x)
        answer = (grad != 0).sum().item()
        jumps = [math.prod(ss[:i]) for i in range(len(ks))]
        mistakes = {"forgot_strides": 1 + sum(k - 1 for k in ks),
                    "included_own_stride": 1 + sum((k - 1) * j * s
                                                   for k, j, s in zip(ks, jumps, ss, strict=True)),
                    "forgot_minus_one": sum(k * j for k, j in zip(ks, jumps, strict=True))}
        return Solved(answer, {"jumps": jumps}, mistakes)

    def explain(self, params, values, config):
        rows, size = [], 1
        for i, jump in enumerate(values["jumps"], start=1):
            k, j = int(params[f"k{i}"]), int(jump)
            rows.append(f"$$r_{i} = r_{i - 1} + (k_{i} - 1) \\cdot j_{i - 1} = {size} + ({k} - 1) \\cdot {j} "
                        f"= {size + (k - 1) * j}$$")
            size += (k - 1) * j
        return [
            Step("The recursion", (
                "Start from one output pixel, $r_0 = 1$, with jump $j_0 = 1$ (input pixels between "
                "neighbouring units). Layer $\\ell$ widens the field by $(k_\\ell - 1)$ steps of the current "
                "jump, and its stride multiplies the jump: $j_\\ell = j_{\\ell - 1} s_\\ell$. Padding does "
                "not change the size.")),
            Step("Layer by layer", "\n\n".join(rows)),
            Step("Receptive field", f"One output unit sees a ${size} \\times {size}$ patch of the input: "
                                    f"{size}."),
        ]

    def prompt(self, config):
        layers = "\n".join(
            f"{i + 1}. {'average/max pooling' if i % 2 else 'convolution'}, kernel "
            f"${{{{ k{i + 1} }}}} \\times {{{{ k{i + 1} }}}}$, stride ${{{{ s{i + 1} }}}}$"
            for i in range(config["layers"]))
        return ("A CNN applies these layers in order (square kernels, no dilation):\n\n" + layers +
                "\n\nWhat is the receptive field of one unit of the last layer, i.e. the side length (in "
                "input pixels) of the input patch it depends on? Give a whole number.")


class PoolingOutput(Generator):
    slug = "pooling_output"
    title = "Max or average pooling of a small matrix"
    description = ("The output matrix of 2-D max or average pooling (kernel, stride, padding configurable) "
                   "of a small integer input.")
    lectures = (7,)
    answer_kind = "matrix"
    schema = Schema((
        Field("pooling", "choice", "max", "max pooling or average pooling.", choices=("max", "avg")),
        Field("size", "int", 4, "Input side length.", min=3, max=6),
        Field("kernel", "int", 2, "Pooling window side length.", min=2, max=3),
        Field("stride", "int", 2, "Stride.", min=1, max=3),
        Field("padding", "int", 0, "Padding on every side (avg: zeros, max: −∞).", min=0, max=1),
    ))
    mistakes = {
        "other_pooling": "Check the pooling type: that is the result of the other one (max versus average).",
        "excluded_padding": "PyTorch's AvgPool2d divides by the full window size k², counting the padded "
                            "zeros (count_include_pad=True).",
    }

    def tolerance(self, config):
        # Max pooling returns input entries; averages over 3 × 3 windows need rounding.
        return EXACT if config["pooling"] == "max" else {"rtol": 0.01, "atol": 1e-3}

    def sample_batch(self, sampler, config):
        return {"X": sampler.integers(0, 9, shape=(config["size"],) * 2).astype(np.float64)}

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        x = torch.tensor(params["X"], dtype=torch.float64, device=device)[None, None]
        k, s, p = config["kernel"], config["stride"], config["padding"]
        pooled = F.max_pool2d(x, k, s, p)[0, 0].tolist(), F.avg_pool2d(x, k, s, p)[0, 0].tolist()
        first = 0 if config["pooling"] == "max" else 1
        mistakes = {"other_pooling": pooled[1 - first]}
        if config["pooling"] == "avg" and p:
            mistakes["excluded_padding"] = F.avg_pool2d(x, k, s, p, count_include_pad=False)[0, 0].tolist()
        return Solved(pooled[first], {"output": pooled[first]}, mistakes)

    def explain(self, params, values, config):
        k, s, p, kind = config["kernel"], config["stride"], config["padding"], config["pooling"]
        x, n = params["X"], len(params["X"])
        op = "\\max" if kind == "max" else f"\\tfrac{{1}}{{{k * k}}}\\sum"
        fill = "0" if kind == "avg" else "-\\infty"
        rows = []
        for r, line in enumerate(values["output"]):
            for c, v in enumerate(line):
                window = [latex.num(x[r * s + i - p][c * s + j - p])
                          if 0 <= r * s + i - p < n and 0 <= c * s + j - p < n else fill
                          for i in range(k) for j in range(k)]
                rows.append(f"$$y_{{{r + 1}{c + 1}}} = {op}\\,\\{{{', '.join(window)}\\}} = "
                            f"{latex.num(v, 4)}$$")
        rule = ("the maximum of each window" if kind == "max" else
                f"the mean of each window, always dividing by $k^2 = {k * k}$ (count_include_pad=True)")
        pad = f" The input is padded with ${fill}$." if p else ""
        return [Step("Windows", f"${k} \\times {k}$ windows moving {s} pixel(s) at a time; the output is "
                                f"{rule}.{pad}"),
                Step("Every output entry", "\n\n".join(rows)),
                Step("Output", f"$$Y = {latex.value(values['output'], 4)}$$")]

    def prompt(self, config):
        k, s, p, avg = config["kernel"], config["stride"], config["padding"], config["pooling"] == "avg"
        kind = "`nn.AvgPool2d` (default count_include_pad=True)" if avg else "`nn.MaxPool2d`"
        pad = ""
        if p:
            pad = f" and padding {p} (" + ("zeros, counted in every average: divide by the full window size"
                                           if avg else "padded cells never win the max") + ")"
        return (f"Apply {kind} with kernel size {k}, stride {s}{pad} to $$X = {{{{ X }}}}.$$ Compute the "
                f"whole "
                "output matrix" + (" to at least 3 significant figures." if avg else "."))


GENERATORS = [
    ConvOutputShape(), ConvParamCount(), Conv2dOutputValue(), Conv2dOutputMatrix(), ReceptiveField(),
    PoolingOutput(), TransposedConvShape(),
]
