"""attention's (and attention_weight's) steps: declaration, exact values and carried values against plain
numpy (hypothesis over seeds, sizes, perturbed steps), and a hand-computed carried example."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute.generators.language import Attention, AttentionWeight
from compute.steps import step_chain
from compute.tests.steps_harness import check_carried, check_declaration

GEN, WEIGHT = Attention(), AttentionWeight()


def reference(name, params, inputs, config):
    """Plain numpy, written from softmax(q Kᵀ / √d_k) V (not from compute/)."""
    q, K = np.array(params["q"]), np.array(params["K"])
    v = {k: np.array(val, dtype=float) for k, val in inputs.items()}
    if name == "scores":
        return np.array([row @ q for row in K])
    if name == "scaled_scores":
        return v["scores"] / np.sqrt(len(q))
    if name == "weights":
        e = np.exp(v["scaled_scores"])
        return e / e.sum()
    if name == "output":
        return v["weights"] @ np.array(params["V"])
    raise KeyError(name)


@pytest.mark.parametrize(("d_k", "keys", "d_v"), [(1, 2, 1), (2, 3, 2), (4, 4, 3)])
def test_declaration_and_exact_values(d_k, keys, d_v):
    config = GEN.clean_config({"d_k": d_k, "keys": keys, "d_v": d_v})
    exact = check_declaration(GEN, config, reference)
    solved = GEN.solve(GEN.sample(1, config), config)
    assert np.allclose(exact["scores"], solved.values["raw"])
    assert np.allclose(exact["scaled_scores"], solved.values["scores"])
    assert np.allclose(exact["weights"], solved.values["weights"])
    assert np.allclose(exact["output"], solved.answer, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("index", [0, 2])
def test_attention_weight_has_the_steps_up_to_the_weights(index):
    config = WEIGHT.clean_config({"d_k": 3, "keys": 3, "index": index})
    assert [s.name for s in WEIGHT.step_specs(config)] == ["scores", "scaled_scores", "weights"]
    exact = check_declaration(WEIGHT, config, reference)
    solved = WEIGHT.solve(WEIGHT.sample(1, config), config)
    assert exact["weights"][index] == pytest.approx(solved.answer, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), d_k=st.integers(1, 4), keys=st.integers(2, 4), d_v=st.integers(1, 3),
       one_weight=st.booleans(), scale=st.sampled_from([0.01, 0.3, 2.0]),
       picks=st.lists(st.integers(0, 3), min_size=1, max_size=3))
def test_carried_values_agree_with_numpy(seed, d_k, keys, d_v, one_weight, scale, picks):
    if one_weight:
        generator, config = WEIGHT, WEIGHT.clean_config({"d_k": d_k, "keys": keys, "index": seed % keys})
    else:
        generator, config = GEN, GEN.clean_config({"d_k": d_k, "keys": keys, "d_v": d_v})
    check_carried(generator, config, reference, seed, scale, picks)


def test_the_slips_of_one_step_are_the_generators_mistakes_from_the_students_inputs():
    params = {"q": [1.0, 1.0, 1.0, 1.0], "K": [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], "V": [[2.0], [0.0]]}
    config = GEN.clean_config({"d_k": 4, "keys": 2, "d_v": 1})
    assert GEN.step_mistakes("scaled_scores", params, {"scores": [4.0, 2.0]}, config) == {
        "forgot_scaling": [4.0, 2.0], "divided_by_dk": [1.0, 0.5]}
    assert GEN.step_mistakes("weights", params, {"scaled_scores": [0.0, 1.0]}, config) == {
        "wrong_axis": [1.0, 1.0], "forgot_softmax": [0.0, 1.0]}
    one = WEIGHT.step_mistakes("weights", params, {"scaled_scores": [0.0, 1.0]},
                               WEIGHT.clean_config({"d_k": 4, "keys": 2}))
    assert one == {"wrong_axis": [1.0, 1.0], "unnormalized": [1.0, math.e]}


def test_unscaled_scores_carry_into_the_weights_and_the_output():
    """d_k = 4, q = (1, 1, 1, 1), keys (1, 1, 0, 0) and (0, 0, 0, 0), values 2 and 0: scores (2, 0), scaled
    (1, 0), weights (e/(e + 1), 1/(e + 1)) = (0.731, 0.269), output 2 · 0.731 = 1.462. A student who forgets
    the scaling writes (2, 0): carried weights (e²/(e² + 1), 1/(e² + 1)) = (0.881, 0.119), output 1.762."""
    params = {"q": [1.0, 1.0, 1.0, 1.0], "K": [[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], "V": [[2.0], [0.0]]}
    config = GEN.clean_config({"d_k": 4, "keys": 2, "d_v": 1})
    exact = step_chain(GEN, params, config)
    assert exact["scaled_scores"] == [1.0, 0.0]
    assert exact["output"] == pytest.approx([2 * math.e / (math.e + 1)])
    carried = step_chain(GEN, params, config, {"scaled_scores": [2.0, 0.0]})
    e2 = math.exp(2)
    assert carried["weights"] == pytest.approx([e2 / (e2 + 1), 1 / (e2 + 1)])
    assert carried["output"] == pytest.approx([2 * e2 / (e2 + 1)])
    assert carried["scaled_scores"] == [1.0, 0.0]  # a step's own carried value comes from its inputs
