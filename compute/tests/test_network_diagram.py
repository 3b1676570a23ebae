"""compute/network/diagram.py: well-formed, accessible SVG without scripts or styles, the weights on
the edges of a small MLP and a chain of boxes for everything else (escaping is compute/svg.py's)."""

import re
import xml.etree.ElementTree as ET

import pytest

from compute.network import diagram
from compute.network import plan as nplan
from compute.network.generator import NetworkGenerator

GEN = NetworkGenerator()
SVG = "{http://www.w3.org/2000/svg}"
CONFIGS = {
    "default": {},
    "wide_mlp": {"layers": [{"type": "linear", "in": 5, "out": 6}, {"type": "tanh"},
                            {"type": "linear", "out": 2}], "batch": 2},
    "conv": {"layers": [{"type": "conv2d", "out_channels": 2, "kernel": 2}, {"type": "relu"},
                        {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
                        {"type": "linear", "out": 3}], "input": [1, 5, 5], "loss": "cross_entropy"},
    "lstm": {"layers": [{"type": "lstm_cell", "hidden_size": 2}, {"type": "linear", "out": 1}],
             "input": [3, 2], "values": "tenths"},
    "graph": {"layers": [{"type": "graph_conv", "out": 2}, {"type": "relu"}, {"type": "flatten"},
                         {"type": "linear", "out": 1}], "input": [3, 2]},
}


def render(name):
    variant = GEN.generate(4, CONFIGS[name])
    return variant, variant.diagram


@pytest.mark.parametrize("name", CONFIGS)
def test_svg_is_well_formed_accessible_and_inert(name):
    _, svg = render(name)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("aria-label")
    assert root.find(f"{SVG}title").text == root.get("aria-label")
    width = float(root.get("viewBox").split()[2])
    assert width <= 640 and float(root.get("width")) <= 640
    lowered = svg.lower()
    assert "<script" not in lowered and "style=" not in lowered and "href" not in lowered
    assert not re.search(r"\son\w+=", lowered)  # no event-handler attributes
    assert "\x00" not in svg  # every number slot was filled


def test_small_mlp_shows_its_weights_and_inputs_on_the_drawing():
    variant, svg = render("default")
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    weights = [str(int(w)) for row in variant.params["W1"] + variant.params["W2"] for w in row]
    labels = texts[:len(weights)]  # edge labels come first, in edge order
    assert sorted(labels) == sorted(weights)
    assert "z1 → σ → h1" in texts and "z2 = ŷ" in texts
    assert "Edges are labelled with the weights" in ET.fromstring(svg).get("aria-label")


def test_larger_or_other_networks_are_drawn_without_weights_or_as_boxes():
    _, wide = render("wide_mlp")
    assert "Edges are labelled" not in wide and len(re.findall("<circle", wide)) == 5 + 6 + 2
    _, conv = render("conv")
    texts = [t.text for t in ET.fromstring(conv).iter(f"{SVG}text")]
    assert "conv2d" in texts and "1 → 2, k2 s1 p0" in texts and "s1 [2, 2, 2]" in texts
    assert "<rect" in conv and "<circle" not in conv


def test_description_lists_the_layers_with_their_shapes():
    # escaping of every label is compute.svg's (tested in test_svg.py)
    plan = nplan.plan_for(GEN.clean_config({}))
    label = diagram.describe(plan)
    assert label == "Network: input [2], linear to [3], sigmoid to [3], linear to [1], loss mse"


def test_same_plan_same_drawing_different_numbers():
    config = GEN.clean_config({})
    first, second = GEN.generate(1, config), GEN.generate(2, config)
    strip = lambda svg: re.sub(r">-?[\d.]+<", "><", svg)  # noqa: E731
    assert strip(first.diagram) == strip(second.diagram)
    assert GEN.diagram(first.params, config) == first.diagram
