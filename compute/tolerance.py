"""When a number counts as equal to the exact answer: the one tolerance rule of the project.

``within(value, expected, rtol, atol)`` is |value − expected| ≤ atol + rtol·|expected|, with a few
ulps of slack when the bound is positive, so that a value typed exactly on the boundary counts as
inside it despite binary rounding (0.4 − 0.3 is 0.10000000000000003, yet 0.4 is within 0.3 ± 0.1).
Grading (``quizzes.grading``), the mistakes a generator keeps (``compute.contract``) and their
vectorized form for many variants (``compute.batch``) all call it, so the three can never disagree.
"""

import math

import numpy as np

ULPS = 4  # slack at the boundary, in units in the last place of the largest number involved


def within(value, expected, rtol: float, atol: float):
    """Whether ``value`` is within tolerance of ``expected``.

    Floats give a bool. numpy arrays (either side; they broadcast) give a bool array, elementwise
    by the same rule; a nan anywhere is never within.
    """
    if isinstance(value, np.ndarray) or isinstance(expected, np.ndarray):
        value, expected = np.asarray(value, dtype=np.float64), np.asarray(expected, dtype=np.float64)
        bound = atol + rtol * np.abs(expected)
        with np.errstate(invalid="ignore"):
            largest = np.maximum(np.maximum(np.abs(value), np.abs(expected)), bound)
            slack = np.where(bound > 0, ULPS * np.spacing(largest), 0.0)
            return np.abs(value - expected) <= bound + slack
    bound = atol + rtol * abs(expected)
    if bound > 0:
        bound += ULPS * math.ulp(max(abs(value), abs(expected), bound))
    return abs(value - expected) <= bound


def within_nested(value, expected, rtol: float, atol: float) -> bool:
    """``within`` for every cell of two scalars or nested lists of the same shape (False when the
    shapes differ)."""
    if isinstance(value, list | tuple) != isinstance(expected, list | tuple):
        return False
    if isinstance(value, list | tuple):
        return len(value) == len(expected) and all(
            within_nested(v, e, rtol, atol) for v, e in zip(value, expected, strict=True)
        )
    return bool(within(value, expected, rtol, atol))


MISTAKE_MARGIN = 2.0  # a named mistake is kept only when farther than this many tolerances from the answer


def mistake_tolerance(tolerance: dict) -> tuple[float, float]:
    """(rtol, atol) within which a named mistake counts as the same value as the answer or as an
    earlier mistake (and is dropped): ``MISTAKE_MARGIN`` times the grading tolerance, so a mistake
    typed with a little rounding is never graded right, and never taken for another mistake."""
    return MISTAKE_MARGIN * tolerance["rtol"], MISTAKE_MARGIN * tolerance["atol"]


def told_apart(value, answer, tolerance: dict, axes: tuple = ()) -> np.ndarray:
    """Whether a named mistake's ``value`` is kept apart from the ``answer`` by the mistake filter: not
    within ``mistake_tolerance`` of it (numpy, elementwise; for vector or matrix answers pass the
    trailing ``axes``: told apart when any entry is). Validity rules use it to promise that a mistake
    the question is about is recognised in every variant."""
    rtol, atol = mistake_tolerance(tolerance)
    close = within(np.asarray(value, dtype=np.float64), np.asarray(answer, dtype=np.float64), rtol, atol)
    return ~close.all(axis=axes) if axes else ~close
