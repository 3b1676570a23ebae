"""The declarative tiny-network generator (lectures 2-5, 7, 8, 10): one class for most of the course.

An instructor writes a list of layers, an input shape, a loss and the quantity asked (the
output, the loss, one gradient, or a parameter after one optimizer step); ``compute.network``
checks and names everything (its docstring lists the names) and solves with torch autograd.
Sampling draws several candidate parameter sets per seed and keeps the first with the fewest
degeneracies (saturated sigmoids, inputs at ReLU kinks, max-pool ties, a zero answer), checked by
the numpy forward/backward of ``compute.layers``, vectorized over seeds and candidates.
"""

import json

import numpy as np

from compute import diagram, latex
from compute import layers as ly
from compute import network as nw
from compute.config import ConfigError, Field, Schema
from compute.generators.base import Generator
from compute.variant import Step

DEFAULT_LAYERS = [{"type": "linear", "in": 2, "out": 3}, {"type": "sigmoid"}, {"type": "linear", "in": 3, "out": 1}]
GRIDS = {"integers": (-2.0, 2.0, 1.0), "halves": (-2.0, 2.0, 0.5), "tenths": (-1.0, 1.0, 0.1)}
VARIANCES = {"integers": (1.0, 2.0, 4.0), "halves": (0.25, 0.5, 1.0, 2.0), "tenths": (0.1, 0.2, 0.4, 0.5, 0.8, 1.0)}
CANDIDATES = 16  # parameter sets drawn per seed; the one with the fewest degeneracies is kept
MIN_ANSWER = 1e-3  # an answer (largest entry) smaller than this is a degenerate candidate


class NetworkGenerator(Generator):
    slug = "network"
    title = "Tiny network: forward, loss, gradient or optimizer step"
    description = ("A small network given as a list of layers (linear, conv, pooling, activations, batch norm, "
                   "dropout, RNN/GRU/LSTM cell, graph convolution, softmax) with a loss; asks the output, the loss, "
                   "one gradient (backpropagation) or a parameter after one optimizer step.")
    lectures = (2, 3, 4, 5, 7, 8, 10)
    schema = Schema((
        Field("layers", "json", DEFAULT_LAYERS,
              "The layers in order, e.g. [{\"type\": \"linear\", \"in\": 2, \"out\": 3}, {\"type\": \"sigmoid\"}]. "
              f"Types: {', '.join(ly.OPTIONS)}. Parameters are named W1, b1 (linear), K1 (conv kernel), ... "
              "by the order of the layers with weights; outputs z1, h1 (activation), ..."),
        Field("input", "json", None, "The input's shape without the batch axis, e.g. [2], [1, 5] (conv1d), "
              "[1, 4, 4] (conv2d), [3, 2] (3 graph nodes or 3 time steps); null: taken from the first layer."),
        Field("batch", "int", 1, "Samples in the batch (batch norm in train mode needs at least 2).", min=1, max=8),
        Field("loss", "choice", "mse", "The loss on the output and the target y.", choices=nw.LOSSES),
        Field("ask", "json", {"quantity": "grad", "wrt": "W1", "index": [0, 1]},
              "What is asked: {\"quantity\": \"output\"}, {\"quantity\": \"loss\"}, {\"quantity\": \"grad\", "
              "\"wrt\": \"W1\", \"index\": [0, 1]} or {\"quantity\": \"step\", \"wrt\": \"W1\", \"optimizer\": "
              "\"sgd\" | \"momentum\" | \"nesterov\" | \"adam\", \"lr\": 0.1}; index counts from 0 and is optional."),
        Field("values", "choice", "integers", "The numbers drawn: integers −2…2, halves −2…2 or tenths −1…1.",
              choices=tuple(GRIDS)),
    ))
    mistakes = {
        "forgot_activation_derivative": "It looks like you forgot to multiply by the activation's derivative, "
                                        "e.g. σ′(z) = σ(z)(1 − σ(z)).",
        "sign_flipped": "The sign is flipped: check each factor of the chain rule, e.g. ŷ − y rather than y − ŷ.",
        "used_preactivation": "It looks like you used the pre-activation z instead of the activation h = σ(z) as the "
                              "input in the next layer's weight gradient.",
        "forgot_mean": "It looks like you summed instead of averaging: the MSE loss (PyTorch's default) is the mean "
                       "over all output entries.",
        "wrong_step_direction": "It looks like you added the gradient: a descent step subtracts the learning rate "
                                "times the gradient.",
    }
    answer_kind = "scalar"  # of the default config; see answer_kind_for

    def check_config(self, config: dict) -> None:
        nw.plan_for(config)
        if config["batch"] < 2 and any(s.get("type") == "batchnorm1d" and s.get("mode", "train") == "train"
                                       for s in config["layers"]):
            raise ConfigError("Batch norm in train mode needs “batch” of at least 2 (it uses the batch statistics).")

    def answer_kind_for(self, config: dict) -> str:
        """"scalar", "vector" or "matrix": the answer's kind depends on the config (ask and shapes)."""
        return nw.plan_for(self.clean_config(config)).answer_kind

    def tolerance(self, config: dict) -> dict:
        return {"rtol": 0.01, "atol": 1e-4}

    # --- sampling -------------------------------------------------------------------------------

    def sample_batch(self, sampler, config: dict) -> dict[str, np.ndarray]:
        plan = nw.plan_for(config)
        low, high, step = GRIDS[config["values"]]
        grid = np.round(np.arange(low, high + step / 2, step), 10)
        sizes = [int(np.prod(p.batched)) for p in plan.params]
        bits = sampler.bits((CANDIDATES, sum(sizes)))
        rows, full, offset = sampler.size * CANDIDATES, {}, 0
        for p, size in zip(plan.params, sizes, strict=True):
            b = bits[..., offset:offset + size].reshape(rows, *p.batched)
            offset += size
            full[p.name] = _draw(plan, p, b, grid, VARIANCES[config["values"]])
        if config["fixed"]:
            shown = nw.to_shown(plan, full, 1)
            for name, value in config["fixed"].items():
                if name in shown and np.shape(value) == shown[name].shape[1:] and np.all(np.isfinite(value)):
                    shown[name] = np.broadcast_to(np.asarray(value, dtype=np.float64), shown[name].shape)
            full = nw.from_shown(plan, shown, (rows,))
        best = np.argmin(_degeneracies(plan, full).reshape(sampler.size, CANDIDATES), axis=1)
        pick = np.arange(sampler.size) * CANDIDATES + best
        return nw.to_shown(plan, {name: arr[pick] for name, arr in full.items()}, 1)

    # --- solving --------------------------------------------------------------------------------

    def solve(self, params: dict, config: dict, device: str = "cpu"):
        return nw.solve(nw.plan_for(config), params, device)

    def prompt(self, config: dict) -> str:
        return _prompt(nw.plan_for(config), config)

    def explain(self, params: dict, values: dict, config: dict) -> list[Step]:
        return _explain(nw.plan_for(config), params, values)

    def diagram(self, params: dict, config: dict) -> str | None:
        return diagram.network_svg(nw.plan_for(config), params)


def _draw(plan, p, bits, grid, variances) -> np.ndarray:
    """Nice numbers for one parameter from its random bits (rows, *batched shape)."""
    if p.role == "y" and plan.loss in ("cross_entropy", "hinge"):
        return (bits % np.uint64(plan.layers[-1].out_shape[0])).astype(np.float64)
    if p.role == "mask" or (p.role == "y" and plan.loss == "bce"):
        return (bits % np.uint64(2)).astype(np.float64)
    if p.role == "A":
        upper = np.triu((bits % np.uint64(2)).astype(np.float64), 1)
        return upper + upper.swapaxes(-1, -2)
    values = np.asarray(variances if p.role == "var" else grid)
    return values[(bits % np.uint64(len(values))).astype(np.int64)]


def _degeneracies(plan, full: dict) -> np.ndarray:
    """Per candidate row: how many checks fail (a zero answer counts 10)."""
    P = [{r: full[name] for r, name in roles.items()} for roles in plan.roles]
    checks, acts = [], [full["x"]]
    for layer, params in zip(plan.layers, P, strict=True):
        acts.append(ly.forward(layer, params, acts[-1], checks))
    y = full.get("y")
    y = y.reshape(y.shape[0], plan.batch) if plan.loss in ("cross_entropy", "hinge") else y
    loss, d = ly.loss(plan.loss, acts[-1], y)
    checks.append(ly.loss_checks(plan.loss, acts[-1], y))
    quantity, target = plan.ask["quantity"], plan.target
    if quantity == "loss":
        answer = loss[:, None]
    elif quantity == "output":
        answer = acts[-1]
    elif target.startswith(("h_t", "c_t")):
        answer = np.ones((len(loss), 1))  # a state inside a cell: not checked
    else:
        grads = {}
        for i in range(len(plan.layers) - 1, plan.stop - 1, -1):
            d, grads = ly.backward(plan.layers[i], P[i], acts[i], d)
        owner = plan.param.get(target)
        answer = grads[owner.role] if owner is not None and owner.layer >= 0 else d
    batchy = quantity == "output" or (target not in plan.param and quantity != "loss") or \
        (target in plan.param and plan.param[target].role in nw.DATA)
    answer = answer[:, 0] if batchy and plan.batch == 1 else answer
    if plan.ask["index"] is not None:
        answer = answer[(slice(None), *plan.ask["index"])]
    small = np.abs(answer.reshape(len(answer), -1)).max(1) < MIN_ANSWER
    return sum(checks, np.zeros(len(loss))) + 10 * small


# --- text: prompt and worked solution ----------------------------------------------------------

_TEX = {"gamma": "\\gamma", "beta": "\\beta", "mu": "\\mu", "var": "\\sigma^2", "mask": "m", "bmu": "\\mu^B",
        "bvar": "\\sigma^{2,B}", "xhat": "\\hat x", "Ahat": "\\hat A", "Wih": "W_{ih}", "Whh": "W_{hh}",
        "bih": "b_{ih}", "bhh": "b_{hh}"}
_ACT = {"sigmoid": ("\\sigma({a}) = 1/(1 + e^{{-{a}}})", "\\sigma'(a) = \\sigma(a)(1 - \\sigma(a))"),
        "tanh": ("\\tanh({a})", "\\tanh'(a) = 1 - \\tanh^2(a)"),
        "relu": ("\\max(0, {a})", "\\operatorname{ReLU}'(a) = 1 \\text{ if } a > 0 \\text{ else } 0"),
        "leaky_relu": ("{a} \\text{{ if }} {a} > 0 \\text{{ else }} {slope}\\,{a}",
                       "1 \\text{ if } a > 0 \\text{ else the slope}"),
        "elu": ("{a} \\text{{ if }} {a} > 0 \\text{{ else }} {alpha}\\,(e^{{{a}}} - 1)",
                "1 \\text{ if } a > 0 \\text{ else } \\alpha e^{a}"),
        "gelu": ("{a}\\,\\Phi({a})", "\\Phi(a) + a\\,\\varphi(a)"),
        "softplus": ("\\tfrac{{1}}{{{beta}}} \\ln(1 + e^{{{beta} {a}}})", "\\sigma(\\beta a)")}
_RULES = {
    "conv": "∂L/∂K is the cross-correlation of the (padded) input with ∂L/∂z, ∂L/∂b sums ∂L/∂z over positions, "
            "and ∂L/∂input sends each output gradient back through the kernel weights of its window",
    "maxpool": "each window's gradient goes to the window's maximum entry",
    "avgpool": "each window's gradient is shared equally by the entries of the window",
    "flatten": "the gradient is reshaped back",
    "softmax": "$\\partial L/\\partial a = p \\odot (\\partial L/\\partial p - \\sum_j p_j\\, \\partial L/\\partial p_j)$",
    "batchnorm1d": "with $\\hat g = \\gamma \\odot \\partial L/\\partial n$: in train mode $\\partial L/\\partial a = "
                   "\\frac{1}{N\\sqrt{\\sigma^2_B + \\epsilon}}(N \\hat g - \\sum \\hat g - \\hat x \\sum \\hat g \\odot "
                   "\\hat x)$, in eval mode $\\hat g / \\sqrt{\\sigma^2 + \\epsilon}$; $\\partial L/\\partial \\gamma = "
                   "\\sum \\partial L/\\partial n \\odot \\hat x$, $\\partial L/\\partial \\beta = \\sum \\partial L/\\partial n$",
    "dropout": "$\\partial L/\\partial a = \\partial L/\\partial d \\odot m / (1 - p)$",
    "cell": "backpropagation through time: the gradient flows from $h^{(T)}$ back through every step, and a weight's "
            "gradient sums its contributions of all steps",
    "graph_conv": "$\\partial L/\\partial W = (\\hat A a)^\\top \\partial L/\\partial z$, "
                  "$\\partial L/\\partial a = \\hat A^\\top\\, \\partial L/\\partial z\\, W^\\top$",
}


def tex(name: str) -> str:
    """A name as LaTeX: W1 → W_{1}, gamma1b → \\gamma_{1b}, K1_2 → K_{1}^{[2]}, h_t3 → h^{(3)}."""
    if name in ("x", "y", "L"):
        return name
    if name in ("h0", "c0") or name[:3] in ("h_t", "c_t"):
        return f"{name[0]}^{{({name[3:] or '0'})}}"
    cut = next(i for i, ch in enumerate(name) if ch.isdigit())
    base, (number, _, parts) = name[:cut], name[cut:].partition("_")
    text = _TEX[base] if base in ("Wih", "Whh", "bih", "bhh") else f"{_TEX.get(base, base)}_{{{number}}}"
    return text + (f"^{{[{parts.replace('_', ',')}]}}" if parts else "")


def show(value, digits: int | None = 4) -> str:
    """A scalar, vector, matrix or (channels of matrices) as LaTeX."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim <= 2:
        return latex.value(arr.tolist(), digits)
    return "\\left[" + ",\\; ".join(show(a, digits) for a in arr) + "\\right]"


def _shown_param(plan, params: dict, name: str) -> str:
    p = plan.param[name]
    return ",\\; ".join(f"{tex(part)} = {show(params[part], None)}" for part, _ in p.parts)


def _placeholder(plan, name: str) -> str:
    return ",\\; ".join(f"{tex(part)} = {{{{ {part} }}}}" for part, _ in plan.param[name].parts)


def _input(plan, i: int) -> str:
    return "x" if i == 0 else plan.outs[i - 1]


def _formula(plan, i: int) -> str:
    """Layer i as a symbolic formula with its conventions (Markdown with math)."""
    layer, roles = plan.layers[i], plan.roles[i]
    t, o, a, out = layer.type, layer.opts, tex(_input(plan, i)), tex(plan.outs[i])
    r = {role: tex(name) for role, name in roles.items()}
    b = f" + {r['b']}" if "b" in r else ""
    if t == "linear":
        return f"${out} = {a} {r['W']}^\\top{b}$ (one row per sample)" if plan.batch > 1 else f"${out} = {r['W']} {a}{b}$"
    if t.startswith("conv"):
        return (f"${out} = {r['K']} \\star {a}{b}$ a cross-correlation as in PyTorch (no kernel flip; each output "
                f"channel sums over the input channels), kernel {o['kernel']}, stride {o['stride']}, zero padding "
                f"{o['padding']}")
    if "pool" in t:
        return f"${out} = \\operatorname{{{t[:3]}pool}}({a})$ kernel {o['kernel']}, stride {o['stride']}"
    if t == "flatten":
        return f"${out} = \\operatorname{{flatten}}({a})$ in row-major order (channel by channel, row by row)"
    if t in _ACT:
        extra = {"gelu": " (Φ the standard normal CDF: PyTorch's exact GELU)"}.get(t, "")
        return f"${out} = " + _ACT[t][0].format(a=a, **{k: latex.num(v) for k, v in o.items()}) + f"${extra}"
    if t == "softmax":
        return f"${out} = \\operatorname{{softmax}}({a}), \\quad ({out})_j = e^{{a_j}} / \\textstyle\\sum_k e^{{a_k}}$"
    if t == "batchnorm1d":
        stats = ("the batch mean $\\mu_B$ and the biased batch variance $\\sigma^2_B$ (divided by N), per feature"
                 if o["mode"] == "train" else f"the running statistics ${r['mu']}$, ${r['var']}$ (eval mode)")
        return (f"${out} = {r['gamma']} \\odot \\frac{{{a} - \\mu}}{{\\sqrt{{\\sigma^2 + \\epsilon}}}} + {r['beta']}$ "
                f"with {stats}; $\\epsilon = 10^{{-5}}$ inside the square root")
    if t == "dropout":
        return f"${out} = {a} \\odot {r['mask']} / (1 - {latex.num(o['p'])})$ with the given keep mask (1 = kept)"
    if t == "graph_conv":
        return (f"${out} = \\hat A\\, {a}\\, {r['W']}{b}, \\quad \\hat A = D^{{-1/2}}({r['A']} + I) D^{{-1/2}}$ "
                f"with $D$ the degree matrix of ${r['A']} + I$")
    pre = "W_{ih} x_t + b_{ih} + W_{hh} h^{(t-1)} + b_{hh}" if t == "rnn_cell" else ""
    text = {"rnn_cell": f"$h^{{(t)}} = \\tanh({pre})$",
            "gru_cell": "$r = \\sigma(W_{ir} x_t + b_{ir} + W_{hr} h + b_{hr}),\\; z = \\sigma(W_{iz} x_t + b_{iz} + "
                        "W_{hz} h + b_{hz}),\\; n = \\tanh(W_{in} x_t + b_{in} + r \\odot (W_{hn} h + b_{hn})),\\; "
                        "h^{(t)} = (1 - z) \\odot n + z \\odot h$ with $h = h^{(t-1)}$; the row blocks of $W_{ih}$, "
                        "$W_{hh}$, $b_{ih}$, $b_{hh}$ are the gates in PyTorch's order r, z, n",
            "lstm_cell": "$(i, f, g, o) = (\\sigma, \\sigma, \\tanh, \\sigma)(W_{ih} x_t + b_{ih} + W_{hh} h^{(t-1)} + "
                         "b_{hh}),\\; c^{(t)} = f \\odot c^{(t-1)} + i \\odot g,\\; h^{(t)} = o \\odot \\tanh(c^{(t)})$ "
                         "with the row blocks in PyTorch's gate order i, f, g, o"}[t]
    return text + f" for $t = 1, \\dots, {layer.in_shape[0]}$ ($x_t$ row t of x); the output is $h^{{({layer.in_shape[0]})}}$"


