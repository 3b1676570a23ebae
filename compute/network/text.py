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
from compute.contract import COUNTING
from compute.network import engine as nw
from compute.network import layers as ly
from compute.network import layers_numpy as lnp
from compute.network import plan as nplan
from compute.variant import Step

_TEX = {"gamma": r"\gamma", "beta": r"\beta", "mu": r"\mu", "var": r"\sigma^2", "mask": "m", "bmu": r"\mu^B",
        "bvar": r"\sigma^{2,B}", "xhat": r"\hat x", "Ahat": r"\hat A", "Wih": "W_{ih}", "Whh": "W_{hh}",
        "bih": "b_{ih}", "bhh": "b_{hh}"}
_ACT = {  # type -> (f(a) with the layer's options as format fields, f'(a))
    "sigmoid": (r"\sigma({a}) = 1/(1 + e^{{-{a}}})", r"\sigma'(a) = \sigma(a)(1 - \sigma(a))"),
    "tanh": (r"\tanh({a})", r"\tanh'(a) = 1 - \tanh^2(a)"),
    "relu": (r"\max(0, {a})", r"\operatorname{ReLU}'(a) = 1 \text{ if } a > 0 \text{ else } 0"),
    "leaky_relu": (r"{a} \text{{ if }} {a} > 0 \text{{ else }} {slope}\,{a}",
                   r"1 \text{ if } a > 0 \text{ else the slope}"),
    "elu": (r"{a} \text{{ if }} {a} > 0 \text{{ else }} {alpha}\,(e^{{{a}}} - 1)",
            r"1 \text{ if } a > 0 \text{ else } \alpha e^{a}"),
    "gelu": (r"{a}\,\Phi({a})", r"\Phi(a) + a\,\varphi(a)"),
    "softplus": (r"\tfrac{{1}}{{{beta}}} \ln(1 + e^{{{beta} {a}}})", r"\sigma(\beta a)"),
}
_RULES = {  # how the gradient goes back through a layer, in words and formulas
    "linear": r"with one row per sample, $\partial L/\partial W = (\partial L/\partial z)^\top a$ "
              r"(summed over the samples), $\partial L/\partial b$ sums the rows of $\partial L/\partial z$ "
              r"and $\partial L/\partial a = (\partial L/\partial z)\, W$",
    "conv": "∂L/∂K is the cross-correlation of the (padded) input with ∂L/∂z, ∂L/∂b sums ∂L/∂z over "
            "positions, and ∂L/∂input sends each output gradient back through the kernel weights of its "
            "window",
    "maxpool": "each window's gradient goes to the window's maximum entry",
    "avgpool": "each window's gradient is shared equally by the entries of the window",
    "flatten": "the gradient is reshaped back",
    "softmax": r"$\partial L/\partial a = p \odot (\partial L/\partial p - "
               r"\sum_j p_j\, \partial L/\partial p_j)$",
    "batchnorm1d": r"with $\hat g = \gamma \odot \partial L/\partial n$: in train mode "
                   r"$\partial L/\partial a = \frac{1}{N\sqrt{\sigma^2_B + \epsilon}}(N \hat g - \sum \hat g "
                   r"- \hat x \sum \hat g \odot \hat x)$, in eval mode "
                   r"$\hat g / \sqrt{\sigma^2 + \epsilon}$; "
                   r"$\partial L/\partial \gamma = \sum \partial L/\partial n \odot \hat x$, "
                   r"$\partial L/\partial \beta = \sum \partial L/\partial n$",
    "dropout": r"$\partial L/\partial a = \partial L/\partial d \odot m / (1 - p)$",
    "cell": "backpropagation through time: the gradient flows from $h^{(T)}$ back through every step, and "
            "a weight's gradient sums its contributions of all steps",
    "graph_conv": r"$\partial L/\partial W = (\hat A a)^\top \partial L/\partial z$, "
                  r"$\partial L/\partial a = \hat A^\top\, \partial L/\partial z\, W^\top$",
}
_GRU = (r"$r = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h + b_{hr}),\; "
        r"z = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h + b_{hz}),\; "
        r"n = \tanh(W_{in} x_t + b_{in} + r \odot (W_{hn} h + b_{hn})),\; "
        r"h^{(t)} = (1 - z) \odot n + z \odot h$ with $h = h^{(t-1)}$; the row blocks of $W_{ih}$, "
        "$W_{hh}$, $b_{ih}$, $b_{hh}$ are the gates in PyTorch's order r, z, n")
_LSTM = (r"$(i, f, g, o) = (\sigma, \sigma, \tanh, \sigma)(W_{ih} x_t + b_{ih} + W_{hh} h^{(t-1)} + "
         r"b_{hh}),\; c^{(t)} = f \odot c^{(t-1)} + i \odot g,\; h^{(t)} = o \odot \tanh(c^{(t)})$ "
         "with the row blocks in PyTorch's gate order i, f, g, o")
_LOSS = {  # loss -> (definition with its conventions, COUNT = number of entries; dL/dŷ)
    "mse": (r"the mean squared error $L = \frac{1}{n} \sum_i (\hat y_i - y_i)^2$ over all n = COUNT "
            "entries (PyTorch's default mean)", r"\frac{2}{n}(\hat y - y)"),
    "bce": (r"the binary cross-entropy $L = -\frac{1}{n} \sum_i [y_i \ln \hat y_i + (1 - y_i) \ln(1 - "
            r"\hat y_i)]$ (natural log, mean over all n = COUNT entries)",
            r"\frac{\hat y - y}{n\, \hat y \odot (1 - \hat y)}"),
    "cross_entropy": (r"the cross-entropy of the logits $\hat y$, "
                      r"$L = -\ln \operatorname{softmax}(\hat y)_y$ (natural log, mean over the batch; the "
                      r"class y is an index of $\hat y$)",
                      r"\frac{1}{N}(\operatorname{softmax}(\hat y) - \operatorname{onehot}(y))"),
    "hinge": (r"the multi-class hinge loss $L = \frac{1}{C} \sum_{j \ne y} \max(0, 1 - \hat y_y + "
              r"\hat y_j)$ (PyTorch's MultiMarginLoss: margin 1, divided by the number of classes C, mean "
              r"over the batch; the class y is an index of $\hat y$)",
              r"\frac{1}{NC}(\mathbb{1}[\text{margin}_j > 0] \text{ for } j \ne y,\; "
              r"-\#\{j: \text{margin}_j > 0\} \text{ at } y)"),
    "none": (r"none: the gradient is taken of the output itself, $L = \hat y$", "1"),
}
_OPTIMIZER = {
    "sgd": r"plain SGD: $p \leftarrow p - \eta\, g$",
    "momentum": "SGD with momentum μ = {momentum}: on the first step the buffer is the gradient itself, "
                r"so $p \leftarrow p - \eta\, g$",
    "nesterov": "SGD with Nesterov momentum μ = {momentum}: on the first step the buffer is g and the "
                r"update uses $g + \mu g$, so $p \leftarrow p - \eta (1 + \mu) g$",
    "adam": r"Adam from zero moments: after bias correction $\hat m = g$, $\hat v = g^2$, so "
            r"$p \leftarrow p - \eta\, g / (\sqrt{{\hat v}} + \epsilon) = "
            r"p - \eta\, g / (|g| + \epsilon)$ with ε = {eps} added after the square root",
}


@functools.lru_cache(maxsize=4096)
def tex(name: str) -> str:
    """A name as LaTeX: W1 → W_{1}, gamma1b → \\gamma_{1b}, K1_2 → K_{1}^{[1]} (the part K1[1]), h_t3 → h^{(3)}."""
    if name in ("x", "y", "L"):
        return name
    if name in ("h0", "c0") or name[:3] in ("h_t", "c_t"):
        return f"{name[0]}^{{({name[3:] or '0'})}}"
    cut = next(i for i, ch in enumerate(name) if ch.isdigit())
    base, (number, _, parts) = name[:cut], name[cut:].partition("_")
    text = _TEX[base] if base in ("Wih", "Whh", "bih", "bhh") else f"{_TEX.get(base, base)}_{{{number}}}"
    # a shown part K1_2 is the second matrix of K1: index 1, as PyTorch counts (K1[1])
    return text + (f"^{{[{','.join(str(int(k) - 1) for k in parts.split('_'))}]}}" if parts else "")


def _num(v: float, digits: int | None) -> str:
    """latex.num (rounding noise below ``latex.NOISE`` shown as 0), with a fast path for plain numbers."""
    v = float(v)
    if abs(v) < latex.NOISE:
        return "0"
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    text = repr(v) if digits is None else f"{v:.{digits}g}"
    return latex.num(v, digits) if "e" in text else text


def show(value, digits: int | None = 4) -> str:
    """A scalar, vector, matrix or (channels of matrices) as LaTeX; one number shows as a scalar."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list):
        return _num(value, digits)
    if not isinstance(value[0], list):
        if len(value) == 1:
            return _num(value[0], digits)
        return r"\begin{pmatrix} " + r" \\ ".join(_num(v, digits) for v in value) + r" \end{pmatrix}"
    if not isinstance(value[0][0], list):
        if len(value) * len(value[0]) == 1:
            return _num(value[0][0], digits)
        rows = (" & ".join(_num(v, digits) for v in row) for row in value)
        return r"\begin{pmatrix} " + r" \\ ".join(rows) + r" \end{pmatrix}"
    arr = np.asarray(value, dtype=np.float64)
    arr = arr.reshape(nplan.layout(arr.shape)[0])
    if arr.ndim <= 2:
        return show(arr, digits)
    return r"\left[" + r",\; ".join(show(a, digits) for a in arr) + r"\right]"


def _paren(text: str) -> str:
    """A negative number in parentheses, for products and sums."""
    return f"({text})" if text.startswith("-") else text


def _placeholder(plan, name: str) -> str:
    return r",\; ".join(f"{tex(part)} = {{{{ {part} }}}}" for part, _ in plan.param[name].parts)


def _input(plan, i: int) -> str:
    return "x" if i == 0 else plan.outs[i - 1]


def _d(name: str) -> str:
    return rf"\frac{{\partial L}}{{\partial {tex(name)}}}"


def _formula(plan, i: int) -> str:
    """Layer i as a symbolic formula with its conventions (Markdown with inline math)."""
    return _formula_of(plan.key, i)


@functools.lru_cache(maxsize=1024)
def _formula_of(key: str, i: int) -> str:
    plan = nplan.cached_plan(key)
    layer, roles = plan.layers[i], plan.roles[i]
    t, o, a, out = layer.type, layer.opts, tex(_input(plan, i)), tex(plan.outs[i])
    r = {role: tex(name) for role, name in roles.items()}
    b = f" + {r['b']}" if "b" in r else ""
    if t == "linear":
        return rf"${out} = {a} {r['W']}^\top{b}$ (one row per sample)" if plan.batch > 1 else \
            f"${out} = {r['W']} {a}{b}$"
    if t.startswith("conv"):
        return (rf"${out} = {r['K']} \star {a}{b}$ a cross-correlation as in PyTorch (no kernel flip; each "
                f"output channel sums over the input channels), kernel {o['kernel']}, stride {o['stride']}, "
                f"zero padding {o['padding']}")
    if "pool" in t:
        return rf"${out} = \operatorname{{{t[:3]}pool}}({a})$ kernel {o['kernel']}, stride {o['stride']}"
    if t == "flatten":
        return rf"${out} = \operatorname{{flatten}}({a})$ in row-major order (channel by channel, row by row)"
    if t in _ACT:
        extra = " (Φ the standard normal CDF: PyTorch's exact GELU)" if t == "gelu" else ""
        return f"${out} = " + _ACT[t][0].format(a=a, **{k: latex.num(v) for k, v in o.items()}) + f"${extra}"
    if t == "softmax":
        return (rf"${out} = \operatorname{{softmax}}({a}), \quad "
                rf"({out})_j = e^{{a_j}} / \textstyle\sum_k e^{{a_k}}$")
    if t == "batchnorm1d":
        if o["mode"] == "train":
            stats = (r"the batch mean $\mu_B$ and the biased batch variance $\sigma^2_B$ (divided by N), "
                     "per feature")
        else:
            stats = f"the running statistics ${r['mu']}$, ${r['var']}$ (eval mode)"
        return (rf"${out} = {r['gamma']} \odot \frac{{{a} - \mu}}{{\sqrt{{\sigma^2 + \epsilon}}}} + "
                rf"{r['beta']}$ with {stats}; $\epsilon = 10^{{-5}}$ inside the square root")
    if t == "dropout":
        return (rf"${out} = {a} \odot {r['mask']} / (1 - {latex.num(o['p'])})$ with the given keep mask "
                "(1 = kept)")
    if t == "graph_conv":
        return (rf"${out} = \hat A\, {a}\, {r['W']}{b}, \quad \hat A = D^{{-1/2}}({r['A']} + I) D^{{-1/2}}$ "
                f"with $D$ the degree matrix of ${r['A']} + I$")
    steps = layer.in_shape[0]
    text = {"rnn_cell": r"$h^{(t)} = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h^{(t-1)} + b_{hh})$",
            "gru_cell": _GRU, "lstm_cell": _LSTM}[t]
    return text + rf" for $t = 1, \dots, {steps}$ ($x_t$ row t of x); the output is $h^{{({steps})}}$"


def _asked(plan) -> str:
    """The asked quantity as LaTeX, with the entry's index if one is asked."""
    q, index, wrt = plan.ask["quantity"], plan.ask["index"], plan.ask["wrt"]
    symbol = {"output": r"\hat y", "loss": "L"}.get(q, tex(wrt) if wrt else "")
    if index is not None:
        symbol = f"({symbol})_{{{','.join(map(str, index))}}}"
    return rf"\frac{{\partial L}}{{\partial {symbol}}}" if q == "grad" else symbol


def _index_text(plan) -> str:
    index = plan.ask["index"]
    if index is None:
        return ""
    human = {1: f": entry {index[0]}", 2: f": row {index[0]}, column {index[-1]}"}
    return f" (index {index}{human.get(len(index), '')})"


def _rule(ask: dict) -> str:
    return _OPTIMIZER[ask["optimizer"]].format(momentum=ask["momentum"], eps=f"${latex.num(ask['eps'])}$")


def prompt(plan) -> str:
    """The default prompt of a plan (cached)."""
    return _prompt(plan.key)


@functools.lru_cache(maxsize=256)
def _prompt(key: str) -> str:
    plan = nplan.cached_plan(key)
    n, out, ask = len(plan.layers), tex(plan.outs[-1]), plan.ask
    batch = f" a batch of {plan.batch} samples (the first axis of x, one per sample), given by"
    batch = batch if plan.batch > 1 else ""
    lines = [f"A network of {n} layer{'s' * (n > 1)} maps{batch} the input ${_placeholder(plan, 'x')}$ to "
             rf"the output $\hat y = {out}$ (shapes and weight layouts as in PyTorch):", ""]
    for i, layer in enumerate(plan.layers):
        shown = [_placeholder(plan, name) for name in plan.roles[i].values()]
        given = f", where ${'$, $'.join(shown)}$" if shown else ""
        lines.append(f"{i + 1}. {layer.type.replace('_', ' ')}: {_formula(plan, i)}{given}.")
    if plan.loss != "none":
        loss = _LOSS[plan.loss][0].replace("COUNT", str(math.prod(plan.shapes[plan.outs[-1]])))
        lines += ["", f"The loss is {loss}, with target ${_placeholder(plan, 'y')}$."]
    if ask["quantity"] == "step":
        question = (f"Compute ${tex(ask['wrt'])}$ after one optimizer step with learning rate "
                    rf"η = {ask['lr']} and $g = \partial L / \partial {tex(plan.target)}$, {_rule(ask)}"
                    f"{_index_text(plan)}.")
    else:
        what = {"output": "the output", "loss": "the loss", "grad": "the gradient"}[ask["quantity"]]
        question = f"Compute {what} ${_asked(plan)}${_index_text(plan)}."
    cells = " (every entry)" if plan.answer_kind != "scalar" else ""
    counting = f" {COUNTING}" if _indexes(plan) else ""
    return "\n".join(lines) + f"\n\n{question}{counting} Give the answer{cells} to at least 3 significant figures."


def _indexes(plan) -> bool:
    """Whether the prompt names an entry, a part or a class (then it says how indices count)."""
    split = any(len(p.parts) > 1 for p in plan.params)
    return plan.ask["index"] is not None or bool(plan.part) or split or plan.loss in ("cross_entropy", "hinge")


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
        b = f" + {_paren(show(params[roles['b']], None))}" if "b" in roles else ""
        body.append(f"$${tex(out)} = {show(params[roles['W']], None)} {shown_a}{b} = {shown_out}$$")
    elif t in _ACT:
        body.append(f"$${tex(out)} = f({shown_a}) = {shown_out}$$")
    elif t in ly.CELLS:
        gates = {"gru_cell": ("r", "u", "n"), "lstm_cell": ("i", "f", "g", "o")}.get(t, ())
        for s in range(1, layer.in_shape[0] + 1):
            parts = [f"{g.replace('u', 'z')} = {show(values[f'{g}_t{s}'])}" for g in gates]
            if f"ghn_t{s}" in values:  # GRU: the hidden part the reset gate multiplies
                parts.insert(2, rf"W_{{hn}} h^{{({s - 1})}} + b_{{hn}} = {show(values[f'ghn_t{s}'])}")
            if t == "lstm_cell":
                parts.append(f"c^{{({s})}} = {show(values[f'c_t{s}'])}")
            parts.append(f"h^{{({s})}} = {show(values[f'h_t{s}'])}")
            body.append(rf"$$t = {s}: \quad " + r",\; ".join(parts) + "$$")
    else:
        keys = {"batchnorm1d": ("bmu", "bvar", "xhat"), "graph_conv": ("Ahat",)}.get(t, ())
        extra = [f"{tex(k + out[1:])} = {show(values[k + out[1:]])}" for k in keys if k + out[1:] in values]
        body.append("$$" + r",\quad ".join([*extra, f"{tex(out)} = {shown_out}"]) + "$$")
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
            if owner.role == "W":
                shown_a = _paren(show(_value(plan, params, values, a), None if a == "x" else 4))
                lines.append(rf"$${_d(name)} = {_d(out)} {tex(a)}^\top = {dz} {shown_a}^\top = "
                             f"{show(values['d_' + name])}$$")
            else:
                lines.append(f"$${_d(name)} = {_d(out)} = {show(values['d_' + name])}$$")
        if need_input:
            W = show(params[roles["W"]], None)
            lines.append(rf"$${_d(a)} = {tex(roles['W'])}^\top {_d(out)} = {W}^\top {dz} = "
                         f"{show(values['d_' + a])}$$")
    elif t in _ACT:
        z = np.asarray(_value(plan, params, values, a), dtype=np.float64)
        deriv = lnp.derivative(t, o, z, np.asarray(values[out]))
        lines.append(rf"$${_d(a)} = {_d(out)} \odot f'({tex(a)}), \quad f'(a) = {_ACT[t][1]}$$")
        lines.append(rf"$${_d(a)} = {dz} \odot {show(deriv)} = {show(values['d_' + a])}$$")
    else:
        kind = "cell" if t in ly.CELLS else "conv" if t.startswith("conv") else t[:7] if "pool" in t else t
        lines.append(f"Through this layer, {_RULES[kind]}.")
        if t in ly.CELLS:
            lines += _cell_backward(plan, i, params, values, owner.role if mine else None)
        lines += [f"$${_d(name)} = {show(values['d_' + name])}$$" for name in mine + [a] * need_input]
    return "\n\n".join(lines)


_GATE_GRADS = {  # cell type -> (gradient name, its formula) per step, in the order they are computed
    "rnn_cell": (("a", r"\frac{\partial L}{\partial h^{(t)}} \odot (1 - (h^{(t)})^2)"),),
    "gru_cell": (("n", r"\frac{\partial L}{\partial h^{(t)}} \odot (1 - z) \odot (1 - n^2)"),
                 ("z", r"\frac{\partial L}{\partial h^{(t)}} \odot (h^{(t-1)} - n) \odot z (1 - z)"),
                 ("r", r"\frac{\partial L}{\partial a_n} \odot (W_{hn} h^{(t-1)} + b_{hn}) \odot r (1 - r)")),
    "lstm_cell": (("c", r"f^{(t+1)} \odot \frac{\partial L}{\partial c^{(t+1)}} + \frac{\partial L}{\partial h^{(t)}} "
                        r"\odot o \odot (1 - \tanh^2 c^{(t)})"),
                  ("i", r"\frac{\partial L}{\partial c^{(t)}} \odot g \odot i (1 - i)"),
                  ("f", r"\frac{\partial L}{\partial c^{(t)}} \odot c^{(t-1)} \odot f (1 - f)"),
                  ("g", r"\frac{\partial L}{\partial c^{(t)}} \odot i \odot (1 - g^2)"),
                  ("o", r"\frac{\partial L}{\partial h^{(t)}} \odot \tanh c^{(t)} \odot o (1 - o)")),
}
_GATE_TEX = {"a": "a", "n": "a_n", "z": "a_z", "r": "a_r", "i": "a_i", "f": "a_f", "g": "a_g", "o": "a_o",
             "c": "c^{(t)}"}
_PREVIOUS = {  # how the previous step's hidden-state gradient is formed
    "rnn_cell": r"W_{hh}^\top \frac{\partial L}{\partial a}",
    "gru_cell": r"z \odot \frac{\partial L}{\partial h^{(t)}} + W_{hh}^\top \begin{pmatrix} \partial L/\partial a_r "
                r"\\ \partial L/\partial a_z \\ r \odot \partial L/\partial a_n \end{pmatrix}",
    "lstm_cell": r"W_{hh}^\top \frac{\partial L}{\partial (a_i, a_f, a_g, a_o)}",
}
_CONTRIBUTION = {  # the asked cell parameter's contribution of step t
    "Wih": r"\frac{\partial L}{\partial a_{ih}} x_t^\top",
    "Whh": r"\frac{\partial L}{\partial a_{hh}} (h^{(t-1)})^\top",
    "bih": r"\frac{\partial L}{\partial a_{ih}}", "bhh": r"\frac{\partial L}{\partial a_{hh}}",
}


def _cell_step(plan, layer, params: dict, values: dict, step: int) -> dict:
    """A recurrent cell's forward values of one step (1-based), shaped (1, N, ...) as the numpy engine
    holds them (``layers_numpy.cell_steps``)."""
    def held(v):
        return np.asarray(v, dtype=np.float64).reshape(1, plan.batch, -1)

    full = nw.from_shown(plan, params)
    x = full["x"].reshape(1, plan.batch, *layer.in_shape)[:, :, step - 1]
    prev = "h0" if step == 1 else f"h_t{step - 1}"
    st = {"x": x, "h_prev": held(_value(plan, params, values, prev)), "h": held(values[f"h_t{step}"])}
    if layer.type == "gru_cell":
        st |= {g: held(values[f"{g}_t{step}"]) for g in ("r", "u", "n")}
        st["ghn"] = held(values[f"ghn_t{step}"]) if f"ghn_t{step}" in values else None
    elif layer.type == "lstm_cell":
        st |= {g: held(values[f"{g}_t{step}"]) for g in ("i", "f", "g", "o")}
        st["c"] = held(values[f"c_t{step}"])
        st["c_prev"] = held(_value(plan, params, values, "c0" if step == 1 else f"c_t{step - 1}"))
    return st


def _cell_backward(plan, i: int, params: dict, values: dict, role: str | None) -> list[str]:
    """Backpropagation through time, step by step from the last: the hidden state's gradient, every gate's
    (pre-activation) gradient, and the asked cell parameter's contribution of the step."""
    layer = plan.layers[i]
    t, steps = layer.type, layer.in_shape[0]
    grads = _GATE_GRADS[t]
    lines = [r"For $t = " + f"{steps}, \\dots, 1$: " + ", ".join(
        f"$\\frac{{\\partial L}}{{\\partial {_GATE_TEX[g]}}} = {formula}$" for g, formula in grads)
        + f", and $\\frac{{\\partial L}}{{\\partial h^{{(t-1)}}}} = {_PREVIOUS[t]}$"
        + (f"; step $t$ adds ${_CONTRIBUTION[role]}$ to $\\partial L/\\partial {tex(plan.target)}$, where "
           "$\\partial L/\\partial a_{ih}$ and $\\partial L/\\partial a_{hh}$ stack the gate gradients in the gate "
           "order (they are equal but for a GRU, whose hidden side has $r \\odot \\partial L/\\partial a_n$ in "
           "its $n$ block)" if role in _CONTRIBUTION else "") + "."]
    carried = np.zeros((1, plan.batch, layer.opts["hidden_size"]))
    for s in range(steps, 0, -1):
        st = _cell_step(plan, layer, params, values, s)
        if t == "gru_cell" and st["ghn"] is None:  # a variant solved before W_hn h + b_hn was stored
            return lines[:0] + [f"$${_d(f'h_t{k}')} = {show(values[f'd_h_t{k}'])}$$" for k in range(steps, 0, -1)]
        dh = np.asarray(values[f"d_h_t{s}"], dtype=np.float64).reshape(carried.shape)
        back = lnp.cell_step_backward(t, st, dh, carried)
        parts = [f"{_d(f'h_t{s}')} = {show(dh.reshape(-1 if plan.batch == 1 else (plan.batch, -1)))}"]
        for g, _ in grads:
            value = back[g].reshape(-1 if plan.batch == 1 else (plan.batch, -1))
            symbol = _GATE_TEX[g].replace("(t)", f"({s})")
            parts.append(rf"\frac{{\partial L}}{{\partial {symbol}}} = {show(value)}")
        lines.append(rf"$$t = {s}: \quad " + r",\; ".join(parts) + "$$")
        if role in _CONTRIBUTION:
            source = back["dgi"] if role in ("Wih", "bih") else back["dgh"]
            if role in ("Wih", "Whh"):
                contribution = (source.swapaxes(1, 2) @ (st["x"] if role == "Wih" else st["h_prev"]))[0]
            else:
                contribution = source.sum(1)[0]
            lines.append(rf"$$\text{{step {s} adds}}\quad {show(contribution)}$$")
        if t == "lstm_cell":
            carried = back["dc_prev"]
    return lines


def explain(plan, params: dict, values: dict) -> list[Step]:
    """The worked solution, step by step, from the solved ``values``."""
    q, ask, n, out = plan.ask["quantity"], plan.ask, len(plan.layers), plan.outs[-1]
    steps = [Step("Conventions", "Shapes, weight layouts and indices (from 0) follow PyTorch; everything is "
                                 rf"float64. The output is $\hat y = {tex(out)}$.")]
    steps += [Step(f"Forward, layer {i + 1}: {layer.type.replace('_', ' ')}",
                   _forward(plan, i, params, values)) for i, layer in enumerate(plan.layers)]
    if plan.loss != "none" and q != "output":
        loss = _LOSS[plan.loss][0].replace("COUNT", str(math.prod(plan.shapes[out])))
        probs = ""
        if "probs" in values:
            probs = rf"$$\operatorname{{softmax}}(\hat y) = {show(values['probs'])}$$" + "\n\n"
        y = show(_value(plan, params, values, "y"), None)
        numbers = rf"$$\hat y = {show(values[out])},\quad y = {y},\quad L = {show(values['L'])}$$"
        steps.append(Step("Loss", f"The loss is {loss}.\n\n{probs}{numbers}"))
    if q in ("grad", "step"):
        first = f"$${_d(out)} = {_LOSS[plan.loss][1]} = {show(values['d_' + out])}$$"
        steps.append(Step("Backward: the loss", first))
        steps += [Step(f"Backward, layer {i + 1}: {plan.layers[i].type.replace('_', ' ')}",
                       _backward(plan, i, params, values)) for i in range(n - 1, plan.stop - 1, -1)]
    key = {"output": out, "loss": "L", "grad": "d_" + plan.target, "step": "new"}[q]
    answer = show(nw.pick(plan, values[key]))
    if q != "step":
        return [*steps, Step("Answer", f"$${_asked(plan)} = {answer}$$")]
    lr, g = ask["lr"], np.asarray(values["d_" + plan.target])
    update = {"adam": rf"{lr} \cdot {show(g / (np.abs(g) + ask['eps']))}",
              "nesterov": rf"{lr} \cdot {latex.num(1 + ask['momentum'])} \cdot {show(g)}"}.get(
        ask["optimizer"], rf"{lr} \cdot {show(g)}")
    old = show(_value(plan, params, values, plan.target), None)
    body = (f"One step of {_rule(ask)}, with η = {lr}:\n\n$$g = {_d(plan.target)} = {show(g)}$$\n\n"
            rf"$${tex(plan.target)} \leftarrow {old} - {update} = {show(values['new'])}$$")
    if ask["index"] is not None or plan.part:
        body += f"\n\nThe entry asked: ${_asked(plan)} = {answer}$."
    return [*steps, Step("Answer", body)]
