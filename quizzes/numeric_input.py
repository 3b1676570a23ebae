"""Reading a number typed by a student into a float, with messages a student understands.

``parse_number(text)`` accepts (after at most 100 characters of input and surrounding whitespace)::

    input    := number [ "/" number ]            one fraction at most; spaces around "/" allowed
    number   := [sign] mantissa [exponent]  |  [sign] "10" power
    sign     := "+" | "-"                         spaces may follow the sign
    mantissa := int [sep [frac]]  |  sep frac     so ".5" and "5." are numbers, "." is not
    int      := digits, optionally grouped:  first group any length, every later group
                exactly 3 digits, groups separated by one space:  1 000 000,  1000 000
    frac     := digits, or groups of 3 digits separated by one space, the last 1 to 3 long:
                0.000 001,  3.141 592 65
    sep      := "." | ","                          one decimal separator, either kind
    exponent := ("e" | "E") [sign] digits          1e-3, 1.2E3, -2.5e+4 (no spaces)
              | times "10" power                    3×10^8, 3 x 10^{-2}, 3*10^(-2), 3·10⁻²
    times    := "×" | "x" | "X" | "*" | "·" | "⋅" | "∙", with optional spaces either side
    power    := "^" ([sign] digits | "{" [sign] digits "}" | "(" [sign] digits ")")
              | ["^"] superscript sign and digits  (⁻²)

Characters read as others first: the dashes − – — ‐ ‑ ‒ ﹣ － as "-"; no-break, thin, narrow
no-break, figure and hair spaces as a space; ÷ ∕ ⁄ as "/". Digits are ASCII 0-9 only.

Rules chosen, and why:

- A comma is always a decimal separator, never a thousands separator, so "1,234" is 1.234.
  Thousands are grouped with spaces. A number with two separators ("1,000,000", "1..2") or
  with both "." and "," ("1.000,5") is rejected rather than guessed at.
- A space between digits that does not start a group of exactly 3 digits means the student
  typed several numbers ("1 2", "1 2,5"): rejected.
- A fraction a/b is computed exactly from the two decimals and rounded to a float once, so
  "1e400/1e399" is 10.0; a single number is rounded once too (as ``float`` does).
- Results too small for a float become 0.0 (as ``float("1e-400")`` does); results too large,
  nan and infinity are rejected. ``float()`` itself is never given the student's text: it would
  accept "1_000", "nan" and Unicode digits.

Every failure raises ``NumericInputError``, whose ``str()`` is the message to show. The
grammar is matched by regular expressions without nested or overlapping repetition, on input
of at most 100 characters, so parsing takes microseconds whatever is typed.
"""

import re
from fractions import Fraction
from typing import NamedTuple

MAX_LENGTH = 100

# A quotient whose decimal exponents differ by more than this is far outside the float range
# whatever the significands (each below 10**MAX_LENGTH), so it is decided without big arithmetic.
_EXPONENT_GAP = 2 * MAX_LENGTH + 400


class NumericInputError(ValueError):
    """The text is not a number ``parse_number`` accepts; ``str(error)`` is a message for the student."""


class _Decimal(NamedTuple):
    negative: bool
    significand: int
    exponent: int  # value = (-1)**negative * significand * 10**exponent


_NORMALIZE = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00a0\u2007\u2008\u2009\u200a\u202f", " "),
        **dict.fromkeys("\u00f7\u2215\u2044", "/"),
    }
)
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-", "^{}()")
_POWER = r"\^(?:[+-]?[0-9]+|\{[+-]?[0-9]+\}|\([+-]?[0-9]+\))|\^?[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+"
_NUMBER = re.compile(
    rf"""
    (?P<sign>[+-]?)[ ]*
    (?:
        (?P<int>[0-9]+(?:[ ][0-9]{{3}})*)?
        (?:[.,](?P<frac>[0-9]+|(?:[0-9]{{3}}[ ])+[0-9]{{1,3}})?)?
        (?:[eE](?P<e>[+-]?[0-9]+)|[ ]*[×xX*·⋅∙][ ]*10(?P<times>{_POWER}))?
      | 10(?P<bare>{_POWER})
    )
    """,
    re.VERBOSE,
)
_MISPLACED_SIGN = re.compile(r"(?<!^)(?<![eE^{(])[+-]")
_MISSING_EXPONENT = re.compile(r"[0-9.,].*(?:[eE]|\^[{(]?)[+-]?$")
_SEVERAL_NUMBERS = re.compile(r"[0-9][,;]?[ ]+[0-9]")
_NOT_FINITE = {"nan", "inf", "infinity", "∞"}
_HINT = "Type something like 12.5, -3/4 or 1.5e-3."
_TOO_LARGE = "That number is too large to work with."


def parse_number(text: str) -> float:
    """Return the float that ``text`` denotes under the grammar in this module's docstring.

    The result is finite; a fraction is rounded once from its exact value. Raises
    ``NumericInputError`` with a message for the student when ``text`` is longer than
    ``MAX_LENGTH`` characters (checked first), blank, or not a single finite number.
    """
    if len(text) > MAX_LENGTH:
        raise NumericInputError(f"The input is too long (at most {MAX_LENGTH} characters).")
    normalized = text.translate(_NORMALIZE)  # one character for one, so indices still match text
    if not normalized.strip():
        raise NumericInputError("Please type a number.")
    if normalized.count("/") > 1:
        raise NumericInputError(
            f"“{text.strip()}” has more than one fraction bar “/”: type one number or one fraction a/b."
        )
    if "/" not in normalized:
        return _to_float(_parse_decimal(text, normalized))
    bar = normalized.index("/")
    if not normalized[:bar].strip():
        raise NumericInputError(f"“{text.strip()}” is missing the number above the fraction bar.")
    if not normalized[bar + 1 :].strip():
        raise NumericInputError(f"“{text.strip()}” is missing the number below the fraction bar.")
    numerator = _parse_decimal(text[:bar], normalized[:bar])
    denominator = _parse_decimal(text[bar + 1 :], normalized[bar + 1 :])
    return _divide(numerator, denominator)


def _parse_decimal(raw: str, normalized: str) -> _Decimal:
    """Read one ``number`` of the grammar; ``normalized`` is ``raw`` translated by ``_NORMALIZE``."""
    text = normalized.strip()
    match = _NUMBER.fullmatch(text)
    if match is None or not (match["int"] or match["frac"] or match["bare"]):
        raise NumericInputError(_explain(raw.strip(), text))
    if match["bare"]:
        int_digits, frac_digits, power = "1", "", match["bare"]
    else:
        int_digits = (match["int"] or "").replace(" ", "")
        frac_digits = (match["frac"] or "").replace(" ", "")
        power = match["e"] or match["times"] or "0"
    return _Decimal(
        negative=match["sign"] == "-",
        significand=int(int_digits + frac_digits),
        exponent=int(power.translate(_SUPERSCRIPTS)) - len(frac_digits),
    )


def _explain(raw: str, text: str) -> str:
    """Say what is wrong with ``raw`` (``text`` is its normalized form), which is not a ``number``."""
    if text.lower().lstrip("+- ") in _NOT_FINITE:
        return "nan/inf is not accepted: type a finite number."
    if any(char.isalpha() and char not in "eExX" for char in text):
        return f"“{raw}” is not a number: letters are not allowed (use e for powers of ten, like 1.5e-3)."
    if "." in text and "," in text:
        return (
            f"“{raw}” mixes a decimal point and a decimal comma: use only one of them "
            "(write thousands with spaces, like 1 000 000)."
        )
    if text.count(".") + text.count(",") > 1:
        return (
            f"“{raw}” has more than one decimal point or comma: a number has at most one "
            "(write thousands with spaces, like 1 000 000)."
        )
    if _MISPLACED_SIGN.search(text):
        return f"“{raw}” has a misplaced sign: + or − may only start the number or its exponent."
    if _MISSING_EXPONENT.search(text):
        return f"“{raw}” is missing the digits of its exponent, as in 1.5e-3 or 3×10^8."
    if "^" in text:
        return f"“{raw}” is not a number: ^ may only raise 10 to a whole number, as in 3×10^8 or 10^-3."
    if _SEVERAL_NUMBERS.search(text):
        return (
            f"Type one number only: “{raw}” looks like several numbers "
            "(spaces may only separate groups of three digits, like 1 000 000)."
        )
    return f"“{raw}” is not a number. {_HINT}"


def _to_float(number: _Decimal) -> float:
    """Round ``number`` to the nearest float; raise ``NumericInputError`` if it is out of range."""
    # float() of a plain ASCII decimal is correctly rounded and copes with any exponent length.
    value = float(f"{'-' if number.negative else ''}{number.significand}e{number.exponent}")
    if value in (float("inf"), float("-inf")):
        raise NumericInputError(_TOO_LARGE)
    return value


def _divide(numerator: _Decimal, denominator: _Decimal) -> float:
    """Round ``numerator / denominator`` to the nearest float, or raise ``NumericInputError``."""
    if denominator.significand == 0:
        raise NumericInputError("Division by zero: the denominator of a fraction cannot be 0.")
    sign = -1.0 if numerator.negative != denominator.negative else 1.0
    gap = numerator.exponent - denominator.exponent
    if numerator.significand == 0 or gap < -_EXPONENT_GAP:
        return sign * 0.0
    if gap > _EXPONENT_GAP:
        raise NumericInputError(_TOO_LARGE)
    try:
        return sign * float(Fraction(numerator.significand, denominator.significand) * Fraction(10) ** gap)
    except OverflowError:
        raise NumericInputError(_TOO_LARGE) from None
