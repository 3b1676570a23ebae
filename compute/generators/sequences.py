"""Lecture 8 (recurrent networks): vanilla RNN steps, one LSTM step, one GRU step (BPTT is in bptt.py).

The cells follow PyTorch's ``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell`` conventions (gate
order, where the biases go), which every prompt states.
"""

import math

import numpy as np

from compute import latex
from compute.config import Field, Schema, check_index
from compute.contract import Generator
from compute.latex import rounded
from compute.sampling import first_valid
from compute.variant import Solved, Step

ROUND = "Give the answer to at least 3 significant figures."


def _sigmoid(x):
    """The logistic sigmoid of a float or an array (numpy)."""
    return 1 / (1 + np.exp(-x))


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
        return first_valid(draw, ok)

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
                f"$$a_{step} = W_{{ih}} {latex.value(x)} + b + W_{{hh}} {prev} = {rounded(pre)}, \\qquad "
                f"h_{step} = \\tanh(a_{step}) = {rounded(h)}$$")))
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
        check_index(config, "unit", "hidden_size")

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
        return first_valid(draw, (answer >= 0.05) & ((answer <= 0.95) | (config["asked"] == "c")))

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
                f"$$W_{{ih}} x + W_{{hh}} h_{{t-1}} + b = {rounded(values['pre'])}$$\n\n"
                f"For unit {u + 1}: $a_i = {rounded(a[0])}$, $a_f = {rounded(a[1])}$, $a_g = {rounded(a[2])}$, "
                f"$a_o = {rounded(a[3])}$.")),
            Step("Gates", (
                f"$$i = \\sigma(a_i) = {rounded(gate['i'])}, \\quad f = \\sigma(a_f) = {rounded(gate['f'])}, \\quad "
                f"g = \\tanh(a_g) = {rounded(gate['g'])}, \\quad o = \\sigma(a_o) = {rounded(gate['o'])}$$")),
            Step("New cell state", (
                f"$$c_t = f \\, c_{{t-1}} + i \\, g = {rounded(gate['f'])} \\cdot ({c0}) + {rounded(gate['i'])} "
                f"\\cdot ({rounded(gate['g'])}) = {rounded(gate['c'])}$$")),
        ]
        if config["asked"] == "h":
            steps.append(Step("New hidden state", (
                f"$$h_t = o \\tanh(c_t) = {rounded(gate['o'])} \\cdot \\tanh({rounded(gate['c'])}) = "
                f"{rounded(gate['h'])}$$")))
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
        check_index(config, "unit", "hidden_size")

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
        return first_valid(draw, ok)

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
                f"$$W_{{ih}} x_t + b_{{ih}} = {rounded(gi)}, \\qquad W_{{hh}} h_{{t-1}} + b_{{hh}} = "
                f"{rounded(gh)}$$")),
            Step("Reset and update gates", (
                f"$$r = \\sigma({rounded(gi[u])} + ({rounded(gh[u])})) = {rounded(r)}, \\qquad "
                f"z = \\sigma({rounded(gi[hs + u])} + ({rounded(gh[hs + u])})) = {rounded(z)}$$")),
            Step("Candidate", (
                "The reset gate multiplies the whole hidden part $W_{hn} h_{t-1} + b_{hn}$ (PyTorch's "
                "form):\n\n"
                f"$$n = \\tanh\\big({rounded(gi[2 * hs + u])} + {rounded(r)} \\cdot "
                f"({rounded(gh[2 * hs + u])})\\big) = {rounded(n)}$$")),
            Step("New hidden state", (
                f"$$h_t = (1 - z)\\, n + z\\, h_{{t-1}} = (1 - {rounded(z)}) \\cdot ({rounded(n)}) + "
                f"{rounded(z)} \\cdot ({h0}) = {rounded(h)}$$")),
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


GENERATORS = [RnnStep(), LstmStep(), GruStep()]
