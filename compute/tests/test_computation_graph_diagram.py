"""compute/generators/computation_graph.py's diagram: for every graph, a well-formed accessible SVG that
shows the inputs with this student's values and every operation node, drawn left to right at a size a
phone shows whole, and no number the student is asked to compute (no value past the inputs, no gradient)."""

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from compute.generators import get_generator
from compute.generators.computation_graph import GRAPHS
from compute.latex import num

GEN = get_generator("computation_graph")
SVG = "{http://www.w3.org/2000/svg}"
SEEDS = (1, 2, 3, 7, 42)
INPUTS = ("x", "y", "z")
# What each graph must draw, written out here rather than read from the generator: its operation
# symbols (with repeats) and its edges (the fan-out graph's y feeds two products).
OPERATIONS = {
    "add_mul": ["+", "×"],
    "square": ["×", "+", "( )²"],
    "sigmoid": ["×", "+", "σ"],
    "fan_out": ["×", "×", "+"],
}
EDGES = {"add_mul": 5, "square": 6, "sigmoid": 6, "fan_out": 7}
NUMBER = re.compile(r"^[-−]?\d+(\.\d+)?$")


def test_every_graph_has_its_expected_drawing():
    assert set(OPERATIONS) == set(GRAPHS) == set(EDGES)


def drawn(graph: str, seed: int):
    """A variant asking ∂f/∂x and its parsed diagram (asserted present)."""
    variant = GEN.generate(seed, {"graph": graph, "wrt": "x"})
    assert variant.diagram, graph
    return variant, ET.fromstring(variant.diagram)


def texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def shown_words(root) -> list[str]:
    """Every text of the drawing and every word of its accessible name, trailing punctuation removed."""
    words = re.split(r"[\s,;]+", root.get("aria-label") + " " + root.find(f"{SVG}title").text)
    return texts(root) + [w.rstrip(".") for w in words if w]


def hidden_values(variant) -> dict[str, float]:
    """The numbers a student computes: the forward value, the inner node, every gradient, the chain
    factors (for the default ``wrt = x`` this includes the answer)."""
    values = variant.values
    grads = dict(zip(INPUTS, values["grads"], strict=True))
    return {"answer": variant.answer, "f": values["f"], "u": values["u"], "outer": values["outer"],
            "local": values["local"], **{f"df/d{name}": g for name, g in grads.items()}}


def assert_hides_what_is_computed(variant, root) -> int:
    """Assert that the drawing shows no computed number, as the worked solution and the answer display
    write it (4 significant figures, and in full); returns how many values were checked. A value that
    equals a given input (∂f/∂x = z for (x + y)·z) is shown by the prompt anyway and is not counted."""
    given = {num(variant.params[name]) for name in INPUTS}
    words, checked = shown_words(root), 0
    for name, value in hidden_values(variant).items():
        for text in {num(value, 4), num(value, 3), num(value)}:
            if text in given:
                continue
            checked += 1
            assert text not in words, (name, text, words)
    return checked


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("graph", GRAPHS)
def test_diagram_is_well_formed_accessible_and_inert(graph, seed):
    variant, root = drawn(graph, seed)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title = root.find(f"{SVG}title").text
    assert title == root.get("aria-label") and title.startswith("Computation graph of f(x, y, z) = ")
    lowered = variant.diagram.lower()
    assert "<script" not in lowered and "style=" not in lowered and "href" not in lowered
    assert not re.search(r"\son\w+=", lowered)
    assert "{" not in variant.diagram and "}" not in variant.diagram  # every value slot filled


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("graph", GRAPHS)
def test_diagram_shows_each_input_with_its_value_and_every_operation(graph, seed):
    variant, root = drawn(graph, seed)
    shown = Counter(texts(root))
    for name in INPUTS:
        value = num(variant.params[name])
        assert shown[name] == 1 and shown[value] >= 1, (name, value, shown)
        assert f"{name} = {value}" in root.get("aria-label")
    assert shown["f"] == 1
    assert all(shown[symbol] >= count for symbol, count in Counter(OPERATIONS[graph]).items()), shown
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == len(INPUTS) + len(OPERATIONS[graph]) + 1  # inputs, operations, f


@pytest.mark.parametrize("graph", GRAPHS)
def test_diagram_shows_no_number_but_the_inputs(graph):
    checked = 0
    for seed in SEEDS:
        variant, root = drawn(graph, seed)
        numbers = [t for t in texts(root) if NUMBER.match(t)]
        assert sorted(numbers) == sorted(num(variant.params[name]) for name in INPUTS)
        checked += assert_hides_what_is_computed(variant, root)
    # a variant may compute only numbers it is given (x = 1, y = -1, z = -2 in xy + yz), not all of them
    assert checked >= 3 * len(SEEDS), checked


def test_the_check_catches_a_leaked_answer():
    variant, root = drawn("square", 1)
    leaked = variant.diagram.replace("</svg>", f"<text>{num(variant.answer, 4)}</text></svg>")
    with pytest.raises(AssertionError, match="answer"):
        assert_hides_what_is_computed(variant, ET.fromstring(leaked))


@pytest.mark.parametrize("graph", GRAPHS)
def test_edges_run_left_to_right_and_the_drawing_fits_a_phone(graph):
    variant, root = drawn(graph, 1)
    lines = list(root.iter(f"{SVG}line"))
    assert len(lines) == EDGES[graph]
    assert all(float(line.get("x2")) > float(line.get("x1")) for line in lines)
    _, _, width, height = map(float, root.get("viewBox").split())
    # drawn at its own size: whole inside the 340 px a question card leaves on a 390 px phone
    assert float(root.get("width")) == width <= 340 and float(root.get("height")) == height <= 200


@pytest.mark.parametrize("graph", GRAPHS)
def test_prompt_points_to_the_drawing_below(graph):
    variant = GEN.generate(1, {"graph": graph})
    assert "computation graph of" in variant.prompt and "drawn below" in variant.prompt
    assert GEN.diagram(variant.params, variant.config) == variant.diagram
