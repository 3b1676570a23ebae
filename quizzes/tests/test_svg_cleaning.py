"""Hostile SVG uploads come out as drawing only, or are refused (quizzes/svg_cleaning.py)."""

import pytest

from quizzes.svg_cleaning import SvgRefused, svg_cleaned

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">{}</svg>'


def cleaned(inner: str) -> str:
    return svg_cleaned(SVG.format(inner).encode()).decode()


def test_drawing_is_kept():
    out = cleaned('<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>'
                  '<path d="M0 0L10 10" stroke="black" fill="url(#g)"/><text x="1" y="2">ReLU</text>'
                  '<use href="#g"/>')
    for kept in ('<path d="M0 0L10 10" stroke="black" fill="url(#g)" />', "<text x=\"1\" y=\"2\">ReLU</text>",
                 'stop-color="red"', '<use href="#g" />', 'viewBox="0 0 10 10"'):
        assert kept in out
    assert out.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in out


def test_script_is_dropped_with_its_content():
    out = cleaned('<script>alert(1)</script><script xlink:href="https://evil.example/x.js"/><circle r="1"/>')
    assert "script" not in out and "alert" not in out and "evil" not in out
    assert "<circle" in out


def test_event_handlers_are_dropped():
    out = svg_cleaned(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
                      b'<rect width="1" onclick="alert(2)" onmouseover="x()"/></svg>').decode()
    assert "onload" not in out and "onclick" not in out and "alert" not in out and "onmouseover" not in out
    assert '<rect width="1" />' in out


def test_foreign_object_is_dropped():
    out = cleaned('<foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="javascript:alert(1)"/>'
                  "</body></foreignObject><g/>")
    assert "foreignObject" not in out and "iframe" not in out and "javascript" not in out


def test_external_references_are_dropped():
    out = cleaned('<a href="javascript:alert(1)"><rect/></a><use xlink:href="https://evil.example/s.svg#x"/>'
                  '<image href="https://evil.example/p.png"/><rect fill="url(https://evil.example/t)"/>'
                  '<rect style="fill: url(&quot;https://evil.example/t&quot;)"/>'
                  '<rect style="fill:red"/><use xlink:href="#ok"/>')
    assert "evil" not in out and "javascript" not in out and "<image" not in out and "<a" not in out
    assert 'style="fill:red"' in out and '<use href="#ok" />' in out


def test_style_elements_with_imports_or_urls_are_dropped():
    out = cleaned("<style>@import url(https://evil.example/x.css);</style>"
                  "<style>rect { fill: url(https://evil.example/) }</style><style>rect { fill: blue }</style>")
    assert "evil" not in out and "@import" not in out
    assert "fill: blue" in out


def test_other_namespaces_and_comments_are_dropped():
    out = svg_cleaned(b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/ns"'
                      b' inkscape:version="1"><!-- secret --><inkscape:grid/><?php echo 1 ?><rect/></svg>').decode()
    assert "inkscape" not in out and "secret" not in out and "php" not in out and "<rect />" in out


def test_a_doctype_line_as_matplotlib_writes_it_is_allowed():
    data = (b'<?xml version="1.0" encoding="utf-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
            b'  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns:xlink="http://www.w3.org/1999/xlink" '
            b'width="460.8pt" viewBox="0 0 460.8 345.6" xmlns="http://www.w3.org/2000/svg" version="1.1">\n'
            b' <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>\n'
            b' <defs><style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style></defs>\n'
            b' <g id="figure_1"><path d="M 0 345.6 L 460.8 345.6" style="fill: #ffffff" clip-path="url(#p1)"/>'
            b'<use xlink:href="#DejaVuSans-30" x="1"/></g>\n</svg>\n')
    out = svg_cleaned(data).decode()
    assert "DOCTYPE" not in out and "metadata" not in out and "rdf" not in out
    for kept in ('<style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>',
                 'style="fill: #ffffff"', 'clip-path="url(#p1)"', '<use href="#DejaVuSans-30" x="1" />'):
        assert kept in out


@pytest.mark.parametrize("data, reason", [
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>', "DOCTYPE declares entities"),
    (b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
     "DOCTYPE declares entities"),
    (b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
     "entities"),  # the external DTD is not loaded; &x; would be skipped, but is refused
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "not well-formed"),
    (b"<svg><rect/></svg>", "SVG namespace"),
    (b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>', "SVG namespace"),
])
def test_refused(data, reason):
    with pytest.raises(SvgRefused, match=reason):
        svg_cleaned(data)
