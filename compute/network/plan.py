"""The declarative tiny network's plan: a config checked, with everything named and shaped.

``plan_for(config)`` checks a config (raising ConfigError that says what is allowed) and names
everything: the layers (``compute.network.layers``), the parameters with their shapes as PyTorch holds
them and as shown to the student, the intermediates and the quantity asked. Pure Python: no numpy
maths, no torch; ``compute.network.engine`` solves a plan.

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
  axes into matrices ``K1_1``, ``K1_2``, ... (names numbered from 1, like ``W1``; the text prints
  them as the parts they are, :math:`K_1^{[0]}`, :math:`K_1^{[1]}`: ``K1[0]``, ``K1[1]``, since
  every index the student reads counts from 0).
"""

import dataclasses
import functools
import itertools
import json
import math
from dataclasses import dataclass

from compute.config import ConfigError
from compute.network import layers as ly

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
