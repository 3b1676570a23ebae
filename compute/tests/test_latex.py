"""compute/latex.py: numbers, operands and rounded values as LaTeX."""

from compute.latex import num, operand, rounded


def test_num_is_exact_or_rounded():
    assert num(3.0) == "3" and num(-0.5) == "-0.5" and num(0.00001) == "1 \\times 10^{-5}"
    assert num(2 / 3, 4) == "0.6667"


def test_operand_brackets_negative_numbers_only():
    assert operand(-1.5) == "(-1.5)"
    assert operand(2.0) == "2" and operand(-0.0) == "0"
    assert operand(-2 / 3, 4) == "(-0.6667)"


def test_rounded_shows_four_significant_figures_of_any_shape():
    assert rounded(1 / 3) == "0.3333"
    assert rounded([1 / 3, 2.0]) == "\\begin{pmatrix} 0.3333 \\\\ 2 \\end{pmatrix}"
    assert rounded([[1 / 7]]) == "\\begin{pmatrix} 0.1429 \\end{pmatrix}"
