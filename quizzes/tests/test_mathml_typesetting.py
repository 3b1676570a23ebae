"""Typesetting fixes over latex2mathml's tree (quizzes/mathml.py ``_typeset``): what Chromium's
MathML Core would otherwise set wrongly."""

import pytest

from quizzes.mathml import latex_to_mathml


def mathml(latex: str) -> str:
    return latex_to_mathml(latex, display=False)


@pytest.mark.parametrize(
    "latex, expected",
    [
        (r"y = -0.5", "<mo>=</mo><mn>−0.5</mn>"),  # a negative number, not "= − 0.5"
        (r"(-1)^n", '<mo stretchy="false">(</mo><mn>−1</mn>'),
        (r"\frac{-1}{2}", "<mrow><mn>−1</mn></mrow>"),
        (r"-x + 1", '<mo form="prefix" lspace="0" rspace="0">−</mo><mi>x</mi><mo>+</mo>'),
        (r"\exp(-x)", '<mo form="prefix" lspace="0" rspace="0">−</mo><mi>x</mi>'),
        (r"a - b", "<mi>a</mi><mo>−</mo><mi>b</mi>"),  # binary stays binary
        (r"\ln \sigma^2", '<mi>ln</mi><mspace width="0.1667em"></mspace><msup>'),
        (r"\log p(x)", '<mi>log</mi><mspace width="0.1667em"></mspace><mi>p</mi>'),
        (r"\ln(x)", '<mi>ln</mi><mo stretchy="false">(</mo>'),  # no space before a parenthesis
        (r"\mathbb E[x]", "<mi>𝔼</mi>"),
        (r"\mathbb{R}^n", "<mi>ℝ</mi>"),
        (r"\mathbf{W}", "<mi>𝐖</mi>"),
    ],
)
def test_signs_functions_and_alphabets(latex, expected):
    assert expected in mathml(latex)


def test_matrix_entries_keep_their_signs():
    out = mathml(r"\begin{pmatrix} -1 & 2 \\ 3 & -4 \end{pmatrix}")
    assert "<mtd><mn>−1</mn></mtd>" in out and "<mtd><mn>−4</mn></mtd>" in out


def test_no_double_struck_attribute_reaches_the_page():
    assert "mathvariant" not in mathml(r"\mathbb E_{q}[x] + \mathbb{N}")
