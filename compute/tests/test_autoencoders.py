"""Lecture 11 generators: fixed cases by hand / numpy, configs, and config errors."""

import math

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import assert_consistent_variants, config


def test_vae_kl_from_log_variances_by_hand():
    # ½(1 + 1 − 0 − 1) + ½(0.25 + e − 1 − 1)
    solved = get_generator("vae_kl").solve({"mu": [1.0, -0.5], "logvar": [0.0, 1.0]}, config("vae_kl"))
    expected = 0.5 + 0.5 * (0.25 + math.e - 2)
    assert solved.answer == pytest.approx(expected, rel=1e-12)
    assert solved.mistakes["forgot_half"] == pytest.approx(2 * expected)
    assert solved.mistakes["averaged_dimensions"] == pytest.approx(expected / 2)
    assert solved.mistakes["log_sign"] == pytest.approx(expected + 1.0)


def test_vae_kl_from_sigma_by_hand():
    settings = config("vae_kl", parametrization="sigma", latent_dim=1)
    solved = get_generator("vae_kl").solve({"mu": [0.5], "sigma": [2.0]}, settings)
    assert solved.answer == pytest.approx(0.5 * (0.25 + 4 - math.log(4) - 1), rel=1e-12)
    assert solved.mistakes["used_sigma_for_variance"] == pytest.approx(0.5 * (0.25 + 2 - math.log(2) - 1))
    assert "averaged_dimensions" not in solved.mistakes


REPARAM = {"mu": [1.0, -1.0], "logvar": [0.0, 2.0], "eps": [0.5, -1.0]}


def test_reparameterization_sample_by_hand():
    solved = get_generator("reparameterization").solve(REPARAM, config("reparameterization"))
    assert solved.answer == pytest.approx([1.5, -1 - math.e], rel=1e-12)  # σ = (1, e)
    assert solved.mistakes["logvar_as_sigma"] == pytest.approx([1.0, -3.0])
    assert solved.mistakes["used_variance"] == pytest.approx([1.5, -1 - math.e ** 2])


def test_reparameterization_gradient_is_half_sigma_eps():
    settings = config("reparameterization", asked="dz_dlogvar")
    solved = get_generator("reparameterization").solve(REPARAM, settings)
    assert solved.answer == pytest.approx([0.25, -math.e / 2], rel=1e-12)
    assert solved.mistakes["forgot_half_in_derivative"] == pytest.approx([0.5, -math.e])
    assert solved.mistakes["derivative_wrt_sigma"] == [0.5, -1.0]


PCA = [[0.0, 0.0], [2.0, 0.0], [0.0, 1.0], [2.0, 1.0]]  # centered: (±1, ±0.5), uncorrelated


def test_pca_ratio_and_variance_by_hand():
    generator = get_generator("pca_first_component")
    ratio = generator.solve({"X": PCA}, config("pca_first_component"))
    assert ratio.answer == pytest.approx((4 / 3) / (4 / 3 + 1 / 3))
    assert ratio.mistakes["smaller_eigenvalue"] == pytest.approx(0.2)
    uncentered = np.linalg.eigvalsh(np.array(PCA).T @ np.array(PCA) / 3)
    assert ratio.mistakes["forgot_centering"] == pytest.approx(uncentered[1] / uncentered.sum())
    unbiased = generator.solve({"X": PCA}, config("pca_first_component", asked="variance"))
    assert unbiased.answer == pytest.approx(4 / 3)
    assert unbiased.mistakes["other_normalization"] == pytest.approx(1.0)
    settings = config("pca_first_component", asked="variance", normalization="biased")
    biased = generator.solve({"X": PCA}, settings)
    assert biased.answer == pytest.approx(1.0)
    assert biased.mistakes["other_normalization"] == pytest.approx(4 / 3)


def test_pca_against_numpy_on_correlated_data():
    x = np.array([[3.0, -2.0], [2.0, 2.0], [0.0, -3.0], [1.0, -3.0], [-1.0, 0.0]])
    evals = np.linalg.eigvalsh(np.cov(x.T))
    settings = config("pca_first_component", points=5)
    solved = get_generator("pca_first_component").solve({"X": x.tolist()}, settings)
    assert solved.answer == pytest.approx(evals[1] / evals.sum(), rel=1e-12)


def test_pca_variants_have_a_unique_first_component():
    generator = get_generator("pca_first_component")
    for points in (3, 4, 5):
        data = generator.sample_params(range(200), config("pca_first_component", points=points))["X"]
        for x in data:
            small, large = np.linalg.eigvalsh(np.cov(x.T, bias=True))
            assert large - small >= 0.39 and small > 0


@pytest.mark.parametrize("slug,settings", [
    ("vae_kl", {"latent_dim": 3, "parametrization": "sigma"}),
    ("reparameterization", {"latent_dim": 1, "asked": "dz_dlogvar"}),
    ("pca_first_component", {"points": 3, "asked": "variance", "normalization": "biased"}),
])
def test_other_configs_give_consistent_variants(slug, settings):
    assert_consistent_variants(slug, settings)


def test_config_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="“parametrization” must be one of \"logvar\", \"sigma\""):
        config("vae_kl", parametrization="variance")
    with pytest.raises(ConfigError, match="“points” must be at least 3"):
        config("pca_first_component", points=2)
    with pytest.raises(ConfigError, match="The fixed value of “eps” must be finite numbers of shape \\[2\\]"):
        get_generator("reparameterization").generate(1, {"fixed": {"eps": [1.0]}})
