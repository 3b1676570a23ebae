"""Backpropagation through a 2-H-1 MLP (lectures 2, 3): one gradient, the output or the loss.

The generator is vectorized: ``solve_columns`` runs a whole batch of variants (each with its own
weights) as one batched autograd computation, and ``solve`` / ``solve_batch`` are that same code
(``solve`` with a batch of one), so single and batched results are bitwise identical. The batch
is laid out feature-major, shape (4 + 4·hidden, batch), so every torch op is elementwise or a
short reduction over a leading axis: such kernels give each sample the same bits whatever the
batch size (checked in the tests). ``torch.sigmoid`` is avoided for that reason: its CPU vector
and scalar paths differ in the last bit, so σ(z) is computed as 1 / (1 + exp(−z)). The cached
LaTeX and SVG text pieces are in mlp_text.py.
"""

import functools
import json

import numpy as np

from compute import latex
from compute.config import ConfigError, Field, Schema
from compute.contract import COUNTING, HAND_TOLERANCE, MIN_ANSWER, Generator
from compute.generators.mlp_steps import MlpSteps
from compute.generators.mlp_text import ACT_TEX, conventions, diagram_template, exact, factor, label
from compute.latex import shown, shown_array
from compute.sampling import Drawn
from compute.tolerance import told_apart, within
from compute.variant import Solved, Step

ACTIVATIONS = ("sigmoid", "tanh", "relu")
QUANTITIES = ("W1", "b1", "W2", "b2", "x", "loss", "output")
PACKED = ("x", "W1", "b1", "W2", "b2", "y")  # parameter order in the packed layout
DEFAULT_INDEX = {"W1": (0, 1), "b1": (0,), "W2": (0, 0), "x": (0,)}
CANDIDATES = 16  # parameter sets drawn per seed; the first valid one is used (see sample_batch)
SATURATION = {"sigmoid": 3.0, "tanh": 2.5, "relu": np.inf}  # |z| bound: σ′ ≥ 0.045, tanh′ ≥ 0.027
RELU_KINK = 1e-6  # |z| below this is treated as the kink z = 0 and rejected
X_GRID, HALVES, NONZERO_HALVES = (-2.0, -1.0, 1.0, 2.0), (-1.0, -0.5, 0.0, 0.5, 1.0), (-1.0, -0.5, 0.5, 1.0)


def shapes(hidden: int) -> dict[str, tuple[int, ...]]:
    """One variant's shape of each parameter, in packed order."""
    return {"x": (2,), "W1": (hidden, 2), "b1": (hidden,), "W2": (1, hidden), "b2": (), "y": ()}


def offsets(hidden: int) -> dict[str, int]:
    """First row of each parameter in the packed (4 + 4·hidden, batch) layout."""
    h = hidden
    return {"x": 0, "W1": 2, "b1": 2 + 2 * h, "W2": 2 + 3 * h, "b2": 2 + 4 * h, "y": 3 + 4 * h}


def entry(config: dict) -> tuple[int, ...]:
    """The asked entry's 0-based index (PyTorch order); () for b2, loss and output."""
    index = config["index"]
    return tuple(index) if index is not None else DEFAULT_INDEX.get(config["wrt"], ())


@functools.lru_cache(maxsize=8)
def grids(hidden: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per packed row (x, W1, b1, W2, b2, y): its grid's size, mixed-radix place value and offset into
    the concatenated grids (the last value returned)."""
    rows = [X_GRID] * 2 + [HALVES] * (3 * hidden) + [NONZERO_HALVES] * hidden + [HALVES] * 2
    spans = np.array([len(g) for g in rows], dtype=np.uint64)
    places = np.cumprod(np.concatenate([[1], spans[:-1]])).astype(np.uint64)  # product ≤ 5^20 < 2^47
    starts = np.concatenate([[0], np.cumsum(spans)[:-1]]).astype(np.int64)
    return spans[:, None], places[:, None], starts[:, None], np.concatenate(rows)


def split(theta: np.ndarray, hidden: int) -> tuple:
    """Views x (2,…), W1 (H, 2, …), b1 (H, …), W2 (H, …), b2 (…), y (…) of a packed (P, …) array."""
    at, rest = offsets(hidden), theta.shape[1:]
    return (theta[0:2], theta[at["W1"]:at["b1"]].reshape(hidden, 2, *rest), theta[at["b1"]:at["W2"]],
            theta[at["W2"]:at["b2"]], theta[at["b2"]], theta[at["y"]])


def numpy_answer(theta: np.ndarray, config: dict, rnd=lambda v: v) -> tuple[np.ndarray, np.ndarray]:
    """(answer, z) in numpy for rejection sampling only; the stored answer comes from torch. With
    ``rnd=latex.shown_array``, the answer of a student who goes on from the worked solution's 4-figure
    values (a, ŷ, ∂L/∂ŷ, f′(z), ∂L/∂z), as ``MlpBackward.hand_answer`` computes one variant's."""
    hidden, act, wrt, index = config["hidden"], config["activation"], config["wrt"], entry(config)
    x, W1, b1, W2, b2, y = split(theta, hidden)
    z = W1[:, 0] * x[0] + W1[:, 1] * x[1] + b1
    if act == "sigmoid":
        a = rnd(1 / (1 + np.exp(-z)))
        slope = rnd(a * (1 - a))
    elif act == "tanh":
        a = rnd(np.tanh(z))
        slope = rnd(1 - a * a)
    elif act == "relu":
        a, slope = np.maximum(z, 0), (z > 0) * 1.0
    else:  # "linear": the right activation, its derivative taken as 1 (the forgotten-derivative mistake)
        a, slope = 1 / (1 + np.exp(-z)) if config.get("base") == "sigmoid" else np.tanh(z), np.ones_like(z)
    yhat = rnd((W2 * a).sum(0) + b2)
    dyhat = rnd(2 * (yhat - y))
    dz = rnd(dyhat * W2 * slope)
    answer = {
        "W1": lambda: dz[index[0]] * x[index[1]], "b1": lambda: dz[index[0]], "b2": lambda: dyhat,
        "W2": lambda: dyhat * a[index[1]], "x": lambda: (W1[:, index[0]] * dz).sum(0),
        "loss": lambda: (yhat - y) ** 2, "output": lambda: yhat,
    }[wrt]()
    return rnd(answer), z


class MlpBackward(MlpSteps, Generator):
    slug = "mlp_backward"
    title = "Backpropagation through a small MLP"
    description = (
        "A 2-input network with 2-4 hidden units (sigmoid, tanh or ReLU) and one linear output under the "
        "squared error; asks for one gradient entry (W1, b1, W2, b2 or x), the output or the loss."
    )
    lectures = (2, 3)
    answer_kind = "scalar"
    vectorized = True
    schema = Schema((
        Field("hidden", "int", 4, "Number of hidden units (2 to 4).", min=2, max=4),
        Field("activation", "choice", "sigmoid", "Hidden-layer activation.", choices=ACTIVATIONS),
        Field("wrt", "choice", "W1", "What is asked: ∂L/∂ of a parameter entry, the output ŷ or the loss L.",
              choices=QUANTITIES),
        Field("index", "json", None,
              "0-based entry of the asked parameter, PyTorch order: [i, j] for W1 (hidden × 2), [0, j] for "
              "W2 (1 × hidden), [i] for b1 and x; null picks W1[0, 1], b1[0], W2[0, 0], x[0]."),
    ))
    mistakes = {
        "forgot_factor_2": "It looks like you dropped the factor 2 of the squared error: here "
                           "$L = (\\hat y - y)^2$, so $\\partial L/\\partial \\hat y = 2(\\hat y - y)$ (the "
                           "$\\tfrac12 (\\hat y - y)^2$ convention is not used).",
        "sign_flipped": "Your answer has the wrong sign: check $\\partial L/\\partial \\hat y = 2(\\hat y - y)$, "
                        "prediction minus target.",
        "forgot_activation_derivative": "It looks like you forgot to multiply by the activation's derivative "
                                        "$f'(z)$ when going back through the hidden layer.",
        "used_preactivation": "It looks like you used the pre-activation $z$ where the activation $a = f(z)$ "
                              "belongs (e.g. $z(1 - z)$ instead of $\\sigma(z)(1 - \\sigma(z))$, or $z$ instead "
                              "of $a$).",
    }
    rules = {
        "unsaturated": "no hidden unit is saturated (|z| ≤ 3 for sigmoid, 2.5 for tanh) or at the ReLU kink",
        "answer_clear": f"the answer is at least {MIN_ANSWER} in size (it does not read as 0 and keeps its sign)",
        "hand_computable": "going on from the 4-figure values of the worked solution gives the answer within half "
                           "the tolerance",
        "derivative_shows": "for a gradient through the hidden layer (sigmoid, tanh), forgetting the activation's "
                            "derivative gives another answer",
    }

    def check_config(self, config: dict) -> None:
        hidden, wrt, index = config["hidden"], config["wrt"], config["index"]
        if index is None:
            return
        if wrt not in DEFAULT_INDEX:
            raise ConfigError(f"“index” is only used when “wrt” is W1, b1, W2 or x; leave it out for {wrt}.")
        shape = shapes(hidden)[wrt]
        if not (isinstance(index, list) and len(index) == len(shape) and all(
            type(i) is int and 0 <= i < n for i, n in zip(index, shape, strict=True)
        )):
            raise ConfigError(
                f"“index” for {wrt} (shape {' × '.join(map(str, shape))}) must be a list of {len(shape)} "
                f"0-based whole numbers within the shape, e.g. {[n - 1 for n in shape]}; "
                f"got {json.dumps(index, default=str)}."
            )

    # --- sampling (numpy only) ---------------------------------------------------------------
    def sample_batch(self, sampler, config: dict) -> dict[str, np.ndarray]:
        """Up to CANDIDATES parameter sets per seed, one 64-bit hash each (its mixed-radix digits index
        the grids; bias < 2^47 / 2^64); the first that keeps the rules (unsaturated hidden units, no ReLU
        kink, |answer| ≥ MIN_ANSWER) is kept; a seed without one returns candidate 0, which
        ``sample_params`` draws again. Candidates are checked round by round for the seeds still without
        one, vectorized over those seeds."""
        hidden, size = config["hidden"], sampler.size
        hashes = sampler.bits((CANDIDATES,))
        if size <= 64:  # a few seeds (a page's variants): every candidate in one vectorized check
            every = self.candidates(hashes.reshape(-1), config)
            ok = self.acceptable(every, config).reshape(size, CANDIDATES)
            pick = np.arange(size) * CANDIDATES + np.argmax(ok, axis=1)
            chosen, pending = every[:, pick], np.flatnonzero(~ok.any(axis=1))
        else:
            chosen = first = self.candidates(hashes[:, 0], config)
            pending = np.flatnonzero(~self.acceptable(first, config))
            if pending.size:
                chosen = first.copy()
            for k in range(1, CANDIDATES):
                if not pending.size:
                    break
                theta = self.candidates(hashes[pending, k], config)
                ok = self.acceptable(theta, config)
                chosen[:, pending[ok]] = theta[:, ok]
                pending = pending[~ok]
        x, W1, b1, W2, b2, y = split(chosen, hidden)
        valid = np.ones(size, dtype=bool)
        valid[pending] = False
        return Drawn({"x": x.T.copy(), "W1": W1.transpose(2, 0, 1).copy(), "b1": b1.T.copy(),
                      "W2": W2.T.reshape(size, 1, hidden).copy(), "b2": b2.copy(), "y": y.copy()}, valid)

    @staticmethod
    def candidates(hashes: np.ndarray, config: dict) -> np.ndarray:
        """Packed (rows, n) parameter sets from n hashes, the config's fixed values applied."""
        hidden, act = config["hidden"], config["activation"]
        spans, places, starts, table = grids(hidden)
        theta = table[starts + (hashes // places % spans).astype(np.int64)]
        at, known = offsets(hidden), shapes(hidden)
        for name, value in config["fixed"].items():
            # Shape errors are reported by sample_params after this; here only usable values are applied.
            value = np.asarray(value, dtype=np.float64) if name in known else None
            if value is not None and value.shape == known[name]:
                theta[at[name]:at[name] + value.size] = value.reshape(-1, 1)
        if act == "relu" and not {"W1", "b1"} & set(config["fixed"]):
            # A dead asked unit makes the asked gradient 0: mirror its incoming weights (the grids are
            # symmetric, so the distribution of magnitudes is unchanged) so that it is active.
            wrt, index = config["wrt"], entry(config)
            unit = index[-1] if wrt == "W2" else index[0] if wrt in ("W1", "b1") else 0
            x, W1, b1 = split(theta, hidden)[:3]
            flip = np.where(W1[unit, 0] * x[0] + W1[unit, 1] * x[1] + b1[unit] < 0, -1.0, 1.0)
            W1[unit] *= flip
            b1[unit] *= flip
        return theta

    @classmethod
    def acceptable(cls, theta: np.ndarray, config: dict) -> np.ndarray:
        return np.logical_and.reduce(list(cls.rules_of(theta, config).values()))

    @staticmethod
    def rules_of(theta: np.ndarray, config: dict) -> dict[str, np.ndarray]:
        """The validity rules of packed (P, n) parameter sets."""
        answer, z = numpy_answer(theta, config)
        unsaturated = (np.abs(z) <= SATURATION[config["activation"]]).all(0)
        if config["activation"] == "relu":
            unsaturated &= (np.abs(z) >= RELU_KINK).all(0)
        hand = numpy_answer(theta, config, shown_array)[0]
        close = within(hand, answer, HAND_TOLERANCE["rtol"] / 2, HAND_TOLERANCE["atol"] / 2)
        wrt, act = config["wrt"], config["activation"]
        shows = np.ones(answer.shape, dtype=bool)
        if wrt in ("W1", "b1", "x") and act != "relu":
            flat = numpy_answer(theta, {**config, "activation": "linear", "base": act})[0]
            shows = told_apart(flat, answer, HAND_TOLERANCE)
        return {"unsaturated": unsaturated, "answer_clear": np.abs(answer) >= MIN_ANSWER, "hand_computable": close,
                "derivative_shows": shows}

    def validity(self, params, config):
        size = len(params["y"])
        theta = np.concatenate([params["x"].T, params["W1"].reshape(size, -1).T, params["b1"].T,
                                params["W2"].reshape(size, -1).T, params["b2"][None], params["y"][None]])
        return self.rules_of(theta, config)

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        """From the shown a, ŷ, ∂L/∂ŷ, f′(z) and ∂L/∂z (z = W₁x + b₁ is exact: nice numbers)."""
        act, wrt, index = config["activation"], config["wrt"], entry(config)
        a = [shown(v) for v in values["a1"]]
        w2 = params["W2"][0]
        yhat = shown(sum(w * v for w, v in zip(w2, a, strict=True)) + params["b2"])
        if wrt in ("loss", "output"):
            return shown((yhat - params["y"]) ** 2) if wrt == "loss" else yhat
        dyhat = shown(2 * (yhat - params["y"]))
        if wrt in ("b2", "W2"):
            return dyhat if wrt == "b2" else shown(dyhat * a[index[1]])
        slope = {"sigmoid": lambda v, z: v * (1 - v), "tanh": lambda v, z: 1 - v * v,
                 "relu": lambda v, z: float(z > 0)}[act]
        dz = [shown(dyhat * w * shown(slope(v, z))) for w, v, z in zip(w2, a, values["z1"], strict=True)]
        if wrt == "b1":
            return dz[index[0]]
        if wrt == "W1":
            return shown(dz[index[0]] * params["x"][index[1]])
        return shown(sum(params["W1"][k][index[0]] * dz[k] for k in range(config["hidden"])))

    # --- solving (torch) -----------------------------------------------------------------------
    def solve(self, params: dict, config: dict, device: str = "cpu") -> Solved:
        row = [*params["x"], *(w for r in params["W1"] for w in r), *params["b1"], *params["W2"][0],
               params["b2"], params["y"]]
        return self.to_solved(self.solve_packed(np.array(row, dtype=np.float64)[:, None], config, device))[0]

    def solve_batch(self, params: dict[str, np.ndarray], config: dict, device: str = "cpu") -> list[Solved]:
        return self.to_solved(self.solve_columns(params, config, device))

    def solve_columns(self, params: dict[str, np.ndarray], config: dict, device: str = "cpu") -> dict:
        """The whole batch at once: {"answer": (B,), "values": {name: (B, …)}, "mistakes": {name: (B,)}}."""
        size = len(params["y"])
        theta = np.concatenate([params["x"].T, params["W1"].reshape(size, -1).T, params["b1"].T,
                                params["W2"].reshape(size, -1).T, params["b2"][None], params["y"][None]])
        return self.solve_packed(np.ascontiguousarray(theta, dtype=np.float64), config, device)

    def solve_packed(self, theta: np.ndarray, config: dict, device: str) -> dict:
        """Forward, autograd backward and mistakes for a packed (P, B) batch; arrays are batch-first."""
        import torch

        hidden, act, wrt, index = config["hidden"], config["activation"], config["wrt"], entry(config)
        t = torch.from_numpy(theta) if device == "cpu" else torch.from_numpy(theta).to(device)
        params = list(torch.split(t, (2, 2 * hidden, hidden, hidden, 1, 1)))  # x, W1, b1, W2, b2, y
        gradient = wrt not in ("loss", "output")
        if gradient:
            # Only the asked parameter requires grad, so autograd builds no other paths.
            leaf = params[PACKED.index(wrt)].detach().requires_grad_()
            params[PACKED.index(wrt)] = leaf
        x, W1, b1, W2, b2, y = params
        z1 = (W1.view(hidden, 2, -1) * x).sum(1) + b1
        a1 = {"sigmoid": lambda: torch.reciprocal(torch.exp(-z1) + 1), "tanh": lambda: torch.tanh(z1),
              "relu": lambda: torch.relu(z1)}[act]()
        yhat = (W2 * a1).sum(0, keepdim=True) + b2
        err = yhat - y
        loss = err * err
        parts = [z1, a1, yhat, loss]
        if gradient:
            inputs = (leaf, yhat, z1) if wrt in ("W1", "b1", "x") else (leaf, yhat)
            grads = torch.autograd.grad(loss, inputs, torch.ones_like(loss))
            # The asked entry's row within its parameter's rows (W1 row-major; W2 is 1 × hidden).
            row = 2 * index[0] + index[1] if wrt == "W1" else index[-1] if index else 0
            parts += [grads[0][row:row + 1], *grads[1:]]
        out = torch.cat(parts).detach().cpu().numpy()
        cols = {"z1": out[:hidden].T, "a1": out[hidden:2 * hidden].T, "yhat": out[2 * hidden],
                "loss": out[2 * hidden + 1]}
        if gradient:
            answer, cols["dyhat"] = out[2 * hidden + 2], out[2 * hidden + 3]
            if wrt in ("W1", "b1", "x"):
                cols["dz1"] = out[2 * hidden + 4:].T
        else:
            answer = cols[{"loss": "loss", "output": "yhat"}[wrt]]
        return {"answer": answer, "values": cols, "mistakes": self.wrong_answers(theta, cols, answer, config)}

    def wrong_answers(self, theta, cols: dict, answer: np.ndarray, config: dict) -> dict[str, np.ndarray]:
        """The named mistakes, from the torch values with elementwise numpy (each op exactly rounded,
        so they are identical for any batch size)."""
        hidden, act, wrt, index = config["hidden"], config["activation"], config["wrt"], entry(config)
        x, W1, b1, W2, b2, y = split(theta, hidden)
        z = cols["z1"].T
        slope_from_z = {"sigmoid": lambda zi: zi * (1 - zi), "tanh": lambda zi: 1 - zi * zi}.get(act)
        if wrt == "output" or wrt == "loss":
            wrong = b2 + sum(W2[i] * z[i] for i in range(hidden))
            if wrt == "output":
                return {"used_preactivation": wrong}
            return {"forgot_factor_2": answer * 0.5, "used_preactivation": (wrong - y) * (wrong - y)}
        out = {"forgot_factor_2": answer * 0.5, "sign_flipped": -answer}
        dyhat = cols["dyhat"]
        if wrt == "W2":
            out["used_preactivation"] = dyhat * z[index[1]]
        elif wrt in ("W1", "b1"):
            unit, factor = index[0], (x[index[1]] if wrt == "W1" else 1.0)
            out["forgot_activation_derivative"] = dyhat * W2[unit] * factor
            if slope_from_z:
                out["used_preactivation"] = dyhat * W2[unit] * slope_from_z(z[unit]) * factor
        elif wrt == "x":
            j = index[0]
            out["forgot_activation_derivative"] = dyhat * sum(W1[i, j] * W2[i] for i in range(hidden))
            if slope_from_z:
                wrong = sum(W1[i, j] * W2[i] * slope_from_z(z[i]) for i in range(hidden))
                out["used_preactivation"] = dyhat * wrong
        return out

    @staticmethod
    def to_solved(columns: dict) -> list[Solved]:
        """Per-variant Solved objects from solve_columns' arrays (whole-array .tolist(), then zip)."""
        names, values = list(columns["values"]), [v.tolist() for v in columns["values"].values()]
        wrong, wrong_values = list(columns["mistakes"]), [v.tolist() for v in columns["mistakes"].values()]
        rows = zip(columns["answer"].tolist(), zip(*values, strict=True), zip(*wrong_values, strict=True),
                   strict=True)
        return [Solved(answer, dict(zip(names, vals, strict=True)), dict(zip(wrong, bad, strict=True)))
                for answer, vals, bad in rows]

    # --- text and drawing (pure Python) ----------------------------------------------------------
    @staticmethod
    def asked_tex(config: dict) -> str:
        """LaTeX for the asked quantity, entries counted from 0 as in the prompt (and PyTorch)."""
        wrt, index = config["wrt"], list(entry(config))
        symbol = {
            "W1": lambda: f"(W_1)_{{{index[0]},{index[1]}}}", "W2": lambda: f"(W_2)_{{0,{index[1]}}}",
            "b1": lambda: f"(b_1)_{{{index[0]}}}", "x": lambda: f"x_{{{index[0]}}}", "b2": lambda: "b_2",
        }
        if wrt in ("loss", "output"):
            return "L" if wrt == "loss" else "\\hat y"
        return f"\\dfrac{{\\partial L}}{{\\partial {symbol[wrt]()}}}"

    def prompt(self, config: dict) -> str:
        hidden, act, wrt = config["hidden"], config["activation"], config["wrt"]
        f = ACT_TEX[act]
        if wrt in ("loss", "output"):
            ask = "the loss $L$" if wrt == "loss" else "the network's output $\\hat y$"
        else:
            torch_index = "[" + ", ".join(map(str, entry(config))) + "]" if entry(config) else ""
            ask = f"the gradient ${self.asked_tex(config)}$ (`{wrt}{torch_index}` in PyTorch)"
        return (
            f"A network with 2 inputs, {hidden} hidden units with activation ${f}$ and one linear output "
            f"unit computes $z = W_1 x + b_1$, $a = {f}(z)$ (elementwise), $\\hat y = W_2 a + b_2$, with\n\n"
            "$$x = {{ x }},\\quad W_1 = {{ W1 }},\\quad b_1 = {{ b1 }},\\quad W_2 = {{ W2 }},\\quad "
            "b_2 = {{ b2 }}$$\n\n"
            "and target $y = {{ y }}$. The loss is the squared error $L = (\\hat y - y)^2$ (PyTorch's "
            "`MSELoss` on one output: the mean over a single element, with no factor $\\tfrac12$).\n\n"
            f"Compute {ask}. " + (COUNTING + " " if wrt not in ("loss", "output", "b2") else "")
            + "Give the answer to at least 3 significant figures."
        )

    def explain(self, params: dict, values: dict, config: dict) -> list[Step]:
        hidden, act, wrt, index = config["hidden"], config["activation"], config["wrt"], entry(config)
        f, r, asked = ACT_TEX[act], latex.value, self.asked_tex(config)
        z, a, yhat, loss = values["z1"], values["a1"], values["yhat"], values["loss"]
        z_tex, a_tex, yhat_tex = r(z, 4), r(a, 4), r(yhat, 4)
        steps = [Step("Conventions", conventions(act)), Step("Forward pass", (
            f"$$z = W_1 x + b_1 = {exact(params['W1'])} {exact(params['x'])} + {exact(params['b1'])} "
            f"= {z_tex}$$\n\n$$a = {f}(z) = {a_tex}$$\n\n"
            f"$$\\hat y = W_2 a + b_2 = {exact(params['W2'])} {a_tex} + {factor(params['b2'])} "
            f"= {yhat_tex}$$\n\n"
            f"$$L = (\\hat y - y)^2 = ({yhat_tex} - {factor(params['y'])})^2 = {r(loss, 4)}$$"
        ))]
        answer = {"loss": loss, "output": yhat}.get(wrt)
        if answer is None:
            dyhat, dz = values["dyhat"], values.get("dz1")
            body = f"$$\\frac{{\\partial L}}{{\\partial \\hat y}} = 2(\\hat y - y) = {r(dyhat, 4)}$$"
            if wrt == "b2":
                answer = dyhat
            elif wrt == "W2":
                j = index[1]
                answer = dyhat * a[j]
                body += (f"\n\n$${asked} = \\frac{{\\partial L}}{{\\partial \\hat y}}\\, "
                         f"a_{{{j}}} = {factor(dyhat, 4)} \\cdot {factor(a[j], 4)}$$")
            else:
                slope = [v * (1 - v) for v in a] if act == "sigmoid" else (
                    [1 - v * v for v in a] if act == "tanh" else [1.0 if v > 0 else 0.0 for v in z])
                body += (
                    "\n\nBack through the hidden layer, elementwise: $\\frac{\\partial L}{\\partial z_i} = "
                    f"\\frac{{\\partial L}}{{\\partial \\hat y}}\\,(W_2)_{{0,i}}\\, {f}'(z_i)$ with\n\n"
                    f"$${f}'(z) = {r(slope, 4)},\\qquad \\frac{{\\partial L}}{{\\partial z}} = {r(dz, 4)}$$"
                )
                i = index[0]
                if wrt == "b1":
                    answer, tail = dz[i], f"\\frac{{\\partial L}}{{\\partial z_{{{i}}}}}"
                elif wrt == "W1":
                    j = index[1]
                    answer = dz[i] * params["x"][j]
                    tail = (f"\\frac{{\\partial L}}{{\\partial z_{{{i}}}}}\\, x_{{{j}}} = "
                            f"{factor(dz[i], 4)} \\cdot {factor(params['x'][j])}")
                else:
                    answer = sum(params["W1"][k][i] * dz[k] for k in range(hidden))
                    terms = (f"{factor(params['W1'][k][i])} \\cdot {factor(dz[k], 4)}" for k in range(hidden))
                    tail = (f"\\sum_{{k=0}}^{{{hidden - 1}}} (W_1)_{{k,{i}}}\\, "
                            f"\\frac{{\\partial L}}{{\\partial z_k}} = " + " + ".join(terms))
                body += f"\n\n$${asked} = {tail}$$"
            steps.append(Step("Backward pass", body))
        steps.append(Step("Answer", f"$${asked} \\approx {r(answer, 4)}$$"))
        return steps

    def diagram(self, params: dict, config: dict) -> str | None:
        """The network as SVG: inputs, hidden units and the output in columns, weights on the edges
        (the asked weight's edge thicker), inputs and biases under the nodes."""
        template = diagram_template(config["hidden"], config["activation"], config["wrt"], entry(config))
        W1, W2 = params["W1"], params["W2"][0]
        labels = [label(w) for row in W1 for w in row] + [label(w) for w in W2]
        labels += [label(v) for v in params["x"]] + [label(v) for v in params["b1"]] + [label(params["b2"])]
        return template.format(*labels)


GENERATORS = [MlpBackward()]
