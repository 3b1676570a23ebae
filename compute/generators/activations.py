"""Lectures 3-4 (Deep Neural Networks I and II): an activation and its derivative, an XOR network.

Sampling draws every number of a variant in one ``Sampler.draw`` call (a few candidate sets at
once, the first valid one kept): each sampler call costs about as much as a small torch
operation, and generate() must stay close to a plain-torch floor. Softmax is in softmax.py,
initialization in initialization.py.
"""

import math

import numpy as np

from compute.config import Field, Schema
from compute.contract import EXACT, HAND_TOLERANCE, MIN_ANSWER, Generator
from compute.latex import num, shown, value
from compute.sampling import columns, grid, pick_valid
from compute.tolerance import told_apart
from compute.variant import Solved, Step

CANDIDATES = 4
ROUNDED = "Give the answer to at least 3 significant figures."


def sigmoid(x: float) -> float:
    """σ(x) without overflow for large |x| (fixed parameters may be anything finite)."""
    e = math.exp(-abs(x))
    return 1 / (1 + e) if x >= 0 else e / (1 + e)


# --- activation value / derivative ---------------------------------------------------------------

ACTIVATIONS = {  # name -> (definition, derivative) in LaTeX
    "sigmoid": ("\\sigma(x) = \\frac{1}{1 + e^{-x}}", "\\sigma'(x) = \\sigma(x)\\,(1 - \\sigma(x))"),
    "tanh": ("\\tanh(x) = \\frac{e^x - e^{-x}}{e^x + e^{-x}}", "\\tanh'(x) = 1 - \\tanh^2(x)"),
    "relu": ("\\mathrm{ReLU}(x) = \\max(0, x)", "\\mathrm{ReLU}'(x) = 1 \\text{ if } x > 0 \\text{ else } 0"),
    "leaky_relu": ("f(x) = x \\text{ if } x > 0 \\text{ else } a x",
                   "f'(x) = 1 \\text{ if } x > 0 \\text{ else } a"),
    "elu": ("f(x) = x \\text{ if } x > 0 \\text{ else } \\alpha (e^x - 1)",
            "f'(x) = 1 \\text{ if } x > 0 \\text{ else } \\alpha e^x"),
    "gelu": ("\\mathrm{GELU}(x) = x\\,\\Phi(x), \\; \\Phi(x) = \\tfrac{1}{2}\\left(1 + "
             "\\operatorname{erf}(x/\\sqrt{2})\\right)",
             "\\mathrm{GELU}'(x) = \\Phi(x) + x\\,\\varphi(x), \\; \\varphi(x) = "
             "\\tfrac{1}{\\sqrt{2\\pi}} e^{-x^2/2}"),
    "softplus": ("\\mathrm{softplus}(x) = \\ln(1 + e^x)",
                 "\\mathrm{softplus}'(x) = \\sigma(x) = \\frac{1}{1 + e^{-x}}"),
}
CONVENTIONS = {
    "sigmoid": "",
    "tanh": "",
    "relu": "PyTorch takes $\\mathrm{ReLU}'(0) = 0$.",
    "leaky_relu": "At $x = 0$ PyTorch takes the $x \\le 0$ branch.",
    "elu": "At $x = 0$ PyTorch takes the $x \\le 0$ branch.",
    "gelu": "This is PyTorch's exact `nn.GELU()` (erf form, not the tanh approximation).",
    "softplus": "This is PyTorch's `nn.Softplus()` with $\\beta = 1$ (it returns $x$ itself only for "
                "$x > 20$).",
}


def setting(config: dict) -> str:
    """The activation's definition as a display paragraph, then its constants and PyTorch's convention."""
    name = config["activation"]
    constants = {"leaky_relu": f"Here $a = {num(config['negative_slope'])}$. ",
                 "elu": f"Here $\\alpha = {num(config['alpha'])}$. "}.get(name, "")
    notes = f"{constants}{CONVENTIONS[name]}".strip()
    return f"$${ACTIVATIONS[name][0]}$$" + (f"\n\n{notes}" if notes else "")
X_COLUMN = columns(grid(-3, 3, 0.5, nonzero=True))


class ActivationDerivative(Generator):
    slug = "activation_derivative"
    title = "An activation function and its derivative"
    description = (
        "The value or the derivative of sigmoid, tanh, ReLU, leaky ReLU, ELU, GELU or softplus at a "
        "point x ≠ 0, with PyTorch's conventions."
    )
    lectures = (3, 4)
    schema = Schema((
        Field("activation", "choice", "sigmoid", "The activation function.", choices=tuple(ACTIVATIONS)),
        Field("ask", "choice", "derivative", "The value f(x) or the derivative f′(x).",
              choices=("derivative", "value")),
        Field("negative_slope", "float", 0.01, "Leaky ReLU's slope a for x ≤ 0 (PyTorch default 0.01).",
              min=0.0, max=1.0),
        Field("alpha", "float", 1.0, "ELU's α (PyTorch default 1).", min=0.01, max=10.0),
    ))
    mistakes = {
        "gave_value": "That is the activation's value $f(x)$; the question asks for its derivative $f'(x)$.",
        "gave_derivative": "That is the derivative $f'(x)$; the question asks for the value $f(x)$.",
        "used_input": "It looks like you put $x$ where the formula needs the activation's output "
                      "($\\sigma(x)$ or $\\tanh(x)$).",
        "forgot_square": "It looks like you forgot to square: $\\tanh'(x) = 1 - \\tanh^2(x)$.",
        "zero_slope": "For $x < 0$ leaky ReLU keeps the small slope $a$; it is not 0 as for ReLU.",
        "forgot_alpha": "It looks like you left out ELU's $\\alpha$.",
        "forgot_product_rule": "$\\mathrm{GELU}(x) = x\\,\\Phi(x)$ is a product: its derivative is "
                               "$\\Phi(x) + x\\,\\varphi(x)$.",
        "sign_flipped": "Check the sign of the exponent: $\\sigma(x) = 1/(1 + e^{-x})$.",
    }
    rules = {
        "answer_clear": "the answer is 0 exactly (ReLU at x < 0) or at least 0.001 in size (tanh′(±3) = "
                        "0.00987 is the smallest of the default grid): with the absolute tolerance 10⁻⁶ grading "
                        "is relative",
        "other_differs": "the value and the derivative differ, so giving the other one is recognised (except "
                         "ReLU at x ≤ 0, where both are 0)",
    }

    def validity(self, params, config):
        x, name = params["x"], config["activation"]
        f, df = self.numpy_value_and_derivative(x, config)
        answer = df if config["ask"] == "derivative" else f
        other = f if config["ask"] == "derivative" else df
        both_zero = (name == "relu") & (x <= 0)
        return {"answer_clear": (answer == 0) | (np.abs(answer) >= 1e-3),
                "other_differs": told_apart(other, answer, self.tolerance(config)) | both_zero}

    @staticmethod
    def numpy_value_and_derivative(x, config):
        """(f(x), f′(x)) in numpy, PyTorch's branches at 0 (for the validity rules only)."""
        name, a, alpha = config["activation"], config["negative_slope"], config["alpha"]
        if name == "sigmoid":
            s = 1 / (1 + np.exp(-x))
            return s, s * (1 - s)
        if name == "tanh":
            t = np.tanh(x)
            return t, 1 - t * t
        if name == "relu":
            return np.maximum(x, 0), (x > 0) * 1.0
        if name == "leaky_relu":
            return np.where(x > 0, x, a * x), np.where(x > 0, 1.0, a)
        if name == "elu":
            return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), np.where(x > 0, 1.0, alpha * np.exp(x))
        if name == "gelu":
            phi = 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
            return x * phi, phi + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        s = 1 / (1 + np.exp(-x))
        return np.logaddexp(0, x), s

    def sample_batch(self, sampler, config):
        return {"x": sampler.draw(X_COLUMN)[:, 0]}

    def tolerance(self, config):
        # Answers go down to 10⁻³ (leaky ReLU's a·x with a small a): the absolute part must stay far below.
        return {"rtol": 0.01, "atol": 1e-6}

    def hand_answer(self, params, values, config):
        # The worked solution shows f(x), then the derivative by its formula: σ′ and tanh′ from the shown
        # σ(x) and tanh(x) (the student goes on from those), the others directly from x.
        f, name = shown(values["value"]), config["activation"]
        if config["ask"] == "value":
            return f
        if name == "sigmoid":
            return shown(f * (1 - f))
        if name == "tanh":
            return shown(1 - f * f)
        return shown(values["derivative"])

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        x = torch.tensor(params["x"], dtype=torch.float64, device=device, requires_grad=True)
        name = config["activation"]
        if name == "leaky_relu":
            y = F.leaky_relu(x, config["negative_slope"])
        elif name == "elu":
            y = F.elu(x, config["alpha"])
        else:
            y = getattr(F, name)(x) if name in ("relu", "gelu", "softplus") else getattr(torch, name)(x)
        y.backward()
        f, df, xv = y.item(), x.grad.item(), params["x"]
        values = {"value": f, "derivative": df}
        if config["ask"] == "value":
            mistakes = {"gave_derivative": df}
            if name == "sigmoid":
                mistakes["sign_flipped"] = sigmoid(-xv)
            elif name == "leaky_relu":
                mistakes["zero_slope"] = max(xv, 0.0)
            elif name == "elu":
                mistakes["forgot_alpha"] = f if xv > 0 else math.expm1(xv)
            return Solved(answer=f, values=values, mistakes=mistakes)
        mistakes = {"gave_value": f}
        if name == "sigmoid":
            mistakes["used_input"] = xv * (1 - xv)
        elif name == "tanh":
            mistakes["used_input"], mistakes["forgot_square"] = 1 - xv * xv, 1 - f
        elif name == "leaky_relu":
            mistakes["zero_slope"] = 1.0 if xv > 0 else 0.0
        elif name == "elu":
            mistakes["forgot_alpha"] = 1.0 if xv > 0 else math.exp(xv)
        elif name == "gelu":
            mistakes["forgot_product_rule"] = 0.5 * (1 + math.erf(xv / math.sqrt(2)))  # Φ(x) alone
        elif name == "softplus":
            mistakes["sign_flipped"] = sigmoid(-xv)
        return Solved(answer=df, values=values, mistakes=mistakes)

    def explain(self, params, values, config):
        x = num(params["x"])
        steps = [Step("Value", f"{setting(config)}\n\nAt $x = {x}$: $f({x}) = {num(values['value'], 4)}$.")]
        if config["ask"] == "derivative":
            steps.append(Step("Derivative", f"$${ACTIVATIONS[config['activation']][1]}$$\n\nAt $x = {x}$: "
                                            f"$f'({x}) = {num(values['derivative'], 4)}$."))
        return steps

    def prompt(self, config):
        asked = "the derivative $f'(x)$" if config["ask"] == "derivative" else "the value $f(x)$"
        return (f"Consider the activation function\n\n{setting(config)}\n\n"
                f"Compute {asked} at $x = {{{{ x }}}}$. {ROUNDED}")


# --- XOR network ---------------------------------------------------------------------------------

XOR_COLUMNS = {  # k1, k2 (hidden scales), swap, s (output scale), b2 (unused: 0), x1, x2
    "relu": columns(*[np.array([1.0, 2.0, 4.0])] * 2, grid(0, 1, 1), grid(1, 1, 1), grid(0, 0, 1),
                    *[grid(0, 1, 1)] * 2),
    "step": columns(*[grid(1, 3, 1)] * 2, grid(0, 1, 1), grid(1, 3, 1), grid(0, 0, 1), *[grid(0, 1, 1)] * 2),
    "sigmoid": columns(*[grid(4, 6, 2)] * 2, grid(0, 1, 1), grid(4, 6, 2), grid(0, 0, 1),
                       *[grid(0, 1, 1)] * 2),
}
RANDOM_COLUMNS = columns(  # W1 (4), b1, w2, b2, x
    *[grid(-2, 2, 0.5)] * 4, *[grid(-1, 1, 0.5)] * 2, *[grid(-2, 2, 0.5, nonzero=True)] * 2, grid(-1, 1, 0.5),
    *[grid(-1, 2, 0.5)] * 2,
)


class XorNetwork(Generator):
    slug = "xor_network"
    title = "Forward pass through a 2-2-1 network (XOR)"
    description = (
        "A 2-2-1 network with ReLU, step or sigmoid units (a network that computes XOR of two binary "
        "inputs: exactly 0 or 1 with ReLU or step units, close to 0 or 1 with sigmoid units; or random "
        "weights): the output for one input."
    )
    lectures = (3,)
    schema = Schema((
        Field("activation", "choice", "relu", "Hidden units: ReLU (linear output), step (step output) or "
              "sigmoid (sigmoid output).", choices=("relu", "step", "sigmoid")),
        Field("weights", "choice", "xor", "A network that computes XOR on {0,1}² (its hidden units scaled and "
              "in random order) or random nice weights and inputs.", choices=("xor", "random")),
    ))
    mistakes = {
        "forgot_activation": "It looks like you skipped the hidden activation (a purely linear hidden "
                             "layer).",
        "forgot_bias": "It looks like you left out the biases.",
        "transposed_weights": "It looks like you multiplied by $W_1^\\top$: row $j$ of $W_1$ holds the weights "
                              "of hidden unit $j$, so $z_j = \\sum_i (W_1)_{ji}\\, x_i + (b_1)_j$.",
    }
    rules = {
        "hidden_clear": "random weights: no hidden unit at the ReLU kink and at least one active (ReLU), every "
                        "pre-activation at least ½ from the step (step), none beyond ±3 (sigmoid)",
        "output_clear": "the output is 0 exactly or at least 0.01 in size",
        "activation_matters": "random weights: the output without the hidden activation differs from the "
                              "answer",
    }

    def validity(self, params, config):
        act, W1, b1, w2, b2, x = (config["activation"], params["W1"], params["b1"], params["w2"], params["b2"],
                                   params["x"])
        z1 = (W1 @ x[..., None])[..., 0] + b1
        unit = {"relu": lambda t: np.maximum(t, 0.0), "step": lambda t: (t > 0) * 1.0,
                "sigmoid": lambda t: 1 / (1 + np.exp(-t))}[act]
        out = {"relu": lambda t: t, "step": lambda t: (t > 0) * 1.0, "sigmoid": lambda t: 1 / (1 + np.exp(-t))}[act]
        y = out((w2 * unit(z1)).sum(-1) + b2)
        if config["weights"] == "xor":
            clear = matters = np.ones(y.shape, dtype=bool)
        else:
            clear = {"relu": (z1 > 0).any(-1) & (z1 != 0).all(-1), "step": (np.abs(z1) >= 0.5).all(-1),
                     "sigmoid": (np.abs(z1) <= 3).all(-1)}[act]
            matters = told_apart(out((w2 * z1).sum(-1) + b2), y, self.tolerance(config))
        return {"hidden_clear": clear, "output_clear": (y == 0) | (np.abs(y) >= MIN_ANSWER),
                "activation_matters": matters}

    def sample_batch(self, sampler, config):
        act = config["activation"]
        if config["weights"] == "random":
            v = sampler.draw(RANDOM_COLUMNS, CANDIDATES)
            cands = {"W1": v[..., :4].reshape(*v.shape[:2], 2, 2), "b1": v[..., 4:6], "w2": v[..., 6:8],
                     "b2": v[..., 8], "x": v[..., 9:]}
            return pick_valid(cands, self.validity(cands, config))
        v = sampler.draw(XOR_COLUMNS[act])
        k1, k2, swap, s, b2, x = v[:, 0], v[:, 1], v[:, 2].astype(bool), v[:, 3], v[:, 4], v[:, 5:]
        ones = np.ones_like(k1)
        # unit A is OR-like, unit B is AND-like; the output is A minus B (relu: A − 2B), thresholded
        if act == "relu":
            units = [(k1, 0 * k1, s / k1), (k2, -k2, -2 * s / k2)]
            out_bias = b2
        else:
            units = [(k1, -0.5 * k1, s), (k2, -1.5 * k2, -s)]
            out_bias = -0.5 * s
        (ka, ba, wa), (kb, bb, wb) = units
        W1 = np.stack([np.stack([ka, ka], -1), np.stack([kb, kb], -1)], -2)
        b1, w2 = np.stack([ba, bb], -1), np.stack([wa, wb], -1)
        W1[swap], b1[swap], w2[swap] = W1[swap][:, ::-1], b1[swap][:, ::-1], w2[swap][:, ::-1]
        return {"W1": W1, "b1": b1 + 0.0, "w2": w2, "b2": out_bias * ones, "x": x}

    def tolerance(self, config):
        return EXACT if config["activation"] == "step" else HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        # z₁ is exact (nice numbers); the student goes on from the shown h, then from the shown z₂.
        act = config["activation"]
        h = [shown(v) for v in values["h"]]
        z2 = shown(sum(w * v for w, v in zip(params["w2"], h, strict=True)) + params["b2"])
        return shown(self.output(z2, act))

    def solve(self, params, config, device="cpu"):
        import torch

        f64 = torch.float64
        W1 = torch.tensor(params["W1"], dtype=f64, device=device)
        b1 = torch.tensor(params["b1"], dtype=f64, device=device)
        w2 = torch.tensor(params["w2"], dtype=f64, device=device)
        x = torch.tensor(params["x"], dtype=f64, device=device)
        act = config["activation"]
        z1 = W1 @ x + b1
        if act == "relu":
            h = torch.relu(z1)
        elif act == "step":
            h = torch.heaviside(z1, torch.zeros((), dtype=f64, device=device))
        else:
            h = torch.sigmoid(z1)
        z2 = (w2 @ h).item() + params["b2"]
        y = self.output(z2, act)
        values = {"z1": z1.tolist(), "h": h.tolist(), "z2": z2, "y": y}
        # the mistakes redo the (tiny) forward pass in Python with one thing changed
        W, b, w, xs = params["W1"], params["b1"], params["w2"], params["x"]

        def forward(rows, bias1, bias2, hidden):
            zs = [r[0] * xs[0] + r[1] * xs[1] + c for r, c in zip(rows, bias1, strict=True)]
            return self.output(sum(wi * hidden(zi) for wi, zi in zip(w, zs, strict=True)) + bias2, act)

        unit = {"relu": lambda t: max(t, 0.0), "step": lambda t: float(t > 0), "sigmoid": sigmoid}[act]
        mistakes = {
            "forgot_activation": forward(W, b, params["b2"], lambda t: t),
            "forgot_bias": forward(W, [0.0, 0.0], 0.0, unit),
            "transposed_weights": forward([[W[0][0], W[1][0]], [W[0][1], W[1][1]]], b, params["b2"], unit),
        }
        return Solved(answer=y, values=values, mistakes=mistakes)

    @staticmethod
    def output(z: float, act: str) -> float:
        return z if act == "relu" else (float(z > 0) if act == "step" else sigmoid(z))

    def explain(self, params, values, config):
        act = config["activation"]
        unit = {"relu": "\\mathrm{ReLU}", "step": "\\mathrm{step}", "sigmoid": "\\sigma"}[act]
        out = {"relu": "y = z_2", "step": "y = \\mathrm{step}(z_2)", "sigmoid": "y = \\sigma(z_2)"}[act]
        return [
            Step("Hidden layer", f"$$z_1 = W_1 x + b_1 = {value(params['W1'])} {value(params['x'])} + "
                                 f"{value(params['b1'])} = {value(values['z1'], 4)}$$\n\n"
                                 f"$$h = {unit}(z_1) = {value(values['h'], 4)}$$"),
            Step("Output", f"$$z_2 = w_2^\\top h + b_2 = {num(values['z2'], 4)}, \\qquad {out} = "
                           f"{num(values['y'], 4)}$$"),
        ]

    def prompt(self, config):
        act = config["activation"]
        layers = {
            "relu": "$h = \\mathrm{ReLU}(W_1 x + b_1)$ and a linear output $y = w_2^\\top h + b_2$",
            "step": "$h = \\mathrm{step}(W_1 x + b_1)$ and $y = \\mathrm{step}(w_2^\\top h + b_2)$, where "
                    "$\\mathrm{step}(t) = 1$ for $t > 0$ and $0$ for $t \\le 0$",
            "sigmoid": "$h = \\sigma(W_1 x + b_1)$ and $y = \\sigma(w_2^\\top h + b_2)$, "
                       "$\\sigma(t) = 1/(1 + e^{-t})$",
        }[act]
        return (
            f"A 2-2-1 network computes {layers}. Row $j$ of $W_1$ holds the weights of hidden unit $j$.\n\n"
            "$$W_1 = {{ W1 }}, \\quad b_1 = {{ b1 }}, \\quad w_2 = {{ w2 }}, \\quad b_2 = {{ b2 }}$$\n\n"
            "Compute the output $y$ for the input $x = {{ x }}$. "
            + ("Give the exact value." if act == "step" else ROUNDED)
        )


GENERATORS = [ActivationDerivative(), XorNetwork()]
