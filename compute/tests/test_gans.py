"""Lecture 12 generators: fixed cases by hand (math module), configs, and config errors."""

import math

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import assert_consistent_variants, config

D = {"d_real": [0.9, 0.6], "d_fake": [0.3, 0.2]}


def test_discriminator_loss_both_reductions():
    real = -(math.log(0.9) + math.log(0.6)) / 2
    fake = -(math.log(0.7) + math.log(0.8)) / 2
    generator = get_generator("gan_discriminator_loss")
    total = generator.solve(D, config("gan_discriminator_loss"))
    assert total.answer == pytest.approx(real + fake, rel=1e-12)
    assert total.mistakes["other_reduction"] == pytest.approx((real + fake) / 2)
    swapped = -(math.log(0.1) + math.log(0.4)) / 2 - (math.log(0.3) + math.log(0.2)) / 2
    assert total.mistakes["swapped_labels"] == pytest.approx(swapped)
    bce = generator.solve(D, config("gan_discriminator_loss", reduction="bce_mean"))
    assert bce.answer == pytest.approx((real + fake) / 2, rel=1e-12)
    assert bce.mistakes["used_log10"] == pytest.approx((real + fake) / 2 / math.log(10))


G = {"d_fake": [0.25, 0.5]}


@pytest.mark.parametrize("form,asked,expected,other", [
    ("non_saturating", "loss", -(math.log(0.25) + math.log(0.5)) / 2, (math.log(0.75) + math.log(0.5)) / 2),
    ("minimax", "loss", (math.log(0.75) + math.log(0.5)) / 2, -(math.log(0.25) + math.log(0.5)) / 2),
    ("non_saturating", "grad_output", -1 / (2 * 0.25), -1 / (2 * 0.75)),
    ("minimax", "grad_output", -1 / (2 * 0.75), -1 / (2 * 0.25)),
    ("non_saturating", "grad_logit", -(1 - 0.25) / 2, -0.25 / 2),
    ("minimax", "grad_logit", -0.25 / 2, -(1 - 0.25) / 2),
])
def test_generator_loss_and_gradients_by_hand(form, asked, expected, other):
    settings = config("gan_generator_loss", form=form, asked=asked)
    solved = get_generator("gan_generator_loss").solve(G, settings)
    assert solved.answer == pytest.approx(expected, rel=1e-12)
    assert solved.mistakes["other_form"] == pytest.approx(other, rel=1e-12)
    assert solved.mistakes["forgot_mean"] == pytest.approx(2 * expected)


def test_logit_gradient_mistake_is_the_output_gradient():
    settings = config("gan_generator_loss", asked="grad_logit")
    solved = get_generator("gan_generator_loss").solve(G, settings)
    assert solved.mistakes["forgot_sigmoid_derivative"] == pytest.approx(-1 / (2 * 0.25))


def test_optimal_discriminator_from_given_densities():
    settings = config("optimal_discriminator", densities="given")
    solved = get_generator("optimal_discriminator").solve({"p_data": 0.3, "p_g": 0.1}, settings)
    assert solved.answer == pytest.approx(0.75)
    assert solved.mistakes == {"inverted": pytest.approx(0.25), "density_ratio": pytest.approx(3.0)}


def test_optimal_discriminator_from_gaussians():
    params = {"mu_data": 0.0, "sigma_data": 1.0, "mu_g": 1.0, "sigma_g": 2.0, "x": 0.5}
    p_data = math.exp(-0.5 * 0.5 ** 2) / math.sqrt(2 * math.pi)
    p_g = math.exp(-0.5 * 0.25 ** 2) / (2 * math.sqrt(2 * math.pi))
    solved = get_generator("optimal_discriminator").solve(params, config("optimal_discriminator"))
    assert solved.answer == pytest.approx(p_data / (p_data + p_g), rel=1e-12)
    unnormalized = math.exp(-0.5 * 0.5 ** 2) / (math.exp(-0.5 * 0.5 ** 2) + math.exp(-0.5 * 0.25 ** 2))
    assert solved.mistakes["forgot_normalization"] == pytest.approx(unnormalized, rel=1e-12)


def test_optimal_discriminator_variants_are_not_certain():
    generator = get_generator("optimal_discriminator")
    answers = [generator.generate(seed).answer for seed in range(60)]
    assert all(0.04 < a < 0.96 for a in answers)


@pytest.mark.parametrize("slug,settings", [
    ("gan_discriminator_loss", {"samples": 3, "reduction": "bce_mean"}),
    ("gan_generator_loss", {"samples": 3, "form": "minimax", "asked": "grad_logit"}),
    ("optimal_discriminator", {"densities": "given"}),
])
def test_other_configs_give_consistent_variants(slug, settings):
    for variant in assert_consistent_variants(slug, settings):
        assert np.ndim(variant.answer) == 0


def test_config_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="“form” must be one of \"non_saturating\", \"minimax\""):
        config("gan_generator_loss", form="wasserstein")
    with pytest.raises(ConfigError, match="“samples” must be at most 3"):
        config("gan_discriminator_loss", samples=4)
    with pytest.raises(ConfigError, match="“fixed” names an unknown parameter “p_data”"):
        get_generator("optimal_discriminator").generate(1, {"fixed": {"p_data": 0.5}})
