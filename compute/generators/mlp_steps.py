"""The steps of mlp_backward's forward and backward pass, for multi-step questions (``compute.steps``).

Forward: z₁ = W₁x + b₁, a₁ = f(z₁), ŷ = W₂a₁ + b₂, L = (ŷ − y)². Backward: ∂L/∂ŷ = 2(ŷ − y),
∂L/∂a₁ = W₂ᵀ ∂L/∂ŷ, ∂L/∂z₁ = ∂L/∂a₁ ⊙ f′ (f′ from a₁: σ′ = a(1 − a), tanh′ = 1 − a², ReLU′ = [a > 0]),
∂L/∂W₁ = ∂L/∂z₁ xᵀ, ∂L/∂b₁ = ∂L/∂z₁, ∂L/∂W₂ = ∂L/∂ŷ a₁ᵀ, ∂L/∂b₂ = ∂L/∂ŷ, ∂L/∂x = W₁ᵀ ∂L/∂z₁.
Each step is computed with torch from the values it depends on, so a student's own wrong z₁ gives
the a₁ that follows from it.
"""

from compute.steps import StepSpec, checked_specs

STEPS = checked_specs((
    StepSpec("z1", "z_1", "hidden pre-activation", "vector"),
    StepSpec("a1", "a_1", "hidden activation", "vector", ("z1",)),
    StepSpec("yhat", "\\hat y", "output", "scalar", ("a1",)),
    StepSpec("L", "L", "loss", "scalar", ("yhat",)),
    StepSpec("dL_dyhat", "\\partial L/\\partial \\hat y", "gradient at the output", "scalar", ("yhat",)),
    StepSpec("dL_da1", "\\partial L/\\partial a_1", "gradient at the hidden activation", "vector", ("dL_dyhat",)),
    StepSpec("dL_dz1", "\\partial L/\\partial z_1", "gradient at the hidden pre-activation", "vector",
             ("dL_da1", "a1")),
    StepSpec("dL_dW1", "\\partial L/\\partial W_1", "gradient of the first layer's weights", "matrix", ("dL_dz1",)),
    StepSpec("dL_db1", "\\partial L/\\partial b_1", "gradient of the first layer's biases", "vector", ("dL_dz1",)),
    StepSpec("dL_dW2", "\\partial L/\\partial W_2", "gradient of the output weights", "matrix", ("dL_dyhat", "a1")),
    StepSpec("dL_db2", "\\partial L/\\partial b_2", "gradient of the output bias", "scalar", ("dL_dyhat",)),
    StepSpec("dL_dx", "\\partial L/\\partial x", "gradient at the input", "vector", ("dL_dz1",)),
))


def _tensor(value):
    import torch

    return torch.tensor(value, dtype=torch.float64)


def _slope(activation: str, a):
    """f′ at the pre-activation whose activation is ``a`` (a tensor)."""
    if activation == "sigmoid":
        return a * (1 - a)
    if activation == "tanh":
        return 1 - a * a
    return (a > 0).to(a.dtype)


class MlpSteps:
    """Mixin of ``MlpBackward``: its steps (see the module docstring)."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        return STEPS

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        import torch

        act = config["activation"]
        t = {key: _tensor(value) for key, value in inputs.items()}
        if name == "z1":
            out = _tensor(params["W1"]) @ _tensor(params["x"]) + _tensor(params["b1"])
        elif name == "a1":
            z = t["z1"]
            out = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[act](z)
        elif name == "yhat":
            out = (_tensor(params["W2"]) @ t["a1"])[0] + params["b2"]
        elif name == "L":
            out = (t["yhat"] - params["y"]) ** 2
        elif name == "dL_dyhat":
            out = 2 * (t["yhat"] - params["y"])
        elif name == "dL_da1":
            out = _tensor(params["W2"])[0] * t["dL_dyhat"]
        elif name == "dL_dz1":
            out = t["dL_da1"] * _slope(act, t["a1"])
        elif name == "dL_dW1":
            out = torch.outer(t["dL_dz1"], _tensor(params["x"]))
        elif name == "dL_db1":
            out = t["dL_dz1"].clone()
        elif name == "dL_dW2":
            out = (t["dL_dyhat"] * t["a1"])[None, :]
        elif name == "dL_db2":
            out = t["dL_dyhat"].clone()
        elif name == "dL_dx":
            out = _tensor(params["W1"]).T @ t["dL_dz1"]
        else:
            raise KeyError(f"mlp_backward has no step {name!r}")
        return out.tolist()

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """The generator's named mistakes where they apply to one step."""
        if name == "dL_dyhat":
            error = inputs["yhat"] - params["y"]
            return {"forgot_factor_2": error, "sign_flipped": -2 * error}
        if name == "dL_dz1" and config["activation"] != "relu":
            return {"forgot_activation_derivative": list(inputs["dL_da1"])}
        return {}
