"""rnn_step's steps: declaration, exact values and carried values against plain numpy (hypothesis over
seeds, sizes, step counts, perturbed steps), the slips of each step, and a hand-computed carried
example."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute.generators.sequences import RnnStep
from compute.steps import step_chain, step_slips
from compute.tests.steps_harness import check_carried, check_declaration

GEN = RnnStep()


def reference(name, params, inputs, config):
    """Plain numpy, written from the formulas (not from compute/)."""
    w_ih, w_hh, b = np.array(params["W_ih"]), np.array(params["W_hh"]), np.array(params["b"])
    t = int(name[1:])
    if name[0] == "a":
        previous = np.array(inputs[f"h{t - 1}"]) if t > 1 else np.array(params["h0"])
        return w_ih @ np.array(params["X"][t - 1]) + b + w_hh @ previous
    if name[0] == "h":
        return np.tanh(np.array(inputs[f"a{t}"]))
    raise KeyError(name)


def test_the_steps_of_three_time_steps_in_order():
    specs = GEN.step_specs(GEN.clean_config({"steps": 3}))
    assert [(spec.name, spec.depends) for spec in specs] == [
        ("a1", ()), ("h1", ("a1",)), ("a2", ("h1",)), ("h2", ("a2",)), ("a3", ("h2",)), ("h3", ("a3",))]


@pytest.mark.parametrize(("input_size", "hidden_size", "steps"), [(1, 1, 1), (1, 2, 2), (2, 3, 3), (2, 2, 3)])
def test_declaration_and_exact_values_agree_with_solve(input_size, hidden_size, steps):
    config = GEN.clean_config({"input_size": input_size, "hidden_size": hidden_size, "steps": steps})
    exact = check_declaration(GEN, config, reference)
    solved = GEN.solve(GEN.sample(1, config), config)
    assert np.allclose([exact[f"a{t}"] for t in range(1, steps + 1)], solved.values["pre"], rtol=1e-12)
    assert np.allclose([exact[f"h{t}"] for t in range(1, steps + 1)], solved.values["h"], rtol=1e-12)
    assert np.allclose(exact[f"h{steps}"], solved.answer, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), input_size=st.integers(1, 2), hidden_size=st.integers(1, 3),
       steps=st.integers(1, 3), scale=st.sampled_from([0.01, 0.3, 2.0]),
       picks=st.lists(st.integers(0, 5), min_size=1, max_size=4))
def test_carried_values_agree_with_numpy(seed, input_size, hidden_size, steps, scale, picks):
    config = GEN.clean_config({"input_size": input_size, "hidden_size": hidden_size, "steps": steps})
    check_carried(GEN, config, reference, seed, scale, picks)


# W_ih = (1, −1)ᵀ, W_hh = [[½, 0], [0, ½]], b = (0, ½), h₀ = (0, 0), inputs x₁ = 1, x₂ = ½.
PARAMS = {"W_ih": [[1.0], [-1.0]], "W_hh": [[0.5, 0.0], [0.0, 0.5]], "b": [0.0, 0.5], "h0": [0.0, 0.0],
          "X": [[1.0], [0.5]]}


def test_each_slip_is_computed_from_the_students_own_inputs():
    config = GEN.clean_config({"input_size": 1, "hidden_size": 2, "steps": 2})
    slips = step_slips(GEN, PARAMS, config, {"a2": [2.0, 0.0]}, ["a2", "h2"])
    assert slips["a2"] == {"forgot_recurrence": [0.5, 0.0]}  # W_ih x₂ + b, without W_hh h₁
    assert slips["h2"]["forgot_tanh"] == [2.0, 0.0]  # the student's own a₂
    assert slips["h2"]["used_sigmoid"] == pytest.approx([1 / (1 + math.exp(-2)), 0.5], rel=1e-12)


def test_a_wrong_h1_carries_into_a2_and_h2():
    """a₁ = W_ih x₁ + b + W_hh h₀ = (1, −½), h₁ = (tanh 1, −tanh ½). A student who writes h₁ = (1, −1)
    gets a₂ = (½, −½) + (½, 0) + ½·(1, −1) = (1, −½) carried, and h₂ = (tanh 1, −tanh ½) carried."""
    config = GEN.clean_config({"input_size": 1, "hidden_size": 2, "steps": 2})
    exact = step_chain(GEN, PARAMS, config)
    assert exact["a1"] == [1.0, -0.5]
    assert exact["h1"] == pytest.approx([math.tanh(1), -math.tanh(0.5)], rel=1e-12)
    carried = step_chain(GEN, PARAMS, config, {"h1": [1.0, -1.0]})
    assert carried["a2"] == [1.0, -0.5]
    assert carried["h2"] == pytest.approx([math.tanh(1), -math.tanh(0.5)], rel=1e-12)
    assert exact["a2"] == pytest.approx([0.5 + 0.5 * math.tanh(1), -0.5 * math.tanh(0.5)], rel=1e-12)
    assert carried["h1"] == exact["h1"]  # a step's own carried value comes from its inputs, not the answer
