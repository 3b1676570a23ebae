"""Lecture 8 (recurrent networks): vanilla RNN steps, one LSTM step, one GRU step, BPTT on a scalar RNN.

The cells follow PyTorch's ``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell`` conventions (gate
order, where the biases go), which every prompt states.
"""

import math

import numpy as np

from compute import latex
from compute.config import ConfigError, Field, Schema
from compute.generators.base import Generator
from compute.variant import Solved, Step

ROUND = "Give the answer to at least 3 significant figures."


def _n4(x) -> str:
    return latex.value(x, 4)


def _p(x: float, digits: int | None = None) -> str:
    """A number as LaTeX, in parentheses when negative (for products and powers)."""
    text = latex.num(x, digits)
    return f"({text})" if text.startswith("-") else text


def _first_valid(draw: dict, ok: np.ndarray) -> dict:
    """From candidate params (batch, candidates, ...), each variant's first candidate with ``ok`` set
    (the first candidate when none is)."""
    rows, pick = np.arange(ok.shape[0]), np.argmax(ok, axis=1)
    return {name: value[rows, pick] for name, value in draw.items()}


def _sigmoid(x):
    """The logistic sigmoid of a float or an array (numpy)."""
    return 1 / (1 + np.exp(-x))


def _check_unit(config: dict) -> None:
    if config["unit"] > config["hidden_size"]:
        raise ConfigError(f"“unit” must be between 1 and “hidden_size” ({config['hidden_size']}); "
                          f"got {config['unit']}.")


class RnnStep(Generator):
    slug = "rnn_step"
    title = "Vanilla RNN: hidden state after 1-3 steps"
    description = (
        "The hidden state h_T of a tanh RNN cell h_t = tanh(W_ih x_t + b + W_hh h_{t−1}) after 1-3 time "
        "steps from given weights, inputs and initial state."
    )
    lectures = (8,)
    answer_kind = "vector"
    schema = Schema((
        Field("input_size", "int", 1, "Size of each input x_t.", min=1, max=2),
        Field("hidden_size", "int", 2, "Size of the hidden state.", min=1, max=3),
        Field("steps", "int", 2, "Number of time steps T.", min=1, max=3),
    ))
    mistakes = {
        "forgot_tanh": "It looks like you left out the tanh: h_t = tanh(W_ih x_t + b + W_hh h_{t−1}).",
        "forgot_recurrence": "It looks like you ignored the previous hidden state (the W_hh h_{t−1} term).",
        "used_sigmoid": "The vanilla RNN cell uses tanh, not the logistic sigmoid.",
    }

    def sample_batch(self, sampler, config):
        d, h, t, c = config["input_size"], config["hidden_size"], config["steps"], 8
        draw = {
            "W_ih": sampler.nice(-1, 1, 0.5, shape=(c, h, d), nonzero=True),
            "W_hh": sampler.nice(-1, 1, 0.5, shape=(c, h, h)),
            "b": sampler.nice(-1, 1, 0.5, shape=(c, h)),
            "h0": sampler.nice(-1, 1, 0.5, shape=(c, h)),
            "X": sampler.nice(-2, 2, 0.5, shape=(c, t, d), nonzero=True),
        }
        # Run the 8 candidates in numpy; keep the first with an entry of h_T neither ~0 nor saturated
        # whose value without tanh differs.
        h_t = lin = draw["h0"]
        for step in range(t):
            driven = np.einsum("bchd,bcd->bch", draw["W_ih"], draw["X"][:, :, step]) + draw["b"]
            h_t = np.tanh(driven + np.einsum("bcij,bcj->bci", draw["W_hh"], h_t))
            lin = driven + np.einsum("bcij,bcj->bci", draw["W_hh"], lin)
        size = np.abs(h_t)
        ok = (((size >= 0.1) & (size <= 0.95)).any(axis=2)
              & (np.abs(lin - h_t) > 0.02 * size + 0.005).any(axis=2))
        return _first_valid(draw, ok)

    def solve(self, params, config, device="cpu"):
        import torch

        def t(name):
            return torch.tensor(params[name], dtype=torch.float64, device=device)

        w_ih, w_hh, b, h0, x = t("W_ih"), t("W_hh"), t("b"), t("h0"), t("X")
        driven = x @ w_ih.T + b  # the input part W_ih x_t + b of every step at once
        # The right recurrence and the two with the wrong activation (none, sigmoid), side by side.
        h, pres, hs = torch.stack((h0, h0, h0)), [], []
        for step in range(x.shape[0]):
            pre = driven[step] + h @ w_hh.T
            h = torch.stack((torch.tanh(pre[0]), pre[1], torch.sigmoid(pre[2])))
            pres.append(pre[0])
            hs.append(h[0])
        values = {"pre": torch.stack(pres).tolist(), "h": torch.stack(hs).tolist()}
        last = h.tolist()
        mistakes = {"forgot_tanh": last[1], "used_sigmoid": last[2],
                    "forgot_recurrence": torch.tanh(driven[-1]).tolist()}
        return Solved(values["h"][-1], values, mistakes)

    def explain(self, params, values, config):
        steps = [Step("The cell", (
            "PyTorch's `nn.RNNCell` computes $h_t = \\tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$; "
            "here $b = b_{ih} + b_{hh}$ is given as one vector, since only the sum matters.\n\n"
            f"$$h_0 = {latex.value(params['h0'])}$$"))]
        rows = zip(params["X"], values["pre"], values["h"], strict=True)
        for step, (x, pre, h) in enumerate(rows, start=1):
            prev = "h_0" if step == 1 else f"h_{{{step - 1}}}"
            steps.append(Step(f"Step {step}", (
                f"$$a_{step} = W_{{ih}} {latex.value(x)} + b + W_{{hh}} {prev} = {_n4(pre)}, \\qquad "
                f"h_{step} = \\tanh(a_{step}) = {_n4(h)}$$")))
        return steps

    def prompt(self, config):
        t = config["steps"]
        return (
            "A vanilla RNN cell computes $h_t = \\tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$ "
            "(PyTorch's `nn.RNNCell`), with\n\n"
            "$$W_{ih} = {{ W_ih }}, \\quad W_{hh} = {{ W_hh }}, \\quad b = b_{ih} + b_{hh} = {{ b }}, \\quad "
            "h_0 = {{ h0 }}.$$\n\n"
            f"The inputs $x_1, \\dots, x_{t}$ are the rows of $$X = {{{{ X }}}}.$$\n\n"
            f"Compute the hidden state $h_{t}$ (every entry). " + ROUND
        )


class LstmStep(Generator):
    slug = "lstm_step"
    title = "LSTM: one step of the cell"
    description = (
        "One step of a PyTorch-style LSTM cell (gate order i, f, g, o): one entry of the new cell state c_t "
        "or hidden state h_t from given weights, input and previous state."
    )
    lectures = (8,)
    schema = Schema((
        Field("input_size", "int", 1, "Size of the input x_t.", min=1, max=2),
        Field("hidden_size", "int", 1, "Size of the hidden and cell state.", min=1, max=2),
        Field("asked", "choice", "h", "The new hidden state h_t or the new cell state c_t.",
              choices=("h", "c")),
        Field("unit", "int", 1, "Which entry (1-based) of the state is asked.", min=1, max=2),
    ))
    mistakes = {
        "tanh_for_gates": "The gates i, f, o use the sigmoid σ; only the candidate g uses tanh.",
        "forgot_forget_gate": "It looks like you added c_{t−1} without multiplying it by the forget gate f.",
        "wrong_gate_order": "PyTorch stacks the gate rows in the order i, f, g, o (input, forget, cell "
                            "candidate, output); it looks like you used the order i, g, f, o.",
        "forgot_output_gate": "h_t = o ⊙ tanh(c_t): it looks like you forgot the output gate.",
    }

    def check_config(self, config):
        _check_unit(config)

    def sample_batch(self, sampler, config):
        d, h, u, c = config["input_size"], config["hidden_size"], config["unit"] - 1, 4
        draw = {
            "x": sampler.nice(-2, 2, 0.5, shape=(c, d), nonzero=True),
            "h0": sampler.nice(-1, 1, 0.5, shape=(c, h)),
            "c0": sampler.nice(-1, 1, 0.5, shape=(c, h), nonzero=True),
            "W_ih": sampler.nice(-1, 1, 0.5, shape=(c, 4 * h, d)),
            "W_hh": sampler.nice(-1, 1, 0.5, shape=(c, 4 * h, h)),
            "b": sampler.nice(-1, 1, 0.5, shape=(c, 4 * h)),
        }
        # The asked unit for the 4 candidates in numpy: keep the first whose answer is neither ~0 nor
        # (for h) saturated.
        pre = (np.einsum("bcgd,bcd->bcg", draw["W_ih"], draw["x"])
               + np.einsum("bcgh,bch->bcg", draw["W_hh"], draw["h0"]) + draw["b"])
        i, f, g, o = (pre[..., k * h + u] for k in range(4))
        cell = _sigmoid(f) * draw["c0"][..., u] + _sigmoid(i) * np.tanh(g)
        answer = np.abs(cell if config["asked"] == "c" else _sigmoid(o) * np.tanh(cell))
        return _first_valid(draw, (answer >= 0.05) & ((answer <= 0.95) | (config["asked"] == "c")))

    def solve(self, params, config, device="cpu"):
        import torch

        def t(name):
            return torch.tensor(params[name], dtype=torch.float64, device=device)

        x, h0, c0, w_ih, w_hh, b = t("x"), t("h0"), t("c0"), t("W_ih"), t("W_hh"), t("b")
        pre = w_ih @ x + w_hh @ h0 + b
        i_a, f_a, g_a, o_a = pre.chunk(4)
        i, f, o = torch.sigmoid(torch.stack((i_a, f_a, o_a)))
        g = torch.tanh(g_a)
        c = f * c0 + i * g
        h = o * torch.tanh(c)
        u, asked = config["unit"] - 1, config["asked"]
        values = {"pre": pre.tolist(), "i": i.tolist(), "f": f.tolist(), "g": g.tolist(), "o": o.tolist(),
                  "c": c.tolist(), "h": h.tolist()}
        answer = values[asked][u]
        # Mistakes for the asked unit, in plain floats from the pre-activations.
        hs = config["hidden_size"]
        a = [values["pre"][k * hs + u] for k in range(4)]
        c_prev = params["c0"][u]

        def cell(gi, gf, gg, go, keep_forget=True):
            c_new = (gf if keep_forget else 1.0) * c_prev + gi * gg
            return c_new if asked == "c" else go * math.tanh(c_new)

        s = [_sigmoid(v) for v in a]
        mistakes = {
            "tanh_for_gates": cell(math.tanh(a[0]), math.tanh(a[1]), math.tanh(a[2]), math.tanh(a[3])),
            "forgot_forget_gate": cell(s[0], s[1], math.tanh(a[2]), s[3], keep_forget=False),
            "wrong_gate_order": cell(s[0], s[2], math.tanh(a[1]), s[3]),
        }
        if asked == "h":
            mistakes["forgot_output_gate"] = math.tanh(values["c"][u])
        return Solved(answer, values, mistakes)

    def explain(self, params, values, config):
        hs = config["hidden_size"]
        u = config["unit"] - 1
        gate = {name: values[name][u] for name in ("i", "f", "g", "o", "c", "h")}
        a = [values["pre"][k * hs + u] for k in range(4)]
        c0 = latex.num(params["c0"][u])
        steps = [
            Step("Pre-activations", (
                "PyTorch's `nn.LSTMCell` stacks the rows of $W_{ih}$, $W_{hh}$ and the biases in the gate "
                "order $i, f, g, o$ ($b = b_{ih} + b_{hh}$). All four gates at once:\n\n"
                f"$$W_{{ih}} x + W_{{hh}} h_{{t-1}} + b = {_n4(values['pre'])}$$\n\n"
                f"For unit {u + 1}: $a_i = {_n4(a[0])}$, $a_f = {_n4(a[1])}$, $a_g = {_n4(a[2])}$, "
                f"$a_o = {_n4(a[3])}$.")),
            Step("Gates", (
                f"$$i = \\sigma(a_i) = {_n4(gate['i'])}, \\quad f = \\sigma(a_f) = {_n4(gate['f'])}, \\quad "
                f"g = \\tanh(a_g) = {_n4(gate['g'])}, \\quad o = \\sigma(a_o) = {_n4(gate['o'])}$$")),
            Step("New cell state", (
                f"$$c_t = f \\, c_{{t-1}} + i \\, g = {_n4(gate['f'])} \\cdot ({c0}) + {_n4(gate['i'])} "
                f"\\cdot ({_n4(gate['g'])}) = {_n4(gate['c'])}$$")),
        ]
        if config["asked"] == "h":
            steps.append(Step("New hidden state", (
                f"$$h_t = o \\tanh(c_t) = {_n4(gate['o'])} \\cdot \\tanh({_n4(gate['c'])}) = "
                f"{_n4(gate['h'])}$$")))
        return steps

    def prompt(self, config):
        asked = "hidden state $h_t$" if config["asked"] == "h" else "cell state $c_t$"
        which = "" if config["hidden_size"] == 1 else f" (entry {config['unit']})"
        return (
            "An LSTM cell (PyTorch's `nn.LSTMCell`) computes\n\n"
            "$$\\begin{pmatrix} a_i \\\\ a_f \\\\ a_g \\\\ a_o \\end{pmatrix} = W_{ih} x_t + W_{hh} h_{t-1} "
            "+ b, \\quad i = \\sigma(a_i),\\ f = \\sigma(a_f),\\ g = \\tanh(a_g),\\ o = \\sigma(a_o),$$\n\n"
            "$$c_t = f \\odot c_{t-1} + i \\odot g, \\qquad h_t = o \\odot \\tanh(c_t),$$\n\n"
            "with the rows of the weights and of $b = b_{ih} + b_{hh}$ stacked in the gate order **i, f, g, "
            "o**:\n\n"
            "$$W_{ih} = {{ W_ih }}, \\quad W_{hh} = {{ W_hh }}, \\quad b = {{ b }},$$\n\n"
            "$$x_t = {{ x }}, \\quad h_{t-1} = {{ h0 }}, \\quad c_{t-1} = {{ c0 }}.$$\n\n"
            f"Compute the new {asked}{which}. " + ROUND
        )


class GruStep(Generator):
    slug = "gru_step"
    title = "GRU: one step of the cell (PyTorch form)"
    description = (
        "One step of PyTorch's GRU cell (gate order r, z, n; the reset gate multiplies W_hn h + b_hn): one "
        "entry of the new hidden state."
    )
    lectures = (8,)
    schema = Schema((
        Field("input_size", "int", 1, "Size of the input x_t.", min=1, max=2),
        Field("hidden_size", "int", 1, "Size of the hidden state.", min=1, max=2),
        Field("unit", "int", 1, "Which entry (1-based) of h_t is asked.", min=1, max=2),
    ))
    mistakes = {
        "cho_form": "That is the Cho et al. form r ⊙ h_{t−1} inside W_hn(·); PyTorch applies the reset gate "
                    "to the whole term (W_hn h_{t−1} + b_hn).",
        "swapped_update": "PyTorch uses h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}: it looks like you swapped z and 1 − "
                          "z.",
        "forgot_reset": "It looks like you left out the reset gate r in the candidate n.",
    }

    def check_config(self, config):
        _check_unit(config)

    def sample_batch(self, sampler, config):
        d, h, u = config["input_size"], config["hidden_size"], config["unit"] - 1
        c = 4  # candidates per variant; the first that is neither saturated nor ambiguous is kept
        draw = {
            "x": sampler.nice(-2, 2, 0.5, shape=(c, d), nonzero=True),
            "h0": sampler.nice(-1, 1, 0.5, shape=(c, h), nonzero=True),
            "W_ih": sampler.nice(-1, 1, 0.5, shape=(c, 3 * h, d)),
            "W_hh": sampler.nice(-1, 1, 0.5, shape=(c, 3 * h, h)),
            "b_ih": sampler.nice(-1, 1, 0.5, shape=(c, 3 * h)),
            # b_hn ≠ 0 keeps PyTorch's form distinguishable from Cho et al.'s.
            "b_hh": sampler.nice(-1, 1, 0.5, shape=(c, 3 * h), nonzero=True),
        }
        # The cell in numpy, PyTorch's and Cho et al.'s candidate, for the asked unit.
        gi = np.einsum("bcgd,bcd->bcg", draw["W_ih"], draw["x"]) + draw["b_ih"]
        gh = np.einsum("bcgh,bch->bcg", draw["W_hh"], draw["h0"]) + draw["b_hh"]
        r, z = np.split(_sigmoid(gi[..., : 2 * h] + gh[..., : 2 * h]), 2, axis=-1)
        n = np.tanh(gi[..., 2 * h:] + r * gh[..., 2 * h:])
        w_hn_rh = np.einsum("bcgh,bch->bcg", draw["W_hh"][:, :, 2 * h:], r * draw["h0"])
        n_cho = np.tanh(gi[..., 2 * h:] + w_hn_rh + draw["b_hh"][..., 2 * h:])
        right = ((1 - z) * n + z * draw["h0"])[..., u]
        cho = ((1 - z) * n_cho + z * draw["h0"])[..., u]
        size = np.abs(right)
        ok = (size >= 0.05) & (size <= 0.95) & (np.abs(cho - right) > 0.02 * size + 0.005)
        return _first_valid(draw, ok)

    def solve(self, params, config, device="cpu"):
        import torch

        def t(name):
            return torch.tensor(params[name], dtype=torch.float64, device=device)

        x, h0, w_ih, w_hh, b_ih, b_hh = t("x"), t("h0"), t("W_ih"), t("W_hh"), t("b_ih"), t("b_hh")
        gi = w_ih @ x + b_ih
        gh = w_hh @ h0 + b_hh
        hs = config["hidden_size"]
        r, z = torch.sigmoid(gi[: 2 * hs] + gh[: 2 * hs]).chunk(2)
        n = torch.tanh(gi[2 * hs:] + r * gh[2 * hs:])
        h = (1 - z) * n + z * h0
        u = config["unit"] - 1
        values = {"gi": gi.tolist(), "gh": gh.tolist(), "r": r.tolist(), "z": z.tolist(), "n": n.tolist(),
                  "h": h.tolist()}
        # Cho et al.'s candidate (reset before W_hn), the swapped update and the candidate without reset.
        n_cho = torch.tanh(gi[2 * hs:] + w_hh[2 * hs:] @ (r * h0) + b_hh[2 * hs:])
        n_plain = torch.tanh(gi[2 * hs:] + gh[2 * hs:])
        wrong = torch.stack(((1 - z) * n_cho + z * h0, z * n + (1 - z) * h0, (1 - z) * n_plain + z * h0))
        names = ("cho_form", "swapped_update", "forgot_reset")
        mistakes = dict(zip(names, wrong[:, u].tolist(), strict=True))
        return Solved(values["h"][u], values, mistakes)

    def explain(self, params, values, config):
        hs, u = config["hidden_size"], config["unit"] - 1
        gi, gh = values["gi"], values["gh"]
        r, z, n, h = values["r"][u], values["z"][u], values["n"][u], values["h"][u]
        h0 = latex.num(params["h0"][u])
        return [
            Step("Input and hidden parts", (
                "PyTorch's `nn.GRUCell` stacks the rows in the gate order $r, z, n$ and keeps the two biases "
                "apart:\n\n"
                f"$$W_{{ih}} x_t + b_{{ih}} = {_n4(gi)}, \\qquad W_{{hh}} h_{{t-1}} + b_{{hh}} = "
                f"{_n4(gh)}$$")),
            Step("Reset and update gates", (
                f"$$r = \\sigma({_n4(gi[u])} + ({_n4(gh[u])})) = {_n4(r)}, \\qquad "
                f"z = \\sigma({_n4(gi[hs + u])} + ({_n4(gh[hs + u])})) = {_n4(z)}$$")),
            Step("Candidate", (
                "The reset gate multiplies the whole hidden part $W_{hn} h_{t-1} + b_{hn}$ (PyTorch's "
                "form):\n\n"
                f"$$n = \\tanh\\big({_n4(gi[2 * hs + u])} + {_n4(r)} \\cdot ({_n4(gh[2 * hs + u])})\\big) = "
                f"{_n4(n)}$$")),
            Step("New hidden state", (
                f"$$h_t = (1 - z)\\, n + z\\, h_{{t-1}} = (1 - {_n4(z)}) \\cdot ({_n4(n)}) + {_n4(z)} \\cdot "
                f"({h0}) = {_n4(h)}$$")),
        ]

    def prompt(self, config):
        which = "" if config["hidden_size"] == 1 else f" (entry {config['unit']})"
        return (
            "A GRU cell (PyTorch's `nn.GRUCell`) computes\n\n"
            "$$r = \\sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}), \\quad z = \\sigma(W_{iz} x + b_{iz} + "
            "W_{hz} h + b_{hz}),$$\n\n"
            "$$n = \\tanh\\big(W_{in} x + b_{in} + r \\odot (W_{hn} h + b_{hn})\\big), \\qquad "
            "h_t = (1 - z) \\odot n + z \\odot h,$$\n\n"
            "where $h = h_{t-1}$ and the rows of the weights and biases are stacked in the gate order **r, "
            "z, n**:\n\n"
            "$$W_{ih} = {{ W_ih }}, \\quad W_{hh} = {{ W_hh }}, \\quad b_{ih} = {{ b_ih }}, \\quad "
            "b_{hh} = {{ b_hh }},$$\n\n"
            "$$x_t = {{ x }}, \\quad h_{t-1} = {{ h0 }}.$$\n\n"
            f"Compute the new hidden state $h_t${which}. " + ROUND
        )


class BpttGradient(Generator):
    slug = "bptt_gradient"
    title = "Backpropagation through time on a scalar RNN"
    description = (
        "A scalar RNN h_t = tanh(w h_{t−1} + u x_t) over 2-3 steps with loss h_T or ½(h_T − y)²: the "
        "gradient of the loss with respect to the shared weight w or u, summed over the time steps."
    )
    lectures = (8,)
    schema = Schema((
        Field("steps", "int", 3, "Number of time steps T.", min=2, max=3),
        Field("loss", "choice", "squared", "The loss: h_T itself, or ½(h_T − y)².",
              choices=("squared", "h_T")),
        Field("wrt", "choice", "w", "The shared weight the gradient is taken with respect to.",
              choices=("w", "u")),
    ))
    mistakes = {
        "truncated": "That is only the last step's contribution: w (and u) are shared across time, so every "
                     "step contributes to the gradient.",
        "forgot_tanh_derivative": "It looks like you left out the tanh derivative 1 − h_t² in the chain.",
        "dropped_half": "With L = ½(h_T − y)², dL/dh_T = h_T − y (the ½ cancels the 2).",
    }

    def sample_batch(self, sampler, config):
        c, steps = 8, config["steps"]
        weights = sampler.nice(-1, 1, 0.5, shape=(c, 2), nonzero=True)
        draw = {
            "w": weights[..., 0], "u": weights[..., 1],
            "h0": sampler.nice(-1, 1, 0.5, shape=(c,)),
            "x": sampler.nice(-2, 2, 0.5, shape=(c, steps), nonzero=True),
        }
        if config["loss"] == "squared":
            draw["y"] = sampler.nice(-1, 1, 0.5, shape=(c,))
        # BPTT for the 8 candidates in numpy: keep the first whose gradient is not ~0 and differs from
        # the last step's contribution alone.
        hs = [draw["h0"]]
        for step in range(steps):
            hs.append(np.tanh(draw["w"] * hs[-1] + draw["u"] * draw["x"][..., step]))
        upstream = hs[-1] - draw["y"] if "y" in draw else np.ones_like(hs[-1])
        contributions = []
        for step in range(steps, 0, -1):
            local = upstream * (1 - hs[step] ** 2)
            contributions.append(local * (hs[step - 1] if config["wrt"] == "w" else draw["x"][..., step - 1]))
            upstream = local * draw["w"]
        grad = sum(contributions)
        ok = (np.abs(grad) >= 0.05) & (np.abs(grad - contributions[0]) > 0.02 * np.abs(grad) + 0.005)
        return _first_valid(draw, ok)

    def solve(self, params, config, device="cpu"):
        import torch

        wu = torch.tensor([params["w"], params["u"]], dtype=torch.float64, device=device, requires_grad=True)
        x = torch.tensor(params["x"], dtype=torch.float64, device=device)
        w, u = wu
        h = torch.tensor(params["h0"], dtype=torch.float64, device=device)
        hs = []
        for step in range(x.shape[0]):
            h = torch.tanh(w * h + u * x[step])
            hs.append(h)
        loss = 0.5 * (h - params["y"]) ** 2 if config["loss"] == "squared" else h
        grads = torch.autograd.grad(loss, [wu, *hs])
        which = 0 if config["wrt"] == "w" else 1
        answer = grads[0][which].item()
        h_vals = torch.stack(hs).tolist()
        dh = torch.stack(grads[1:]).tolist()
        # Contribution of step t: dL/dh_t · (1 − h_t²) · (h_{t−1} for w, x_t for u).
        prev = [params["h0"], *h_vals[:-1]]
        local = prev if which == 0 else params["x"]
        contrib = [g * (1 - hv * hv) * a for g, hv, a in zip(dh, h_vals, local, strict=True)]
        values = {"h": h_vals, "dL_dh": dh, "contributions": contrib, "loss": loss.item(), "grad": answer}
        # No tanh derivative: dL/dh_t = dL/dh_T · w^{T−t}, each step contributes dL/dh_t · a_t.
        top, wv = dh[-1], params["w"]
        steps = len(h_vals)
        no_tanh = sum(top * wv ** (steps - 1 - k) * a for k, a in enumerate(local))
        mistakes = {"truncated": contrib[-1], "forgot_tanh_derivative": no_tanh}
        if config["loss"] == "squared":
            mistakes["dropped_half"] = 2 * answer
        return Solved(answer, values, mistakes)

    def explain(self, params, values, config):
        name = config["wrt"]
        h = values["h"]
        prev = [params["h0"], *h[:-1]]
        fwd = "\n\n".join(
            f"$$h_{k} = \\tanh\\big({_p(params['w'])} \\cdot {_p(prev[k - 1], 4)} + "
            f"{_p(params['u'])} \\cdot {_p(params['x'][k - 1])}\\big) = {latex.num(h[k - 1], 4)}$$"
            for k in range(1, len(h) + 1))
        top = "h_T - y" if config["loss"] == "squared" else "1"
        loss = ("L = \\tfrac12 (h_T - y)^2" if config["loss"] == "squared" else "L = h_T")
        back = "\n\n".join(
            f"$$\\frac{{\\partial L}}{{\\partial h_{k}}} = {latex.num(g, 4)}$$"
            for k, g in reversed(list(enumerate(values["dL_dh"], start=1))))
        local = "h_{t-1}" if name == "w" else "x_t"
        contrib = " + ".join(f"({latex.num(c, 4)})" for c in values["contributions"])
        return [
            Step("Forward pass", f"With $h_0 = {latex.num(params['h0'])}$:\n\n{fwd}"),
            Step("Backward through time", (
                f"${loss}$, so $\\partial L / \\partial h_T = {top}$; going back one step multiplies by "
                "$\\partial h_t / \\partial h_{t-1} = (1 - h_t^2)\\, w$:\n\n" + back)),
            Step(f"Sum over the time steps ($\\partial L/\\partial {name}$)", (
                f"${name}$ is shared by every step, and step $t$ contributes "
                f"$\\frac{{\\partial L}}{{\\partial h_t}} (1 - h_t^2)\\, {local}$:\n\n"
                f"$$\\frac{{\\partial L}}{{\\partial {name}}} = {contrib} = "
                f"{latex.num(values['grad'], 4)}$$")),
        ]

    def prompt(self, config):
        t = config["steps"]
        loss = ("$L = \\tfrac12 (h_" + str(t) + " - y)^2$ with $y = {{ y }}$" if config["loss"] == "squared"
                else "$L = h_" + str(t) + "$")
        return (
            "A scalar RNN without bias computes $h_t = \\tanh(w\\, h_{t-1} + u\\, x_t)$ with the same "
            "weights $w = {{ w }}$ and $u = {{ u }}$ at every step, starting from $h_0 = {{ h0 }}$. The "
            "inputs "
            f"$x_1, \\dots, x_{t}$ are $x = {{{{ x }}}}$ (as a column). The loss is " + loss + ".\n\n"
            f"Using backpropagation through time over all {t} steps, compute "
            f"$\\partial L / \\partial {config['wrt']}$. " + ROUND
        )


GENERATORS = [RnnStep(), LstmStep(), GruStep(), BpttGradient()]
