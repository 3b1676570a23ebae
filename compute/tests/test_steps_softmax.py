"""The softmax generators' steps: declaration, exact values and carried values against plain numpy
(hypothesis over seeds, class counts, perturbed steps), the slips of each step, and a hand-computed
carried example."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute.generators.softmax import SoftmaxCrossEntropy, SoftmaxGradient
from compute.steps import step_chain, step_slips
from compute.tests.steps_harness import check_carried, check_declaration

CE, GRAD = SoftmaxCrossEntropy(), SoftmaxGradient()
NAMES = ["scaled", "exps", "p", "L", "dL_ds", "dL_dz"]


def reference(name, params, inputs, config):
    """Plain numpy, written from the formulas (not from compute/)."""
    z, t, y = np.array(params["z"], dtype=float), params["T"], int(params["y"])
    v = {k: np.array(val, dtype=float) for k, val in inputs.items()}
    if name == "scaled":
        return z / t
    if name == "exps":
        return np.exp(v["scaled"])
    if name == "p":
        return v["exps"] / v["exps"].sum()
    if name == "L":
        return float(-np.log(v["p"][y]))
    if name == "dL_ds":
        return v["p"] - np.eye(len(z))[y]
    if name == "dL_dz":
        return v["dL_ds"] / t
    raise KeyError(name)


def test_the_steps_in_order():
    config = CE.clean_config({})
    assert [spec.name for spec in CE.step_specs(config)] == NAMES
    assert [spec.name for spec in GRAD.step_specs(GRAD.clean_config({}))] == NAMES


@pytest.mark.parametrize("classes", [2, 3, 6])
@pytest.mark.parametrize("ask", ["loss", "probability"])
def test_declaration_and_exact_values_agree_with_solve(classes, ask):
    config = CE.clean_config({"classes": classes, "ask": ask})
    exact = check_declaration(CE, config, reference)
    solved = CE.solve(CE.sample(1, config), config)
    assert np.allclose(exact["p"], solved.values["p"], rtol=1e-12)
    assert exact["L"] == pytest.approx(solved.values["loss"], rel=1e-12)
    asked = exact["L"] if ask == "loss" else exact["p"][int(CE.sample(1, config)["y"])]
    assert asked == pytest.approx(solved.answer, rel=1e-12)


@pytest.mark.parametrize("classes", [2, 4])
def test_the_gradient_generators_exact_chain_ends_in_its_answer(classes):
    config = GRAD.clean_config({"classes": classes})
    exact = check_declaration(GRAD, config, reference, seed=3)
    solved = GRAD.solve(GRAD.sample(3, config), config)
    assert np.allclose(exact["dL_dz"], solved.answer, rtol=1e-12, atol=1e-15)


# A probability or an exponential moved by more than its size can make p_y ≤ 0, whose log is undefined:
# large perturbations go to the other steps (the grid keeps every e^{z/T} ≥ e⁻⁴ = 0.018 and p_y ≥ 0.05,
# more than the 0.015 a perturbation of scale 0.01 moves them).
SMALL = 0.01
ANY_SIZE = [i for i, name in enumerate(NAMES) if name not in ("exps", "p")]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), gradient=st.booleans(), classes=st.integers(2, 6),
       scale=st.sampled_from([0.001, SMALL, 0.3, 2.0]), picks=st.lists(st.integers(0, 5), min_size=1, max_size=4))
def test_carried_values_agree_with_numpy(seed, gradient, classes, scale, picks):
    generator = GRAD if gradient else CE
    config = generator.clean_config({"classes": classes})
    if scale > SMALL:
        picks = [ANY_SIZE[pick % len(ANY_SIZE)] for pick in picks]
    check_carried(generator, config, reference, seed, scale, picks)


def test_each_slip_is_computed_from_the_students_own_inputs():
    params = {"z": [1.0, 2.0, 0.5], "T": 2.0, "y": 1.0}
    config = CE.clean_config({})
    answers = {"exps": [1.0, 2.0, 1.0], "p": [0.5, 0.25, 0.25], "dL_ds": [0.5, -0.5, 0.0]}
    slips = step_slips(CE, params, config, answers, NAMES)
    assert slips["scaled"] == {"forgot_temperature": [1.0, 2.0, 0.5], "multiplied_temperature": [2.0, 4.0, 1.0]}
    assert slips["exps"] == {}
    assert slips["p"] == {"unnormalized": [1.0, 2.0, 1.0]}
    assert slips["L"] == pytest.approx({"log10": math.log10(4), "forgot_minus": math.log(0.25)})
    assert slips["dL_ds"] == {"sign_flipped": [-0.5, 0.75, -0.25], "forgot_onehot": [0.5, 0.25, 0.25]}
    assert slips["dL_dz"] == {"forgot_temperature_factor": [0.5, -0.5, 0.0]}
    # softmax_gradient names the same slips (its own forgot_temperature message)
    assert step_slips(GRAD, params, GRAD.clean_config({}), answers, NAMES) == slips


def test_wrong_exponentials_carry_into_p_the_loss_and_the_gradient():
    """z = (0, 1, −1), T = ½, y = 1: z/T = (0, 2, −2), e^{z/T} = (1, e², e⁻²). A student who writes the
    exponentials (1, 2, 1) gets p = (¼, ½, ¼) carried, L = −ln ½ = ln 2 carried, ∂L/∂(z/T) = p − e₁ =
    (¼, −½, ¼) carried and ∂L/∂z = 2·(¼, −½, ¼) = (½, −1, ½) from their own ∂L/∂(z/T)."""
    params = {"z": [0.0, 1.0, -1.0], "T": 0.5, "y": 1.0}
    config = CE.clean_config({})
    exact = step_chain(CE, params, config)
    assert exact["scaled"] == [0.0, 2.0, -2.0]
    assert exact["exps"] == pytest.approx([1.0, math.e**2, math.e**-2], rel=1e-12)
    carried = step_chain(CE, params, config, {"exps": [1.0, 2.0, 1.0]})
    assert carried["p"] == [0.25, 0.5, 0.25]
    assert carried["L"] == pytest.approx(math.log(2), rel=1e-12)
    assert carried["dL_ds"] == [0.25, -0.5, 0.25] and carried["dL_dz"] == [0.5, -1.0, 0.5]
    assert carried["exps"] == exact["exps"]  # a step's own carried value comes from its inputs
    exact_p = np.exp([0.0, 2.0, -2.0]) / np.exp([0.0, 2.0, -2.0]).sum()
    assert exact["L"] == pytest.approx(-math.log(exact_p[1]), rel=1e-12)
