"""The contract every registered generator keeps, checked over many seeds.

Deterministic, JSON round-trip, finite, the answer passes its own grader, a perturbed answer
fails, every listed mistake differs from the answer and is recognised as that mistake.
"""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from compute.generators import REGISTRY, UnknownGenerator, get_generator
from compute.latex import is_finite
from compute.tests.generator_checks import perturbed, shape_of
from compute.variant import Variant
from quizzes.grading import grade_computed

SLUGS = sorted(REGISTRY)
SEEDS = [int(s) for s in np.random.default_rng(2026).integers(0, 2**62, size=25)]


@pytest.mark.parametrize("slug", SLUGS)
def test_generator_contract_over_25_seeds(slug):
    generator = get_generator(slug)
    config = generator.clean_config({})
    for seed in SEEDS:
        variant = generator.generate(seed, config)
        assert generator.generate(seed, config) == variant, "not deterministic"
        assert Variant.from_json(json.loads(json.dumps(variant.to_json()))) == variant
        assert is_finite(variant.answer) and all(is_finite(v) for v in variant.params.values())
        kind = {0: "scalar", 1: "vector", 2: "matrix"}[len(shape_of(variant.answer))]
        assert kind == generator.answer_kind
        tol = variant.tolerance
        assert grade_computed(variant.answer, variant.answer, **tol).score == 1.0
        assert grade_computed(perturbed(variant.answer, tol), variant.answer, **tol).score == 0.0
        mistakes = [m.__dict__ for m in variant.mistakes]
        for mistake in variant.mistakes:
            assert shape_of(mistake.value) == shape_of(variant.answer)
            grade = grade_computed(mistake.value, variant.answer, mistakes=mistakes, **tol)
            assert grade.score < 1.0 and grade.mistake == mistake.name, (seed, mistake)
        assert variant.steps and all(step.title and step.body for step in variant.steps)
        placeholders = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", variant.prompt))
        assert placeholders <= set(variant.params), placeholders - set(variant.params)


@pytest.mark.parametrize("slug", SLUGS)
def test_generator_has_mistakes_for_most_seeds(slug):
    """A generator that lists mistakes recognises them in most variants (not only by luck)."""
    generator = get_generator(slug)
    if not generator.mistakes:
        pytest.skip(f"{slug} lists no mistakes")
    found = sum(bool(generator.generate(seed).mistakes) for seed in SEEDS)
    assert found >= len(SEEDS) * 0.8


def test_at_least_20_generators_and_two_for_every_lecture():
    assert len(REGISTRY) >= 20
    for lecture in range(1, 13):
        serving = [g.slug for g in REGISTRY.values() if lecture in g.lectures]
        assert len(serving) >= 2, f"lecture {lecture} has {serving}"


def test_unknown_slug_lists_the_known_ones():
    with pytest.raises(UnknownGenerator) as error:
        get_generator("nope")
    assert "nope" in str(error.value) and SLUGS[0] in str(error.value)


def test_sampling_and_describing_import_no_torch():
    code = (
        "import sys, json\n"
        "from compute.generators import REGISTRY\n"
        "for g in REGISTRY.values():\n"
        "    c = g.clean_config({}); p = g.sample(7, c); g.prompt(c); g.diagram(p, c); json.dumps(g.describe())\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("slug", [s for s in SLUGS if REGISTRY[s].vectorized])
def test_batched_equals_single(slug):
    generator = get_generator(slug)
    config = generator.clean_config({})
    params = generator.sample_params(SEEDS, config)
    batch = generator.solve_batch(params, config)
    for index, seed in enumerate(SEEDS):
        single = generator.solve(generator.sample(seed, config), config)
        assert np.array_equal(np.asarray(batch[index].answer), np.asarray(single.answer)), seed
        assert batch[index].mistakes.keys() == single.mistakes.keys()
        for name in single.mistakes:
            assert np.array_equal(np.asarray(batch[index].mistakes[name]), np.asarray(single.mistakes[name]))
