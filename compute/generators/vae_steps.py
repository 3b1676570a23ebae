"""The steps of vae_kl, for multi-step questions (``compute.steps``): the KL term of a VAE,
D_KL = ½ Σᵢ (μᵢ² + σᵢ² − ln σᵢ² − 1), dimension by dimension, then its gradient.

Per latent dimension (vectors): μ², then σ² (e^{ln σ²} from the log-variance, or σ · σ), and with σ
given ln σ² from that σ²; the per-dimension terms ½ (μ² + σ² − ln σ² − 1); their sum D_KL. The gradient
with respect to the encoder's outputs: ∂D_KL/∂μ = μ, and ∂D_KL/∂ln σ² = ½ (σ² − 1) (log-variance) or
∂D_KL/∂σ = σ − 1/σ (σ given).
"""

from compute.steps import StepSpec, checked_specs

KL = "D_{\\mathrm{KL}}"
COMMON = (
    StepSpec("mu_sq", "\\mu_i^2", "squared means", "vector"),
    StepSpec("var", "\\sigma_i^2", "variances", "vector"),
)
STEPS = {
    "logvar": checked_specs((
        *COMMON,
        StepSpec("terms", f"{KL}^{{(i)}}", "KL term of each dimension", "vector", ("mu_sq", "var")),
        StepSpec("kl", KL, "KL divergence", "scalar", ("terms",)),
        StepSpec("dKL_dmu", f"\\partial {KL}/\\partial \\mu", "gradient with respect to the means", "vector"),
        StepSpec("dKL_dlogvar", f"\\partial {KL}/\\partial \\ln \\sigma^2",
                 "gradient with respect to the log-variances", "vector", ("var",)),
    )),
    "sigma": checked_specs((
        *COMMON,
        StepSpec("logvar", "\\ln \\sigma_i^2", "log-variances", "vector", ("var",)),
        StepSpec("terms", f"{KL}^{{(i)}}", "KL term of each dimension", "vector", ("mu_sq", "var", "logvar")),
        StepSpec("kl", KL, "KL divergence", "scalar", ("terms",)),
        StepSpec("dKL_dmu", f"\\partial {KL}/\\partial \\mu", "gradient with respect to the means", "vector"),
        StepSpec("dKL_dsigma", f"\\partial {KL}/\\partial \\sigma", "gradient with respect to the standard "
                 "deviations", "vector"),
    )),
}


def _tensor(value):
    import torch

    return torch.tensor(value, dtype=torch.float64)


class VaeKlSteps:
    """Mixin of ``VaeKl``: its steps (see the module docstring)."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        return STEPS[config["parametrization"]]

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        t = {key: _tensor(value) for key, value in inputs.items()}
        if "logvar" in params:
            t.setdefault("logvar", _tensor(params["logvar"]))
        if name == "mu_sq":
            out = _tensor(params["mu"]) ** 2
        elif name == "var":
            out = _tensor(params["logvar"]).exp() if "logvar" in params else _tensor(params["sigma"]) ** 2
        elif name == "logvar":
            out = t["var"].log()
        elif name == "terms":
            out = 0.5 * (t["mu_sq"] + t["var"] - t["logvar"] - 1)
        elif name == "kl":
            out = t["terms"].sum()
        elif name == "dKL_dmu":
            out = _tensor(params["mu"])
        elif name == "dKL_dlogvar":
            out = 0.5 * (t["var"] - 1)
        elif name == "dKL_dsigma":
            sigma = _tensor(params["sigma"])
            out = sigma - 1 / sigma
        else:
            raise KeyError(f"vae_kl has no step {name!r}")
        return out.tolist()

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """The generator's named mistakes where they are a slip of one step, from the same inputs."""
        t = {key: _tensor(value) for key, value in inputs.items()}
        if "logvar" in params:
            t.setdefault("logvar", _tensor(params["logvar"]))
        if name == "var":  # σ for σ²
            sigma = (0.5 * _tensor(params["logvar"])).exp() if "logvar" in params else _tensor(params["sigma"])
            return {"used_sigma_for_variance": sigma.tolist()}
        if name == "logvar":  # ln σ for ln σ²
            return {"used_sigma_for_variance": (0.5 * t["var"].log()).tolist()}
        if name == "terms":
            return {"forgot_half": (t["mu_sq"] + t["var"] - t["logvar"] - 1).tolist(),
                    "log_sign": (0.5 * (t["mu_sq"] + t["var"] + t["logvar"] - 1)).tolist()}
        if name == "kl" and len(inputs["terms"]) > 1:
            return {"averaged_dimensions": t["terms"].mean().item()}
        if name in ("dKL_dmu", "dKL_dlogvar", "dKL_dsigma"):
            return {"forgot_half": [2 * g for g in self.step_value(name, params, inputs, config)]}
        return {}
