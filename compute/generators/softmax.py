"""Lectures 3-4 (Deep Neural Networks I and II): softmax with temperature and cross-entropy, its
gradient with respect to the logits.

Sampling draws every number of a variant in one ``Sampler.draw`` call (a few candidate sets at
once, the first valid one kept), as in activations.py.
"""

import math

import numpy as np

from compute.config import ConfigError, Field, Schema
from compute.contract import COUNTING, HAND_TOLERANCE, Generator
from compute.generators.softmax_steps import SoftmaxSteps, true_class
from compute.latex import num, shown, value
from compute.sampling import columns, grid, pick_valid
from compute.tolerance import told_apart
from compute.variant import Solved, Step

CANDIDATES = 4
ROUNDED = "Give the answer to at least 3 significant figures."

SOFTMAX_COLUMNS = {  # logits (C), temperature, true class (from 0)
    c: columns(*[grid(-2, 3, 0.5)] * c, np.array([0.5, 1.0, 2.0]), grid(0, c - 1, 1)) for c in range(2, 7)
}


# The slips of the scaled logits, p and L (softmax_cross_entropy's answer) and of the gradient steps
# (softmax_gradient's answer); each generator names both, for its steps (``SoftmaxSteps``).
LOSS_MISTAKES = {
    "multiplied_temperature": "It looks like you multiplied the logits by $T$; $\\mathrm{softmax}(z / T)$ "
                              "divides.",
    "log10": "It looks like you used log base 10; the cross-entropy uses the natural log.",
    "forgot_minus": "Check the sign: $L = -\\ln p_y$ is positive.",
    "unnormalized": "It looks like you did not divide by the sum of the exponentials.",
}
GRADIENT_MISTAKES = {
    "forgot_temperature_factor": "It looks like you forgot the chain-rule factor $1/T$ from $z / T$.",
    "sign_flipped": "Check the sign: $\\partial L/\\partial z = (p - \\mathrm{onehot}(y)) / T$.",
    "forgot_onehot": "It looks like you forgot to subtract 1 at the true class.",
}


def numpy_softmax(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """softmax(z / T) over the last axis (numpy, for the validity rules)."""
    e = np.exp((z - z.max(-1, keepdims=True)) / t[..., None])
    return e / e.sum(-1, keepdims=True)


def log_softmax(z: list[float], t: float) -> list[float]:
    """log softmax(z / t), shifted by the maximum so that nothing overflows."""
    top = max(z)
    log_total = math.log(sum(math.exp((v - top) / t) for v in z))
    return [(v - top) / t - log_total for v in z]


class SoftmaxBase(Generator):
    """Shared sampling and config checks of the two softmax generators (logits z, temperature T, target y)."""

    schema = Schema((Field("classes", "int", 3, "Number of classes C.", min=2, max=6),))

    rules = {
        "p_y_in_range": "the probability of the true class is between 0.05 and 0.9: a loss neither tiny nor huge, "
                        "every shown probability hand-computable",
        "temperature_shows": "unless T is fixed, forgetting the temperature gives a different answer (T ≠ 1)",
    }

    def check_config(self, config):
        fixed, c = config["fixed"], config["classes"]
        if "target" in fixed:
            raise ConfigError("The true class is now “y”, counting from 0 (as in PyTorch); fix “y” instead of "
                              "“target”.")
        target = fixed.get("y")
        whole = isinstance(target, int | float) and target == int(target)
        if target is not None and not (whole and 0 <= target <= c - 1):
            raise ConfigError(f"A fixed true class “y” must be a class number from 0 to {c - 1} (classes count "
                              f"from 0; “classes” is {c}); got {target!r}.")
        t = fixed.get("T")
        if t is not None and (not isinstance(t, int | float) or t <= 0):
            raise ConfigError(f"A fixed temperature “T” must be a positive number; got {t!r}.")

    def validity(self, params, config):
        z, t, y = params["z"], params["T"], params["y"].astype(np.int64)
        onehot = (np.arange(z.shape[-1]) == y[..., None]) * 1.0
        p = numpy_softmax(z, t)
        p_y = (p * onehot).sum(-1)
        with np.errstate(divide="ignore"):  # p_y = 0 (huge fixed logits): refused by p_y_in_range
            answer = self.quantity(p, onehot, t, config)
        tol, axes = self.tolerance(config), (-1,) if self.answer_kind == "vector" else ()
        with np.errstate(divide="ignore"):
            shows = np.ones(p_y.shape, dtype=bool) if "T" in config["fixed"] else (
                told_apart(self.quantity(numpy_softmax(z, np.ones_like(t)), onehot, np.ones_like(t), config),
                           answer, tol, axes)
                & told_apart(self.quantity(numpy_softmax(z, 1 / t), onehot, t, config), answer, tol, axes))
        return {"p_y_in_range": (p_y >= 0.05) & (p_y <= 0.9), "temperature_shows": shows}

    def quantity(self, p, onehot, t, config):
        """The asked quantity from the probabilities p (numpy, for the validity rules)."""
        raise NotImplementedError

    def sample_batch(self, sampler, config):
        c = config["classes"]
        v = sampler.draw(SOFTMAX_COLUMNS[c], CANDIDATES)
        cands = self.with_fixed({"z": v[..., :c], "T": v[..., c], "y": v[..., c + 1]}, config, candidates=True)
        return pick_valid(cands, self.validity(cands, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def forward_steps(self, params, values) -> list[Step]:
        t = num(params["T"])
        return [Step("Softmax with temperature",
                     f"Divide the logits by $T = {t}$ and normalise the exponentials:\n\n"
                     f"$$p_i = \\frac{{e^{{z_i / T}}}}{{\\sum_j e^{{z_j / T}}}}, \\qquad p = "
                     f"{value(values['p'], 4)}$$\n\n"
                     f"Entry $i$ is class $i$, counting from 0 (the first entry is $p_0$).")]

    @staticmethod
    def setting() -> str:
        return ("A classifier outputs the logits $z = {{ z }}$ for $C$ classes: entry $i$ is class $i$, "
                "$i = 0, \\dots, C - 1$. " + COUNTING + " With temperature $T = {{ T }}$ the predicted distribution "
                "is $p = \\mathrm{softmax}(z / T)$, $p_i = e^{z_i/T} / \\sum_j e^{z_j/T}$. The true class is "
                "$y = {{ y }}$ and the loss is the cross-entropy with the natural log, $L = -\\ln p_y$ "
                "(PyTorch's `F.cross_entropy(z / T, y)`).")


class SoftmaxCrossEntropy(SoftmaxSteps, SoftmaxBase):
    slug = "softmax_cross_entropy"
    title = "Softmax with temperature and cross-entropy"
    description = ("Logits, a temperature T and a true class: the softmax probability of that class or the "
                   "loss.")
    lectures = (3, 4)
    schema = Schema((*SoftmaxBase.schema.fields,
                     Field("ask", "choice", "loss", "The loss −ln p_y or the probability p_y.",
                           choices=("loss", "probability"))))
    mistakes = {
        "forgot_temperature": "It looks like you forgot to divide the logits by the temperature $T$.",
        **LOSS_MISTAKES,
        **GRADIENT_MISTAKES,  # slips of the gradient steps (``SoftmaxSteps``)
    }

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        z = torch.tensor(params["z"], dtype=torch.float64, device=device)
        t, k = params["T"], true_class(params)
        logp = F.log_softmax(z / t, dim=0)
        loss = -logp[k].item()
        p = logp.exp().tolist()
        zs = params["z"]
        values = {"p": p, "loss": loss}
        if config["ask"] == "loss":
            mistakes = {"forgot_temperature": -log_softmax(zs, 1.0)[k],
                        "multiplied_temperature": -log_softmax(zs, 1 / t)[k],
                        "log10": loss / math.log(10), "forgot_minus": -loss}
            return Solved(answer=loss, values=values, mistakes=mistakes)
        mistakes = {"forgot_temperature": math.exp(log_softmax(zs, 1.0)[k]),
                    "multiplied_temperature": math.exp(log_softmax(zs, 1 / t)[k])}
        if zs[k] / t < 700:  # e^(z/T) stays finite
            mistakes["unnormalized"] = math.exp(zs[k] / t)
        return Solved(answer=p[k], values=values, mistakes=mistakes)

    def explain(self, params, values, config):
        steps = self.forward_steps(params, values)
        k = true_class(params)
        if config["ask"] == "loss":
            body = f"$$L = -\\ln p_{{{k}}} = -\\ln {num(values['p'][k], 4)} = {num(values['loss'], 4)}$$"
            steps.append(Step("Cross-entropy", body))
        else:
            body = f"$$p_{{{k}}} = {num(values['p'][k], 4)}$$"
            steps.append(Step("Probability of the true class", body))
        return steps

    def quantity(self, p, onehot, t, config):
        p_y = (p * onehot).sum(-1)
        return -np.log(p_y) if config["ask"] == "loss" else p_y

    def hand_answer(self, params, values, config):
        import math

        p_y = shown(values["p"][true_class(params)])
        return shown(-math.log(p_y) if config["ask"] == "loss" else p_y)

    def prompt(self, config):
        asked = "the loss $L$" if config["ask"] == "loss" else "the probability $p_y$ of the true class"
        return f"{self.setting()}\n\nCompute {asked}. {ROUNDED}"


class SoftmaxGradient(SoftmaxSteps, SoftmaxBase):
    slug = "softmax_gradient"
    title = "Gradient of softmax cross-entropy with respect to the logits"
    description = ("Logits, a temperature T and a true class: the gradient ∂L/∂z of the cross-entropy "
                   "(a vector).")
    lectures = (3, 4)
    answer_kind = "vector"
    mistakes = {
        **GRADIENT_MISTAKES,
        "forgot_temperature": "It looks like you computed the softmax without the temperature.",
        **LOSS_MISTAKES,  # slips of the forward steps (``SoftmaxSteps``)
    }

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        z = torch.tensor(params["z"], dtype=torch.float64, device=device, requires_grad=True)
        t, k = params["T"], true_class(params)
        logp = F.log_softmax(z / t, dim=0)
        (-logp[k]).backward()
        grad, p = z.grad.tolist(), logp.detach().exp().tolist()
        onehot = [float(i == k) for i in range(len(p))]
        mistakes = {
            "forgot_temperature_factor": [g * t for g in grad],
            "sign_flipped": [-g for g in grad],
            "forgot_onehot": [q / t for q in p],
            "forgot_temperature": [math.exp(q) - o for q, o in zip(log_softmax(params["z"], 1.0), onehot,
                                                                    strict=True)],
        }
        return Solved(answer=grad, values={"p": p, "grad": grad}, mistakes=mistakes)

    def quantity(self, p, onehot, t, config):
        return (p - onehot) / t[..., None]

    def hand_answer(self, params, values, config):
        k, t = true_class(params), params["T"]
        return [shown((shown(p) - (i == k)) / t) for i, p in enumerate(values["p"])]

    def explain(self, params, values, config):
        steps = self.forward_steps(params, values)
        k, t = true_class(params), num(params["T"])
        steps.append(Step(
            "Gradient",
            "For softmax followed by cross-entropy, $\\partial L / \\partial (z_i/T) = p_i - [i = y]$; the "
            "chain rule through $z / T$ adds the factor $1/T$:\n\n"
            f"$$\\frac{{\\partial L}}{{\\partial z}} = \\frac{{p - e_{{{k}}}}}{{{t}}} = "
            f"{value(values['grad'], 4)}$$"))
        return steps

    def prompt(self, config):
        return (f"{self.setting()}\n\nCompute the gradient $\\partial L / \\partial z$ "
                f"(one entry per class, in the order of $z$). {ROUNDED}")


GENERATORS = [SoftmaxCrossEntropy(), SoftmaxGradient()]
