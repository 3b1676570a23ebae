"""Lecture 7 (CNNs): output shapes of Conv2d and ConvTranspose2d, parameter counts, receptive fields.

Convolutions follow PyTorch (``nn.Conv2d``): zero padding, output side
⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1; prompts say so. The answers are whole numbers, graded exactly.
The values a convolution or a pooling layer outputs are in convolution.py.
"""

import math

import numpy as np

from compute.config import Field, Schema
from compute.contract import EXACT, Generator
from compute.variant import Solved, Step

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
        "forgot_padding": "It looks like you forgot the padding: it adds $2p$ to the input size.",
        "forgot_plus_one": "It looks like you forgot the $+ 1$ in "
                           "$\\lfloor (n + 2p - d(k - 1) - 1)/s \\rfloor + 1$.",
        "forgot_stride": "It looks like you forgot to divide by the stride.",
        "forgot_dilation": "The dilated kernel spans $d(k - 1) + 1$ pixels, not $k$.",
        "rounded_up": "The division by the stride rounds down (floor), not up.",
        "kept_input_channels": "The output has $C_{out}$ channels (one per filter), not $C_{in}$.",
    }
    layer, kernels, params = "nn.Conv2d", (1, 2, 3, 5, 7), SHAPE_PARAMS
    rule = "\\left\\lfloor \\frac{n + 2p - d(k - 1) - 1}{s} \\right\\rfloor + 1"

    def tolerance(self, config):
        return EXACT

    def hand_answer(self, params, values, config):
        # whole numbers from the printed formula: nothing is rounded
        q = {name: int(value) for name, value in params.items()}
        shape = [q["N"], q["C_out"], *(self._side(q[n], q) for n in ("H", "W"))]
        return shape[2:] if config["asked"] == "spatial" else shape

    def _side(self, n: int, q: dict) -> int:
        return (n + 2 * q["padding"] - q["dilation"] * (q["kernel"] - 1) - 1) // q["stride"] + 1

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

    padding_words = "zero padding $p = {{ padding }}$ on every side of the input"

    def prompt(self, config):
        asked = ("the output's height and width $(H_{out}, W_{out})$" if config["asked"] == "spatial"
                 else "the full output shape $(N, C_{out}, H_{out}, W_{out})$")
        extra = ", output_padding ${{ output_padding }}$" if "output_padding" in self.params else ""
        return (
            "A batch of shape $(N, C_{in}, H, W) = ({{ N }}, {{ C_in }}, {{ H }}, {{ W }})$ goes through "
            f"PyTorch's `{self.layer}` with ${{{{ C_out }}}}$ output channels, a square kernel of size "
            f"$k = {{{{ kernel }}}}$, stride $s = {{{{ stride }}}}$, {self.padding_words} and "
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
                             "upsamples: $(n - 1)s - 2p + d(k - 1) + \\text{output\\_padding} + 1$.",
        "added_padding": "In a transposed convolution the padding is subtracted ($-2p$): it crops the output.",
        "forgot_minus_one": "It is $(n - 1)\\,s$, not $n s$: the stride spaces out the $n$ input positions.",
        "forgot_output_padding": "`output_padding` is added to one side of the output: "
                                 "$+ \\text{output\\_padding}$.",
        "forgot_dilation": ConvOutputShape.mistakes["forgot_dilation"],
        "kept_input_channels": ConvOutputShape.mistakes["kept_input_channels"],
    }
    # ConvTranspose2d's padding does not pad the input: it removes p rows and columns from every side of
    # the output (the inverse of the padding of the Conv2d it transposes).
    padding_words = ("padding $p = {{ padding }}$ (PyTorch's `padding` argument, which for a transposed "
                     "convolution crops: it removes $p$ rows and columns from every side of the output)")
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

    def _side(self, n, q):
        return ((n - 1) * q["stride"] - 2 * q["padding"] + q["dilation"] * (q["kernel"] - 1)
                + q["output_padding"] + 1)


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
        "added_bias": "These layers have `bias=False`: count weights only.",
        "forgot_input_channels": "Each filter spans $C_{in}/\\text{groups}$ input channels: "
                                 "$C_{out} \\cdot (C_{in}/\\text{groups}) \\cdot k^2$.",
        "forgot_groups": "With $\\text{groups} = g$ each filter sees only $C_{in}/g$ input channels.",
        "kernel_not_squared": "A $k \\times k$ kernel has $k^2$ weights per input channel.",
    }

    def tolerance(self, config):
        return EXACT

    def hand_answer(self, params, values, config):
        g, bias = config["groups"], config["bias"]
        return float(sum(int(params[f"c{i}"]) * (int(params[f"c{i - 1}"]) // g) * int(params[f"k{i}"]) ** 2
                         + int(params[f"c{i}"]) * bias for i in range(1, config["layers"] + 1)))

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
        "forgot_strides": "Each layer's kernel adds $k - 1$ times the product of the strides of the layers "
                          "before it, not just $k - 1$.",
        "included_own_stride": "Layer $\\ell$'s $k - 1$ is scaled by the strides of the layers *before* it "
                               "only, not its own.",
        "forgot_minus_one": "Each layer adds $(k - 1) \\cdot \\text{jump}$ to the receptive field (starting "
                            "from 1), not $k \\cdot \\text{jump}$.",
    }

    def tolerance(self, config):
        return EXACT

    def hand_answer(self, params, values, config):
        size, jump = 1, 1
        for i in range(1, config["layers"] + 1):
            size += (int(params[f"k{i}"]) - 1) * jump
            jump *= int(params[f"s{i}"])
        return float(size)

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


GENERATORS = [ConvOutputShape(), ConvParamCount(), ReceptiveField(), TransposedConvShape()]
