"""The declarative network's prompt and worked solution, as Markdown with LaTeX (pure Python and numpy).

``prompt(plan)`` is the default prompt with ``{{ name }}`` placeholders for the shown parameters
(cached per plan); ``explain(plan, params, values)`` the worked solution from the solved values:
every layer's forward values, the loss, then the backward pass layer by layer down to the
quantity asked, with the student's numbers (parameters exact, computed values to 4 significant
figures) and the conventions used (PyTorch's formulas, gate orders, MSE mean, biased variance...).
"""

import functools
import math

import numpy as np

from compute import latex
from compute import layers as ly
from compute import network as nw
from compute.variant import Step

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
    "linear": "with one row per sample, $\\partial L/\\partial W = (\\partial L/\\partial z)^\\top a$ (summed over "
              "the samples), $\\partial L/\\partial b$ sums the rows of $\\partial L/\\partial z$ and "
              "$\\partial L/\\partial a = (\\partial L/\\partial z)\\, W$",
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


@functools.lru_cache(maxsize=4096)
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


def _num(v: float, digits: int | None) -> str:
    return "0" if abs(v) < 1e-12 else latex.num(v, digits)  # rounding noise reads as 0


def show(value, digits: int | None = 4) -> str:
    """A scalar, vector, matrix or (channels of matrices) as LaTeX; one number shows as a scalar."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list):
        return _num(value, digits)
    if not isinstance(value[0], list):
        if len(value) == 1:
            return _num(value[0], digits)
        return "\\begin{pmatrix} " + " \\\\ ".join(_num(v, digits) for v in value) + " \\end{pmatrix}"
    if not isinstance(value[0][0], list):
        if len(value) * len(value[0]) == 1:
            return _num(value[0][0], digits)
        rows = (" & ".join(_num(v, digits) for v in row) for row in value)
        return "\\begin{pmatrix} " + " \\\\ ".join(rows) + " \\end{pmatrix}"
    arr = np.asarray(value, dtype=np.float64)
    arr = arr.reshape(nw.layout(arr.shape)[0])
    if arr.ndim <= 2:
        return show(arr, digits)
    return "\\left[" + ",\\; ".join(show(a, digits) for a in arr) + "\\right]"


def _paren(text: str) -> str:
    """A negative number in parentheses, for products and sums."""
    return f"({text})" if text.startswith("-") else text


def _placeholder(plan, name: str) -> str:
    return ",\\; ".join(f"{tex(part)} = {{{{ {part} }}}}" for part, _ in plan.param[name].parts)


def _input(plan, i: int) -> str:
    return "x" if i == 0 else plan.outs[i - 1]


def _formula(plan, i: int) -> str:
    """Layer i as a symbolic formula with its conventions (Markdown with math)."""
    return _formula_of(plan.key, i)


@functools.lru_cache(maxsize=1024)
def _formula_of(key: str, i: int) -> str:
    plan = nw.cached_plan(key)
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


_LOSS = {"mse": ("the mean squared error $L = \\frac{1}{n} \\sum_i (\\hat y_i - y_i)^2$ over all n = COUNT entries "
                 "(PyTorch's default mean)", "\\frac{2}{n}(\\hat y - y)"),
         "bce": ("the binary cross-entropy $L = -\\frac{1}{n} \\sum_i [y_i \\ln \\hat y_i + (1 - y_i) \\ln(1 - \\hat y_i)]$ "
                 "(natural log, mean over all n = COUNT entries)", "\\frac{\\hat y - y}{n\\, \\hat y \\odot (1 - \\hat y)}"),
         "cross_entropy": ("the cross-entropy of the logits $\\hat y$, $L = -\\ln \\operatorname{softmax}(\\hat y)_y$ "
                           "(natural log, mean over the batch; the class y counts from 0)",
                           "\\frac{1}{N}(\\operatorname{softmax}(\\hat y) - \\operatorname{onehot}(y))"),
         "hinge": ("the multi-class hinge loss $L = \\frac{1}{C} \\sum_{j \\ne y} \\max(0, 1 - \\hat y_y + \\hat y_j)$ "
                   "(PyTorch's MultiMarginLoss: margin 1, divided by the number of classes C, mean over the batch; "
                   "the class y counts from 0)", "\\frac{1}{NC}(\\mathbb{1}[\\text{margin}_j > 0] \\text{ for } j \\ne y, "
                   "\\; -\\#\\{j: \\text{margin}_j > 0\\} \\text{ at } y)"),
         "none": ("none: the gradient is taken of the output itself, $L = \\hat y$", "1")}
_OPTIMIZER = {"sgd": "plain SGD: $p \\leftarrow p - \\eta\\, g$",
              "momentum": "SGD with momentum μ = {momentum}: on the first step the buffer is the gradient itself, "
                          "so $p \\leftarrow p - \\eta\\, g$",
              "nesterov": "SGD with Nesterov momentum μ = {momentum}: on the first step the buffer is g and the update "
                          "uses $g + \\mu g$, so $p \\leftarrow p - \\eta (1 + \\mu) g$",
              "adam": "Adam from zero moments: after bias correction $\\hat m = g$, $\\hat v = g^2$, so "
                      "$p \\leftarrow p - \\eta\\, g / (\\sqrt{{\\hat v}} + \\epsilon) = p - \\eta\\, g / (|g| + \\epsilon)$ "
                      "with ε = {eps} added after the square root"}


def _d(name: str) -> str:
    return f"\\frac{{\\partial L}}{{\\partial {tex(name)}}}"


def _asked(plan) -> str:
    """The asked quantity as LaTeX, with the entry's index if one is asked."""
    q, index = plan.ask["quantity"], plan.ask["index"]
    wrt = plan.ask["wrt"]
    symbol = {"output": "\\hat y", "loss": "L"}.get(q, tex(wrt) if wrt else "")
    if index is not None:
        symbol = f"({symbol})_{{{','.join(map(str, index))}}}"
    return f"\\frac{{\\partial L}}{{\\partial {symbol}}}" if q == "grad" else symbol


def _index_text(plan) -> str:
    index = plan.ask["index"]
    if index is None:
        return ""
    human = {1: f"; entry {index[0] + 1}", 2: f"; row {index[0] + 1}, column {index[-1] + 1}"}.get(len(index), "")
    return f" (index {index}, counting from 0 as in PyTorch{human})"


def prompt(plan) -> str:
    """The default prompt of a plan (cached)."""
    return _prompt(plan.key)


@functools.lru_cache(maxsize=256)
def _prompt(key: str) -> str:
    plan = nw.cached_plan(key)
    n, out = len(plan.layers), tex(plan.outs[-1])
    batch = f" a batch of {plan.batch} samples (the first axis of x, one per sample), given by" if plan.batch > 1 else ""
    lines = [f"A network of {n} layer{'s' * (n > 1)} maps{batch} the input ${_placeholder(plan, 'x')}$ to the output "
             f"$\\hat y = {out}$ (shapes and weight layouts as in PyTorch):", ""]
    for i, layer in enumerate(plan.layers):
        shown = [_placeholder(plan, name) for name in plan.roles[i].values()]
        given = f" with ${'$, $'.join(shown)}$" if shown else ""
        lines.append(f"{i + 1}. {layer.type.replace('_', ' ')}: {_formula(plan, i)}{given}.")
    if plan.loss != "none":
        count = math.prod(plan.shapes[plan.outs[-1]])
        lines += ["", f"The loss is {_LOSS[plan.loss][0].replace('COUNT', str(count))}, with target ${_placeholder(plan, 'y')}$."]
    q, ask = plan.ask["quantity"], plan.ask
    if q == "step":
        rule = _OPTIMIZER[ask["optimizer"]].format(momentum=ask["momentum"], eps=f"${latex.num(ask['eps'])}$")
        question = (f"Compute ${tex(ask['wrt'])}$ after one optimizer step with learning rate η = {ask['lr']} and "
                    f"$g = \\partial L / \\partial {tex(ask['wrt'])}$, {rule}{_index_text(plan)}.")
    else:
        what = {"output": "the output", "loss": "the loss", "grad": "the gradient"}[q]
        question = f"Compute {what} ${_asked(plan)}${_index_text(plan)}."
    cells = " (every entry)" if plan.answer_kind != "scalar" else ""
    return "\n".join(lines) + f"\n\n{question} Give the answer{cells} to at least 3 significant figures."


def _value(plan, params: dict, values: dict, name: str):
    """A forward value, or a parameter (joined from its shown parts if needed)."""
    if name in values:
        return values[name]
    if len(plan.param[name].parts) == 1:
        return params[name]
    return nw.from_shown(plan, params)[name].reshape(plan.param[name].shape)


def _forward(plan, i: int, params: dict, values: dict) -> str:
    layer, roles = plan.layers[i], plan.roles[i]
    t, a, out = layer.type, _input(plan, i), plan.outs[i]
    body = [_formula(plan, i) + "."]
    shown_a, shown_out = show(_value(plan, params, values, a), None if a == "x" else 4), show(values[out])
    if t == "linear" and plan.batch == 1:
        b = show(params[roles["b"]], None) if "b" in roles else ""
        b = f" + {_paren(b)}" if b else ""
        body.append(f"$${tex(out)} = {show(params[roles['W']], None)} {shown_a}{b} = {shown_out}$$")
    elif t in _ACT:
        body.append(f"$${tex(out)} = f({shown_a}) = {shown_out}$$")
    elif t in ly.CELLS:
        gates = {"gru_cell": ("r", "u", "n"), "lstm_cell": ("i", "f", "g", "o")}.get(t, ())
        for s in range(1, layer.in_shape[0] + 1):
            parts = [f"{g.replace('u', 'z')} = {show(values[f'{g}_t{s}'])}" for g in gates]
            if t == "lstm_cell":
                parts.append(f"c^{{({s})}} = {show(values[f'c_t{s}'])}")
            parts.append(f"h^{{({s})}} = {show(values[f'h_t{s}'])}")
            body.append(f"$$t = {s}: \\quad " + ",\\; ".join(parts) + "$$")
    else:
        keys = [k + out[1:] for k in {"batchnorm1d": ("bmu", "bvar", "xhat"), "graph_conv": ("Ahat",)}.get(t, ())]
        extra = [f"{tex(k)} = {show(values[k])}" for k in keys if k in values]
        body.append("$$" + ",\\quad ".join([*extra, f"{tex(out)} = {shown_out}"]) + "$$")
    return "\n\n".join(body)


def _backward(plan, i: int, params: dict, values: dict) -> str:
    """Layer i's backward step: the asked parameter's gradient there, and the input's when needed."""
    layer, roles = plan.layers[i], plan.roles[i]
    t, o, a, out = layer.type, layer.opts, _input(plan, i), plan.outs[i]
    owner = plan.param.get(plan.target)
    mine = [owner.name] if owner is not None and owner.layer == i else []
    need_input = i > plan.stop or plan.target == a
    dz, lines = _paren(show(values["d_" + out])), []
    if t == "linear" and plan.batch == 1:
        for name in mine:
            weight = owner.role == "W"
            symbol = f" {tex(a)}^\\top" * weight
            factor = f" {_paren(show(_value(plan, params, values, a), None if a == 'x' else 4))}^\\top" * weight
            lines.append(f"$${_d(name)} = {_d(out)}{symbol} = {dz}{factor} = {show(values['d_' + name])}$$")
        if need_input:
            lines.append(f"$${_d(a)} = {tex(roles['W'])}^\\top {_d(out)} = {show(params[roles['W']], None)}^\\top "
                         f"{dz} = {show(values['d_' + a])}$$")
    elif t in _ACT:
        z = np.asarray(_value(plan, params, values, a), dtype=np.float64)
        deriv = ly.derivative(t, o, z, np.asarray(values[out]))
        lines.append(f"$${_d(a)} = {_d(out)} \\odot f'({tex(a)}), \\quad f'(a) = {_ACT[t][1]}$$")
        lines.append(f"$${_d(a)} = {dz} \\odot {show(deriv)} = {show(values['d_' + a])}$$")
    else:
        rule = _RULES["cell" if t in ly.CELLS else "conv" if t.startswith("conv") else t[:7] if "pool" in t else t]
        lines.append(f"Through this layer, {rule}.")
        if t in ly.CELLS:
            lines.append("$$" + ",\\quad ".join(f"{_d(f'h_t{s}')} = {show(values[f'd_h_t{s}'])}"
                                                 for s in range(layer.in_shape[0], 0, -1)) + "$$")
        lines += [f"$${_d(name)} = {show(values['d_' + name])}$$" for name in mine + [a] * need_input]
    return "\n\n".join(lines)


def explain(plan, params: dict, values: dict) -> list[Step]:
    """The worked solution, step by step, from the solved ``values``."""
    q, ask, n, out = plan.ask["quantity"], plan.ask, len(plan.layers), plan.outs[-1]
    steps = [Step("Conventions", "Shapes, weight layouts and indices (from 0) follow PyTorch; everything is float64. "
                                 f"The output is $\\hat y = {tex(out)}$.")]
    steps += [Step(f"Forward, layer {i + 1}: {layer.type.replace('_', ' ')}", _forward(plan, i, params, values))
              for i, layer in enumerate(plan.layers)]
    if plan.loss != "none" and q != "output":
        loss = _LOSS[plan.loss][0].replace("COUNT", str(math.prod(plan.shapes[out])))
        probs = f"$$\\operatorname{{softmax}}(\\hat y) = {show(values['probs'])}$$\n\n" if "probs" in values else ""
        y = show(_value(plan, params, values, "y"), None)
        steps.append(Step("Loss", f"The loss is {loss}.\n\n{probs}"
                                  f"$$\\hat y = {show(values[out])},\\quad y = {y},\\quad L = {show(values['L'])}$$"))
    if q in ("grad", "step"):
        steps.append(Step("Backward: the loss", f"$${_d(out)} = {_LOSS[plan.loss][1]} = {show(values['d_' + out])}$$"))
        steps += [Step(f"Backward, layer {i + 1}: {plan.layers[i].type.replace('_', ' ')}",
                       _backward(plan, i, params, values)) for i in range(n - 1, plan.stop - 1, -1)]
    key = {"output": out, "loss": "L", "grad": "d_" + plan.target, "step": "new"}[q]
    answer = show(nw.pick(plan, values[key]))
    if q == "step":
        lr, g = ask["lr"], np.asarray(values["d_" + plan.target])
        rule = _OPTIMIZER[ask["optimizer"]].format(momentum=ask["momentum"], eps=f"${latex.num(ask['eps'])}$")
        update = {"adam": f"{lr} \\cdot {show(g / (np.abs(g) + ask['eps']))}",
                  "nesterov": f"{lr} \\cdot {latex.num(1 + ask['momentum'])} \\cdot {show(g)}"}.get(
            ask["optimizer"], f"{lr} \\cdot {show(g)}")
        body = (f"One step of {rule}, with η = {lr}:\n\n$$g = {_d(plan.target)} = {show(g)}$$\n\n"
                f"$${tex(ask['wrt'])} \\leftarrow {show(_value(plan, params, values, plan.target), None)} - {update} = "
                f"{show(values['new'])}$$")
        if ask["index"] is not None or plan.part:
            body += f"\n\nThe entry asked: ${_asked(plan)} = {answer}$."
    else:
        body = f"$${_asked(plan)} = {answer}$$"
    return [*steps, Step("Answer", body)]
