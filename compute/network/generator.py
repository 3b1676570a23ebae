"""The declarative tiny-network generator (lectures 2-5, 7, 8, 10): one class for most of the course.

An instructor writes a list of layers, an input shape, a loss and the quantity asked (the
output, the loss, one gradient, or a parameter after one optimizer step); ``compute.network.plan``
checks and names everything (its docstring lists the names) and ``compute.network.engine`` solves
with torch autograd.
Sampling draws several candidate parameter sets per seed and keeps the first with the fewest
degeneracies (saturated sigmoids, inputs at ReLU kinks, max-pool ties, a zero answer), checked by
the numpy forward/backward of ``compute.network.layers_numpy``, vectorized over seeds and
candidates. The named mistakes rerun that numpy backward with one error injected;
``compute.network.text`` writes the prompt and the worked solution, ``compute.network.diagram``
the SVG.
"""

import functools
import math

import numpy as np

from compute.config import ConfigError, Field, Schema
from compute.contract import HAND_TOLERANCE, MIN_ANSWER, Generator
from compute.latex import shown_array
from compute.network import diagram, text
from compute.network import engine as nw
from compute.network import layers as ly
from compute.network import layers_numpy as lnp
from compute.network import plan as nplan
from compute.sampling import Drawn
from compute.tolerance import within
from compute.variant import Solved, Step

DEFAULT_LAYERS = [{"type": "linear", "in": 2, "out": 3}, {"type": "sigmoid"},
                  {"type": "linear", "in": 3, "out": 1}]
_RANGES = {"integers": (-2, 2, 1), "halves": (-2, 2, 0.5), "tenths": (-1, 1, 0.1)}
GRIDS = {name: np.round(np.arange(low, high + step / 2, step), 10)
         for name, (low, high, step) in _RANGES.items()}
VARIANCES = {"integers": np.array([1.0, 2.0, 4.0]), "halves": np.array([0.25, 0.5, 1.0, 2.0]),
             "tenths": np.array([0.1, 0.2, 0.4, 0.5, 0.8, 1.0])}
CANDIDATES = 16  # parameter sets drawn per seed; the valid one with the fewest degeneracies is kept
NONZERO = ("W", "K", "Wih", "Whh", "gamma")  # weights are drawn without 0: every connection matters


class NetworkGenerator(Generator):
    slug = "network"
    title = "Tiny network: forward, loss, gradient or optimizer step"
    description = ("A small network given as a list of layers (linear, conv, pooling, activations, batch "
                   "norm, dropout, RNN/GRU/LSTM cell, graph convolution, softmax) with a loss; asks the "
                   "output, the loss, one gradient (backpropagation) or a parameter after one optimizer "
                   "step.")
    lectures = (2, 3, 4, 5, 7, 8, 10)
    schema = Schema((
        Field("layers", "json", DEFAULT_LAYERS,
              "The layers in order, e.g. [{\"type\": \"linear\", \"in\": 2, \"out\": 3}, "
              f"{{\"type\": \"sigmoid\"}}]. Types: {', '.join(ly.OPTIONS)}. Parameters are named W1, b1 "
              "(linear), K1 (conv kernel), ... in the order of the layers with weights; outputs z1, h1, ..."),
        Field("input", "json", None,
              "The input's shape without the batch axis, e.g. [2], [1, 5] (conv1d), [1, 4, 4] (conv2d), "
              "[3, 2] (3 graph nodes or 3 time steps); null: taken from the first layer."),
        Field("batch", "int", 1, "Samples in the batch (batch norm in train mode needs at least 2).",
              min=1, max=8),
        Field("loss", "choice", "mse", "The loss on the output and the target y.", choices=nplan.LOSSES),
        Field("ask", "json", None,
              "What is asked (null: the gradient of the loss with respect to the first weight, entry "
              "[0, 1]): {\"quantity\": \"output\"}, {\"quantity\": \"loss\"}, {\"quantity\": \"grad\", "
              "\"wrt\": \"W1\", \"index\": [0, 1]} or {\"quantity\": \"step\", \"wrt\": \"W1\", "
              "\"optimizer\": \"sgd\" | \"momentum\" | \"nesterov\" | \"adam\", \"lr\": 0.1}; "
              "index counts from 0 and is optional."),
        Field("values", "choice", "integers", "The numbers drawn: integers −2…2, halves −2…2 or tenths −1…1.",
              choices=tuple(GRIDS)),
    ))
    mistakes = {
        "forgot_activation_derivative": "It looks like you forgot to multiply by the activation's "
                                        "derivative, e.g. $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$.",
        "sign_flipped": "The sign is flipped: check each factor of the chain rule, e.g. $\\hat y - y$ rather "
                        "than $y - \\hat y$.",
        "used_preactivation": "It looks like you used the pre-activation $z$ instead of the activation "
                              "$h = \\sigma(z)$ as the input in the next layer's weight gradient.",
        "forgot_mean": "It looks like you summed instead of averaging: the MSE loss (PyTorch's default) is "
                       "the mean over all output entries.",
        "wrong_step_direction": "It looks like you added the gradient: a descent step subtracts the learning "
                                "rate times the gradient.",
    }
    answer_kind = "scalar"  # of the default config; see answer_kind_for

    def check_config(self, config: dict) -> None:
        nplan.plan_for(config)
        if config["batch"] < 2 and any(s.get("type") == "batchnorm1d" and s.get("mode", "train") == "train"
                                       for s in config["layers"]):
            raise ConfigError("Batch norm in train mode needs “batch” of at least 2 (it uses the batch "
                              "statistics).")

    def answer_kind_for(self, config: dict) -> str:
        """"scalar", "vector" or "matrix": the answer's kind depends on the config (ask and shapes)."""
        return nplan.plan_for(self.clean_config(config)).answer_kind

    rules = {
        "answer_clear": f"the answer (its largest entry; of the part or entry asked) is at least {MIN_ANSWER} in "
                        "size, also for a hidden or cell state inside a recurrent cell; for a step, so is the "
                        "gradient (the step moves the parameter)",
        "hand_computable": "going on from the 4-figure values of the worked solution (every layer's output and "
                           "gradient, every gate, state and per-step gradient of a recurrent cell) gives every "
                           "entry of the answer within half the tolerance",
    }

    def tolerance(self, config: dict) -> dict:
        return HAND_TOLERANCE

    # --- sampling -------------------------------------------------------------------------------

    def sample_batch(self, sampler, config: dict) -> dict[str, np.ndarray]:
        plan = nplan.plan_for(config)
        rows, total, spans = sampler.size * CANDIDATES, *_spans(plan.key)
        bits = sampler.bits((CANDIDATES, total)).reshape(rows, total)
        grid = GRIDS[config["values"]]
        # every column drawn from each value set at once; each parameter takes its slice below
        drawn = {kind: values[(bits % np.uint64(len(values))).astype(np.intp)]
                 for kind, values in (("grid", grid), ("nonzero", grid[grid != 0])) if kind in spans.values()}
        full = {}
        for p in plan.params:
            start, stop = p.span
            kind = spans[p.name]
            block = drawn[kind][:, start:stop] if kind in drawn else \
                _special(plan, p, bits[:, start:stop], config)
            full[p.name] = block.reshape(rows, *p.batched)
        if config["fixed"]:
            shown = nw.to_shown(plan, full, 1)
            for name, value in config["fixed"].items():
                if name in shown and np.shape(value) == shown[name].shape[1:] and np.all(np.isfinite(value)):
                    shown[name] = np.broadcast_to(np.asarray(value, dtype=np.float64), shown[name].shape)
            full = nw.from_shown(plan, shown, (rows,))
        hard, soft = _rules(plan, full)
        # among the candidates that keep the rules, the one with the fewest soft degeneracies (a seed
        # without any gets an invalid one, which sample_params draws again)
        ok = np.logical_and.reduce(list(hard.values()))
        score = np.where(ok, soft, soft + 1e6)
        best = np.argmin(score.reshape(sampler.size, CANDIDATES), axis=1)
        pick = np.arange(sampler.size) * CANDIDATES + best
        shown = nw.to_shown(plan, {name: arr[pick] for name, arr in full.items()}, 1)
        return Drawn(shown, ok[pick])

    def validity(self, params, config):
        plan = nplan.plan_for(config)
        lead = next(iter(params.values())).shape[:1]
        return _rules(plan, nw.from_shown(plan, params, lead))[0]

    def hand_answer(self, params, values, config):
        plan = nplan.plan_for(config)
        full = nw.from_shown(plan, {k: np.asarray(v, dtype=np.float64)[None] for k, v in params.items()}, (1,))
        with np.errstate(all="ignore"):  # a rounded probability of 1 makes a log infinite: graded wrong
            answer = _evaluate(plan, full, shown_array)[0][0]
        return float(answer) if answer.ndim == 0 else answer.tolist()

    # --- solving --------------------------------------------------------------------------------

    def solve(self, params: dict, config: dict, device: str = "cpu") -> Solved:
        plan = nplan.plan_for(config)
        answer, values, full = nw.solve(plan, params, device)
        return Solved(answer, values, _mistakes(plan, full, values))

    def prompt(self, config: dict) -> str:
        return text.prompt(nplan.plan_for(config))

    def explain(self, params: dict, values: dict, config: dict) -> list[Step]:
        return text.explain(nplan.plan_for(config), params, values)

    def diagram(self, params: dict, config: dict) -> str | None:
        return diagram.network_svg(nplan.plan_for(config), params)


@functools.lru_cache(maxsize=256)
def _spans(key: str) -> tuple[int, dict]:
    """(random numbers per candidate, parameter name -> how it is drawn: grid, nonzero or special)."""
    plan = nplan.cached_plan(key)
    special = ("y", "mask", "A", "var")
    return (sum(math.prod(p.batched) for p in plan.params),
            {p.name: "special" if p.role in special else "nonzero" if p.role in NONZERO else "grid"
             for p in plan.params})


def _special(plan, p, bits, config: dict) -> np.ndarray:
    """Targets, masks, adjacency matrices and variances from their random bits (rows, size)."""
    if p.role == "y" and plan.loss in ("cross_entropy", "hinge"):
        return (bits % np.uint64(plan.layers[-1].out_shape[0])).astype(np.float64)
    if p.role == "mask" or (p.role == "y" and plan.loss == "bce"):
        return (bits % np.uint64(2)).astype(np.float64)
    if p.role == "A":
        upper = np.triu((bits % np.uint64(2)).astype(np.float64).reshape(-1, *p.batched), 1)
        return upper + upper.swapaxes(-1, -2)
    values = GRIDS[config["values"]] if p.role == "y" else VARIANCES[config["values"]]
    return values[(bits % np.uint64(len(values))).astype(np.intp)]


def _evaluate(plan, full: dict, rnd=None, gradient: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(the asked part of the answer (R, ...), per candidate row how many soft checks fail) of full
    parameter sets with a leading candidate axis R, by the numpy engine; with ``gradient``, for a step
    the gradient instead of the parameter after the step.

    With ``rnd`` (``latex.shown_array``) it is the answer of a student who follows the worked solution
    and goes on from every value it shows rounded as shown: each layer's output, the loss's gradient,
    each layer's input gradient and parameter gradients, an activation's derivative, a recurrent cell's
    gates, states and per-step gradients."""
    same = rnd is None
    rnd = rnd or (lambda v: v)
    P = [{r: full[name] for r, name in roles.items()} for roles in plan.roles]
    checks, acts = [], [full["x"]]
    for layer, params in zip(plan.layers, P, strict=True):
        out = lnp.forward(layer, params, acts[-1], checks, rnd)
        acts.append(out if same else rnd(out))
    y = full.get("y")
    y = y.reshape(y.shape[0], plan.batch) if plan.loss in ("cross_entropy", "hinge") else y
    loss, d = lnp.loss(plan.loss, acts[-1], y)
    d = rnd(d)
    checks.append(lnp.loss_checks(plan.loss, acts[-1], y))
    quantity, target = plan.ask["quantity"], plan.target
    if quantity == "loss":
        answer = rnd(loss)[:, None]
    elif quantity == "output":
        answer = acts[-1]
    else:
        grads, states = {}, {}
        for i in range(len(plan.layers) - 1, plan.stop - 1, -1):
            d, grads = lnp.backward(plan.layers[i], P[i], acts[i], d, rnd=rnd, states=states)
            d, grads = rnd(d), {role: rnd(g) for role, g in grads.items()}
        owner = plan.param.get(target)
        if target.startswith(("h_t", "c_t")) and target not in plan.outs:
            answer = states[(target[0], int(target[3:]))]
        else:
            answer = grads[owner.role] if owner is not None and owner.layer >= 0 else d
        if quantity == "step" and not gradient:
            answer = rnd(nw.step(plan.ask, full[target], answer))
    batchy = quantity == "output" or (target not in plan.param and quantity != "loss") or \
        (target in plan.param and plan.param[target].role in nplan.DATA)
    answer = answer[:, 0] if batchy and plan.batch == 1 else answer
    if plan.ask["index"] is not None:
        answer = answer[(slice(None), *plan.ask["index"])]
    else:
        answer = answer.reshape(len(answer), *nplan.layout(answer.shape[1:])[0])
        answer = answer[(slice(None), *plan.part)] if plan.part else answer
    return answer, sum(checks, np.zeros(len(loss)))


def _rules(plan, full: dict) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(the hard validity rules, the soft degeneracy counts) of full parameter sets (leading axis R)."""
    with np.errstate(all="ignore"):  # a saturated candidate may overflow or divide by 0: it is rejected
        exact, soft = _evaluate(plan, full)
        hand = _evaluate(plan, full, shown_array)[0]
    rows = len(exact)
    tol = HAND_TOLERANCE
    close = within(hand, exact, tol["rtol"] / 2, tol["atol"] / 2).reshape(rows, -1).all(1)
    hard = {"answer_clear": np.abs(exact.reshape(rows, -1)).max(1) >= MIN_ANSWER, "hand_computable": close}
    if plan.ask["quantity"] == "step":
        with np.errstate(all="ignore"):
            gradient = _evaluate(plan, full, gradient=True)[0]
        hard["answer_clear"] &= np.abs(gradient.reshape(rows, -1)).max(1) >= MIN_ANSWER
    return hard, soft


def _mistakes(plan, full: dict, values: dict) -> dict:
    """Named wrong answers, computed from the solved values with one error injected each."""
    quantity, target, n = plan.ask["quantity"], plan.target, len(plan.layers)
    count = math.prod(plan.shapes[plan.outs[-1]])
    if quantity not in ("grad", "step"):
        mse = quantity == "loss" and plan.loss == "mse" and count > 1
        return {"forgot_mean": values["L"] * count} if mse else {}
    grads = {"sign_flipped": -values["d_" + target]} if quantity == "grad" else {}
    if plan.loss == "mse" and count > 1:
        grads["forgot_mean"] = values["d_" + target] * count

    def batched(name: str, i: int):  # a layer's output as the numpy engine holds it
        return np.asarray(values[name]).reshape((1, plan.batch, *plan.layers[i].out_shape))

    P = [{r: full[name][None] for r, name in roles.items()} for roles in plan.roles]
    acts = [full["x"][None]] + [batched(o, i) for i, o in enumerate(plan.outs)]
    owner = plan.param.get(target)
    activations = any(plan.layers[i].type in ly.ACTIVATIONS for i in range(plan.stop, n))
    if activations and not target.startswith(("h_t", "c_t")):
        d = batched("d_" + plan.outs[-1], n - 1)
        for i in range(n - 1, plan.stop - 1, -1):
            d, layer_grads = lnp.backward(plan.layers[i], P[i], acts[i], d, flat=True)
        wrong = layer_grads[owner.role][0] if owner and owner.layer >= 0 else d[0]
        grads["forgot_activation_derivative"] = wrong.reshape(plan.shapes[target])
    j = owner.layer if owner else -1
    if j > 0 and owner.role in ("W", "K") and plan.layers[j - 1].type in ly.ACTIVATIONS:
        # the weight gradient with the activation's input (z) in place of its output (h)
        _, layer_grads = lnp.backward(plan.layers[j], P[j], acts[j - 1], batched("d_" + plan.outs[j], j))
        grads["used_preactivation"] = layer_grads[owner.role][0]
    if quantity == "step":
        p = full[target]
        grads = {name: nw.step(plan.ask, p, g) for name, g in grads.items()}
        grads["wrong_step_direction"] = 2 * p - values["new"]
    return {name: nw.pick(plan, value) for name, value in grads.items()}


GENERATORS = [NetworkGenerator()]
