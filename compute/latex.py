"""Numbers, vectors and matrices as LaTeX, for prompts and worked solutions.

Parameters are shown exactly (``digits=None``: the shortest text that reads back as the same
float); computed intermediate values are shown rounded (``digits`` significant figures).
"""

import math


def num(x: float, digits: int | None = None) -> str:
    """``x`` as LaTeX: "3", "-0.5", "1.25", "3 \\times 10^{-4}"; rounded to ``digits`` sig. figs if given."""
    x = float(x)
    if x == 0:
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
    return f"({text})" if x < 0 else text


def rounded(x) -> str:
    """A computed intermediate value (scalar, vector or matrix) as worked solutions show it: 4
    significant figures."""
    return value(x, 4)


def is_finite(x) -> bool:
    """True if every number in a scalar / nested list is finite."""
    if isinstance(x, list | tuple):
        return all(is_finite(v) for v in x)
    return isinstance(x, int | float) and math.isfinite(x)
