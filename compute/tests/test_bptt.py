"""Lecture 8 BPTT: the gradient against finite differences and by hand, the named mistakes, configs,
config errors."""

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import assert_consistent_variants, config

BPTT = {"w": 0.5, "u": -1.0, "h0": 0.5, "x": [1.0, -0.5, 2.0], "y": 0.5}


def bptt_loss(w, u, p, squared=True):
    h = p["h0"]
    for x in p["x"]:
        h = np.tanh(w * h + u * x)
    return 0.5 * (h - p["y"]) ** 2 if squared else h


@pytest.mark.parametrize("wrt,loss", [("w", "squared"), ("u", "squared"), ("w", "h_T")])
def test_bptt_gradient_against_finite_differences(wrt, loss):
    squared, eps = loss == "squared", 1e-6
    dw, du = (eps, 0.0) if wrt == "w" else (0.0, eps)
    plus = bptt_loss(0.5 + dw, -1.0 + du, BPTT, squared)
    minus = bptt_loss(0.5 - dw, -1.0 - du, BPTT, squared)
    numeric = (plus - minus) / (2 * eps)
    params = BPTT if squared else {k: v for k, v in BPTT.items() if k != "y"}
    solved = get_generator("bptt_gradient").solve(params, config("bptt_gradient", wrt=wrt, loss=loss))
    assert solved.answer == pytest.approx(numeric, rel=1e-6)
    assert sum(solved.values["contributions"]) == pytest.approx(solved.answer, rel=1e-12)
    assert solved.mistakes["truncated"] == solved.values["contributions"][-1]


def test_bptt_mistake_without_tanh_derivative():
    hs = [BPTT["h0"]]
    for x in BPTT["x"]:
        hs.append(np.tanh(0.5 * hs[-1] - 1.0 * x))
    # Chain with tanh' taken as 1: dL/dh_t = (h_3 − y)·w^(3 − t); step t contributes dL/dh_t · h_(t−1).
    expected = sum((hs[3] - BPTT["y"]) * 0.5 ** (3 - t) * hs[t - 1] for t in (1, 2, 3))
    solved = get_generator("bptt_gradient").solve(BPTT, config("bptt_gradient"))
    assert solved.mistakes["forgot_tanh_derivative"] == pytest.approx(expected, rel=1e-12)
    assert solved.mistakes["dropped_half"] == pytest.approx(2 * solved.answer)


def test_bptt_two_steps_by_hand():
    # h1 = tanh(0) = 0, h2 = tanh(1·0 + 1·1); L = h2; dL/du = (1 − h2²)(x2 + w (1 − h1²) x1) = 1 − h2².
    params = {"w": 1.0, "u": 1.0, "h0": 0.0, "x": [0.0, 1.0]}
    settings = config("bptt_gradient", steps=2, loss="h_T", wrt="u")
    solved = get_generator("bptt_gradient").solve(params, settings)
    h2 = np.tanh(1.0)
    assert solved.answer == pytest.approx((1 - h2 ** 2) * (1.0 + 1.0 * 1.0 * 0.0), rel=1e-12)


def test_other_configs_give_consistent_variants():
    assert_consistent_variants("bptt_gradient", {"steps": 2, "loss": "h_T", "wrt": "u"})


def test_config_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="“steps” must be at least 2"):
        config("bptt_gradient", steps=1)
