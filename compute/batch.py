"""Many variants at once, for precomputing a quiz: columnar sampling and solving, then stored rows.

No Django. ``generate_columns`` samples and solves a list of seeds with one config; ``to_rows``
turns the result into one plain JSON-ready dict per variant, the stored form:

    {"seed": int, "params": {name: float | list}, "answer": float | list, "values": {...},
     "mistakes": [{"name", "message", "value"}], "tolerance": {"rtol", "atol"}}

equal to what ``generator.generate(seed, config)`` gives for the same seed (its params, answer,
values, mistake list and tolerance; steps, prompt and diagram are cheap to rebuild from these).

A generator is solved column-wise when it sets ``vectorized = True`` and has
``solve_columns(params, config, device) -> {"answer": (B, *shape), "values": {name: (B, ...)},
"mistakes": {name: (B, *shape)}}`` (numpy arrays, batch first); any other generator falls back to
one ``generate`` call per seed.
"""

import gc
from dataclasses import asdict, dataclass

import numpy as np

from compute.contract import Generator
from compute.tolerance import mistake_tolerance, within

CHUNK = 16384  # seeds sampled and solved together: keeps numpy temporaries in cache


@dataclass
class Columns:
    """Sampled and solved variants for ``seeds``, as arrays with the batch on axis 0.

    ``rows`` is set instead of the arrays for a generator without ``solve_columns``.
    """

    generator: str
    config: dict
    seeds: list[int]
    tolerance: dict
    params: dict[str, np.ndarray]
    answer: np.ndarray | None
    values: dict[str, np.ndarray]
    mistakes: dict[str, np.ndarray]
    messages: dict[str, str]
    rows: list[dict] | None = None


def is_columnar(generator: Generator) -> bool:
    return generator.vectorized and hasattr(generator, "solve_columns")


def generate_columns(generator: Generator, seeds, config: dict | None = None, device: str = "cpu") -> Columns:
    """Sample and solve every seed with one config (ConfigError for a bad config), CHUNK seeds at a
    time; the result does not depend on CHUNK."""
    config = generator.clean_config(config)
    seeds = seeds.astype(np.int64).tolist() if isinstance(seeds, np.ndarray) else [int(s) for s in seeds]
    tolerance = generator.tolerance(config)
    if not seeds or not is_columnar(generator):
        rows = [generator.solve_row(seed, config, generator.sample(seed, config), device) for seed in seeds]
        return Columns(generator.slug, config, seeds, tolerance, {}, None, {}, {}, dict(generator.mistakes),
                       rows=rows)
    parts = []
    for start in range(0, len(seeds), CHUNK):
        params = generator.sample_params(seeds[start:start + CHUNK], config)
        parts.append((params, generator.solve_columns(params, config, device)))

    def joined(pick):
        names = pick(*parts[0])
        return {name: np.concatenate([np.asarray(pick(*part)[name]) for part in parts]) for name in names}

    return Columns(
        generator=generator.slug, config=config, seeds=seeds, tolerance=tolerance,
        params=joined(lambda p, s: p),
        answer=np.concatenate([np.asarray(s["answer"], dtype=np.float64) for _, s in parts]),
        values=joined(lambda p, s: s["values"]),
        mistakes=joined(lambda p, s: s["mistakes"]),
        messages=dict(generator.mistakes),
    )


def variant_row(variant) -> dict:
    """The stored form of one ``Variant``."""
    return {"seed": variant.seed, "params": variant.params, "answer": variant.answer,
            "values": variant.values, "mistakes": [asdict(m) for m in variant.mistakes],
            "tolerance": dict(variant.tolerance)}


def kept_mistakes(columns: Columns) -> dict[str, np.ndarray]:
    """name -> (B,) bool: which mistakes ``Generator.mistake_list`` keeps for each variant.

    The same rule, vectorized: finite, not within tolerance of the answer, and not within tolerance
    of a mistake kept before it (in ``mistakes`` order); every cell is compared as
    ``compute.tolerance.within`` with twice the tolerance, as ``mistake_list`` compares.
    """
    size, (rtol, atol) = len(columns.seeds), mistake_tolerance(columns.tolerance)
    answer = columns.answer.reshape(size, -1)

    def close(value, ref):
        return within(value, ref, rtol, atol).all(axis=1)

    kept, earlier = {}, []
    for name, value in columns.mistakes.items():
        value = np.asarray(value, dtype=np.float64).reshape(size, -1)
        keep = np.isfinite(value).all(axis=1) & ~close(value, answer)
        for other, other_keep in earlier:
            keep &= ~(other_keep & close(value, other))
        kept[name] = keep
        earlier.append((value, keep))
    return kept


def to_rows(columns: Columns) -> list[dict]:
    """One stored-form dict per seed (see the module docstring); raises ArithmeticError for a
    non-finite answer, as ``Generator.finish`` does.

    Whole arrays are converted with ``.tolist()`` and joined with ``zip``; the cyclic garbage
    collector is paused meanwhile, since it would rescan the growing list of new containers
    (which hold no cycles) many times over.
    """
    if columns.rows is not None:
        return columns.rows
    bad = ~np.isfinite(columns.answer.reshape(len(columns.seeds), -1)).all(axis=1)
    if bad.any():
        seed = columns.seeds[int(bad.argmax())]
        raise ArithmeticError(f"{columns.generator}: the answer for seed {seed} is not finite")
    collecting = gc.isenabled()
    gc.disable()
    try:
        names = list(columns.params)
        params = [dict(zip(names, row, strict=True)) for row in zip(*lists(columns.params), strict=True)]
        names = list(columns.values)
        values = [dict(zip(names, row, strict=True)) for row in zip(*lists(columns.values), strict=True)]
        per_name = []
        for name, keep in kept_mistakes(columns).items():
            if keep.any():
                message, found = columns.messages[name], np.asarray(columns.mistakes[name], dtype=np.float64)
                per_name.append([{"name": name, "message": message, "value": value} if k else None
                                 for value, k in zip(found.tolist(), keep.tolist(), strict=True)])
        if per_name:
            mistakes = [[m for m in row if m is not None] for row in zip(*per_name, strict=True)]
        else:
            mistakes = [[] for _ in columns.seeds]
        tolerance = columns.tolerance
        rows = zip(columns.seeds, params, columns.answer.tolist(), values, mistakes, strict=True)
        return [{"seed": seed, "params": p, "answer": answer, "values": v, "mistakes": m,
                 "tolerance": dict(tolerance)} for seed, p, answer, v, m in rows]
    finally:
        if collecting:
            gc.enable()


def lists(arrays: dict[str, np.ndarray]) -> list[list]:
    """Each array as nested Python lists of floats, in dict order (one .tolist() per array)."""
    return [np.asarray(array, dtype=np.float64).tolist() for array in arrays.values()]


def generate_rows(generator: Generator, seeds, config: dict | None = None, device: str = "cpu") -> list[dict]:
    """``to_rows(generate_columns(...))``."""
    return to_rows(generate_columns(generator, seeds, config, device))
