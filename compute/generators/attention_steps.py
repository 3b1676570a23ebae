"""The steps of scaled dot-product attention for one query, for multi-step questions (``compute.steps``).

The scores s = K q (one per key: the query's dot product with each row of K, i.e. the query's row of
q Kᵀ), the scaled scores s/√d_k, the attention weights α = softmax(s/√d_k) over the keys, and the output
αᵀ V (the weighted sum of the rows of V). ``attention_weight`` (one weight asked, no V) has the first
three.
"""

import math

from compute.steps import StepSpec, checked_specs

STEPS = checked_specs((
    StepSpec("scores", "q K^\\top", "attention scores", "vector"),
    StepSpec("scaled_scores", "q K^\\top / \\sqrt{d_k}", "scaled scores", "vector", ("scores",)),
    StepSpec("weights", "\\alpha", "attention weights", "vector", ("scaled_scores",)),
    StepSpec("output", "\\alpha^\\top V", "output", "vector", ("weights",)),
))


def _tensor(value):
    import torch

    return torch.tensor(value, dtype=torch.float64)


class AttentionSteps:
    """Mixin of ``Attention`` (and so of ``AttentionWeight``): its steps (see the module docstring)."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        return STEPS if self.answer_kind == "vector" else STEPS[:3]

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        import torch

        t = {key: _tensor(value) for key, value in inputs.items()}
        if name == "scores":
            out = _tensor(params["K"]) @ _tensor(params["q"])
        elif name == "scaled_scores":
            out = t["scores"] / math.sqrt(len(params["q"]))
        elif name == "weights":
            out = torch.softmax(t["scaled_scores"], dim=0)
        elif name == "output" and self.answer_kind == "vector":
            out = t["weights"] @ _tensor(params["V"])
        else:
            raise KeyError(f"{self.slug} has no step {name!r}")
        return out.tolist()

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """The generator's named mistakes where they are a slip of one step, from the same inputs."""
        t = {key: _tensor(value) for key, value in inputs.items()}
        found = {}
        if name == "scaled_scores":
            found = {"forgot_scaling": t["scores"], "divided_by_dk": t["scores"] / len(params["q"])}
        elif name == "weights":  # softmax over the other axis: each weight alone in its column, so 1
            scaled = t["scaled_scores"]
            found = {"wrong_axis": scaled * 0 + 1, "forgot_softmax": scaled, "unnormalized": scaled.exp()}
        return {key: value.tolist() for key, value in found.items() if key in self.mistakes}
