"""Lecture 7 (CNNs): the output values of a small convolution and of max or average pooling.

Convolutions follow PyTorch (``nn.Conv2d``): cross-correlation (the kernel is not flipped), zero
padding; prompts say so. Shapes, parameter counts and receptive fields are in convolution_shapes.py.
"""

import numpy as np

from compute import latex
from compute.config import Field, Schema
from compute.contract import COUNTING, EXACT, HAND_TOLERANCE, Generator
from compute.latex import shown
from compute.variant import Solved, Step


def asked_cell(params: dict) -> tuple[int, int]:
    """The asked output entry (row, column), counting from 0 (a variant stored before entries counted
    from 0 has 1-based ``row`` and ``col`` instead of ``i`` and ``j``)."""
    if "i" in params:
        return int(params["i"]), int(params["j"])
    return int(params["row"]) - 1, int(params["col"]) - 1


def numpy_outputs(X, K, b, stride: int, padding: int):
    """The convolution with the kernel as given and flipped (numpy, over leading axes; for the rules)."""
    k = K.shape[-1]
    lead = X.ndim - 2
    padded = np.pad(X, [(0, 0)] * lead + [(padding, padding)] * 2)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(-2, -1))[..., ::stride, ::stride, :, :]
    out = np.einsum("...ijuv,...uv->...ij", windows, K) + b[..., None, None]
    flipped = np.einsum("...ijuv,...uv->...ij", windows, K[..., ::-1, ::-1]) + b[..., None, None]
    return out, flipped


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
        "flipped_kernel": "PyTorch's `Conv2d` is a cross-correlation: it slides the kernel as given, without "
                          "flipping it (that would be the mathematical convolution).",
        "forgot_bias": "It looks like you forgot to add the bias to every output.",
    }
    rules = {"flip_shows": "the kernel differs from its 180° rotation, and (for one entry) the asked entry is "
                           "not 0 and changes when the kernel is flipped"}

    def validity(self, params, config):
        out, flipped = numpy_outputs(params["X"], params["K"], params["b"], config["stride"], config["padding"])
        if self.answer_kind == "scalar":
            i, j = params["i"].astype(np.int64), params["j"].astype(np.int64)
            cell = np.take_along_axis(np.take_along_axis(out, i[..., None, None], -2), j[..., None, None], -1)
            other = np.take_along_axis(np.take_along_axis(flipped, i[..., None, None], -2), j[..., None, None],
                                       -1)
            return {"flip_shows": (cell[..., 0, 0] != 0) & (cell[..., 0, 0] != other[..., 0, 0])}
        return {"flip_shows": (out != flipped).any(axis=(-2, -1))}

    def tolerance(self, config):
        return EXACT

    def hand_answer(self, params, values, config):
        # integers: the sums over each window are exact
        X, K, b = np.array(params["X"]), np.array(params["K"]), np.array(params["b"])
        out = numpy_outputs(X, K, b, config["stride"], config["padding"])[0]
        if self.answer_kind == "scalar":
            i, j = asked_cell(params)
            return float(out[i, j])
        return out.tolist()

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
            # (a seed without such an entry gets an invalid one and is drawn again)
            out, flipped = numpy_outputs(params["X"], kernel, params["b"], config["stride"], config["padding"])
            good = ((out != 0) & (out != flipped)).reshape(sampler.size, -1)
            cell = sampler.true_index(good)
            params["i"], params["j"] = (v.astype(np.float64) for v in np.divmod(cell, out.shape[-1]))
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
                terms.append(f"{latex.operand(pixel)} \\cdot ({latex.num(params['K'][i][j])})")
        return (f"$$y_{{{r},{c}}} = {' + '.join(terms)} + ({latex.num(params['b'])}) = "
                f"{latex.num(value)}$$")

    def _convention(self, config) -> Step:
        pad = f"The input is padded with {config['padding']} ring of zeros. " if config["padding"] else ""
        return Step("Cross-correlation", (
            "PyTorch's Conv2d multiplies each window of the input elementwise with the kernel **as given** "
            "(no flip) and adds the bias: $y_{i,j} = \\sum_{u,v} x_{si+u,\\, sj+v} K_{u,v} + b$ (of the padded "
            "input). " + pad + f"The kernel moves {config['stride']} pixel(s) at a time. " + COUNTING))

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
               "Compute the output entry $y_{ {{ i }},{{ j }} }$ in row ${{ i }}$ and column ${{ j }}$. " + COUNTING)
        )


class Conv2dOutputValue(Conv2dOutputMatrix):
    slug = "conv2d_output_value"
    title = "Conv2d: one output value of a small convolution"
    description = ("One entry of the output of a single-channel Conv2d (cross-correlation, as PyTorch) of a "
                   "small integer input with a 2×2 or 3×3 integer kernel and a bias.")
    answer_kind = "scalar"

    def solve(self, params, config, device="cpu"):
        right, flipped = self._outputs(params, config, device)
        r, c = asked_cell(params)
        value = right[r][c]
        return Solved(value, {"value": value},
                      {"flipped_kernel": flipped[r][c], "forgot_bias": value - params["b"]})

    def explain(self, params, values, config):
        r, c = asked_cell(params)
        return [self._convention(config),
                Step(f"Output entry ({r}, {c})", self._entry(params, config, r, c, values["value"]))]


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
        "excluded_padding": "PyTorch's `AvgPool2d` divides by the full window size $k^2$, counting the padded "
                            "zeros (`count_include_pad=True`).",
    }

    def tolerance(self, config):
        # Max pooling returns input entries; averages over 3 × 3 windows need rounding.
        return EXACT if config["pooling"] == "max" else HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        return [[shown(v) for v in row] for row in values["output"]]

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
                rows.append(f"$$y_{{{r},{c}}} = {op}\\,\\{{{', '.join(window)}\\}} = "
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


GENERATORS = [Conv2dOutputValue(), Conv2dOutputMatrix(), PoolingOutput()]
