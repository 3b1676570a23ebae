"""Plain-torch floors for compute/generators/sequences.py (default configs): the same computation only."""

import torch

F64 = torch.float64


def _tensors(params, *names):
    return tuple(torch.tensor(params[name], dtype=F64) for name in names)


def _rnn(w_ih, w_hh, b, h0, x):
    h = h0[None]
    for step in range(x.shape[0]):
        h = torch.rnn_tanh_cell(x[step][None], h, w_ih, w_hh, b)
    return h[0].tolist()


def _lstm(x, h0, c0, w_ih, w_hh, b):
    h, _ = torch.lstm_cell(x[None], (h0[None], c0[None]), w_ih, w_hh, b, torch.zeros_like(b))  # b = b_ih + b_hh
    return h[0, 0].item()


def _gru(x, h0, w_ih, w_hh, b_ih, b_hh):
    return torch.gru_cell(x[None], h0[None], w_ih, w_hh, b_ih, b_hh)[0, 0].item()


FLOORS = {
    "rnn_step": (lambda params: _tensors(params, "W_ih", "W_hh", "b", "h0", "X"), _rnn),
    "lstm_step": (lambda params: _tensors(params, "x", "h0", "c0", "W_ih", "W_hh", "b"), _lstm),
    "gru_step": (lambda params: _tensors(params, "x", "h0", "W_ih", "W_hh", "b_ih", "b_hh"), _gru),
}
