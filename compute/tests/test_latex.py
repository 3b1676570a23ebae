"""compute/latex.py: numbers, operands and rounded values as LaTeX."""

import numpy as np

from compute.latex import num, operand, rounded, shown, shown_array


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


def test_values_below_the_shown_precision_print_as_zero():
    assert num(-2.7755575615628914e-17, 4) == "0" and rounded([1.5, 5.6e-17]) == rounded([1.5, 0.0])
    assert num(-2.7755575615628914e-17) != "0"  # parameters are shown exactly
    assert operand(-1e-17, 4) == "0"
    assert num(0.00987, 4) == "0.00987" and num(1.234e-5, 4) == "1.234 \\times 10^{-5}"


def test_shown_is_the_number_the_text_reads_as():
    for x in (2 / 3, -0.045185, 1234567.0, 9.99951, 1e-13, 0.1 + 0.2):
        text = num(x, 4).replace(" \\times 10^{", "e").replace("}", "")
        assert shown(x) == float(text)
    values = np.array([2 / 3, -0.0451851, 1234567.0, 1e-13, 0.0, 98.7654])
    assert shown_array(values).tolist() == [shown(v) for v in values]
