"""The declarative network generator's gradients: autograd against finite differences of an independent
numpy forward (plain loops, nothing shared with compute/), hypothesis over random configs."""

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from compute.network import engine as nw
from compute.network import plan as nplan
from compute.network.generator import NetworkGenerator

GEN = NetworkGenerator()
SMOOTH = ("sigmoid", "tanh", "softplus", "gelu", "elu")


# --- an independent numpy forward (plain loops, nothing shared with compute/) -----------------------


def _act(kind, z):
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if kind == "tanh":
        return np.tanh(z)
    if kind == "softplus":
        return np.log(1 + np.exp(z))
    if kind == "gelu":
        return z * 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    return np.where(z > 0, z, np.exp(np.minimum(z, 0)) - 1)  # elu, alpha 1


def reference_loss(config, p):
    """The loss of one config for parameters ``p`` (full shapes, batch axis first), by hand."""
    batch, out = config.get("batch", 1), []
    for n in range(batch):
        a, k = p["x"][n], 0
        for layer in config["layers"]:
            t = layer["type"]
            if t == "linear":
                k += 1
                a = p[f"W{k}"] @ a + p[f"b{k}"]
            elif t == "conv1d":
                k += 1
                K, s, pad = p[f"K{k}"], layer.get("stride", 1), layer.get("padding", 0)
                a = np.pad(a, ((0, 0), (pad, pad)))
                width = (a.shape[1] - K.shape[2]) // s + 1
                a = np.array([[p[f"b{k}"][o] + sum(K[o, c, j] * a[c, s * i + j] for c in range(K.shape[1])
                                                      for j in range(K.shape[2])) for i in range(width)]
                              for o in range(K.shape[0])])
            elif t == "rnn_cell":
                k += 1
                h = p["h0"][n]
                for x_t in a:
                    h = np.tanh(p[f"Wih{k}"] @ x_t + p[f"bih{k}"] + p[f"Whh{k}"] @ h + p[f"bhh{k}"])
                a = h
            elif t == "flatten":
                a = a.reshape(-1)
            else:
                a = _act(t, a)
        out.append(a)
    out, loss = np.array(out), config["loss"]
    if loss == "mse":
        return np.mean((out - p["y"]) ** 2)
    if loss == "bce":
        return -np.mean(p["y"] * np.log(out) + (1 - p["y"]) * np.log(1 - out))
    logits = out - out.max(1, keepdims=True)
    return np.mean([np.log(np.exp(row).sum()) - row[int(c)] for row, c in zip(logits, p["y"], strict=True)])


def finite_differences(config, p, name, h=1e-5):
    grad = np.zeros_like(p[name])
    for index in np.ndindex(p[name].shape):
        shifted = {k: v.copy() for k, v in p.items()}
        shifted[name][index] += h
        up = reference_loss(config, shifted)
        shifted[name][index] -= 2 * h
        grad[index] = (up - reference_loss(config, shifted)) / (2 * h)
    return grad


@st.composite
def configs(draw):
    kind = draw(st.sampled_from(["mlp", "mlp", "mlp", "conv1d", "rnn"]))
    loss = draw(st.sampled_from(["mse", "bce", "cross_entropy"]))
    if kind == "mlp":
        sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
        layers = []
        for i in range(len(sizes) - 1):
            layers.append({"type": "linear", "in": sizes[i], "out": sizes[i + 1]})
            if i < len(sizes) - 2:
                layers.append({"type": draw(st.sampled_from(SMOOTH))})
    elif kind == "conv1d":
        conv = {"type": "conv1d", "in_channels": draw(st.integers(1, 2)), "out_channels": draw(st.integers(1, 2)),
                "kernel": draw(st.integers(1, 3)), "stride": draw(st.integers(1, 2)),
                "padding": draw(st.integers(0, 1))}
        layers = [conv, {"type": draw(st.sampled_from(SMOOTH))}, {"type": "flatten"}, {"type": "linear", "out": 2}]
    else:
        layers = [{"type": "rnn_cell", "hidden_size": draw(st.integers(1, 3))}, {"type": "linear", "out": 2}]
    if loss == "cross_entropy" and layers[-1].get("out", 2) < 2:
        layers[-1]["out"] = 2
    if loss == "bce":
        layers.append({"type": "sigmoid"})
    shape = None
    if kind == "conv1d":
        shape = [layers[0]["in_channels"], draw(st.integers(3, 5))]
    elif kind == "rnn":
        shape = [draw(st.integers(1, 3)), draw(st.integers(1, 2))]
    first = {"mlp": "W1", "conv1d": "K1", "rnn": "Wih1"}[kind]
    values = draw(st.sampled_from(["halves", "tenths"]))
    ask = {"quantity": "grad", "wrt": first, "index": [0, 0] + [0] * (kind == "conv1d")}
    return {"layers": layers, "input": shape, "loss": loss, "batch": draw(st.integers(1, 2)), "values": values,
            "ask": ask}


@settings(max_examples=40, deadline=None)
@given(config=configs(), seed=st.integers(0, 2**40))
def test_every_gradient_matches_numpy_finite_differences(config, seed):
    cfg = GEN.clean_config(config)
    params = GEN.sample(seed, cfg)
    plan = nplan.plan_for(cfg)
    full = {name: np.asarray(a, dtype=np.float64) for name, a in nw.from_shown(plan, params).items()}
    values = GEN.solve(params, cfg).values
    for i, layer in enumerate(plan.layers):  # ELU is smooth only away from 0, where differences are exact
        if layer.type == "elu":
            assume(np.all(np.abs(values["x" if i == 0 else plan.outs[i - 1]]) > 1e-3))
    for p in plan.params:
        if not p.grad:
            continue
        ask = {"quantity": "grad", "wrt": p.name, "index": [0] * len(p.shape)}
        solved = GEN.solve(params, GEN.clean_config({**config, "ask": ask}))
        autograd = np.asarray(solved.values["d_" + p.name]).reshape(p.batched)
        expected = finite_differences(cfg, full, p.name)
        scale = np.maximum(np.abs(expected), 1e-2)
        assert np.all(np.abs(autograd - expected) / scale < 1e-6), (p.name, autograd, expected)
