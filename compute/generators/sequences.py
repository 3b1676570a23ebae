"""Lecture 8 (recurrent networks): vanilla RNN steps, one LSTM step, one GRU step (BPTT is in bptt.py).

The cells follow PyTorch's ``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell`` conventions (gate
order, where the biases go), which every prompt states.
"""

import math

import numpy as np

from compute import latex
from compute.config import Field, Renamed, Schema, check_index, legacy_index
from compute.contract import COUNTING, HAND_TOLERANCE, Generator
from compute.generators.rnn_steps import RnnSteps
from compute.latex import rounded, shown, shown_array
from compute.sampling import pick_valid
from compute.tolerance import told_apart, within
from compute.variant import Solved, Step

ROUND = "Give the answer to at least 3 significant figures."
ENTRY = Renamed("unit", "index")  # the asked entry of the state counted from 1 before


def _sigmoid(x):
    """The logistic sigmoid of a float or an array (numpy)."""
    return 1 / (1 + np.exp(-x))


def by_hand_close(hand, exact, tolerance: dict) -> np.ndarray:
    """Whether an answer reached from 4-figure intermediates is within half the tolerance of the exact one
    (elementwise): the validity rule that makes a variant hand-computable, with a margin for the final
    rounding and the vectorized ``shown_array``."""
    return within(hand, exact, tolerance["rtol"] / 2, tolerance["atol"] / 2)


def all_rules(checks: dict) -> np.ndarray:
    return np.logical_and.reduce(list(checks.values()))


class RnnStep(RnnSteps, Generator):
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
        "forgot_tanh": "It looks like you left out the tanh: $h_t = \\tanh(W_{ih} x_t + b + W_{hh} h_{t-1})$.",
        "forgot_recurrence": "It looks like you ignored the previous hidden state (the $W_{hh} h_{t-1}$ term).",
        "used_sigmoid": "The vanilla RNN cell uses $\\tanh$, not the logistic sigmoid.",
    }
    rules = {
        "answer_clear": "some entry of h_T is between 0.1 and 0.95 in size (neither ~0 nor saturated)",
        "tanh_matters": "the state without the tanh, and the last step without the recurrence, differ from the "
                        "answer",
        "hand_computable": "going on from the 4-figure values of the worked solution (every a_t and h_t) gives "
                           "the answer within half the tolerance",
    }

    def validity(self, params, config):
        w_ih, w_hh, b, x = params["W_ih"], params["W_hh"], params["b"], params["X"]
        h_t = lin = hand = params["h0"]
        for step in range(x.shape[-2]):
            driven = np.einsum("...hd,...d->...h", w_ih, x[..., step, :]) + b
            h_t = np.tanh(driven + np.einsum("...ij,...j->...i", w_hh, h_t))
            lin = driven + np.einsum("...ij,...j->...i", w_hh, lin)
            hand = shown_array(np.tanh(shown_array(driven + np.einsum("...ij,...j->...i", w_hh, hand))))
        size, tol = np.abs(h_t), self.tolerance(config)
        alone = np.tanh(np.einsum("...hd,...d->...h", w_ih, x[..., -1, :]) + b)
        return {"answer_clear": ((size >= 0.1) & (size <= 0.95)).any(-1),
                "tanh_matters": told_apart(lin, h_t, tol, axes=(-1,)) & told_apart(alone, h_t, tol, axes=(-1,)),
                "hand_computable": by_hand_close(hand, h_t, tol).all(-1)}

    def sample_batch(self, sampler, config):
        d, h, t, c = config["input_size"], config["hidden_size"], config["steps"], 8
        draw = {
            "W_ih": sampler.nice(-1, 1, 0.5, shape=(c, h, d), nonzero=True),
            "W_hh": sampler.nice(-1, 1, 0.5, shape=(c, h, h)),
            "b": sampler.nice(-1, 1, 0.5, shape=(c, h)),
            "h0": sampler.nice(-1, 1, 0.5, shape=(c, h)),
            "X": sampler.nice(-2, 2, 0.5, shape=(c, t, d), nonzero=True),
        }
        return pick_valid(draw, self.validity(draw, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        h = [float(v) for v in params["h0"]]
        for x in params["X"]:
            pre = [sum(w * xi for w, xi in zip(w_row, x, strict=True)) + bi
                   + sum(w * hj for w, hj in zip(u_row, h, strict=True))
                   for w_row, u_row, bi in zip(params["W_ih"], params["W_hh"], params["b"], strict=True)]
            h = [shown(math.tanh(shown(a))) for a in pre]
        return h

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
        Field("index", "int", 0, "Which entry of the state is asked (counting from 0).", min=0, max=1),
    ), renamed=(ENTRY,))
    mistakes = {
        "tanh_for_gates": "The gates $i$, $f$, $o$ use the sigmoid $\\sigma$; only the candidate $g$ uses "
                          "$\\tanh$.",
        "forgot_forget_gate": "It looks like you added $c_{t-1}$ without multiplying it by the forget gate $f$.",
        "wrong_gate_order": "PyTorch stacks the gate rows in the order $i, f, g, o$ (input, forget, cell "
                            "candidate, output); it looks like you used the order $i, g, f, o$.",
        "forgot_output_gate": "$h_t = o \\odot \\tanh(c_t)$: it looks like you forgot the output gate.",
    }
    rules = {
        "answer_clear": "the asked entry is at least 0.05 in size (and h at most 0.95)",
        "gates_matter": "the forget-gate, gate-order and tanh-for-gates mistakes differ from the answer",
        "hand_computable": "going on from the 4-figure gates and states of the worked solution gives the answer "
                           "within half the tolerance",
    }

    def check_config(self, config):
        check_index(config, "index", "hidden_size")

    def validity(self, params, config):
        h, u = config["hidden_size"], legacy_index(config, "index", ENTRY)
        pre = (np.einsum("...gd,...d->...g", params["W_ih"], params["x"])
               + np.einsum("...gh,...h->...g", params["W_hh"], params["h0"]) + params["b"])
        a = [pre[..., k * h + u] for k in range(4)]
        c0, asked = params["c0"][..., u], config["asked"]

        def state(i, f, g, o, keep_forget=True, rnd=lambda v: v):
            c = rnd((f if keep_forget else 1.0) * c0 + i * g)
            return c if asked == "c" else rnd(o * np.tanh(c))

        s = [_sigmoid(v) for v in a]
        answer = state(s[0], s[1], np.tanh(a[2]), s[3])
        tol = self.tolerance(config)
        matter = (told_apart(state(*(np.tanh(v) for v in a)), answer, tol)
                  & told_apart(state(s[0], s[1], np.tanh(a[2]), s[3], keep_forget=False), answer, tol)
                  & told_apart(state(s[0], s[2], np.tanh(a[1]), s[3]), answer, tol))
        rounded_gates = [shown_array(v) for v in (s[0], s[1], np.tanh(a[2]), s[3])]
        hand = state(*rounded_gates, rnd=shown_array)
        size = np.abs(answer)
        return {"answer_clear": (size >= 0.05) & ((size <= 0.95) | (asked == "c")), "gates_matter": matter,
                "hand_computable": by_hand_close(hand, answer, tol)}

    def sample_batch(self, sampler, config):
        d, h, c = config["input_size"], config["hidden_size"], 4
        draw = {
            "x": sampler.nice(-2, 2, 0.5, shape=(c, d), nonzero=True),
            "h0": sampler.nice(-1, 1, 0.5, shape=(c, h)),
            "c0": sampler.nice(-1, 1, 0.5, shape=(c, h), nonzero=True),
            "W_ih": sampler.nice(-1, 1, 0.5, shape=(c, 4 * h, d)),
            "W_hh": sampler.nice(-1, 1, 0.5, shape=(c, 4 * h, h)),
            "b": sampler.nice(-1, 1, 0.5, shape=(c, 4 * h)),
        }
        return pick_valid(draw, self.validity(draw, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        u = legacy_index(config, "index", ENTRY)
        i, f, g, o = (shown(values[name][u]) for name in ("i", "f", "g", "o"))
        c = shown(f * params["c0"][u] + i * g)
        return c if config["asked"] == "c" else shown(o * math.tanh(c))

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
        u, asked = legacy_index(config, "index", ENTRY), config["asked"]
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
        u = legacy_index(config, "index", ENTRY)
        gate = {name: values[name][u] for name in ("i", "f", "g", "o", "c", "h")}
        a = [values["pre"][k * hs + u] for k in range(4)]
        c0 = latex.num(params["c0"][u])
        steps = [
            Step("Pre-activations", (
                "PyTorch's `nn.LSTMCell` stacks the rows of $W_{ih}$, $W_{hh}$ and the biases in the gate "
                "order $i, f, g, o$ ($b = b_{ih} + b_{hh}$). All four gates at once:\n\n"
                f"$$W_{{ih}} x + W_{{hh}} h_{{t-1}} + b = {rounded(values['pre'])}$$\n\n"
                f"For entry {u}: $a_i = {rounded(a[0])}$, $a_f = {rounded(a[1])}$, $a_g = {rounded(a[2])}$, "
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
        which = "" if config["hidden_size"] == 1 else f" (entry {legacy_index(config, 'index', ENTRY)})"
        counting = "" if config["hidden_size"] == 1 else COUNTING + " "
        return (
            "An LSTM cell (PyTorch's `nn.LSTMCell`) computes\n\n"
            "$$\\begin{pmatrix} a_i \\\\ a_f \\\\ a_g \\\\ a_o \\end{pmatrix} = W_{ih} x_t + W_{hh} h_{t-1} "
            "+ b, \\quad i = \\sigma(a_i),\\ f = \\sigma(a_f),\\ g = \\tanh(a_g),\\ o = \\sigma(a_o),$$\n\n"
            "$$c_t = f \\odot c_{t-1} + i \\odot g, \\qquad h_t = o \\odot \\tanh(c_t),$$\n\n"
            "with the rows of the weights and of $b = b_{ih} + b_{hh}$ stacked in the gate order **i, f, g, "
            "o**:\n\n"
            "$$W_{ih} = {{ W_ih }}, \\quad W_{hh} = {{ W_hh }}, \\quad b = {{ b }},$$\n\n"
            "$$x_t = {{ x }}, \\quad h_{t-1} = {{ h0 }}, \\quad c_{t-1} = {{ c0 }}.$$\n\n"
            f"Compute the new {asked}{which}. " + counting + ROUND
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
        Field("index", "int", 0, "Which entry of h_t is asked (counting from 0).", min=0, max=1),
    ), renamed=(ENTRY,))
    mistakes = {
        "cho_form": "That is the Cho et al. form $r \\odot h_{t-1}$ inside $W_{hn}(\\cdot)$; PyTorch applies the "
                    "reset gate to the whole term $(W_{hn} h_{t-1} + b_{hn})$.",
        "swapped_update": "PyTorch uses $h_t = (1 - z) \\odot n + z \\odot h_{t-1}$: it looks like you swapped "
                          "$z$ and $1 - z$.",
        "forgot_reset": "It looks like you left out the reset gate $r$ in the candidate $n$.",
    }
    rules = {
        "answer_clear": "the asked entry is between 0.05 and 0.95 in size",
        "pytorch_form_shows": "Cho et al.'s form (reset before W_hn), the swapped update and the candidate "
                              "without the reset gate each give another answer",
        "hand_computable": "going on from the 4-figure gates of the worked solution gives the answer within half "
                           "the tolerance",
    }

    def check_config(self, config):
        check_index(config, "index", "hidden_size")

    def validity(self, params, config):
        h, u = config["hidden_size"], legacy_index(config, "index", ENTRY)
        gi = np.einsum("...gd,...d->...g", params["W_ih"], params["x"]) + params["b_ih"]
        gh = np.einsum("...gh,...h->...g", params["W_hh"], params["h0"]) + params["b_hh"]
        r, z = _sigmoid(gi[..., u] + gh[..., u]), _sigmoid(gi[..., h + u] + gh[..., h + u])
        n = np.tanh(gi[..., 2 * h + u] + r * gh[..., 2 * h + u])
        w_hn_rh = np.einsum("...h,...h->...", params["W_hh"][..., 2 * h + u, :],
                            _sigmoid(gi[..., :h] + gh[..., :h]) * params["h0"])
        n_cho = np.tanh(gi[..., 2 * h + u] + w_hn_rh + params["b_hh"][..., 2 * h + u])
        h0 = params["h0"][..., u]
        right, cho = (1 - z) * n + z * h0, (1 - z) * n_cho + z * h0
        swapped = z * n + (1 - z) * h0
        plain = (1 - z) * np.tanh(gi[..., 2 * h + u] + gh[..., 2 * h + u]) + z * h0
        rs, zs = shown_array(r), shown_array(z)
        ns = shown_array(np.tanh(gi[..., 2 * h + u] + rs * gh[..., 2 * h + u]))
        hand = shown_array((1 - zs) * ns + zs * h0)
        size, tol = np.abs(right), self.tolerance(config)
        shows = told_apart(cho, right, tol) & told_apart(swapped, right, tol) & told_apart(plain, right, tol)
        return {"answer_clear": (size >= 0.05) & (size <= 0.95), "pytorch_form_shows": shows,
                "hand_computable": by_hand_close(hand, right, tol)}

    def sample_batch(self, sampler, config):
        d, h = config["input_size"], config["hidden_size"]
        c = 4  # candidates per variant; the first that keeps every rule is kept
        draw = {
            "x": sampler.nice(-2, 2, 0.5, shape=(c, d), nonzero=True),
            "h0": sampler.nice(-1, 1, 0.5, shape=(c, h), nonzero=True),
            "W_ih": sampler.nice(-1, 1, 0.5, shape=(c, 3 * h, d)),
            "W_hh": sampler.nice(-1, 1, 0.5, shape=(c, 3 * h, h)),
            "b_ih": sampler.nice(-1, 1, 0.5, shape=(c, 3 * h)),
            # b_hn ≠ 0 keeps PyTorch's form distinguishable from Cho et al.'s.
            "b_hh": sampler.nice(-1, 1, 0.5, shape=(c, 3 * h), nonzero=True),
        }
        return pick_valid(draw, self.validity(draw, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        hs, u = config["hidden_size"], legacy_index(config, "index", ENTRY)
        gi, gh = values["gi"], values["gh"]  # multiples of ¼: shown exactly
        r, z = shown(values["r"][u]), shown(values["z"][u])
        n = shown(math.tanh(gi[2 * hs + u] + r * gh[2 * hs + u]))
        return shown((1 - z) * n + z * params["h0"][u])

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
        u = legacy_index(config, "index", ENTRY)
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
        hs, u = config["hidden_size"], legacy_index(config, "index", ENTRY)
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
        which = "" if config["hidden_size"] == 1 else f" (entry {legacy_index(config, 'index', ENTRY)})"
        counting = "" if config["hidden_size"] == 1 else COUNTING + " "
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
            f"Compute the new hidden state $h_t${which}. " + counting + ROUND
        )


GENERATORS = [RnnStep(), LstmStep(), GruStep()]
