"""The steps of gcn_layer, for multi-step questions (``compute.steps``), in its own convention: the
layer H′ = ReLU(D̂^{−1/2} Â D̂^{−1/2} H W) and the output of the asked node v only.

Â = A + I (self-loops added), the degrees d̂ (row sums of Â), the normalized adjacency
Ã = D̂^{−1/2} Â D̂^{−1/2} (Ãᵢⱼ = Âᵢⱼ / √(d̂ᵢ d̂ⱼ)), node v's aggregated features (ÃH)_v (row v of Ã times H),
its pre-activation (ÃHW)_v = (ÃH)_v W and its output ReLU((ÃHW)_v).
"""

from compute.steps import StepSpec, checked_specs


def _tensor(value):
    import torch

    return torch.tensor(value, dtype=torch.float64)


class GcnSteps:
    """Mixin of ``GcnLayer``: its steps (see the module docstring). The generator gives ``node_of(config)``,
    the asked node (the mixin cannot import graphs.py, which imports it)."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        v = self.node_of(config)
        return checked_specs((
            StepSpec("A_hat", "\\hat A", "adjacency with self-loops", "matrix"),
            StepSpec("degrees", "\\hat d", "degrees", "vector", ("A_hat",)),
            StepSpec("normalized", "\\tilde A", "normalized adjacency", "matrix", ("A_hat", "degrees")),
            StepSpec("aggregated", f"(\\tilde A H)_{{{v}}}", f"aggregated features of node {v}", "vector",
                     ("normalized",)),
            StepSpec("pre", f"(\\tilde A H W)_{{{v}}}", f"pre-activation of node {v}", "vector", ("aggregated",)),
            StepSpec("output", f"H'_{{{v}}}", f"output of node {v}", "vector", ("pre",)),
        ))

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        import torch

        t = {key: _tensor(value) for key, value in inputs.items()}
        if name == "A_hat":
            a = _tensor(params["A"])
            out = a + torch.eye(a.shape[0], dtype=torch.float64)
        elif name == "degrees":
            out = t["A_hat"].sum(1)
        elif name == "normalized":
            inv_sqrt = t["degrees"].rsqrt()
            out = inv_sqrt[:, None] * t["A_hat"] * inv_sqrt[None, :]
        elif name == "aggregated":
            out = t["normalized"][self.node_of(config)] @ _tensor(params["H"])
        elif name == "pre":
            out = t["aggregated"] @ _tensor(params["W"])
        elif name == "output":
            out = torch.relu(t["pre"])
        else:
            raise KeyError(f"gcn_layer has no step {name!r}")
        return out.tolist()

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """The generator's named mistakes where they are a slip of one step, from the same inputs."""
        t = {key: _tensor(value) for key, value in inputs.items()}
        if name == "A_hat":
            return {"forgot_self_loops": _tensor(params["A"]).tolist()}
        if name == "degrees":  # the neighbours without the node itself
            return {"forgot_self_loops": (t["A_hat"].sum(1) - 1).tolist()}
        if name == "normalized":
            return {"mean_normalization": (t["A_hat"] / t["degrees"][:, None]).tolist(),
                    "forgot_normalization": t["A_hat"].tolist()}
        if name == "output":
            return {"forgot_relu": t["pre"].tolist()}
        return {}
