"""Lecture 8 generators: fixed cases against numpy re-implementations, PyTorch's cells, finite differences."""

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import assert_consistent_variants, config


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


RNN = {"W_ih": [[0.5], [-1.0]], "W_hh": [[0.5, -0.5], [1.0, 0.0]], "b": [0.5, 0.0], "h0": [0.0, 1.0],
       "X": [[1.0], [-0.5]]}


def test_rnn_two_steps_against_numpy():
    w_ih, w_hh, b, h = (np.array(RNN[n]) for n in ("W_ih", "W_hh", "b", "h0"))
    linear = h
    for x in np.array(RNN["X"]):
        h = np.tanh(w_ih @ x + b + w_hh @ h)
        linear = w_ih @ x + b + w_hh @ linear
    solved = get_generator("rnn_step").solve(RNN, config("rnn_step"))
    np.testing.assert_allclose(solved.answer, h, rtol=1e-12)
    np.testing.assert_allclose(solved.mistakes["forgot_tanh"], linear, rtol=1e-12)
    np.testing.assert_allclose(solved.mistakes["forgot_recurrence"], np.tanh(w_ih @ [-0.5] + b), rtol=1e-12)


def test_rnn_matches_torch_rnncell():
    import torch

    cell = torch.nn.RNNCell(1, 2).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(RNN["W_ih"]))
        cell.weight_hh.copy_(torch.tensor(RNN["W_hh"]))
        cell.bias_ih.copy_(torch.tensor([0.25, -0.5]))  # b = b_ih + b_hh
        cell.bias_hh.copy_(torch.tensor([0.25, 0.5]))
        h = torch.tensor([RNN["h0"]], dtype=torch.float64)
        for x in RNN["X"]:
            h = cell(torch.tensor([x], dtype=torch.float64), h)
    answer = get_generator("rnn_step").solve(RNN, config("rnn_step")).answer
    assert answer == pytest.approx(h[0].tolist(), rel=1e-12)


LSTM = {"x": [1.0], "h0": [0.5], "c0": [-1.0], "W_ih": [[0.5], [1.0], [-0.5], [1.0]],
        "W_hh": [[1.0], [-1.0], [0.0], [0.0]], "b": [0.0, -0.5, 0.5, -0.5]}
LSTM_2 = {**LSTM, "b": [0.5, 0.5, -1.0, 0.0]}  # every gate pre-activation distinct


def lstm_numpy(p, order=(0, 1, 2, 3), gate=sigmoid):
    a = np.array(p["W_ih"]) @ p["x"] + np.array(p["W_hh"]) @ p["h0"] + p["b"]
    i, f, g, o = (a[k] for k in order)
    c = gate(f) * p["c0"][0] + gate(i) * np.tanh(g)
    return c, gate(o) * np.tanh(c)


def test_lstm_step_gate_order_i_f_g_o():
    c, h = lstm_numpy(LSTM)
    generator = get_generator("lstm_step")
    solved_h = generator.solve(LSTM, config("lstm_step"))
    assert solved_h.answer == pytest.approx(h, rel=1e-12)
    other = generator.solve(LSTM_2, config("lstm_step"))
    assert other.answer == pytest.approx(lstm_numpy(LSTM_2)[1], rel=1e-12)
    assert other.mistakes["wrong_gate_order"] == pytest.approx(lstm_numpy(LSTM_2, order=(0, 2, 1, 3))[1])
    assert other.mistakes["tanh_for_gates"] == pytest.approx(lstm_numpy(LSTM_2, gate=np.tanh)[1])
    solved_c = generator.solve(LSTM, config("lstm_step", asked="c"))
    assert solved_c.answer == pytest.approx(c, rel=1e-12)
    # Pre-activations 1, 0, 0, 0.5: c = σ(0)·(−1) + σ(1)·tanh(0) = −0.5.
    assert solved_c.answer == pytest.approx(-0.5)
    assert solved_c.mistakes["forgot_forget_gate"] == pytest.approx(-1.0)


def test_lstm_matches_torch_lstmcell():
    import torch

    cell = torch.nn.LSTMCell(1, 1).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(LSTM["W_ih"]))
        cell.weight_hh.copy_(torch.tensor(LSTM["W_hh"]))
        cell.bias_ih.copy_(torch.tensor(LSTM["b"]))
        cell.bias_hh.zero_()
        x, h0, c0 = (torch.tensor([LSTM[name]], dtype=torch.float64) for name in ("x", "h0", "c0"))
        h, c = cell(x, (h0, c0))
    answer = get_generator("lstm_step").solve(LSTM, config("lstm_step")).answer
    assert answer == pytest.approx(h.item(), rel=1e-12)


GRU = {"x": [1.0], "h0": [0.5], "W_ih": [[0.5], [-1.0], [1.0]], "W_hh": [[1.0], [0.5], [-0.5]],
       "b_ih": [0.0, 0.5, -0.5], "b_hh": [0.5, -0.5, 1.0]}


def test_gru_step_pytorch_form_and_cho_form():
    w_ih, w_hh = np.array(GRU["W_ih"])[:, 0], np.array(GRU["W_hh"])[:, 0]
    x, h = GRU["x"][0], GRU["h0"][0]
    gi, gh = w_ih * x + GRU["b_ih"], w_hh * h + GRU["b_hh"]
    r, z = sigmoid(gi[0] + gh[0]), sigmoid(gi[1] + gh[1])
    n = np.tanh(gi[2] + r * gh[2])
    n_cho = np.tanh(gi[2] + w_hh[2] * (r * h) + GRU["b_hh"][2])
    solved = get_generator("gru_step").solve(GRU, config("gru_step"))
    assert solved.answer == pytest.approx((1 - z) * n + z * h, rel=1e-12)
    assert solved.mistakes["cho_form"] == pytest.approx((1 - z) * n_cho + z * h, rel=1e-12)
    assert solved.mistakes["swapped_update"] == pytest.approx(z * n + (1 - z) * h, rel=1e-12)


def test_gru_matches_torch_grucell():
    import torch

    cell = torch.nn.GRUCell(1, 1).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh"):
            getattr(cell, name).copy_(torch.tensor(GRU[name.replace("weight", "W")]))
        cell.bias_ih.copy_(torch.tensor(GRU["b_ih"]))
        cell.bias_hh.copy_(torch.tensor(GRU["b_hh"]))
        x, h0 = (torch.tensor([GRU[name]], dtype=torch.float64) for name in ("x", "h0"))
        h = cell(x, h0)
    answer = get_generator("gru_step").solve(GRU, config("gru_step")).answer
    assert answer == pytest.approx(h.item(), rel=1e-12)


def test_gru_variants_are_not_saturated():
    generator = get_generator("gru_step")
    for seed in range(40):
        answer = generator.generate(seed).answer
        assert 0.05 <= abs(answer) <= 0.95


@pytest.mark.parametrize("slug,settings", [
    ("rnn_step", {"input_size": 2, "hidden_size": 3, "steps": 3}),
    ("lstm_step", {"input_size": 2, "hidden_size": 2, "asked": "c", "unit": 2}),
    ("gru_step", {"input_size": 2, "hidden_size": 2, "unit": 2}),
])
def test_other_configs_give_consistent_variants(slug, settings):
    assert_consistent_variants(slug, settings)


def test_config_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="counts from 0, so it must be between 0 and 0 \\(“hidden_size” is 1\\)"):
        config("lstm_step", index=1)
    with pytest.raises(ConfigError, match="“index” counts from 0"):
        config("gru_step", index=1, hidden_size=1)
    with pytest.raises(ConfigError, match="give only “index”"):
        config("gru_step", unit=1, index=0)
