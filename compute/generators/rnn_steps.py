"""The steps of rnn_step's forward pass through time, for multi-step questions (``compute.steps``).

For t = 1, ..., T: the pre-activation a_t = W_ih x_t + b + W_hh h_{t−1} and the hidden state
h_t = tanh(a_t) (vectors; h₀ given). Each step is computed with torch from the values it depends on,
so a student's own wrong h₁ gives the a₂ and h₂ that follow from it. Step names count time from 1 as
the prompt does (``a1``, ``h2``); T comes from the config. (The backward pass through time is
bptt_gradient's, bptt_steps.py.)
"""

from compute.steps import StepSpec, checked_specs


def rnn_specs(steps: int) -> tuple[StepSpec, ...]:
    """The steps of the cell unrolled over ``steps`` time steps, in computation order."""
    specs = []
    for t in range(1, steps + 1):
        specs.append(StepSpec(f"a{t}", f"a_{t}", f"pre-activation at step {t}", "vector",
                              (f"h{t - 1}",) if t > 1 else ()))
        specs.append(StepSpec(f"h{t}", f"h_{t}", f"hidden state at step {t}", "vector", (f"a{t}",)))
    return checked_specs(tuple(specs))


def _tensor(value):
    import torch

    return torch.tensor(value, dtype=torch.float64)


def _driven(params: dict, t: int):
    """The input part W_ih x_t + b of step t (counting from 1), a tensor."""
    return _tensor(params["W_ih"]) @ _tensor(params["X"][t - 1]) + _tensor(params["b"])


class RnnSteps:
    """Mixin of ``RnnStep``: its steps (see the module docstring)."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        return rnn_specs(config["steps"])

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        import torch

        kind, t = name[0], int(name[1:])
        if kind == "a":
            previous = _tensor(inputs[f"h{t - 1}"] if t > 1 else params["h0"])
            out = _driven(params, t) + _tensor(params["W_hh"]) @ previous
        elif kind == "h":
            out = torch.tanh(_tensor(inputs[f"a{t}"]))
        else:
            raise KeyError(f"rnn_step has no step {name!r}")
        return out.tolist()

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """The generator's named mistakes where they apply to one step."""
        import torch

        kind, t = name[0], int(name[1:])
        if kind == "a":
            return {"forgot_recurrence": _driven(params, t).tolist()}
        a = _tensor(inputs[f"a{t}"])
        return {"forgot_tanh": a.tolist(), "used_sigmoid": torch.sigmoid(a).tolist()}
