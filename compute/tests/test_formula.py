"""The formula generator (Moodle's calculated questions): sampling ranges and decimals, tolerance types,
the worked solution, and configs it refuses."""

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.sampling import Sampler
from quizzes.grading import grade_computed

GEN = get_generator("formula")
SEEDS = list(range(2000))


def test_wildcards_are_drawn_in_their_ranges_rounded_to_their_decimals():
    config = GEN.clean_config({"formula": "a + b + c", "wildcards": {
        "a": {"min": -2.5, "max": 3.5, "decimals": 1}, "b": {"min": 10, "max": 20},
        "c": {"min": 0.001, "max": 1000, "decimals": 3, "distribution": "loguniform"}}})
    params = GEN.sample_params(SEEDS, config)
    a, b, c = params["a"], params["b"], params["c"]
    assert a.min() >= -2.5 and a.max() <= 3.5 and np.array_equal(a, np.round(a, 1))
    assert len(np.unique(a)) > 50  # spread over the range, not a few values
    assert set(np.unique(b)) == set(np.arange(10.0, 21.0))
    assert c.min() >= 0.001 and c.max() <= 1000 and np.array_equal(c, np.round(c, 3))
    assert 0.4 < (c < 1).mean() < 0.6  # log-uniform: half the draws below the geometric middle 1


def test_answer_is_the_formula_of_the_shown_numbers():
    variant = GEN.generate(7, {"formula": "a * b + c / 2"})
    p = variant.params
    assert variant.answer == p["a"] * p["b"] + p["c"] / 2
    assert "{{ a }}" in variant.prompt and "a \\cdot b + \\frac{c}{2}" in variant.prompt


def test_worked_solution_substitutes_the_numbers_and_rounds_to_the_display_decimals():
    config = {"formula": "a / b", "wildcards": {"a": {"min": 1, "max": 1}, "b": {"min": 3, "max": 3}},
              "answer_decimals": 3}
    body = GEN.generate(1, config).steps[0].body
    assert "\\frac{a}{b} = \\frac{1}{3} = 0.333333333333 \\approx 0.333" in body
    assert "To 3 decimals: $0.333$" in body


@pytest.mark.parametrize(("kind", "inside", "outside"), [("relative", 10.4, 10.6), ("absolute", 10.5, 10.6)])
def test_moodle_tolerance_types(kind, inside, outside):
    config = {"formula": "a", "wildcards": {"a": {"min": 10, "max": 10}}, "tolerance": 0.05 if kind == "relative"
              else 0.5, "tolerance_type": kind}
    variant = GEN.generate(1, config)
    assert grade_computed(inside, variant.answer, **variant.tolerance).score == 1.0
    assert grade_computed(outside, variant.answer, **variant.tolerance).score == 0.0


def test_undefined_draws_are_drawn_again():
    config = GEN.clean_config({"formula": "1 / (a - 5)", "wildcards": {"a": {"min": 1, "max": 9}}})
    params = GEN.sample_params(SEEDS[:500], config)
    assert not (params["a"] == 5).any()
    assert (GEN.sample_batch(Sampler(SEEDS[:500]), config)["a"] == 5).any()


@pytest.mark.parametrize(("settings", "message"), [
    ({"formula": "1 / (a - a)"}, "undefined (a division by 0, or a value that is not finite) for 200 of 200"),
    ({"formula": "sqrt(a)", "wildcards": {"a": {"min": -10, "max": 1}}}, "e.g. a = -"),
    ({"formula": "a.real"}, "attribute access"),
    ({"formula": "a * d"}, "“d” in the formula is not a wildcard"),
    ({"formula": 3}, "must be a non-empty text"),
    ({"wildcards": {}}, "must be a JSON object of name → range"),
    ({"wildcards": {"a": {"min": 2, "max": 1}}, "formula": "a"}, "“min” (2) is above “max” (1)"),
    ({"wildcards": {"a": {"min": 1}}, "formula": "a"}, "with “min” and “max”"),
    ({"wildcards": {"a": {"min": 1, "max": 2, "decimals": 11}}, "formula": "a"}, "from 0 to 10"),
    ({"wildcards": {"a": {"min": 0, "max": 2, "distribution": "loguniform"}}, "formula": "a"}, "above 0"),
    ({"wildcards": {"sqrt": {"min": 0, "max": 2}}, "formula": "1"}, "not a function's name"),
    ({"tolerance": -0.1}, "at least 0.0"),
    ({"tolerance_type": "geometric"}, "must be one of"),
    ({"fixed": {"z": 1}}, "unknown parameter “z”"),
])
def test_configs_it_cannot_use_are_refused_with_the_reason(settings, message):
    with pytest.raises(ConfigError) as error:
        GEN.clean_config(settings)
    assert message in str(error.value)


def test_fixed_values_that_make_the_formula_undefined_are_refused():
    with pytest.raises(ConfigError, match="for 200 of 200 draws, e.g. a = ., b = 0"):
        GEN.clean_config({"formula": "a / b", "wildcards": {"a": {"min": 1, "max": 2}, "b": {"min": 1, "max": 2}},
                          "fixed": {"b": 0}})


def test_a_fully_fixed_undefined_example_fails_to_solve_not_silently():
    config = GEN.clean_config({"formula": "a / b", "wildcards": {"a": {"min": 1, "max": 2}, "b": {"min": 1, "max": 2}},
                               "fixed": {"a": 1, "b": 0}})
    with pytest.raises(ArithmeticError):
        GEN.generate(1, config)
