"""conv2d_backward's steps: declaration, exact values and carried values against plain numpy (hypothesis
over seeds, sizes, strides, paddings, both losses, perturbed steps), the slips of each step, and
hand-computed examples: with G given, a wrong output map carries into none of the gradients; with the
squared-error loss, it carries into ∂L/∂Y = Y − T and from there into ∂L/∂K and ∂L/∂b."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute.config import ConfigError
from compute.generators.convolution_backward import Conv2dBackward
from compute.steps import step_chain, step_slips
from compute.tests.steps_harness import check_carried, check_declaration

GEN = Conv2dBackward()


def reference(name, params, inputs, config):
    """Plain numpy loops, written from the formulas (not from compute/)."""
    s, p = config["stride"], config["padding"]
    X, K = np.array(params["X"]), np.array(params["K"])
    if config["loss"] == "squared":
        if name in ("L", "dL_dY"):
            error = np.array(inputs["Y"]) - np.array(params["T"])
            return float((error ** 2).sum() / 2) if name == "L" else error
        G = np.array(inputs["dL_dY"]) if name != "Y" else np.array(params["T"])
    else:
        G = np.array(params["G"])
    padded, k, o = np.pad(X, p), len(K), len(G)
    if name == "Y":
        return np.array([[(padded[s * i:s * i + k, s * j:s * j + k] * K).sum() + params["b"] for j in range(o)]
                         for i in range(o)])
    if name == "dL_dK":
        return np.array([[sum(G[i, j] * padded[s * i + u, s * j + v] for i in range(o) for j in range(o))
                          for v in range(k)] for u in range(k)])
    if name == "dL_db":
        return float(G.sum())
    if name == "dL_dX":
        grad = np.zeros_like(padded, dtype=float)
        for i in range(o):
            for j in range(o):
                grad[s * i:s * i + k, s * j:s * j + k] += G[i, j] * K
        return grad[p:p + len(X), p:p + len(X)]
    raise KeyError(name)


CONFIGS = [{}, {"kernel": 2}, {"size": 5, "stride": 2, "padding": 1}, {"size": 6, "kernel": 2, "stride": 2},
           {"size": 3, "kernel": 3, "padding": 1}, {"size": 5, "kernel": 2, "stride": 2}]
SQUARED = [{**settings_, "loss": "squared"} for settings_ in CONFIGS]


@pytest.mark.parametrize("settings_", CONFIGS + SQUARED)
def test_declaration_and_exact_values_agree_with_solve(settings_):
    config = GEN.clean_config(settings_)
    exact = check_declaration(GEN, config, reference)
    solved = GEN.solve(GEN.sample(1, config), config)
    assert exact["dL_dK"] == solved.answer
    assert list(exact) == list(solved.values)
    assert exact == solved.values


def test_the_steps_and_their_dependencies_under_each_loss():
    upstream = {spec.name: spec.depends for spec in GEN.step_specs(GEN.clean_config({}))}
    assert upstream == {"Y": (), "dL_dK": (), "dL_db": (), "dL_dX": ()}
    squared = {spec.name: spec.depends for spec in GEN.step_specs(GEN.clean_config({"loss": "squared"}))}
    assert squared == {"Y": (), "L": ("Y",), "dL_dY": ("Y",), "dL_dK": ("dL_dY",), "dL_db": ("dL_dY",),
                       "dL_dX": ("dL_dY",)}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), settings_=st.sampled_from(CONFIGS), scale=st.sampled_from([0.5, 1.0, 3.0]),
       picks=st.lists(st.integers(0, 3), min_size=1, max_size=3))
def test_carried_values_agree_with_numpy(seed, settings_, scale, picks):
    check_carried(GEN, GEN.clean_config(settings_), reference, seed, scale, picks)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), settings_=st.sampled_from(SQUARED), scale=st.sampled_from([0.5, 1.0, 3.0]),
       picks=st.lists(st.integers(0, 5), min_size=1, max_size=3))
def test_carried_values_under_the_squared_loss_agree_with_numpy(seed, settings_, scale, picks):
    check_carried(GEN, GEN.clean_config(settings_), reference, seed, scale, picks)


# X 3×3, K 2×2, b = 1, stride 1, no padding: Y and G are 2×2.
PARAMS = {"X": [[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [2.0, 0.0, 1.0]], "K": [[1.0, -1.0], [0.0, 1.0]], "b": 1.0,
          "G": [[1.0, 0.0], [-1.0, 2.0]]}


def test_a_wrong_output_map_carries_into_no_gradient():
    """By hand: Y₀₀ = 1 − 2 + 0 + 1 + b = 1, Y₀₁ = 2 − 0 + 0 − 1 + 1 = 2, Y₁₀ = 0 − 1 + 0 + 0 + 1 = 0,
    Y₁₁ = 1 + 1 + 0 + 1 + 1 = 4. ∂L/∂K_{u,v} = Σ G_{i,j} x_{i+u, j+v}: ∂L/∂K₀₀ = 1·1 − 1·0 + 2·1 = 3,
    ∂L/∂K₀₁ = 1·2 − 1·1 + 2·(−1) = −1, ∂L/∂K₁₀ = 1·0 − 1·2 + 2·0 = −2, ∂L/∂K₁₁ = 1·1 − 1·0 + 2·1 = 3;
    ∂L/∂b = 1 − 1 + 2 = 2. G is given, so a student's wrong Y changes none of them."""
    config = GEN.clean_config({"size": 3, "kernel": 2})
    exact = step_chain(GEN, PARAMS, config)
    assert exact["Y"] == [[1.0, 2.0], [0.0, 4.0]]
    assert exact["dL_dK"] == [[3.0, -1.0], [-2.0, 3.0]] and exact["dL_db"] == 2.0
    carried = step_chain(GEN, PARAMS, config, {"Y": [[0.0, 0.0], [0.0, 0.0]], "dL_dK": [[1.0, 1.0], [1.0, 1.0]]})
    assert carried == exact


def test_each_slip_of_the_hand_example():
    """Y with the kernel rotated by 180° ([[1, 0], [−1, 1]]): Y₀₀ = 1 + 0 − 0 + 1 + 1 = 3, ...; ∂L/∂K with G
    rotated ([[2, −1], [0, 1]]): 2·1 − 1·2 + 1·1 = 1, ...; ∂L/∂X with the kernel the other way round."""
    config = GEN.clean_config({"size": 3, "kernel": 2})
    slips = step_slips(GEN, PARAMS, config, {}, ["Y", "dL_dK", "dL_db", "dL_dX"])
    assert slips["Y"] == {"flipped_kernel": [[3.0, 1.0], [-1.0, 3.0]], "forgot_bias": [[0.0, 1.0], [-1.0, 3.0]]}
    assert slips["dL_dK"] == {"flipped_upstream": [[1.0, 3.0], [-1.0, 4.0]]}
    assert slips["dL_db"] == {"averaged_bias_gradient": 0.5}
    rotated = {**PARAMS, "K": [[1.0, 0.0], [-1.0, 1.0]]}
    assert slips["dL_dX"] == {"unrotated_kernel": reference("dL_dX", rotated, {}, config).tolist()}


def test_ignored_stride_takes_the_inputs_next_to_each_other():
    """Stride 2 on a 5×5 input with a 2×2 kernel: G is 2×2 and ∂L/∂K_{u,v} = Σ G_{i,j} x_{2i+u, 2j+v}; the
    slip takes x_{i+u, j+v}."""
    config = GEN.clean_config({"size": 5, "kernel": 2, "stride": 2})
    X = np.arange(25.0).reshape(5, 5)
    params = {"X": X.tolist(), "K": [[1.0, 0.0], [0.0, -1.0]], "b": 1.0, "G": [[1.0, 0.0], [0.0, 1.0]]}
    slips = step_slips(GEN, params, config, {}, ["dL_dK"])["dL_dK"]
    assert slips["ignored_stride"] == [[X[u, v] + X[1 + u, 1 + v] for v in range(2)] for u in range(2)]
    assert step_chain(GEN, params, config)["dL_dK"] == [[X[u, v] + X[2 + u, 2 + v] for v in range(2)]
                                                         for u in range(2)]


def test_a_config_without_a_2x2_output_map_is_refused():
    with pytest.raises(ConfigError, match="1×1"):
        GEN.clean_config({"stride": 2})


# The same X, K, b with a target map T such that ∂L/∂Y = Y − T is the G above.
SQUARED_PARAMS = {**{name: PARAMS[name] for name in ("X", "K", "b")}, "T": [[0.0, 2.0], [1.0, 2.0]]}


def test_a_wrong_output_map_carries_into_the_loss_gradient_and_the_kernel_gradient():
    """By hand: Y = [[1, 2], [0, 4]] as above, so ∂L/∂Y = Y − T = [[1, 0], [−1, 2]] (the G above),
    L = ½ (1 + 0 + 1 + 4) = 3, ∂L/∂K = [[3, −1], [−2, 3]], ∂L/∂b = 2. A student whose Y is [[1, 2], [0, 3]]
    carries ∂L/∂Y = [[1, 0], [−1, 1]], L = ½ (1 + 0 + 1 + 1) = 1.5, and from that ∂L/∂Y:
    ∂L/∂K₀₀ = 1·1 − 1·0 + 1·1 = 2, ∂L/∂K₀₁ = 1·2 − 1·1 + 1·(−1) = 0, ∂L/∂K₁₀ = 1·0 − 1·2 + 1·0 = −2,
    ∂L/∂K₁₁ = 1·1 − 1·0 + 1·1 = 2, ∂L/∂b = 1 − 1 + 1 = 1."""
    config = GEN.clean_config({"size": 3, "kernel": 2, "loss": "squared"})
    exact = step_chain(GEN, SQUARED_PARAMS, config)
    assert exact["Y"] == [[1.0, 2.0], [0.0, 4.0]] and exact["L"] == 3.0
    assert exact["dL_dY"] == [[1.0, 0.0], [-1.0, 2.0]]
    assert exact["dL_dK"] == [[3.0, -1.0], [-2.0, 3.0]] and exact["dL_db"] == 2.0
    assert GEN.solve(SQUARED_PARAMS, config).answer == exact["dL_dK"]
    carried = step_chain(GEN, SQUARED_PARAMS, config, {"Y": [[1.0, 2.0], [0.0, 3.0]]})
    assert carried["L"] == 1.5 and carried["dL_dY"] == [[1.0, 0.0], [-1.0, 1.0]]
    assert carried["dL_dK"] == [[2.0, 0.0], [-2.0, 2.0]] and carried["dL_db"] == 1.0
    assert carried["dL_dX"] == reference("dL_dX", SQUARED_PARAMS, {"dL_dY": [[1.0, 0.0], [-1.0, 1.0]]}, config
                                         ).tolist()
    # the student's own ∂L/∂Y, right or wrong, is what ∂L/∂K is carried from
    own = step_chain(GEN, SQUARED_PARAMS, config, {"Y": [[1.0, 2.0], [0.0, 3.0]], "dL_dY": [[1.0, 0.0], [0.0, 0.0]]})
    assert own["dL_dY"] == carried["dL_dY"] and own["dL_dK"] == [[1.0, 2.0], [0.0, 1.0]] and own["dL_db"] == 1.0


def test_each_slip_of_the_squared_loss_example():
    """The ½ dropped: L = 1 + 0 + 1 + 4 = 6 and ∂L/∂Y = 2(Y − T); the sign flipped: T − Y; ∂L/∂K with
    ∂L/∂Y rotated by 180° ([[2, −1], [0, 1]]) as with G given."""
    config = GEN.clean_config({"size": 3, "kernel": 2, "loss": "squared"})
    slips = step_slips(GEN, SQUARED_PARAMS, config, {}, ["Y", "L", "dL_dY", "dL_dK", "dL_db"])
    assert slips["Y"] == {"flipped_kernel": [[3.0, 1.0], [-1.0, 3.0]], "forgot_bias": [[0.0, 1.0], [-1.0, 3.0]]}
    assert slips["L"] == {"dropped_half": 6.0}
    assert slips["dL_dY"] == {"dropped_half": [[2.0, 0.0], [-2.0, 4.0]], "sign_flipped": [[-1.0, 0.0], [1.0, -2.0]]}
    assert slips["dL_dK"] == {"flipped_upstream": [[1.0, 3.0], [-1.0, 4.0]]}
    assert slips["dL_db"] == {"averaged_bias_gradient": 0.5}
    # from a wrong Y the slips of ∂L/∂Y are those of the student's own Y − T
    carried = step_slips(GEN, SQUARED_PARAMS, config, {"Y": [[1.0, 2.0], [0.0, 3.0]]}, ["dL_dY"])["dL_dY"]
    assert carried["sign_flipped"] == [[-1.0, 0.0], [1.0, -1.0]]


def test_ignored_stride_under_the_squared_loss_uses_the_loss_gradient():
    config = GEN.clean_config({"size": 5, "kernel": 2, "stride": 2, "loss": "squared"})
    params = GEN.sample(3, config)
    solved = GEN.solve(params, config)
    G = np.array(solved.values["dL_dY"])
    X = np.array(params["X"])
    assert solved.mistakes["ignored_stride"] == [[(G * X[u:u + 2, v:v + 2]).sum() for v in range(2)]
                                                  for u in range(2)]
    assert step_slips(GEN, params, config, {}, ["dL_dK"])["dL_dK"]["ignored_stride"] == solved.mistakes[
        "ignored_stride"]
