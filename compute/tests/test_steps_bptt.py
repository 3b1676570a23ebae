"""bptt_gradient's steps: declaration, exact values and carried values against plain numpy (hypothesis
over seeds, step counts, losses, perturbed steps), the slips of each step, and a hand-computed carried
example."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute.generators.bptt import BpttGradient
from compute.steps import step_chain, step_slips
from compute.tests.steps_harness import check_carried, check_declaration

GEN = BpttGradient()


def reference(name, params, inputs, config):
    """Plain numpy, written from the formulas (not from compute/)."""
    w, u, x, T = params["w"], params["u"], params["x"], config["steps"]
    h = {0: params["h0"], **{int(k[1:]): val for k, val in inputs.items() if k.startswith("h")}}
    squared = config["loss"] == "squared"
    for t in range(1, T + 1):
        if name == f"a{t}":
            return w * h[t - 1] + u * x[t - 1]
        if name == f"h{t}":
            return float(np.tanh(inputs[f"a{t}"]))
        if name == f"dL_da{t}":
            return inputs[f"dL_dh{t}"] * (1 - h[t] ** 2)
    if name == "L":
        return 0.5 * (h[T] - params["y"]) ** 2 if squared else h[T]
    if name == f"dL_dh{T}":
        return h[T] - params["y"] if squared else 1.0
    for t in range(1, T):
        if name == f"dL_dh{t}":
            return w * inputs[f"dL_da{t + 1}"]
    if name == "dL_dw":
        return sum(inputs[f"dL_da{t}"] * h[t - 1] for t in range(1, T + 1))
    if name == "dL_du":
        return sum(inputs[f"dL_da{t}"] * x[t - 1] for t in range(1, T + 1))
    raise KeyError(name)


def test_the_steps_of_three_time_steps_in_order():
    names = [spec.name for spec in GEN.step_specs(GEN.clean_config({"steps": 3}))]
    assert names == ["a1", "h1", "a2", "h2", "a3", "h3", "L", "dL_dh3", "dL_da3", "dL_dh2", "dL_da2", "dL_dh1",
                     "dL_da1", "dL_dw", "dL_du"]
    assert len(GEN.step_specs(GEN.clean_config({"steps": 2}))) == 11


@pytest.mark.parametrize("steps", [2, 3])
@pytest.mark.parametrize("loss", ["squared", "h_T"])
@pytest.mark.parametrize("wrt", ["w", "u"])
def test_declaration_and_exact_values_agree_with_solve(steps, loss, wrt):
    config = GEN.clean_config({"steps": steps, "loss": loss, "wrt": wrt})
    exact = check_declaration(GEN, config, reference)
    solved = GEN.solve(GEN.sample(1, config), config)
    assert exact[f"dL_d{wrt}"] == pytest.approx(solved.answer, rel=1e-12)
    assert [exact[f"h{t}"] for t in range(1, steps + 1)] == pytest.approx(solved.values["h"], rel=1e-12)
    assert [exact[f"dL_dh{t}"] for t in range(1, steps + 1)] == pytest.approx(solved.values["dL_dh"], rel=1e-12)
    assert exact["L"] == pytest.approx(solved.values["loss"], rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), steps=st.integers(2, 3), loss=st.sampled_from(["squared", "h_T"]),
       wrt=st.sampled_from(["w", "u"]), scale=st.sampled_from([0.01, 0.3, 2.0]),
       picks=st.lists(st.integers(0, 14), min_size=1, max_size=4))
def test_carried_values_agree_with_numpy(seed, steps, loss, wrt, scale, picks):
    config = GEN.clean_config({"steps": steps, "loss": loss, "wrt": wrt})
    check_carried(GEN, config, reference, seed, scale, picks)


PARAMS = {"w": 1.0, "u": 1.0, "h0": 0.0, "x": [0.0, 1.0], "y": 0.5}


def test_each_slip_is_computed_from_the_students_own_inputs():
    config = GEN.clean_config({"steps": 2, "loss": "squared"})
    answers = {"h1": 0.5, "h2": 1.5, "dL_dh2": 2.0, "dL_dh1": 3.0, "dL_da2": -1.0}
    names = [spec.name for spec in GEN.step_specs(config)]
    slips = step_slips(GEN, PARAMS, config, answers, names)
    assert slips["dL_dh2"] == {"dropped_half": 2.0}  # 2 (1.5 − 0.5) from the student's h₂
    assert slips["dL_da2"] == {"forgot_tanh_derivative": 2.0}
    assert slips["dL_da1"] == {"forgot_tanh_derivative": 3.0}
    assert slips["dL_dw"] == {"truncated": -0.5}  # ∂L/∂a₂ h₁ = −1 · 0.5
    assert slips["dL_du"] == {"truncated": -1.0}  # ∂L/∂a₂ x₂ = −1 · 1
    assert slips["h1"] == slips["L"] == {}
    no_half = step_slips(GEN, PARAMS, GEN.clean_config({"steps": 2, "loss": "h_T"}), {}, ["dL_dh2"])
    assert no_half == {"dL_dh2": {}}


def test_a_wrong_h1_carries_through_time():
    """w = u = 1, h₀ = 0, x = (0, 1), y = ½: a₁ = 0, h₁ = 0, a₂ = 1, h₂ = tanh 1. A student who writes
    h₁ = ½ gets a₂ = ½ + 1 = 1.5 carried and h₂ = tanh 1.5; going back, with their own ∂L/∂h₂ = 1 (and
    h₂ = tanh 1.5 carried): ∂L/∂a₂ = 1 − tanh² 1.5, ∂L/∂h₁ = w ∂L/∂a₂ = 1 − tanh² 1.5, and
    ∂L/∂a₁ = ∂L/∂h₁ (1 − h₁²) with their h₁ = ½: (1 − tanh² 1.5) · ¾; ∂L/∂u = ∂L/∂a₁ x₁ + ∂L/∂a₂ x₂ =
    ∂L/∂a₂ (x₁ = 0), ∂L/∂w = ∂L/∂a₁ h₀ + ∂L/∂a₂ h₁ = ½ ∂L/∂a₂."""
    config = GEN.clean_config({"steps": 2, "loss": "squared"})
    exact = step_chain(GEN, PARAMS, config)
    assert exact["a1"] == 0.0 and exact["h1"] == 0.0 and exact["a2"] == 1.0
    assert exact["h2"] == pytest.approx(math.tanh(1), rel=1e-12)
    carried = step_chain(GEN, PARAMS, config, {"h1": 0.5, "dL_dh2": 1.0})
    assert carried["a2"] == 1.5 and carried["h2"] == pytest.approx(math.tanh(1.5), rel=1e-12)
    assert carried["dL_dh2"] == pytest.approx(math.tanh(1.5) - 0.5, rel=1e-12)  # from the carried h₂
    slope = 1 - math.tanh(1.5) ** 2
    assert carried["dL_da2"] == pytest.approx(slope, rel=1e-12)
    assert carried["dL_dh1"] == pytest.approx(slope, rel=1e-12)
    assert carried["dL_da1"] == pytest.approx(slope * 0.75, rel=1e-12)
    assert carried["dL_du"] == pytest.approx(slope, rel=1e-12)
    assert carried["dL_dw"] == pytest.approx(0.5 * slope, rel=1e-12)
    assert carried["h1"] == 0.0  # a step's own carried value comes from its inputs, not the answer
    assert exact["dL_du"] == pytest.approx((math.tanh(1) - 0.5) * (1 - math.tanh(1) ** 2), rel=1e-12)
