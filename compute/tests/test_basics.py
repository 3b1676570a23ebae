"""Lectures 1-2 generators: hand-computed answers, PyTorch conventions, config errors, every config."""

import itertools
import math

import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.test_generators import perturbed, shape_of
from quizzes.grading import grade_computed

SLUGS = ("linear_regression_mse", "logistic_regression", "computation_graph")


def answer(slug, config, fixed):
    return get_generator(slug).generate(1, {**config, "fixed": fixed})


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


# --- linear regression: x = (1, 2, 3), y = (2, 2, 5), w = 1, b = 0.5 → r = (-0.5, 0.5, -1.5) -----

LINE = {"x": [1, 2, 3], "y": [2, 2, 5], "w": 1, "b": 0.5}


@pytest.mark.parametrize(("ask", "expected"), [
    ("loss", (0.25 + 0.25 + 2.25) / 3),
    ("grad_w", 2 / 3 * (-0.5 * 1 + 0.5 * 2 - 1.5 * 3)),
    ("grad_b", 2 / 3 * (-0.5 + 0.5 - 1.5)),
    ("step", 1 - 0.1 * (-8 / 3)),
])
def test_linear_regression_by_hand(ask, expected):
    variant = answer("linear_regression_mse", {"ask": ask}, LINE)
    assert variant.answer == pytest.approx(expected, rel=1e-12)


def test_linear_regression_names_the_sum_and_factor_mistakes():
    variant = answer("linear_regression_mse", {"ask": "grad_w"}, LINE)
    mistakes = {m.name: m.value for m in variant.mistakes}
    assert mistakes["sum_not_mean"] == pytest.approx(-8.0)
    assert mistakes["missing_factor_2"] == pytest.approx(-4 / 3)
    assert mistakes["wrong_parameter"] == pytest.approx(-1.0)


def test_linear_regression_points_and_ask_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="at most 6"):
        get_generator("linear_regression_mse").clean_config({"points": 9})
    with pytest.raises(ConfigError, match='"loss", "grad_w", "grad_b", "step"'):
        get_generator("linear_regression_mse").clean_config({"ask": "hessian"})


# --- logistic regression: x = (1, -2), w = (0.5, 0.5), b = 1, y = 1 → z = 0.5 ---------------------

LOGISTIC = {"x": [1, -2], "w": [0.5, 0.5], "b": 1, "y": 1}


@pytest.mark.parametrize(("config", "expected"), [
    ({"ask": "prob"}, sigmoid(0.5)),
    ({"ask": "loss"}, -math.log(sigmoid(0.5))),
    ({"ask": "grad_w", "weight": 1}, (sigmoid(0.5) - 1) * 1),
    ({"ask": "grad_w", "weight": 2}, (sigmoid(0.5) - 1) * -2),
    ({"ask": "grad_b"}, sigmoid(0.5) - 1),
])
def test_logistic_regression_by_hand(config, expected):
    assert answer("logistic_regression", config, LOGISTIC).answer == pytest.approx(expected, rel=1e-12)


def test_logistic_regression_label_zero_uses_the_other_log_term():
    variant = answer("logistic_regression", {"ask": "loss"}, {**LOGISTIC, "y": 0})
    assert variant.answer == pytest.approx(-math.log(1 - sigmoid(0.5)), rel=1e-12)
    mistakes = {m.name: m.value for m in variant.mistakes}
    assert mistakes["wrong_label_term"] == pytest.approx(-math.log(sigmoid(0.5)))
    assert mistakes["log10"] == pytest.approx(variant.answer / math.log(10))


def test_logistic_regression_survives_a_saturated_fixed_logit():
    variant = answer("logistic_regression", {"ask": "loss"}, {**LOGISTIC, "b": 800, "y": 0})
    assert variant.answer == pytest.approx(799.5)  # z = -0.5 + 800; −ln(1 − σ(z)) = softplus(z) ≈ z


def test_logistic_regression_weight_beyond_features_is_refused():
    with pytest.raises(ConfigError, match="between 1 and “features” \\(2\\)"):
        get_generator("logistic_regression").clean_config({"features": 2, "weight": 3})


# --- computation graph at x = 2, y = -1, z = 0.5 ------------------------------------------------

POINT = {"x": 2, "y": -1, "z": 0.5}
SIG = sigmoid(-1.5)  # σ(xy + z)


@pytest.mark.parametrize(("graph", "wrt", "expected"), [
    ("square", "x", 2 * -1.5 * -1),  # 2u·y with u = xy + z = -1.5
    ("square", "y", 2 * -1.5 * 2),
    ("square", "z", 2 * -1.5),
    ("add_mul", "x", 0.5),  # (x + y)·z: z
    ("add_mul", "z", 1.0),  # x + y
    ("sigmoid", "x", SIG * (1 - SIG) * -1),
    ("fan_out", "y", 2 + 0.5),  # xy + yz: both paths, x + z
])
def test_computation_graph_gradients_by_hand(graph, wrt, expected):
    variant = answer("computation_graph", {"graph": graph, "wrt": wrt}, POINT)
    assert variant.answer == pytest.approx(expected, rel=1e-12)


def test_computation_graph_value_and_named_mistakes():
    assert answer("computation_graph", {"ask": "value"}, POINT).answer == pytest.approx(2.25)
    mistakes = {m.name: m.value for m in answer("computation_graph", {}, POINT).mistakes}
    assert mistakes == pytest.approx({"forward_value": 2.25, "forgot_chain_factor": -1.0,
                                      "forgot_factor_2": 1.5})
    fan_out = answer("computation_graph", {"graph": "fan_out", "wrt": "y"}, POINT)
    assert {m.name: m.value for m in fan_out.mistakes}["one_path_only"] == pytest.approx(2.0)


def test_computation_graph_unknown_graph_lists_the_choices():
    with pytest.raises(ConfigError, match='"add_mul", "square", "sigmoid", "fan_out"'):
        get_generator("computation_graph").clean_config({"graph": "tanh"})


# --- every config, not only the defaults the contract test covers -------------------------------

def configs(slug):
    generator = get_generator(slug)
    choices = [f for f in generator.schema.fields if f.kind == "choice"]
    for combo in itertools.product(*(f.choices for f in choices)):
        config = dict(zip((f.name for f in choices), combo, strict=True))
        try:
            yield generator.clean_config(config)
        except ConfigError:
            continue


@pytest.mark.parametrize("slug", SLUGS)
def test_every_config_keeps_the_contract(slug):
    generator = get_generator(slug)
    for config in configs(slug):
        for seed in range(6):
            variant = generator.generate(seed, config)
            tol = variant.tolerance
            assert len(shape_of(variant.answer)) == {"scalar": 0, "vector": 1}[generator.answer_kind]
            assert grade_computed(perturbed(variant.answer, tol), variant.answer, **tol).score == 0.0
            mistakes = [m.__dict__ for m in variant.mistakes]
            for mistake in variant.mistakes:
                grade = grade_computed(mistake.value, variant.answer, mistakes=mistakes, **tol)
                assert grade.mistake == mistake.name, (config, seed)
            for text in (variant.prompt, *(step.body for step in variant.steps)):
                assert text.count("$") % 2 == 0, text  # balanced math delimiters
                for paragraph in text.split("\n\n"):  # display math stands as its own paragraph
                    assert "$$" not in paragraph or (paragraph.startswith("$$") and paragraph.endswith("$$")
                                                     and paragraph.count("$$") == 2), paragraph
