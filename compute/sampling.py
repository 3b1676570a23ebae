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
"""

import numpy as np

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
    a boolean (batch, candidates) mask. Returns the same kind without the candidate axis. A caller
    that must never keep an invalid candidate handles ``~valid.any(axis=1)`` itself.
    """
    rows, pick = np.arange(valid.shape[0]), np.argmax(valid, axis=1)
    if isinstance(candidates, dict):
        return {name: value[rows, pick] for name, value in candidates.items()}
    return candidates[rows, pick]
