"""The declarative network generator: hand-computed examples, PyTorch's own modules and optimizers as
references, the numpy engine behind sampling and mistakes, naming, config errors and the contract
for configs beyond the default. Gradients against independent finite differences (hypothesis over
random configs) are in ``test_network_gradients.py``."""

import json
import math

import numpy as np
import pytest
import torch

from compute.config import ConfigError
from compute.latex import is_finite
from compute.network import engine as nw
from compute.network import layers_numpy as lnp
from compute.network import plan as nplan
from compute.network.generator import GENERATORS, NetworkGenerator
from compute.tolerance import within_nested as close
from compute.variant import Variant
from quizzes.grading import grade_computed

GEN = NetworkGenerator()


# --- hand-computed examples ----------------------------------------------------------------------

# ReLU network, every number by hand:
#   z1 = W1 x + b1 = (1·1 − 1·2 + 2, 2·1 + 0 − 1, −1 + 2·2 − 4) = (1, 1, −1),  h1 = (1, 1, 0)
#   ŷ = 2·1 − 1·1 + 3·0 + 0.5 = 1.5,  L = (1.5 − 0.5)² = 1,  ∂L/∂ŷ = 2
#   ∂L/∂h1 = W2ᵀ·2 = (4, −2, 6),  ∂L/∂z1 = (4, −2, 0),  ∂L/∂W1 = ∂L/∂z1 xᵀ = [[4, 8], [−2, −4], [0, 0]]
RELU = {"layers": [{"type": "linear", "in": 2, "out": 3}, {"type": "relu"}, {"type": "linear", "out": 1}]}
RELU_PARAMS = {"x": [1.0, 2.0], "W1": [[1.0, -1.0], [2.0, 0.0], [-1.0, 2.0]], "b1": [2.0, -1.0, -4.0],
               "W2": [[2.0, -1.0, 3.0]], "b2": 0.5, "y": 0.5}


@pytest.mark.parametrize(("ask", "expected"), [
    ({"quantity": "output"}, 1.5),
    ({"quantity": "loss"}, 1.0),
    ({"quantity": "grad", "wrt": "W1", "index": [0, 1]}, 8.0),
    ({"quantity": "grad", "wrt": "W1"}, [[4.0, 8.0], [-2.0, -4.0], [0.0, 0.0]]),
    ({"quantity": "grad", "wrt": "h1"}, [4.0, -2.0, 6.0]),
    ({"quantity": "grad", "wrt": "z1", "index": [1]}, -2.0),
    ({"quantity": "grad", "wrt": "x"}, [0.0, -4.0]),  # W1ᵀ (4, −2, 0) = (4 − 4, −4 + 0)
    ({"quantity": "grad", "wrt": "W2"}, [[2.0, 2.0, 0.0]]),
    ({"quantity": "step", "wrt": "b1", "lr": 0.5}, [0.0, 0.0, -4.0]),  # b1 − 0.5·(4, −2, 0)
])
def test_hand_computed_relu_network(ask, expected):
    config = GEN.clean_config({**RELU, "ask": ask, "fixed": RELU_PARAMS})
    variant = GEN.generate(3, config)
    assert variant.params == RELU_PARAMS
    assert np.allclose(variant.answer, expected, rtol=0, atol=1e-12)
    assert GEN.answer_kind_for(config) == {0: "scalar", 1: "vector", 2: "matrix"}[np.ndim(expected)]


def test_hand_computed_mistakes():
    solved = GEN.solve(RELU_PARAMS, GEN.clean_config({**RELU, "ask": {"quantity": "grad", "wrt": "W2"}}))
    # the weight gradient with z1 = (1, 1, −1) in place of h1 = (1, 1, 0)
    assert solved.mistakes["used_preactivation"].tolist() == [[2.0, 2.0, -2.0]]
    assert solved.mistakes["sign_flipped"].tolist() == [[-2.0, -2.0, -0.0]]
    solved = GEN.solve(RELU_PARAMS, GEN.clean_config({**RELU, "ask": {"quantity": "grad", "wrt": "W1"}}))
    # ReLU′ taken as 1: ∂L/∂z1 = (4, −2, 6)
    assert solved.mistakes["forgot_activation_derivative"].tolist() == [[4.0, 8.0], [-2.0, -4.0], [6.0, 12.0]]
    ask = {"quantity": "step", "wrt": "b1", "lr": 0.5}
    step = GEN.solve(RELU_PARAMS, GEN.clean_config({**RELU, "ask": ask}))
    assert step.mistakes["wrong_step_direction"].tolist() == [4.0, -2.0, -4.0]


def test_default_sigmoid_slide_example_and_its_worked_solution():
    fixed = {"x": [1.0, -1.0], "W1": [[1.0, 2.0], [-1.0, 1.0], [2.0, -2.0]], "b1": [0.0, 1.0, 1.0],
             "W2": [[1.0, -2.0, 1.0]], "b2": 0.0, "y": 1.0}
    variant = GEN.generate(1, {"fixed": fixed})
    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    z1 = (1 - 2, -1 - 1 + 1, 2 + 2 + 1)  # (−1, −1, 5)
    yhat = s(z1[0]) - 2 * s(z1[1]) + s(z1[2])
    dz1_0 = 2 * (yhat - 1) * 1.0 * s(-1) * (1 - s(-1))
    assert variant.answer == pytest.approx(dz1_0 * -1.0, rel=1e-12)  # ∂L/∂W1[0, 1] = ∂L/∂z1[0] · x[1]
    assert {m.name: m.value for m in variant.mistakes}["forgot_activation_derivative"] == \
        pytest.approx(2 * (yhat - 1) * -1.0, rel=1e-12)
    text = "\n".join(step.body for step in variant.steps)
    assert "\\sigma'(a) = \\sigma(a)(1 - \\sigma(a))" in text and "PyTorch's default mean" in text
    assert "z_{1} = \\begin{pmatrix} 1 & 2 \\\\ -1 & 1 \\\\ 2 & -2 \\end{pmatrix}" in text
    assert "{{ W1 }}" in variant.prompt and "row 0, column 1" in variant.prompt
    assert "Indices count from 0, as in PyTorch." in variant.prompt


# --- PyTorch's own modules and optimizers as references ---------------------------------------------


def _solve(config, params, ask):
    return GEN.solve(params, GEN.clean_config({**config, "ask": ask}))


@pytest.mark.parametrize(("cell", "module"), [("rnn_cell", torch.nn.RNNCell), ("gru_cell", torch.nn.GRUCell),
                                              ("lstm_cell", torch.nn.LSTMCell)])
def test_recurrent_cells_match_torch_modules(cell, module):
    config = {"layers": [{"type": cell, "hidden_size": 2}], "input": [3, 2], "loss": "none",
              "values": "tenths", "ask": {"quantity": "output"}}
    params = GEN.sample(11, GEN.clean_config(config))
    torch_cell = module(2, 2).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            shown = name.replace("weight_", "W").replace("bias_", "b").replace("_", "") + "1"
            getattr(torch_cell, name).copy_(torch.tensor(params[shown], dtype=torch.float64))
    f64 = torch.float64
    state = torch.tensor([params["h0"]], dtype=f64)
    if cell == "lstm_cell":
        state = (state, torch.tensor([params["c0"]], dtype=f64))
    for x_t in torch.tensor(params["x"], dtype=f64):
        state = torch_cell(x_t[None], state)
    final = (state[0] if cell == "lstm_cell" else state)[0].tolist()
    assert _solve(config, params, {"quantity": "output"}).answer.tolist() == pytest.approx(final, abs=1e-13)


def test_batchnorm_train_and_eval_match_functional_batch_norm():
    def t(value):
        return torch.tensor(value, dtype=torch.float64)

    layers = [{"type": "linear", "in": 2, "out": 2}, {"type": "batchnorm1d"}]
    params = GEN.sample(4, GEN.clean_config({"layers": layers, "batch": 3, "values": "halves"}))
    z = t(params["x"]) @ t(params["W1"]).T + t(params["b1"])
    train = torch.nn.functional.batch_norm(z, None, None, t(params["gamma1"]), t(params["beta1"]),
                                           training=True, eps=1e-5)
    solved = _solve({"layers": layers, "batch": 3}, params, {"quantity": "output"})
    assert np.allclose(solved.answer, train.numpy(), rtol=0, atol=1e-12)
    assert np.allclose(solved.values["bvar1"], z.var(0, unbiased=False).numpy())  # the biased variance
    eval_layers = [{"type": "batchnorm1d", "features": 2, "mode": "eval"}]
    params = GEN.sample(4, GEN.clean_config({"layers": eval_layers}))
    # before any weighted layer, so numbered 0
    expected = torch.nn.functional.batch_norm(t([params["x"]]), t(params["mu0"]), t(params["var0"]),
                                              t(params["gamma0"]), t(params["beta0"]), eps=1e-5)
    solved = _solve({"layers": eval_layers}, params, {"quantity": "output"})
    assert np.allclose(solved.answer, expected[0].numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adam"])
def test_first_optimizer_step_matches_torch_optim(optimizer):
    params = GEN.sample(8, GEN.clean_config({}))
    ask = {"quantity": "step", "wrt": "W1", "optimizer": optimizer, "lr": 0.1}
    solved = _solve({}, params, ask)
    W1 = torch.tensor(params["W1"], dtype=torch.float64, requires_grad=True)
    W1.grad = torch.tensor(solved.values["d_W1"], dtype=torch.float64)
    make = {"sgd": lambda: torch.optim.SGD([W1], lr=0.1),
            "momentum": lambda: torch.optim.SGD([W1], lr=0.1, momentum=0.9),
            "nesterov": lambda: torch.optim.SGD([W1], lr=0.1, momentum=0.9, nesterov=True),
            "adam": lambda: torch.optim.Adam([W1], lr=0.1)}[optimizer]()
    make.step()
    assert np.allclose(solved.answer, W1.detach().numpy(), rtol=0, atol=1e-12)


def test_graph_conv_and_hinge_loss_by_formula():
    config = {"layers": [{"type": "graph_conv", "out": 1}], "input": [3, 2], "loss": "hinge",
              "ask": {"quantity": "loss"}}
    params = {"x": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "W1": [[1.0], [2.0]],
              "A1": [[0, 1, 0], [1, 0, 1], [0, 1, 0]], "y": 0.0}
    with pytest.raises(ConfigError, match="at least 2 class scores"):
        GEN.clean_config(config)
    config["layers"].append({"type": "flatten"})
    degree = np.array([2.0, 3.0, 2.0])  # of A + I
    ahat = (np.array(params["A1"]) + np.eye(3)) / np.sqrt(np.outer(degree, degree))
    scores = (ahat @ np.array(params["x"]) @ np.array(params["W1"])).ravel()
    expected = sum(max(0.0, 1 - scores[0] + s) for s in scores[1:]) / 3  # MultiMarginLoss divides by C = 3
    assert _solve(config, params, config["ask"]).answer == pytest.approx(expected, rel=1e-12)


# --- the numpy engine (sampling and mistakes) agrees with autograd ----------------------------------

ENGINE_CONFIGS = [
    {"layers": [{"type": "conv2d", "out_channels": 2, "kernel": 2, "padding": 1, "stride": 2}, {"type": "relu"},
                {"type": "maxpool2d", "kernel": 2, "stride": 1}, {"type": "flatten"},
                {"type": "linear", "out": 3}],
     "input": [2, 4, 4], "loss": "cross_entropy", "values": "halves",
     "ask": {"quantity": "grad", "wrt": "x", "index": [0, 0, 0]}},
    {"layers": [{"type": "conv1d", "out_channels": 2, "kernel": 2}, {"type": "leaky_relu", "slope": 0.1},
                {"type": "avgpool1d", "kernel": 2}, {"type": "flatten"}, {"type": "softmax"}],
     "input": [1, 5], "batch": 2, "ask": {"quantity": "grad", "wrt": "K1", "index": [0, 0, 0]}},
    {"layers": [{"type": "lstm_cell", "hidden_size": 2}, {"type": "linear", "out": 2}], "input": [3, 2],
     "loss": "hinge", "values": "tenths", "ask": {"quantity": "grad", "wrt": "Wih1"}},
    {"layers": [{"type": "gru_cell", "hidden_size": 2}, {"type": "linear", "out": 1}], "input": [3, 1],
     "batch": 2, "values": "tenths", "ask": {"quantity": "grad", "wrt": "h0"}},
    {"layers": [{"type": "graph_conv", "out": 2, "bias": True}, {"type": "elu", "alpha": 0.5},
                {"type": "flatten"}, {"type": "linear", "out": 1}],
     "input": [3, 2], "ask": {"quantity": "grad", "wrt": "W1"}},
    {"layers": [{"type": "linear", "in": 3, "out": 2}, {"type": "batchnorm1d"},
                {"type": "dropout", "p": 0.25}, {"type": "softplus", "beta": 2.0},
                {"type": "linear", "out": 1}, {"type": "sigmoid"}],
     "batch": 3, "loss": "bce", "values": "halves", "ask": {"quantity": "grad", "wrt": "W1"}},
]


@pytest.mark.parametrize("config", ENGINE_CONFIGS, ids=lambda c: c["layers"][0]["type"])
def test_numpy_engine_gradients_equal_autograd(config):
    cfg = GEN.clean_config(config)
    plan, params = nplan.plan_for(cfg), GEN.sample(5, cfg)
    full = {k: v[None] for k, v in nw.from_shown(plan, params).items()}
    P = [{r: full[n] for r, n in roles.items()} for roles in plan.roles]
    acts = [full["x"]]
    for layer, p in zip(plan.layers, P, strict=True):
        acts.append(lnp.forward(layer, p, acts[-1]))
    y = full.get("y")
    y = y.reshape(1, -1) if plan.loss in ("cross_entropy", "hinge") else y
    loss, d = lnp.loss(plan.loss, acts[-1], y)
    grads = {}
    for i in range(len(plan.layers) - 1, -1, -1):
        d, layer_grads = lnp.backward(plan.layers[i], P[i], acts[i], d)
        grads |= {plan.roles[i][r]: g[0] for r, g in layer_grads.items()}
    grads["x"] = d[0]
    values = GEN.solve(params, cfg).values
    assert loss[0] == pytest.approx(float(values["L"]), rel=1e-12)
    target = plan.target
    numpy_grad = np.reshape(grads[target], plan.shapes[target])
    assert np.allclose(numpy_grad, values["d_" + target], rtol=1e-10, atol=1e-12)


# --- contract beyond the default config --------------------------------------------------------------

CONTRACT_CONFIGS = {
    "conv2d_maxpool": {"layers": [{"type": "conv2d", "out_channels": 2, "kernel": 2}, {"type": "relu"},
                                  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
                                  {"type": "linear", "out": 2}],
                       "input": [1, 5, 5], "loss": "cross_entropy", "values": "halves",
                       "ask": {"quantity": "grad", "wrt": "K1_2"}},
    "lstm_cell": {"layers": [{"type": "lstm_cell", "hidden_size": 2}, {"type": "linear", "out": 1}],
                  "input": [3, 2], "values": "tenths", "ask": {"quantity": "grad", "wrt": "Whh1", "index": [4, 1]}},
    "graph_conv": {"layers": [{"type": "graph_conv", "out": 2}, {"type": "tanh"}, {"type": "flatten"},
                              {"type": "linear", "out": 1}], "input": [3, 2], "values": "halves",
                   "ask": {"quantity": "grad", "wrt": "W1"}},
    "batchnorm_train": {"layers": [{"type": "linear", "in": 2, "out": 2}, {"type": "batchnorm1d"},
                                   {"type": "tanh"}, {"type": "linear", "out": 1}], "batch": 3, "values": "halves",
                        "ask": {"quantity": "grad", "wrt": "gamma1"}},
    "dropout_mask": {"layers": [{"type": "linear", "in": 3, "out": 3}, {"type": "sigmoid"},
                                {"type": "dropout", "p": 0.5}, {"type": "linear", "out": 2}],
                     "ask": {"quantity": "step", "wrt": "W2", "optimizer": "adam"}},
}


def _perturbed(answer, tol):
    if isinstance(answer, list):
        return [_perturbed(a, tol) for a in answer]
    return answer + 2 * (tol["atol"] + tol["rtol"] * abs(answer)) + 1e-6


@pytest.mark.parametrize("name", CONTRACT_CONFIGS)
def test_contract_holds_for_other_configs(name):
    config = GEN.clean_config(CONTRACT_CONFIGS[name])
    kind = GEN.answer_kind_for(config)
    with_mistakes = 0
    for seed in range(12):
        variant = GEN.generate(seed, config)
        assert GEN.generate(seed, config) == variant
        assert Variant.from_json(json.loads(json.dumps(variant.to_json()))) == variant
        assert is_finite(variant.answer) and all(is_finite(v) for v in variant.params.values())
        assert {0: "scalar", 1: "vector", 2: "matrix"}[np.ndim(variant.answer)] == kind
        tol = variant.tolerance
        assert grade_computed(variant.answer, variant.answer, **tol).score == 1.0
        assert grade_computed(_perturbed(variant.answer, tol), variant.answer, **tol).score == 0.0
        mistakes = [m.__dict__ for m in variant.mistakes]
        for mistake in variant.mistakes:
            grade = grade_computed(mistake.value, variant.answer, mistakes=mistakes, **tol)
            assert grade.score < 1.0 and grade.mistake == mistake.name
        with_mistakes += bool(variant.mistakes)
        assert variant.diagram.startswith("<svg") and all(s.title and s.body for s in variant.steps)
    assert with_mistakes >= 10


def test_registered_once_with_scalar_default():
    assert [type(g) for g in GENERATORS] == [NetworkGenerator]
    assert GEN.slug == "network" and GEN.answer_kind == GEN.answer_kind_for({}) == "scalar"
    assert GEN.lectures == (2, 3, 4, 5, 7, 8, 10)


# --- sampling ------------------------------------------------------------------------------------


def test_sampling_is_nice_and_avoids_saturation_and_zero_answers():
    config = GEN.clean_config({})
    batch = GEN.sample_params(list(range(200)), config)
    assert set(np.unique(batch["x"])) <= {-2.0, -1.0, 0.0, 1.0, 2.0}
    assert 0.0 not in batch["W1"]  # weights are drawn without 0
    z1 = np.einsum("bij,bj->bi", batch["W1"], batch["x"]) + batch["b1"]
    good = (np.abs(z1) <= 3).all(1)
    assert good.mean() > 0.95
    answers = np.array([GEN.solve({k: v[i].tolist() for k, v in batch.items()}, config).answer
                        for i in range(200)])
    assert (np.abs(answers) >= 0.01).mean() > 0.95
    assert GEN.sample(7, config) == GEN.sample(7, config)


def test_fixed_values_are_kept_and_the_rest_resampled_around_them():
    variant = GEN.generate(2, {"fixed": {"x": [0.5, 1.5]}, "values": "halves"})
    assert variant.params["x"] == [0.5, 1.5]
    assert all(v * 2 == int(v * 2) for v in np.ravel(variant.params["W1"]))


# --- naming and config errors ------------------------------------------------------------------------


def test_naming_scheme():
    plan = nplan.plan_for(GEN.clean_config({
        "layers": [{"type": "conv2d", "out_channels": 2, "kernel": 2}, {"type": "relu"},
                   {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "dropout"},
                   {"type": "linear", "out": 3}, {"type": "batchnorm1d"},
                   {"type": "relu"}, {"type": "relu"}, {"type": "linear", "out": 2}, {"type": "softmax"}],
        "input": [1, 5, 5], "batch": 2}))
    assert plan.outs == ("z1", "h1", "s1", "f1", "d1", "z2", "n2", "h2", "h2b", "z3", "p3")
    names = [part for p in plan.params for part, _ in p.parts]
    assert names == ["x_1", "x_2", "K1_1", "K1_2", "b1", "mask1", "W2", "b2", "gamma2", "beta2", "W3", "b3",
                     "y"]
    assert plan.param["K1"].shape == (2, 1, 2, 2) and plan.param["x"].shape == (2, 1, 5, 5)
    cell = nplan.plan_for(GEN.clean_config({"layers": [{"type": "gru_cell", "hidden_size": 3}, {"type": "tanh"}],
                                         "input": [2, 4]}))
    assert cell.outs == ("h_t2", "h1")
    assert [p.name for p in cell.params] == ["x", "Wih1", "Whh1", "bih1", "bhh1", "h0", "y"]
    assert cell.param["Wih1"].shape == (9, 4) and cell.shapes["h_t1"] == (3,)


@pytest.mark.parametrize(("config", "message"), [
    ({"layers": [{"type": "conv3d"}]}, "unknown type 'conv3d'; allowed types: linear, conv1d"),
    ({"layers": [{"type": "linear", "in": 2, "out": 3, "size": 1}]},
     "unknown key “size”; allowed keys: type, in, out, bias"),
    ({"layers": [{"type": "linear", "in": 2, "out": 3}, {"type": "linear", "in": 4, "out": 1}]},
     "Layer 2 (linear): “in” is 4 but the incoming shape gives 3"),
    ({"layers": [{"type": "linear", "in": 2}]}, "“out” is required"),
    ({"layers": [{"type": "conv1d", "out_channels": 1, "kernel": 2}]}, "Set “input”"),
    ({"layers": [{"type": "conv2d", "out_channels": 1, "kernel": 5}], "input": [1, 3, 3]},
     "kernel 5 is larger"),
    ({"layers": [{"type": "linear", "in": 4, "out": 2}], "input": [1, 2, 2]}, "add a flatten"),
    ({"ask": {"quantity": "grad", "wrt": "W9"}},
     "“wrt” must name a parameter, input or intermediate of this network: x, W1, b1, W2, b2, z1, h1, z2"),
    ({"ask": {"quantity": "step", "wrt": "x"}}, "must name a parameter of this network: W1, b1, W2, b2"),
    ({"ask": {"quantity": "grad", "wrt": "W1", "index": [3, 0]}}, "within the shape [3, 2]"),
    ({"ask": {"quantity": "gradient"}}, "“quantity” one of output, loss, grad, step"),
    ({"ask": {"quantity": "grad", "wrt": "W1", "lr": 0.1}}, "unknown key “lr”"),
    ({"loss": "cross_entropy"}, "needs a vector of at least 2 class scores"),
    ({"layers": [{"type": "linear", "in": 2, "out": 3}, {"type": "softmax"}], "loss": "cross_entropy"},
     "remove the final softmax"),
    ({"loss": "bce"}, "end the network with a sigmoid"),
    ({"loss": "none", "ask": {"quantity": "loss"}}, "choose mse, bce, cross_entropy or hinge"),
    ({"layers": [{"type": "linear", "in": 2, "out": 2}, {"type": "batchnorm1d"}]},
     "needs “batch” of at least 2"),
    ({"layers": [{"type": "linear", "in": 2, "out": 2}, {"type": "rnn_cell", "hidden_size": 2}]},
     "must be the first layer"),
    ({"layers": [{"type": "dropout", "p": 1.0}], "input": [2]}, "“p” must lie strictly between 0 and 1"),
    ({"layers": [{"type": "conv2d", "out_channels": 2, "kernel": 2}], "input": [1, 3, 3], "loss": "none",
      "ask": {"quantity": "output"}}, "ask one entry with “index” or one part (z1_1, z1_2)"),
])
def test_config_errors_say_what_is_allowed(config, message):
    with pytest.raises(ConfigError) as error:
        GEN.clean_config(config)
    assert message in str(error.value)


def test_answer_kind_follows_the_ask():
    assert GEN.answer_kind_for({"ask": {"quantity": "grad", "wrt": "W1"}}) == "matrix"
    assert GEN.answer_kind_for({"ask": {"quantity": "grad", "wrt": "b1"}}) == "vector"
    assert GEN.answer_kind_for({"ask": {"quantity": "loss"}}) == "scalar"
    assert GEN.answer_kind_for({"ask": {"quantity": "output"}}) == "scalar"  # one output: a number
    assert close(GEN.generate(1, {"ask": {"quantity": "grad", "wrt": "W2"}}).answer,
                 GEN.generate(1, {"ask": {"quantity": "grad", "wrt": "W2"}}).answer, 0, 0)


def test_forgot_mean_is_the_sum_instead_of_the_mean():
    config = {"layers": [{"type": "linear", "in": 2, "out": 3}], "batch": 2,
              "ask": {"quantity": "grad", "wrt": "b1"}}
    params = GEN.sample(6, GEN.clean_config(config))
    solved = GEN.solve(params, GEN.clean_config(config))
    assert np.allclose(solved.mistakes["forgot_mean"], 6 * solved.answer)  # n = 2 samples × 3 outputs
    loss = GEN.solve(params, GEN.clean_config({**config, "ask": {"quantity": "loss"}}))
    assert loss.mistakes == {"forgot_mean": pytest.approx(6 * loss.answer)}


def test_gpu_transfer_path_gives_the_same_values():
    """The one-copy path used off the CPU (checked here on CPU tensors) equals the per-tensor path."""
    plan = nplan.plan_for(GEN.clean_config(ENGINE_CONFIGS[2]))
    items = [("a", torch.arange(6.0, dtype=torch.float64).reshape(1, 2, 3), True),
             ("b", torch.tensor(2.5, dtype=torch.float64), False)]
    one_copy, per_tensor = nw.to_numpy(plan, items, "cuda"), nw.to_numpy(plan, items, "cpu")
    assert one_copy.keys() == per_tensor.keys()
    assert all(np.array_equal(one_copy[k], per_tensor[k]) for k in one_copy)
    assert one_copy["a"].shape == (2, 3) and one_copy["b"].shape == ()
