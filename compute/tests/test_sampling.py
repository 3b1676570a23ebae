"""compute/sampling.py: determinism, the one-call column draw, the vectorized rejection helpers."""

import numpy as np

from compute.sampling import Sampler, columns, first_valid, grid


def test_same_seeds_same_numbers_and_batched_equals_single():
    batch = Sampler([3, 7]).integers(0, 9, shape=(4,))
    assert np.array_equal(batch, Sampler([3, 7]).integers(0, 9, shape=(4,)))
    assert np.array_equal(batch[1], Sampler([7]).integers(0, 9, shape=(4,))[0])


def test_grid_is_decimal_and_can_leave_out_zero():
    assert grid(-1, 1, 0.5).tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert grid(0.1, 0.3, 0.1).tolist() == [0.1, 0.2, 0.3]
    assert grid(-1, 1, 1, nonzero=True).tolist() == [-1.0, 1.0]


def test_draw_takes_each_column_from_its_own_grid():
    spec = columns(grid(-2, 2, 1), np.array([10.0, 20.0]), grid(5, 5, 1))
    values = Sampler(range(500)).draw(spec, candidates=3)
    assert values.shape == (500, 3, 3)
    assert set(values[..., 0].ravel()) == {-2.0, -1.0, 0.0, 1.0, 2.0}
    assert set(values[..., 1].ravel()) == {10.0, 20.0}
    assert set(values[..., 2].ravel()) == {5.0}


def test_one_candidate_draws_what_no_candidate_axis_draws():
    spec = columns(grid(-3, 3, 0.5), grid(0, 1, 1))
    assert np.array_equal(Sampler(range(50)).draw(spec, 1)[:, 0], Sampler(range(50)).draw(spec))


def test_first_valid_keeps_the_first_valid_candidate_or_the_first():
    candidates = np.arange(12.0).reshape(2, 3, 2)  # 2 seeds, 3 candidates of 2 numbers
    valid = np.array([[False, True, True], [False, False, False]])
    assert first_valid(candidates, valid).tolist() == [[2.0, 3.0], [6.0, 7.0]]
    picked = first_valid({"a": candidates, "b": candidates[..., 0]}, valid)
    assert picked["a"].tolist() == [[2.0, 3.0], [6.0, 7.0]] and picked["b"].tolist() == [2.0, 6.0]


def test_true_index_picks_only_true_entries_and_each_of_them():
    mask = np.array([[False, True, False, True, True]] * 2000)
    picked = Sampler(range(2000)).true_index(mask)
    counts = np.bincount(picked, minlength=5)
    assert counts[[0, 2]].tolist() == [0, 0]
    assert all(600 < c < 730 for c in counts[[1, 3, 4]])


def test_a_fork_is_an_independent_stream_of_the_same_seeds():
    sampler = Sampler(range(6))
    sampler.integers(0, 9, shape=(3,))
    fork = sampler.fork(np.array([1, 4]), stream=1)
    again = Sampler(range(6)).fork(np.array([4]), stream=1)
    assert fork.size == 2 and fork.counter == 0
    assert np.array_equal(fork.bits((3,))[1], again.bits((3,))[0])  # depends on the seed, not the batch
    other = Sampler(range(6)).fork(np.array([1, 4]), stream=2).bits((3,))
    first = Sampler(range(6)).bits((3,))[[1, 4]]
    assert not np.array_equal(other, Sampler(range(6)).fork(np.array([1, 4]), stream=1).bits((3,)))
    assert not np.array_equal(first, Sampler(range(6)).fork(np.array([1, 4]), stream=1).bits((3,)))
