"""Tests for quizzes/numeric_input.py: what a student may type as a number, and what they are told."""

import math
import time

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from quizzes.numeric_input import MAX_LENGTH, NumericInputError, parse_number

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
group_spaces = st.sampled_from([" ", "\u2009", "\u202f", "\u00a0"])
SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42.0),
        ("  -7  ", -7.0),
        ("+5", 5.0),
        ("- 5", -5.0),
        ("1.5", 1.5),
        ("1,5", 1.5),
        ("1,234", 1.234),
        (".5", 0.5),
        (",5", 0.5),
        ("5.", 5.0),
        ("−3", -3.0),
        ("–3", -3.0),
        ("—3", -3.0),
        ("1 000 000", 1e6),
        ("1\u2009000\u2009000", 1e6),
        ("1\u202f000", 1000.0),
        ("1\u00a0000", 1000.0),
        ("1000 000", 1e6),
        ("1 000,5", 1000.5),
        ("1 000,000", 1000.0),
        ("0.000 001", 1e-6),
        ("3.141 592 65", 3.14159265),
        ("\t 2.5 \n", 2.5),
        ("1e-3", 1e-3),
        ("1.2E3", 1200.0),
        ("-2.5e+4", -25000.0),
        ("1,5e3", 1500.0),
        ("−1e−7", -1e-7),
        ("3×10^8", 3e8),
        ("3x10^-2", 0.03),
        ("3X10^2", 300.0),
        ("3*10^2", 300.0),
        ("3·10^2", 300.0),
        ("3 × 10^{-2}", 0.03),
        ("3 × 10^(−2)", 0.03),
        ("3×10⁻²", 0.03),
        ("3×10^⁻²", 0.03),
        ("1,5 x 10^3", 1500.0),
        ("10^-3", 1e-3),
        ("-10^3", -1000.0),
        ("10²", 100.0),
        ("10⁻³", 1e-3),
        ("-0.0", 0.0),
        ("0", 0.0),
        ("007", 7.0),
        ("1e-400", 0.0),
        ("1.7976931348623157e308", 1.7976931348623157e308),
        ("5e-324", 5e-324),
        ("1" + "0" * (MAX_LENGTH - 1), 1e99),
    ],
)
def test_accepted_inputs_parse_to_their_value(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-3/4", -0.75),
        ("3/-4", -0.75),
        ("-3/-4", 0.75),
        ("1,5/2", 0.75),
        ("1e3/4", 250.0),
        ("3 / 4", 0.75),
        ("3÷4", 0.75),
        ("1/3", 1 / 3),
        ("2/3", 2 / 3),
        ("1 000/7", 1000 / 7),
        ("3×10^8/7", 3e8 / 7),
        ("0/5", 0.0),
        ("1e400/1e399", 10.0),
        ("1e-400/1e-401", 10.0),
        ("1/1e400", 0.0),
    ],
)
def test_fractions_parse_to_their_quotient(text, expected):
    assert parse_number(text) == pytest.approx(expected, rel=1e-15, abs=0.0)


def test_fraction_is_rounded_once_from_its_exact_value():
    # 0.1 + 0.2 style double rounding would show here: 1/10 must be exactly the float nearest 0.1.
    assert parse_number("1/10") == 0.1
    assert parse_number("0.3/3") == 0.1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u2009",
        "nan",
        "NaN",
        "-nan",
        "inf",
        "-Inf",
        "+INF",
        "infinity",
        "Infinity",
        "∞",
        "1e999",
        "-1e999",
        "9" * 90 + "e300",
        "1e308/1e-10",
        "1/0",
        "1/0.0",
        "0/0",
        "1/0e5",
        "1 2",
        "1 2,5",
        "1 0000",
        "1 00",
        "1  000",
        "1, 2",
        "1/2/3",
        "1//2",
        "/4",
        "3/",
        "/",
        "abc",
        "1.5 kg",
        "0x1F",
        "1_000",
        "١٢",
        "1..2",
        "1.2.3",
        "1,5,6",
        "1,000,000",
        "1.000,5",
        "1,000.5",
        "--1",
        "+-1",
        "1-2",
        "1e--3",
        "1e",
        "1E",
        "1e+",
        "1e-",
        "e5",
        "e",
        "x",
        ".",
        ",",
        "-",
        "+",
        "10^",
        "3×10^",
        "3×10^{}",
        "3×10",
        "3×2^3",
        "2^3",
        "1e5e3",
        "1e-3.5",
        "1e 3",
        "3 10^8",
        "1" * (MAX_LENGTH + 1),
    ],
)
def test_rejected_inputs_raise_numeric_input_error(text):
    with pytest.raises(NumericInputError):
        parse_number(text)


def test_numeric_input_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_number("abc")


def _message(text: str) -> str:
    with pytest.raises(NumericInputError) as caught:
        parse_number(text)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", ["Please type a number"]),
        ("1/0", ["Division by zero", "0"]),
        ("abc", ["“abc”", "letters"]),
        ("1 2,5", ["one number", "“1 2,5”", "several numbers"]),
        ("1" * (MAX_LENGTH + 1), ["too long", str(MAX_LENGTH)]),
        ("1e999", ["too large"]),
        ("1e308/1e-10", ["too large"]),
        ("nan", ["nan/inf", "finite"]),
        ("-Infinity", ["nan/inf", "finite"]),
        ("1.000,5", ["decimal point", "decimal comma"]),
        ("1,000,000", ["more than one", "1 000 000"]),
        ("1..2", ["more than one"]),
        ("--1", ["sign"]),
        ("1e", ["exponent"]),
        ("3×10^", ["exponent"]),
        ("1/2/3", ["fraction bar"]),
        ("3/", ["below the fraction bar"]),
        ("/4", ["above the fraction bar"]),
        ("2^3", ["10"]),
        ("1_000", ["“1_000”", "is not a number"]),
    ],
)
def test_error_message_names_the_problem(text, words):
    message = _message(text)
    for word in words:
        assert word in message


def test_length_is_checked_before_anything_else():
    assert "too long" in _message("nan" * 34)
    assert "too long" in _message(" " * (MAX_LENGTH + 1))


def test_error_quotes_the_fraction_part_that_is_wrong():
    assert "“abc”" in _message("3/abc")


def test_parsing_is_fast_on_adversarial_inputs():
    nasty = [
        "1 000" * 19 + "x",
        "1" * (MAX_LENGTH - 1) + "e",
        "0.000 " * 16 + "0",
        "1 " * 50,
        "e" * MAX_LENGTH,
        "-" * MAX_LENGTH,
        "1e" + "9" * (MAX_LENGTH - 2),
        "1e-" + "9" * (MAX_LENGTH - 3),
        "1e" + "9" * 48 + "/1e" + "9" * 47,
        "1/1e-" + "9" * (MAX_LENGTH - 5),
    ]
    start = time.perf_counter()
    for _ in range(200):
        for text in nasty:
            try:
                parse_number(text)
            except NumericInputError:
                pass
    assert time.perf_counter() - start < 2.0


@given(finite_floats)
@example(-0.0)
@example(1e-7)
@example(1.5e300)
@example(5e-324)
@example(1.7976931348623157e308)
def test_repr_of_any_float_parses_back(x):
    assert parse_number(repr(x)) == x
    assert parse_number(str(x)) == x


@given(finite_floats)
def test_decimal_comma_is_accepted(x):
    assert parse_number(repr(x).replace(".", ",")) == x


@given(finite_floats)
def test_unicode_minus_is_accepted(x):
    assert parse_number(repr(x).replace("-", "\u2212")) == x


@given(finite_floats, group_spaces)
def test_thousands_grouped_with_spaces_are_accepted(x, space):
    assert parse_number(f"{x:,}".replace(",", space)) == x


@given(st.integers(-(2**53), 2**53), group_spaces)
def test_integers_grouped_with_thin_spaces_are_exact(n, space):
    assert parse_number(f"{n:,}".replace(",", space)) == n


@given(finite_floats, st.sampled_from(["×", "x", "X", "*", "·", " × ", " x "]), st.booleans())
def test_times_ten_to_the_power_forms_parse_back(x, times, braces):
    mantissa, exponent = f"{x:.17e}".split("e")
    power = f"{{{int(exponent)}}}" if braces else str(int(exponent))
    assert parse_number(f"{mantissa}{times}10^{power}") == x


@given(finite_floats)
def test_superscript_exponents_parse_back(x):
    mantissa, exponent = f"{x:.17e}".split("e")
    assert parse_number(f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPT)}") == x


@given(st.integers(-(10**15), 10**15), st.integers(-(10**15), 10**15).filter(bool))
def test_fraction_of_integers_is_their_correctly_rounded_quotient(a, b):
    assert parse_number(f"{a}/{b}") == a / b


@given(st.text(max_size=MAX_LENGTH + 20))
def test_any_text_gives_a_finite_float_or_a_numeric_input_error(text):
    try:
        value = parse_number(text)
    except NumericInputError as error:
        assert str(error)
    else:
        assert math.isfinite(value)


@given(st.text(alphabet="0123456789 .,-+eE×x^{}()/−\u2009⁻²", max_size=40))
def test_number_like_text_gives_a_finite_float_or_a_numeric_input_error(text):
    try:
        value = parse_number(text)
    except NumericInputError as error:
        assert str(error)
    else:
        assert math.isfinite(value)
