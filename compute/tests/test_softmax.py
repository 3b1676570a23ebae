"""Lectures 3-4 softmax generators: temperature, cross-entropy and its gradient, by hand; config errors."""

import math

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import answer, assert_keeps_the_contract, config_combinations

SLUGS = ("softmax_cross_entropy", "softmax_gradient")

# --- z = (1, 2, 0.5), T = 2, true class 1 (counting from 0) -------------------------------------

SOFT = {"z": [1, 2, 0.5], "T": 2, "y": 1}
P = np.exp(np.array([0.5, 1.0, 0.25])) / np.exp(np.array([0.5, 1.0, 0.25])).sum()


def test_softmax_probability_and_loss_by_hand():
    assert answer("softmax_cross_entropy", {"ask": "probability"}, SOFT).answer == pytest.approx(P[1])
    variant = answer("softmax_cross_entropy", {}, SOFT)
    assert variant.answer == pytest.approx(-math.log(P[1]))
    mistakes = {m.name: m.value for m in variant.mistakes}
    plain = np.exp([1, 2, 0.5]) / np.exp([1, 2, 0.5]).sum()
    assert mistakes["forgot_temperature"] == pytest.approx(-math.log(plain[1]))
    assert mistakes["log10"] == pytest.approx(-math.log10(P[1]))


def test_softmax_gradient_is_p_minus_onehot_over_t():
    variant = answer("softmax_gradient", {}, SOFT)
    assert variant.answer == pytest.approx(list((P - np.array([0, 1, 0])) / 2))
    mistakes = {m.name: m.value for m in variant.mistakes}
    assert mistakes["forgot_temperature_factor"] == pytest.approx(list(P - np.array([0, 1, 0])))


def test_softmax_survives_huge_fixed_logits():
    variant = answer("softmax_cross_entropy", {}, {"z": [900, 0, -900], "T": 0.5, "y": 1})
    assert variant.answer == pytest.approx(1800)


def test_classes_count_from_0_in_the_prompt_and_the_worked_solution():
    variant = answer("softmax_gradient", {}, SOFT)
    assert "Indices count from 0, as in PyTorch." in variant.prompt and "{{ y }}" in variant.prompt
    assert "e_{1}" in variant.steps[-1].body
    old = {"z": [1, 2, 0.5], "T": 2, "target": 2}  # stored before classes counted from 0: the same class
    generator = get_generator("softmax_cross_entropy")
    assert generator.solve(old, generator.clean_config({})).answer == pytest.approx(-math.log(P[1]))


def test_softmax_fixed_target_and_temperature_are_checked():
    with pytest.raises(ConfigError, match="class number from 0 to 2"):
        get_generator("softmax_cross_entropy").clean_config({"fixed": {"y": 3}})
    with pytest.raises(ConfigError, match="fix “y” instead of “target”"):
        get_generator("softmax_cross_entropy").clean_config({"fixed": {"target": 2}})
    with pytest.raises(ConfigError, match="positive number"):
        get_generator("softmax_gradient").clean_config({"fixed": {"T": 0}})


# --- every config, not only the defaults the contract test covers -------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_every_config_keeps_the_contract(slug):
    for config in config_combinations(slug, extras=({}, {"classes": 2}, {"classes": 6})):
        assert_keeps_the_contract(get_generator(slug), config)
