"""Shared checks for generators with steps (``compute.steps``), used by each generator's step tests.

A test module gives, per generator, an independent numpy reference ``reference(name, params, inputs,
config) -> value`` (plain numpy, nothing shared with compute/) and calls:

- ``check_declaration(generator, config)``: the steps are well formed, every step's exact value is
  finite and has its declared shape, and the exact chain agrees with ``reference`` fed exact values;
- ``check_carried(generator, config, reference, seed, scale, picks)``: a student's answers, some
  steps perturbed (``picks``: which steps, ``scale``: by how much), give carried values that agree
  with ``reference`` fed the student's own inputs (the perturbed ones where given, the reference's
  own carried values elsewhere); and the named mistakes of each step are distinct from its value.

Both return nothing and fail with a message naming the step.
"""

import numpy as np

from compute.steps import checked_specs, step_chain, step_slips

RTOL, ATOL = 1e-9, 1e-12


def _shape_kind(value) -> str:
    array = np.asarray(value, dtype=np.float64)
    return {0: "scalar", 1: "vector", 2: "matrix"}[array.ndim]


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and np.allclose(a, b, rtol=RTOL, atol=ATOL)


def reference_chain(generator, config, reference, params, answers=None) -> dict:
    """The carried values by the numpy ``reference``, in the generator's step order."""
    answers = answers or {}
    known, out = {}, {}
    for spec in generator.step_specs(config):
        value = reference(spec.name, params, {d: known[d] for d in spec.depends}, config)
        out[spec.name] = value
        known[spec.name] = answers[spec.name] if answers.get(spec.name) is not None else value
    return out


def check_declaration(generator, config, reference, seed: int = 1) -> dict:
    """See the module docstring; returns the exact values."""
    specs = checked_specs(generator.step_specs(config))
    assert specs, f"{generator.slug} declares no steps"
    params = generator.sample(seed, config)
    exact = step_chain(generator, params, config)
    expected = reference_chain(generator, config, reference, params)
    for spec in specs:
        value = exact[spec.name]
        assert _shape_kind(value) == spec.shape, f"{spec.name}: shape {_shape_kind(value)} ≠ declared {spec.shape}"
        assert np.all(np.isfinite(np.asarray(value, dtype=np.float64))), f"{spec.name} is not finite"
        assert _close(value, expected[spec.name]), f"{spec.name}: {value} ≠ numpy {expected[spec.name]}"
    return exact


def perturbed(value, scale: float, rng: np.random.Generator):
    """``value`` with every entry moved by a random amount of about ``scale`` (never 0)."""
    array = np.asarray(value, dtype=np.float64)
    delta = rng.uniform(0.5, 1.5, size=array.shape) * scale * rng.choice([-1.0, 1.0], size=array.shape)
    return (array + delta).tolist()


def check_carried(generator, config, reference, seed: int, scale: float, picks: list[int]) -> None:
    """See the module docstring."""
    specs = generator.step_specs(config)
    params = generator.sample(seed, config)
    exact = step_chain(generator, params, config)
    rng = np.random.default_rng(seed)
    answers = {}
    for pick in picks:
        name = specs[pick % len(specs)].name
        answers[name] = perturbed(exact[name], scale, rng)
    carried = step_chain(generator, params, config, answers)
    expected = reference_chain(generator, config, reference, params, answers)
    for spec in specs:
        assert _close(carried[spec.name], expected[spec.name]), (
            f"{spec.name} carried from {answers}: {carried[spec.name]} ≠ numpy {expected[spec.name]}")
    slips = step_slips(generator, params, config, answers, [spec.name for spec in specs])
    for name, found in slips.items():
        for mistake, value in found.items():
            assert mistake in generator.mistakes, f"{name}: unknown mistake {mistake!r}"
            assert np.asarray(value, dtype=np.float64).shape == np.asarray(carried[name]).shape, (
                f"{name}: mistake {mistake} has another shape than the step")
