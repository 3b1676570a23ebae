"""Counter-based parameter sampling in numpy: no random-generator objects, no global state.

Every number is a pure function of (seed, counter): ``splitmix64(splitmix64(seed) + counter·φ)``.
So a variant's parameters depend only on its seed, and sampling many seeds at once is one
vectorized numpy computation. ``Sampler`` hands out counters in call order: a generator's
``sample_batch`` makes the same calls in the same order for every seed.
"""

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


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
