"""gcn_layer's steps: declaration, exact values and carried values against plain numpy (hypothesis over
seeds, graph and feature sizes, asked nodes, perturbed steps), and a hand-computed carried example."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute.generators.graphs import GcnLayer
from compute.steps import step_chain
from compute.tests.steps_harness import check_carried, check_declaration

GEN = GcnLayer()
# The largest perturbation that keeps every degree above 0 (d̂ ≥ 2: the graph is connected), so that
# D̂^{−1/2} is defined: Â's row sums move by up to 5 · 1.5 · scale, a degree by 1.5 · scale.
DEGREE_SAFE = {"A_hat": 0.1, "degrees": 0.3}


def reference(name, params, inputs, config):
    """Plain numpy, written from ReLU(D̂^{−1/2}(A + I)D̂^{−1/2} H W), row v (not from compute/)."""
    A, H, W = np.array(params["A"]), np.array(params["H"]), np.array(params["W"])
    node = config["index"]
    v = {k: np.array(val, dtype=float) for k, val in inputs.items()}
    if name == "A_hat":
        return A + np.eye(len(A))
    if name == "degrees":
        return v["A_hat"].sum(axis=1)
    if name == "normalized":
        d = v["degrees"]
        return v["A_hat"] / np.sqrt(np.outer(d, d))
    if name == "aggregated":
        return v["normalized"][node] @ H
    if name == "pre":
        return v["aggregated"] @ W
    if name == "output":
        return np.maximum(v["pre"], 0.0)
    raise KeyError(name)


@pytest.mark.parametrize(("nodes", "index", "in_features", "out_features"),
                         [(3, 0, 1, 1), (4, 2, 2, 2), (5, 4, 3, 3)])
def test_declaration_and_exact_values(nodes, index, in_features, out_features):
    config = GEN.clean_config({"nodes": nodes, "index": index, "in_features": in_features,
                               "out_features": out_features})
    exact = check_declaration(GEN, config, reference)
    solved = GEN.solve(GEN.sample(1, config), config)
    assert np.allclose(exact["degrees"], solved.values["degrees"])
    assert np.allclose(exact["normalized"], solved.values["normalized"])
    assert np.allclose(exact["aggregated"], solved.values["aggregated"][index])
    assert np.allclose(exact["pre"], solved.values["pre"])
    assert np.allclose(exact["output"], solved.answer, rtol=1e-12, atol=1e-15)


def test_the_asked_node_names_its_steps():
    specs = {s.name: s for s in GEN.step_specs(GEN.clean_config({"nodes": 4, "index": 3}))}
    assert specs["aggregated"].symbol == "(\\tilde A H)_{3}" and specs["output"].title == "output of node 3"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), nodes=st.integers(3, 5), index=st.integers(0, 4), in_features=st.integers(1, 3),
       out_features=st.integers(1, 3), scale=st.sampled_from([0.01, 0.1, 0.3, 2.0]),
       picks=st.lists(st.integers(0, 5), min_size=1, max_size=4))
def test_carried_values_agree_with_numpy(seed, nodes, index, in_features, out_features, scale, picks):
    config = GEN.clean_config({"nodes": nodes, "index": index % nodes, "in_features": in_features,
                               "out_features": out_features})
    specs = GEN.step_specs(config)
    picked = {specs[p % len(specs)].name for p in picks}
    scale = min([scale] + [DEGREE_SAFE[name] for name in picked if name in DEGREE_SAFE])
    check_carried(GEN, config, reference, seed, scale, picks)


PATH = {"A": [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], "H": [[1.0], [2.0], [4.0]], "W": [[1.0]]}


def test_the_slips_of_one_step_are_the_generators_mistakes_from_the_students_inputs():
    config = GEN.clean_config({"nodes": 3, "index": 1, "in_features": 1, "out_features": 1})
    a_hat = [[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]
    assert GEN.step_mistakes("A_hat", PATH, {}, config) == {"forgot_self_loops": PATH["A"]}
    assert GEN.step_mistakes("degrees", PATH, {"A_hat": a_hat}, config) == {"forgot_self_loops": [1.0, 2.0, 1.0]}
    slips = GEN.step_mistakes("normalized", PATH, {"A_hat": a_hat, "degrees": [2.0, 3.0, 2.0]}, config)
    assert slips["forgot_normalization"] == a_hat
    assert np.allclose(slips["mean_normalization"], [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.5, 0.5]])
    assert GEN.step_mistakes("output", PATH, {"pre": [-0.5]}, config) == {"forgot_relu": [-0.5]}


def test_degrees_without_the_self_loop_carry_into_the_normalization_and_the_output():
    """The path 0–1–2, node 1, features (1, 2, 4), W = 1: d̂ = (2, 3, 2), row 1 of Ã = (1/√6, 1/3, 1/√6),
    aggregated (1 + 4)/√6 + 2/3 = 2.708, the output 2.708. A student who counts d̂ = (1, 2, 1) (no
    self-loop) gets row 1 = (1/√2, 1/2, 1/√2) carried, aggregated 5/√2 + 1 = 4.536 and the output 4.536."""
    config = GEN.clean_config({"nodes": 3, "index": 1, "in_features": 1, "out_features": 1})
    exact = step_chain(GEN, PATH, config)
    assert exact["degrees"] == [2.0, 3.0, 2.0]
    assert exact["output"] == pytest.approx([5 / np.sqrt(6) + 2 / 3])
    carried = step_chain(GEN, PATH, config, {"degrees": [1.0, 2.0, 1.0]})
    assert carried["normalized"][1] == pytest.approx([1 / np.sqrt(2), 0.5, 1 / np.sqrt(2)])
    assert carried["aggregated"] == pytest.approx([5 / np.sqrt(2) + 1])
    assert carried["output"] == pytest.approx([5 / np.sqrt(2) + 1])
    assert carried["degrees"] == [2.0, 3.0, 2.0]  # a step's own carried value comes from its inputs
