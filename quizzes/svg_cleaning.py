"""Uploaded SVG made harmless: parsed, kept to an allowlist of SVG elements and attributes, written again.

An SVG is a document that may run scripts (``<script>``, ``onload=``), embed HTML (``<foreignObject>``)
and fetch other resources (``href``, ``url()``). An image in a question needs none of that, so
``svg_cleaned`` keeps only drawing:

- the file is parsed with expat directly, which loads no external DTD, and refused at a DOCTYPE with
  an internal subset or at any entity declaration or reference to an external entity (no entity
  expansion, no external entities); a plain ``<!DOCTYPE svg PUBLIC ...>`` line, as matplotlib and
  Inkscape write, is allowed and not kept. A file that is not well-formed XML, or whose root is not
  ``<svg>`` in the SVG namespace, is refused;
- elements outside ``SVG_ELEMENTS`` (``script``, ``foreignObject``, ``metadata``, other namespaces such
  as Inkscape's) are dropped with everything inside them;
- attributes outside ``SVG_ATTRIBUTES`` are dropped, event handlers (``on…``) among them; ``href`` and
  ``xlink:href`` only as a fragment of the same file (``#id``, written as ``href``); a value with
  ``url(...)`` only when every url is such a fragment, and ``style`` (attribute or element) also not
  with ``@import``, ``expression`` or a backslash (CSS escapes could spell any of them);
- comments and processing instructions are not kept.

Pure Python, no Django. The page serves SVG with ``Content-Security-Policy: default-src 'none'`` as
well (``quizzes.images``), a second layer should something pass this one.
"""

import re
import xml.etree.ElementTree as etree
from xml.parsers import expat
from xml.sax.saxutils import escape

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

SVG_ELEMENTS = frozenset(
    """svg g defs title desc symbol use switch path rect circle ellipse line polyline polygon text tspan
    textPath linearGradient radialGradient stop clipPath mask pattern marker style filter feBlend
    feColorMatrix feComponentTransfer feComposite feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur
    feMerge feMergeNode feMorphology feOffset""".split()
)
SVG_ATTRIBUTES = frozenset(
    """id class style transform viewBox preserveAspectRatio width height x y x1 y1 x2 y2 cx cy r rx ry d
    points pathLength dx dy rotate textLength lengthAdjust text-anchor dominant-baseline alignment-baseline
    baseline-shift font-family font-size font-style font-weight font-variant letter-spacing word-spacing
    writing-mode fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap
    stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color display visibility
    overflow clip-path clip-rule mask filter marker-start marker-mid marker-end markerWidth markerHeight
    markerUnits refX refY orient gradientUnits gradientTransform spreadMethod fx fy fr offset stop-color
    stop-opacity patternUnits patternContentUnits patternTransform clipPathUnits maskUnits
    maskContentUnits filterUnits primitiveUnits in in2 result stdDeviation mode values type operator k1 k2
    k3 k4 flood-color flood-opacity radius tableValues slope intercept amplitude exponent
    vector-effect shape-rendering text-rendering image-rendering color-interpolation
    color-interpolation-filters version href space""".split()
)

_URL = re.compile(r"url\s*\(\s*(['\"]?)(?P<target>[^)'\"]*)\1\s*\)", re.IGNORECASE)
_CSS_DANGER = re.compile(r"@import|expression|image-set|\\|javascript:|<", re.IGNORECASE)
_QUOTES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_FRAGMENT = re.compile(r"#[A-Za-z_][\w.\-:]*")


class SvgRefused(ValueError):
    """The file is not an SVG we keep; the message says why, for the uploader."""


def svg_cleaned(data: bytes) -> bytes:
    """``data`` (an SVG file) with only the allowlisted drawing kept, as UTF-8 XML; raises ``SvgRefused``."""
    root = _parse(data)
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise SvgRefused("the root element is not <svg> in the SVG namespace: not an SVG image")
    _clean(root)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _write(root, out, top=True)
    return "".join(out).encode()


def _write(element: etree.Element, out: list[str], *, top: bool = False) -> None:
    """``element`` as XML, every element in the default (SVG) namespace, which only the root declares."""
    tag = _local(element.tag, SVG_NAMESPACE)
    attributes = {"xmlns": SVG_NAMESPACE} if top else {}
    for key, value in element.attrib.items():
        attributes["xml:space" if key.startswith("{") else key] = value
    out.append(f"<{tag}" + "".join(f' {key}="{escape(value, _QUOTES)}"' for key, value in attributes.items()))
    if element.text is None and not len(element):
        out.append(" />")
    else:
        out.append(">" + escape(element.text or ""))
        for child in element:
            _write(child, out)
        out.append(f"</{tag}>")
    out.append(escape(element.tail or "") if not top else "")


class _Refused(Exception):
    pass


def _parse(data: bytes) -> etree.Element:
    builder = etree.TreeBuilder()  # keeps neither comments nor processing instructions
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args):
        raise _Refused("it declares or uses entities, which images do not need (entity expansion)")

    def doctype(_name, _system_id, _public_id, has_internal_subset):
        if has_internal_subset:
            raise _Refused("its DOCTYPE declares entities or other things, which images do not need (entity expansion)")

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SkippedEntityHandler = refuse  # an entity of a DTD that is not loaded
    parser.StartElementHandler = lambda tag, attrs: builder.start(
        name(tag), {name(key): value for key, value in attrs.items()})
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        return builder.close()
    except _Refused as error:
        raise SvgRefused(str(error)) from None
    except expat.ExpatError as error:
        message = expat.errors.messages.get(error.code, str(error))
        raise SvgRefused(f"not well-formed XML (line {error.lineno}): {message}") from None


def _local(name: str, namespace: str) -> str | None:
    """The local part of ``name`` if it is in ``namespace`` (attributes: or in none)."""
    prefix = f"{{{namespace}}}"
    if name.startswith(prefix):
        return name[len(prefix):]
    return None


def _clean(element: etree.Element) -> None:
    for child in list(element):
        tag = _local(child.tag, SVG_NAMESPACE) if isinstance(child.tag, str) else None
        if tag not in SVG_ELEMENTS:
            element.remove(child)
            continue
        if tag == "style" and not _safe_css(child.text or ""):
            element.remove(child)
            continue
        _clean(child)
    attributes = dict(element.attrib)
    element.attrib.clear()
    for key, value in attributes.items():
        kept = _kept_attribute(key, value)
        if kept is not None:
            element.set(*kept)


def _kept_attribute(key: str, value: str) -> tuple[str, str] | None:
    if key.startswith("{"):
        name = _local(key, XLINK_NAMESPACE) or _local(key, XML_NAMESPACE)
        if name not in {"href", "space"}:
            return None
        if name == "space":
            return f"{{{XML_NAMESPACE}}}space", value
    else:
        name = key
    if name not in SVG_ATTRIBUTES or name.lower().startswith("on"):
        return None
    if name == "href":
        return (name, value) if _FRAGMENT.fullmatch(value.strip()) else None
    if name == "space":  # only as xml:space
        return None
    if name == "style" and not _safe_css(value):
        return None
    if _url_count(value) and not _urls_are_fragments(value):
        return None
    return name, value


def _urls_are_fragments(value: str) -> bool:
    found = list(_URL.finditer(value))
    return len(found) == _url_count(value) and all(_FRAGMENT.fullmatch(m["target"]) for m in found)


def _safe_css(css: str) -> bool:
    return not _CSS_DANGER.search(css) and _urls_are_fragments(css)


def _url_count(value: str) -> int:
    return re.sub(r"\s", "", value).lower().count("url(")
