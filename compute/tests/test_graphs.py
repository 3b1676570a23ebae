"""Lecture 10 generators: fixed cases against numpy, sampled graphs, the diagram, config errors."""

import math

import numpy as np
import pytest

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import assert_consistent_variants, config

PATH = [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]  # 1 – 2 – 3


def gcn_numpy(a, h, w, self_loops=True, symmetric=True):
    a_hat = np.array(a) + (np.eye(len(a)) if self_loops else 0)
    d = a_hat.sum(1)
    norm = a_hat / np.sqrt(np.outer(d, d)) if symmetric else a_hat / d[:, None]
    return np.maximum(norm @ np.array(h) @ np.array(w), 0)


def test_normalized_adjacency_by_hand():
    generator = get_generator("normalized_adjacency")
    off = generator.solve({"A": PATH, "u": 0, "v": 1}, config("normalized_adjacency", nodes=3))
    assert off.answer == pytest.approx(1 / math.sqrt(2 * 3))  # degrees with self-loops 2 and 3
    assert off.mistakes["without_self_loops"] == pytest.approx(1 / math.sqrt(1 * 2))
    assert off.mistakes["mean_normalization"] == pytest.approx(1 / 2)
    diagonal = generator.solve({"A": PATH, "u": 1, "v": 1}, config("normalized_adjacency", nodes=3))
    assert diagonal.answer == pytest.approx(1 / 3)
    assert diagonal.mistakes["without_self_loops"] == 0


def test_normalized_adjacency_asks_for_an_edge_between_nodes_of_different_degrees():
    generator = get_generator("normalized_adjacency")
    for seed in range(40):
        variant = generator.generate(seed)
        u, v = int(variant.params["u"]), int(variant.params["v"])
        a = np.array(variant.params["A"])
        assert a[u][v] == 1 and a[u].sum() != a[v].sum()
        assert variant.answer > 0
        assert "mean_normalization" in {m.name for m in variant.mistakes}


def test_a_variant_stored_when_nodes_counted_from_1_is_still_explained():
    generator, settings = get_generator("normalized_adjacency"), config("normalized_adjacency", nodes=3)
    old = {"A": PATH, "i": 1, "j": 2}  # 1-based: nodes 0 and 1 today
    solved = generator.solve(old, settings)
    assert solved.answer == pytest.approx(1 / math.sqrt(2 * 3))
    text = "\n".join(step.body for step in generator.explain(old, solved.values, settings))
    assert "\\hat A_{0,1}" in text


def test_gcn_layer_against_numpy():
    h, w = [[1.0, 0.0], [0.0, 1.0], [1.0, -2.0]], [[1.0, -1.0], [0.5, 1.0]]
    settings = config("gcn_layer", nodes=3, node=2)
    solved = get_generator("gcn_layer").solve({"A": PATH, "H": h, "W": w}, settings)
    np.testing.assert_allclose(solved.answer, gcn_numpy(PATH, h, w)[1], rtol=1e-12)
    without_loops, mean = gcn_numpy(PATH, h, w, self_loops=False), gcn_numpy(PATH, h, w, symmetric=False)
    np.testing.assert_allclose(solved.mistakes["forgot_self_loops"], without_loops[1], rtol=1e-12)
    np.testing.assert_allclose(solved.mistakes["mean_normalization"], mean[1], rtol=1e-12)
    # Degrees with self-loops (2, 3, 2): node 2's row of the normalized adjacency is (1/√6, 1/3, 1/√6).
    pre = (np.array(h[0]) / math.sqrt(6) + np.array(h[1]) / 3 + np.array(h[2]) / math.sqrt(6)) @ np.array(w)
    np.testing.assert_allclose(solved.mistakes["forgot_relu"], pre, rtol=1e-12)


def test_message_passing_sum_and_mean():
    a = [[0, 1, 1, 0], [1, 0, 0, 0], [1, 0, 0, 1], [0, 0, 1, 0]]  # node 1's neighbours: 2 and 3
    h = [[1.0, -1.0], [2.0, 0.0], [0.0, 2.0], [5.0, 5.0]]
    params = {"A": a, "H": h, "W_self": [[1.0, 0.0], [0.0, -1.0]], "W_neigh": [[0.5, 0.5], [-1.0, 0.0]]}
    generator = get_generator("message_passing")
    total = generator.solve(params, config("message_passing"))
    # W_self h1 = (1, 1); sum m = (2, 2), W_neigh m = (2, −2) → ReLU((3, −1)) = (3, 0).
    assert total.answer == [3.0, 0.0]
    assert total.mistakes["forgot_relu"] == [3.0, -1.0]
    mean = generator.solve(params, config("message_passing", aggregation="mean"))
    assert mean.answer == [2.0, 0.0]  # m = (1, 1), W_neigh m = (1, −1)
    assert mean.mistakes["other_aggregation"] == [3.0, 0.0]


def test_sampled_graphs_are_connected_and_undirected():
    generator = get_generator("gcn_layer")
    for nodes in (3, 4, 5):
        adjacency = generator.sample_params(range(100), config("gcn_layer", nodes=nodes))["A"]
        assert np.array_equal(adjacency, adjacency.transpose(0, 2, 1))
        assert np.all(np.diagonal(adjacency, axis1=1, axis2=2) == 0)
        reach = np.linalg.matrix_power(adjacency + np.eye(nodes), nodes - 1)
        assert np.all(reach > 0)


def test_message_passing_node_has_two_neighbours():
    generator = get_generator("message_passing")
    adjacency = generator.sample_params(range(100), config("message_passing", node=3))["A"]
    assert np.all(adjacency[:, 2].sum(1) >= 2)


def test_diagram_is_an_accessible_svg():
    variant = get_generator("gcn_layer").generate(5)
    svg = variant.diagram
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title>" in svg and "aria-label=" in svg
    assert "<script" not in svg and "style=" not in svg
    edges = sum(variant.params["A"][a][b] for a in range(4) for b in range(a + 1, 4))
    assert svg.count("<line") == edges


@pytest.mark.parametrize("slug,settings", [
    ("normalized_adjacency", {"nodes": 5}),
    ("gcn_layer", {"nodes": 5, "node": 4, "in_features": 3, "out_features": 1}),
    ("gcn_layer", {"nodes": 3, "in_features": 1, "out_features": 3}),
    ("message_passing", {"nodes": 3, "node": 2, "aggregation": "mean"}),
])
def test_other_configs_give_consistent_variants(slug, settings):
    for variant in assert_consistent_variants(slug, settings):
        assert np.max(np.abs(variant.answer)) > 0


def test_config_errors_say_what_is_allowed():
    with pytest.raises(ConfigError, match="“index” counts from 0, so it must be between 0 and 3 \\(“nodes” is 4\\)"):
        config("gcn_layer", index=4)
    assert config("gcn_layer", node=2)["index"] == 1  # the old 1-based setting means the same node
    with pytest.raises(ConfigError, match="“aggregation” must be one of \"sum\", \"mean\""):
        config("message_passing", aggregation="max")
    with pytest.raises(ConfigError, match="“nodes” must be at most 5"):
        config("normalized_adjacency", nodes=8)
