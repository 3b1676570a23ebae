"""compute/svg.py: escaping, number formatting, attribute output, the element builders and the
accessible header of a drawing (aria-label, or aria-labelledby with title and desc ids)."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from compute import svg

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x") & \'y\'</script>'
HOSTILE_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;) &amp; &#x27;y&#x27;&lt;/script&gt;"


# --- escaping and numbers ------------------------------------------------------------------------

def test_escape_turns_markup_characters_into_entities():
    assert svg.escape(HOSTILE) == HOSTILE_ESCAPED
    assert svg.escape("a < b > c") == "a &lt; b &gt; c"
    assert svg.escape(3) == "3"


def test_ints_are_written_as_ints_and_floats_with_fixed_decimals():
    assert svg.number(20) == "20" and svg.number(np.int64(7)) == "7"
    assert svg.number(20.0) == "20.0" and svg.number(0.1 + 0.2) == "0.3"
    assert svg.number(12.345, 2) == "12.35" and svg.number(79.6, 0) == "80"
    assert svg.number(np.float64(1.25), 1) == "1.2"  # rounds half to even, as f-strings do


# --- elements ------------------------------------------------------------------------------------

def test_attributes_keep_their_order_use_hyphens_and_leave_out_none():
    out = svg.line(0, 1.5, 10, 2.0, stroke="#333", stroke_width=1.5, marker_end=None, paint_order="stroke")
    assert out == '<line x1="0" y1="1.5" x2="10" y2="2.0" stroke="#333" stroke-width="1.5" paint-order="stroke"/>'


def test_class_comes_first_and_attribute_values_are_escaped():
    out = svg.rect(1, 2, 3, 4, cls='bar" onclick="x', rx=6)
    assert out == '<rect class="bar&quot; onclick=&quot;x" x="1" y="2" width="3" height="4" rx="6"/>'
    assert ET.fromstring(out).get("class") == 'bar" onclick="x'


def test_digits_apply_to_every_number_of_an_element():
    assert svg.circle(10.46, 20.5, 16, digits=0) == '<circle cx="10" cy="20" r="16"/>'
    assert svg.circle(10.46, 20.5, 16) == '<circle cx="10.5" cy="20.5" r="16"/>'


def test_text_content_is_escaped_and_anchored():
    out = svg.text(5, 6, HOSTILE, text_anchor="middle", font_size=11)
    assert out == f'<text x="5" y="6" text-anchor="middle" font-size="11">{HOSTILE_ESCAPED}</text>'
    assert svg.text(0, 0, "") == '<text x="0" y="0"></text>'  # an empty label still closes its tag


def test_title_child_is_an_escaped_tooltip():
    out = svg.rect(0, 0, 5, 5, cls="chart-bar", title="<i>: 3")
    assert out == '<rect class="chart-bar" x="0" y="0" width="5" height="5"><title>&lt;i&gt;: 3</title></rect>'
    assert svg.circle(1, 2, 3, title="a & b").endswith("><title>a &amp; b</title></circle>")


def test_polyline_polygon_and_group():
    assert svg.polyline([(0, 1), (2.25, 3)], fill="none") == '<polyline points="0,1 2.2,3" fill="none"/>'
    assert svg.polygon([(75, 34), (79, 40.0)], digits=0, fill="#333") == '<polygon points="75,34 79,40" fill="#333"/>'
    group = svg.group([svg.circle(1, 2, 3), svg.text(1, 2, "a")], cls="node")
    assert group == '<g class="node"><circle cx="1" cy="2" r="3"/><text x="1" y="2">a</text></g>'


def test_element_writes_any_other_tag():
    assert svg.element("ellipse", rx=2, ry=1) == '<ellipse rx="2" ry="1"/>'
    assert svg.element("tspan", "b&amp;", dy=4) == '<tspan dy="4">b&amp;</tspan>'  # content is markup as is


# --- the whole drawing ---------------------------------------------------------------------------

def test_drawing_without_id_is_named_by_aria_label():
    out = svg.drawing(180, 90, [svg.circle(1, 2, 3)], title="A & B", sized=True)
    assert out == ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 180 90" width="180" height="90" '
                   'role="img" aria-label="A &amp; B"><title>A &amp; B</title><circle cx="1" cy="2" r="3"/></svg>')


def test_drawing_with_id_is_labelled_by_its_title_and_desc():
    out = svg.drawing(420, 190, [], title=HOSTILE, desc="a & b", id="h1", cls="chart", focusable=False)
    assert out == ('<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 420 190" role="img" '
                   'focusable="false" aria-labelledby="h1-title h1-desc">'
                   f'<title id="h1-title">{HOSTILE_ESCAPED}</title><desc id="h1-desc">a &amp; b</desc></svg>')


def test_drawing_ids_are_made_tokens_and_must_not_be_empty():
    out = svg.drawing(10, 10, [], title="T", id='Week 1"<x>')
    assert 'aria-labelledby="week-1--x--title"' in out and '<title id="week-1--x--title">T</title>' in out
    assert "<desc" not in out
    with pytest.raises(ValueError):
        svg.drawing(10, 10, [], title="T", id="")


def test_drawing_parses_and_round_trips_its_texts():
    body = [svg.line(0, 0, 5, 5, stroke="#777"), svg.text(1, 2, HOSTILE)]
    root = ET.fromstring(svg.drawing(640, 200, body, title=HOSTILE, desc="d"))
    assert root.tag == f"{NS}svg" and root.get("role") == "img" and root.get("aria-label") == HOSTILE
    assert root.find(f"{NS}title").text == HOSTILE and root.find(f"{NS}desc").text == "d"
    assert root.find(f"{NS}text").text == HOSTILE and root.get("width") is None
    assert root.get("viewBox") == "0 0 640 200"
