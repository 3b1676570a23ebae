"""Lecture 5 generators: weight decay, inverted dropout, L1/L2 penalties; hand-computed answers."""

import pytest
import torch

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import answer, assert_keeps_the_contract, config_combinations

SLUGS = ("weight_decay_step", "dropout_scaling", "norm_penalty")


# --- weight decay: w = (1, -2), g = (0.5, 0.5), lr 0.1, λ 0.5 → g + λw = (1, -0.5) -----------------

DECAY = {"w": [1, -2], "g": [0.5, 0.5], "lr": 0.1, "wd": 0.5}


def test_weight_decay_step_by_hand():
    variant = answer("weight_decay_step", {"size": 2}, DECAY)
    assert variant.answer == pytest.approx([0.9, -1.95])
    mistakes = {m.name: m.value for m in variant.mistakes}
    assert mistakes["forgot_decay"] == pytest.approx([0.95, -2.05])
    assert mistakes["half_decay"] == pytest.approx([0.925, -2.0])  # λ/2 · w
    assert mistakes["decay_not_scaled"] == pytest.approx([0.45, -1.05])


def test_weight_decay_size_error_says_the_range():
    with pytest.raises(ConfigError, match="at least 1"):
        get_generator("weight_decay_step").clean_config({"size": 0})
    with pytest.raises(ConfigError, match="shape \\[2\\]"):
        get_generator("weight_decay_step").generate(1, {"size": 2, "fixed": {"w": [1, 2, 3]}})


# --- inverted dropout: a = (1, 2, -1, 3), m = (1, 0, 1, 1), p = 0.25 -------------------------------

DROP = {"a": [1, 2, -1, 3], "mask": [1, 0, 1, 1], "p": 0.25}


def test_dropout_training_mode_scales_kept_values_by_one_over_keep():
    variant = answer("dropout_scaling", {}, DROP)
    assert variant.answer == pytest.approx([4 / 3, 0, -4 / 3, 4])
    mistakes = {m.name: m.value for m in variant.mistakes}
    assert mistakes["scaled_by_p"] == pytest.approx([4, 0, -4, 12])
    assert mistakes["forgot_scaling"] == pytest.approx([1, 0, -1, 3])


def test_dropout_evaluation_mode_is_the_identity():
    assert answer("dropout_scaling", {"mode": "eval"}, DROP).answer == [1, 2, -1, 3]


def test_pytorch_dropout_convention_matches_the_prompt():
    """nn.Dropout(p): p is the drop probability, kept values are scaled by 1/(1 − p) in training."""
    torch.manual_seed(0)
    out = torch.nn.functional.dropout(torch.ones(4000, dtype=torch.float64), p=0.25, training=True)
    kept = out[out != 0]
    assert torch.allclose(kept, torch.full_like(kept, 1 / 0.75))
    assert 0.72 < len(kept) / 4000 < 0.78


def test_dropout_config_errors_say_what_is_allowed():
    generator = get_generator("dropout_scaling")
    with pytest.raises(ConfigError, match='"train", "eval"'):
        generator.clean_config({"mode": "test"})
    with pytest.raises(ConfigError, match="at least 0 and below 1"):
        generator.clean_config({"fixed": {"p": 1}})
    with pytest.raises(ConfigError, match="0 \\(dropped\\) and 1 \\(kept\\)"):
        generator.clean_config({"fixed": {"mask": [1, 0.5, 0, 1]}})


# --- penalties: w = (1.5, -2, 0.5), λ = 0.2, L_data = 1.5, ∂L_data/∂w1 = -0.5 --------------------

PENALTY = {"w": [1.5, -2, 0.5], "lam": 0.2, "data_loss": 1.5, "g": -0.5}


@pytest.mark.parametrize(("config", "expected"), [
    ({"penalty": "l2", "ask": "loss"}, 1.5 + 0.1 * (2.25 + 4 + 0.25)),
    ({"penalty": "l2", "ask": "gradient"}, -0.5 + 0.2 * 1.5),
    ({"penalty": "l1", "ask": "loss"}, 1.5 + 0.2 * 4),
    ({"penalty": "l1", "ask": "gradient"}, -0.5 + 0.2),
])
def test_norm_penalty_by_hand(config, expected):
    assert answer("norm_penalty", config, PENALTY).answer == pytest.approx(expected)


def test_norm_penalty_mistakes_are_named():
    mistakes = {m.name: m.value for m in answer("norm_penalty", {}, PENALTY).mistakes}
    assert mistakes == pytest.approx({"forgot_penalty": -0.5, "sign_flipped": -0.8, "forgot_half": 0.1})


def test_norm_penalty_unknown_setting_lists_the_known_ones():
    with pytest.raises(ConfigError, match="known settings: penalty, ask, fixed"):
        get_generator("norm_penalty").clean_config({"lambda": 0.1})


# --- every config, not only the defaults the contract test covers -------------------------------

SIZES = {"weight_decay_step": ({}, {"size": 1}, {"size": 6}), "dropout_scaling": ({}, {"size": 2}, {"size": 8})}


@pytest.mark.parametrize("slug", SLUGS)
def test_every_config_keeps_the_contract(slug):
    for config in config_combinations(slug, extras=SIZES.get(slug, ({},))):
        assert_keeps_the_contract(get_generator(slug), config)
