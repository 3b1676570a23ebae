"""The steps of optimizer_step, for multi-step questions (``compute.steps``): each optimizer's state and
update at every step t = 1..k (k = ``config["steps"]``), scalars named ``<quantity>_<t>``.

Per step t, in this order (PyTorch's conventions, as the generator states them):

- SGD: Δw_t = −η g_t.
- momentum: b_t = μ b_{t−1} + g_t (b_1 = g_1), Δw_t = −η b_t.
- Nesterov: b_t as momentum, Δw_t = −η (g_t + μ b_t).
- AdaGrad: s_t = s_{t−1} + g_t² (s_0 = 0), Δw_t = −η g_t / (√s_t + 10⁻¹⁰).
- RMSprop: v_t = α v_{t−1} + (1 − α) g_t² (α = 0.99, v_0 = 0), Δw_t = −η g_t / (√v_t + 10⁻⁸).
- Adam and AdamW: m_t = β₁ m_{t−1} + (1 − β₁) g_t, v_t = β₂ v_{t−1} + (1 − β₂) g_t² (β₁ = 0.9,
  β₂ = 0.999, m_0 = v_0 = 0), m̂_t = m_t / (1 − β₁ᵗ), v̂_t = v_t / (1 − β₂ᵗ), Δw_t = −η m̂_t / (√v̂_t + 10⁻⁸).

Then w_t = w_{t−1} + Δw_t (w_0 the parameter ``w0``); for AdamW, whose decay comes first,
w_t = (1 − ηλ) w_{t−1} + Δw_t, so there Δw_t is the Adam part of the change. Each quantity of step t
depends on the same quantity of step t − 1, so a student's wrong m_1 carries into m_2 as into m̂_1.
"""

from compute.steps import StepSpec, checked_specs

BETA1, BETA2, ALPHA = 0.9, 0.999, 0.99
EPS = {"adagrad": 1e-10}  # the others: 1e-8
# Each quantity's (symbol, title); PLAN gives, per optimizer, each step's quantities before w_t in order with
# the quantities of the same step they depend on. The RUNNING quantities also depend on themselves at the
# step before.
QUANTITIES = {
    "b": ("b", "momentum buffer"),
    "s": ("s", "sum of squared gradients"),
    "m": ("m", "first moment"),
    "v": ("v", "second moment"),
    "m_hat": ("\\hat m", "bias-corrected first moment"),
    "v_hat": ("\\hat v", "bias-corrected second moment"),
    "delta": ("\\Delta w", "update"),
    "w": ("w", "parameter"),
}
PLAN = {
    "sgd": (("delta", ()),),
    "momentum": (("b", ()), ("delta", ("b",))),
    "nesterov": (("b", ()), ("delta", ("b",))),
    "adagrad": (("s", ()), ("delta", ("s",))),
    "rmsprop": (("v", ()), ("delta", ("v",))),
    "adam": (("m", ()), ("v", ()), ("m_hat", ("m",)), ("v_hat", ("v",)), ("delta", ("m_hat", "v_hat"))),
}
PLAN["adamw"] = PLAN["adam"]
RUNNING = ("b", "s", "m", "v", "w")
# The slips of Δw_t besides its sign and η, per optimizer (``OptimizerSteps.direction``'s variants).
SLIPS = {"nesterov": ("plain_momentum",), "adagrad": ("forgot_sqrt",), "rmsprop": ("forgot_sqrt", "bias_corrected"),
         "adam": ("forgot_sqrt",)}
TITLES = {"rmsprop": {"v": "running average of squared gradients"}, "adamw": {"delta": "Adam update"}}


def step_name(quantity: str, t: int) -> str:
    return f"{quantity}_{t}"


def specs_for(optimizer: str, steps: int) -> tuple[StepSpec, ...]:
    """The steps of ``optimizer`` over ``steps`` optimizer steps (see the module docstring)."""
    specs = []
    for t in range(1, steps + 1):
        for quantity, depends in (*PLAN[optimizer], ("w", ("delta",))):
            symbol, title = QUANTITIES[quantity]
            title = TITLES.get(optimizer, {}).get(quantity, title)
            before = (step_name(quantity, t - 1),) if t > 1 and quantity in RUNNING else ()
            specs.append(StepSpec(step_name(quantity, t), f"{symbol}_{t}", f"{title} at step {t}", "scalar",
                                  before + tuple(step_name(d, t) for d in depends)))
    return checked_specs(tuple(specs))


def parse(name: str) -> tuple[str, int]:
    """(quantity, t) of a step name such as ``m_hat_2``."""
    quantity, _, t = name.rpartition("_")
    return quantity, int(t)


def tensors(inputs: dict, t: int) -> dict:
    """The inputs of a step of step t as float64 tensors, keyed by quantity: ``m`` for ``m_t``, ``m_before``
    for ``m_{t−1}``."""
    import torch

    return {parse(key)[0] + ("_before" if parse(key)[1] < t else ""): torch.tensor(value, dtype=torch.float64)
            for key, value in inputs.items()}


class OptimizerSteps:
    """Mixin of ``OptimizerStep``: its steps (see the module docstring)."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        return specs_for(config["optimizer"], config["steps"])

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        import torch

        optimizer = config["optimizer"]
        quantity, t = parse(name)
        x = tensors(inputs, t)
        g = torch.tensor(params["g"][t - 1], dtype=torch.float64)
        lr, mu = params["lr"], params.get("mu", 0.0)
        zero = torch.zeros((), dtype=torch.float64)
        before = x.get(f"{quantity}_before", zero)
        if quantity == "b":
            out = mu * before + g if t > 1 else g.clone()
        elif quantity == "s":
            out = before + g * g
        elif quantity == "m":
            out = BETA1 * before + (1 - BETA1) * g
        elif quantity == "v" and optimizer == "rmsprop":
            out = ALPHA * before + (1 - ALPHA) * g * g
        elif quantity == "v":
            out = BETA2 * before + (1 - BETA2) * g * g
        elif quantity == "m_hat":
            out = x["m"] / (1 - BETA1**t)
        elif quantity == "v_hat":
            out = x["v"] / (1 - BETA2**t)
        elif quantity == "delta":
            out = -lr * self.direction(optimizer, g, mu, x, t)
        elif quantity == "w":
            previous = x["w_before"] if t > 1 else torch.tensor(params["w0"], dtype=torch.float64)
            decay = 1 - lr * params["wd"] if optimizer == "adamw" else 1.0
            out = decay * previous + x["delta"]
        else:
            raise KeyError(f"optimizer_step ({optimizer}) has no step {name!r}")
        return out.item()

    @staticmethod
    def direction(optimizer: str, g, mu: float, x: dict, t: int, variant: str = ""):
        """The direction of step t (Δw_t = −η · direction) from the tensors ``x`` of its inputs, with the
        slip ``variant`` of ``SLIPS`` ("" for none)."""
        eps = EPS.get(optimizer, 1e-8)
        root = (lambda v: v) if variant == "forgot_sqrt" else (lambda v: v.sqrt())
        if optimizer == "momentum" or variant == "plain_momentum":
            return x["b"]
        if optimizer == "nesterov":
            return g + mu * x["b"]
        if optimizer == "adagrad":
            return g / (root(x["s"]) + eps)
        if optimizer == "rmsprop":
            v = x["v"] / (1 - ALPHA**t) if variant == "bias_corrected" else x["v"]
            return g / (root(v) + eps)
        if optimizer in ("adam", "adamw"):
            return x["m_hat"] / (root(x["v_hat"]) + eps)
        return g

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """The optimizer's named mistakes (the generator's ``optimizer_mistakes``) where they are a slip of
        one step, from the same inputs."""
        import torch

        optimizer = config["optimizer"]
        quantity, t = parse(name)
        x = tensors(inputs, t)
        g = torch.tensor(params["g"][t - 1], dtype=torch.float64)
        lr, mu = params["lr"], params.get("mu", 0.0)
        found = {}
        if quantity == "b":
            found["ema_momentum"] = mu * x.get("b_before", 0.0) + (1 - mu) * g
            if t > 1:
                found["no_momentum"] = g
        elif quantity == "s" and t > 1:
            found["no_accumulation"] = g * g
        elif quantity == "v" and optimizer == "rmsprop":
            found["alpha_swapped"] = (1 - ALPHA) * x.get("v_before", 0.0) + ALPHA * g * g
        elif quantity in ("m_hat", "v_hat"):
            found["no_bias_correction"] = x[quantity[0]]
        elif quantity == "delta":
            found["ascent"] = lr * self.direction(optimizer, g, mu, x, t)
            found["forgot_lr"] = -g
            for variant in SLIPS.get(optimizer, ()):
                found[variant] = -lr * self.direction(optimizer, g, mu, x, t, variant)
        elif quantity == "w" and optimizer == "adamw":
            previous = x["w_before"] if t > 1 else torch.tensor(params["w0"], dtype=torch.float64)
            found["no_decay"] = previous + x["delta"]
            found["decay_not_scaled"] = (1 - params["wd"]) * previous + x["delta"]
        return {key: float(value) for key, value in found.items() if key in self.optimizer_mistakes[optimizer]}
