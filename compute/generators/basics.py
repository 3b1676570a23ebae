"""Lectures 1-2 (Introduction, Computation Graphs): linear and logistic regression (the small graphs
are in computation_graph.py).

Sampling draws every number of a variant in one ``Sampler.draw`` call (a few candidate sets at
once, the first valid one kept), because each sampler call costs about as much as a small torch
operation and generate() must stay close to a plain-torch floor.
"""

import numpy as np

from compute.config import Field, Schema, check_index
from compute.contract import Generator
from compute.latex import num, operand, value
from compute.sampling import columns, first_valid, grid
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
        "sum_not_mean": "It looks like you summed over the points instead of averaging (MSE divides by n).",
        "half_convention": "It looks like you used ½·mean; this loss has no factor ½.",
        "absolute_not_squared": "It looks like you averaged |ŷ − y| instead of squaring the residuals.",
        "missing_factor_2": "It looks like you forgot the factor 2 from differentiating the square.",
        "sign_flipped": "Check the sign: the residual is ŷ − y, prediction minus target.",
        "wrong_parameter": "This is the derivative with respect to the other parameter (w ↔ b).",
        "ascent": "It looks like you added the gradient; gradient descent subtracts lr times the gradient.",
        "gave_gradient": "That is the gradient ∂L/∂w; the question asks for the new w = w − lr·∂L/∂w.",
    }

    def sample_batch(self, sampler, config):
        n = config["points"]
        v = sampler.draw(LINEAR_COLUMNS[n], CANDIDATES)
        x, y, w, b = v[..., :n], v[..., n:2 * n], v[..., 2 * n], v[..., 2 * n + 1]
        res = w[..., None] * x + b[..., None] - y
        # both gradients clearly nonzero, so no mistake collapses onto the answer
        v = first_valid(v, (np.abs((res * x).sum(-1)) >= 0.5) & (np.abs(res.sum(-1)) >= 0.5))
        return {"x": v[:, :n], "y": v[:, n:2 * n], "w": v[:, 2 * n], "b": v[:, 2 * n + 1]}

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
            "with inputs $x = {{ x }}$ and targets $y = {{ y }}$ (entry $i$ of each vector is point $i$). "
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
        Field("weight", "int", 1, "Which weight w_k the gradient is asked for (1-based).", min=1, max=4),
    ))
    mistakes = {
        "forgot_sigmoid": "It looks like you gave the logit z; the probability is σ(z).",
        "wrong_class": "That is σ(−z) = 1 − p, the probability of the other class.",
        "log10": "It looks like you used log base 10; the loss uses the natural log.",
        "sign_flipped": "Check the sign: the loss is −[y ln p + (1 − y) ln(1 − p)] and its gradient is "
                        "(p − y)·x.",
        "wrong_label_term": "It looks like you used the term of the other label (ln(1 − p) instead of ln p, "
                            "or the reverse).",
        "extra_sigmoid_derivative": "For sigmoid + cross-entropy ∂L/∂z = p − y already: the σ′(z) = p(1 − p) "
                                    "cancels, so do not multiply by it again.",
        "forgot_input": "It looks like you stopped at ∂L/∂z = p − y; multiply by ∂z/∂w_k = x_k.",
        "used_logit": "It looks like you used the logit z in place of the probability p in p − y.",
    }

    def check_config(self, config):
        check_index(config, "weight", "features")

    def sample_batch(self, sampler, config):
        d = config["features"]
        v = sampler.draw(LOGISTIC_COLUMNS[d], CANDIDATES)
        z = (v[..., :d] * v[..., d:2 * d]).sum(-1) + v[..., 2 * d]
        v = first_valid(v, (np.abs(z) >= 0.5) & (np.abs(z) <= 3))  # not saturated, p clearly away from ½
        return {"x": v[:, :d], "w": v[:, d:2 * d], "b": v[:, 2 * d], "y": v[:, 2 * d + 1]}

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
        label, k = params["y"], config["weight"] - 1
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
            k = config["weight"]
            body = ("The sigmoid's derivative $p(1 - p)$ cancels against the loss's $1/p$ and $1/(1 - p)$, "
                    "so\n\n$$\\frac{\\partial L}{\\partial z} = p - y = "
                    f"{num(values['dz'], 4)}$$\n\n")
            if config["ask"] == "grad_w":
                body += (f"$$\\frac{{\\partial L}}{{\\partial w_{k}}} = (p - y)\\,x_{k} = "
                         f"{num(values['dz'], 4)} "
                         f"\\cdot {operand(x[k - 1])} = {num(values['grad_w'][k - 1], 4)}$$")
            else:
                body += f"$$\\frac{{\\partial L}}{{\\partial b}} = p - y = {num(values['grad_b'], 4)}$$"
            steps.append(Step("Chain rule", body))
        return steps

    def prompt(self, config):
        k = config["weight"]
        asked = {
            "prob": "the predicted probability $p$",
            "loss": "the loss $L$",
            "grad_w": f"the gradient $\\partial L / \\partial w_{k}$",
            "grad_b": "the gradient $\\partial L / \\partial b$",
        }[config["ask"]]
        return (
            "A logistic-regression model predicts $p = \\sigma(z)$ with $z = w^\\top x + b$, "
            "$\\sigma(z) = 1/(1 + e^{-z})$, for the example $x = {{ x }}$ with label $y = {{ y }}$. "
            "The parameters are $w = {{ w }}$ and $b = {{ b }}$. The loss is the binary cross-entropy with "
            "the natural log, $L = -[y \\ln p + (1 - y) \\ln(1 - p)]$.\n\n"
            f"Compute {asked}. Give the answer to at least 3 significant figures."
        )


GENERATORS = [LinearRegressionMSE(), LogisticRegression()]
