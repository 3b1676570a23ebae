"""Lectures 1-2 (Introduction, Computation Graphs): linear and logistic regression, small graphs.

Sampling draws every number of a variant in one ``Sampler.integers`` call (a few candidate sets
at once, the first valid one kept), because each sampler call costs about as much as a small
torch operation and generate() must stay close to a plain-torch floor.
"""

import numpy as np

from compute.config import ConfigError, Field, Schema
from compute.generators.base import Generator
from compute.latex import num, value
from compute.variant import Solved, Step

SPAN = 720720  # = 2⁴·3²·5·7·11·13: divisible by every grid length used here, so r % len is uniform
CANDIDATES = 4


def grid(low: float, high: float, step: float, nonzero: bool = False) -> np.ndarray:
    values = np.round(np.arange(low, high + step / 2, step), 10)
    return values[values != 0] if nonzero else values


def columns(*grids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One lookup table for several columns, each drawn from its own grid: (table, offsets, lengths)."""
    lengths = np.array([len(g) for g in grids])
    return np.concatenate(grids), np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths


def draw(sampler, spec, candidates: int = CANDIDATES) -> np.ndarray:
    """Values of shape (batch, candidates, columns): column j from its grid in ``spec`` (see columns)."""
    table, offsets, lengths = spec
    return table[offsets + sampler.integers(0, SPAN - 1, shape=(candidates, len(lengths))) % lengths]


def term(x: float, digits: int | None = None) -> str:
    """``num(x)`` in brackets when negative, for a number written after an operator."""
    return f"({num(x, digits)})" if x < 0 else num(x, digits)


def first_valid(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per seed, the first candidate row whose ``valid`` is true (the first row if none is)."""
    return values[np.arange(values.shape[0]), np.argmax(valid, axis=1)]


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
        v = draw(sampler, LINEAR_COLUMNS[n])
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
                f"{num(config['lr'])} \\cdot {term(values['grad_w'], 4)} = {num(values['w_next'], 4)}$$"))
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
        if config["weight"] > config["features"]:
            raise ConfigError(f"“weight” must be between 1 and “features” ({config['features']}); "
                              f"got {config['weight']}.")

    def sample_batch(self, sampler, config):
        d = config["features"]
        v = draw(sampler, LOGISTIC_COLUMNS[d])
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
                         f"\\cdot {term(x[k - 1])} = {num(values['grad_w'][k - 1], 4)}$$")
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


# --- computation graph ---------------------------------------------------------------------------

GRAPHS = {
    "add_mul": "(x + y)\\cdot z",
    "square": "(x y + z)^2",
    "sigmoid": "\\sigma(x y + z)",
    "fan_out": "x y + y z",
}
GRAPH_COLUMNS = columns(*[grid(-2, 2, 0.5, nonzero=True)] * 3)


class ComputationGraph(Generator):
    slug = "computation_graph"
    title = "Backward through a small computation graph"
    description = (
        "A three-input expression such as (x·y + z)² or x·y + y·z: its value, or its partial "
        "derivative with respect to one input by the chain rule."
    )
    lectures = (2,)
    schema = Schema((
        Field("graph", "choice", "square", "The expression: (x+y)·z, (xy+z)², σ(xy+z) or xy+yz.",
              choices=tuple(GRAPHS)),
        Field("wrt", "choice", "x", "The input the derivative is taken with respect to.",
              choices=("x", "y", "z")),
        Field("ask", "choice", "gradient", "The forward value f or the partial derivative.",
              choices=("gradient", "value")),
    ))
    mistakes = {
        "forward_value": "That is the value of f; the question asks for its derivative.",
        "forgot_chain_factor": "It looks like you forgot the chain-rule factor ∂f/∂u of the outer node.",
        "forgot_factor_2": "It looks like you forgot the 2 in d(u²)/du = 2u.",
        "used_sigmoid_not_derivative": "It looks like you multiplied by σ(u) instead of "
                                       "σ′(u) = σ(u)(1 − σ(u)).",
        "one_path_only": "y feeds two nodes: add the gradients along both paths.",
        "precedence": "Mind the brackets: f = (x + y)·z, not x + y·z.",
        "forgot_outer": "It looks like you stopped at the inner node u and did not apply the last operation.",
    }

    def sample_batch(self, sampler, config):
        v = draw(sampler, GRAPH_COLUMNS)
        x, y, z = v[..., 0], v[..., 1], v[..., 2]
        graph = config["graph"]
        inner = x + y if graph == "add_mul" else (x + z if graph == "fan_out" else x * y + z)
        high = 3 if graph == "sigmoid" else 4  # σ not saturated
        v = first_valid(v, (np.abs(inner) >= 0.5) & (np.abs(inner) <= high))
        return {"x": v[:, 0], "y": v[:, 1], "z": v[:, 2]}

    def solve(self, params, config, device="cpu"):
        import torch

        v = torch.tensor([params["x"], params["y"], params["z"]], dtype=torch.float64, device=device,
                         requires_grad=True)
        x, y, z = v
        graph = config["graph"]
        if graph == "add_mul":
            u = x + y
            f = u * z
        elif graph == "fan_out":
            u = x * y
            f = u + y * z
        else:
            u = x * y + z
            f = u * u if graph == "square" else torch.sigmoid(u)
        f.backward()
        grads, u_value, f_value = v.grad.tolist(), u.item(), f.item()
        xv, yv, zv = params["x"], params["y"], params["z"]
        outer = {"add_mul": zv, "square": 2 * u_value, "sigmoid": f_value * (1 - f_value),
                 "fan_out": 1.0}[graph]
        local = {"x": yv, "y": xv, "z": 1.0}[config["wrt"]] if graph in ("square", "sigmoid") else 1.0
        values = {"u": u_value, "f": f_value, "outer": outer, "local": local, "grads": grads}
        if config["ask"] == "value":
            answer = f_value
            mistakes = {"precedence": xv + yv * zv} if graph == "add_mul" else (
                {"forgot_outer": u_value} if graph in ("square", "sigmoid") else {})
            return Solved(answer=answer, values=values, mistakes=mistakes)
        index = "xyz".index(config["wrt"])
        answer = grads[index]
        mistakes = {"forward_value": f_value}
        if graph in ("square", "sigmoid") or (graph == "add_mul" and index < 2):
            mistakes["forgot_chain_factor"] = local
        if graph == "square":
            mistakes["forgot_factor_2"] = u_value * local
        elif graph == "sigmoid":
            mistakes["used_sigmoid_not_derivative"] = f_value * local
        elif graph == "add_mul" and index == 2:  # read as x + y·z: ∂/∂z = y
            mistakes["precedence"] = yv
        elif index == 1:
            mistakes["one_path_only"] = xv
        return Solved(answer=answer, values=values, mistakes=mistakes)

    def explain(self, params, values, config):
        graph, wrt = config["graph"], config["wrt"]
        u, f = num(values["u"], 4), num(values["f"], 4)
        x, y, z = num(params["x"]), num(params["y"]), num(params["z"])
        inner = {"add_mul": "x + y", "fan_out": "x y"}.get(graph, "x y + z")
        last = {"add_mul": "u \\cdot z", "square": "u^2", "sigmoid": "\\sigma(u)",
                "fan_out": "u + y z"}[graph]
        steps = [Step(
            "Forward pass",
            f"With $x = {x}$, $y = {y}$, $z = {z}$: the inner node $u = {inner} = {u}$, then "
            f"$f = {last} = {f}$.")]
        if config["ask"] == "value":
            return steps
        grad = num(values["grads"]["xyz".index(wrt)], 4)
        if graph == "fan_out":
            body = ({"x": f"$x$ reaches $f$ only through $u = xy$: $\\partial f/\\partial x = y = {grad}$.",
                     "z": f"$z$ reaches $f$ only through $yz$: $\\partial f/\\partial z = y = {grad}$.",
                     "y": "$y$ feeds both products, so the multivariate chain rule adds both paths:\n\n"
                          f"$$\\frac{{\\partial f}}{{\\partial y}} = x + z = {x} + ({z}) = {grad}$$"}[wrt])
        elif graph == "add_mul" and wrt == "z":
            body = f"$f = u \\cdot z$, so $\\partial f/\\partial z = u = {grad}$."
        else:
            outer_text = {"add_mul": "z", "square": "2u", "sigmoid": "\\sigma(u)(1 - \\sigma(u))"}[graph]
            local_text = {"x": "y", "y": "x", "z": "1"}[wrt] if graph != "add_mul" else "1"
            body = ("Chain rule through $u$: $\\frac{\\partial f}{\\partial "
                    f"{wrt}}} = \\frac{{\\partial f}}{{\\partial u}} \\cdot "
                    f"\\frac{{\\partial u}}{{\\partial {wrt}}}"
                    f" = {outer_text} \\cdot {local_text}$:\n\n"
                    f"$$\\frac{{\\partial f}}{{\\partial {wrt}}} = {num(values['outer'], 4)} \\cdot "
                    f"{term(values['local'], 4)} = {grad}$$")
        steps.append(Step("Backward pass", body))
        return steps

    def prompt(self, config):
        asked = ("the value of $f$" if config["ask"] == "value"
                 else f"the partial derivative $\\partial f / \\partial {config['wrt']}$")
        return (
            f"Consider the computation graph of $f(x, y, z) = {GRAPHS[config['graph']]}$"
            + (" with $\\sigma(u) = 1/(1 + e^{-u})$" if config["graph"] == "sigmoid" else "")
            + ", evaluated at $x = {{ x }}$, $y = {{ y }}$, $z = {{ z }}$.\n\n"
            f"Compute {asked} at this point. Give the answer to at least 3 significant figures."
        )


GENERATORS = [LinearRegressionMSE(), LogisticRegression(), ComputationGraph()]
