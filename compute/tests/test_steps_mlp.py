"""mlp_backward's steps: declaration, exact values and carried values against plain numpy (hypothesis
over seeds, activations, perturbed steps), and a hand-computed carried example."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute.generators.mlp import MlpBackward
from compute.steps import step_chain
from compute.tests.steps_harness import check_carried, check_declaration

GEN = MlpBackward()


def reference(name, params, inputs, config):
    """Plain numpy, written from the formulas (not from compute/)."""
    W1, x, b1 = np.array(params["W1"]), np.array(params["x"]), np.array(params["b1"])
    W2, b2, y = np.array(params["W2"]), params["b2"], params["y"]
    v = {k: np.array(val, dtype=float) for k, val in inputs.items()}
    act = config["activation"]
    if name == "z1":
        return W1 @ x + b1
    if name == "a1":
        z = v["z1"]
        return {"sigmoid": 1 / (1 + np.exp(-z)), "tanh": np.tanh(z), "relu": np.maximum(z, 0)}[act]
    if name == "yhat":
        return float(W2[0] @ v["a1"] + b2)
    if name == "L":
        return float((v["yhat"] - y) ** 2)
    if name == "dL_dyhat":
        return float(2 * (v["yhat"] - y))
    if name == "dL_da1":
        return W2[0] * v["dL_dyhat"]
    if name == "dL_dz1":
        a = v["a1"]
        slope = {"sigmoid": a * (1 - a), "tanh": 1 - a**2, "relu": (a > 0) * 1.0}[act]
        return v["dL_da1"] * slope
    if name == "dL_dW1":
        return np.outer(v["dL_dz1"], x)
    if name == "dL_db1":
        return v["dL_dz1"]
    if name == "dL_dW2":
        return (v["dL_dyhat"] * v["a1"])[None, :]
    if name == "dL_db2":
        return float(v["dL_dyhat"])
    if name == "dL_dx":
        return W1.T @ v["dL_dz1"]
    raise KeyError(name)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_declaration_and_exact_values(activation):
    config = GEN.clean_config({"activation": activation, "hidden": 3})
    exact = check_declaration(GEN, config, reference)
    solved = GEN.solve(GEN.sample(1, config), config)
    assert np.allclose(exact["z1"], solved.values["z1"]) and np.isclose(exact["L"], solved.values["loss"])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
       hidden=st.integers(2, 4), scale=st.sampled_from([0.01, 0.3, 2.0]),
       picks=st.lists(st.integers(0, 11), min_size=1, max_size=4))
def test_carried_values_agree_with_numpy(seed, activation, hidden, scale, picks):
    config = GEN.clean_config({"activation": activation, "hidden": hidden})
    check_carried(GEN, config, reference, seed, scale, picks)


def test_a_wrong_z1_carries_into_a1_and_the_loss():
    """ReLU network by hand: z = (2, −1); a student who writes z = (1, 1) gets a = (1, 1) carried,
    ŷ = 1·1 − 0.5·1 + 0.5 = 1 carried, L = (1 − 1)² = 0 carried."""
    params = {"x": [1.0, 2.0], "W1": [[0.5, 0.5], [1.0, -1.0]], "b1": [0.5, 0.0], "W2": [[1.0, -0.5]],
              "b2": 0.5, "y": 1.0}
    config = GEN.clean_config({"activation": "relu", "hidden": 2})
    exact = step_chain(GEN, params, config)
    assert exact["z1"] == [2.0, -1.0] and exact["a1"] == [2.0, 0.0] and exact["L"] == 2.25
    carried = step_chain(GEN, params, config, {"z1": [1.0, 1.0]})
    assert carried["a1"] == [1.0, 1.0] and carried["yhat"] == 1.0 and carried["L"] == 0.0
    assert carried["z1"] == [2.0, -1.0]  # a step's own carried value comes from its inputs, not the answer
