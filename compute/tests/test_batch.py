"""compute/batch.py: stored rows from columns equal generate() per seed; the mistake filter matches
Generator.mistake_list; the per-seed fallback; chunking. Timing is the benchmark's job, not asserted."""

import json

import numpy as np
import pytest

from compute import batch
from compute.batch import Columns, generate_columns, generate_rows, kept_mistakes, to_rows, variant_row
from compute.config import Field, Schema
from compute.contract import Generator
from compute.generators.mlp import MlpBackward
from compute.variant import Solved, Step

MLP = MlpBackward()
SEEDS = [int(s) for s in np.random.default_rng(11).integers(0, 2**62, size=50)]


@pytest.mark.parametrize("config", [
    {},
    {"activation": "relu", "wrt": "x", "index": [1]},
    {"activation": "tanh", "wrt": "W2", "index": [0, 2], "hidden": 3},
    {"wrt": "loss", "hidden": 2},
    {"wrt": "output", "activation": "relu"},
    {"wrt": "b1", "index": [3], "fixed": {"y": 0.25}},
])
def test_rows_equal_generate_for_each_seed(config):
    rows = to_rows(generate_columns(MLP, SEEDS, config))
    assert [row["seed"] for row in rows] == SEEDS
    for seed, row in zip(SEEDS, rows, strict=True):
        variant = MLP.generate(seed, config)
        assert row["params"] == variant.params
        assert row["answer"] == variant.answer
        assert row["values"] == variant.values
        assert row["mistakes"] == [m.__dict__ for m in variant.mistakes]
        assert row["tolerance"] == variant.tolerance
        assert row == variant_row(variant)
    assert json.loads(json.dumps(rows)) == rows


def test_rows_hold_plain_python_numbers():
    row = generate_rows(MLP, [3], {})[0]
    assert type(row["seed"]) is int and type(row["answer"]) is float
    assert type(row["params"]["W1"][0][0]) is float and type(row["params"]["b2"]) is float
    assert type(row["values"]["z1"][0]) is float and type(row["mistakes"][0]["value"]) is float


def test_chunks_give_the_same_rows(monkeypatch):
    whole = generate_rows(MLP, SEEDS, {"activation": "tanh"})
    monkeypatch.setattr(batch, "CHUNK", 7)
    assert generate_rows(MLP, SEEDS, {"activation": "tanh"}) == whole


def test_no_seeds_no_rows():
    assert generate_rows(MLP, [], {}) == []


def columns_with(answer, mistakes, tolerance=None):
    answer = np.asarray(answer, dtype=np.float64)
    return Columns(generator="t", config={}, seeds=list(range(len(answer))),
                   tolerance=tolerance or {"rtol": 0.01, "atol": 1e-3}, params={}, answer=answer, values={},
                   mistakes={k: np.asarray(v, dtype=np.float64) for k, v in mistakes.items()},
                   messages={k: k for k in mistakes})


def test_kept_mistakes_follow_mistake_list_rules():
    columns = columns_with(
        [1.0, 1.0, 1.0, 1.0],
        {"a": [2.0, 1.005, np.nan, 3.0],  # kept; within tolerance of the answer; not finite; kept
         "b": [2.001, 5.0, 5.0, -3.0]},  # same as the kept "a"; kept; kept; kept
    )
    kept = kept_mistakes(columns)
    assert kept["a"].tolist() == [True, False, False, True]
    assert kept["b"].tolist() == [False, True, True, True]
    # the same verdicts as Generator.mistake_list, one variant at a time
    generator = Generator()
    generator.mistakes = {"a": "a", "b": "b"}
    for i in range(4):
        solved = Solved(1.0, {}, {"a": columns.mistakes["a"][i].item(), "b": columns.mistakes["b"][i].item()})
        names = [m.name for m in generator.mistake_list(solved, columns.tolerance)]
        assert names == [name for name in ("a", "b") if kept[name][i]]


def test_kept_mistakes_compare_every_cell_of_vector_answers():
    columns = columns_with([[1.0, 2.0], [1.0, 2.0]], {"a": [[1.0, 2.5], [1.0, 2.0]]})
    assert kept_mistakes(columns)["a"].tolist() == [True, False]


def test_non_finite_answer_is_refused():
    with pytest.raises(ArithmeticError, match="seed 1"):
        to_rows(columns_with([1.0, np.inf], {}))


class Doubling(Generator):
    """A non-vectorized generator: rows come from one generate() per seed."""

    slug = "doubling"
    schema = Schema((Field("factor", "int", 2, "Multiplier.", min=1, max=5),))
    mistakes = {"halved": "Halved."}

    def sample_batch(self, sampler, config):
        return {"a": sampler.nice(-2, 2, 0.5, nonzero=True)}

    def solve(self, params, config, device="cpu"):
        return Solved(params["a"] * config["factor"], {"a": params["a"]}, {"halved": params["a"] / 2})

    def explain(self, params, values, config):
        return [Step("Multiply", f"${values['a']} \\cdot {config['factor']}$")]

    def prompt(self, config):
        return "Multiply $a = {{ a }}$."


def test_fallback_for_a_generator_without_columns():
    generator = Doubling()
    rows = generate_rows(generator, SEEDS[:10], {"factor": 3})
    assert rows == [variant_row(generator.generate(seed, {"factor": 3})) for seed in SEEDS[:10]]
    assert rows[0]["answer"] == 3 * rows[0]["params"]["a"] and rows[0]["mistakes"][0]["name"] == "halved"
