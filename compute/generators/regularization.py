"""Lecture 5 (Regularization): weight decay in an SGD step, inverted dropout, L1 and L2 penalties.

Sampling draws every number of a variant in one ``Sampler.draw`` call (a few candidate sets at
once, the first valid one kept): each sampler call costs about as much as a small torch
operation, and generate() must stay close to a plain-torch floor.
"""

import numpy as np

from compute.config import ConfigError, Field, Schema
from compute.contract import COUNTING, HAND_TOLERANCE, MIN_ANSWER, Generator
from compute.latex import num, operand, shown, value
from compute.sampling import columns, grid, pick_valid
from compute.tolerance import told_apart
from compute.variant import Solved, Step

CANDIDATES = 4
ROUNDED = "Give the answer to at least 3 significant figures."


def all_rules(checks: dict) -> np.ndarray:
    return np.logical_and.reduce(list(checks.values()))


# --- weight decay --------------------------------------------------------------------------------

DECAY_COLUMNS = {  # w (d), g (d), lr, weight decay
    d: columns(*[grid(-3, 3, 0.5, nonzero=True)] * d, *[grid(-2, 2, 0.5)] * d, np.array([0.1, 0.2, 0.5]),
               np.array([0.1, 0.2, 0.5, 1.0]))
    for d in range(1, 7)
}


class WeightDecayStep(Generator):
    slug = "weight_decay_step"
    title = "One SGD step with weight decay"
    description = (
        "Weights, the data-loss gradient, a learning rate and PyTorch's weight_decay λ: the weights after "
        "one SGD step (λ·w is added to the gradient, i.e. an L2 penalty λ/2·‖w‖²)."
    )
    lectures = (5,)
    answer_kind = "vector"
    schema = Schema((Field("size", "int", 3, "Number of weights.", min=1, max=6),))
    mistakes = {
        "forgot_decay": "It looks like you left out the weight decay: the gradient becomes $g + \\lambda w$.",
        "half_decay": "With `weight_decay` $= \\lambda$ the gradient gets $\\lambda w$ (the penalty is "
                      "$\\tfrac{\\lambda}{2}\\lVert w \\rVert^2$), not $\\tfrac{\\lambda}{2} w$.",
        "ascent": "It looks like you added the gradient; SGD subtracts $\\eta\\,(g + \\lambda w)$.",
        "decay_not_scaled": "The decay is part of the gradient, so it is multiplied by the learning rate "
                            "too: $w - \\eta\\,(g + \\lambda w)$.",
    }
    rules = {
        "half_decay_shows": "half the decay (λ/2·w) gives another answer in some entry",
        "step_shows": "the step moves some weight: adding instead of subtracting gives another answer",
        "answer_clear": f"some entry of the new weights is at least {MIN_ANSWER} in size",
    }

    def validity(self, params, config):
        w, g, lr, wd = params["w"], params["g"], params["lr"][..., None], params["wd"][..., None]
        answer = w - lr * (g + wd * w)
        half = w - lr * (g + wd * w / 2)
        ascent, tol = w + lr * (g + wd * w), self.tolerance(config)
        return {"half_decay_shows": told_apart(half, answer, tol, axes=(-1,)),
                "step_shows": told_apart(ascent, answer, tol, axes=(-1,)),
                "answer_clear": np.abs(answer).max(-1) >= MIN_ANSWER}

    def sample_batch(self, sampler, config):
        d = config["size"]
        v = sampler.draw(DECAY_COLUMNS[d], CANDIDATES)
        cands = {"w": v[..., :d], "g": v[..., d:2 * d], "lr": v[..., 2 * d], "wd": v[..., 2 * d + 1]}
        return pick_valid(cands, self.validity(cands, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        lr = params["lr"]
        return [shown(w - lr * shown(t)) for w, t in zip(params["w"], values["total_grad"], strict=True)]

    def solve(self, params, config, device="cpu"):
        import torch

        w = torch.tensor(params["w"], dtype=torch.float64, device=device, requires_grad=True)
        w.grad = torch.tensor(params["g"], dtype=torch.float64, device=device)
        lr, wd = params["lr"], params["wd"]
        torch.optim.SGD([w], lr=lr, weight_decay=wd).step()
        answer = w.tolist()
        w0, g = params["w"], params["g"]
        total = [gi + wd * wi for gi, wi in zip(g, w0, strict=True)]
        mistakes = {
            "forgot_decay": [wi - lr * gi for wi, gi in zip(w0, g, strict=True)],
            "half_decay": [wi - lr * (gi + wd * wi / 2) for wi, gi in zip(w0, g, strict=True)],
            "ascent": [wi + lr * t for wi, t in zip(w0, total, strict=True)],
            "decay_not_scaled": [wi - lr * gi - wd * wi for wi, gi in zip(w0, g, strict=True)],
        }
        return Solved(answer=answer, values={"total_grad": total, "w_next": answer}, mistakes=mistakes)

    def explain(self, params, values, config):
        lr, wd = num(params["lr"]), num(params["wd"])
        return [
            Step("Add the decay to the gradient",
                 f"PyTorch's `weight_decay` $\\lambda = {wd}$ adds $\\lambda w$ to the gradient (the "
                 "gradient of the penalty $\\tfrac{\\lambda}{2}\\lVert w \\rVert^2$):\n\n"
                 f"$$g + \\lambda w = {value(params['g'])} + {wd} \\cdot {value(params['w'])} = "
                 f"{value(values['total_grad'], 4)}$$"),
            Step("SGD step",
                 f"$$w \\leftarrow w - \\eta\\,(g + \\lambda w) = {value(params['w'])} - {lr} \\cdot "
                 f"{value(values['total_grad'], 4)} = {value(values['w_next'], 4)}$$"),
        ]

    def prompt(self, config):
        return (
            "A layer's weights are $w = {{ w }}$ and the gradient of the data loss is $g = {{ g }}$. "
            "One step of `torch.optim.SGD` (no momentum) is taken with learning rate $\\eta = {{ lr }}$ and "
            "`weight_decay` $\\lambda = {{ wd }}$, which adds $\\lambda w$ to the gradient "
            "(an L2 penalty $\\tfrac{\\lambda}{2}\\lVert w \\rVert^2$ on the loss).\n\n"
            f"Compute the weights after the step. {ROUNDED}"
        )


# --- inverted dropout ----------------------------------------------------------------------------

DROP_P = np.array([0.2, 0.25, 0.4, 0.5, 0.6, 0.75, 0.8])
DROPOUT_COLUMNS = {  # activations (n), mask (n), p
    n: columns(*[grid(-2, 3, 0.5, nonzero=True)] * n, *[grid(0, 1, 1)] * n, DROP_P) for n in range(2, 9)
}


class DropoutScaling(Generator):
    slug = "dropout_scaling"
    title = "Inverted dropout"
    description = (
        "Activations, a dropout mask and the drop probability p: the output of nn.Dropout(p) in training "
        "mode (kept values scaled by 1/(1 − p)) or in evaluation mode."
    )
    lectures = (5,)
    answer_kind = "vector"
    schema = Schema((
        Field("size", "int", 4, "Number of activations.", min=2, max=8),
        Field("mode", "choice", "train", "Training mode (mask and scale) or evaluation mode (identity).",
              choices=("train", "eval")),
    ))
    mistakes = {
        "scaled_by_p": "$p$ is the drop probability: kept values are divided by the keep probability $1 - p$, "
                       "not by $p$.",
        "forgot_scaling": "Inverted dropout also scales the kept values by $1/(1 - p)$ during training.",
        "times_keep": "Inverted dropout divides the kept values by $1 - p$ during training; multiplying by "
                      "$1 - p$ is the test-time rule of the original dropout.",
        "mask_inverted": "A mask entry of 1 means the unit is kept, 0 that it is dropped.",
        "applied_mask": "In evaluation mode (`model.eval()`) dropout is the identity: no mask and no scaling; "
                        "masking and scaling by $1/(1 - p)$ is what it does in training mode.",
        "masked_at_test": "In evaluation mode (`model.eval()`) dropout is the identity: no unit is dropped, so "
                          "the mask is not applied.",
        "scaled_at_test": "With inverted dropout nothing is scaled at test time: the scaling happened in "
                          "training.",
    }
    rules = {"mask_mixed": "the mask keeps some units and drops others (never all kept or all dropped)"}

    def validity(self, params, config):
        kept = params["mask"].sum(-1)
        return {"mask_mixed": (kept > 0) & (kept < params["mask"].shape[-1])}

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        if config["mode"] == "eval":
            return list(params["a"])
        scale = shown(values["scale"])
        return [shown(a * m * scale) for a, m in zip(params["a"], params["mask"], strict=True)]

    def check_config(self, config):
        p, mask = config["fixed"].get("p"), config["fixed"].get("mask")
        if p is not None and not (isinstance(p, int | float) and 0 <= p < 1):
            raise ConfigError(f"A fixed drop probability “p” must be at least 0 and below 1; got {p!r}.")
        if mask is not None and not (isinstance(mask, list) and all(m in (0, 1) for m in mask)):
            raise ConfigError(f"A fixed “mask” must be a list of 0 (dropped) and 1 (kept); got {mask!r}.")

    def sample_batch(self, sampler, config):
        n = config["size"]
        v = sampler.draw(DROPOUT_COLUMNS[n], CANDIDATES)
        cands = {"a": v[..., :n], "mask": v[..., n:2 * n], "p": v[..., 2 * n]}
        return pick_valid(cands, self.validity(cands, config))

    def solve(self, params, config, device="cpu"):
        import torch

        a = torch.tensor(params["a"], dtype=torch.float64, device=device)
        mask = torch.tensor(params["mask"], dtype=torch.float64, device=device)
        p = params["p"]
        # nn.Dropout in training mode multiplies by a Bernoulli(1 − p) mask and divides by 1 − p
        train = [x + 0.0 for x in (a * mask / (1 - p)).tolist()]  # + 0.0 turns −0.0 into 0
        am = [x * m + 0.0 for x, m in zip(params["a"], params["mask"], strict=True)]
        if config["mode"] == "eval":
            answer = params["a"]
            mistakes = {"applied_mask": train, "scaled_at_test": [x * (1 - p) for x in params["a"]],
                        "masked_at_test": am}
        else:
            answer = train
            mistakes = {
                "scaled_by_p": [x / p for x in am],
                "forgot_scaling": am,
                "times_keep": [x * (1 - p) for x in am],
                "mask_inverted": [x * (1 - m) / (1 - p)
                                  for x, m in zip(params["a"], params["mask"], strict=True)],
            }
        return Solved(answer=answer, values={"scale": 1 / (1 - p), "train": train}, mistakes=mistakes)

    def explain(self, params, values, config):
        p = num(params["p"])
        if config["mode"] == "eval":
            body = ("In evaluation mode `nn.Dropout` is the identity (no mask, no scaling): the output "
                    f"equals the input,\n\n$${value(params['a'])}$$")
            return [Step("Evaluation mode", body)]
        return [
            Step("Keep probability", f"$p = {p}$ is the probability of dropping a unit, so a unit is kept "
                                     f"with probability $1 - p$ and kept values are scaled by "
                                     f"$1/(1 - p) = {num(values['scale'], 4)}$."),
            Step("Mask and scale", f"$$y = \\frac{{m \\odot a}}{{1 - p}} = \\frac{{1}}{{1 - {p}}} "
                                   f"{value(params['mask'])} \\odot {value(params['a'])} = "
                                   f"{value(values['train'], 4)}$$"),
        ]

    def prompt(self, config):
        mode = ("in training mode (`model.train()`), and the random mask it drew is $m = {{ mask }}$ "
                "(1 = kept, 0 = dropped)" if config["mode"] == "train" else
                "in evaluation mode (`model.eval()`); during training it would have used the mask "
                "$m = {{ mask }}$ (1 = kept, 0 = dropped)")
        return (
            "The activations $a = {{ a }}$ go through `nn.Dropout(p)` with $p = {{ p }}$, the probability of "
            f"dropping a unit (PyTorch's convention, inverted dropout). The layer is {mode}.\n\n"
            f"Compute the layer's output. {ROUNDED}"
        )


# --- L1 / L2 penalty -----------------------------------------------------------------------------

PENALTY_COLUMNS = columns(*[grid(-2, 2, 0.5, nonzero=True)] * 3, grid(0.5, 3, 0.5), grid(-2, 2, 0.5),
                          np.array([0.1, 0.2, 0.5, 1.0]))  # w (3), data loss, data gradient, λ


class NormPenalty(Generator):
    slug = "norm_penalty"
    title = "L1 and L2 penalties"
    description = (
        "Weights, the data loss and its gradient: the regularized loss with an L2 (λ/2·‖w‖²) or L1 (λ·‖w‖₁) "
        "penalty, or its derivative with respect to the first weight."
    )
    lectures = (5,)
    schema = Schema((
        Field("penalty", "choice", "l2", "L2: λ/2·‖w‖₂², L1: λ·‖w‖₁.", choices=("l2", "l1")),
        Field("ask", "choice", "gradient", "The regularized loss or ∂L/∂w₀ (the first weight).",
              choices=("gradient", "loss")),
    ))
    mistakes = {
        "forgot_penalty": "It looks like you left out the penalty term.",
        "forgot_half": "The L2 penalty here is $\\tfrac{\\lambda}{2}\\lVert w \\rVert^2$, so its derivative is "
                       "$\\lambda w$ (and its value has the $\\tfrac12$).",
        "forgot_square": "The L2 penalty squares the norm: $\\tfrac{\\lambda}{2} \\sum_i w_i^2$.",
        "used_l2": "This is an L1 penalty: $\\lambda \\sum_i |w_i|$, with derivative "
                   "$\\lambda\\,\\mathrm{sign}(w_i)$.",
        "forgot_abs": "The L1 penalty uses absolute values: $\\lambda \\sum_i |w_i|$.",
        "sign_flipped": "Check the sign: the penalty's derivative has the sign of $w_0$ (it pulls $w_0$ "
                        "towards 0).",
    }
    rules = {
        "answer_clear": f"the answer is at least {MIN_ANSWER} in size",
        "penalty_shows": "the L2/L1 mix-ups differ from the answer: for L1 a weight is negative (forgetting "
                         "|·| shows) and |w₀| ≠ 1 (λ·w₀ would equal λ·sign(w₀)); the L2 and L1 values differ, "
                         "and so do the L2 penalty with and without the square",
    }

    def validity(self, params, config):
        w, lam, base, g = params["w"], params["lam"], params["data_loss"], params["g"]
        l2, tol = config["penalty"] == "l2", self.tolerance(config)
        if config["ask"] == "loss":
            answer = base + (lam / 2 * (w * w).sum(-1) if l2 else lam * np.abs(w).sum(-1))
            norm2 = (w * w).sum(-1)
            shows = told_apart(base + lam / 2 * np.sqrt(norm2), answer, tol) if l2 else (
                (w < 0).any(-1) & told_apart(base + lam / 2 * norm2, answer, tol))
        else:
            answer = g + (lam * w[..., 0] if l2 else lam * np.sign(w[..., 0]))
            shows = np.ones(answer.shape, dtype=bool) if l2 else np.abs(w[..., 0]) != 1
        return {"answer_clear": np.abs(answer) >= MIN_ANSWER, "penalty_shows": shows}

    def sample_batch(self, sampler, config):
        v = sampler.draw(PENALTY_COLUMNS, CANDIDATES)
        cands = {"w": v[..., :3], "data_loss": v[..., 3], "g": v[..., 4], "lam": v[..., 5]}
        return pick_valid(cands, self.validity(cands, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        # the penalty and its derivative are shown; the student adds them to the given numbers
        if config["ask"] == "loss":
            return shown(params["data_loss"] + shown(values["penalty"]))
        return shown(params["g"] + shown(values["penalty_grad"]))

    def solve(self, params, config, device="cpu"):
        import math

        import torch

        w = torch.tensor(params["w"], dtype=torch.float64, device=device, requires_grad=True)
        lam, l2 = params["lam"], config["penalty"] == "l2"
        penalty = lam / 2 * (w * w).sum() if l2 else lam * w.abs().sum()
        penalty.backward()
        r, dr = penalty.item(), w.grad[0].item()
        loss, grad = params["data_loss"] + r, params["g"] + dr
        ws, w1 = params["w"], params["w"][0]
        values = {"penalty": r, "loss": loss, "penalty_grad": dr, "grad": grad}
        if config["ask"] == "loss":
            base, squares = params["data_loss"], sum(x * x for x in ws)
            mistakes = {"forgot_penalty": base}
            if l2:
                mistakes.update(forgot_half=base + 2 * r, forgot_square=base + lam / 2 * math.sqrt(squares))
            else:
                mistakes.update(used_l2=base + lam / 2 * squares, forgot_abs=base + lam * sum(ws))
            return Solved(answer=loss, values=values, mistakes=mistakes)
        g = params["g"]
        mistakes = {"forgot_penalty": g, "sign_flipped": g - dr}
        if l2:
            mistakes["forgot_half"] = g + 2 * dr
        else:
            mistakes["used_l2"] = g + lam * w1
        return Solved(answer=grad, values=values, mistakes=mistakes)

    def explain(self, params, values, config):
        lam, w = num(params["lam"]), value(params["w"])
        if config["penalty"] == "l2":
            r = (f"R(w) = \\tfrac{{\\lambda}}{{2}} \\sum_i w_i^2 = \\tfrac{{{lam}}}{{2}} "
                 f"\\lVert {w} \\rVert_2^2")
            dr = (f"\\frac{{\\partial R}}{{\\partial w_0}} = \\lambda w_0 = "
                  f"{lam} \\cdot {operand(params['w'][0])}")
        else:
            r = f"R(w) = \\lambda \\sum_i |w_i| = {lam} \\lVert {w} \\rVert_1"
            dr = (f"\\frac{{\\partial R}}{{\\partial w_0}} = \\lambda\\,\\mathrm{{sign}}(w_0) = {lam} \\cdot "
                  f"\\mathrm{{sign}}({num(params['w'][0])})")
        steps = [Step("Penalty", f"$${r} = {num(values['penalty'], 4)}$$")]
        if config["ask"] == "loss":
            body = (f"$$L = L_\\text{{data}} + R(w) = {num(params['data_loss'])} + "
                    f"{num(values['penalty'], 4)} = {num(values['loss'], 4)}$$")
            steps.append(Step("Regularized loss", body))
        else:
            body = (f"$${dr} = {num(values['penalty_grad'], 4)}$$\n\n"
                    f"$$\\frac{{\\partial L}}{{\\partial w_0}} = {num(params['g'])} + "
                    f"{operand(values['penalty_grad'], 4)} = {num(values['grad'], 4)}$$")
            steps.append(Step("Derivative", body))
        return steps

    def prompt(self, config):
        penalty = ("$R(w) = \\tfrac{\\lambda}{2} \\lVert w \\rVert_2^2 = \\tfrac{\\lambda}{2} \\sum_i w_i^2$ "
                   "(the penalty behind PyTorch's `weight_decay`)" if config["penalty"] == "l2" else
                   "$R(w) = \\lambda \\lVert w \\rVert_1 = \\lambda \\sum_i |w_i|$")
        asked = ("the regularized loss $L = L_\\text{data} + R(w)$" if config["ask"] == "loss" else
                 "the derivative $\\partial L / \\partial w_0$ of the regularized loss "
                 "$L = L_\\text{data} + R(w)$")
        return (
            "A model with weights $w = {{ w }}$ has the data loss $L_\\text{data} = {{ data_loss }}$, whose "
            "derivative with respect to the first weight is "
            "$\\partial L_\\text{data} / \\partial w_0 = {{ g }}$. " + COUNTING + " "
            f"The penalty is {penalty} with $\\lambda = {{{{ lam }}}}$.\n\nCompute {asked}. {ROUNDED}"
        )


GENERATORS = [WeightDecayStep(), DropoutScaling(), NormPenalty()]
