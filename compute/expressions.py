"""Formulas of Moodle's calculated questions (``a * b + c / 2``), parsed and evaluated safely.

A formula is parsed with Python's ``ast`` (mode "eval") and walked against an allowlist; nothing is
ever passed to ``eval``. Allowed: numbers, the question's wildcard names, ``+ - * / ** %``, unary
minus and plus, brackets, and the functions of ``FUNCTIONS`` (Moodle's set, with PHP's meanings:
``log`` is natural, ``%`` works on the whole parts, ``round`` rounds halves away from 0, ``pi()`` is
π). Everything else is refused with a message naming it: attribute access, subscripts, calls of
anything else, names that are not wildcards, comparisons, lambdas, comprehensions, strings, a
constant exponent above ``MAX_EXPONENT`` (``9**9**9``), formulas longer than ``MAX_LENGTH``
characters or of more than ``MAX_NODES`` parts.

Evaluation is numpy float64, elementwise over arrays of wildcard values (one per variant), so the
validity check of many draws and the answer of one are the same computation. It reports, per draw,
whether the formula is defined there: no division (or ``%``) by zero and every intermediate value
finite (``sqrt(-1)``, ``log(0)``, ``exp(1000)`` are undefined even where a later step would hide it).
Pure Python and numpy: no Django, no torch.
"""

import ast
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from compute.config import ConfigError
from compute.latex import num, operand

MAX_LENGTH = 500  # characters of a formula
MAX_NODES = 200  # parts (numbers, names, operations) of a parsed formula
MAX_EXPONENT = 100  # a constant exponent larger than this in size is refused (9**9**9)
WILDCARD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,19}")


class FormulaError(ConfigError):
    """A formula that is not allowed or does not parse; the message says why and what is allowed."""


def _php_round(x, digits=0.0):
    scale = 10.0 ** np.trunc(digits)
    return np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale


def _log(x, base=None):
    return np.log(x) if base is None else np.log(x) / np.log(base)


# name -> (fewest arguments, most arguments (None: any), function on float64 arrays, LaTeX name)
FUNCTIONS: dict[str, tuple[int, int | None, Callable, str]] = {
    "abs": (1, 1, np.abs, ""), "sqrt": (1, 1, np.sqrt, ""), "exp": (1, 1, np.exp, "\\exp"),
    "expm1": (1, 1, np.expm1, "\\operatorname{expm1}"), "log": (1, 2, _log, "\\ln"),
    "log10": (1, 1, np.log10, "\\log_{10}"), "log1p": (1, 1, np.log1p, "\\operatorname{log1p}"),
    "sin": (1, 1, np.sin, "\\sin"), "cos": (1, 1, np.cos, "\\cos"), "tan": (1, 1, np.tan, "\\tan"),
    "asin": (1, 1, np.arcsin, "\\arcsin"), "acos": (1, 1, np.arccos, "\\arccos"),
    "atan": (1, 1, np.arctan, "\\arctan"), "atan2": (2, 2, np.arctan2, "\\operatorname{atan2}"),
    "sinh": (1, 1, np.sinh, "\\sinh"), "cosh": (1, 1, np.cosh, "\\cosh"), "tanh": (1, 1, np.tanh, "\\tanh"),
    "asinh": (1, 1, np.arcsinh, "\\operatorname{arsinh}"), "acosh": (1, 1, np.arccosh, "\\operatorname{arcosh}"),
    "atanh": (1, 1, np.arctanh, "\\operatorname{artanh}"), "pow": (2, 2, np.power, ""),
    "min": (1, None, lambda *a: np.minimum.reduce(np.broadcast_arrays(*a)), "\\min"),
    "max": (1, None, lambda *a: np.maximum.reduce(np.broadcast_arrays(*a)), "\\max"),
    "pi": (0, 0, lambda: np.float64(np.pi), ""), "round": (1, 2, _php_round, "\\operatorname{round}"),
    "floor": (1, 1, np.floor, ""), "ceil": (1, 1, np.ceil, ""), "fmod": (2, 2, np.fmod, "\\operatorname{fmod}"),
    "deg2rad": (1, 1, np.deg2rad, "\\operatorname{deg2rad}"), "rad2deg": (1, 1, np.rad2deg, "\\operatorname{rad2deg}"),
}
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.Mod: "%"}
_REFUSED = {
    ast.Attribute: "attribute access (“.”)", ast.Subscript: "subscripts (“[…]”)", ast.Lambda: "lambda",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.Compare: "comparisons", ast.BoolOp: "“and” / “or”",
    ast.IfExp: "“if … else”", ast.NamedExpr: "“:=”", ast.Tuple: "tuples (“,” outside a function's brackets)",
    ast.List: "lists", ast.Dict: "dictionaries", ast.Set: "sets", ast.JoinedStr: "strings",
    ast.Starred: "“*” before an argument", ast.Await: "await",
}
ALLOWED = ("numbers, the wildcards, + - * / ** %, brackets and the functions " + ", ".join(sorted(FUNCTIONS)))


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text, its tree (only allowlisted nodes) and the wildcards it uses."""

    text: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, values: dict) -> tuple[np.ndarray, np.ndarray]:
        """(value, defined) elementwise over the wildcards' values (numbers or arrays that broadcast):
        ``defined`` is False where the formula divides by zero or an intermediate value is not finite."""
        defined = np.bool_(True)

        def visit(node):
            nonlocal defined
            if isinstance(node, ast.Constant):
                return np.float64(node.value)
            if isinstance(node, ast.Name):
                result = np.asarray(values[node.id], dtype=np.float64)
            elif isinstance(node, ast.UnaryOp):
                inner = visit(node.operand)
                result = -inner if isinstance(node.op, ast.USub) else inner
            elif isinstance(node, ast.BinOp):
                left, right = visit(node.left), visit(node.right)
                if isinstance(node.op, ast.Mod):  # PHP's %: the whole parts, the sign of the dividend
                    left, right = np.trunc(left), np.trunc(right)
                if isinstance(node.op, ast.Div | ast.Mod):
                    defined = defined & (right != 0)
                result = _apply(node.op, left, right)
            else:  # ast.Call of an allowlisted function
                args = [visit(a) for a in node.args]
                if node.func.id in ("fmod",):
                    defined = defined & (args[1] != 0)
                result = FUNCTIONS[node.func.id][2](*args)
            with np.errstate(invalid="ignore"):
                defined = defined & np.isfinite(result)
            return result

        with np.errstate(all="ignore"):
            value = visit(self.tree)
        value, defined = np.broadcast_arrays(np.asarray(value, dtype=np.float64), defined)
        return value.copy(), defined.copy()

    def latex(self, values: dict | None = None) -> str:
        """The formula as LaTeX; with ``values``, every wildcard replaced by its number."""
        return _latex(self.tree, values)[0]


def _apply(op, left, right):
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if isinstance(op, ast.Div):
        return np.divide(left, right)
    if isinstance(op, ast.Pow):
        return np.power(left, right)
    return np.fmod(left, right)


def parse(text: str, wildcards: Iterable[str]) -> Formula:
    """The formula ``text`` over ``wildcards``, checked against the allowlist; FormulaError otherwise."""
    wildcards = set(wildcards)
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("The formula must be a non-empty text, e.g. “a * b + c / 2”.")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed.")
    if "{" in text or "}" in text:
        raise FormulaError("Write wildcards without braces in the formula: “a * b”, not “{a} * {b}”.")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
        where = f" (at character {error.offset})" if getattr(error, "offset", None) else ""
        raise FormulaError(f"The formula “{text}” does not parse{where}; allowed are {ALLOWED}.") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError(f"The formula has {len(nodes)} parts; at most {MAX_NODES} are allowed.")
    called = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    for node in nodes:
        _check_node(node, wildcards, called)
    for node in nodes:  # after every node is known to be allowed: constant exponents are safe to evaluate
        exponent = node.right if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) else (
            node.args[1] if isinstance(node, ast.Call) and node.func.id == "pow" else None)
        if exponent is not None and not any(isinstance(n, ast.Name) for n in ast.walk(exponent)):
            value, defined = Formula("", exponent, frozenset()).evaluate({})
            if not defined or abs(float(value)) > MAX_EXPONENT:
                raise FormulaError(f"The exponent “{ast.unparse(exponent)}” is too large: a constant exponent "
                                   f"may be at most {MAX_EXPONENT} in size.")
    names = frozenset(n.id for n in nodes if isinstance(n, ast.Name) and n.id in wildcards)
    return Formula(text.strip(), tree, names)


def _check_node(node, wildcards: set[str], called: set[int]) -> None:
    """FormulaError unless ``node`` is allowed; ``called`` holds the ids of the names being called."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"“{ast.unparse(node)}” is not allowed in a formula: only numbers are constants.")
        try:
            finite = math.isfinite(float(node.value))
        except OverflowError:
            finite = False
        if not finite:
            raise FormulaError(f"The number “{ast.unparse(node)[:30]}” is too large.")
    elif isinstance(node, ast.Name):
        if id(node) in called:
            return  # the Call node checks what it calls
        if node.id not in wildcards:
            hint = " (write pi() for π)" if node.id == "pi" else " (a function is called: name(…))" if (
                node.id in FUNCTIONS) else ""
            known = ", ".join(sorted(wildcards)) or "none"
            raise FormulaError(f"“{node.id}” in the formula is not a wildcard{hint}; the wildcards are {known}.")
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise FormulaError(f"Calling “{ast.unparse(node.func)[:40]}” is not allowed; the functions are "
                               f"{', '.join(sorted(FUNCTIONS))}.")
        low, high, _, _ = FUNCTIONS[node.func.id]
        if node.keywords:
            raise FormulaError(f"{node.func.id}() takes no named arguments.")
        count = len(node.args)
        if count < low or (high is not None and count > high):
            wanted = f"{low}" if low == high else f"{low} or more" if high is None else f"{low} or {high}"
            raise FormulaError(f"{node.func.id}() takes {wanted} argument{'s' * (wanted != '1')}, not {count}.")
    elif isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.BitXor):
            raise FormulaError("“^” is not a power here: write a ** b or pow(a, b).")
        if type(node.op) not in _OPERATORS:
            raise FormulaError(f"The operator in “{ast.unparse(node)[:40]}” is not allowed; allowed are {ALLOWED}.")
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError(f"“{ast.unparse(node)[:40]}” is not allowed; allowed are {ALLOWED}.")
    elif isinstance(node, ast.expr):
        what = next((said for kind, said in _REFUSED.items() if isinstance(node, kind)), type(node).__name__)
        raise FormulaError(f"Not allowed in a formula: {what}; allowed are {ALLOWED}.")
    elif not isinstance(node, ast.operator | ast.unaryop | ast.expr_context):
        raise FormulaError(f"“{type(node).__name__}” is not allowed in a formula; allowed are {ALLOWED}.")


# --- LaTeX ---------------------------------------------------------------------------------------
# Precedences: 1 sums, 2 products, 3 unary minus, 4 powers, 5 atoms (numbers, names, calls, fractions).

def wildcard_latex(name: str) -> str:
    """A wildcard's name as LaTeX: one letter as it is, a longer name upright-italic as one word."""
    if len(name) == 1:
        return name
    return "\\mathit{" + name.replace("_", "\\_") + "}"


def _wrap(pair: tuple[str, int], least: int) -> str:
    text, prec = pair
    return f"\\left({text}\\right)" if prec < least else text


def _latex(node, values) -> tuple[str, int]:
    if isinstance(node, ast.Constant):
        return num(node.value), 5
    if isinstance(node, ast.Name):
        if values is None:
            return wildcard_latex(node.id), 5
        return operand(float(values[node.id])), 5
    if isinstance(node, ast.UnaryOp):
        inner = _wrap(_latex(node.operand, values), 3)
        return (f"-{inner}" if isinstance(node.op, ast.USub) else inner), 3
    if isinstance(node, ast.BinOp):
        left, right = _latex(node.left, values), _latex(node.right, values)
        if isinstance(node.op, ast.Div):
            return f"\\frac{{{left[0]}}}{{{right[0]}}}", 5
        if isinstance(node.op, ast.Pow):
            return _power(node.left, left, right), 4
        if isinstance(node.op, ast.Add):
            return f"{_wrap(left, 1)} + {_wrap(right, _right(right, 1))}", 1
        if isinstance(node.op, ast.Sub):
            return f"{_wrap(left, 1)} - {_wrap(right, _right(right, 2))}", 1
        if isinstance(node.op, ast.Mult):
            return f"{_wrap(left, 2)} \\cdot {_wrap(right, _right(right, 3))}", 2
        return f"{_wrap(left, 4)} \\bmod {_wrap(right, 4)}", 2
    name = node.func.id
    args = [_latex(a, values) for a in node.args]
    if name == "pi":
        return "\\pi", 5
    if name == "pow":
        return _power(node.args[0], args[0], args[1]), 4
    if name == "abs":
        return f"\\left|{args[0][0]}\\right|", 5
    if name == "sqrt":
        return f"\\sqrt{{{args[0][0]}}}", 5
    if name in ("floor", "ceil"):
        left, right = ("\\lfloor", "\\rfloor") if name == "floor" else ("\\lceil", "\\rceil")
        return f"\\left{left} {args[0][0]} \\right{right}", 5
    if name == "log" and len(args) == 2:
        return f"\\log_{{{args[1][0]}}}\\left({args[0][0]}\\right)", 5
    joined = ", ".join(a[0] for a in args)
    return f"{FUNCTIONS[name][3]}\\left({joined}\\right)", 5


def _right(operand: tuple[str, int], least: int) -> int:
    """The least precedence a right operand needs to go without brackets: a leading minus always gets them."""
    return 4 if operand[0].startswith("-") else least


def _power(base_node, base: tuple[str, int], exponent: tuple[str, int]) -> str:
    plain = isinstance(base_node, ast.Name | ast.Constant) and "\\times" not in base[0]
    text = base[0] if plain else f"\\left({base[0]}\\right)"  # a negative number already is "(-2)"
    return f"{text}^{{{exponent[0]}}}"
