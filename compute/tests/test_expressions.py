"""The formula evaluator of calculated questions: the allowlist refuses hostile input, results match hand
computation, and undefined draws are reported per draw."""

import math

import numpy as np
import pytest

from compute.config import ConfigError
from compute.expressions import MAX_LENGTH, FormulaError, parse

WILDCARDS = ("a", "b", "c")


@pytest.mark.parametrize(("text", "message"), [
    ("__import__('os')", "Calling “__import__” is not allowed"),
    ("().__class__", "attribute access"),
    ("a.__dict__", "attribute access"),
    ("9**9**9", "exponent “9 ** 9” is too large"),
    ("pow(a, 1000)", "exponent “1000” is too large"),
    ("lambda: a", "lambda"),
    ("(lambda: a)()", "Calling “lambda: a” is not allowed"),
    ("[x for x in a]", "comprehensions"),
    ("a[0]", "subscripts"),
    ("open(a)", "Calling “open”"),
    ("x + 1", "“x” in the formula is not a wildcard"),
    ("pi * a", "write pi() for π"),
    ("a ^ 2", "write a ** b or pow(a, b)"),
    ("a < b", "comparisons"),
    ("'text'", "only numbers are constants"),
    ("True", "only numbers are constants"),
    ("1e999", "too large"),
    ("sqrt(a, b)", "sqrt() takes 1 argument, not 2"),
    ("a; b", "does not parse"),
    ("{a} * {b}", "without braces"),
    ("a" + " + a" * 300, f"at most {MAX_LENGTH}"),
    ("a+" * 120 + "a", "at most 200 are allowed"),
])
def test_hostile_and_unsupported_formulas_are_refused_with_a_reason(text, message):
    with pytest.raises(FormulaError) as error:
        parse(text, WILDCARDS)
    assert message in str(error.value)
    assert isinstance(error.value, ConfigError)  # the admin shows it on save


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("a * b + c / 2", {"a": 2, "b": 3, "c": 5}, 8.5),
    ("a - b - c", {"a": 10, "b": 3, "c": 2}, 5.0),
    ("-a ** 2", {"a": 3}, -9.0),
    ("2 ** 3 ** 2", {}, 512.0),
    ("sqrt(a) + abs(b) + exp(0) + log(c)", {"a": 16, "b": -2, "c": math.e}, 8.0),
    ("log10(a) + log(b, 2)", {"a": 1000, "b": 8}, 6.0),
    ("sin(pi() / 2) + cos(0) + tan(0) + atan2(1, 1) * 4 / pi()", {}, 3.0),
    ("pow(a, 2) + min(a, b, c) + max(a, b)", {"a": 3, "b": -1, "c": 2}, 11.0),
    ("round(a, 1) + round(b) + floor(c) + ceil(c)", {"a": 2.25, "b": 2.5, "c": 1.5}, 2.3 + 3 + 1 + 2),
    ("a % b", {"a": -7.9, "b": 3}, -1.0),  # PHP: whole parts, the sign of the dividend
    ("asin(1) + acos(1) + atan(1)", {}, math.pi / 2 + math.pi / 4),
])
def test_formula_results_match_hand_computed_values(text, values, expected):
    value, defined = parse(text, WILDCARDS).evaluate(values)
    assert bool(defined) and float(value) == pytest.approx(expected, rel=1e-12)


def test_undefined_draws_are_flagged_one_by_one():
    formula = parse("1 / (a - 2) + sqrt(b) + 0 * exp(c)", WILDCARDS)
    value, defined = formula.evaluate({"a": np.array([2.0, 3.0, 3.0, 3.0]), "b": np.array([1.0, -1.0, 4.0, 4.0]),
                                       "c": np.array([0.0, 0.0, 1000.0, 1.0])})
    assert defined.tolist() == [False, False, False, True]  # 1/0; sqrt(-1); exp(1000) hidden by 0·
    assert value[3] == 3.0


def test_a_division_by_zero_that_a_later_step_hides_is_still_undefined():
    _, defined = parse("1 / (1 / (a - a))", WILDCARDS).evaluate({"a": 2.0})
    assert not defined


def test_latex_with_and_without_numbers():
    formula = parse("a * b - (c + 1) / 2 + -a ** 2", WILDCARDS)
    assert formula.latex() == "a \\cdot b - \\frac{c + 1}{2} + \\left(-a^{2}\\right)"
    assert formula.latex({"a": -1.5, "b": 2, "c": 0.5}) == (
        "(-1.5) \\cdot 2 - \\frac{0.5 + 1}{2} + \\left(-(-1.5)^{2}\\right)")
    assert parse("a - (b - c)", WILDCARDS).latex() == "a - \\left(b - c\\right)"


def test_names_the_formula_uses():
    assert parse("a * sqrt(c)", WILDCARDS).names == {"a", "c"}
