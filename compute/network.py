"""The declarative tiny network: a layer list, a loss and the quantity asked, solved by autograd.

``plan_for(config)`` checks a config (raising ConfigError that says what is allowed) and names
everything; ``solve(plan, params, device)`` runs the forward pass in torch float64 with the
parameters as leaf tensors, backpropagates once and returns the answer, every forward value and
gradient (named) and the named mistakes (a numpy backward pass with the error injected, see
``compute.layers``). Module import does not import torch.

Naming (``fixed`` and ``ask.wrt`` use these names):

- ``x`` is the input, ``y`` the target.
- Layers with weights are numbered k = 1, 2, ... in order: linear ``W{k}`` (out, in) and ``b{k}``;
  conv1d/conv2d ``K{k}`` (out_channels, in_channels, kernel[, kernel]) and ``b{k}``; graph_conv
  ``W{k}`` (in, out), adjacency ``A{k}`` and ``b{k}`` (with bias); a recurrent cell (first layer
  only) ``Wih1``, ``Whh1``, ``bih1``, ``bhh1`` with PyTorch's stacked gate blocks and initial
  states ``h0`` (and ``c0``). Their outputs are ``z{k}``; a cell's hidden states are ``h_t1``,
  ..., ``h_tT`` (cell states ``c_t1``, ...) and its output is ``h_tT``.
- A layer without weights takes the number k of the last weighted layer before it (0 if none) and
  a letter: activation ``h{k}``, softmax ``p{k}``, pooling ``s{k}``, flatten ``f{k}``, dropout
  ``d{k}`` (mask ``mask{k}``), batch norm ``n{k}`` (``gamma{k}``, ``beta{k}``; in eval mode the
  running ``mu{k}``, ``var{k}``). A repeated name gets a letter: ``h1``, ``h1b``, ``h1c``.
- Shapes are PyTorch's, with the batch axis only when ``batch`` > 1. As shown to the student (and
  in ``params``), a quantity with one number is a scalar, size-1 axes are dropped (first ones
  first) while more than two axes remain, and one still above 2-D is split along its leading
  axes into matrices ``K1_1``, ``K1_2``, ... (1-based).
"""

import dataclasses
import functools
import itertools
import json
import math
from dataclasses import dataclass

import numpy as np

from compute import layers as ly
from compute.config import ConfigError

LOSSES = ("none", "mse", "bce", "cross_entropy", "hinge")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")
_ASK_KEYS = {"output": ("index",), "loss": (), "grad": ("wrt", "index"),
             "step": ("wrt", "index", "optimizer", "lr", "momentum", "eps")}
_LETTER = {"softmax": "p", "flatten": "f", "dropout": "d", "batchnorm1d": "n",
           **dict.fromkeys(ly.ACTIVATIONS, "h"), **dict.fromkeys(("maxpool1d", "avgpool1d"), "s"),
           **dict.fromkeys(("maxpool2d", "avgpool2d"), "s")}
TRAINABLE = ("W", "b", "K", "Wih", "Whh", "bih", "bhh", "gamma", "beta")
DATA = ("x", "y", "mask", "h0", "c0")  # per-sample parameters: they carry the batch axis


def layout(shape: tuple) -> tuple[tuple, int]:
    """(shape as shown, number of leading axes split into parts); see the module docstring."""
    if math.prod(shape) == 1:
        return (), 0
    shown = list(shape)
    while len(shown) > 2 and 1 in shown:
        shown.remove(1)
    return tuple(shown), max(0, len(shown) - 2)


@dataclass(frozen=True)
class Param:
    name: str
    role: str  # "x", "y" or the role in its layer (W, b, K, A, mask, h0, gamma, ...)
    layer: int  # -1 for x and y
    shape: tuple  # PyTorch's, with the batch axis only when batch > 1
    batched: tuple  # as the engine holds it: per-sample parameters always with the batch axis
    grad: bool  # a leaf that requires grad (weights, x, initial states)
    parts: tuple  # ((shown name, index prefix), ...) of the shown layout
    span: tuple = (0, 0)  # its columns among all parameters' numbers, in order (for sampling)


@dataclass(frozen=True, eq=False)
class Plan:
    """A checked config with everything named; shared between calls (read only)."""

    key: str  # the settings it was made from (JSON)
    layers: tuple
    outs: tuple  # the output name of each layer
    roles: tuple  # per layer: role -> parameter name
    params: tuple  # Param, in display order
    batch: int
    loss: str
    ask: dict  # quantity, wrt, index, optimizer, lr, momentum, eps
    target: str  # the full name asked about ("" for output and loss)
    part: tuple  # index prefix of a shown part asked about, or ()
    stop: int  # the backward pass runs through layers n-1 ... stop
    shapes: dict  # every name -> shape (parameters and intermediates)
    answer_shape: tuple

    @property
    def answer_kind(self) -> str:
        return ("scalar", "vector", "matrix")[len(self.answer_shape)]

    @functools.cached_property
    def param(self) -> dict:
        """name -> Param."""
        return {p.name: p for p in self.params}


_KEYS = ("layers", "input", "batch", "loss", "ask")
_last: tuple = (None, None)  # (the settings of the last config, its plan): one generate asks several times


def plan_for(config: dict) -> Plan:
    """The plan of a cleaned config (cached by the settings that shape it)."""
    global _last
    settings = [config.get(k) for k in _KEYS]
    last_settings, plan = _last
    if settings != last_settings:
        key = json.dumps(settings)
        plan = cached_plan(key)
        _last = (json.loads(key), plan)  # a copy: a later change to the config cannot alter it
    return plan


@functools.lru_cache(maxsize=512)
def cached_plan(key: str) -> Plan:
    """The plan of a key made by ``plan_for``; callers may cache what they derive from it by ``plan.key``."""
    specs, shape, batch, loss, ask = json.loads(key)
    return _build(key, specs, shape, batch, loss, ask)


def _input_shape(spec, specs) -> tuple:
    if spec is not None:
        if not isinstance(spec, list) or not 1 <= len(spec) <= 3 or not all(
                isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= ly.MAX_SIZE for s in spec):
            raise ConfigError(f"“input” must be a list of 1 to 3 sizes from 1 to {ly.MAX_SIZE}, e.g. [2] or "
                              "[1, 4, 4].")
        return tuple(spec)
    first = specs[0] if isinstance(specs, list) and specs and isinstance(specs[0], dict) else {}
    if first.get("type") not in ly.OPTIONS:
        return (1,)  # parse_layers names the problem
    keys = {"linear": ("in",), "batchnorm1d": ("features",), "graph_conv": ("nodes", "in"),
            **dict.fromkeys(ly.CELLS, ("steps", "input_size"))}.get(first.get("type"), ("?",))
    if all(isinstance(first.get(k), int) for k in keys):
        return tuple(first[k] for k in keys)
    raise ConfigError("Set “input”, the input's shape: e.g. [2] for a vector, [1, 5] for conv1d (channels "
                      "× length), [1, 4, 4] for conv2d, [3, 2] for a graph of 3 nodes × 2 features, [3, 2] "
                      "for a recurrent cell over 3 steps of size 2.")


def _param(name, role, layer, shape, batch) -> Param:
    data = role in DATA
    shown = (batch, *shape) if data and batch > 1 else tuple(shape)
    dshape, lead = layout(shown)
    parts = tuple((name + "".join(f"_{i + 1}" for i in prefix), prefix)
                  for prefix in itertools.product(*map(range, dshape[:lead]))) if lead else ((name, ()),)
    grad = role in TRAINABLE or role in ("x", "h0", "c0")
    return Param(name, role, layer, shown, (batch, *shape) if data else tuple(shape), grad, parts)


def _build(key, specs, input_spec, batch, loss, ask) -> Plan:
    layers = ly.parse_layers(specs, _input_shape(input_spec, specs))
    per_sample = lambda s: (batch, *s) if batch > 1 else tuple(s)  # noqa: E731
    params, outs, roles, shapes, k = [_param("x", "x", -1, layers[0].in_shape, batch)], [], [], {}, 0
    taken = {"x", "y", "L"}
    for i, layer in enumerate(layers):
        t, pshapes = layer.type, ly.param_shapes(layer)
        if t in ly.MAIN:
            k += 1
            suffix, out = str(k), f"h_t{layer.in_shape[0]}" if t in ly.CELLS else f"z{k}"
        else:
            out = f"{_LETTER[t]}{k}"
            for letter in "bcdefghij":
                if out not in taken:
                    break
                out = f"{_LETTER[t]}{k}{letter}"
            suffix = out[1:]
        names = {role: role if role in ("h0", "c0") else role + suffix for role in pshapes}
        if t in ly.CELLS:
            states = ("h", "c") if t == "lstm_cell" else ("h",)
            shapes |= {f"{s}_t{step}": per_sample(layer.out_shape)
                       for step in range(1, layer.in_shape[0] + 1) for s in states}
        params += [_param(names[r], r, i, s, batch) for r, s in pshapes.items()]
        taken |= {out, *names.values()}
        outs.append(out)
        roles.append(names)
        shapes[out] = per_sample(layer.out_shape)
    out_shape = layers[-1].out_shape
    if loss in ("mse", "bce"):
        params.append(_param("y", "y", -1, out_shape, batch))
    elif loss in ("cross_entropy", "hinge"):
        if len(out_shape) != 1 or out_shape[0] < 2:
            raise ConfigError(f"Loss “{loss}” needs a vector of at least 2 class scores; the output has "
                              f"shape {list(out_shape)}.")
        if loss == "cross_entropy" and layers[-1].type == "softmax":
            raise ConfigError("“cross_entropy” takes logits (it applies log-softmax itself): remove the "
                              "final softmax.")
        params.append(_param("y", "y", -1, (), batch))
    if loss == "bce" and layers[-1].type not in ("sigmoid", "softmax"):
        raise ConfigError("Loss “bce” needs probabilities: end the network with a sigmoid (or softmax).")
    offsets = list(itertools.accumulate((math.prod(p.batched) for p in params), initial=0))
    params = [dataclasses.replace(p, span=(offsets[i], offsets[i + 1])) for i, p in enumerate(params)]
    shapes |= {p.name: p.shape for p in params}
    plan = dict(layers=tuple(layers), outs=tuple(outs), roles=tuple(roles), params=tuple(params), batch=batch,
                loss=loss, shapes=shapes)
    return Plan(key=key, **plan, **_ask(plan, ask or _default_ask(plan)))


def _default_ask(plan: dict) -> dict:
    """Without an ask: ∂L/∂ the first weight's entry [0, 1] (or [0, ..., 0]); with no loss, the output."""
    output = plan["shapes"][plan["outs"][-1]]
    if plan["loss"] == "none" and math.prod(output) != 1:
        return {"quantity": "output", **({"index": [0] * len(output)} if len(layout(output)[0]) > 2 else {})}
    first = next(p for p in plan["params"] if p.role in TRAINABLE)
    index = [0] * len(first.shape)
    if index and first.shape[-1] > 1:
        index[-1] = 1
    return {"quantity": "grad", "wrt": first.name, "index": index}


def _ask(plan: dict, ask) -> dict:
    """The ask's fields: checked, with defaults, the target resolved and the answer's shape."""
    quantity = ask.get("quantity") if isinstance(ask, dict) else None
    if quantity not in _ASK_KEYS:
        raise ConfigError("“ask” must be an object with “quantity” one of output, loss, grad, step, "
                          "e.g. {\"quantity\": \"grad\", \"wrt\": \"W1\", \"index\": [0, 1]}.")
    unknown = sorted(set(ask) - {"quantity", *_ASK_KEYS[quantity]})
    if unknown:
        allowed = ", ".join(("quantity", *_ASK_KEYS[quantity]))
        raise ConfigError(f"“ask” for {quantity}: unknown key “{unknown[0]}”; allowed: {allowed}.")
    clean = {"quantity": quantity, "wrt": ask.get("wrt"), "index": ask.get("index"),
             "optimizer": ask.get("optimizer", "sgd"), "lr": ask.get("lr", 0.1),
             "momentum": ask.get("momentum", 0.9), "eps": ask.get("eps", 1e-8)}
    params, layers, loss = {p.name: p for p in plan["params"]}, plan["layers"], plan["loss"]
    if quantity == "loss" and loss == "none":
        raise ConfigError("“ask” is the loss, but “loss” is \"none\": choose mse, bce, cross_entropy or "
                          "hinge.")
    if quantity in ("grad", "step") and loss == "none" and math.prod(plan["shapes"][plan["outs"][-1]]) != 1:
        raise ConfigError("With loss \"none\" the gradient is taken of the network's output, which must "
                          "then be a single number; choose a loss or end with one output.")
    if clean["optimizer"] not in OPTIMIZERS:
        raise ConfigError(f"“optimizer” must be one of {', '.join(OPTIMIZERS)}.")
    for key in ("lr", "momentum", "eps"):
        value = clean[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 10:
            raise ConfigError(f"“{key}” must be a number between 0 and 10.")
    target, part, stop, shape = "", (), len(layers), plan["shapes"][plan["outs"][-1]]
    if quantity == "loss":
        shape = ()
    if quantity in ("grad", "step"):
        names = [p.name for p in plan["params"] if p.grad and (quantity == "grad" or p.role in TRAINABLE)]
        if quantity == "grad":
            names += [n for n in plan["shapes"] if n not in params]
        parts = {shown: (n, prefix) for n in names
                 for shown, prefix in _param(n, "", 0, plan["shapes"][n], 1).parts}
        wrt = clean["wrt"]
        if wrt not in names and wrt not in parts:
            what = "parameter" if quantity == "step" else "parameter, input or intermediate"
            raise ConfigError(f"“wrt” must name a {what} of this network: {', '.join(names)}; "
                              f"got {json.dumps(wrt)}.")
        target, part = (wrt, ()) if wrt in names else parts[wrt]
        if part and clean["index"] is not None:
            raise ConfigError(f"“index” goes with the full name {target}, not with the part {wrt}.")
        shape = plan["shapes"][target]
        owner = params[target].layer if target in params else next(
            (i + 1 for i, o in enumerate(plan["outs"]) if o == target), 0)
        stop = 0 if target == "x" else owner
    index = clean["index"]
    if index is not None:
        if not isinstance(index, list) or len(index) != len(shape) or not all(
                isinstance(i, int) and not isinstance(i, bool) and 0 <= i < s
                for i, s in zip(index, shape, strict=True)):
            raise ConfigError(f"“index” must list {len(shape)} whole numbers counting from 0 within the "
                              f"shape {list(shape)} of the quantity asked; got {json.dumps(index)}.")
        answer_shape = ()
    else:
        shown, lead = layout(shape)
        if part:
            shown, lead = shown[lead:], 0
        if lead:
            names = ", ".join(p for p, _ in _param(target or plan["outs"][-1], "", 0, shape, 1).parts)
            raise ConfigError(f"The quantity asked has shape {list(shape)}: ask one entry with “index” "
                              f"or one part ({names}).")
        answer_shape = shown
    return dict(ask=clean, target=target, part=part, stop=stop, answer_shape=answer_shape)


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
            extras |= {f"r_t{s}": (ru[:, :H], True), f"u_t{s}": (ru[:, H:], True), f"n_t{s}": (n, True)}
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
    values = _to_numpy(plan, items, device)
    answer = pick(plan, values[{"output": plan.outs[-1], "loss": "L", "grad": "d_" + plan.target,
                                "step": "new"}[quantity]])
    return answer, values, full


def _to_numpy(plan: Plan, items: list, device: str) -> dict:
    """name -> numpy array, the batch axis dropped when batch is 1 (one transfer off a GPU)."""
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
