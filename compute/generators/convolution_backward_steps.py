"""The steps of conv2d_backward, for multi-step questions (``compute.steps``), and the one torch pass that
computes them (its ``solve`` calls it too).

Y = X ⋆ K + b (PyTorch's cross-correlation, zero padding p, stride s); with the given upstream gradient
G = ∂L/∂Y: ∂L/∂K_{u,v} = Σ_{i,j} G_{i,j} x_{si+u, sj+v} (of the padded input), ∂L/∂b = Σ G, and
∂L/∂x_{r,c} = Σ G_{i,j} K_{u,v} over si + u − p = r, sj + v − p = c. Each quantity comes from the
variant's parameters alone (G is given, not computed from Y), so no step depends on another: a wrong Y
changes none of the gradients, and each step's carried value is its exact value.
"""

from compute.steps import StepSpec, checked_specs

STEPS = checked_specs((
    StepSpec("Y", "Y", "output map", "matrix"),
    StepSpec("dL_dK", "\\partial L/\\partial K", "kernel gradient", "matrix"),
    StepSpec("dL_db", "\\partial L/\\partial b", "bias gradient", "scalar"),
    StepSpec("dL_dX", "\\partial L/\\partial X", "input gradient", "matrix"),
))


def convolution_pass(params: dict, config: dict, *, flip_kernel: bool = False, flip_upstream: bool = False,
                     device: str = "cpu") -> dict:
    """{"Y", "dL_dK", "dL_db", "dL_dX"} as float64 tensors, by autograd through ``F.conv2d``; with
    ``flip_kernel`` / ``flip_upstream`` the kernel / G rotated by 180° (the slips)."""
    import torch
    import torch.nn.functional as F

    def t(value, grad=False):
        return torch.tensor(value, dtype=torch.float64, device=device, requires_grad=grad)

    x, k, b, g = t(params["X"], True), t(params["K"], True), t([params["b"]], True), t(params["G"])
    weight = k.flip(0, 1) if flip_kernel else k
    y = F.conv2d(x[None, None], weight[None, None], b, stride=config["stride"], padding=config["padding"])[0, 0]
    dx, dk, db = torch.autograd.grad(y, (x, k, b), grad_outputs=g.flip(0, 1) if flip_upstream else g)
    return {"Y": y.detach(), "dL_dK": dk, "dL_db": db[0], "dL_dX": dx}


class ConvBackwardSteps:
    """Mixin of ``Conv2dBackward``: its steps (see the module docstring)."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        return STEPS

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        if name not in {spec.name for spec in STEPS}:
            raise KeyError(f"conv2d_backward has no step {name!r}")
        return convolution_pass(params, config)[name].tolist()

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """The generator's named mistakes where they apply to one step."""
        if name == "Y":
            y = convolution_pass(params, config)["Y"]
            return {"flipped_kernel": convolution_pass(params, config, flip_kernel=True)["Y"].tolist(),
                    "forgot_bias": (y - params["b"]).tolist()}
        if name == "dL_dK":
            slips = {"flipped_upstream": convolution_pass(params, config, flip_upstream=True)["dL_dK"].tolist()}
            if config["stride"] > 1:
                slips["ignored_stride"] = kernel_gradient_at_stride_1(params, config).tolist()
            return slips
        if name == "dL_db":
            g = params["G"]
            return {"averaged_bias_gradient": sum(map(sum, g)) / (len(g) * len(g[0]))}
        if name == "dL_dX":
            return {"unrotated_kernel": convolution_pass(params, config, flip_kernel=True)["dL_dX"].tolist()}
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
