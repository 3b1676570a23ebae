"""The steps of bptt_gradient's unrolled scalar RNN, forward and back through time, for multi-step
questions (``compute.steps``).

Forward, for t = 1, ..., T: the pre-activation a_t = w h_{t−1} + u x_t and the state h_t = tanh(a_t)
(h₀ given); the loss L = ½(h_T − y)² or L = h_T. Backward: ∂L/∂h_T = h_T − y (or 1); for t = T, ..., 1
the gradient at the pre-activation ∂L/∂a_t = ∂L/∂h_t (1 − h_t²), and one step back
∂L/∂h_{t−1} = w ∂L/∂a_t (down to ∂L/∂h_1). The shared weights' gradients sum over the time steps:
∂L/∂w = Σ_t ∂L/∂a_t h_{t−1}, ∂L/∂u = Σ_t ∂L/∂a_t x_t (both are steps, whichever the config asks).
Step names count time from 1 as the prompt does (``h1``, ``dL_da3``); T comes from the config.
"""

from compute.steps import StepSpec, checked_specs


def _dh(t: int) -> str:
    return f"dL_dh{t}"


def _da(t: int) -> str:
    return f"dL_da{t}"


def _split(name: str) -> tuple[str, int]:
    """A step name's kind and time step: ("dL_da", 3) for ``dL_da3``; (name, 0) without a number."""
    kind = name.rstrip("0123456789")
    return kind, int(name[len(kind):] or 0)


def bptt_specs(steps: int) -> tuple[StepSpec, ...]:
    """The steps of an RNN unrolled over ``steps`` time steps, in computation order."""
    forward = []
    for t in range(1, steps + 1):
        forward.append(StepSpec(f"a{t}", f"a_{t}", f"pre-activation at step {t}", "scalar",
                                (f"h{t - 1}",) if t > 1 else ()))
        forward.append(StepSpec(f"h{t}", f"h_{t}", f"hidden state at step {t}", "scalar", (f"a{t}",)))
    backward = [StepSpec("L", "L", "loss", "scalar", (f"h{steps}",)),
                StepSpec(_dh(steps), f"\\partial L/\\partial h_{steps}", "gradient at the last hidden state",
                         "scalar", (f"h{steps}",))]
    for t in range(steps, 0, -1):
        backward.append(StepSpec(_da(t), f"\\partial L/\\partial a_{t}", f"gradient at the pre-activation {t}",
                                 "scalar", (_dh(t), f"h{t}")))
        if t > 1:
            backward.append(StepSpec(_dh(t - 1), f"\\partial L/\\partial h_{t - 1}",
                                     f"gradient at the hidden state {t - 1}", "scalar", (_da(t),)))
    every_da = tuple(_da(t) for t in range(1, steps + 1))
    states = tuple(f"h{t}" for t in range(1, steps))  # h_0 is given
    sums = [StepSpec("dL_dw", "\\partial L/\\partial w", "gradient of w summed over time", "scalar",
                     every_da + states),
            StepSpec("dL_du", "\\partial L/\\partial u", "gradient of u summed over time", "scalar", every_da)]
    return checked_specs((*forward, *backward, *sums))


class BpttSteps:
    """Mixin of ``BpttGradient``: its steps (see the module docstring)."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        return bptt_specs(config["steps"])

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        import torch

        steps, w, u = config["steps"], params["w"], params["u"]
        v = {key: torch.tensor(value, dtype=torch.float64) for key, value in inputs.items()}
        h = {0: torch.tensor(params["h0"], dtype=torch.float64),
             **{int(key[1:]): value for key, value in v.items() if key[0] == "h"}}
        kind, t = _split(name)
        if kind == "a":
            out = w * h[t - 1] + u * params["x"][t - 1]
        elif kind == "h":
            out = torch.tanh(v[f"a{t}"])
        elif name == "L":
            last = v[f"h{steps}"]
            out = 0.5 * (last - params["y"]) ** 2 if config["loss"] == "squared" else last.clone()
        elif name == _dh(steps):
            last = v[f"h{steps}"]
            out = last - params["y"] if config["loss"] == "squared" else torch.ones_like(last)
        elif kind == "dL_da":
            out = v[_dh(t)] * (1 - h[t] ** 2)
        elif kind == "dL_dh":
            out = w * v[_da(t + 1)]
        elif name in ("dL_dw", "dL_du"):
            local = [h[t - 1] for t in range(1, steps + 1)] if name == "dL_dw" else params["x"]
            out = sum(v[_da(t)] * local[t - 1] for t in range(1, steps + 1))
        else:
            raise KeyError(f"bptt_gradient has no step {name!r}")
        return out.item()

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """The generator's named mistakes where they apply to one step."""
        steps = config["steps"]
        if name == _dh(steps) and config["loss"] == "squared":
            return {"dropped_half": 2 * (inputs[f"h{steps}"] - params["y"])}
        kind, t = _split(name)
        if kind == "dL_da":
            return {"forgot_tanh_derivative": float(inputs[_dh(t)])}
        if name in ("dL_dw", "dL_du"):
            local = inputs[f"h{steps - 1}"] if name == "dL_dw" else params["x"][-1]
            return {"truncated": inputs[_da(steps)] * local}
        return {}
