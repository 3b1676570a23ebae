"""Counter-based parameter sampling in numpy: no random-generator objects, no global state.

Every number is a pure function of (seed, counter): ``splitmix64(splitmix64(seed) + counter·φ)``.
So a variant's parameters depend only on its seed, and sampling many seeds at once is one
vectorized numpy computation. ``Sampler`` hands out counters in call order: a generator's
``sample_batch`` makes the same calls in the same order for every seed.

Each sampler call costs about as much as a small torch operation, so generators that must stay
close to a plain-torch floor draw all their numbers at once: ``columns`` builds one lookup table
from the grids of several columns and ``Sampler.draw`` draws every column (for a few candidate
sets) in one ``integers`` call; ``first_valid`` then keeps each seed's first acceptable candidate,
a rejection step vectorized over seeds (never a Python loop per seed).

Validity rules are kept by resampling, never by a fallback: ``draw_until_valid`` draws a
generator's parameters for every seed, checks its rules, and draws again, on a fresh stream of
counters (``Sampler.fork``), for the seeds whose parameters break one, round after round; a seed
still without valid parameters after ``ROUNDS`` rounds raises ``SamplingError`` (a config that
cannot keep its rules, e.g. fixed values that break one, is reported, never used). A seed's
parameters depend only on its own seed, whatever the batch it is drawn in.
"""

from dataclasses import dataclass

import numpy as np

from compute.config import ConfigError

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
SPAN = 720720  # = 2⁴·3²·5·7·11·13: divisible by every grid length used with draw, so r % len is uniform


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The SplitMix64 finalizer, elementwise on a uint64 array (wrapping arithmetic)."""
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


class Sampler:
    """Draws parameter arrays of shape ``(len(seeds), *shape)`` from seeds, deterministically."""

    def __init__(self, seeds):
        seeds = np.atleast_1d(np.asarray(seeds, dtype=np.uint64))
        self.keys = splitmix64(seeds)[:, None]
        self.counter = 0

    @classmethod
    def from_keys(cls, keys: np.ndarray) -> "Sampler":
        sampler = cls.__new__(cls)
        sampler.keys, sampler.counter = keys, 0
        return sampler

    def fork(self, rows: np.ndarray, stream: int) -> "Sampler":
        """A sampler for the seeds at ``rows`` on stream ``stream`` (≥ 1): counters start again at 0,
        and its numbers are independent of this sampler's and of other streams' (each seed's key is
        mixed with the stream number)."""
        with np.errstate(over="ignore"):
            mix = splitmix64(np.uint64(stream) * _M1 + _GOLDEN)
        return Sampler.from_keys(splitmix64(self.keys[rows] ^ mix))

    @property
    def size(self) -> int:
        return self.keys.shape[0]

    def bits(self, shape=()) -> np.ndarray:
        """Fresh uint64 hashes of shape (batch, *shape)."""
        shape = tuple(np.atleast_1d(shape)) if shape != () else ()
        count = int(np.prod(shape)) if shape else 1
        counters = np.arange(self.counter, self.counter + count, dtype=np.uint64) + np.uint64(1)
        self.counter += count
        with np.errstate(over="ignore"):
            mixed = splitmix64(self.keys + counters[None, :] * _GOLDEN)
        return mixed.reshape((self.size, *shape))

    def integers(self, low: int, high: int, shape=()) -> np.ndarray:
        """Integers in [low, high] (both included) as int64."""
        span = np.uint64(high - low + 1)
        return (self.bits(shape) % span).astype(np.int64) + low

    def choice(self, values, shape=()) -> np.ndarray:
        """Elements of ``values`` (a 1-D sequence), uniformly, as float64 (or the values' dtype)."""
        values = np.asarray(values)
        return values[self.integers(0, len(values) - 1, shape)]

    def nice(
        self, low: float = -2.0, high: float = 2.0, step: float = 0.5, shape=(), nonzero=False
    ) -> np.ndarray:
        """Hand-computable numbers low, low+step, ..., high (float64); optionally without 0."""
        count = int(round((high - low) / step)) + 1
        grid = np.round(low + step * np.arange(count), 10)
        if nonzero:
            grid = grid[grid != 0]
        return self.choice(grid, shape).astype(np.float64)

    def uniform(self, shape=()) -> np.ndarray:
        """Floats in [0, 1) with 53 random bits (for choices that need no nice values)."""
        return (self.bits(shape) >> np.uint64(11)).astype(np.float64) / float(1 << 53)

    def draw(self, spec, candidates: int | None = None) -> np.ndarray:
        """Column j of ``spec`` (from ``columns``) drawn from its own grid, all columns in one call.

        Shape (batch, columns), or (batch, candidates, columns) with ``candidates`` sets per seed.
        A column is uniform on its grid when the grid's length divides ``SPAN``. Drawing one
        candidate uses the same counters as drawing without the candidate axis, so
        ``draw(spec, 1)[:, 0]`` equals ``draw(spec)``.
        """
        table, offsets, lengths = spec
        shape = (len(lengths),) if candidates is None else (candidates, len(lengths))
        return table[offsets + self.integers(0, SPAN - 1, shape=shape) % lengths]

    def true_index(self, mask: np.ndarray) -> np.ndarray:
        """Per seed, the index of one True entry of its row of the boolean ``mask`` (batch, n),
        uniformly among that row's True entries (index 0 for a row without any). One draw."""
        pick = (self.uniform() * mask.sum(1)).astype(np.int64)
        return np.argmax(np.cumsum(mask, axis=1) > pick[:, None], axis=1)


def grid(low: float, high: float, step: float, nonzero: bool = False) -> np.ndarray:
    """low, low + step, ..., high (rounded to 10 decimals, so 0.1 steps are the decimals they read
    as), without 0 if ``nonzero``: one column's values for ``columns``."""
    values = np.round(np.arange(low, high + step / 2, step), 10)
    return values[values != 0] if nonzero else values


def columns(*grids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One lookup table for several columns, each drawn from its own grid (``Sampler.draw``):
    (table, offsets, lengths)."""
    lengths = np.array([len(g) for g in grids])
    return np.concatenate(grids), np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths


def first_valid(candidates, valid: np.ndarray):
    """Per seed, the first candidate whose ``valid`` is set (the first candidate when none is).

    ``candidates`` is an array of shape (batch, candidates, ...) or a dict of such arrays, ``valid``
    a boolean (batch, candidates) mask. Returns the same kind without the candidate axis. The first
    candidate of a seed without a valid one is invalid: a generator's ``sample_batch`` may return it,
    because ``draw_until_valid`` checks the rules again and draws that seed anew.
    """
    rows, pick = np.arange(valid.shape[0]), np.argmax(valid, axis=1)
    if isinstance(candidates, dict):
        return {name: value[rows, pick] for name, value in candidates.items()}
    return candidates[rows, pick]


ROUNDS = 24  # draws per seed before a config is declared unable to keep its rules


@dataclass
class Drawn:
    """What a ``sample_batch`` returns when it has already checked the rules: the parameters (batch
    first) and, per seed, whether they keep every rule (so they are not checked twice)."""

    params: dict
    valid: np.ndarray


def pick_valid(candidates: dict, checks: dict[str, np.ndarray]) -> Drawn:
    """Per seed, the first candidate that keeps every rule of ``checks`` (rule -> (batch, candidates)
    bool), as ``Drawn``; a seed without one gets its first candidate, marked invalid (drawn again)."""
    ok = np.logical_and.reduce([np.asarray(c, dtype=bool) for c in checks.values()]) if checks else None
    if ok is None:
        ok = np.ones(next(iter(candidates.values())).shape[:2], dtype=bool)
    return Drawn(first_valid(candidates, ok), ok.any(axis=1))


class SamplingError(ConfigError):
    """No parameters satisfying the generator's validity rules were found for a seed: the config (or its
    fixed values) cannot keep them. The message names the rules (the admin shows it on save)."""


def all_rules(checks: dict[str, np.ndarray], size: int) -> np.ndarray:
    """Whether every rule of ``checks`` (rule -> bool array over the leading axes) holds."""
    ok = np.ones(size, dtype=bool)
    for passed in checks.values():
        ok &= np.asarray(passed, dtype=bool).reshape(size, -1).all(axis=1)
    return ok


def draw_until_valid(sampler: Sampler, draw, check, rules: dict[str, str] | None = None,
                     rounds: int = ROUNDS) -> dict[str, np.ndarray]:
    """Parameters for every seed of ``sampler`` that satisfy every rule.

    ``draw(sampler)`` draws one parameter set per seed of the sampler it is given: a dict
    ``{name: (batch, ...) array}``, or a ``Drawn`` that already says which sets are valid;
    ``check(params) -> {rule: (batch,) bool}`` says which rules each set keeps. Seeds whose set breaks a
    rule are drawn again on stream 1, 2, ... (``Sampler.fork``) until every seed has a valid set; when
    a seed has none after ``rounds`` draws, ``SamplingError`` names the rules its last draw broke
    (their statements from ``rules``).
    """

    def drawn_and_valid(sub):
        result = draw(sub)
        if isinstance(result, Drawn):
            return result.params, np.asarray(result.valid, dtype=bool)
        return result, all_rules(check(result), sub.size)

    params, ok = drawn_and_valid(sampler)
    pending, last = np.flatnonzero(~ok), params
    stream = 1
    while pending.size:
        if stream >= rounds:
            failing = {name: value[~ok][:1] for name, value in last.items()}
            first = {name: np.asarray(passed, dtype=bool).reshape(1, -1).all()
                     for name, passed in check(failing).items()}
            broken = [name for name, passed in first.items() if not passed]
            said = "; ".join(f"“{(rules or {}).get(name, name)}”" for name in broken)
            raise SamplingError(
                f"No variant of this config keeps the rule{'s' * (len(broken) > 1)} {said}, even after "
                f"{rounds} draws: the settings or fixed values make it (nearly) impossible; change them.")
        again, ok = drawn_and_valid(sampler.fork(pending, stream))
        rows = pending[ok]
        for name, value in again.items():
            if not params[name].flags.writeable:
                params[name] = params[name].copy()
            params[name][rows] = value[ok]
        pending, last = pending[~ok], again
        stream += 1
    return params
