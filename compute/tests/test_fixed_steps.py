"""The fixed_steps generator (Moodle's cloze questions as multi-step questions): its config is checked
step by step, its steps are the config's values with their own tolerances, choice steps carry their
options, and a variant draws nothing."""

import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.steps import step_chain
from compute.tolerance import within

GEN = get_generator("fixed_steps")
STEPS = [
    {"name": "mean", "title": "the mean", "value": 2.5, "tolerance": 0.1},
    {"name": "act", "title": "the activation", "options": ["ReLU", "$\\tanh$", "sigmoid"], "value": 2},
    {"name": "exact", "title": "a sum", "value": 0.3},
]


def accepts(tolerance: dict, value: float, expected: float) -> bool:
    return bool(within(value, expected, tolerance["rtol"], tolerance["atol"]))


def test_a_cleaned_config_fills_in_symbols_and_types():
    steps = GEN.clean_config({"steps": STEPS})["steps"]
    assert steps == [
        {"name": "mean", "title": "the mean", "symbol": "\\square_{1}", "value": 2.5, "tolerance": 0.1},
        {"name": "act", "title": "the activation", "symbol": "\\square_{2}", "options": ["ReLU", "$\\tanh$", "sigmoid"],
         "value": 2},
        {"name": "exact", "title": "a sum", "symbol": "\\square_{3}", "value": 0.3, "tolerance": 0.0}]
    assert isinstance(steps[1]["value"], int) and isinstance(steps[0]["value"], float)
    assert GEN.clean_config({"steps": steps})["steps"] == steps  # cleaning a cleaned config changes nothing


def test_steps_are_the_configured_values_without_dependencies():
    config = GEN.clean_config({"steps": STEPS})
    specs = GEN.step_specs(config)
    assert [(s.name, s.shape, s.depends, s.options) for s in specs] == [
        ("mean", "scalar", (), ()), ("act", "scalar", (), ("ReLU", "$\\tanh$", "sigmoid")),
        ("exact", "scalar", (), ())]
    assert "options" not in specs[0].describe() and specs[1].describe()["options"] == ["ReLU", "$\\tanh$", "sigmoid"]
    params = GEN.sample(7, config)
    assert params == {}
    assert step_chain(GEN, params, config) == {"mean": 2.5, "act": 2.0, "exact": 0.3}
    # an answer carries nowhere: nothing depends on it
    assert step_chain(GEN, params, config, {"mean": 9.0}) == {"mean": 2.5, "act": 2.0, "exact": 0.3}


def test_each_step_has_its_own_tolerance():
    config = GEN.clean_config({"steps": STEPS})
    mean, act, exact = (GEN.step_tolerance(name, config) for name in ("mean", "act", "exact"))
    assert mean == {"rtol": 0.0, "atol": 0.1}
    assert accepts(mean, 2.6, 2.5) and not accepts(mean, 2.61, 2.5)
    assert accepts(act, 2.0, 2) and not accepts(act, 1.0, 2) and not accepts(act, 2.01, 2)
    assert accepts(exact, 0.1 + 0.2, 0.3) and not accepts(exact, 0.3001, 0.3)  # tolerance 0: exact up to rounding
    assert GEN.tolerance(config) == exact  # the generator's answer is the last step's
    zero = GEN.clean_config({"steps": [{"name": "z", "title": "zero", "value": 0}]})
    assert accepts(GEN.step_tolerance("z", zero), 0.0, 0.0) and not accepts(GEN.step_tolerance("z", zero), 1e-9, 0.0)


def test_a_variant_answers_the_last_step_and_explains_every_step():
    variant = GEN.generate(3, {"steps": STEPS})
    assert (variant.params, variant.answer, variant.values) == ({}, 0.3, {"mean": 2.5, "act": 2.0, "exact": 0.3})
    assert [step.title for step in variant.steps] == ["Step 1: the mean", "Step 2: the activation", "Step 3: a sum"]
    assert "2.5" in variant.steps[0].body and "$0.1$" in variant.steps[0].body
    assert variant.steps[1].body == "The right option: sigmoid"
    assert "accepted" not in variant.steps[2].body  # tolerance 0: nothing to say
    assert GEN.generate(99, {"steps": STEPS}).answer == variant.answer  # every student the same question
    assert "**(step 2)** the activation" in variant.prompt


@pytest.mark.parametrize(("steps", "message"), [
    ([], "a list of 1 to 50 steps"),
    ("s1", "a list of 1 to 50 steps"),
    ([{"name": "s1", "title": "t", "value": 1, "weight": 2}], "Step 1: unknown key(s) \"weight\""),
    ([{"name": "1s", "title": "t", "value": 1}], "Step 1: “name” must be a letter"),
    ([{"name": "s1", "title": " ", "value": 1}], "Step 1: “title” must be a text"),
    ([{"name": "s1", "title": "t", "value": "2"}], "Step 1: “value” must be a finite number, not \"2\""),
    ([{"name": "s1", "title": "t", "value": 2, "tolerance": -1}], "“tolerance” (absolute) must be a number ≥ 0"),
    ([{"name": "s1", "title": "t", "options": ["a"], "value": 0}], "Step 1: “options” must be a list of 2 to 30"),
    ([{"name": "s1", "title": "t", "options": ["a", "b"], "value": 2}], "a whole number from 0 to 1, not 2"),
    ([{"name": "s1", "title": "t", "options": ["a", "b"], "value": 0.5}], "a whole number from 0 to 1, not 0.5"),
    ([{"name": "s1", "title": "t", "options": ["a", "b"], "value": 0, "tolerance": 1}], "unknown key(s) \"tolerance\""),
    ([{"name": "s", "title": "t", "value": 1}, {"name": "s", "title": "u", "value": 2}], "s is used more than once"),
])
def test_a_bad_config_names_the_step_and_the_problem(steps, message):
    with pytest.raises(ConfigError) as error:
        GEN.clean_config({"steps": steps})
    assert message in str(error.value)


def test_fixed_values_do_not_apply():
    with pytest.raises(ConfigError, match="draws nothing"):
        GEN.clean_config({"steps": STEPS, "fixed": {"x": 1}})
