"""optimizer_step's steps: declaration, exact values (against torch.optim's through ``solve``) and carried
values against plain numpy (hypothesis over seeds, optimizers, step counts, perturbed steps), and a
hand-computed carried Adam example."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute.generators.optimizers import OptimizerStep
from compute.steps import step_chain
from compute.tests.steps_harness import check_carried, check_declaration

GEN = OptimizerStep()
OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
STATE = {"momentum": ["b"], "nesterov": ["b"], "adagrad": ["s"], "rmsprop": ["v"], "adam": ["m", "v"],
         "adamw": ["m", "v"]}  # the state torch.optim keeps, in solve's history order
# The largest perturbation that keeps the argument of a square root above 0 (v_1 of Adam is ≥ 0.001 · 0.5²).
ROOT_SAFE = {"v": 1e-4, "v_hat": 0.1, "s": 0.1}


def reference(name, params, inputs, config):
    """Plain numpy, written from the update rules (not from compute/)."""
    opt = config["optimizer"]
    quantity, t = name.rsplit("_", 1)
    t = int(t)
    g, lr, mu = params["g"][t - 1], params["lr"], params.get("mu", 0.0)
    now = {k.rsplit("_", 1)[0]: np.float64(v) for k, v in inputs.items() if int(k.rsplit("_", 1)[1]) == t}
    last = {k.rsplit("_", 1)[0]: np.float64(v) for k, v in inputs.items() if int(k.rsplit("_", 1)[1]) == t - 1}
    if quantity == "b":
        return g if t == 1 else mu * last["b"] + g
    if quantity == "s":
        return last.get("s", 0.0) + g**2
    if quantity == "m":
        return 0.9 * last.get("m", 0.0) + 0.1 * g
    if quantity == "v":
        keep = 0.99 if opt == "rmsprop" else 0.999
        return keep * last.get("v", 0.0) + (1 - keep) * g**2
    if quantity == "m_hat":
        return now["m"] / (1 - 0.9**t)
    if quantity == "v_hat":
        return now["v"] / (1 - 0.999**t)
    if quantity == "delta":
        step = {"sgd": lambda: g, "momentum": lambda: now.get("b"), "nesterov": lambda: g + mu * now.get("b"),
                "adagrad": lambda: g / (np.sqrt(now.get("s")) + 1e-10),
                "rmsprop": lambda: g / (np.sqrt(now.get("v")) + 1e-8)}.get(
            opt, lambda: now["m_hat"] / (np.sqrt(now["v_hat"]) + 1e-8))()
        return -lr * step
    if quantity == "w":
        w = last["w"] if t > 1 else params["w0"]
        return w * (1 - lr * params["wd"] if opt == "adamw" else 1) + now["delta"]
    raise KeyError(name)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("steps", [1, 3])
def test_declaration_and_exact_values_are_torch_optims(optimizer, steps):
    config = GEN.clean_config({"optimizer": optimizer, "steps": steps})
    for seed in (1, 2):
        exact = check_declaration(GEN, config, reference, seed)
        solved = GEN.solve(GEN.sample(seed, config), config)
        for t, row in enumerate(solved.values["history"], 1):
            assert exact[f"w_{t}"] == pytest.approx(row[0], rel=1e-12, abs=1e-15)
            for quantity, value in zip(STATE.get(optimizer, []), row[1:], strict=True):
                assert exact[f"{quantity}_{t}"] == pytest.approx(value, rel=1e-12, abs=1e-15)
        assert exact[f"w_{steps}"] == pytest.approx(solved.answer, rel=1e-12)


def test_steps_are_named_the_same_for_every_step_count():
    names = {steps: [s.name for s in GEN.step_specs(GEN.clean_config({"optimizer": "adam", "steps": steps}))]
             for steps in (1, 2)}
    assert names[1] == ["m_1", "v_1", "m_hat_1", "v_hat_1", "delta_1", "w_1"]
    assert names[2][:6] == names[1] and names[2][6:] == [n.replace("_1", "_2") for n in names[1]]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), optimizer=st.sampled_from(OPTIMIZERS), steps=st.integers(1, 3),
       scale=st.sampled_from([1e-4, 0.01, 0.3, 2.0]), picks=st.lists(st.integers(0, 17), min_size=1, max_size=4))
def test_carried_values_agree_with_numpy(seed, optimizer, steps, scale, picks):
    config = GEN.clean_config({"optimizer": optimizer, "steps": steps})
    specs = GEN.step_specs(config)
    picked = {specs[p % len(specs)].name.rsplit("_", 1)[0] for p in picks}
    scale = min([scale] + [ROOT_SAFE[q] for q in picked if q in ROOT_SAFE])
    check_carried(GEN, config, reference, seed, scale, picks)


def test_the_slips_of_one_step_are_the_generators_mistakes_from_the_students_inputs():
    """RMSprop, g = (0.5, −1), η = 0.01, with v_1 written as 0.25 (the weight 0.01 forgotten)."""
    config = GEN.clean_config({"optimizer": "rmsprop", "steps": 2})
    params = {"w0": 1.0, "g": [0.5, -1.0], "lr": 0.01}
    slips = GEN.step_mistakes("v_2", params, {"v_1": 0.25}, config)
    assert slips == pytest.approx({"alpha_swapped": 0.01 * 0.25 + 0.99 * 1.0})
    delta = GEN.step_mistakes("delta_2", params, {"v_2": 0.25}, config)
    assert delta == pytest.approx({"ascent": 0.01 * -1 / 0.5, "forgot_sqrt": 0.01 / 0.25,
                                   "bias_corrected": 0.01 / np.sqrt(0.25 / (1 - 0.99**2))})


def test_a_wrong_first_moment_carries_into_the_step_and_the_next_moment():
    """Adam by hand, w₀ = 1, η = 0.1, g = (0.5, −1): m₁ = 0.1 · 0.5 = 0.05, v₁ = 0.001 · 0.25, m̂₁ = 0.5,
    v̂₁ = 0.25, Δw₁ = −0.1 · 0.5 / 0.5 = −0.1, w₁ = 0.9. A student who forgets the weight 1 − β₁ writes
    m₁ = 0.5: carried m̂₁ = 0.5 / 0.1 = 5, Δw₁ = −0.1 · 5 / 0.5 = −1, w₁ = 1 − 1 = 0, and
    m₂ = 0.9 · 0.5 + 0.1 · (−1) = 0.35 (while the exact m₂ = 0.045 − 0.1 = −0.055)."""
    config = GEN.clean_config({"optimizer": "adam", "steps": 2})
    params = {"w0": 1.0, "g": [0.5, -1.0], "lr": 0.1}
    exact = step_chain(GEN, params, config)
    assert exact["m_1"] == pytest.approx(0.05) and exact["m_hat_1"] == pytest.approx(0.5)
    assert exact["w_1"] == pytest.approx(0.9) and exact["m_2"] == pytest.approx(-0.055)
    carried = step_chain(GEN, params, config, {"m_1": 0.5})
    assert carried["m_hat_1"] == pytest.approx(5.0) and carried["delta_1"] == pytest.approx(-1.0)
    assert carried["w_1"] == pytest.approx(0.0, abs=1e-7) and carried["m_2"] == pytest.approx(0.35)
    assert carried["m_1"] == pytest.approx(0.05)  # a step's own carried value comes from its inputs
