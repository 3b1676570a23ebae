"""The steps of conv2d_backward, for multi-step questions (``compute.steps``), and the one torch pass that
computes them (its ``solve`` calls it too).

Y = X ⋆ K + b (PyTorch's cross-correlation, zero padding p, stride s); with the upstream gradient
G = ∂L/∂Y: ∂L/∂K_{u,v} = Σ_{i,j} G_{i,j} x_{si+u, sj+v} (of the padded input), ∂L/∂b = Σ G, and
∂L/∂x_{r,c} = Σ G_{i,j} K_{u,v} over si + u − p = r, sj + v − p = c.

Under ``loss = "upstream"`` G is given (a parameter), not computed from Y, so no step depends on another:
a wrong Y changes none of the gradients, and each step's carried value is its exact value. Under
``loss = "squared"`` L = ½ Σ (Y − T)² with a given target map T, so G = ∂L/∂Y = Y − T: the steps are Y,
L and ∂L/∂Y (both from Y), then ∂L/∂K, ∂L/∂b and ∂L/∂X from ∂L/∂Y, and a student's wrong Y carries into
∂L/∂Y and from there into every gradient.
"""

from compute.steps import StepSpec, checked_specs

STEPS = checked_specs((
    StepSpec("Y", "Y", "output map", "matrix"),
    StepSpec("dL_dK", "\\partial L/\\partial K", "kernel gradient", "matrix"),
    StepSpec("dL_db", "\\partial L/\\partial b", "bias gradient", "scalar"),
    StepSpec("dL_dX", "\\partial L/\\partial X", "input gradient", "matrix"),
))
SQUARED_STEPS = checked_specs((
    StepSpec("Y", "Y", "output map", "matrix"),
    StepSpec("L", "L", "loss", "scalar", ("Y",)),
    StepSpec("dL_dY", "\\partial L/\\partial Y", "gradient at the output map", "matrix", ("Y",)),
    StepSpec("dL_dK", "\\partial L/\\partial K", "kernel gradient", "matrix", ("dL_dY",)),
    StepSpec("dL_db", "\\partial L/\\partial b", "bias gradient", "scalar", ("dL_dY",)),
    StepSpec("dL_dX", "\\partial L/\\partial X", "input gradient", "matrix", ("dL_dY",)),
))


def convolution_pass(params: dict, config: dict, *, flip_kernel: bool = False, flip_upstream: bool = False,
                     device: str = "cpu") -> dict:
    """{"Y", "dL_dK", "dL_db", "dL_dX"} as float64 tensors, by autograd through ``F.conv2d``, and under
    ``loss = "squared"`` also "L" and "dL_dY" (autograd through L = ½ Σ (Y − T)²); with ``flip_kernel`` /
    ``flip_upstream`` the kernel / G = ∂L/∂Y rotated by 180° (the slips). ``params`` holds G under
    "upstream", T under "squared"."""
    import torch
    import torch.nn.functional as F

    def t(value, grad=False):
        return torch.tensor(value, dtype=torch.float64, device=device, requires_grad=grad)

    x, k, b = t(params["X"], True), t(params["K"], True), t([params["b"]], True)
    weight = k.flip(0, 1) if flip_kernel else k
    y = F.conv2d(x[None, None], weight[None, None], b, stride=config["stride"], padding=config["padding"])[0, 0]
    found = {}
    if config.get("loss", "upstream") == "squared":
        loss = 0.5 * ((y - t(params["T"])) ** 2).sum()
        (g,) = torch.autograd.grad(loss, y, retain_graph=True)
        found = {"L": loss.detach(), "dL_dY": g}
    else:
        g = t(params["G"])
    dx, dk, db = torch.autograd.grad(y, (x, k, b), grad_outputs=g.flip(0, 1) if flip_upstream else g)
    return {"Y": y.detach(), **found, "dL_dK": dk, "dL_db": db[0], "dL_dX": dx}


def with_upstream(params: dict, inputs: dict, config: dict) -> dict:
    """``params`` with G: the given one under "upstream", the step input ∂L/∂Y (the student's own, when
    carried) under "squared"."""
    return {**params, "G": inputs["dL_dY"]} if config.get("loss", "upstream") == "squared" else params


class ConvBackwardSteps:
    """Mixin of ``Conv2dBackward``: its steps (see the module docstring)."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        return SQUARED_STEPS if config.get("loss", "upstream") == "squared" else STEPS

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        import torch

        if name not in {spec.name for spec in self.step_specs(config)}:
            raise KeyError(f"conv2d_backward has no step {name!r}")
        if name in ("L", "dL_dY"):
            error = torch.tensor(inputs["Y"], dtype=torch.float64) - torch.tensor(params["T"], dtype=torch.float64)
            return (0.5 * (error ** 2).sum() if name == "L" else error).tolist()
        if name == "Y":
            return convolution_pass(params, config)["Y"].tolist()
        return convolution_pass(with_upstream(params, inputs, config), {**config, "loss": "upstream"})[name].tolist()

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """The generator's named mistakes where they apply to one step."""
        plain = {**config, "loss": "upstream"}  # the gradients from G = ∂L/∂Y, whichever the loss
        if name == "Y":
            y = convolution_pass(params, config)["Y"]
            return {"flipped_kernel": convolution_pass(params, config, flip_kernel=True)["Y"].tolist(),
                    "forgot_bias": (y - params["b"]).tolist()}
        if name == "L":
            return {"dropped_half": 2 * self.step_value("L", params, inputs, config)}
        if name == "dL_dY":
            error = self.step_value("dL_dY", params, inputs, config)
            return {"dropped_half": [[2 * e for e in row] for row in error],
                    "sign_flipped": [[-e for e in row] for row in error]}
        params = with_upstream(params, inputs, config)
        if name == "dL_dK":
            slips = {"flipped_upstream": convolution_pass(params, plain, flip_upstream=True)["dL_dK"].tolist()}
            if config["stride"] > 1:
                slips["ignored_stride"] = kernel_gradient_at_stride_1(params, config).tolist()
            return slips
        if name == "dL_db":
            g = params["G"]
            return {"averaged_bias_gradient": sum(map(sum, g)) / (len(g) * len(g[0]))}
        if name == "dL_dX":
            return {"unrotated_kernel": convolution_pass(params, plain, flip_kernel=True)["dL_dX"].tolist()}
        return {}


def kernel_gradient_at_stride_1(params: dict, config: dict, device: str = "cpu"):
    """The slip ``ignored_stride``: Σ_{i,j} G_{i,j} x_{i+u, j+v}, G's entries taken next to each other in
    the padded input instead of s apart (a tensor of the kernel's shape)."""
    import torch
    import torch.nn.functional as F

    x = torch.tensor(params["X"], dtype=torch.float64, device=device)
    g = torch.tensor(params["G"], dtype=torch.float64, device=device)
    k = len(params["K"])
    return F.conv2d(F.pad(x, (config["padding"],) * 4)[None, None], g[None, None])[0, 0, :k, :k]
