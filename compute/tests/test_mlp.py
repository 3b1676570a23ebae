"""mlp_backward: hand-computed and numpy-checked gradients, mistakes, sampling rules, config errors,
and bitwise equality of single and batched solves beyond the defaults."""

import json

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators.mlp import HALVES, MIN_ANSWER, NONZERO_HALVES, QUANTITIES, X_GRID, MlpBackward

GEN = MlpBackward()

# A ReLU network small enough to do by hand:
#   z = W1 x + b1 = (0.5·1 + 0.5·2 + 0.5, 1·1 − 1·2 + 0) = (2, −1),  a = (2, 0)
#   ŷ = 1·2 − 0.5·0 + 0.5 = 2.5,  L = (2.5 − 1)² = 2.25,  ∂L/∂ŷ = 3
#   ∂L/∂z = (3·1·1, 3·(−0.5)·0) = (3, 0)
HAND = {"x": [1.0, 2.0], "W1": [[0.5, 0.5], [1.0, -1.0]], "b1": [0.5, 0.0], "W2": [[1.0, -0.5]], "b2": 0.5,
        "y": 1.0}
HAND_ANSWERS = [
    ({"wrt": "W1", "index": [0, 1]}, 6.0),  # ∂L/∂z1 · x2 = 3 · 2
    ({"wrt": "W1", "index": [1, 0]}, 0.0),  # dead unit
    ({"wrt": "b1", "index": [0]}, 3.0),
    ({"wrt": "W2", "index": [0, 0]}, 6.0),  # ∂L/∂ŷ · a1 = 3 · 2
    ({"wrt": "b2"}, 3.0),
    ({"wrt": "x", "index": [0]}, 1.5),  # 0.5·3 + 1·0
    ({"wrt": "x", "index": [1]}, 1.5),  # 0.5·3 + (−1)·0
    ({"wrt": "loss"}, 2.25),
    ({"wrt": "output"}, 2.5),
]


def config(**settings):
    return GEN.clean_config(settings)


@pytest.mark.parametrize(("settings", "expected"), HAND_ANSWERS)
def test_hand_computed_relu_network(settings, expected):
    cfg = config(hidden=2, activation="relu", **settings)
    assert GEN.solve(HAND, cfg).answer == pytest.approx(expected, abs=1e-12)
    # the same through generate with every parameter fixed
    assert GEN.generate(5, {**cfg, "fixed": HAND}).answer == pytest.approx(expected, abs=1e-12)


def test_hand_computed_values_and_mistakes():
    solved = GEN.solve(HAND, config(hidden=2, activation="relu", wrt="W1", index=[0, 1]))
    assert solved.values == {"z1": [2.0, -1.0], "a1": [2.0, 0.0], "yhat": 2.5, "loss": 2.25, "dyhat": 3.0,
                             "dz1": [3.0, 0.0]}
    # no ReLU "pre-activation" variant: ReLU′ read from z is the same
    assert solved.mistakes == {"forgot_factor_2": 3.0, "sign_flipped": -6.0,
                               "forgot_activation_derivative": 6.0}
    variant = GEN.generate(5, {"hidden": 2, "activation": "relu", "fixed": HAND})
    # forgot_activation_derivative equals the answer (ReLU′ = 1 here), so it is not offered
    assert [m.name for m in variant.mistakes] == ["forgot_factor_2", "sign_flipped"]


# A sigmoid / tanh network checked against numpy: manual backprop and central differences.
NET = {"x": [2.0, -1.0], "W1": [[0.5, -1.0], [1.0, 0.5], [-0.5, 0.5], [0.0, 1.0]],
       "b1": [0.5, -0.5, 1.0, 0.0], "W2": [[1.0, -0.5, 0.5, -1.0]], "b2": 0.5, "y": -0.5}


def numpy_reference(params, act):
    x, W1, b1 = np.array(params["x"]), np.array(params["W1"]), np.array(params["b1"])
    W2, b2, y = np.array(params["W2"])[0], params["b2"], params["y"]
    z = W1 @ x + b1
    a = 1 / (1 + np.exp(-z)) if act == "sigmoid" else np.tanh(z)
    slope = a * (1 - a) if act == "sigmoid" else 1 - a**2
    yhat = W2 @ a + b2
    d = 2 * (yhat - y)
    dz = d * W2 * slope
    slope_from_z = z * (1 - z) if act == "sigmoid" else 1 - z**2
    return {"z": z, "a": a, "yhat": yhat, "loss": (yhat - y) ** 2, "d": d, "dz": dz, "W1": np.outer(dz, x),
            "b1": dz, "W2": d * a, "b2": d, "x": W1.T @ dz, "slope_from_z": slope_from_z}


def loss_of(params, act):
    return numpy_reference(params, act)["loss"]


def nudged(params, name, index, step):
    moved = json.loads(json.dumps(params))
    if name in ("b2", "y"):
        moved[name] += step
    elif name == "W1":
        moved[name][index[0]][index[1]] += step
    elif name == "W2":
        moved[name][0][index[1]] += step
    else:
        moved[name][index[0]] += step
    return moved


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
@pytest.mark.parametrize(("wrt", "index"), [("W1", [2, 0]), ("W1", [0, 1]), ("b1", [1]), ("W2", [0, 3]),
                                            ("b2", None), ("x", [0]), ("x", [1])])
def test_gradient_matches_manual_backprop_and_central_differences(act, wrt, index):
    cfg = config(activation=act, wrt=wrt, index=index)
    solved = GEN.solve(NET, cfg)
    ref = numpy_reference(NET, act)
    where = tuple(index) if index else ()
    manual = {"W1": lambda: ref["W1"][where], "W2": lambda: ref["W2"][where[1]], "b2": lambda: ref["b2"],
              "b1": lambda: ref["b1"][where[0]], "x": lambda: ref["x"][where[0]]}[wrt]()
    assert solved.answer == pytest.approx(manual, rel=1e-12)
    h = 1e-6
    numeric = (loss_of(nudged(NET, wrt, where, h), act) - loss_of(nudged(NET, wrt, where, -h), act)) / (2 * h)
    assert solved.answer == pytest.approx(numeric, rel=1e-6)
    assert solved.values["z1"] == pytest.approx(ref["z"].tolist(), rel=1e-15)
    assert solved.values["a1"] == pytest.approx(ref["a"].tolist(), rel=1e-14)
    assert solved.values["dyhat"] == pytest.approx(ref["d"], rel=1e-14)
    assert solved.mistakes["forgot_factor_2"] == pytest.approx(manual / 2, rel=1e-12)
    assert solved.mistakes["sign_flipped"] == pytest.approx(-manual, rel=1e-12)


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
def test_mistake_values_follow_their_description(act):
    ref, W2, x = numpy_reference(NET, act), NET["W2"][0], NET["x"]
    d = ref["d"]
    w1 = GEN.solve(NET, config(activation=act, wrt="W1", index=[1, 0])).mistakes
    assert w1["forgot_activation_derivative"] == pytest.approx(d * W2[1] * x[0], rel=1e-12)
    assert w1["used_preactivation"] == pytest.approx(d * W2[1] * ref["slope_from_z"][1] * x[0], rel=1e-12)
    dx = GEN.solve(NET, config(activation=act, wrt="x", index=[1])).mistakes
    column = np.array(NET["W1"])[:, 1]
    assert dx["forgot_activation_derivative"] == pytest.approx(d * (column @ np.array(W2)), rel=1e-12)
    assert dx["used_preactivation"] == pytest.approx(d * (column * W2) @ ref["slope_from_z"], rel=1e-12)
    assert GEN.solve(NET, config(activation=act, wrt="W2", index=[0, 2])).mistakes["used_preactivation"] == (
        pytest.approx(d * ref["z"][2], rel=1e-12))
    z_output = np.array(W2) @ ref["z"] + NET["b2"]
    assert GEN.solve(NET, config(activation=act, wrt="output")).mistakes == {
        "used_preactivation": pytest.approx(z_output, rel=1e-12)}
    loss = GEN.solve(NET, config(activation=act, wrt="loss"))
    assert loss.answer == pytest.approx(ref["loss"], rel=1e-14)
    assert loss.mistakes["used_preactivation"] == pytest.approx((z_output - NET["y"]) ** 2, rel=1e-12)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("wrt", QUANTITIES)
@pytest.mark.parametrize("hidden", [2, 4])
def test_sampled_params_are_nice_unsaturated_and_not_tiny(act, wrt, hidden):
    cfg = config(activation=act, wrt=wrt, hidden=hidden)
    params = GEN.sample_params(np.arange(3000), cfg)
    assert np.isin(params["x"], X_GRID).all() and np.isin(params["W2"], NONZERO_HALVES).all()
    for name in ("W1", "b1", "b2", "y"):
        assert np.isin(params[name], HALVES).all(), name
    assert params["W1"].shape == (3000, hidden, 2) and params["W2"].shape == (3000, 1, hidden)
    z = np.einsum("bij,bj->bi", params["W1"], params["x"]) + params["b1"]
    solved = GEN.solve_columns(params, cfg)
    bound = {"sigmoid": 3.0, "tanh": 2.5, "relu": np.inf}[act]
    good = (np.abs(z) <= bound).all(1) & (np.abs(solved["answer"]) >= MIN_ANSWER)
    if act == "relu":
        good &= (z != 0).all(1)
    assert good.mean() > 0.999  # only seeds with no valid candidate among 16 may fail
    assert len(np.unique(solved["answer"])) > 20  # varied questions, not a few repeated ones


def test_fixed_values_are_kept_and_the_rest_still_checked():
    cfg = config(activation="tanh", fixed={"x": [1, -2], "y": 1})
    params = GEN.sample_params(np.arange(2000), cfg)
    assert (params["x"] == [1.0, -2.0]).all() and (params["y"] == 1.0).all()
    z = np.einsum("bij,bj->bi", params["W1"], params["x"]) + params["b1"]
    assert (np.abs(z) <= 2.5).all()  # the check saw the fixed x


def test_relu_asked_unit_is_active():
    cfg = config(activation="relu", wrt="b1", index=[2])
    params = GEN.sample_params(np.arange(1000), cfg)
    z = np.einsum("bij,bj->bi", params["W1"], params["x"]) + params["b1"]
    assert (z[:, 2] > 0).all()


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("wrt", ["W1", "W2", "x", "loss"])
def test_batched_equals_single_bitwise_for_arbitrary_numbers(act, wrt):
    """Not just grid numbers (whose products are exact): values with rounding in every op."""
    cfg = config(activation=act, wrt=wrt, hidden=3)
    params = GEN.sample_params(np.arange(37), cfg)
    rng = np.random.default_rng(7)
    params = {k: v + rng.normal(scale=0.1, size=v.shape) for k, v in params.items()}
    batch = GEN.solve_batch(params, cfg)
    for i, solved in enumerate(batch):
        single = GEN.solve({k: v[i].tolist() for k, v in params.items()}, cfg)
        assert single == solved


@pytest.mark.parametrize(("settings", "words"), [
    ({"index": [4, 0]}, ["“index” for W1", "shape 4 × 2", "[3, 1]"]),
    ({"index": [0]}, ["list of 2"]),
    ({"wrt": "W2", "index": [1, 0]}, ["“index” for W2", "shape 1 × 4"]),
    ({"wrt": "b1", "index": [True]}, ["0-based whole numbers"]),
    ({"wrt": "loss", "index": [0]}, ["only used when “wrt” is W1, b1, W2 or x"]),
    ({"hidden": 5}, ["“hidden” must be at most 4"]),
    ({"activation": "gelu"}, ["“activation” must be one of", "\"relu\""]),
    ({"wrt": "W3"}, ["“wrt” must be one of"]),
    ({"fixed": {"W1": [1, 2]}}, ["fixed value of “W1”", "[4, 2]"]),
])
def test_config_errors_say_what_is_allowed(settings, words):
    with pytest.raises(ConfigError) as error:
        GEN.generate(1, settings)
    for word in words:
        assert word in str(error.value)


def test_prompt_explanation_and_diagram():
    variant = GEN.generate(11, {"wrt": "x", "index": [1], "activation": "tanh"})
    assert "L = (\\hat y - y)^2" in variant.prompt and "`MSELoss`" in variant.prompt
    assert "`x[1]` in PyTorch" in variant.prompt and "x_{1}" in variant.prompt
    assert "Indices count from 0, as in PyTorch." in variant.prompt
    assert [s.title for s in variant.steps] == ["Conventions", "Forward pass", "Backward pass", "Answer"]
    assert f"{variant.answer:.4g}".replace("-", "") in variant.steps[-1].body
    svg = variant.diagram
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title>" in svg and "aria-label=" in svg
    assert "script" not in svg and "style=" not in svg and "href" not in svg
    assert svg.count("<circle") == 2 + 4 + 1 and svg.count("<line") == 4 * 2 + 4
    assert json.dumps(GEN.describe())
