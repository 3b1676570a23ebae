"""Lecture 7 generators: fixed cases checked by hand / numpy, configs, and config errors."""

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator

SHAPE = {"N": 2, "C_in": 3, "H": 32, "W": 28, "C_out": 16, "kernel": 5, "stride": 2, "padding": 1,
         "dilation": 1}


def config(slug, **settings):
    return get_generator(slug).clean_config(settings)


def correlate(x, k, b, stride=1, padding=0):
    """Cross-correlation by loops (numpy), the way PyTorch's Conv2d computes it."""
    x = np.pad(np.asarray(x, float), padding)
    k = np.asarray(k, float)
    n = (x.shape[0] - k.shape[0]) // stride + 1
    return [[float((x[i * stride:i * stride + len(k), j * stride:j * stride + len(k)] * k).sum() + b)
             for j in range(n)] for i in range(n)]


def test_conv_output_shape_by_the_formula():
    # ⌊(32 + 2 − 4 − 1)/2⌋ + 1 = 15 and ⌊(28 + 2 − 4 − 1)/2⌋ + 1 = 13.
    generator = get_generator("conv_output_shape")
    solved = generator.solve(SHAPE, config("conv_output_shape"))
    assert solved.answer == [15, 13]
    assert solved.mistakes["forgot_plus_one"] == [14, 12]
    assert solved.mistakes["forgot_stride"] == [30, 26]  # stride 1: 32 + 2 − 4
    assert solved.mistakes["rounded_up"] == [16, 14]
    full = generator.solve(SHAPE, config("conv_output_shape", asked="full"))
    assert full.answer == [2, 16, 15, 13]
    assert full.mistakes["kept_input_channels"] == [2, 3, 15, 13]


def test_conv_output_shape_with_dilation():
    params = {**SHAPE, "kernel": 3, "stride": 1, "padding": 2, "dilation": 2}
    solved = get_generator("conv_output_shape").solve(params, config("conv_output_shape"))
    assert solved.answer == [32, 28]  # the dilated kernel spans 5 pixels, padding 2 keeps the size
    assert solved.mistakes["forgot_dilation"] == [34, 30]


def test_transposed_conv_shape_by_the_formula():
    # (7 − 1)·2 − 2·1 + 1·(4 − 1) + 1 + 1 = 15 and (5 − 1)·2 − 2 + 3 + 1 + 1 = 11.
    params = {**SHAPE, "H": 7, "W": 5, "kernel": 4, "output_padding": 1}
    solved = get_generator("transposed_conv_shape").solve(params, config("transposed_conv_shape"))
    assert solved.answer == [15, 11]
    assert solved.mistakes["forgot_output_padding"] == [14, 10]
    assert solved.mistakes["added_padding"] == [19, 15]


def test_shape_variants_leave_room_for_the_kernel():
    generator = get_generator("conv_output_shape")
    params = generator.sample_params(range(300), config("conv_output_shape", max_dilation=3))
    span = params["dilation"] * (params["kernel"] - 1) + 1
    assert np.all(params["H"] + 2 * params["padding"] >= span)
    assert np.all(params["W"] + 2 * params["padding"] >= span)
    assert set(np.unique(params["dilation"])) == {1, 2, 3}


def test_conv_param_count_by_hand():
    params = {"c0": 3, "c1": 16, "k1": 3, "c2": 32, "k2": 5}
    solved = get_generator("conv_param_count").solve(params, config("conv_param_count"))
    assert solved.answer == (16 * 3 * 9 + 16) + (32 * 16 * 25 + 32) == 13280
    assert solved.mistakes["forgot_bias"] == 13280 - 48
    assert solved.mistakes["forgot_input_channels"] == 16 * 9 + 16 + 32 * 25 + 32


def test_conv_param_count_grouped_without_bias():
    params = {"c0": 4, "c1": 8, "k1": 3, "c2": 16, "k2": 1}
    settings = config("conv_param_count", groups=2, bias=False)
    solved = get_generator("conv_param_count").solve(params, settings)
    assert solved.answer == 8 * 2 * 9 + 16 * 4 * 1 == 208
    assert solved.mistakes["forgot_groups"] == 8 * 4 * 9 + 16 * 8
    assert solved.mistakes["added_bias"] == 208 + 24


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


def test_receptive_field_by_the_recursion():
    # conv 3/1 → 3, pool 2/2 → 4, conv 3/1 with jump 2 → 8.
    params = {"k1": 3, "s1": 1, "k2": 2, "s2": 2, "k3": 3, "s3": 1}
    solved = get_generator("receptive_field").solve(params, config("receptive_field"))
    assert solved.answer == 8
    assert solved.mistakes == {"forgot_strides": 6, "included_own_stride": 1 + 2 + 2 + 4,
                               "forgot_minus_one": 3 + 2 + 3 * 2}


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
    ("conv_output_shape", {"asked": "full", "max_dilation": 2}),
    ("transposed_conv_shape", {"output_padding": True, "asked": "full"}),
    ("conv_param_count", {"layers": 3, "groups": 4}),
    ("conv2d_output_matrix", {"size": 6, "kernel": 2, "stride": 2, "padding": 1}),
    ("conv2d_output_value", {"size": 5, "kernel": 2}),
    ("receptive_field", {"layers": 4}),
    ("pooling_output", {"pooling": "avg", "kernel": 3, "stride": 1, "padding": 1}),
])
def test_other_configs_give_consistent_variants(slug, settings):
    generator = get_generator(slug)
    for seed in range(15):
        variant = generator.generate(seed, settings)
        assert np.ndim(variant.answer) == {"scalar": 0, "vector": 1, "matrix": 2}[generator.answer_kind]
        assert variant.mistakes
        assert all(np.shape(m.value) == np.shape(variant.answer) for m in variant.mistakes)


def test_config_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="“pooling” must be one of \"max\", \"avg\""):
        config("pooling_output", pooling="min")
    with pytest.raises(ConfigError, match="“kernel” must be at most 3"):
        config("conv2d_output_matrix", kernel=5)
    with pytest.raises(ConfigError, match="“max_dilation” must be a whole number"):
        config("conv_output_shape", max_dilation=1.5)
