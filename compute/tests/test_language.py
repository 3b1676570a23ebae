"""Lecture 9 generators: fixed cases by hand / numpy, configs, and config errors."""

import math

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import assert_consistent_variants, config

COUNTS = {"counts": [[2, 1, 0], [3, 0, 1], [0, 2, 2]], "i": 0, "j": 0}


def test_bigram_with_add_one_smoothing_by_hand():
    solved = get_generator("ngram_probability").solve(COUNTS, config("ngram_probability"))
    assert solved.answer == pytest.approx((2 + 1) / (3 + 3))
    assert solved.mistakes["unsmoothed"] == pytest.approx(2 / 3)
    assert solved.mistakes["forgot_vocab_in_denominator"] == pytest.approx(3 / 4)
    assert solved.mistakes["swapped_condition"] == pytest.approx(3 / (5 + 3))  # column 1 sums to 5
    assert solved.mistakes["joint_probability"] == pytest.approx(3 / (11 + 9))


def test_bigram_maximum_likelihood_by_hand():
    params = {**COUNTS, "i": 2, "j": 1}
    solved = get_generator("ngram_probability").solve(params, config("ngram_probability", smoothing="none"))
    assert solved.answer == pytest.approx(2 / 4)
    assert solved.mistakes["swapped_condition"] == pytest.approx(2 / 3)
    assert "unsmoothed" not in solved.mistakes


def test_bigram_variants_ask_about_a_pair_that_occurs():
    generator = get_generator("ngram_probability")
    params = generator.sample_params(range(200), config("ngram_probability"))
    rows = np.arange(200)
    pairs = params["counts"][rows, params["i"].astype(int), params["j"].astype(int)]
    assert np.all(pairs >= 1)


def test_perplexity_by_hand():
    # mean ln p = −1.5 ln 2, so PPL = 2^1.5.
    solved = get_generator("perplexity").solve({"p": [0.5, 0.25, 0.5, 0.25]}, config("perplexity"))
    assert solved.answer == pytest.approx(2 ** 1.5, rel=1e-12)
    assert solved.mistakes["used_sum"] == pytest.approx(64.0)
    assert solved.mistakes["mixed_log_bases"] == pytest.approx(2 ** (1.5 * math.log(2)))
    assert solved.mistakes["arithmetic_mean"] == pytest.approx(4 / 1.5)


ATTENTION = {"q": [1.0, 0.0], "K": [[2.0, 0.0], [0.0, 1.0], [-2.0, 0.0]],
             "V": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]}


def softmax(x):
    e = np.exp(x - np.max(x))
    return e / e.sum()


def test_attention_output_against_numpy():
    k, v = np.array(ATTENTION["K"]), np.array(ATTENTION["V"])
    scores = k @ ATTENTION["q"]
    solved = get_generator("attention").solve(ATTENTION, config("attention"))
    np.testing.assert_allclose(solved.answer, softmax(scores / math.sqrt(2)) @ v, rtol=1e-12)
    np.testing.assert_allclose(solved.mistakes["forgot_scaling"], softmax(scores) @ v, rtol=1e-12)
    np.testing.assert_allclose(solved.mistakes["divided_by_dk"], softmax(scores / 2) @ v, rtol=1e-12)
    assert solved.mistakes["wrong_axis"] == [2.0, 2.0]


def test_attention_matches_torch_sdpa():
    import torch
    import torch.nn.functional as F

    q, k, v = (torch.tensor(ATTENTION[n], dtype=torch.float64) for n in ("q", "K", "V"))
    expected = F.scaled_dot_product_attention(q[None], k, v)[0].tolist()
    assert get_generator("attention").solve(ATTENTION, config("attention")).answer == pytest.approx(expected)


def test_attention_weight_by_hand():
    # Scores (2, 0)/√2: the first weight is σ(√2).
    params = {"q": [1.0, 1.0], "K": [[1.0, 1.0], [0.0, 0.0]]}
    generator = get_generator("attention_weight")
    first = generator.solve(params, config("attention_weight", keys=2))
    assert first.answer == pytest.approx(1 / (1 + math.exp(-math.sqrt(2))), rel=1e-12)
    assert first.mistakes["forgot_scaling"] == pytest.approx(1 / (1 + math.exp(-2)))
    second = generator.solve(params, config("attention_weight", keys=2, key=2))
    assert second.answer == pytest.approx(1 - first.answer, rel=1e-12)


def test_attention_weights_are_neither_negligible_nor_everything():
    generator = get_generator("attention_weight")
    for seed in range(40):
        variant = generator.generate(seed, {"d_k": 4, "keys": 4, "key": 3})
        assert 0.03 <= variant.answer <= 0.95


@pytest.mark.parametrize("slug,settings", [
    ("ngram_probability", {"vocab": 5, "smoothing": "none"}),
    ("perplexity", {"tokens": 6}),
    ("attention", {"d_k": 4, "keys": 4, "d_v": 3}),
    ("attention", {"d_k": 1, "keys": 2, "d_v": 1}),
    ("attention_weight", {"d_k": 3, "keys": 2, "key": 2}),
])
def test_other_configs_give_consistent_variants(slug, settings):
    assert_consistent_variants(slug, settings)


def test_config_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="“index” counts from 0, so it must be between 0 and 2 \\(“keys” is 3\\)"):
        config("attention_weight", index=3)
    with pytest.raises(ConfigError, match="“smoothing” must be one of \"laplace\", \"none\""):
        config("ngram_probability", smoothing="kneser_ney")
    with pytest.raises(ConfigError, match="“tokens” must be at least 2"):
        config("perplexity", tokens=1)
