"""Numbers, vectors and matrices as LaTeX, for prompts and worked solutions.

Parameters are shown exactly (``digits=None``: the shortest text that reads back as the same
float); computed intermediate values are shown rounded (``digits`` significant figures, 4 in
worked solutions: ``SHOWN_DIGITS``). ``shown(x)`` is the number such a text reads as: the value a
student carries on with when following a worked solution (``Generator.hand_answer``).

A computed value smaller than ``NOISE`` is shown as 0: it is the float rounding noise of a result
that is 0 in exact arithmetic (w − lr·(g + λw) = −2.776×10⁻¹⁷ for a weight that decays to 0),
never a quantity a hand-computable variant asks about (the generators' validity rules keep every
shown magnitude far above it).
"""

import math

import numpy as np

SHOWN_DIGITS = 4  # significant figures of the computed values a worked solution shows
NOISE = 1e-12  # computed values below this (in magnitude) are rounding noise of 0: shown as 0


def shown(x: float, digits: int = SHOWN_DIGITS) -> float:
    """``x`` as the worked solution shows it (``num(x, digits)`` read back): rounded to ``digits``
    significant figures, a whole number in full, and 0 below ``NOISE``."""
    x = float(x)
    if abs(x) < NOISE or not math.isfinite(x):
        return 0.0 if abs(x) < NOISE else x
    if x.is_integer() and abs(x) < 1e15:
        return x
    return float(f"{x:.{digits}g}")


def shown_nested(x, digits: int = SHOWN_DIGITS):
    """``shown`` of every number of a scalar or (nested) list."""
    if isinstance(x, list | tuple):
        return [shown_nested(v, digits) for v in x]
    return shown(x, digits)


def num(x: float, digits: int | None = None) -> str:
    """``x`` as LaTeX: "3", "-0.5", "1.25", "3 \\times 10^{-4}"; rounded to ``digits`` sig. figs if given
    (then a value below ``NOISE`` is "0")."""
    x = float(x)
    if x == 0 or (digits is not None and abs(x) < NOISE):
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = repr(x) if digits is None else f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return text


def vector(values, digits: int | None = None) -> str:
    """A column vector."""
    return "\\begin{pmatrix} " + " \\\\ ".join(num(v, digits) for v in values) + " \\end{pmatrix}"


def matrix(rows, digits: int | None = None) -> str:
    """A matrix given as a list of rows."""
    body = " \\\\ ".join(" & ".join(num(v, digits) for v in row) for row in rows)
    return "\\begin{pmatrix} " + body + " \\end{pmatrix}"


def value(x, digits: int | None = None) -> str:
    """A scalar, vector (1-D list) or matrix (2-D list) as LaTeX."""
    if isinstance(x, list | tuple):
        if x and isinstance(x[0], list | tuple):
            return matrix(x, digits)
        return vector(x, digits)
    return num(x, digits)


def operand(x: float, digits: int | None = None) -> str:
    """``num(x)`` in brackets when x is negative, for a number written after an operator or under a
    power: "2 \\cdot (-0.5)", "(-1.5)^2"."""
    text = num(x, digits)
    return f"({text})" if text.startswith("-") else text


def rounded(x) -> str:
    """A computed intermediate value (scalar, vector or matrix) as worked solutions show it:
    ``SHOWN_DIGITS`` significant figures."""
    return value(x, SHOWN_DIGITS)


def is_finite(x) -> bool:
    """True if every number in a scalar / nested list is finite."""
    if isinstance(x, list | tuple):
        return all(is_finite(v) for v in x)
    return isinstance(x, int | float) and math.isfinite(x)


def shown_array(x, digits: int = SHOWN_DIGITS):
    """``shown`` elementwise on a numpy array, for vectorized checks of many variants at once (it may
    differ from ``shown`` in the last digit at an exact decimal tie; callers keep a margin)."""
    x = np.asarray(x, dtype=np.float64)
    size = np.abs(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = 10.0 ** (digits - 1 - np.floor(np.log10(size)))
        out = np.round(x * scale) / scale
    out = np.where(x == np.round(x), x, out)  # whole numbers are shown in full
    out[~(size >= NOISE)] = 0.0
    return out
