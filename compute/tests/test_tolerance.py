"""The one tolerance rule (compute/tolerance.py), and the places that use it agreeing."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from compute.batch import Columns, kept_mistakes
from compute.contract import Generator
from compute.tolerance import mistake_tolerance, within, within_nested
from compute.variant import Solved

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
tolerances = st.floats(min_value=0, max_value=0.5)


def test_a_value_typed_on_the_boundary_is_inside():
    assert 0.4 - 0.3 > 0.1  # binary rounding puts it just outside a naive bound
    assert within(0.4, 0.3, 0.0, 0.1) and not within(0.41, 0.3, 0.0, 0.1)
    assert within(1.01, 1.0, 0.01, 0.0) and not within(1.0101, 1.0, 0.01, 0.0)


def test_zero_tolerance_accepts_only_the_exact_value():
    assert within(0.1, 0.1, 0.0, 0.0) and not within(math.nextafter(0.1, 1), 0.1, 0.0, 0.0)


def test_nan_is_never_within():
    assert not within(math.nan, 1.0, 0.5, 1.0)
    assert not within(np.array([math.nan, 1.0]), np.array([1.0, 1.0]), 0.5, 1.0)[0]


@given(st.lists(finite, min_size=1, max_size=20), st.lists(finite, min_size=1, max_size=20), tolerances, tolerances)
def test_arrays_follow_the_scalar_rule_cell_by_cell(values, expected, rtol, atol):
    n = min(len(values), len(expected))
    cells = within(np.array(values[:n]), np.array(expected[:n]), rtol, atol)
    assert cells.tolist() == [within(v, e, rtol, atol) for v, e in zip(values[:n], expected[:n], strict=True)]


def test_nested_lists_need_the_same_shape():
    assert within_nested([[1.0, 2.0]], [[1.0, 2.0005]], 0.0, 1e-3)
    assert not within_nested([1.0, 2.0], [[1.0, 2.0]], 0.0, 1e-3)
    assert not within_nested([1.0], [1.0, 2.0], 0.0, 1e-3)


class Toy(Generator):
    slug = "toy"
    mistakes = {"near": "near the answer", "far": "far from the answer"}


def test_single_and_batched_mistake_filters_keep_the_same_mistakes():
    """A mistake 1.5 tolerances from the answer is dropped by both (they once used 2x and 1x)."""
    tolerance = {"rtol": 0.0, "atol": 0.01}
    answer, near, far = 1.0, 1.015, 1.5
    single = Toy().mistake_list(Solved(answer, {}, {"near": near, "far": far}), tolerance)
    columns = Columns("toy", {}, [1], tolerance, {}, np.array([answer]), {},
                      {"near": np.array([near]), "far": np.array([far])}, dict(Toy.mistakes))
    batched = kept_mistakes(columns)
    assert [m.name for m in single] == ["far"]
    assert {name: bool(keep[0]) for name, keep in batched.items()} == {"near": False, "far": True}
    assert mistake_tolerance(tolerance) == (0.0, 0.02)
