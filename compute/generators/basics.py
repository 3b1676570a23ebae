"""Lectures 1-2 (Introduction, Computation Graphs): linear and logistic regression (the small graphs
are in computation_graph.py).

Sampling draws every number of a variant in one ``Sampler.draw`` call (a few candidate sets at
once, the first valid one kept), because each sampler call costs about as much as a small torch
operation and generate() must stay close to a plain-torch floor.
"""

import numpy as np

from compute.config import Field, Renamed, Schema, check_index, legacy_index
from compute.contract import COUNTING, HAND_TOLERANCE, MIN_ANSWER, Generator
from compute.latex import num, operand, shown, value
from compute.sampling import columns, grid, pick_valid
from compute.variant import Solved, Step

CANDIDATES = 4


# --- linear regression ---------------------------------------------------------------------------

LINEAR_COLUMNS = {
    n: columns(*[grid(-2, 3, 1)] * n, *[grid(-3, 3, 0.5)] * n, grid(-2, 2, 0.5), grid(-1, 1, 0.5))
    for n in range(2, 7)
}  # x (n), y (n), w, b


class LinearRegressionMSE(Generator):
    slug = "linear_regression_mse"
    title = "Mean squared error of a line"
    description = (
        "A line ŷ = w·x + b and a few data points: the mean squared error, its gradient with respect "
        "to w or b, or w after one gradient-descent step."
    )
    lectures = (1,)
    schema = Schema((
        Field("ask", "choice", "grad_w", "The quantity asked.", choices=("loss", "grad_w", "grad_b", "step")),
        Field("points", "int", 3, "Number of data points.", min=2, max=6),
        Field("lr", "float", 0.1, "Learning rate for ask = step.", min=0.001, max=1.0),
    ))
    mistakes = {
        "sum_not_mean": "It looks like you summed over the points instead of averaging (the MSE divides by "
                        "$n$).",
        "half_convention": "It looks like you used $\\tfrac12$ times the mean; this loss has no factor "
                           "$\\tfrac12$.",
        "absolute_not_squared": "It looks like you averaged $|\\hat y - y|$ instead of squaring the residuals.",
        "missing_factor_2": "It looks like you forgot the factor 2 from differentiating the square.",
        "sign_flipped": "Check the sign: the residual is $\\hat y - y$, prediction minus target.",
        "wrong_parameter": "This is the derivative with respect to the other parameter ($w$ and $b$ swapped).",
        "ascent": "It looks like you added the gradient; gradient descent subtracts $\\eta$ times the gradient.",
        "gave_gradient": "That is the gradient $\\partial L/\\partial w$; the question asks for the new "
                         "$w - \\eta\\, \\partial L/\\partial w$.",
    }
    rules = {
        "gradients_clear": "both gradients are at least 1/n in size (|Σ rᵢxᵢ| ≥ ½ and |Σ rᵢ| ≥ ½), so the loss "
                           "is not at its minimum and the ×n, ½ and sign mistakes differ from the answer",
        "parameters_differ": "∂L/∂w and ∂L/∂b differ by more than 2 tolerances (the wrong-parameter mistake is "
                             "told apart)",
        "answer_clear": f"the answer is at least {MIN_ANSWER} in size",
    }

    def validity(self, params, config):
        n = config["points"]
        x, y, w, b = params["x"], params["y"], params["w"], params["b"]
        res = w[..., None] * x + b[..., None] - y
        gw, gb = 2 / n * (res * x).sum(-1), 2 / n * res.sum(-1)
        answer = {"loss": (res * res).mean(-1), "grad_w": gw, "grad_b": gb, "step": w - config["lr"] * gw}
        return {"gradients_clear": (np.abs(gw) >= 1 / n - 1e-9) & (np.abs(gb) >= 1 / n - 1e-9),
                "parameters_differ": np.abs(gw - gb) > 2 * (2e-4 + 0.02 * np.maximum(np.abs(gw), np.abs(gb))),
                "answer_clear": np.abs(answer[config["ask"]]) >= MIN_ANSWER}

    def sample_batch(self, sampler, config):
        n = config["points"]
        v = sampler.draw(LINEAR_COLUMNS[n], CANDIDATES)
        cands = {"x": v[..., :n], "y": v[..., n:2 * n], "w": v[..., 2 * n], "b": v[..., 2 * n + 1]}
        return pick_valid(cands, self.validity(cands, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        # residuals are multiples of ½: shown exactly; the student goes on from the shown gradient
        n, res, x = len(params["x"]), values["residuals"], params["x"]
        gw = shown(2 / n * sum(r * xi for r, xi in zip(res, x, strict=True)))
        gb = shown(2 / n * sum(res))
        return shown({"loss": sum(r * r for r in res) / n, "grad_w": gw, "grad_b": gb,
                      "step": params["w"] - config["lr"] * gw}[config["ask"]])

    def solve(self, params, config, device="cpu"):
        import torch

        f64 = torch.float64
        x = torch.tensor(params["x"], dtype=f64, device=device)
        y = torch.tensor(params["y"], dtype=f64, device=device)
        wb = torch.tensor([params["w"], params["b"]], dtype=f64, device=device, requires_grad=True)
        res = wb[0] * x + wb[1] - y
        loss = (res * res).mean()  # = nn.MSELoss() (mean reduction)
        loss.backward()
        gw, gb = wb.grad.tolist()
        res_list, loss_value = res.tolist(), loss.item()
        n, lr, w = len(res_list), config["lr"], params["w"]
        values = {"residuals": res_list, "loss": loss_value, "grad_w": gw, "grad_b": gb,
                  "w_next": w - lr * gw}
        ask = config["ask"]
        if ask == "loss":
            mistakes = {
                "sum_not_mean": loss_value * n,
                "half_convention": loss_value / 2,
                "absolute_not_squared": sum(abs(v) for v in res_list) / n,
            }
        elif ask == "step":
            mistakes = {"ascent": w + lr * gw, "sum_not_mean": w - lr * gw * n,
                        "missing_factor_2": w - lr * gw / 2, "gave_gradient": gw}
        else:
            grad, other = (gw, gb) if ask == "grad_w" else (gb, gw)
            mistakes = {"sum_not_mean": grad * n, "missing_factor_2": grad / 2,
                        "sign_flipped": -grad, "wrong_parameter": other}
        answer = {"loss": loss_value, "grad_w": gw, "grad_b": gb, "step": values["w_next"]}[ask]
        return Solved(answer=answer, values=values, mistakes=mistakes)

    def explain(self, params, values, config):
        x, y, w, b = params["x"], params["y"], params["w"], params["b"]
        n, res = len(x), values["residuals"]
        pred = [r + t for r, t in zip(res, y, strict=True)]
        steps = [
            Step("Predictions and residuals",
                 f"$\\hat y_i = w x_i + b$ with $w = {num(w)}$, $b = {num(b)}$:\n\n"
                 f"$$\\hat y = {value(pred, 4)}, \\qquad r = \\hat y - y = {value(res, 4)}$$"),
            Step("Mean squared error",
                 f"The mean over the $n = {n}$ points (PyTorch's `MSELoss` default, no factor ½):\n\n"
                 f"$$L = \\frac{{1}}{{{n}}}\\sum_i r_i^2 = {num(values['loss'], 4)}$$"),
        ]
        if config["ask"] != "loss":
            steps.append(Step(
                "Gradients",
                "Differentiating the square gives a factor 2, and $\\partial \\hat y_i/\\partial w = x_i$, "
                "$\\partial \\hat y_i/\\partial b = 1$:\n\n"
                f"$$\\frac{{\\partial L}}{{\\partial w}} = \\frac{{2}}{{{n}}}\\sum_i r_i x_i = "
                f"{num(values['grad_w'], 4)}, \\qquad \\frac{{\\partial L}}{{\\partial b}} = "
                f"\\frac{{2}}{{{n}}}\\sum_i r_i = {num(values['grad_b'], 4)}$$"))
        if config["ask"] == "step":
            steps.append(Step(
                "Gradient-descent step",
                f"$$w \\leftarrow w - \\eta \\frac{{\\partial L}}{{\\partial w}} = {num(w)} - "
                f"{num(config['lr'])} \\cdot {operand(values['grad_w'], 4)} = {num(values['w_next'], 4)}$$"))
        return steps

    def prompt(self, config):
        n = config["points"]
        asked = {
            "loss": "the loss $L$",
            "grad_w": "the gradient $\\partial L / \\partial w$",
            "grad_b": "the gradient $\\partial L / \\partial b$",
            "step": f"the new value of $w$ after one gradient-descent step with learning rate "
                    f"$\\eta = {num(config['lr'])}$ (update $w$ and $b$ together from the current gradients)",
        }[config["ask"]]
        return (
            f"A line $\\hat y = w x + b$ with $w = {{{{ w }}}}$ and $b = {{{{ b }}}}$ is fit to {n} points "
            "with inputs $x = {{ x }}$ and targets $y = {{ y }}$ (entry $i$ of each vector belongs to point $i$). "
            f"The loss is the mean squared error $L = \\frac{{1}}{{{n}}}\\sum_{{i}} (\\hat y_i - y_i)^2$ "
            f"(the mean over the points, no factor ½, as PyTorch's `MSELoss`).\n\nCompute {asked}. "
            "Give the answer to at least 3 significant figures."
        )


# --- logistic regression -------------------------------------------------------------------------

LOGISTIC_COLUMNS = {
    d: columns(*[grid(-2, 2, 0.5, nonzero=True)] * d, *[grid(-1.5, 1.5, 0.5)] * d, grid(-1, 1, 0.5),
               grid(0, 1, 1))
    for d in range(1, 5)
}  # x (d), w (d), b, y


class LogisticRegression(Generator):
    slug = "logistic_regression"
    title = "Logistic regression: probability, loss and gradient"
    description = (
        "One example through p = σ(wᵀx + b) with binary cross-entropy: the probability, the loss, or "
        "the gradient with respect to one weight or the bias."
    )
    lectures = (1, 2)
    schema = Schema((
        Field("ask", "choice", "grad_w", "The quantity asked.", choices=("prob", "loss", "grad_w", "grad_b")),
        Field("features", "int", 2, "Number of input features.", min=1, max=4),
        Field("index", "int", 0, "Which weight w_k the gradient is asked for (counting from 0).", min=0, max=3),
    ), renamed=(Renamed("weight", "index"),))
    mistakes = {
        "forgot_sigmoid": "It looks like you gave the logit $z$; the probability is $\\sigma(z)$.",
        "wrong_class": "That is $\\sigma(-z) = 1 - p$, the probability of the other class.",
        "log10": "It looks like you used log base 10; the loss uses the natural log.",
        "sign_flipped": "Check the sign: the loss is $-[y \\ln p + (1 - y) \\ln(1 - p)]$ and its gradient is "
                        "$(p - y)\\,x$.",
        "wrong_label_term": "It looks like you used the term of the other label ($\\ln(1 - p)$ instead of "
                            "$\\ln p$, or the reverse).",
        "extra_sigmoid_derivative": "For sigmoid and cross-entropy $\\partial L/\\partial z = p - y$ already: "
                                    "the $\\sigma'(z) = p(1 - p)$ cancels, so do not multiply by it again.",
        "forgot_input": "It looks like you stopped at $\\partial L/\\partial z = p - y$; multiply by "
                        "$\\partial z/\\partial w_k = x_k$.",
        "used_logit": "It looks like you used the logit $z$ in place of the probability $p$ in $p - y$.",
    }
    rules = {
        "not_saturated": "the logit is between ½ and 3 in size: p is clearly away from ½ and from 0 and 1, so "
                         "every printed value is hand-computable and the other-class mistakes differ",
        "input_shows": "for ∂L/∂w_k, the input x_k is not ±1 (forgetting to multiply by it would be right, or a "
                       "flipped sign)",
    }

    def check_config(self, config):
        check_index(config, "index", "features")

    def validity(self, params, config):
        z = (params["x"] * params["w"]).sum(-1) + params["b"]
        k = legacy_index(config, "index", self.schema.renamed[0])
        shows = np.abs(params["x"][..., k]) != 1 if config["ask"] == "grad_w" else np.ones(z.shape, dtype=bool)
        return {"not_saturated": (np.abs(z) >= 0.5) & (np.abs(z) <= 3), "input_shows": shows}

    def sample_batch(self, sampler, config):
        d = config["features"]
        v = sampler.draw(LOGISTIC_COLUMNS[d], CANDIDATES)
        cands = {"x": v[..., :d], "w": v[..., d:2 * d], "b": v[..., 2 * d], "y": v[..., 2 * d + 1]}
        return pick_valid(cands, self.validity(cands, config))

    def hand_answer(self, params, values, config):
        import math

        p, y = shown(values["p"]), params["y"]  # z is a multiple of ¼: shown exactly
        k = legacy_index(config, "index", self.schema.renamed[0])
        return shown({"prob": p, "loss": -math.log(p) if y == 1 else -math.log(1 - p),
                      "grad_w": shown(p - y) * params["x"][k], "grad_b": p - y}[config["ask"]])

    def solve(self, params, config, device="cpu"):
        import math

        import torch
        import torch.nn.functional as F

        f64 = torch.float64
        x = torch.tensor(params["x"], dtype=f64, device=device)
        theta = torch.tensor([*params["w"], params["b"]], dtype=f64, device=device, requires_grad=True)
        y = torch.tensor(params["y"], dtype=f64, device=device)
        z = theta[:-1] @ x + theta[-1]
        loss = F.binary_cross_entropy_with_logits(z, y)
        loss.backward()
        grads, z_value, loss_value = theta.grad.tolist(), z.item(), loss.item()
        e = math.exp(-abs(z_value))
        p = 1 / (1 + e) if z_value >= 0 else e / (1 + e)
        label, k = params["y"], legacy_index(config, "index", self.schema.renamed[0])
        values = {"z": z_value, "p": p, "loss": loss_value, "dz": p - label, "grad_w": grads[:-1],
                  "grad_b": grads[-1]}
        ask = config["ask"]
        if ask == "prob":
            answer, mistakes = p, {"forgot_sigmoid": z_value, "wrong_class": 1 - p}
        elif ask == "loss":
            # −ln(1 − p) = softplus(z) and −ln p = softplus(−z), written so that nothing overflows
            softplus = [max(s, 0.0) + math.log1p(math.exp(-abs(s))) for s in (z_value, -z_value)]
            other = label * softplus[0] + (1 - label) * softplus[1]
            answer = loss_value
            mistakes = {"log10": loss_value / math.log(10), "sign_flipped": -loss_value,
                        "wrong_label_term": other}
        else:
            factor = params["x"][k] if ask == "grad_w" else 1.0
            answer = grads[k] if ask == "grad_w" else grads[-1]
            mistakes = {"extra_sigmoid_derivative": answer * p * (1 - p), "sign_flipped": -answer,
                        "used_logit": (z_value - label) * factor}
            if ask == "grad_w":
                mistakes["forgot_input"] = p - label
        return Solved(answer=answer, values=values, mistakes=mistakes)

    def explain(self, params, values, config):
        x, w, b, y = params["x"], params["w"], params["b"], params["y"]
        z, p = values["z"], values["p"]
        terms = " + ".join(f"({num(wi)})({num(xi)})" for wi, xi in zip(w, x, strict=True))
        steps = [
            Step("Logit and probability",
                 f"$$z = w^\\top x + b = {terms} + ({num(b)}) = {num(z, 4)}$$\n\n"
                 f"$$p = \\sigma(z) = \\frac{{1}}{{1 + e^{{-z}}}} = {num(p, 4)}$$"),
        ]
        if config["ask"] == "prob":
            return steps
        steps.append(Step(
            "Binary cross-entropy",
            "With the natural log, $L = -[y \\ln p + (1 - y) \\ln(1 - p)]$; "
            f"here $y = {num(y)}$:\n\n$$L = {num(values['loss'], 4)}$$"))
        if config["ask"] in ("grad_w", "grad_b"):
            k = legacy_index(config, "index", self.schema.renamed[0])
            body = ("The sigmoid's derivative $p(1 - p)$ cancels against the loss's $1/p$ and $1/(1 - p)$, "
                    "so\n\n$$\\frac{\\partial L}{\\partial z} = p - y = "
                    f"{num(values['dz'], 4)}$$\n\n")
            if config["ask"] == "grad_w":
                body += (f"$$\\frac{{\\partial L}}{{\\partial w_{k}}} = (p - y)\\,x_{k} = "
                         f"{num(values['dz'], 4)} "
                         f"\\cdot {operand(x[k])} = {num(values['grad_w'][k], 4)}$$")
            else:
                body += f"$$\\frac{{\\partial L}}{{\\partial b}} = p - y = {num(values['grad_b'], 4)}$$"
            steps.append(Step("Chain rule", body))
        return steps

    def prompt(self, config):
        k = legacy_index(config, "index", self.schema.renamed[0])
        asked = {
            "prob": "the predicted probability $p$",
            "loss": "the loss $L$",
            "grad_w": f"the gradient $\\partial L / \\partial w_{k}$ (`w[{k}]` in PyTorch)",
            "grad_b": "the gradient $\\partial L / \\partial b$",
        }[config["ask"]]
        return (
            "A logistic-regression model predicts $p = \\sigma(z)$ with $z = w^\\top x + b$, "
            "$\\sigma(z) = 1/(1 + e^{-z})$, for the example $x = {{ x }}$ with label $y = {{ y }}$. "
            "The parameters are $w = {{ w }}$ and $b = {{ b }}$. The loss is the binary cross-entropy with "
            "the natural log, $L = -[y \\ln p + (1 - y) \\ln(1 - p)]$.\n\n"
            f"Compute {asked}. " + (f"{COUNTING} " if config["ask"] == "grad_w" else "")
            + "Give the answer to at least 3 significant figures."
        )


GENERATORS = [LinearRegressionMSE(), LogisticRegression()]
