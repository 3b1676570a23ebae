"""Lecture 7 (CNNs): backward through a small 2-D convolution: the kernel gradient ∂L/∂K from the input
and the upstream gradient G = ∂L/∂Y: given (``loss = "upstream"``), or G = Y − T of the squared-error loss
L = ½ Σ (Y − T)² with a given target map T (``loss = "squared"``).

The convolution follows PyTorch (``nn.Conv2d``): cross-correlation (the kernel is not flipped), zero
padding; the prompt says so. Its kernel gradient is again a cross-correlation, of the padded input with
G at the stride's spacing. The steps (the output map, under "squared" L and ∂L/∂Y, then ∂L/∂K, ∂L/∂b,
∂L/∂X) and the torch pass that computes them are in convolution_backward_steps.py. Every number is a small
integer (L a multiple of ½), so the answer is exact.
"""

import numpy as np

from compute import latex
from compute.config import ConfigError, Field, Schema
from compute.contract import COUNTING, EXACT, Generator
from compute.generators.convolution import Conv2dOutputMatrix, numpy_outputs
from compute.generators.convolution_backward_steps import (
    ConvBackwardSteps,
    convolution_pass,
    kernel_gradient_at_stride_1,
    with_upstream,
)
from compute.sampling import pick_valid
from compute.variant import Solved, Step

CANDIDATES = 8
RESIDUAL_BOUND = 6  # the largest |y − t| of a squared-error variant (rule residual_small)


def output_side(config: dict) -> int:
    """The side length of the output map (and of G) for the config's sizes."""
    return (config["size"] + 2 * config["padding"] - config["kernel"]) // config["stride"] + 1


def squared(config: dict) -> bool:
    """Whether the config's loss is the squared error against a target map (else G is given)."""
    return config.get("loss", "upstream") == "squared"


def numpy_upstream(params, config: dict):
    """G = ∂L/∂Y (numpy, over leading axes): the given G, or Y − T under the squared-error loss."""
    if not squared(config):
        return params["G"]
    out = numpy_outputs(params["X"], params["K"], params["b"], config["stride"], config["padding"])[0]
    return out - params["T"]


def numpy_kernel_gradient(X, G, kernel: int, stride: int, padding: int):
    """∂L/∂K_{u,v} = Σ_{i,j} G_{i,j} x_{si+u, sj+v} of the padded X (numpy, over leading axes)."""
    lead = X.ndim - 2
    padded = np.pad(X, [(0, 0)] * lead + [(padding, padding)] * 2)
    span = stride * (G.shape[-1] - 1) + 1
    return np.stack([
        np.stack([(padded[..., u:u + span:stride, v:v + span:stride] * G).sum((-2, -1)) for v in range(kernel)], -1)
        for u in range(kernel)], -2)


def numpy_input_gradient(G, K, size: int, stride: int, padding: int):
    """∂L/∂x_{r,c} = Σ G_{i,j} K_{u,v} over si + u − p = r, sj + v − p = c (numpy, over leading axes)."""
    k, span = K.shape[-1], stride * (G.shape[-1] - 1) + 1
    out = np.zeros(G.shape[:-2] + (size + 2 * padding,) * 2)
    for u in range(k):
        for v in range(k):
            out[..., u:u + span:stride, v:v + span:stride] += G * K[..., u, v, None, None]
    return out[..., padding:padding + size, padding:padding + size]


class Conv2dBackward(ConvBackwardSteps, Generator):
    slug = "conv2d_backward"
    title = "Backward through a 2-D convolution"
    description = ("The kernel gradient ∂L/∂K of a single-channel Conv2d (cross-correlation, as PyTorch) from a "
                   "small integer input and a given upstream gradient ∂L/∂Y (or, with loss “squared”, the "
                   "squared error ½ Σ (Y − T)² against a target map T, so that ∂L/∂Y = Y − T); its steps are "
                   "the output map, (L and ∂L/∂Y,) ∂L/∂K, ∂L/∂b and ∂L/∂X.")
    lectures = (7,)
    answer_kind = "matrix"
    schema = Schema((
        *Conv2dOutputMatrix.schema.fields,
        Field("loss", "choice", "upstream", "upstream: ∂L/∂Y is given; squared: L = ½ Σ (Y − T)² with a given "
              "target map T, so ∂L/∂Y = Y − T follows from Y (a wrong Y carries into the gradients).",
              choices=("upstream", "squared")),
    ))
    mistakes = {
        "flipped_upstream": "The kernel gradient of PyTorch's cross-correlation is again a correlation: "
                            "$\\partial L/\\partial K_{u,v} = \\sum_{i,j} G_{i,j}\\, x_{si+u,\\, sj+v}$, with "
                            "$G = \\partial L/\\partial Y$ as given; it looks like you rotated $G$ by 180°.",
        "ignored_stride": "With stride $s$, the entry $G_{i,j}$ meets the input at $x_{si+u,\\, sj+v}$: "
                          "it looks like you took the inputs next to each other instead of $s$ apart.",
        "flipped_kernel": Conv2dOutputMatrix.mistakes["flipped_kernel"],
        "forgot_bias": Conv2dOutputMatrix.mistakes["forgot_bias"],
        "averaged_bias_gradient": "The bias is added to every output, so $\\partial L/\\partial b = "
                                  "\\sum_{i,j} G_{i,j}$: it looks like you averaged $G$ instead of summing it.",
        "dropped_half": "With $L = \\tfrac12 \\sum_{i,j} (y_{i,j} - t_{i,j})^2$ the $\\tfrac12$ cancels the 2 of "
                        "the square: $\\partial L/\\partial Y = Y - T$; it looks like you dropped the "
                        "$\\tfrac12$ (a factor 2 off).",
        "sign_flipped": "$\\partial L/\\partial y_{i,j} = y_{i,j} - t_{i,j}$ (the output minus the target): it "
                        "looks like you took $T - Y$.",
        "unrotated_kernel": "$\\partial L/\\partial x_{r,c}$ collects $G_{i,j} K_{u,v}$ over $si + u - p = r$, "
                            "$sj + v - p = c$: as a correlation of the zero-padded $G$ that is the kernel "
                            "rotated by 180°; it looks like you used it the other way round.",
    }
    rules = {
        "answer_clear": "some entry of ∂L/∂K is not 0",
        "slips_show": "rotating G by 180° (and, with stride 2, taking the inputs next to each other) gives "
                      "another ∂L/∂K",
        "kernel_flip_shows": "flipping the kernel changes the output map Y and ∂L/∂X (those steps' slips are "
                             "told apart)",
        "bias_gradient_clear": "∂L/∂b = Σ G is not 0, so averaging G gives another value",
        "residual_small": "with loss “squared”: every entry of ∂L/∂Y = Y − T is at most 6 in size, so L and "
                          "∂L/∂K stay hand-sized (G given: its entries are at most 2)",
    }

    def check_config(self, config):
        if output_side(config) < 2:
            raise ConfigError(f"The output map would be {output_side(config)}×{output_side(config)}: choose a "
                              "larger input, a smaller kernel, stride 1 or padding 1, so that it is at least "
                              "2×2 (a gradient to correlate with).")

    def validity(self, params, config):
        k, s, p, n = config["kernel"], config["stride"], config["padding"], config["size"]
        X, K, G = params["X"], params["K"], numpy_upstream(params, config)
        grad = numpy_kernel_gradient(X, G, k, s, p)

        def differs(a, b):
            return (a != b).any((-2, -1))

        slips = differs(numpy_kernel_gradient(X, G[..., ::-1, ::-1], k, s, p), grad)
        if s > 1:
            slips &= differs(numpy_kernel_gradient(X, G, k, 1, p), grad)
        out, flipped = numpy_outputs(X, K, params["b"], s, p)
        back = numpy_input_gradient(G, K, n, s, p)
        return {"answer_clear": (grad != 0).any((-2, -1)), "slips_show": slips,
                "kernel_flip_shows": differs(out, flipped)
                & differs(numpy_input_gradient(G, K[..., ::-1, ::-1], n, s, p), back),
                "bias_gradient_clear": G.sum((-2, -1)) != 0,
                "residual_small": (np.abs(G) <= RESIDUAL_BOUND).all((-2, -1))}

    def sample_batch(self, sampler, config):
        c, n, k, o = CANDIDATES, config["size"], config["kernel"], output_side(config)
        draw = {"X": sampler.nice(-2, 2, 1, shape=(c, n, n)), "K": sampler.nice(-1, 1, 1, shape=(c, k, k)),
                "b": sampler.nice(-2, 2, 1, shape=(c,), nonzero=True)}
        draw["T" if squared(config) else "G"] = sampler.nice(-2, 2, 1, shape=(c, o, o))
        return pick_valid(draw, self.validity(draw, config))

    def tolerance(self, config):
        return EXACT

    def hand_answer(self, params, values, config):
        # integers: every sum of products is exact
        # under the squared-error loss the worked solution shows Y and ∂L/∂Y = Y − T, whole numbers too
        X = np.array(params["X"])
        G = np.array(values["dL_dY"] if squared(config) else params["G"])
        return numpy_kernel_gradient(X, G, config["kernel"], config["stride"], config["padding"]).tolist()

    def solve(self, params, config, device="cpu"):
        right = convolution_pass(params, config, device=device)
        values = {name: value.tolist() for name, value in right.items()}
        mistakes = {"flipped_upstream": convolution_pass(params, config, flip_upstream=True, device=device)
                    ["dL_dK"].tolist()}
        if config["stride"] > 1:
            mistakes["ignored_stride"] = kernel_gradient_at_stride_1(with_upstream(params, values, config), config,
                                                                     device).tolist()
        return Solved(values["dL_dK"], values, mistakes)

    def _kernel_entry(self, params, config, G, u, v, value) -> str:
        """One kernel-gradient entry written out as the sum over G (0-based u, v)."""
        s, p = config["stride"], config["padding"]
        x, n = params["X"], len(params["X"])
        terms = []
        for i, row in enumerate(G):
            for j, g in enumerate(row):
                r, c = s * i + u - p, s * j + v - p
                pixel = x[r][c] if 0 <= r < n and 0 <= c < n else 0.0
                terms.append(f"{latex.operand(g)} \\cdot {latex.operand(pixel)}")
        return f"$$\\frac{{\\partial L}}{{\\partial K_{{{u},{v}}}}} = {' + '.join(terms)} = {latex.num(value)}$$"

    def explain(self, params, values, config):
        s, p = config["stride"], config["padding"]
        pad = f" of the input padded with {p} ring of zeros" if p else ""
        G = values["dL_dY"] if squared(config) else params["G"]
        entries = [self._kernel_entry(params, config, G, u, v, value)
                   for u, row in enumerate(values["dL_dK"]) for v, value in enumerate(row)]
        steps = [
            Step("Cross-correlation and its kernel gradient", (
                "PyTorch's Conv2d multiplies each window with the kernel **as given** (no flip): "
                f"$y_{{i,j}} = \\sum_{{u,v}} x_{{si+u,\\, sj+v}} K_{{u,v}} + b$ with stride $s = {s}${pad}. "
                "The weight $K_{u,v}$ meets the input $x_{si+u,\\, sj+v}$ in output $(i, j)$, so by the chain "
                "rule $\\partial L/\\partial K_{u,v} = \\sum_{i,j} G_{i,j}\\, x_{si+u,\\, sj+v}$: the input "
                "correlated with $G$, the entries of $G$ taken $s$ apart in the input. " + COUNTING)),
            Step("Output map", f"$$Y = {latex.value(values['Y'])}$$"),
            Step("Every kernel-gradient entry", "\n\n".join(entries)),
            Step("Kernel gradient", f"$$\\frac{{\\partial L}}{{\\partial K}} = {latex.value(values['dL_dK'])}$$"),
            Step("Bias and input gradients", (
                "The bias is added to every output: "
                f"$\\partial L/\\partial b = \\sum_{{i,j}} G_{{i,j}} = {latex.num(values['dL_db'])}$. Each "
                "$G_{i,j}$ goes back to the inputs of its window, weighted by the kernel: "
                "$\\partial L/\\partial x_{r,c} = \\sum G_{i,j} K_{u,v}$ over $si + u - p = r$, $sj + v - p = c$:"
                f"\n\n$$\\frac{{\\partial L}}{{\\partial X}} = {latex.value(values['dL_dX'])}$$")),
        ]
        if squared(config):
            steps[1:2] = [steps[1], self._loss_step(params, values)]
        return steps

    def _loss_step(self, params, values) -> Step:
        """The squared-error loss written out from Y and T, and its gradient G = Y − T."""
        terms = [f"{latex.operand(y - t)}^2" for y_row, t_row in zip(values["Y"], params["T"], strict=True)
                 for y, t in zip(y_row, t_row, strict=True)]
        return Step("Loss and its gradient at the output", (
            "$L = \\tfrac12 \\sum_{i,j} (y_{i,j} - t_{i,j})^2$: the $\\tfrac12$ cancels the 2 of the square, "
            "so $\\partial L/\\partial y_{i,j} = y_{i,j} - t_{i,j}$: the upstream gradient is "
            "$G = \\partial L/\\partial Y = Y - T$. With the target map "
            f"$T = {latex.value(params['T'])}$:\n\n"
            f"$$L = \\tfrac12 \\left({' + '.join(terms)}\\right) = {latex.num(values['L'])}$$\n\n"
            f"$$G = \\frac{{\\partial L}}{{\\partial Y}} = Y - T = {latex.value(values['dL_dY'])}$$"))

    def prompt(self, config):
        setup = (
            "A single-channel `nn.Conv2d` (PyTorch: cross-correlation, the kernel is **not** flipped) with "
            f"stride $s = {config['stride']}$ and zero padding $p = {config['padding']}$ maps the input\n\n"
            "$$X = {{ X }}$$\n\n"
            "with the kernel\n\n"
            "$$K = {{ K }}$$\n\n"
            "and bias $b = {{ b }}$ to the output $Y$, $y_{i,j} = \\sum_{u,v} x_{si+u,\\, sj+v} K_{u,v} + b$ "
            "(of the padded input). "
        )
        if squared(config):
            return setup + (
                "The loss is the squared error against the target map\n\n"
                "$$T = {{ T }}$$\n\n"
                "$L = \\tfrac12 \\sum_{i,j} (y_{i,j} - t_{i,j})^2$. Compute the gradient $\\partial L / \\partial K$ "
                "of the loss with respect to the kernel (a matrix of the kernel's shape). " + COUNTING
            )
        return setup + (
            "The gradient of a loss $L$ with respect to that output is\n\n"
            "$$G = \\frac{\\partial L}{\\partial Y} = {{ G }}$$\n\n"
            "Compute the gradient $\\partial L / \\partial K$ of the loss with respect to the kernel (a matrix "
            "of the kernel's shape)."
        )


GENERATORS = [Conv2dBackward()]
