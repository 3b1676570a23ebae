"""Lecture 7 backward through a convolution: the kernel gradient from the definition of the forward pass,
a case by hand, the mistakes, the worked solution and the configs."""

import numpy as np
import pytest

from compute import latex
from compute.generators import get_generator
from compute.tests.generator_checks import assert_keeps_the_contract, config

GEN = get_generator("conv2d_backward")
CONFIGS = [{}, {"kernel": 2}, {"size": 5, "stride": 2, "padding": 1}, {"size": 6, "kernel": 2, "stride": 2},
           {"size": 3, "kernel": 3, "padding": 1}]


def forward(X, K, b, stride, padding):
    """Y of PyTorch's Conv2d (cross-correlation) by loops."""
    x, k = np.pad(np.asarray(X, float), padding), np.asarray(K, float)
    n = (len(x) - len(k)) // stride + 1
    return np.array([[(x[i * stride:i * stride + len(k), j * stride:j * stride + len(k)] * k).sum() + b
                      for j in range(n)] for i in range(n)])


@pytest.mark.parametrize("settings", CONFIGS)
def test_the_kernel_gradient_is_the_derivative_of_the_forward_pass(settings):
    """L = Σ G ⊙ Y is linear in K: ∂L/∂K_{u,v} is what a unit change of K_{u,v} adds to L."""
    cfg = config("conv2d_backward", **settings)
    for seed in range(5):
        p = GEN.sample(seed, cfg)
        G, K = np.array(p["G"]), np.array(p["K"])
        base = (G * forward(p["X"], K, p["b"], cfg["stride"], cfg["padding"])).sum()
        expected = np.zeros_like(K)
        for u, v in np.ndindex(K.shape):
            bumped = K.copy()
            bumped[u, v] += 1
            expected[u, v] = (G * forward(p["X"], bumped, p["b"], cfg["stride"], cfg["padding"])).sum() - base
        solved = GEN.solve(p, cfg)
        assert solved.answer == expected.tolist()
        assert GEN.hand_answer(p, solved.values, cfg) == solved.answer
        assert solved.values["Y"] == forward(p["X"], K, p["b"], cfg["stride"], cfg["padding"]).tolist()


def test_kernel_gradient_by_hand():
    # ∂L/∂K_{u,v} = Σ G_{i,j} x_{i+u, j+v}; K_{0,0}: 1·1 + 0·2 + (−1)·0 + 2·1 = 3; K_{0,1}: 1·2 + (−1)·1 + 2·(−1) = −1
    params = {"X": [[1, 2, 0], [0, 1, -1], [2, 0, 1]], "K": [[1, -1], [0, 1]], "b": 1, "G": [[1, 0], [-1, 2]]}
    solved = GEN.solve(params, config("conv2d_backward", size=3, kernel=2))
    assert solved.answer == [[3.0, -1.0], [-2.0, 3.0]]
    assert solved.values["dL_db"] == 2.0 and solved.values["Y"] == [[1.0, 2.0], [0.0, 4.0]]
    # G rotated by 180° is [[2, −1], [0, 1]]: K_{0,0} = 2·1 − 1·2 + 1·1 = 1
    assert solved.mistakes == {"flipped_upstream": [[1.0, 3.0], [-1.0, 4.0]]}


def test_stride_two_names_the_ignored_stride():
    cfg = config("conv2d_backward", size=6, kernel=2, stride=2)
    names = [{m.name for m in GEN.generate(seed, cfg).mistakes} for seed in range(20)]
    assert all(found == {"flipped_upstream", "ignored_stride"} for found in names)
    assert all({m.name for m in GEN.generate(seed, {}).mistakes} == {"flipped_upstream"} for seed in range(20))


@pytest.mark.parametrize("settings", CONFIGS)
def test_keeps_the_contract_and_the_worked_solution_sums_each_entry(settings):
    cfg = config("conv2d_backward", **settings)
    assert_keeps_the_contract(GEN, cfg)
    variant = GEN.generate(2, cfg)
    entries = next(step for step in variant.steps if step.title == "Every kernel-gradient entry").body
    k = cfg["kernel"]
    assert entries.count("\\frac{\\partial L}{\\partial K_") == k * k
    first = entries.split("$$")[1]
    terms = first.split(" = ")[1].split(" + ")
    assert len(terms) == len(variant.params["G"]) ** 2 and float(first.rsplit("= ", 1)[1]) == variant.answer[0][0]


SQUARED = [{**settings, "loss": "squared"} for settings in CONFIGS]


@pytest.mark.parametrize("settings", SQUARED)
def test_under_the_squared_loss_the_kernel_gradient_is_the_derivative_of_the_loss(settings):
    """L = ½ Σ (Y − T)² is quadratic in K, so the central difference (L(K + e) − L(K − e)) / 2 is its
    derivative exactly."""
    cfg = config("conv2d_backward", **settings)
    for seed in range(5):
        p = GEN.sample(seed, cfg)
        K, T = np.array(p["K"]), np.array(p["T"])

        def loss(kernel, p=p, T=T):
            return ((forward(p["X"], kernel, p["b"], cfg["stride"], cfg["padding"]) - T) ** 2).sum() / 2

        expected = np.zeros_like(K)
        for u, v in np.ndindex(K.shape):
            bump = np.zeros_like(K)
            bump[u, v] = 1
            expected[u, v] = (loss(K + bump) - loss(K - bump)) / 2
        solved = GEN.solve(p, cfg)
        assert solved.answer == expected.tolist()
        assert GEN.hand_answer(p, solved.values, cfg) == solved.answer
        Y = forward(p["X"], K, p["b"], cfg["stride"], cfg["padding"])
        assert solved.values["Y"] == Y.tolist() and solved.values["dL_dY"] == (Y - T).tolist()
        assert solved.values["L"] == loss(K) and "G" not in p
        assert np.abs(Y - T).max() <= 6 and np.abs(expected).max() > 0


@pytest.mark.parametrize("settings", SQUARED)
def test_under_the_squared_loss_keeps_the_contract_and_shows_the_loss(settings):
    cfg = config("conv2d_backward", **settings)
    assert_keeps_the_contract(GEN, cfg)
    variant = GEN.generate(2, cfg)
    assert "{{ T }}" in variant.prompt and "{{ G }}" not in variant.prompt
    assert "\\tfrac12 \\sum_{i,j} (y_{i,j} - t_{i,j})^2" in variant.prompt
    loss = next(step for step in variant.steps if step.title == "Loss and its gradient at the output").body
    assert f"= {latex.num(variant.values['L'])}$$" in loss
    entries = next(step for step in variant.steps if step.title == "Every kernel-gradient entry").body
    first = entries.split("$$")[1]
    assert float(first.rsplit("= ", 1)[1]) == variant.answer[0][0]
    G = variant.values["dL_dY"]
    assert first.split(" = ")[1].split(" + ")[0].startswith(f"({G[0][0]:g})" if G[0][0] < 0 else f"{G[0][0]:g}")


def test_the_default_loss_is_the_given_upstream_gradient():
    cfg = config("conv2d_backward")
    assert cfg["loss"] == "upstream" and set(GEN.sample(1, cfg)) == {"X", "K", "b", "G"}
