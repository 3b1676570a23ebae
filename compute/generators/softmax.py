"""Lectures 3-4 (Deep Neural Networks I and II): softmax with temperature and cross-entropy, its
gradient with respect to the logits.

Sampling draws every number of a variant in one ``Sampler.draw`` call (a few candidate sets at
once, the first valid one kept), as in activations.py.
"""

import math

import numpy as np

from compute.config import ConfigError, Field, Schema
from compute.contract import Generator
from compute.latex import num, value
from compute.sampling import columns, first_valid, grid
from compute.variant import Solved, Step

CANDIDATES = 4
ROUNDED = "Give the answer to at least 3 significant figures."

SOFTMAX_COLUMNS = {  # logits (C), temperature, target class (1-based)
    c: columns(*[grid(-2, 3, 0.5)] * c, np.array([0.5, 1.0, 2.0]), grid(1, c, 1)) for c in range(2, 7)
}


def log_softmax(z: list[float], t: float) -> list[float]:
    """log softmax(z / t), shifted by the maximum so that nothing overflows."""
    top = max(z)
    log_total = math.log(sum(math.exp((v - top) / t) for v in z))
    return [(v - top) / t - log_total for v in z]


class SoftmaxBase(Generator):
    """Shared sampling and config checks of the two softmax generators (logits z, temperature T, target y)."""

    schema = Schema((Field("classes", "int", 3, "Number of classes C.", min=2, max=6),))

    def check_config(self, config):
        fixed, c = config["fixed"], config["classes"]
        target = fixed.get("target")
        whole = isinstance(target, int | float) and target == int(target)
        if target is not None and not (whole and 1 <= target <= c):
            raise ConfigError(f"A fixed “target” must be a class number from 1 to {c} (“classes”); got "
                              f"{target!r}.")
        t = fixed.get("T")
        if t is not None and (not isinstance(t, int | float) or t <= 0):
            raise ConfigError(f"A fixed temperature “T” must be a positive number; got {t!r}.")

    def sample_batch(self, sampler, config):
        c = config["classes"]
        v = sampler.draw(SOFTMAX_COLUMNS[c], CANDIDATES)
        z, t, target = v[..., :c], v[..., c], v[..., c + 1].astype(np.int64)
        e = np.exp((z - z.max(-1, keepdims=True)) / t[..., None])
        p = np.take_along_axis(e, target[..., None] - 1, -1)[..., 0] / e.sum(-1)
        v = first_valid(v, (p >= 0.05) & (p <= 0.9))  # a loss neither tiny nor huge
        return {"z": v[:, :c], "T": v[:, c], "target": v[:, c + 1]}

    def forward_steps(self, params, values) -> list[Step]:
        t = num(params["T"])
        return [Step("Softmax with temperature",
                     f"Divide the logits by $T = {t}$ and normalise the exponentials:\n\n"
                     f"$$p_i = \\frac{{e^{{z_i / T}}}}{{\\sum_j e^{{z_j / T}}}}, \\qquad p = "
                     f"{value(values['p'], 4)}$$")]

    @staticmethod
    def setting() -> str:
        return ("A classifier outputs the logits $z = {{ z }}$ for $C$ classes (entry $i$ is class $i$). "
                "With temperature $T = {{ T }}$ the predicted distribution is "
                "$p = \\mathrm{softmax}(z / T)$, $p_i = e^{z_i/T} / \\sum_j e^{z_j/T}$. The true class is "
                "$y = {{ target }}$ and the loss is the cross-entropy with the natural log, $L = -\\ln p_y$ "
                "(PyTorch's `F.cross_entropy(z / T, y)`).")


class SoftmaxCrossEntropy(SoftmaxBase):
    slug = "softmax_cross_entropy"
    title = "Softmax with temperature and cross-entropy"
    description = ("Logits, a temperature T and a true class: the softmax probability of that class or the "
                   "loss.")
    lectures = (3, 4)
    schema = Schema((*SoftmaxBase.schema.fields,
                     Field("ask", "choice", "loss", "The loss −ln p_y or the probability p_y.",
                           choices=("loss", "probability"))))
    mistakes = {
        "forgot_temperature": "It looks like you forgot to divide the logits by the temperature T.",
        "multiplied_temperature": "It looks like you multiplied the logits by T; softmax(z / T) divides.",
        "log10": "It looks like you used log base 10; the cross-entropy uses the natural log.",
        "forgot_minus": "Check the sign: L = −ln p_y is positive.",
        "unnormalized": "It looks like you did not divide by the sum of the exponentials.",
    }

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        z = torch.tensor(params["z"], dtype=torch.float64, device=device)
        t, k = params["T"], int(params["target"]) - 1
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
        k = int(params["target"])
        if config["ask"] == "loss":
            body = f"$$L = -\\ln p_{{{k}}} = -\\ln {num(values['p'][k - 1], 4)} = {num(values['loss'], 4)}$$"
            steps.append(Step("Cross-entropy", body))
        else:
            body = f"$$p_{{{k}}} = {num(values['p'][k - 1], 4)}$$"
            steps.append(Step("Probability of the true class", body))
        return steps

    def prompt(self, config):
        asked = "the loss $L$" if config["ask"] == "loss" else "the probability $p_y$ of the true class"
        return f"{self.setting()}\n\nCompute {asked}. {ROUNDED}"


class SoftmaxGradient(SoftmaxBase):
    slug = "softmax_gradient"
    title = "Gradient of softmax cross-entropy with respect to the logits"
    description = ("Logits, a temperature T and a true class: the gradient ∂L/∂z of the cross-entropy "
                   "(a vector).")
    lectures = (3, 4)
    answer_kind = "vector"
    mistakes = {
        "forgot_temperature_factor": "It looks like you forgot the chain-rule factor 1/T from z / T.",
        "sign_flipped": "Check the sign: ∂L/∂z = (p − onehot(y)) / T.",
        "forgot_onehot": "It looks like you forgot to subtract 1 at the true class.",
        "forgot_temperature": "It looks like you computed the softmax without the temperature.",
    }

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        z = torch.tensor(params["z"], dtype=torch.float64, device=device, requires_grad=True)
        t, k = params["T"], int(params["target"]) - 1
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

    def explain(self, params, values, config):
        steps = self.forward_steps(params, values)
        k, t = int(params["target"]), num(params["T"])
        steps.append(Step(
            "Gradient",
            "For softmax followed by cross-entropy, $\\partial L / \\partial (z_i/T) = p_i - [i = y]$; the "
            "chain rule through $z / T$ adds the factor $1/T$:\n\n"
            f"$$\\frac{{\\partial L}}{{\\partial z}} = \\frac{{p - e_{{{k}}}}}{{{t}}} = "
            f"{value(values['grad'], 4)}$$"))
        return steps

    def prompt(self, config):
        return (f"{self.setting()}\n\nCompute the gradient $\\partial L / \\partial z$ "
                f"(one entry per class). {ROUNDED}")


GENERATORS = [SoftmaxCrossEntropy(), SoftmaxGradient()]
