"""Lecture 7 shapes, parameter counts and receptive fields: fixed cases by the formulas, sampled shapes,
configs, and config errors."""

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import assert_consistent_variants, config

SHAPE = {"N": 2, "C_in": 3, "H": 32, "W": 28, "C_out": 16, "kernel": 5, "stride": 2, "padding": 1,
         "dilation": 1}


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


def test_receptive_field_by_the_recursion():
    # conv 3/1 → 3, pool 2/2 → 4, conv 3/1 with jump 2 → 8.
    params = {"k1": 3, "s1": 1, "k2": 2, "s2": 2, "k3": 3, "s3": 1}
    solved = get_generator("receptive_field").solve(params, config("receptive_field"))
    assert solved.answer == 8
    assert solved.mistakes == {"forgot_strides": 6, "included_own_stride": 1 + 2 + 2 + 4,
                               "forgot_minus_one": 3 + 2 + 3 * 2}


@pytest.mark.parametrize("slug,settings", [
    ("conv_output_shape", {"asked": "full", "max_dilation": 2}),
    ("transposed_conv_shape", {"output_padding": True, "asked": "full"}),
    ("conv_param_count", {"layers": 3, "groups": 4}),
    ("receptive_field", {"layers": 4}),
])
def test_other_configs_give_consistent_variants(slug, settings):
    assert_consistent_variants(slug, settings)


def test_config_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="“max_dilation” must be a whole number"):
        config("conv_output_shape", max_dilation=1.5)
