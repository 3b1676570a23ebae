"""Lectures 3-4 generators: activations and the XOR network; hand-computed answers and conventions."""

import math

import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import answer, assert_keeps_the_contract, config_combinations

SLUGS = ("activation_derivative", "xor_network")


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def phi(x):  # standard normal density and distribution function
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi), 0.5 * (1 + math.erf(x / math.sqrt(2)))


# --- activation values and derivatives ----------------------------------------------------------

@pytest.mark.parametrize(("activation", "x", "value", "derivative"), [
    ("sigmoid", 1.0, sigmoid(1), sigmoid(1) * (1 - sigmoid(1))),
    ("tanh", 0.5, math.tanh(0.5), 1 - math.tanh(0.5) ** 2),
    ("relu", -1.5, 0.0, 0.0),
    ("relu", 2.0, 2.0, 1.0),
    ("leaky_relu", -2.0, -0.02, 0.01),
    ("elu", -1.0, math.exp(-1) - 1, math.exp(-1)),
    ("gelu", 1.0, phi(1)[1], phi(1)[1] + phi(1)[0]),
    ("softplus", 1.0, math.log(1 + math.e), sigmoid(1)),
])
def test_activation_value_and_derivative_by_hand(activation, x, value, derivative):
    config = {"activation": activation}
    value_asked = {**config, "ask": "value"}
    assert answer("activation_derivative", value_asked, {"x": x}).answer == pytest.approx(value)
    assert answer("activation_derivative", config, {"x": x}).answer == pytest.approx(derivative, abs=1e-12)


def test_pytorch_conventions_at_the_kink():
    """ReLU'(0) = 0, but leaky ReLU and ELU take the x ≤ 0 branch at 0 (STACK-NOTES)."""
    assert answer("activation_derivative", {"activation": "relu"}, {"x": 0}).answer == 0.0
    leaky = {"activation": "leaky_relu", "negative_slope": 0.2}
    assert answer("activation_derivative", leaky, {"x": 0}).answer == pytest.approx(0.2)
    elu = {"activation": "elu", "alpha": 2.0}
    assert answer("activation_derivative", elu, {"x": 0}).answer == pytest.approx(2.0)


def test_activation_mistakes_are_named():
    variant = answer("activation_derivative", {"activation": "tanh"}, {"x": 0.5})
    mistakes = {m.name: m.value for m in variant.mistakes}
    assert mistakes == pytest.approx({"gave_value": math.tanh(0.5), "used_input": 0.75,
                                      "forgot_square": 1 - math.tanh(0.5)})
    gelu = {m.name for m in answer("activation_derivative", {"activation": "gelu"}, {"x": 1.5}).mistakes}
    assert "forgot_product_rule" in gelu


def test_activation_config_errors_list_the_choices():
    with pytest.raises(ConfigError, match='"sigmoid", "tanh", "relu"'):
        get_generator("activation_derivative").clean_config({"activation": "swish"})
    with pytest.raises(ConfigError, match="at most 1.0"):
        get_generator("activation_derivative").clean_config({"negative_slope": 3})


# --- XOR network ---------------------------------------------------------------------------------

INPUTS = ([0, 0], [0, 1], [1, 0], [1, 1])


def test_classic_relu_xor_network_by_hand():
    net = {"W1": [[1, 1], [1, 1]], "b1": [0, -1], "w2": [1, -2], "b2": 0}
    outputs = [answer("xor_network", {}, {**net, "x": x}).answer for x in INPUTS]
    assert outputs == [0.0, 1.0, 1.0, 0.0]


def test_random_weights_forward_pass_by_hand():
    net = {"W1": [[1, -1], [0.5, 2]], "b1": [0.5, -1], "w2": [2, -1], "b2": 0.5, "x": [1, 0.5]}
    variant = answer("xor_network", {"weights": "random"}, net)
    assert variant.answer == pytest.approx(2.0)  # z1 = (1, 0.5) = h, y = 2 - 0.5 + 0.5
    assert {m.name: m.value for m in variant.mistakes}["forgot_bias"] == pytest.approx(-0.5)


@pytest.mark.parametrize("activation", ["relu", "step", "sigmoid"])
def test_sampled_xor_networks_compute_xor(activation):
    generator = get_generator("xor_network")
    config = generator.clean_config({"activation": activation})
    for seed in range(12):
        net = {k: v for k, v in generator.sample(seed, config).items() if k != "x"}
        y00, y01, y10, y11 = (answer("xor_network", {"activation": activation}, {**net, "x": x}).answer
                              for x in INPUTS)
        assert y01 == pytest.approx(y10)
        if activation == "sigmoid":  # XOR-like: true above ½, false below
            assert min(y01, y10) > 0.5 > max(y00, y11)
        else:
            assert y00 == pytest.approx(y11) and y01 > y00 + 0.4
        if activation == "step":
            assert (y00, y01) == (0.0, 1.0)


# --- every config, not only the defaults the contract test covers -------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_every_config_keeps_the_contract(slug):
    for config in config_combinations(slug):
        assert_keeps_the_contract(get_generator(slug), config)
