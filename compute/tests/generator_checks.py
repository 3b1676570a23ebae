"""Checks the generator tests share (imported by them; pytest collects no tests from this module).

test_generators.py runs every registered generator with its default config; the per-module tests
use these helpers to run the other configs they name with the same kinds of assertions.
"""

import itertools
import json
import tomllib
from pathlib import Path

import numpy as np

from compute.config import ConfigError
from compute.contract import Generator
from compute.generators import REGISTRY, get_generator
from compute.variant import Variant
from quizzes.grading import grade_computed

ANSWER_DIMENSIONS = {"scalar": 0, "vector": 1, "matrix": 2}


def perturbed(answer, tolerance):
    """The answer moved by twice its tolerance (every cell), so it must be graded wrong."""
    if isinstance(answer, list):
        return [perturbed(a, tolerance) for a in answer]
    return answer + 2 * (tolerance["atol"] + tolerance["rtol"] * abs(answer)) + 1e-6


def shape_of(answer):
    return list(np.shape(answer))


def config(slug, **settings) -> dict:
    """The generator's cleaned config (defaults filled in); ConfigError for a bad one."""
    return get_generator(slug).clean_config(settings)


def answer(slug, config, fixed, seed=1) -> Variant:
    """The variant of ``seed`` with every parameter in ``fixed`` set by hand."""
    return get_generator(slug).generate(seed, {**config, "fixed": fixed})


def config_combinations(slug, extras=({},), skip_refused=False):
    """Every combination of the generator's choice settings, merged with each dict of ``extras``,
    cleaned. A combination the generator refuses (ConfigError) is skipped with ``skip_refused`` and
    fails the test otherwise."""
    generator = get_generator(slug)
    choices = [f for f in generator.schema.fields if f.kind == "choice"]
    for combo in itertools.product(*(f.choices for f in choices)):
        settings = dict(zip((f.name for f in choices), combo, strict=True))
        for extra in extras:
            try:
                yield generator.clean_config({**settings, **extra})
            except ConfigError:
                if not skip_refused:
                    raise


def assert_math_is_well_formed(text: str) -> None:
    """Balanced $ delimiters, and display math ($$...$$) standing as its own paragraph."""
    assert text.count("$") % 2 == 0, text
    for paragraph in text.split("\n\n"):
        assert "$$" not in paragraph or (paragraph.startswith("$$") and paragraph.endswith("$$")
                                         and paragraph.count("$$") == 2), paragraph


def assert_keeps_the_contract(generator: Generator, config: dict, seeds=range(6)) -> None:
    """For each seed: the answer has the generator's kind, a perturbed answer is graded wrong, every
    listed mistake is recognised as itself, and the prompt and every step are well-formed math."""
    for seed in seeds:
        variant = generator.generate(seed, config)
        tol = variant.tolerance
        assert len(shape_of(variant.answer)) == ANSWER_DIMENSIONS[generator.answer_kind]
        assert grade_computed(perturbed(variant.answer, tol), variant.answer, **tol).score == 0.0
        mistakes = [m.__dict__ for m in variant.mistakes]
        for mistake in variant.mistakes:
            grade = grade_computed(mistake.value, variant.answer, mistakes=mistakes, **tol)
            assert grade.mistake == mistake.name, (config, seed)
        for text in (variant.prompt, *(step.body for step in variant.steps)):
            assert_math_is_well_formed(text)


def assert_consistent_variants(slug, settings, seeds=range(15)) -> list[Variant]:
    """The variants of ``seeds`` under ``settings``, each checked: the answer has the generator's
    kind, there are mistakes, and every mistake has the answer's shape. Returned for more checks."""
    generator = get_generator(slug)
    variants = []
    for seed in seeds:
        variant = generator.generate(seed, settings)
        assert np.ndim(variant.answer) == ANSWER_DIMENSIONS[generator.answer_kind]
        assert variant.mistakes
        assert all(np.shape(m.value) == np.shape(variant.answer) for m in variant.mistakes)
        variants.append(variant)
    return variants


# --- the configs the docs and the demo course use ----------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED_NETWORKS = "<!-- network examples: one JSON config per line, checked by compute/tests -->"


def documented_network_configs() -> list[dict]:
    """The network configs docs/compute.md shows (the JSON lines of its marked block)."""
    text = (ROOT / "docs" / "compute.md").read_text(encoding="utf-8")
    block = text.split(DOCUMENTED_NETWORKS, 1)[1].split("```json", 1)[1].split("```", 1)[0]
    return [json.loads(line) for line in block.splitlines() if line.strip()]


def content_configs() -> list[tuple[str, str, dict]]:
    """(question file, generator slug, generator_config) of every computed question of the demo course."""
    found = []
    for path in sorted((ROOT / "content").glob("*/*/*.md")):
        text = path.read_text(encoding="utf-8")
        matter = tomllib.loads(text.split("+++\n", 2)[1])
        if "generator" in matter:
            found.append((path.name, matter["generator"], matter.get("generator_config", {})))
    return found


def documented_configs() -> list[tuple[str, dict]]:
    """Every generator's default config, the demo course's configs and the documented network configs,
    once each: (slug, config)."""
    configs = [(slug, {}) for slug in sorted(REGISTRY)]
    configs += [(slug, settings) for _, slug, settings in content_configs()]
    configs += [("network", settings) for settings in documented_network_configs()]
    unique = {}
    for slug, settings in configs:
        unique.setdefault((slug, json.dumps(settings, sort_keys=True)), (slug, settings))
    return list(unique.values())
