"""Lecture 7 (convolutional networks): output shapes, parameter counts, conv and pooling values, receptive fields.

Convolutions follow PyTorch (``nn.Conv2d``): cross-correlation (the kernel is not flipped), zero
padding, output side ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1; prompts say so.
"""

import math

import numpy as np

from compute import latex
from compute.config import ConfigError, Field, Schema
from compute.generators.base import Generator
from compute.variant import Solved, Step

EXACT = {"rtol": 0.0, "atol": 1e-6}
SHAPE_ASKED = Field("asked", "choice", "spatial",
                    "spatial: the output's (height, width); full: the whole output shape (N, C_out, H_out, W_out).",
                    choices=("spatial", "full"))
MAX_DILATION = Field("max_dilation", "int", 1, "Largest dilation drawn (1: no dilation).", min=1, max=3)
SHAPE_PARAMS = ("N", "C_in", "H", "W", "C_out", "kernel", "stride", "padding", "dilation")


def _shape_prompt(kind: str, config: dict, extra: str = "") -> str:
    asked = ("the output's height and width $(H_{out}, W_{out})$" if config["asked"] == "spatial"
             else "the full output shape $(N, C_{out}, H_{out}, W_{out})$")
    return (
        f"A batch of shape $(N, C_{{in}}, H, W) = ({{{{ N }}}}, {{{{ C_in }}}}, {{{{ H }}}}, {{{{ W }}}})$ goes "
        f"through PyTorch's `{kind}` with ${{{{ C_out }}}}$ output channels, a square kernel of size "
        "$k = {{ kernel }}$, stride $s = {{ stride }}$, zero padding $p = {{ padding }}$ on every side and "
        "dilation $d = {{ dilation }}$" + extra + ". What is " + asked + "? Give whole numbers."
    )


def _sample_shape(sampler, config, kernels) -> dict:
    """Layer and batch sizes for a shape question; H and W leave room for the dilated kernel."""
    n = sampler.choice([1, 8, 16, 32], shape=())
    c_in, c_out = sampler.choice([1, 3, 16, 32], shape=()), sampler.choice([8, 16, 32, 64], shape=())
    k = sampler.choice(kernels, shape=())
    s = sampler.integers(1, 3)
    d = sampler.integers(1, config["max_dilation"])
    span = d * (k - 1) + 1
    p = sampler.integers(0, 3) % (span // 2 + 1)  # at most half the dilated kernel, as is usual
    hw = sampler.integers(0, 26, shape=(2,))
    return {"N": n, "C_in": c_in, "H": np.maximum(hw[:, 0] + span - 2 * p, 2), "W": np.maximum(hw[:, 1] + span - 2 * p, 2),
            "C_out": c_out, "kernel": k, "stride": s, "padding": p, "dilation": d}


class ConvOutputShape(Generator):
    slug = "conv_output_shape"
    title = "Conv2d: output shape"
    description = "The output height and width (or full shape) of a Conv2d layer from input size, kernel, stride, padding and dilation."
    lectures = (7,)
    answer_kind = "vector"
    schema = Schema((SHAPE_ASKED, MAX_DILATION))
    mistakes = {
        "forgot_padding": "It looks like you forgot the padding: it adds 2p to the input size.",
        "forgot_plus_one": "It looks like you forgot the + 1 in ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1.",
        "forgot_stride": "It looks like you forgot to divide by the stride.",
        "forgot_dilation": "The dilated kernel spans d(k − 1) + 1 pixels, not k.",
        "rounded_up": "The division by the stride rounds down (floor), not up.",
        "kept_input_channels": "The output has C_out channels (one per filter), not C_in.",
    }

    def tolerance(self, config):
        return EXACT

    def sample_batch(self, sampler, config):
        return _sample_shape(sampler, config, [1, 2, 3, 5, 7])

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        q = {name: int(params[name]) for name in SHAPE_PARAMS}
        # Shapes only: meta tensors carry no data, so this checks PyTorch's own shape rule.
        x = torch.empty((q["N"], q["C_in"], q["H"], q["W"]), device="meta", dtype=torch.float64)
        w = torch.empty((q["C_out"], q["C_in"], q["kernel"], q["kernel"]), device="meta", dtype=torch.float64)
        shape = list(F.conv2d(x, w, stride=q["stride"], padding=q["padding"], dilation=q["dilation"]).shape)
        k, s, p, d = q["kernel"], q["stride"], q["padding"], q["dilation"]

        def side(n, pad=2 * p, span=d * (k - 1) + 1, stride=s, plus=1, ceil=False):
            top = n + pad - span
            return (-(-top // stride) if ceil else top // stride) + plus

        wrong = {
            "forgot_padding": lambda n: side(n, pad=0), "forgot_plus_one": lambda n: side(n, plus=0),
            "forgot_stride": lambda n: side(n, stride=1), "forgot_dilation": lambda n: side(n, span=k),
            "rounded_up": lambda n: side(n, ceil=True),
        }
        spatial = config["asked"] == "spatial"
        lead = [] if spatial else shape[:2]
        mistakes = {name: lead + [f(q["H"]), f(q["W"])] for name, f in wrong.items()}
        if not spatial:
            mistakes["kept_input_channels"] = [q["N"], q["C_in"], *shape[2:]]
        values = {"span": d * (k - 1) + 1, "H_out": shape[2], "W_out": shape[3]}
        return Solved(shape[2:] if spatial else shape, values, mistakes)

    def explain(self, params, values, config):
        k, s, p, d = (int(params[n]) for n in ("kernel", "stride", "padding", "dilation"))
        rows = "\n\n".join(
            f"$${name}_{{out}} = \\left\\lfloor \\frac{{{int(params[name])} + 2 \\cdot {p} - {d}({k} - 1) - 1}}{{{s}}} "
            f"\\right\\rfloor + 1 = {int(values[name + '_out'])}$$" for name in ("H", "W"))
        steps = [Step("PyTorch's output size", (
            "For each spatial side $n$: $\\left\\lfloor \\frac{n + 2p - d(k - 1) - 1}{s} \\right\\rfloor + 1$, "
            f"where the dilated kernel spans $d(k - 1) + 1 = {int(values['span'])}$ pixels.\n\n" + rows))]
        if config["asked"] == "full":
            steps.append(Step("Full shape", (
                "The batch size is unchanged and there is one output channel per filter: "
                f"$({int(params['N'])}, {int(params['C_out'])}, {int(values['H_out'])}, {int(values['W_out'])})$.")))
        return steps

    def prompt(self, config):
        return _shape_prompt("nn.Conv2d", config)


class TransposedConvShape(ConvOutputShape):
    slug = "transposed_conv_shape"
    title = "ConvTranspose2d: output shape"
    description = ("The output height and width (or full shape) of a ConvTranspose2d layer: "
                   "(n − 1)s − 2p + d(k − 1) + output_padding + 1.")
    schema = Schema((SHAPE_ASKED, MAX_DILATION,
                     Field("output_padding", "bool", False, "Draw an output_padding (below the stride) too.")))
    mistakes = {
        "used_conv_formula": "That is the output size of an ordinary convolution; a transposed convolution "
                             "upsamples: (n − 1)s − 2p + d(k − 1) + output_padding + 1.",
        "added_padding": "In a transposed convolution the padding is subtracted (−2p): it crops the output.",
        "forgot_minus_one": "It is (n − 1)·s, not n·s: the stride spaces out the n input positions.",
        "forgot_output_padding": "output_padding is added to one side of the output: + output_padding.",
        "forgot_dilation": "The dilated kernel spans d(k − 1) + 1 pixels, not k.",
        "kept_input_channels": ConvOutputShape.mistakes["kept_input_channels"],
    }

    def sample_batch(self, sampler, config):
        params = _sample_shape(sampler, config, [2, 3, 4, 5])
        params["H"], params["W"] = params["H"] % 15 + 2, params["W"] % 15 + 2
        limit = np.maximum(params["stride"], params["dilation"])  # PyTorch needs output_padding < max(s, d)
        drawn = sampler.integers(0, 2) % limit if config["output_padding"] else np.zeros(sampler.size, np.int64)
        params["output_padding"] = drawn
        return params

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        q = {name: int(params[name]) for name in (*SHAPE_PARAMS, "output_padding")}
        x = torch.empty((q["N"], q["C_in"], q["H"], q["W"]), device="meta", dtype=torch.float64)
        w = torch.empty((q["C_in"], q["C_out"], q["kernel"], q["kernel"]), device="meta", dtype=torch.float64)
        shape = list(F.conv_transpose2d(x, w, stride=q["stride"], padding=q["padding"], dilation=q["dilation"],
                                        output_padding=q["output_padding"]).shape)
        k, s, p, d, op = q["kernel"], q["stride"], q["padding"], q["dilation"], q["output_padding"]
        wrong = {
            "used_conv_formula": lambda n: (n + 2 * p - d * (k - 1) - 1) // s + 1,
            "added_padding": lambda n: (n - 1) * s + 2 * p + d * (k - 1) + op + 1,
            "forgot_minus_one": lambda n: n * s - 2 * p + d * (k - 1) + op + 1,
            "forgot_output_padding": lambda n: (n - 1) * s - 2 * p + d * (k - 1) + 1,
            "forgot_dilation": lambda n: (n - 1) * s - 2 * p + (k - 1) + op + 1,
        }
        spatial = config["asked"] == "spatial"
        lead = [] if spatial else shape[:2]
        mistakes = {name: lead + [f(q["H"]), f(q["W"])] for name, f in wrong.items()}
        if not spatial:
            mistakes["kept_input_channels"] = [q["N"], q["C_in"], *shape[2:]]
        return Solved(shape[2:] if spatial else shape, {"H_out": shape[2], "W_out": shape[3]}, mistakes)

    def explain(self, params, values, config):
        k, s, p, d, op = (int(params[n]) for n in ("kernel", "stride", "padding", "dilation", "output_padding"))
        rows = "\n\n".join(
            f"$${name}_{{out}} = ({int(params[name])} - 1) \\cdot {s} - 2 \\cdot {p} + {d}({k} - 1) + {op} + 1 = "
            f"{int(values[name + '_out'])}$$" for name in ("H", "W"))
        steps = [Step("PyTorch's transposed-convolution output size", (
            "For each spatial side $n$: $(n - 1)s - 2p + d(k - 1) + \\text{output\\_padding} + 1$ (the inverse of "
            "the convolution's size rule).\n\n" + rows))]
        if config["asked"] == "full":
            steps.append(Step("Full shape", (
                f"$({int(params['N'])}, {int(params['C_out'])}, {int(values['H_out'])}, {int(values['W_out'])})$.")))
        return steps

    def prompt(self, config):
        return _shape_prompt("nn.ConvTranspose2d", config, ", output_padding ${{ output_padding }}$")


class ConvParamCount(Generator):
    slug = "conv_param_count"
    title = "Conv2d: number of parameters of a conv stack"
    description = "The number of trainable parameters (weights and biases) of 1-3 stacked Conv2d layers, optionally grouped."
    lectures = (7,)
    schema = Schema((
        Field("layers", "int", 2, "Number of conv layers.", min=1, max=3),
        Field("bias", "bool", True, "Whether the layers have biases (PyTorch's default bias=True)."),
        Field("groups", "int", 1, "Groups of every layer (1: ordinary convolution).", min=1, max=4),
    ))
    mistakes = {
        "forgot_bias": "It looks like you forgot the biases: one per output channel.",
        "added_bias": "These layers have bias=False: count weights only.",
        "forgot_input_channels": "Each filter spans all (C_in / groups) input channels: C_out · (C_in/groups) · k².",
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
        w, b = weights.tolist(), biases.tolist()
        c_l, k_l = c.tolist(), k.tolist()
        out_sum = sum(c_l[1:])
        mistakes = {"forgot_input_channels": sum(co * kk * kk for co, kk in zip(c_l[1:], k_l, strict=True)) + sum(b),
                    "kernel_not_squared": sum(wi / kk for wi, kk in zip(w, k_l, strict=True)) + sum(b)}
        if config["bias"]:
            mistakes["forgot_bias"] = total - out_sum
        else:
            mistakes["added_bias"] = total + out_sum
        if g > 1:
            mistakes["forgot_groups"] = total + sum(w) * (g - 1)
        return Solved(total, {"weights": w, "biases": b, "total": total}, mistakes)

    def explain(self, params, values, config):
        g = config["groups"]
        rows = []
        for i, (w, b) in enumerate(zip(values["weights"], values["biases"], strict=True), start=1):
            c_in, c_out, k = (int(params[n]) for n in (f"c{i - 1}", f"c{i}", f"k{i}"))
            group = f" / {g}" if g > 1 else ""
            bias = f" + {c_out}" if config["bias"] else ""
            rows.append(f"$$\\text{{layer {i}}}: {c_out} \\cdot ({c_in}{group}) \\cdot {k}^2{bias} = {int(w + b)}$$")
        return [
            Step("Per layer", (
                "A Conv2d layer has $C_{out} \\cdot (C_{in}/\\text{groups}) \\cdot k^2$ weights"
                + (" plus $C_{out}$ biases" if config["bias"] else " (bias=False: no biases)") + ":\n\n"
                + "\n\n".join(rows))),
            Step("Total", f"$$\\text{{parameters}} = {int(values['total'])}$$"),
        ]

    def prompt(self, config):
        layers = "\n".join(
            f"{i}. `nn.Conv2d` from ${{{{ c{i - 1} }}}}$ to ${{{{ c{i} }}}}$ channels, kernel "
            f"${{{{ k{i} }}}} \\times {{{{ k{i} }}}}$" for i in range(1, config["layers"] + 1))
        options = f"groups={config['groups']}, bias={config['bias']}"
        return ("A CNN stacks these layers (each with " + options + "):\n\n" + layers +
                "\n\nHow many trainable parameters do they have in total? Give a whole number.")


class Conv2dOutputMatrix(Generator):
    slug = "conv2d_output_matrix"
    title = "Conv2d: the output of a small convolution"
    description = ("The whole output of a single-channel Conv2d (cross-correlation, as PyTorch) of a small integer "
                   "input with a 2×2 or 3×3 integer kernel and a bias.")
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

    def check_config(self, config):
        if config["size"] + 2 * config["padding"] < config["kernel"]:
            raise ConfigError("The kernel must fit into the padded input: “size” + 2·“padding” ≥ “kernel”.")

    def sample_batch(self, sampler, config):
        k = config["kernel"]
        kernel = sampler.nice(-1, 1, 1, shape=(k, k))
        # A kernel equal to its 180° rotation would make flipping invisible: change one corner.
        symmetric = (kernel == kernel[:, ::-1, ::-1]).all(axis=(1, 2))
        kernel[symmetric, 0, 0] = (kernel[symmetric, -1, -1] + 2) % 3 - 1
        params = {"X": sampler.nice(-2, 2, 1, shape=(config["size"],) * 2), "K": kernel,
                  "b": sampler.nice(-2, 2, 1, nonzero=True)}
        if self.answer_kind == "scalar":
            side = (config["size"] + 2 * config["padding"] - k) // config["stride"] + 1
            cells = sampler.integers(1, side, shape=(2,))
            params["row"], params["col"] = cells[:, 0], cells[:, 1]
        return params

    def _outputs(self, params, config, device):
        """The output with the kernel as given and with it flipped (one conv call), as lists."""
        import torch
        import torch.nn.functional as F

        x = torch.tensor(params["X"], dtype=torch.float64, device=device)
        k = torch.tensor(params["K"], dtype=torch.float64, device=device)
        weight = torch.stack((k, k.flip(0, 1)))[:, None]
        bias = torch.full((2,), params["b"], dtype=torch.float64, device=device)
        out = F.conv2d(x[None, None], weight, bias, stride=config["stride"], padding=config["padding"])[0]
        return out.tolist()

    def solve(self, params, config, device="cpu"):
        right, flipped = self._outputs(params, config, device)
        b = params["b"]
        return Solved(right, {"output": right},
                      {"flipped_kernel": flipped, "forgot_bias": [[v - b for v in row] for row in right]})

    def _entry(self, params, config, r, c, value) -> str:
        """One output entry written out as the sum over its window (0-based r, c)."""
        k, s, p = config["kernel"], config["stride"], config["padding"]
        x = params["X"]
        n = len(x)
        terms = []
        for i in range(k):
            for j in range(k):
                row, col = r * s + i - p, c * s + j - p
                pixel = x[row][col] if 0 <= row < n and 0 <= col < n else 0.0
                terms.append(f"{latex.num(pixel)} \\cdot ({latex.num(params['K'][i][j])})")
        return f"$$y_{{{r + 1}{c + 1}}} = {' + '.join(terms)} + ({latex.num(params['b'])}) = {latex.num(value)}$$"

    def _convention(self, config) -> Step:
        pad = (f"The input is padded with {config['padding']} ring of zeros. " if config["padding"] else "")
        return Step("Cross-correlation", (
            "PyTorch's Conv2d multiplies each window of the input elementwise with the kernel **as given** "
            "(no flip) and adds the bias: "
            "$y_{ij} = \\sum_{u,v} x_{s(i-1)+u,\\, s(j-1)+v} K_{uv} + b$. " + pad
            + f"The kernel moves {config['stride']} pixel(s) at a time."))

    def explain(self, params, values, config):
        rows = [self._entry(params, config, r, c, v) for r, line in enumerate(values["output"]) for c, v in enumerate(line)]
        return [self._convention(config), Step("Every output entry", "\n\n".join(rows)),
                Step("Output", f"$$Y = {latex.value(values['output'])}$$")]

    def _setting(self, config) -> str:
        return (
            "A single-channel `nn.Conv2d` (PyTorch: cross-correlation, the kernel is **not** flipped) with "
            f"stride {config['stride']} and zero padding {config['padding']} is applied to the input "
            "$$X = {{ X }}$$ with the kernel $$K = {{ K }}$$ and bias $b = {{ b }}$."
        )

    def prompt(self, config):
        return self._setting(config) + " Compute the whole output matrix."


class Conv2dOutputValue(Conv2dOutputMatrix):
    slug = "conv2d_output_value"
    title = "Conv2d: one output value of a small convolution"
    description = ("One entry of the output of a single-channel Conv2d (cross-correlation, as PyTorch) of a small "
                   "integer input with a 2×2 or 3×3 integer kernel and a bias.")
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

    def prompt(self, config):
        return self._setting(config) + (" Compute the output entry in row ${{ row }}$ and column ${{ col }}$ "
                                        "(counting from 1).")


class ReceptiveField(Generator):
    slug = "receptive_field"
    title = "Receptive field of a conv/pool stack"
    description = ("The receptive field (side length, in input pixels) of one output unit of 2-4 stacked conv and "
                   "pooling layers with given kernel sizes and strides.")
    lectures = (7,)
    schema = Schema((Field("layers", "int", 3, "Number of layers (conv and pooling alternate).", min=2, max=4),))
    mistakes = {
        "forgot_strides": "Each layer's kernel adds (k − 1) times the product of the strides of the layers "
                          "before it, not just k − 1.",
        "included_own_stride": "Layer ℓ's (k − 1) is scaled by the strides of the layers *before* it only, not "
                               "its own.",
        "forgot_minus_one": "Each layer adds (k − 1)·jump to the receptive field (starting from 1), not k·jump.",
    }

    def tolerance(self, config):
        return EXACT

    def sample_batch(self, sampler, config):
        layers = config["layers"]
        conv_k, conv_s = sampler.choice([3, 5, 7], shape=(layers,)), sampler.choice([1, 1, 2], shape=(layers,))
        pool_k = sampler.choice([2, 3], shape=(layers,))
        params = {}
        for i in range(layers):
            pool = i % 2 == 1  # conv, pool, conv, pool
            params[f"k{i + 1}"] = pool_k[:, i] if pool else conv_k[:, i]
            params[f"s{i + 1}"] = np.full(sampler.size, 2) if pool else conv_s[:, i]
        return params

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        layers = config["layers"]
        ks = [int(params[f"k{i + 1}"]) for i in range(layers)]
        ss = [int(params[f"s{i + 1}"]) for i in range(layers)]
        # The receptive field is the set of inputs the first output unit depends on: autograd finds it.
        # 1-D suffices (square kernels); avg-pooling spreads the gradient over its whole window.
        x = torch.ones((1, 1, math.prod(ss) * sum(ks) + 1), dtype=torch.float64, device=device, requires_grad=True)
        h = x
        for i, (k, s) in enumerate(zip(ks, ss, strict=True)):
            if i % 2:
                h = F.avg_pool1d(h, k, s)
            else:
                h = F.conv1d(h, torch.ones((1, 1, k), dtype=torch.float64, device=device), stride=s)
        (grad,) = torch.autograd.grad(h[0, 0, 0], x)
        answer = int((grad != 0).sum().item())
        jumps = [math.prod(ss[:i]) for i in range(layers)]
        sizes = [1 + sum((k - 1) * j for k, j in zip(ks[: i + 1], jumps, strict=False)) for i in range(layers)]
        mistakes = {"forgot_strides": 1 + sum(k - 1 for k in ks),
                    "included_own_stride": 1 + sum((k - 1) * j * s for k, j, s in zip(ks, jumps, ss, strict=True)),
                    "forgot_minus_one": sum(k * j for k, j in zip(ks, jumps, strict=True))}
        return Solved(answer, {"jumps": jumps, "sizes": sizes}, mistakes)

    def explain(self, params, values, config):
        rows = []
        prev = 1
        for i, (j, r) in enumerate(zip(values["jumps"], values["sizes"], strict=True), start=1):
            k = int(params[f"k{i}"])
            rows.append(f"$$r_{i} = r_{i - 1} + (k_{i} - 1) \\cdot j_{i - 1} = {prev} + ({k} - 1) \\cdot {int(j)} = {int(r)}$$")
            prev = int(r)
        return [
            Step("The recursion", (
                "Start from one output pixel, $r_0 = 1$, with jump $j_0 = 1$ (input pixels between neighbouring "
                "units). Layer $\\ell$ widens the field by $(k_\\ell - 1)$ steps of the current jump, and its "
                "stride multiplies the jump: $j_\\ell = j_{\\ell - 1} s_\\ell$. Padding does not change the size.")),
            Step("Layer by layer", "\n\n".join(rows)),
            Step("Receptive field", f"One output unit sees a ${prev} \\times {prev}$ patch of the input: {prev}."),
        ]

    def prompt(self, config):
        layers = "\n".join(
            f"{i + 1}. {'average/max pooling' if i % 2 else 'convolution'}, kernel "
            f"${{{{ k{i + 1} }}}} \\times {{{{ k{i + 1} }}}}$, stride ${{{{ s{i + 1} }}}}$"
            for i in range(config["layers"]))
        return ("A CNN applies these layers in order (square kernels, no dilation):\n\n" + layers +
                "\n\nWhat is the receptive field of one unit of the last layer, i.e. the side length (in input "
                "pixels) of the input patch it depends on? Give a whole number.")


class PoolingOutput(Generator):
    slug = "pooling_output"
    title = "Max or average pooling of a small matrix"
    description = "The output matrix of 2-D max or average pooling (kernel, stride, padding configurable) of a small integer input."
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
        "other_pooling": "Check the pooling type: that is the result of the other pooling (max versus average).",
        "excluded_padding": "PyTorch's AvgPool2d divides by the full window size k², counting the padded zeros "
                            "(count_include_pad=True).",
    }

    def tolerance(self, config):
        return EXACT

    def check_config(self, config):
        if 2 * config["padding"] > config["kernel"]:
            raise ConfigError("PyTorch needs “padding” ≤ “kernel” / 2.")
        if config["size"] + 2 * config["padding"] < config["kernel"]:
            raise ConfigError("The window must fit into the padded input: “size” + 2·“padding” ≥ “kernel”.")

    def sample_batch(self, sampler, config):
        return {"X": sampler.integers(0, 9, shape=(config["size"],) * 2).astype(np.float64)}

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        x = torch.tensor(params["X"], dtype=torch.float64, device=device)[None, None]
        k, s, p = config["kernel"], config["stride"], config["padding"]
        pooled = F.max_pool2d(x, k, s, p), F.avg_pool2d(x, k, s, p)
        first = 0 if config["pooling"] == "max" else 1
        answer = pooled[first][0, 0].tolist()
        mistakes = {"other_pooling": pooled[1 - first][0, 0].tolist()}
        if config["pooling"] == "avg" and p:
            mistakes["excluded_padding"] = F.avg_pool2d(x, k, s, p, count_include_pad=False)[0, 0].tolist()
        return Solved(answer, {"output": answer}, mistakes)

    def explain(self, params, values, config):
        k, s, p = config["kernel"], config["stride"], config["padding"]
        x, n = params["X"], len(params["X"])
        op = "\\max" if config["pooling"] == "max" else f"\\tfrac{{1}}{{{k * k}}}\\sum"
        rows = []
        for r, line in enumerate(values["output"]):
            for c, v in enumerate(line):
                cells = [x[r * s + i - p][c * s + j - p] if 0 <= r * s + i - p < n and 0 <= c * s + j - p < n
                         else None for i in range(k) for j in range(k)]
                fill = "0" if config["pooling"] == "avg" else "-\\infty"
                shown = ", ".join(fill if v_ is None else latex.num(v_) for v_ in cells)
                rows.append(f"$$y_{{{r + 1}{c + 1}}} = {op}\\,\\{{{shown}\\}} = {latex.num(v, 4)}$$")
        rule = ("the maximum of each window" if config["pooling"] == "max" else
                f"the mean of each window, always dividing by $k^2 = {k * k}$ (PyTorch's count_include_pad=True)")
        pad = (" The input is padded with " + ("zeros" if config["pooling"] == "avg" else "$-\\infty$") + "."
               if p else "")
        return [Step("Windows", f"${k} \\times {k}$ windows moving {s} pixel(s) at a time; the output is {rule}.{pad}"),
                Step("Every output entry", "\n\n".join(rows)),
                Step("Output", f"$$Y = {latex.value(values['output'], 4)}$$")]

    def prompt(self, config):
        k, s, p = config["kernel"], config["stride"], config["padding"]
        kind = "`nn.MaxPool2d`" if config["pooling"] == "max" else "`nn.AvgPool2d` (default count_include_pad=True)"
        pad = ("" if not p else
               f" and padding {p} (" + ("zeros, counted in every average: divide by the full window size"
                                         if config["pooling"] == "avg" else "padded cells never win the max") + ")")
        return (f"Apply {kind} with kernel size {k}, stride {s}{pad} to $$X = {{{{ X }}}}.$$ "
                "Compute the whole output matrix" + (" (exact fractions or decimals)." if config["pooling"] == "avg"
                                                     else "."))


GENERATORS = [ConvOutputShape(), ConvParamCount(), Conv2dOutputValue(), Conv2dOutputMatrix(), ReceptiveField(),
              PoolingOutput(), TransposedConvShape()]
