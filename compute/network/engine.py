"""The declarative tiny network solved by autograd, and its parameters as shown <-> as the engine holds them.

``solve(plan, params, device)`` takes a plan of ``compute.network.plan`` (which checks a config and
names everything: its docstring lists the names), runs the forward pass in torch float64 with the
parameters as leaf tensors, backpropagates once and returns the answer, every forward value and
gradient (named) and the parameters as numpy arrays; the named mistakes are a numpy backward pass
with the error injected (``compute.network.layers_numpy``). Module import does not import torch.
"""

import numpy as np

from compute.network import layers as ly
from compute.network.plan import DATA, Plan, layout

# --- parameters as shown <-> as the engine holds them ----------------------------------------------


def to_shown(plan: Plan, full: dict, lead: int = 0) -> dict:
    """Engine-held arrays (with ``lead`` leading axes) -> the params dict by shown names."""
    shown = {}
    for p in plan.params:
        arr = full[p.name]
        dshape = layout(p.shape)[0]
        arr = arr.reshape(arr.shape[:lead] + dshape)
        for name, prefix in p.parts:
            shown[name] = arr[(slice(None),) * lead + prefix] if prefix else arr
    return shown


def from_shown(plan: Plan, shown: dict, lead: tuple = ()) -> dict:
    """The params dict (shown names, ``lead`` leading axes) -> arrays of the engine's shapes."""
    full = {}
    for p in plan.params:
        if len(p.parts) == 1:
            arr = np.asarray(shown[p.name], dtype=np.float64)
        else:
            parts = [np.asarray(shown[name], dtype=np.float64) for name, _ in p.parts]
            arr = np.stack(parts, axis=len(lead)).reshape(lead + layout(p.shape)[0])
        full[p.name] = arr.reshape(lead + p.batched)
    return full


def pick(plan: Plan, arr):
    """The asked part of a quantity's array (index, shown part, shown layout); a float when scalar."""
    arr = np.asarray(arr)
    index = plan.ask["index"]
    if index is not None:
        return float(arr[tuple(index)])
    arr = arr.reshape(layout(arr.shape)[0])
    arr = arr[plan.part] if plan.part else arr
    return float(arr) if arr.ndim == 0 else arr


def step(ask: dict, p, g, lib=np):
    """A parameter after one optimizer step from zero state (first-step semantics)."""
    lr = ask["lr"]
    if ask["optimizer"] == "adam":  # m̂ = g, v̂ = g²: lr·g/(|g| + eps)
        return p - lr * g / (lib.abs(g) + ask["eps"])
    if ask["optimizer"] == "nesterov":  # buffer = g, update g + μ·buffer
        return p - lr * (1.0 + ask["momentum"]) * g
    return p - lr * g  # sgd; momentum's first step sets the buffer to g


# --- solving ---------------------------------------------------------------------------------------


def _torch_layer(torch, F, plan: Plan, i: int, P: dict, a, named: dict, extras: dict):
    """One layer's torch forward; cell states go to ``named``, shown-only values to ``extras``."""
    layer = plan.layers[i]
    t, o, suffix = layer.type, layer.opts, plan.outs[i][1:]
    if t == "linear":
        return F.linear(a, P["W"], P.get("b"))
    if t in ("conv1d", "conv2d"):
        return getattr(F, t)(a, P["K"], P.get("b"), o["stride"], o["padding"])
    if "pool" in t:
        return getattr(F, t.replace("pool", "_pool"))(a, o["kernel"], o["stride"])
    if t == "flatten":
        return a.flatten(1)
    if t in ("sigmoid", "tanh", "relu"):
        return getattr(torch, t)(a)
    if t in ("leaky_relu", "elu", "softplus"):
        return getattr(F, t)(a, o[{"leaky_relu": "slope", "elu": "alpha", "softplus": "beta"}[t]])
    if t == "gelu":
        return F.gelu(a)
    if t == "softmax":
        return torch.softmax(a, -1)
    if t == "batchnorm1d":
        if o["mode"] == "train":
            mu, var = a.mean(0), a.var(0, correction=0)
            extras[f"bmu{suffix}"], extras[f"bvar{suffix}"] = (mu, False), (var, False)
        else:
            mu, var = P["mu"], P["var"]
        xhat = (a - mu) / torch.sqrt(var + ly.EPS)
        extras[f"xhat{suffix}"] = (xhat, True)
        return P["gamma"] * xhat + P["beta"]
    if t == "dropout":
        return a * P["mask"] / (1.0 - o["p"])
    if t == "graph_conv":
        Ahat = P["A"] + torch.eye(P["A"].shape[0], dtype=a.dtype, device=a.device)
        d = Ahat.sum(1).rsqrt()
        Ahat = d[:, None] * Ahat * d[None, :]
        extras[f"Ahat{suffix}"] = (Ahat, False)
        z = Ahat @ a @ P["W"]
        return z + P["b"] if "b" in P else z
    h, c, H = P["h0"], P.get("c0"), o["hidden_size"]  # recurrent cells, PyTorch's formulas and gate order
    for s in range(1, layer.in_shape[0] + 1):
        gi = F.linear(a[:, s - 1], P["Wih"], P.get("bih"))
        gh = F.linear(h, P["Whh"], P.get("bhh"))
        if t == "rnn_cell":
            h = torch.tanh(gi + gh)
        elif t == "gru_cell":
            ru = torch.sigmoid(gi[:, :2 * H] + gh[:, :2 * H])
            n = torch.tanh(gi[:, 2 * H:] + ru[:, :H] * gh[:, 2 * H:])
            extras |= {f"r_t{s}": (ru[:, :H], True), f"u_t{s}": (ru[:, H:], True), f"n_t{s}": (n, True),
                       f"ghn_t{s}": (gh[:, 2 * H:], True)}
            h = (1.0 - ru[:, H:]) * n + ru[:, H:] * h
        else:
            g = gi + gh
            ifo = torch.sigmoid(g[:, [*range(2 * H), *range(3 * H, 4 * H)]])
            gg = torch.tanh(g[:, 2 * H:3 * H])
            c = ifo[:, H:2 * H] * c + ifo[:, :H] * gg
            extras |= {f"i_t{s}": (ifo[:, :H], True), f"f_t{s}": (ifo[:, H:2 * H], True),
                       f"g_t{s}": (gg, True), f"o_t{s}": (ifo[:, 2 * H:], True)}
            named[f"c_t{s}"] = c
            h = ifo[:, 2 * H:] * torch.tanh(c)
        named[f"h_t{s}"] = h
    return h


def solve(plan: Plan, params: dict, device: str = "cpu") -> tuple:
    """(answer, values, the parameters as numpy arrays): the forward pass in torch float64 with the
    parameters as leaves, one backward when a gradient is needed, everything named in ``values``."""
    import torch
    import torch.nn.functional as F

    full, f64, quantity = from_shown(plan, params), torch.float64, plan.ask["quantity"]
    classes, backward = plan.loss in ("cross_entropy", "hinge"), quantity in ("grad", "step")
    # one leaf requires grad: the asked parameter, or x when an intermediate value is asked
    root = plan.target if plan.target in plan.param else "x"
    leaves = {p.name: torch.tensor(full[p.name], dtype=f64, device=device,
                                   requires_grad=backward and p.name == root)
              for p in plan.params if not (classes and p.name == "y")}
    a, named, extras = leaves["x"], {}, {}
    for i, out in enumerate(plan.outs):
        P = {r: leaves[n] for r, n in plan.roles[i].items()}
        a = _torch_layer(torch, F, plan, i, P, a, named, extras)
        named[out] = a
    if plan.loss == "none":
        loss = a.sum()
    elif classes:
        y = torch.tensor(full["y"].reshape(-1), dtype=torch.long, device=device)
        if plan.loss == "cross_entropy":
            extras["probs"] = (torch.softmax(a.detach(), -1), True)
            loss = F.cross_entropy(a, y)
        else:
            loss = F.multi_margin_loss(a, y)
    else:
        loss = (F.mse_loss if plan.loss == "mse" else F.binary_cross_entropy)(a, leaves["y"])
    items = [("L", loss, False), *((n, t, True) for n, t in named.items()),
             *((n, t, b) for n, (t, b) in extras.items())]
    if backward:  # the gradients the worked solution shows: the target's and every layer output's down to it
        later = set(plan.outs[plan.stop:])
        wrt = {n: t for n, t in named.items()
               if t.requires_grad and (n in later or n == plan.target or plan.stop == 0)}
        if root == plan.target:
            wrt = {root: leaves[root], **wrt}
        grads = dict(zip(wrt, torch.autograd.grad(loss, list(wrt.values())), strict=True))
        items += [("d_" + n, g, n in named or plan.param[n].role in DATA) for n, g in grads.items()]
        if quantity == "step":
            items.append(("new", step(plan.ask, leaves[root].detach(), grads[root], torch), False))
    values = to_numpy(plan, items, device)
    answer = pick(plan, values[{"output": plan.outs[-1], "loss": "L", "grad": "d_" + plan.target,
                                "step": "new"}[quantity]])
    return answer, values, full


def to_numpy(plan: Plan, items: list, device: str) -> dict:
    """name -> numpy array of ``items`` (name, tensor, whether it has the batch axis) solved on ``device``.

    The batch axis is dropped when the plan's batch is 1. Off the CPU every tensor goes in one
    transfer (concatenated, copied, split again): one copy per tensor would cost a sync each.
    """
    tensors = [t.detach() for _, t, _ in items]
    if device == "cpu":
        arrays = [t.numpy() for t in tensors]
    else:
        import torch

        flat = torch.cat([t.reshape(-1) for t in tensors]).cpu().numpy()
        ends = np.cumsum([t.numel() for t in tensors])
        arrays = [flat[end - t.numel():end].reshape(tuple(t.shape))
                  for t, end in zip(tensors, ends, strict=True)]
    drop = plan.batch == 1
    return {name: arr[0] if drop and batchy else arr
            for (name, _, batchy), arr in zip(items, arrays, strict=True)}
