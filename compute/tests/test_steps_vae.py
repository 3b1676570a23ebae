"""vae_kl's steps: declaration, exact values and carried values against plain numpy (hypothesis over
seeds, parametrizations, latent sizes, perturbed steps), and a hand-computed carried example."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute.generators.autoencoders import VaeKl
from compute.steps import step_chain
from compute.tests.steps_harness import check_carried, check_declaration

GEN = VaeKl()
PARAMETRIZATIONS = ["logvar", "sigma"]


def reference(name, params, inputs, config):
    """Plain numpy, written from the formula ½ Σ (μ² + σ² − ln σ² − 1) (not from compute/)."""
    mu = np.array(params["mu"])
    v = {k: np.array(val, dtype=float) for k, val in inputs.items()}
    logvar = v["logvar"] if "logvar" in v else np.array(params.get("logvar", np.nan))
    if name == "mu_sq":
        return mu * mu
    if name == "var":
        return np.exp(np.array(params["logvar"])) if "logvar" in params else np.array(params["sigma"]) ** 2
    if name == "logvar":
        return np.log(v["var"])
    if name == "terms":
        return (v["mu_sq"] + v["var"] - logvar - 1) / 2
    if name == "kl":
        return float(v["terms"].sum())
    if name == "dKL_dmu":
        return mu
    if name == "dKL_dlogvar":
        return (v["var"] - 1) / 2
    if name == "dKL_dsigma":
        sigma = np.array(params["sigma"])
        return sigma - 1 / sigma
    raise KeyError(name)


@pytest.mark.parametrize("parametrization", PARAMETRIZATIONS)
@pytest.mark.parametrize("latent_dim", [1, 3])
def test_declaration_and_exact_values(parametrization, latent_dim):
    config = GEN.clean_config({"parametrization": parametrization, "latent_dim": latent_dim})
    exact = check_declaration(GEN, config, reference)
    solved = GEN.solve(GEN.sample(1, config), config)
    assert exact["kl"] == pytest.approx(solved.answer, rel=1e-12)
    assert np.allclose(exact["var"], solved.values["var"]) and np.allclose(exact["terms"], solved.values["terms"])
    if parametrization == "sigma":
        assert np.allclose(exact["logvar"], solved.values["logvar"])


def test_the_gradients_are_autograds():
    """∂D_KL/∂μ and ∂D_KL/∂(ln σ² or σ) of the exact chain are torch.autograd's of ½ Σ (μ² + σ² − ln σ² − 1)."""
    import torch

    for parametrization, second in (("logvar", "dKL_dlogvar"), ("sigma", "dKL_dsigma")):
        config = GEN.clean_config({"parametrization": parametrization, "latent_dim": 3})
        params = GEN.sample(5, config)
        mu = torch.tensor(params["mu"], dtype=torch.float64, requires_grad=True)
        other = torch.tensor(params[parametrization], dtype=torch.float64, requires_grad=True)
        logvar = other if parametrization == "logvar" else 2 * other.log()
        (0.5 * (mu**2 + logvar.exp() - logvar - 1)).sum().backward()
        exact = step_chain(GEN, params, config)
        assert np.allclose(exact["dKL_dmu"], mu.grad.tolist()) and np.allclose(exact[second], other.grad.tolist())


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), parametrization=st.sampled_from(PARAMETRIZATIONS), latent_dim=st.integers(1, 3),
       scale=st.sampled_from([0.01, 0.1, 0.3, 2.0]), picks=st.lists(st.integers(0, 6), min_size=1, max_size=4))
def test_carried_values_agree_with_numpy(seed, parametrization, latent_dim, scale, picks):
    config = GEN.clean_config({"parametrization": parametrization, "latent_dim": latent_dim})
    specs = GEN.step_specs(config)
    if parametrization == "sigma" and "var" in {specs[p % len(specs)].name for p in picks}:
        scale = min(scale, 0.1)  # σ² ≥ 0.25 stays above 0, so its logarithm is defined
    check_carried(GEN, config, reference, seed, scale, picks)


def test_the_slips_of_one_step_are_the_generators_mistakes_from_the_students_inputs():
    config = GEN.clean_config({"parametrization": "sigma", "latent_dim": 2})
    params = {"mu": [1.0, -0.5], "sigma": [2.0, 0.5]}
    slips = GEN.step_mistakes("terms", params, {"mu_sq": [1.0, 0.25], "var": [4.0, 1.0], "logvar": [1.0, 0.0]},
                              config)
    assert slips == {"forgot_half": [3.0, 0.25], "log_sign": [2.5, 0.125]}
    assert GEN.step_mistakes("kl", params, {"terms": [1.0, 2.0]}, config) == {"averaged_dimensions": 1.5}
    assert GEN.step_mistakes("var", params, {}, config) == {"used_sigma_for_variance": [2.0, 0.5]}


def test_a_wrong_variance_carries_into_the_log_the_terms_and_the_sum():
    """σ = (2, 1), μ = (1, 0): σ² = (4, 1), ln σ² = (1.386, 0), terms ½(1 + 4 − 1.386 − 1) = 1.307 and
    ½(0 + 1 − 0 − 1) = 0, D_KL = 1.307. A student who writes σ² = (2, 1) (σ for σ² in dimension 0) gets
    ln σ² = (ln 2, 0) = (0.693, 0) carried, terms ½(1 + 2 − 0.693 − 1) = 0.653 and 0, D_KL = 0.653."""
    config = GEN.clean_config({"parametrization": "sigma", "latent_dim": 2})
    params = {"mu": [1.0, 0.0], "sigma": [2.0, 1.0]}
    exact = step_chain(GEN, params, config)
    assert exact["var"] == [4.0, 1.0] and exact["kl"] == pytest.approx(0.5 * (4 - np.log(4)))
    carried = step_chain(GEN, params, config, {"var": [2.0, 1.0]})
    assert carried["logvar"] == pytest.approx([np.log(2), 0.0])
    assert carried["terms"] == pytest.approx([0.5 * (2 - np.log(2)), 0.0])
    assert carried["kl"] == pytest.approx(0.5 * (2 - np.log(2)))
    assert carried["dKL_dsigma"] == pytest.approx([1.5, 0.0])  # from σ itself, not from the variance
