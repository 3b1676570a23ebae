"""Lecture 6 generators: optimizer steps and learning-rate schedules, by hand."""

import math

import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import answer, assert_keeps_the_contract, config_combinations

SLUGS = ("optimizer_step", "lr_schedule")


# --- two steps from w0 = 1 with g = (0.5, -1) ------------------------------------------------------

START = {"w0": 1, "g": [0.5, -1], "lr": 0.1}
ADAM_STEP_2 = (0.045 - 0.1) / (1 - 0.9**2) / (math.sqrt((0.00024975 + 0.001) / (1 - 0.999**2)) + 1e-8)


@pytest.mark.parametrize(("optimizer", "extra", "expected"), [
    ("sgd", {}, 1 - 0.1 * (0.5 - 1)),
    ("momentum", {"mu": 0.9}, 1 - 0.1 * 0.5 - 0.1 * (0.9 * 0.5 - 1)),  # b1 = g1, b2 = μ b1 + g2
    ("nesterov", {"mu": 0.9}, 1 - 0.1 * (0.5 + 0.45) - 0.1 * (-1 + 0.9 * -0.55)),  # g + μ b
    ("adagrad", {}, 1 - 0.1 * 0.5 / (0.5 + 1e-10) + 0.1 / (math.sqrt(1.25) + 1e-10)),
    ("rmsprop", {"lr": 0.01}, 1 - 0.01 * 0.5 / (0.05 + 1e-8) + 0.01 / (math.sqrt(0.012475) + 1e-8)),
    ("adam", {}, 1 - 0.1 * 0.5 / (0.5 + 1e-8) - 0.1 * ADAM_STEP_2),
    ("adamw", {"wd": 0.1}, (1 * 0.99 - 0.1 * 0.5 / (0.5 + 1e-8)) * 0.99 - 0.1 * ADAM_STEP_2),
])
def test_two_optimizer_steps_by_hand(optimizer, extra, expected):
    variant = answer("optimizer_step", {"optimizer": optimizer, "steps": 2}, {**START, **extra})
    assert variant.answer == pytest.approx(expected, rel=1e-9)


def test_first_steps_follow_pytorch_conventions():
    """Adam's first step is ≈ lr·sign(g); RMSprop's is ≈ 10·lr for α = 0.99 (no bias correction)."""
    for g in (-2.0, 0.5):
        adam = answer("optimizer_step", {"optimizer": "adam", "steps": 1}, {"w0": 1, "g": [g], "lr": 0.2})
        assert adam.answer == pytest.approx(1 - 0.2 * math.copysign(1, g))
        rms = answer("optimizer_step", {"optimizer": "rmsprop", "steps": 1}, {"w0": 1, "g": [g], "lr": 0.01})
        assert rms.answer == pytest.approx(1 - 0.1 * math.copysign(1, g))


def test_optimizer_mistakes_are_named():
    fixed = {"w0": 1, "g": [2, 1], "lr": 0.1, "mu": 0.9}
    variant = answer("optimizer_step", {"optimizer": "momentum"}, fixed)
    assert variant.answer == pytest.approx(1 - 0.1 * 2 - 0.1 * (0.9 * 2 + 1))  # b1 = 2, b2 = 2.8
    mistakes = {m.name: m.value for m in variant.mistakes}
    ema = 1 - 0.1 * 0.2 - 0.1 * (0.9 * 0.2 + 0.1 * 1)  # b ← μb + (1 − μ)g from b0 = 0
    assert mistakes == pytest.approx({"ascent": 1.48, "ema_momentum": ema, "no_momentum": 0.7})
    rms = answer("optimizer_step", {"optimizer": "rmsprop", "steps": 1}, {"w0": 1, "g": [0.5], "lr": 0.01})
    assert {m.name: m.value for m in rms.mistakes}["bias_corrected"] == pytest.approx(0.99, rel=1e-6)


def test_optimizer_config_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match='"sgd", "momentum", "nesterov"'):
        get_generator("optimizer_step").clean_config({"optimizer": "lion"})
    with pytest.raises(ConfigError, match="at most 3"):
        get_generator("optimizer_step").clean_config({"steps": 4})
    with pytest.raises(ConfigError, match="“lr” must be a number from 0 to 10"):
        get_generator("optimizer_step").clean_config({"fixed": {"lr": -0.1}})


# --- schedules -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("schedule", "fixed", "expected"), [
    ("step", {"lr0": 0.1, "step_size": 10, "gamma": 0.5, "epoch": 9}, 0.1),
    ("step", {"lr0": 0.1, "step_size": 10, "gamma": 0.5, "epoch": 10}, 0.05),
    ("step", {"lr0": 0.1, "step_size": 10, "gamma": 0.5, "epoch": 25}, 0.025),
    ("exponential", {"lr0": 0.1, "gamma": 0.9, "epoch": 3}, 0.1 * 0.9**3),
    ("cosine", {"lr0": 0.1, "T_max": 10, "eta_min": 0, "epoch": 5}, 0.05),
    ("cosine", {"lr0": 0.1, "T_max": 20, "eta_min": 0.01, "epoch": 5},
     0.01 + 0.09 * (1 + math.cos(math.pi / 4)) / 2),
])
def test_learning_rate_schedules_by_hand(schedule, fixed, expected):
    assert answer("lr_schedule", {"schedule": schedule}, fixed).answer == pytest.approx(expected, rel=1e-12)


def test_schedule_fixed_epoch_must_be_whole():
    with pytest.raises(ConfigError, match="whole number from 0 to 1000"):
        get_generator("lr_schedule").clean_config({"fixed": {"epoch": 2.5}})
    with pytest.raises(ConfigError, match="whole number from 1 to 1000"):
        get_generator("lr_schedule").clean_config({"schedule": "cosine", "fixed": {"T_max": 0}})
    with pytest.raises(ConfigError, match="above 0 and at most 1"):
        get_generator("lr_schedule").clean_config({"fixed": {"gamma": 0}})


# --- every config, not only the defaults the contract test covers -------------------------------

STEPS = {"optimizer_step": ({"steps": 1}, {"steps": 2}, {"steps": 3})}


@pytest.mark.parametrize("slug", SLUGS)
def test_every_config_keeps_the_contract(slug):
    for config in config_combinations(slug, extras=STEPS.get(slug, ({},)), skip_refused=True):
        assert_keeps_the_contract(get_generator(slug), config)
