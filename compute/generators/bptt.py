"""Lecture 8 (recurrent networks): backpropagation through time on a scalar RNN."""

import math

import numpy as np

from compute import latex
from compute.config import Field, Schema
from compute.contract import HAND_TOLERANCE, Generator
from compute.generators.bptt_steps import BpttSteps
from compute.latex import operand, shown, shown_array
from compute.sampling import pick_valid
from compute.tolerance import told_apart, within
from compute.variant import Solved, Step

ROUND = "Give the answer to at least 3 significant figures."


class BpttGradient(BpttSteps, Generator):
    slug = "bptt_gradient"
    title = "Backpropagation through time on a scalar RNN"
    description = (
        "A scalar RNN h_t = tanh(w h_{t−1} + u x_t) over 2-3 steps with loss h_T or ½(h_T − y)²: the "
        "gradient of the loss with respect to the shared weight w or u, summed over the time steps."
    )
    lectures = (8,)
    schema = Schema((
        Field("steps", "int", 3, "Number of time steps T.", min=2, max=3),
        Field("loss", "choice", "squared", "The loss: h_T itself, or ½(h_T − y)².",
              choices=("squared", "h_T")),
        Field("wrt", "choice", "w", "The shared weight the gradient is taken with respect to.",
              choices=("w", "u")),
    ))
    mistakes = {
        "truncated": "That is only the last step's contribution: $w$ (and $u$) are shared across time, so "
                     "every step contributes to the gradient.",
        "forgot_tanh_derivative": "It looks like you left out the tanh derivative $1 - h_t^2$ in the chain.",
        "dropped_half": "With $L = \\tfrac12 (h_T - y)^2$, $\\partial L/\\partial h_T = h_T - y$ (the "
                        "$\\tfrac12$ cancels the 2).",
    }
    rules = {
        "answer_clear": "the gradient is at least 0.05 in size",
        "time_matters": "the last step's contribution alone, and the chain without the tanh derivative, differ "
                        "from the answer",
        "hand_computable": "going on from the 4-figure values of the worked solution (h_t, ∂L/∂h_t, each step's "
                           "contribution) gives the answer within half the tolerance",
    }

    def validity(self, params, config):
        w, u, x = params["w"], params["u"], params["x"]
        steps = x.shape[-1]

        def bptt(rnd):
            hs = [params["h0"]]
            for step in range(steps):
                hs.append(rnd(np.tanh(w * hs[-1] + u * x[..., step])))
            upstream = rnd(hs[-1] - params["y"]) if "y" in params else np.ones_like(hs[-1])
            contributions, first_upstream = [], upstream
            for step in range(steps, 0, -1):
                local = upstream * (1 - hs[step] ** 2)
                contributions.append(rnd(local * (hs[step - 1] if config["wrt"] == "w" else x[..., step - 1])))
                upstream = rnd(local * w)
            return rnd(sum(contributions)), contributions[0], hs, first_upstream

        grad, last, hs, top = bptt(lambda v: v)
        hand = bptt(shown_array)[0]
        local = [hs[k] if config["wrt"] == "w" else x[..., k] for k in range(steps)]
        no_tanh = sum(top * w ** (steps - 1 - k) * a for k, a in enumerate(local))
        tol = self.tolerance(config)
        return {"answer_clear": np.abs(grad) >= 0.05,
                "time_matters": told_apart(last, grad, tol) & told_apart(no_tanh, grad, tol),
                "hand_computable": within(hand, grad, tol["rtol"] / 2, tol["atol"] / 2)}

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        w, u, x = params["w"], params["u"], params["x"]
        hs = [params["h0"]]
        for xt in x:
            hs.append(shown(math.tanh(w * hs[-1] + u * xt)))
        upstream = shown(hs[-1] - params["y"]) if config["loss"] == "squared" else 1.0
        total = 0.0
        for step in range(len(x), 0, -1):
            local = upstream * (1 - hs[step] ** 2)
            total += shown(local * (hs[step - 1] if config["wrt"] == "w" else x[step - 1]))
            upstream = shown(local * w)
        return shown(total)

    def sample_batch(self, sampler, config):
        c, steps = 8, config["steps"]
        weights = sampler.nice(-1, 1, 0.5, shape=(c, 2), nonzero=True)
        draw = {
            "w": weights[..., 0], "u": weights[..., 1],
            "h0": sampler.nice(-1, 1, 0.5, shape=(c,)),
            "x": sampler.nice(-2, 2, 0.5, shape=(c, steps), nonzero=True),
        }
        if config["loss"] == "squared":
            draw["y"] = sampler.nice(-1, 1, 0.5, shape=(c,))
        return pick_valid(draw, self.validity(draw, config))

    def solve(self, params, config, device="cpu"):
        import torch

        wu = torch.tensor([params["w"], params["u"]], dtype=torch.float64, device=device, requires_grad=True)
        x = torch.tensor(params["x"], dtype=torch.float64, device=device)
        w, u = wu
        h = torch.tensor(params["h0"], dtype=torch.float64, device=device)
        hs = []
        for step in range(x.shape[0]):
            h = torch.tanh(w * h + u * x[step])
            hs.append(h)
        loss = 0.5 * (h - params["y"]) ** 2 if config["loss"] == "squared" else h
        grads = torch.autograd.grad(loss, [wu, *hs])
        which = 0 if config["wrt"] == "w" else 1
        answer = grads[0][which].item()
        h_vals = torch.stack(hs).tolist()
        dh = torch.stack(grads[1:]).tolist()
        # Contribution of step t: dL/dh_t · (1 − h_t²) · (h_{t−1} for w, x_t for u).
        prev = [params["h0"], *h_vals[:-1]]
        local = prev if which == 0 else params["x"]
        contrib = [g * (1 - hv * hv) * a for g, hv, a in zip(dh, h_vals, local, strict=True)]
        values = {"h": h_vals, "dL_dh": dh, "contributions": contrib, "loss": loss.item(), "grad": answer}
        # No tanh derivative: dL/dh_t = dL/dh_T · w^{T−t}, each step contributes dL/dh_t · a_t.
        top, wv = dh[-1], params["w"]
        steps = len(h_vals)
        no_tanh = sum(top * wv ** (steps - 1 - k) * a for k, a in enumerate(local))
        mistakes = {"truncated": contrib[-1], "forgot_tanh_derivative": no_tanh}
        if config["loss"] == "squared":
            mistakes["dropped_half"] = 2 * answer
        return Solved(answer, values, mistakes)

    def explain(self, params, values, config):
        name = config["wrt"]
        h = values["h"]
        prev = [params["h0"], *h[:-1]]
        fwd = "\n\n".join(
            f"$$h_{k} = \\tanh\\big({operand(params['w'])} \\cdot {operand(prev[k - 1], 4)} + "
            f"{operand(params['u'])} \\cdot {operand(params['x'][k - 1])}\\big) = {latex.num(h[k - 1], 4)}$$"
            for k in range(1, len(h) + 1))
        top = "h_T - y" if config["loss"] == "squared" else "1"
        loss = ("L = \\tfrac12 (h_T - y)^2" if config["loss"] == "squared" else "L = h_T")
        back = "\n\n".join(
            f"$$\\frac{{\\partial L}}{{\\partial h_{k}}} = {latex.num(g, 4)}$$"
            for k, g in reversed(list(enumerate(values["dL_dh"], start=1))))
        local = "h_{t-1}" if name == "w" else "x_t"
        contrib = " + ".join(f"({latex.num(c, 4)})" for c in values["contributions"])
        return [
            Step("Forward pass", f"With $h_0 = {latex.num(params['h0'])}$:\n\n{fwd}"),
            Step("Backward through time", (
                f"${loss}$, so $\\partial L / \\partial h_T = {top}$; going back one step multiplies by "
                "$\\partial h_t / \\partial h_{t-1} = (1 - h_t^2)\\, w$:\n\n" + back)),
            Step(f"Sum over the time steps ($\\partial L/\\partial {name}$)", (
                f"${name}$ is shared by every step, and step $t$ contributes "
                f"$\\frac{{\\partial L}}{{\\partial h_t}} (1 - h_t^2)\\, {local}$:\n\n"
                f"$$\\frac{{\\partial L}}{{\\partial {name}}} = {contrib} = "
                f"{latex.num(values['grad'], 4)}$$")),
        ]

    def prompt(self, config):
        t = config["steps"]
        loss = ("$L = \\tfrac12 (h_" + str(t) + " - y)^2$ with $y = {{ y }}$" if config["loss"] == "squared"
                else "$L = h_" + str(t) + "$")
        return (
            "A scalar RNN without bias computes $h_t = \\tanh(w\\, h_{t-1} + u\\, x_t)$ with the same "
            "weights $w = {{ w }}$ and $u = {{ u }}$ at every step, starting from $h_0 = {{ h0 }}$. The "
            "inputs "
            f"$x_1, \\dots, x_{t}$ are $x = {{{{ x }}}}$ (as a column). The loss is " + loss + ".\n\n"
            f"Using backpropagation through time over all {t} steps, compute "
            f"$\\partial L / \\partial {config['wrt']}$. " + ROUND
        )


GENERATORS = [BpttGradient()]
