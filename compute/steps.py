"""Multi-step questions: a generator's named quantities, each computed from the ones before it.

A generator with steps declares, for a cleaned config, its ``step_specs(config)``: ``StepSpec``s in
computation order (a step depends only on steps before it), and implements
``step_value(name, params, inputs, config)``: the quantity ``name`` computed with PyTorch (float64,
CPU: these are a few tiny ops) from the variant's ``params`` and ``inputs``, the values of exactly
the steps in its ``depends`` (plain Python floats / nested lists, like answers). Optionally
``step_mistakes(name, params, inputs, config) -> {mistake name: value}`` gives the classic slips of
that step from the same inputs; each name is a key of the generator's ``mistakes``.

``step_chain`` runs the steps in order. Without answers it gives every step's exact value. With a
student's answers it gives each step's **carried** value: the step computed from the student's own
values of the steps it depends on (an unanswered step is carried on from its own inputs, so an early
slip carries through steps the question does not ask for). A wrong answer equal to its carried value
follows correctly from the student's wrong inputs.

This module imports no torch and no Django; the generators' ``step_value`` imports torch.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from compute.tolerance import within_nested

SHAPES = ("scalar", "vector", "matrix")


@dataclass(frozen=True)
class StepSpec:
    """One named quantity: ``name`` a stable identifier (``dL_dz1``), ``symbol`` its LaTeX
    (``\\partial L/\\partial z_1``), ``title`` a few words for students, ``shape`` one of SHAPES, and
    ``depends`` the names of the earlier steps it is computed from. A **choice step** has ``options``
    (Markdown texts, shape "scalar"): it is answered by picking one, and its value is the index of the
    right option, counting from 0."""

    name: str
    symbol: str
    title: str
    shape: str = "scalar"
    depends: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    def describe(self) -> dict:
        described = {"name": self.name, "symbol": self.symbol, "title": self.title, "shape": self.shape,
                     "depends": list(self.depends)}
        return {**described, "options": list(self.options)} if self.options else described


class StepError(ValueError):
    """A generator's step declaration is inconsistent (a bug of the generator, caught by its tests)."""


def checked_specs(specs: tuple[StepSpec, ...]) -> tuple[StepSpec, ...]:
    """``specs`` if every name is unique, every shape known and every dependency an earlier step."""
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise StepError(f"step {spec.name!r} is declared twice")
        if spec.shape not in SHAPES:
            raise StepError(f"step {spec.name!r} has shape {spec.shape!r}; use one of {', '.join(SHAPES)}")
        if spec.options and spec.shape != "scalar":
            raise StepError(f"step {spec.name!r} has options, so its value is one index: its shape must be scalar")
        unknown = [d for d in spec.depends if d not in seen]
        if unknown:
            raise StepError(f"step {spec.name!r} depends on {unknown}, which are not earlier steps")
        seen.add(spec.name)
    return specs


def step_chain(generator, params: dict, config: dict, answers: Mapping[str, object] | None = None) -> dict:
    """Each step's value computed from its inputs, in order: the exact values without ``answers``;
    with them, the carried values (see the module docstring). An answer is used as its step's value
    for the later steps when it is not None."""
    answers = answers or {}
    known: dict[str, object] = {}
    computed: dict[str, object] = {}
    for spec in generator.step_specs(config):
        value = generator.step_value(spec.name, params, {d: known[d] for d in spec.depends}, config)
        computed[spec.name] = value
        given = answers.get(spec.name)
        known[spec.name] = value if given is None else given
    return computed


def step_slips(generator, params: dict, config: dict, answers: Mapping[str, object], names) -> dict:
    """{step: {mistake: value}} for the steps ``names``, each from the student's own inputs (their
    answers where given, else the carried values), as ``step_chain`` feeds them."""
    carried = step_chain(generator, params, config, answers)
    known = {name: answers[name] if answers.get(name) is not None else carried[name] for name in carried}
    specs = {spec.name: spec for spec in generator.step_specs(config)}
    return {
        name: generator.step_mistakes(name, params, {d: known[d] for d in specs[name].depends}, config)
        for name in names
    }


def asked_sources(name: str, asked, depends: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The steps among ``asked`` that step ``name`` is computed from, followed through the steps that
    are not asked (a question asking z₁ and L: L comes from z₁ through a₁ and ŷ), nearest first."""
    found: list[str] = []
    todo, seen = list(depends.get(name, ())), set()
    while todo:
        step = todo.pop(0)
        if step in seen:
            continue
        seen.add(step)
        if step in asked:
            found.append(step)
        else:
            todo.extend(depends.get(step, ()))
    return found


def same(value, other, tolerance: Mapping[str, float]) -> bool:
    """Whether two step values agree within ``tolerance`` (rtol/atol), shapes included."""
    return within_nested(value, other, tolerance["rtol"], tolerance["atol"])
