"""Hand-computable by construction: a student who follows the worked solution and carries on with
every value it shows, rounded as shown (4 significant figures), gets full credit.

``Generator.hand_answer`` recomputes the answer from the solved values that the worked solution
prints, each rounded by ``latex.shown`` (the rule ``latex.num`` prints with), and the test grades it
with the generator's own tolerance: at least 99.9 % must pass, for every generator's default config,
every demo-course config and every network config docs/compute.md shows. Seeds per config: 10,000
for mlp_backward (solved column-wise), 2,000 for the other generators and 600 for the network configs
(solved one by one, so the whole compute suite stays within a few minutes; the generators whose
rounding can matter also check it on 10,000 seeds in numpy, as their ``hand_computable`` rule in
test_rules.py).
"""

import numpy as np
import pytest

from compute import latex
from compute.batch import generate_columns
from compute.contract import to_python
from compute.generators import get_generator
from compute.network import layers_numpy as lnp
from compute.network import plan as nplan
from compute.network.engine import from_shown
from compute.tests.generator_checks import documented_configs, documented_network_configs
from compute.tolerance import within, within_nested
from quizzes.grading import grade_computed

CONFIGS = documented_configs()


def seeds_for(slug: str) -> int:
    return {"mlp_backward": 10_000, "network": 600}.get(slug, 2000)


def ids(case):
    slug, settings = case
    return f"{slug}:{','.join(f'{k}={v}' for k, v in settings.items()) if slug != 'network' else len(str(settings))}"


@pytest.mark.parametrize("case", CONFIGS, ids=[ids(c) for c in CONFIGS])
def test_rounding_every_shown_value_gets_full_credit(case):
    slug, settings = case
    generator = get_generator(slug)
    config = generator.clean_config(settings)
    tol = generator.tolerance(config)
    n = seeds_for(slug)
    if slug == "mlp_backward":  # solved column-wise
        columns = generate_columns(generator, np.arange(n), config)
        cases = (({k: to_python(v[i]) for k, v in columns.params.items()},
                  {k: to_python(v[i]) for k, v in columns.values.items()}, float(columns.answer[i])) for i in range(n))
    else:
        batch = generator.sample_params(np.arange(n), config)
        singles = ({k: to_python(v[i]) for k, v in batch.items()} for i in range(n))
        cases = ((one, to_python(solved.values), to_python(solved.answer))
                 for one, solved in ((one, generator.solve(one, config)) for one in singles))
    failed = []
    for params, values, answer in cases:
        hand = to_python(generator.hand_answer(params, values, config))
        if not within_nested(hand, answer, tol["rtol"], tol["atol"]):
            failed.append((answer, hand))
    assert len(failed) <= n // 1000, f"{slug}: {len(failed)} of {n} hand-rounded answers fail, e.g. {failed[:3]}"


def test_the_hand_answer_can_fail_a_rounding_that_loses_precision():
    """The check is not vacuous: tanh′(3) from a 2-figure tanh(3) is 20 % off and graded wrong."""
    generator = get_generator("activation_derivative")
    config = generator.clean_config({"activation": "tanh"})
    variant = generator.generate(1, {**config, "fixed": {"x": 3.0}})
    two_figures = 1 - latex.shown(np.tanh(3.0), 2) ** 2
    assert grade_computed(two_figures, variant.answer, **variant.tolerance).score == 0
    assert grade_computed(generator.hand_answer(variant.params, variant.values, config), variant.answer,
                          **variant.tolerance).score == 1


def test_small_answers_are_graded_relatively():
    """tanh′(±3) = 0.00987: the old absolute tolerance 10⁻³ accepted ±11 %; now 2 % off is wrong (and 3 %
    off the smallest answer a rule allows, 0.01)."""
    variant = get_generator("activation_derivative").generate(1, {"activation": "tanh", "fixed": {"x": -3.0}})
    assert variant.answer == pytest.approx(0.009866, abs=1e-6)
    assert grade_computed(variant.answer * 1.02, variant.answer, **variant.tolerance).score == 0
    assert grade_computed(round(variant.answer, 5), variant.answer, **variant.tolerance).score == 1
    for slug in ("network", "mlp_backward", "rnn_step", "attention"):
        generator = get_generator(slug)
        tol = generator.tolerance(generator.clean_config({}))
        assert not within(0.0103, 0.01, tol["rtol"], tol["atol"])  # 3 % off the smallest allowed answer


@pytest.mark.parametrize("cell", ["rnn_cell", "gru_cell", "lstm_cell"])
def test_the_worked_solution_shows_every_value_the_hand_computation_uses(cell):
    """Every gate and state of every step (forward) and every step's gradients (backward) that the
    hand-rounding simulation goes on from are printed in the worked solution, as shown."""
    generator = get_generator("network")
    settings = {"layers": [{"type": cell, "hidden_size": 2}, {"type": "linear", "out": 1}], "input": [2, 1],
                "values": "tenths", "ask": {"quantity": "grad", "wrt": "Whh1"}}
    config = generator.clean_config(settings)
    plan = nplan.plan_for(config)
    for seed in range(3):
        variant = generator.generate(seed, config)
        text = "\n".join(step.body for step in variant.steps)
        full = from_shown(plan, {k: np.asarray(v, dtype=np.float64)[None] for k, v in variant.params.items()}, (1,))
        params = {r: full[n] for r, n in plan.roles[0].items()}
        steps = lnp.cell_steps(cell, params, full["x"].reshape(1, 1, 2, 1))
        shown_values = [st[k] for st in steps for k in ("r", "u", "n", "ghn", "i", "f", "g", "o", "c", "h") if k in st]
        states = {}
        lnp.backward(plan.layers[0], params, full["x"].reshape(1, 1, 2, 1),
                     np.asarray(variant.values["d_h_t2"]).reshape(1, 1, 2), states=states)
        shown_values += list(states.values())
        assert shown_values
        for value in shown_values:
            for entry in np.ravel(value):
                assert latex.num(entry, 4) in text, (cell, seed, entry)
        # every per-step gate gradient of the backward pass is printed as well
        assert text.count("step 2 adds") == 1 and text.count("step 1 adds") == 1


def test_documented_network_examples_are_read_from_the_docs():
    configs = documented_network_configs()
    assert len(configs) >= 8
    asks = {c.get("ask", {}).get("wrt") for c in configs}
    assert {"Whh1", "K1_2", "c_t2"} <= asks
