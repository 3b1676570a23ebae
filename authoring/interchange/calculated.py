"""Questions of our ``formula`` generator in Moodle's terms (calculatedsimple): the formula in Moodle's
syntax, the prompt's placeholders as Moodle's wildcards, and the datasets with the values Moodle draws.

Moodle writes a formula with its wildcards in braces (``{a} * {b}``) and PHP's functions, checked by
``qtype_calculated_find_formula_errors``: the list of ``MOODLE_FUNCTIONS`` with their numbers of
arguments. Our formulas (``compute.expressions``) have the same operators, functions and meanings
(PHP's ``%`` and ``round``, a natural ``log``), with two exceptions that are written differently:

- ``a ** b`` (Moodle has no power operator): ``pow({a}, {b})``;
- ``min(x)`` and ``max(x)`` of one argument (Moodle wants two or more): ``x``.

A formula without them is written as it is, only the wildcards put in braces (so importing Moodle's
formula and exporting it gives its text back); one with them is written again from its parsed form,
with the brackets the order of operations needs. A function Moodle lacks raises ``NotMoodle`` naming it.

Pure Python and numpy, no Django.
"""

import ast
import io
import re
import tokenize

import numpy as np

from compute.contract import Generator
from compute.expressions import parse

# qtype_calculated_find_formula_errors: name -> (fewest, most arguments; None: any)
MOODLE_FUNCTIONS = {
    **{name: (1, 1) for name in (
        "abs acos acosh asin asinh atan atanh ceil cos cosh deg2rad exp expm1 floor log10 log1p rad2deg sin sinh "
        "sqrt tan tanh").split()},
    "log": (1, 2), "round": (1, 2), "atan2": (2, 2), "fmod": (2, 2), "pow": (2, 2), "min": (2, None),
    "max": (2, None), "pi": (0, 0),
}
ITEMS = 10  # sets of values written per question: Moodle gives each student one of them
PLAIN_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")  # a number Moodle's formula check accepts
SUMS, PRODUCTS, UNARY, ATOM = 1, 2, 3, 5  # precedences of what is written
ALONE_IN_MATH = re.compile(r"(?<!\$)\$\{\{\s*(\w+)\s*\}\}\$(?!\$)")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class NotMoodle(ValueError):
    """The formula uses something Moodle's formulas lack; the message names it."""


def moodle_formula(text: str, wildcards) -> str:
    """Our formula ``text`` over ``wildcards`` in Moodle's syntax (see the module docstring); NotMoodle
    for a function Moodle lacks, FormulaError (a ConfigError) for a formula that is not allowed here."""
    tree = parse(text, wildcards).tree
    rewrite = "\n" in text or re.search(r"--|\+\+", text) is not None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name, count = node.func.id, len(node.args)
            if name not in MOODLE_FUNCTIONS:
                raise NotMoodle(f"Moodle's formulas have no function {name}()")
            low, high = MOODLE_FUNCTIONS[name]
            if count < low or (high is not None and count > high):
                rewrite = True  # min(x), max(x)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            rewrite = True
    return written(tree)[0] if rewrite else braced(text.strip(), set(wildcards))


def braced(text: str, wildcards: set[str]) -> str:
    """``text`` (one line, no rewrite needed) with each wildcard in braces and each number written plainly."""
    pieces, last = [], 0
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME and token.string in wildcards:
            replacement = f"{{{token.string}}}"
        elif token.type == tokenize.NUMBER and not PLAIN_NUMBER.fullmatch(token.string):
            replacement = number(ast.literal_eval(token.string))  # 1_000, 0x10
        else:
            continue
        pieces += [text[last:token.start[1]], replacement]
        last = token.end[1]
    return "".join([*pieces, text[last:]])


def number(value) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def written(node) -> tuple[str, int]:
    """A parsed formula (``compute.expressions``) in Moodle's syntax, and its precedence."""
    if isinstance(node, ast.Constant):
        return number(node.value), ATOM
    if isinstance(node, ast.Name):
        return f"{{{node.id}}}", ATOM
    if isinstance(node, ast.UnaryOp):
        inner = written(node.operand)
        if isinstance(node.op, ast.UAdd):
            return inner
        return f"-{bracketed(inner, ATOM)}", UNARY  # never "--" (PHP's decrement)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow):
            return f"pow({written(node.left)[0]}, {written(node.right)[0]})", ATOM
        level = SUMS if isinstance(node.op, ast.Add | ast.Sub) else PRODUCTS
        sign = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}[type(node.op)]
        left, right = written(node.left), written(node.right)
        return f"{bracketed(left, level)} {sign} {bracketed(right, level + 1)}", level
    name, args = node.func.id, [written(arg) for arg in node.args]
    if name in ("min", "max") and len(args) == 1:
        return args[0]
    return f"{name}({', '.join(text for text, _ in args)})", ATOM


def bracketed(operand: tuple[str, int], least: int) -> str:
    """``operand``'s text, in brackets when its precedence is below ``least``; a right operand needs one
    more than its operator (``a - (b - c)``, ``a * (b * c)``: Moodle computes in the same order)."""
    text, precedence = operand
    return f"({text})" if precedence < min(least, ATOM) else text


def moodle_text(markdown: str) -> str:
    """A prompt's placeholders as Moodle's wildcards: ``${{ a }}$`` (alone in its formula) and ``{{ a }}``
    (inside one) become ``{a}``, which Moodle replaces by the value (inside math too)."""
    return PLACEHOLDER.sub(r"{\1}", ALONE_IN_MATH.sub(r"{\1}", markdown))


def datasets(config: dict) -> dict[str, dict]:
    """Moodle's dataset definition of each wildcard of a cleaned formula ``config``: its range, decimals and
    distribution; a fixed value (``config["fixed"]``) as a range of that one value, with its decimals."""
    found = {}
    for name, spec in config["wildcards"].items():
        spec = dict(spec)
        if name in config.get("fixed", {}):
            value = float(config["fixed"][name])
            spec |= {"min": value, "max": value, "decimals": max(spec["decimals"], decimals_of(value))}
        found[name] = spec
    return found


def decimals_of(value: float) -> int:
    """The decimals ``value`` needs as written (at most 10)."""
    text = f"{value:.10f}".rstrip("0")
    return len(text.partition(".")[2])


def dataset_items(generator: Generator, config: dict, specs: dict[str, dict]) -> dict[str, list[str]]:
    """``ITEMS`` sets of values for Moodle to draw from: those of the first seeds, as our students get them
    (each set one where the formula is defined), written with each wildcard's decimals (``specs``)."""
    params = generator.sample_params(np.arange(ITEMS, dtype=np.uint64), config)
    return {name: [f"{float(value):.{specs[name]['decimals']}f}" for value in params[name]] for name in specs}
