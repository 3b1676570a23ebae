"""numpy forward/backward of the declarative network's layer types (``compute.network.layers``) and losses.

Pure numpy, no torch. This serves the sampler (rejecting degenerate candidates, vectorized over
many candidate parameter sets) and the named mistakes (a backward pass with an error injected);
the answer itself always comes from torch autograd in ``compute.network.engine``. numpy arrays carry
leading axes (R, N): R parameter sets and the network's N samples; a layer's parameters carry a
leading R axis only (masks and initial states are per sample: (R, N, ...)).
"""

import math

import numpy as np

from compute.network.layers import ACTIVATIONS, CELLS, EPS, Layer


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


_ERF = np.frompyfunc(math.erf, 1, 1)


def _phi(z):
    return 0.5 * (1.0 + _ERF(z / math.sqrt(2.0)).astype(np.float64))


def _count(mask) -> np.ndarray:
    return mask.reshape(mask.shape[0], -1).sum(1)


_ACTIVATION = {  # type -> (f(z), f'(z) given h = f(z)); PyTorch's branch at kinks
    "sigmoid": (lambda z, o: sigmoid(z), lambda z, h, o: h * (1.0 - h)),
    "tanh": (lambda z, o: np.tanh(z), lambda z, h, o: 1.0 - h * h),
    "relu": (lambda z, o: np.maximum(z, 0.0), lambda z, h, o: (z > 0).astype(np.float64)),
    "leaky_relu": (lambda z, o: np.where(z > 0, z, o["slope"] * z),
                   lambda z, h, o: np.where(z > 0, 1.0, o["slope"])),
    "elu": (lambda z, o: np.where(z > 0, z, o["alpha"] * np.expm1(np.minimum(z, 0.0))),
            lambda z, h, o: np.where(z > 0, 1.0, h + o["alpha"])),
    "gelu": (lambda z, o: z * _phi(z),
             lambda z, h, o: _phi(z) + z * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)),
    "softplus": (lambda z, o: np.log1p(np.exp(o["beta"] * z)) / o["beta"],
                 lambda z, h, o: sigmoid(o["beta"] * z)),
}


def activation(t: str, o: dict, z):
    return _ACTIVATION[t][0](z, o)


def derivative(t: str, o: dict, z, h):
    """The activation's derivative at z (h = activation(z))."""
    return _ACTIVATION[t][1](z, h, o)


def _checks_activation(t: str, o: dict, z, checks: list) -> None:
    """Count degenerate inputs: saturation (|z| > 3 for squashing ones) and exact kinks."""
    if t in ("sigmoid", "tanh", "gelu"):
        checks.append(_count(np.abs(z) > 3.0))
    elif t == "softplus":
        checks.append(_count(np.abs(o["beta"] * z) > 4.0))
    else:
        checks.append(_count(np.abs(z) < 1e-9) + (_count(z < -3.0) if t == "elu" else 0))


def _windows(layer: Layer, a):
    """(padded shape, windows (R, N, C, OH, OW, kh, kw)) of a 1-D or 2-D input (1-D as height 1)."""
    o, two = layer.opts, layer.type.endswith("2d")
    if not two:
        a = a[..., None, :]
    pad = o.get("padding", 0)
    if pad:
        a = np.pad(a, [(0, 0)] * 3 + [(pad, pad) if two else (0, 0), (pad, pad)])
    k, s = o["kernel"], o["stride"]
    view = np.lib.stride_tricks.sliding_window_view(a, (k if two else 1, k), axis=(-2, -1))
    return a.shape, view[:, :, :, ::s, ::s]


def _unwindows(layer: Layer, padded: tuple, dv):
    """The adjoint of ``_windows``: scatter-add window gradients back onto the input."""
    o, two = layer.opts, layer.type.endswith("2d")
    s, (oh, ow, kh, kw) = o["stride"], dv.shape[3:]
    d = np.zeros(padded)
    for i in range(kh):
        for j in range(kw):
            d[..., i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s] += dv[..., i, j]
    pad = o.get("padding", 0)
    if pad:
        d = d[..., pad:-pad, pad:-pad] if two else d[..., pad:-pad]
    return d if two else d[..., 0, :]


def _kernel(layer: Layer, K):
    return K if layer.type == "conv2d" else K[:, :, :, None, :]


def normalized_adjacency(A):
    """D^{-1/2} (A + I) D^{-1/2} for adjacency matrices with a leading axis."""
    Ahat = A + np.eye(A.shape[-1])
    d = 1.0 / np.sqrt(Ahat.sum(-1))
    return Ahat * d[..., :, None] * d[..., None, :]


def _same(v):
    return v


def cell_steps(t: str, P: dict, a, checks: list | None = None, rnd=_same) -> list[dict]:
    """Run a recurrent cell over a (R, N, T, I) sequence; per step: input, states and gates.

    ``rnd`` is applied to every value the worked solution shows (each gate, W_hn h + b_hn of a GRU, each
    state): ``latex.shown_array`` simulates a student who goes on from the shown values."""
    h, c = P["h0"], P.get("c0")
    H = P["Whh"].shape[-1]
    zero = np.zeros(P["Whh"].shape[:2])
    bih, bhh = P.get("bih", zero)[:, None], P.get("bhh", zero)[:, None]
    steps = []
    for step in range(a.shape[2]):
        x = a[:, :, step]
        gi = x @ P["Wih"].swapaxes(1, 2) + bih
        gh = h @ P["Whh"].swapaxes(1, 2) + bhh
        st = {"x": x, "h_prev": h, "c_prev": c, "gh": gh}
        if t == "rnn_cell":
            pre = [gi + gh]
            h = rnd(np.tanh(pre[0]))
        elif t == "gru_cell":
            pre = [gi[..., :2 * H] + gh[..., :2 * H]]
            r, u = rnd(sigmoid(pre[0][..., :H])), rnd(sigmoid(pre[0][..., H:]))
            ghn = rnd(gh[..., 2 * H:])
            pre.append(gi[..., 2 * H:] + r * ghn)
            n = rnd(np.tanh(pre[1]))
            st |= {"r": r, "u": u, "n": n, "ghn": ghn}
            h = rnd((1.0 - u) * n + u * h)
        else:
            pre = [gi + gh]
            i, f, g, o = rnd(sigmoid(pre[0][..., :H])), rnd(sigmoid(pre[0][..., H:2 * H])), \
                rnd(np.tanh(pre[0][..., 2 * H:3 * H])), rnd(sigmoid(pre[0][..., 3 * H:]))
            c = rnd(f * c + i * g)
            st |= {"i": i, "f": f, "g": g, "o": o, "c": c}
            h = rnd(o * np.tanh(c))
        st["h"] = h
        steps.append(st)
        if checks is not None:
            checks.extend(_count(np.abs(p) > 3.0) for p in pre)
    return steps


def cell_step_backward(t: str, st: dict, dh, dc, rnd=_same) -> dict:
    """One step of backpropagation through time (PyTorch's gate order and formulas).

    ``st`` is the step's forward values (``cell_steps``), ``dh`` the total gradient of the step's
    hidden state, ``dc`` (LSTM) the gradient its cell state gets from the next step. Returns the
    gate gradients the worked solution shows (RNN ``a``; GRU ``r``, ``z``, ``n``; LSTM ``c`` (total),
    ``i``, ``f``, ``g``, ``o``), ``dgi``/``dgh`` (of the input and hidden pre-activations, stacked in gate
    order), ``dh_direct`` (the part of the previous state's gradient that does not go through W_hh:
    GRU's z ⊙ ∂L/∂h) and ``dc_prev`` (LSTM). ``rnd`` rounds every shown value."""
    if t == "rnn_cell":
        da = rnd(dh * (1.0 - st["h"] ** 2))
        return {"a": da, "dgi": da, "dgh": da, "dh_direct": 0.0, "dc_prev": None}
    if t == "gru_cell":
        r, u, n = st["r"], st["u"], st["n"]
        dn = rnd(dh * (1.0 - u) * (1.0 - n * n))
        du = rnd(dh * (st["h_prev"] - n) * u * (1.0 - u))
        dr = rnd(dn * st["ghn"] * r * (1.0 - r))
        dgi = np.concatenate([dr, du, dn], -1)
        dgh = np.concatenate([dr, du, dn * r], -1)
        return {"r": dr, "z": du, "n": dn, "dgi": dgi, "dgh": dgh, "dh_direct": dh * u, "dc_prev": None}
    i, f, g, o, c = st["i"], st["f"], st["g"], st["o"], st["c"]
    tc = np.tanh(c)
    dc = rnd(dc + dh * o * (1.0 - tc * tc))
    grads = {"i": rnd(dc * g * i * (1 - i)), "f": rnd(dc * st["c_prev"] * f * (1 - f)),
             "g": rnd(dc * i * (1 - g * g)), "o": rnd(dh * tc * o * (1 - o))}
    dgi = np.concatenate([grads["i"], grads["f"], grads["g"], grads["o"]], -1)
    return {"c": dc, **grads, "dgi": dgi, "dgh": dgi, "dh_direct": 0.0, "dc_prev": dc * f}


def forward(layer: Layer, P: dict, a, checks: list | None = None, rnd=_same):
    """The layer's output for input ``a`` (R, N, *in_shape); appends violation counts to ``checks``;
    ``rnd`` rounds a recurrent cell's shown values (``cell_steps``)."""
    t, o = layer.type, layer.opts
    if t == "linear":
        y = a @ P["W"].swapaxes(1, 2)
        return y + P["b"][:, None] if "b" in P else y
    if t in ("conv1d", "conv2d"):
        y = np.einsum("rncijab,rocab->rnoij", _windows(layer, a)[1], _kernel(layer, P["K"]), optimize=True)
        y = y + P["b"][:, None, :, None, None] if "b" in P else y
        return y if t == "conv2d" else y[..., 0, :]
    if "pool" in t:
        view = _windows(layer, a)[1]
        flat = view.reshape(*view.shape[:5], -1)
        y = flat.max(-1) if t.startswith("max") else flat.mean(-1)
        if checks is not None and t.startswith("max"):
            checks.append(_count((flat == y[..., None]).sum(-1) > 1))  # ties make the gradient ambiguous
        return y if t.endswith("2d") else y[..., 0, :]
    if t == "flatten":
        return a.reshape(*a.shape[:2], -1)
    if t in ACTIVATIONS:
        if checks is not None:
            _checks_activation(t, o, a, checks)
        return activation(t, o, a)
    if t == "softmax":
        e = np.exp(a - a.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    if t == "batchnorm1d":
        mu, var = (a.mean(1, keepdims=True), a.var(1, keepdims=True)) if o["mode"] == "train" \
            else (P["mu"][:, None], P["var"][:, None])
        y = P["gamma"][:, None] * (a - mu) / np.sqrt(var + EPS) + P["beta"][:, None]
        if checks is not None:  # a spread-less feature, or outputs that are 0 but for eps
            checks.append(_count(var < 0.01) + _count(np.abs(y) < 0.01))
        return y
    if t == "dropout":
        return a * P["mask"] / (1.0 - o["p"])
    if t in CELLS:
        return cell_steps(t, P, a, checks, rnd)[-1]["h"]
    AH = normalized_adjacency(P["A"])[:, None] @ a  # graph_conv
    y = AH @ P["W"][:, None]
    return y + P["b"][:, None, None] if "b" in P else y


def backward(layer: Layer, P: dict, a, dy, flat: bool = False, rnd=_same, states: dict | None = None):
    """(dL/da, {role: dL/dparam}) given dL/dy; ``flat`` replaces an activation's derivative by 1.

    ``rnd`` rounds the values a worked solution shows inside the layer (an activation's derivative, a
    recurrent cell's per-step values); ``states`` receives a cell's state gradients (``_cell_backward``)."""
    t, o = layer.type, layer.opts
    if t == "linear":
        grads = {"W": dy.swapaxes(1, 2) @ a} | ({"b": dy.sum(1)} if "b" in P else {})
        return dy @ P["W"], grads
    if t in ("conv1d", "conv2d"):
        padded, view = _windows(layer, a)
        K, d5 = _kernel(layer, P["K"]), dy if t == "conv2d" else dy[..., None, :]
        dK = np.einsum("rnoij,rncijab->rocab", d5, view, optimize=True)
        grads = {"K": dK if t == "conv2d" else dK[:, :, :, 0]}
        if "b" in P:
            grads["b"] = d5.sum((1, 3, 4))
        return _unwindows(layer, padded, np.einsum("rnoij,rocab->rncijab", d5, K, optimize=True)), grads
    if "pool" in t:
        padded, view = _windows(layer, a)
        d5 = dy if t.endswith("2d") else dy[..., None, :]
        flat_view = view.reshape(*view.shape[:5], -1)
        if t.startswith("max"):
            dflat = np.zeros_like(flat_view)
            np.put_along_axis(dflat, flat_view.argmax(-1)[..., None], d5[..., None], -1)
        else:
            dflat = np.broadcast_to(d5[..., None] / flat_view.shape[-1], flat_view.shape)
        return _unwindows(layer, padded, dflat.reshape(view.shape)), {}
    if t == "flatten":
        return dy.reshape(a.shape), {}
    if t in ACTIVATIONS:
        return (dy if flat else dy * rnd(derivative(t, o, a, activation(t, o, a)))), {}
    if t == "softmax":
        s = forward(layer, P, a)
        return s * (dy - (dy * s).sum(-1, keepdims=True)), {}
    if t == "batchnorm1d":
        train = o["mode"] == "train"
        mu, var = (a.mean(1, keepdims=True), a.var(1, keepdims=True)) if train else \
            (P["mu"][:, None], P["var"][:, None])
        inv = 1.0 / np.sqrt(var + EPS)
        xhat, dxh = (a - mu) * inv, dy * P["gamma"][:, None]
        grads = {"gamma": (dy * xhat).sum(1), "beta": dy.sum(1)}
        if not train:
            return dxh * inv, grads
        n = a.shape[1]
        da = inv / n * (n * dxh - dxh.sum(1, keepdims=True) - xhat * (dxh * xhat).sum(1, keepdims=True))
        return da, grads
    if t == "dropout":
        return dy * P["mask"] / (1.0 - o["p"]), {}
    if t in CELLS:
        return _cell_backward(t, P, a, dy, rnd, states)
    Ahat = normalized_adjacency(P["A"])[:, None]  # graph_conv
    grads = {"W": ((Ahat @ a).swapaxes(2, 3) @ dy).sum(1)} | ({"b": dy.sum((1, 2))} if "b" in P else {})
    return Ahat.swapaxes(2, 3) @ (dy @ P["W"][:, None].swapaxes(2, 3)), grads


def _cell_backward(t: str, P: dict, a, dy, rnd=_same, states: dict | None = None):
    """Backpropagation through time for a recurrent cell (PyTorch gate order and formulas).

    With ``rnd`` every shown value is rounded (the forward values, each step's gradients, each step's
    contribution to a weight and the sums); ``states`` (if given) receives the gradient of every hidden
    state ``("h", t)`` and cell state ``("c", t)``, t from 1."""
    steps = cell_steps(t, P, a, rnd=rnd)
    grads = {r: np.zeros_like(P[r]) for r in P}
    da = np.zeros_like(a)
    dh, dc = dy, np.zeros_like(dy)
    for step in range(len(steps) - 1, -1, -1):
        st = steps[step]
        dh = rnd(dh)
        back = cell_step_backward(t, st, dh, dc, rnd)
        if states is not None:
            states[("h", step + 1)] = dh
            if t == "lstm_cell":
                states[("c", step + 1)] = back["c"]
        dgi, dgh = back["dgi"], back["dgh"]
        grads["Wih"] += rnd(dgi.swapaxes(1, 2) @ st["x"])
        grads["Whh"] += rnd(dgh.swapaxes(1, 2) @ st["h_prev"])
        if "bih" in P:
            grads["bih"] += rnd(dgi.sum(1))
            grads["bhh"] += rnd(dgh.sum(1))
        da[:, :, step] = rnd(dgi @ P["Wih"])
        dh = back["dh_direct"] + dgh @ P["Whh"]
        dc = back["dc_prev"] if back["dc_prev"] is not None else dc
    grads = {r: rnd(g) for r, g in grads.items()}
    grads["h0"] = rnd(dh)
    if t == "lstm_cell":
        grads["c0"] = rnd(dc)
    return da, grads


def loss(kind: str, out, y):
    """(L per row (R,), dL/dout) of the network output (R, N, ...) against the target y."""
    n = out.shape[1]
    if kind == "none":
        return out.reshape(out.shape[0], -1).sum(1), np.ones_like(out)
    if kind in ("mse", "bce"):
        count = out[0].size
        if kind == "mse":
            return ((out - y) ** 2).reshape(len(out), -1).mean(1), 2.0 * (out - y) / count
        terms = y * np.log(out) + (1.0 - y) * np.log1p(-out)
        return -terms.reshape(len(out), -1).mean(1), (out - y) / (out * (1.0 - out)) / count
    onehot = (np.arange(out.shape[-1]) == y[..., None]).astype(np.float64)
    if kind == "cross_entropy":
        e = np.exp(out - out.max(-1, keepdims=True))
        p = e / e.sum(-1, keepdims=True)
        return -np.log((p * onehot).sum(-1)).mean(1), (p - onehot) / n
    classes = out.shape[-1]  # hinge: PyTorch MultiMarginLoss, margin 1, divided by C
    margins = (1.0 - (out * onehot).sum(-1, keepdims=True) + out) * (1.0 - onehot)
    active = (margins > 0).astype(np.float64)
    d = (active - onehot * active.sum(-1, keepdims=True)) / (classes * n)
    return (np.maximum(margins, 0.0).sum(-1) / classes).mean(1), d


def loss_checks(kind: str, out, y) -> np.ndarray:
    """Violation counts of a loss: saturated probabilities or logits, hinge margins exactly at the kink."""
    if kind == "bce":
        return _count((out < 0.01) | (out > 0.99))
    if kind == "cross_entropy":
        return _count(np.ptp(out, axis=-1) > 6.0)
    if kind != "hinge":
        return np.zeros(len(out))
    onehot = np.arange(out.shape[-1]) == y[..., None]
    margins = 1.0 - (out * onehot).sum(-1, keepdims=True) + out
    return _count((np.abs(margins) < 1e-9) & ~onehot)
