"""Lecture 2 computation graphs: gradients and values by hand, named mistakes, config errors, every config."""

import math

import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import answer, assert_keeps_the_contract, config_combinations


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


# --- at x = 2, y = -1, z = 0.5 --------------------------------------------------------------------

POINT = {"x": 2, "y": -1, "z": 0.5}
SIG = sigmoid(-1.5)  # σ(xy + z)


@pytest.mark.parametrize(("graph", "wrt", "expected"), [
    ("square", "x", 2 * -1.5 * -1),  # 2u·y with u = xy + z = -1.5
    ("square", "y", 2 * -1.5 * 2),
    ("square", "z", 2 * -1.5),
    ("add_mul", "x", 0.5),  # (x + y)·z: z
    ("add_mul", "z", 1.0),  # x + y
    ("sigmoid", "x", SIG * (1 - SIG) * -1),
    ("fan_out", "y", 2 + 0.5),  # xy + yz: both paths, x + z
])
def test_computation_graph_gradients_by_hand(graph, wrt, expected):
    variant = answer("computation_graph", {"graph": graph, "wrt": wrt}, POINT)
    assert variant.answer == pytest.approx(expected, rel=1e-12)


def test_computation_graph_value_and_named_mistakes():
    assert answer("computation_graph", {"ask": "value"}, POINT).answer == pytest.approx(2.25)
    mistakes = {m.name: m.value for m in answer("computation_graph", {}, POINT).mistakes}
    assert mistakes == pytest.approx({"forward_value": 2.25, "forgot_chain_factor": -1.0,
                                      "forgot_factor_2": 1.5})
    fan_out = answer("computation_graph", {"graph": "fan_out", "wrt": "y"}, POINT)
    assert {m.name: m.value for m in fan_out.mistakes}["one_path_only"] == pytest.approx(2.0)


def test_computation_graph_unknown_graph_lists_the_choices():
    with pytest.raises(ConfigError, match='"add_mul", "square", "sigmoid", "fan_out"'):
        get_generator("computation_graph").clean_config({"graph": "tanh"})


# --- every config, not only the defaults the contract test covers -------------------------------

def test_every_config_keeps_the_contract():
    for config in config_combinations("computation_graph", skip_refused=True):
        assert_keeps_the_contract(get_generator("computation_graph"), config)
