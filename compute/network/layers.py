"""Layer types of the declarative network (``compute.network.plan``): options, checking and shapes.

Pure Python, no numpy maths and no torch. ``parse_layers`` checks a config's layer list against
the input shape (ConfigError says what is allowed) and fills every inferable size in;
``param_shapes`` gives a layer's parameter shapes. Shapes are per sample. The numpy forward and
backward of each layer type and loss are in ``compute.network.layers_numpy``.
"""

import math
from dataclasses import dataclass

from compute.config import ConfigError

REQUIRED = "required"
_CONV = {"in_channels": None, "out_channels": REQUIRED, "kernel": REQUIRED, "stride": 1, "padding": 0,
         "bias": True}
_POOL = {"kernel": REQUIRED, "stride": None}
_CELL = {"input_size": None, "hidden_size": REQUIRED, "steps": None, "bias": True}
OPTIONS: dict[str, dict] = {
    "linear": {"in": None, "out": REQUIRED, "bias": True},
    "conv1d": _CONV, "conv2d": _CONV,
    "maxpool1d": _POOL, "avgpool1d": _POOL, "maxpool2d": _POOL, "avgpool2d": _POOL,
    "flatten": {},
    "sigmoid": {}, "tanh": {}, "relu": {}, "leaky_relu": {"slope": 0.01}, "elu": {"alpha": 1.0},
    "gelu": {}, "softplus": {"beta": 1.0}, "softmax": {},
    "batchnorm1d": {"features": None, "mode": "train"},
    "dropout": {"p": 0.5},
    "rnn_cell": _CELL, "gru_cell": _CELL, "lstm_cell": _CELL,
    "graph_conv": {"nodes": None, "in": None, "out": REQUIRED, "bias": False},
}
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus")
CELLS = {"rnn_cell": 1, "gru_cell": 3, "lstm_cell": 4}  # stacked gate blocks in W_ih / W_hh
MAIN = ("linear", "conv1d", "conv2d", "graph_conv", *CELLS)  # the layers numbered k = 1, 2, ...
EPS = 1e-5  # batch norm, inside the square root (PyTorch's default)
MAX_SIZE = 16
_FLOATS = {"slope": (0.0, 1.0), "alpha": (0.0, 10.0), "beta": (0.0, 10.0), "p": (0.0, 1.0)}


@dataclass(frozen=True)
class Layer:
    """One parsed layer: every option filled in, with its per-sample input and output shapes."""

    type: str
    opts: dict
    in_shape: tuple
    out_shape: tuple


def _option(where: str, key: str, value):
    if key == "bias":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: “bias” must be true or false.")
    elif key == "mode":
        if value not in ("train", "eval"):
            raise ConfigError(f"{where}: “mode” must be \"train\" (batch statistics) or \"eval\" (running "
                              "statistics).")
    elif key in _FLOATS:
        low, high = _FLOATS[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise ConfigError(f"{where}: “{key}” must be a number between {low:g} and {high:g}.")
        if key != "slope" and value in (low, high):
            raise ConfigError(f"{where}: “{key}” must lie strictly between {low:g} and {high:g}.")
        return float(value)
    else:
        low = 0 if key == "padding" else 1
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_SIZE:
            raise ConfigError(f"{where}: “{key}” must be a whole number from {low} to {MAX_SIZE}.")
    return value


def _same(where: str, opts: dict, key: str, actual: int) -> None:
    """Fill an inferable size in, or check the one the config gives against the incoming shape."""
    if opts[key] is None:
        opts[key] = actual
    elif opts[key] != actual:
        raise ConfigError(f"{where}: “{key}” is {opts[key]} but the incoming shape gives {actual}.")


def _window_out(where: str, size: int, kernel: int, stride: int, padding: int = 0) -> int:
    out = (size + 2 * padding - kernel) // stride + 1
    if out < 1:
        raise ConfigError(f"{where}: kernel {kernel} is larger than the (padded) input size "
                          f"{size + 2 * padding}.")
    return out


def parse_layers(specs, shape: tuple) -> list[Layer]:
    """Check a config's layer list against the input shape; ConfigError says what is allowed."""
    if not isinstance(specs, list) or not specs or len(specs) > 12:
        raise ConfigError("“layers” must be a list of 1 to 12 layer objects, e.g. "
                          "[{\"type\": \"linear\", \"out\": 3}].")
    layers = []
    for number, spec in enumerate(specs, 1):
        kind = spec.get("type") if isinstance(spec, dict) else None
        if kind not in OPTIONS:
            raise ConfigError(f"Layer {number}: unknown type {kind!r}; allowed types: {', '.join(OPTIONS)}.")
        where = f"Layer {number} ({kind})"
        allowed = OPTIONS[kind]
        unknown = sorted(set(spec) - set(allowed) - {"type"})
        if unknown:
            keys = ", ".join(["type", *allowed])
            raise ConfigError(f"{where}: unknown key “{unknown[0]}”; allowed keys: {keys}.")
        opts = {key: _option(where, key, spec[key]) if key in spec else value
                for key, value in allowed.items()}
        missing = [key for key, value in opts.items() if value == REQUIRED]
        if missing:
            raise ConfigError(f"{where}: “{missing[0]}” is required.")
        out = _infer(where, kind, opts, tuple(shape), number)
        layers.append(Layer(kind, opts, tuple(shape), out))
        shape = out
    return layers


def _infer(where: str, kind: str, o: dict, shape: tuple, number: int) -> tuple:
    dims = {"linear": 1, "batchnorm1d": 1, "conv1d": 2, "maxpool1d": 2, "avgpool1d": 2, "graph_conv": 2,
            "conv2d": 3, "maxpool2d": 3, "avgpool2d": 3, **dict.fromkeys(CELLS, 2)}.get(kind)
    if kind in CELLS and number != 1:
        raise ConfigError(f"{where}: a recurrent cell must be the first layer (its input is [steps, "
                          "input_size]).")
    if dims is not None and len(shape) != dims:
        hint = {1: "a vector (add a flatten before it)", 2: "a 2-D input",
                3: "a (channels, height, width) input"}
        raise ConfigError(f"{where}: needs {hint[dims]}, but the incoming shape is {list(shape)}.")
    if kind == "linear":
        _same(where, o, "in", shape[0])
        return (o["out"],)
    if kind in ("conv1d", "conv2d"):
        _same(where, o, "in_channels", shape[0])
        sizes = (_window_out(where, s, o["kernel"], o["stride"], o["padding"]) for s in shape[1:])
        return (o["out_channels"], *sizes)
    if "pool" in kind:
        o["stride"] = o["stride"] or o["kernel"]
        return (shape[0], *(_window_out(where, s, o["kernel"], o["stride"]) for s in shape[1:]))
    if kind == "flatten":
        return (math.prod(shape),)
    if kind == "batchnorm1d":
        _same(where, o, "features", shape[0])
    elif kind in CELLS:
        _same(where, o, "steps", shape[0])
        _same(where, o, "input_size", shape[1])
        return (o["hidden_size"],)
    elif kind == "graph_conv":
        _same(where, o, "nodes", shape[0])
        _same(where, o, "in", shape[1])
        return (shape[0], o["out"])
    return shape


def param_shapes(layer: Layer) -> dict[str, tuple]:
    """role -> shape of a layer's parameters (per-sample roles h0, c0, mask without the batch axis)."""
    t, o = layer.type, layer.opts
    if t == "linear":
        shapes = {"W": (o["out"], o["in"]), "b": (o["out"],)}
    elif t in ("conv1d", "conv2d"):
        side = (o["kernel"],) * (2 if t == "conv2d" else 1)
        shapes = {"K": (o["out_channels"], o["in_channels"], *side), "b": (o["out_channels"],)}
    elif t == "graph_conv":
        shapes = {"W": (o["in"], o["out"]), "A": (o["nodes"], o["nodes"]), "b": (o["out"],)}
    elif t in CELLS:
        gh, h = CELLS[t] * o["hidden_size"], o["hidden_size"]
        shapes = {"Wih": (gh, o["input_size"]), "Whh": (gh, h), "bih": (gh,), "bhh": (gh,), "h0": (h,)}
        if t == "lstm_cell":
            shapes["c0"] = (h,)
    elif t == "batchnorm1d":
        f = (o["features"],)
        shapes = {"gamma": f, "beta": f} | ({"mu": f, "var": f} if o["mode"] == "eval" else {})
    elif t == "dropout":
        shapes = {"mask": layer.in_shape}
    else:
        shapes = {}
    if "bias" in o and not o["bias"]:
        shapes = {r: s for r, s in shapes.items() if r not in ("b", "bih", "bhh")}
    return shapes
