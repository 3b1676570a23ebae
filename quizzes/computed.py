"""Computed questions: their generator and config, parameters in prompts, worked solutions.

The glue between a ``Question`` of a computed kind and the ``compute`` engine. Everything here
except ``solve_fields`` is torch-free, so a web process can show a variant's numbers, prompt,
diagram and worked solution without importing torch.
"""

import re
import time

from compute.config import ConfigError
from compute.generators import UnknownGenerator, get_generator
from compute.generators.base import Generator, to_python
from compute.latex import is_finite
from compute.latex import value as latex_value
from compute.variant import Solved, Step

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
ARRAY_KINDS = {"vector", "matrix"}


def generator_for(question, variant=None) -> Generator:
    """The generator of ``variant`` (the one it was made with) or else of ``question``."""
    return get_generator(variant.generator if variant is not None and variant.generator else question.generator)


def config_for(question, variant=None) -> dict:
    """The cleaned config ``variant`` was made with, or else the question's current one.

    A variant keeps its own generator and config, so editing the question later changes only new
    variants: the prompt, diagram, worked solution and answer of an existing one stay consistent.
    """
    if variant is not None and variant.config is not None:
        return variant.config
    return generator_for(question).clean_config(question.generator_config)


def answer_kind(question, config: dict | None = None) -> str:
    """ "scalar", "vector" or "matrix" for this question's generator and config."""
    generator = generator_for(question)
    config = config if config is not None else config_for(question)
    kind_for = getattr(generator, "answer_kind_for", None)
    return kind_for(config) if kind_for else generator.answer_kind


def check_computed(question) -> dict[str, str]:
    """Field -> message for whatever makes this computed question unusable (empty when fine).

    Checks the generator slug, the config, that the kind fits the generator's answer shape, that
    parameters can be sampled (fixed values included) and that the prompt names only existing
    parameters. Does not solve (that is the admin preview's job).
    """
    try:
        generator = generator_for(question)
    except UnknownGenerator as error:
        return {"generator": str(error)}
    try:
        config = generator.clean_config(question.generator_config)
        params = generator.sample(1, config)
    except ConfigError as error:
        return {"generator_config": str(error)}
    kind = answer_kind(question, config)
    if question.kind == "computed" and kind != "scalar":
        return {"kind": f"This generator and config ask for a {kind}: use the kind “Computed vector/matrix”."}
    if question.kind == "computed_array" and kind == "scalar":
        return {"kind": "This generator and config ask for one number: use the kind “Computed number”."}
    unknown = sorted(set(PLACEHOLDER.findall(question.prompt)) - set(params))
    if unknown:
        names = ", ".join("{{ " + name + " }}" for name in unknown)
        return {"prompt": f"Unknown parameter {names}; this generator has: {', '.join(params)}."}
    return {}


def fill_prompt(text: str, params: dict) -> str:
    """Replace ``{{ name }}`` by the parameter's LaTeX (a number, column vector or matrix)."""
    return PLACEHOLDER.sub(
        lambda m: latex_value(params[m.group(1)]) if m.group(1) in params else m.group(0), text
    )


def prompt_for(question, variant) -> str:
    """The variant's prompt Markdown: the question's own prompt, else the generator's default."""
    text = question.prompt.strip() or generator_for(question, variant).prompt(config_for(question, variant))
    return fill_prompt(text, variant.params or {})


def steps_for(question, variant) -> list[Step]:
    """The worked solution of a solved variant (empty until it is ready)."""
    if not variant.is_ready or variant.values is None:
        return []
    return generator_for(question, variant).explain(variant.params, variant.values, config_for(question, variant))


def diagram_for(question, variant) -> str | None:
    """The generator's SVG of the student's own network (trusted markup: numbers escaped)."""
    if not variant.params:
        return None
    return generator_for(question, variant).diagram(variant.params, config_for(question, variant))


def tolerance_for(question, variant) -> dict:
    if question.own_tolerance or not variant.tolerance:
        return {"rtol": question.rtol, "atol": question.atol}
    return variant.tolerance


def solve_fields(generator: Generator, config: dict, params: dict, seed: int, device: str) -> dict:
    """Solve one variant: the Variant model fields to store (imports torch via the generator).

    Raises ArithmeticError for a non-finite answer, and whatever the generator raises.
    """
    start = time.perf_counter()
    solved = generator.solve(params, config, device)
    answer = to_python(solved.answer)
    if not is_finite(answer):
        raise ArithmeticError(f"{generator.slug}: the answer for seed {seed} is not finite")
    tolerance = generator.tolerance(config)
    mistakes = generator.mistake_list(Solved(answer, {}, solved.mistakes), tolerance)
    return {
        "answer": answer,
        "values": to_python(solved.values),
        "mistakes": [m.__dict__ for m in mistakes],
        "tolerance": tolerance,
        "compute_ms": (time.perf_counter() - start) * 1000,
        "device": device,
    }
