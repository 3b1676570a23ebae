"""Checks the generator tests share (imported by them; pytest collects no tests from this module).

test_generators.py runs every registered generator with its default config; the per-module tests
use these helpers to run the other configs they name with the same kinds of assertions.
"""

import itertools

import numpy as np

from compute.config import ConfigError
from compute.contract import Generator
from compute.generators import get_generator
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
