"""Lecture 7 convolution and pooling outputs: fixed cases checked by hand / numpy, configs, config errors."""

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import assert_consistent_variants, config


def correlate(x, k, b, stride=1, padding=0):
    """Cross-correlation by loops (numpy), the way PyTorch's Conv2d computes it."""
    x = np.pad(np.asarray(x, float), padding)
    k = np.asarray(k, float)
    n = (x.shape[0] - k.shape[0]) // stride + 1
    return [[float((x[i * stride:i * stride + len(k), j * stride:j * stride + len(k)] * k).sum() + b)
             for j in range(n)] for i in range(n)]


X = [[1, 2, 0, -1], [0, 1, -2, 2], [2, -1, 1, 0], [1, 0, 2, -2]]
K = [[1, 0, -1], [0, 1, 0], [1, 1, 0]]


def test_conv2d_output_matrix_is_a_cross_correlation():
    generator = get_generator("conv2d_output_matrix")
    solved = generator.solve({"X": X, "K": K, "b": -1}, config("conv2d_output_matrix"))
    assert solved.answer == correlate(X, K, -1)
    # By hand, entry (1, 1): 1·1 + 1·1 + 2·1 + (−1)·1 = 3, plus b = −1.
    assert solved.answer == [[2.0, 0.0], [1.0, 1.0]]
    assert solved.mistakes["flipped_kernel"] == correlate(X, np.flip(K), -1)


def test_conv2d_output_value_with_stride_and_padding():
    settings = config("conv2d_output_value", stride=2, padding=1)
    params = {"X": X, "K": K, "b": 2, "row": 2, "col": 1}
    solved = get_generator("conv2d_output_value").solve(params, settings)
    expected = correlate(X, K, 2, stride=2, padding=1)
    assert solved.answer == expected[1][0]
    assert solved.mistakes["forgot_bias"] == expected[1][0] - 2


def test_conv2d_output_value_asks_for_informative_entries():
    generator = get_generator("conv2d_output_value")
    settings = config("conv2d_output_value")
    zeros = 0
    for seed in range(40):
        variant = generator.generate(seed, settings)
        zeros += variant.answer == 0
        assert "flipped_kernel" in {m.name for m in variant.mistakes}
    assert zeros <= 2


def test_pooling_max_and_average():
    x = np.arange(16.0).reshape(4, 4).tolist()
    pool = get_generator("pooling_output")
    assert pool.solve({"X": x}, config("pooling_output")).answer == [[5, 7], [13, 15]]
    average = pool.solve({"X": x}, config("pooling_output", pooling="avg"))
    assert average.answer == [[2.5, 4.5], [10.5, 12.5]]
    assert average.mistakes["other_pooling"] == [[5, 7], [13, 15]]


def test_average_pooling_counts_the_padding():
    x = np.arange(16.0).reshape(4, 4)
    settings = config("pooling_output", pooling="avg", padding=1)
    solved = get_generator("pooling_output").solve({"X": x.tolist()}, settings)
    padded = np.pad(x, 1)
    expected = [[padded[2 * i:2 * i + 2, 2 * j:2 * j + 2].sum() / 4 for j in range(3)] for i in range(3)]
    np.testing.assert_allclose(solved.answer, expected, rtol=1e-12)
    assert solved.answer[0][1] == 0.75  # (1 + 2)/4, where count_include_pad=False would give 1.5
    assert solved.mistakes["excluded_padding"][0][1] == 1.5


def test_fixed_parameters_reach_the_answer():
    variant = get_generator("conv2d_output_matrix").generate(3, {"fixed": {"X": X, "K": K, "b": -1}})
    assert variant.answer == [[2.0, 0.0], [1.0, 1.0]]
    assert "cross-correlation" in variant.prompt and "{{ X }}" in variant.prompt


@pytest.mark.parametrize("slug,settings", [
    ("conv2d_output_matrix", {"size": 6, "kernel": 2, "stride": 2, "padding": 1}),
    ("conv2d_output_value", {"size": 5, "kernel": 2}),
    ("pooling_output", {"pooling": "avg", "kernel": 3, "stride": 1, "padding": 1}),
])
def test_other_configs_give_consistent_variants(slug, settings):
    assert_consistent_variants(slug, settings)


def test_config_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="“pooling” must be one of \"max\", \"avg\""):
        config("pooling_output", pooling="min")
    with pytest.raises(ConfigError, match="“kernel” must be at most 3"):
        config("conv2d_output_matrix", kernel=5)
