"""Lectures 1-2 regression generators: hand-computed answers, PyTorch conventions, config errors, every config."""

import math

import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import answer, assert_keeps_the_contract, config_combinations

SLUGS = ("linear_regression_mse", "logistic_regression")


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


# --- linear regression: x = (1, 2, 3), y = (2, 2, 5), w = 1, b = 0.5 → r = (-0.5, 0.5, -1.5) -----

LINE = {"x": [1, 2, 3], "y": [2, 2, 5], "w": 1, "b": 0.5}


@pytest.mark.parametrize(("ask", "expected"), [
    ("loss", (0.25 + 0.25 + 2.25) / 3),
    ("grad_w", 2 / 3 * (-0.5 * 1 + 0.5 * 2 - 1.5 * 3)),
    ("grad_b", 2 / 3 * (-0.5 + 0.5 - 1.5)),
    ("step", 1 - 0.1 * (-8 / 3)),
])
def test_linear_regression_by_hand(ask, expected):
    variant = answer("linear_regression_mse", {"ask": ask}, LINE)
    assert variant.answer == pytest.approx(expected, rel=1e-12)


def test_linear_regression_names_the_sum_and_factor_mistakes():
    variant = answer("linear_regression_mse", {"ask": "grad_w"}, LINE)
    mistakes = {m.name: m.value for m in variant.mistakes}
    assert mistakes["sum_not_mean"] == pytest.approx(-8.0)
    assert mistakes["missing_factor_2"] == pytest.approx(-4 / 3)
    assert mistakes["wrong_parameter"] == pytest.approx(-1.0)


def test_linear_regression_points_and_ask_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="at most 6"):
        get_generator("linear_regression_mse").clean_config({"points": 9})
    with pytest.raises(ConfigError, match='"loss", "grad_w", "grad_b", "step"'):
        get_generator("linear_regression_mse").clean_config({"ask": "hessian"})


# --- logistic regression: x = (1, -2), w = (0.5, 0.5), b = 1, y = 1 → z = 0.5 ---------------------

LOGISTIC = {"x": [1, -2], "w": [0.5, 0.5], "b": 1, "y": 1}


@pytest.mark.parametrize(("config", "expected"), [
    ({"ask": "prob"}, sigmoid(0.5)),
    ({"ask": "loss"}, -math.log(sigmoid(0.5))),
    ({"ask": "grad_w", "index": 0}, (sigmoid(0.5) - 1) * 1),
    ({"ask": "grad_w", "index": 1}, (sigmoid(0.5) - 1) * -2),
    ({"ask": "grad_b"}, sigmoid(0.5) - 1),
])
def test_logistic_regression_by_hand(config, expected):
    assert answer("logistic_regression", config, LOGISTIC).answer == pytest.approx(expected, rel=1e-12)


def test_logistic_regression_label_zero_uses_the_other_log_term():
    variant = answer("logistic_regression", {"ask": "loss"}, {**LOGISTIC, "y": 0})
    assert variant.answer == pytest.approx(-math.log(1 - sigmoid(0.5)), rel=1e-12)
    mistakes = {m.name: m.value for m in variant.mistakes}
    assert mistakes["wrong_label_term"] == pytest.approx(-math.log(sigmoid(0.5)))
    assert mistakes["log10"] == pytest.approx(variant.answer / math.log(10))


def test_logistic_regression_survives_a_saturated_fixed_logit():
    variant = answer("logistic_regression", {"ask": "loss"}, {**LOGISTIC, "b": 800, "y": 0})
    assert variant.answer == pytest.approx(799.5)  # z = -0.5 + 800; −ln(1 − σ(z)) = softplus(z) ≈ z


def test_logistic_regression_weight_beyond_features_is_refused():
    with pytest.raises(ConfigError, match="between 0 and 1 \\(“features” is 2\\)"):
        get_generator("logistic_regression").clean_config({"features": 2, "index": 2})


def test_logistic_regression_old_one_based_weight_setting_means_the_same_weight():
    generator = get_generator("logistic_regression")
    assert generator.clean_config({"weight": 2})["index"] == 1
    variant = answer("logistic_regression", {"ask": "grad_w", "weight": 2}, LOGISTIC)
    assert variant.answer == pytest.approx((sigmoid(0.5) - 1) * -2)
    assert "w_1" in variant.prompt and "`w[1]`" in variant.prompt


# --- every config, not only the defaults the contract test covers -------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_every_config_keeps_the_contract(slug):
    for config in config_combinations(slug, skip_refused=True):
        assert_keeps_the_contract(get_generator(slug), config)
