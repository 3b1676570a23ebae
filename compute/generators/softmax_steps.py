"""The steps of the softmax generators (softmax_cross_entropy, softmax_gradient), for multi-step questions
(``compute.steps``).

Forward: the scaled logits s = z / T, the exponentials e = exp(s) entrywise, the probabilities
p = e / Σ e, the loss L = −ln p_y. Backward: ∂L/∂s = p − onehot(y), then the chain rule through z / T:
∂L/∂z = ∂L/∂s / T. Each step is computed with torch from the values it depends on, so a student's own
wrong exponentials give the p, L and gradients that follow from them. The exponentials are e^{z_i/T}
themselves, not shifted by the largest logit as a library does (that gives the same p but other
exponentials); the sampling grid keeps them below e⁶.

A slip belongs to the step where it is made (forgetting the onehot is a slip of ∂L/∂s, forgetting the
factor 1/T one of ∂L/∂z); ``step_mistakes`` gives those the generator names in its ``mistakes``.
"""

from compute.steps import StepSpec, checked_specs

STEPS = checked_specs((
    StepSpec("scaled", "z / T", "logits divided by the temperature", "vector"),
    StepSpec("exps", "e^{z / T}", "exponentials", "vector", ("scaled",)),
    StepSpec("p", "p", "softmax probabilities", "vector", ("exps",)),
    StepSpec("L", "L", "cross-entropy loss", "scalar", ("p",)),
    StepSpec("dL_ds", "\\partial L/\\partial (z / T)", "gradient at the scaled logits", "vector", ("p",)),
    StepSpec("dL_dz", "\\partial L/\\partial z", "gradient at the logits", "vector", ("dL_ds",)),
))


def _tensor(value):
    import torch

    return torch.tensor(value, dtype=torch.float64)


def true_class(params: dict) -> int:
    """The true class, counting from 0 (a variant stored before classes counted from 0 has a 1-based
    ``target`` instead of ``y``)."""
    return int(params["y"]) if "y" in params else int(params["target"]) - 1


def _onehot(params: dict, size: int):
    """onehot(y) of the variant's true class (a tensor of ``size`` entries)."""
    out = _tensor([0.0] * size)
    out[true_class(params)] = 1.0
    return out


class SoftmaxSteps:
    """Mixin of the softmax generators: their steps (see the module docstring)."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        return STEPS

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        import torch

        t = {key: _tensor(value) for key, value in inputs.items()}
        if name == "scaled":
            out = _tensor(params["z"]) / params["T"]
        elif name == "exps":
            out = torch.exp(t["scaled"])
        elif name == "p":
            out = t["exps"] / t["exps"].sum()
        elif name == "L":
            out = -torch.log(t["p"][true_class(params)])
        elif name == "dL_ds":
            out = t["p"] - _onehot(params, len(t["p"]))
        elif name == "dL_dz":
            out = t["dL_ds"] / params["T"]
        else:
            raise KeyError(f"{self.slug} has no step {name!r}")
        return out.tolist()

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """The slips of step ``name`` that the generator names in its ``mistakes``."""
        import torch

        t = {key: _tensor(value) for key, value in inputs.items()}
        slips = {}
        if name == "scaled":
            z = _tensor(params["z"])
            slips = {"forgot_temperature": z, "multiplied_temperature": z * params["T"]}
        elif name == "p":
            slips = {"unnormalized": t["exps"]}
        elif name == "L":
            log_p = torch.log(t["p"][true_class(params)])
            slips = {"log10": -log_p / torch.log(_tensor(10.0)), "forgot_minus": log_p}
        elif name == "dL_ds":
            slips = {"sign_flipped": _onehot(params, len(t["p"])) - t["p"], "forgot_onehot": t["p"]}
        elif name == "dL_dz":
            slips = {"forgot_temperature_factor": t["dL_ds"]}
        return {key: value.tolist() for key, value in slips.items() if key in self.mistakes}
