"""Inline SVG as strings: the one place that escapes, formats numbers and writes elements.

Every SVG the project draws is meant to be written with it, so that each drawing is accessible
and its text safe by construction:

- ``drawing`` opens ``<svg role="img">`` named by its ``<title>`` (and described by ``<desc>``),
  wraps the body and closes it.
- The element builders (``line``, ``rect``, ``circle``, ``text``, ``polyline``, ``polygon``,
  ``group``, and ``element`` for any other) escape every attribute value and every text, so
  markup in a label stays text. Callers keep drawings inert: presentation attributes or a
  ``class``, no scripts, event handlers, ``style`` or links.
- Numbers are written by ``number``: an int as it is, a float with ``digits`` decimals (one by
  default). Every builder takes ``digits``.

Attributes are keyword arguments written in the order given, ``_`` as ``-`` (``stroke_width=2``
-> ``stroke-width="2"``); None leaves an attribute out. ``cls`` is the ``class`` attribute and
comes first; ``title`` adds a ``<title>`` child, which browsers show as a tooltip.

Plain Python: no Django, no numpy (numpy numbers are accepted). A caller that inserts the result
into a Django template marks it safe itself.
"""

import html
import numbers
import re
from collections.abc import Iterable

NAMESPACE = "http://www.w3.org/2000/svg"

Number = int | float


def escape(value: object) -> str:
    """``value`` as text for SVG content or a quoted attribute: ``& < > " '`` become entities."""
    return html.escape(str(value), quote=True)


def number(value: Number, digits: int = 1) -> str:
    """A coordinate or length: an int (numpy's too) as written, a float rounded to ``digits`` decimals.

    Fixed decimals keep a drawing's text short and stable (no ``0.30000000000000004``); ints stay
    ints, so ``x="20"`` does not become ``x="20.0"``.
    """
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return f"{float(value):.{digits}f}"


def _points(pairs: Iterable[tuple[Number, Number]], digits: int = 1) -> str:
    """The ``points`` of a polyline or polygon: ``"x,y x,y ..."``, each number through ``number``."""
    return " ".join(f"{number(x, digits)},{number(y, digits)}" for x, y in pairs)


def _attributes(attrs: dict, digits: int = 1) -> str:
    """`` name="value"`` for each item in order (a leading space each): ``_`` in a name is written
    ``-``; None is left out; numbers go through ``number``, the rest through ``escape``."""
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        text = number(value, digits) if isinstance(value, numbers.Number) else escape(value)
        parts.append(f' {name.replace("_", "-")}="{text}"')
    return "".join(parts)


def element(tag: str, content: str | None = None, *, cls: str | None = None, title: str | None = None,
            digits: int = 1, **attrs) -> str:
    """``<tag class=... attrs>`` with a ``<title>`` tooltip (escaped) and then ``content`` (markup,
    inserted as is: escape text first); ``<tag .../>`` when there is neither (content None; an
    empty string still writes ``<tag ...></tag>``)."""
    opening = f"<{tag}{_attributes({'class': cls, **attrs}, digits)}"
    if content is None and title is None:
        return f"{opening}/>"
    tooltip = f"<title>{escape(title)}</title>" if title is not None else ""
    return f"{opening}>{tooltip}{content or ''}</{tag}>"


def line(x1: Number, y1: Number, x2: Number, y2: Number, **attrs) -> str:
    """A ``<line>`` from (x1, y1) to (x2, y2); ``attrs`` as for ``element`` (e.g. ``stroke``)."""
    return element("line", x1=x1, y1=y1, x2=x2, y2=y2, **attrs)


def rect(x: Number, y: Number, width: Number, height: Number, **attrs) -> str:
    """A ``<rect>`` with its top-left corner at (x, y)."""
    return element("rect", x=x, y=y, width=width, height=height, **attrs)


def circle(cx: Number, cy: Number, r: Number, **attrs) -> str:
    """A ``<circle>`` centred at (cx, cy) with radius r."""
    return element("circle", cx=cx, cy=cy, r=r, **attrs)


def text(x: Number, y: Number, content: object, **attrs) -> str:
    """A ``<text>`` at (x, y) (the anchor point: pass ``text_anchor="middle"`` to centre it); the
    content is escaped."""
    return element("text", escape(content), x=x, y=y, **attrs)


def polyline(pairs: Iterable[tuple[Number, Number]], *, digits: int = 1, **attrs) -> str:
    """An open ``<polyline>`` through the (x, y) pairs."""
    return element("polyline", points=_points(pairs, digits), digits=digits, **attrs)


def polygon(pairs: Iterable[tuple[Number, Number]], *, digits: int = 1, **attrs) -> str:
    """A closed ``<polygon>`` through the (x, y) pairs."""
    return element("polygon", points=_points(pairs, digits), digits=digits, **attrs)


def group(children: Iterable[str], **attrs) -> str:
    """A ``<g>`` holding the child elements (markup from the builders here)."""
    return element("g", "".join(children), **attrs)


def drawing(width: Number, height: Number, body: Iterable[str], *, title: str, desc: str | None = None,
            id: str | None = None, cls: str | None = None, sized: bool = False,
            focusable: bool | None = None) -> str:
    """A whole accessible ``<svg role="img">`` of user size ``width`` x ``height`` holding ``body``.

    Without ``id`` the image is named by ``aria-label`` (the title): for drawings a page may show
    many times, where ids would collide. With ``id`` it is named and described by
    ``aria-labelledby="ID-title ID-desc"``, pointing at ``<title id="ID-title">`` and
    ``<desc id="ID-desc">``; ``id`` is made a token first (lower case, anything but a-z, 0-9 and
    ``-`` becomes ``-``) and must not be empty. ``sized`` also writes ``width`` and ``height``
    (the natural size; otherwise the image fills its box); ``focusable=False`` writes
    ``focusable="false"`` (keeps old browsers from putting it in the tab order).
    """
    attrs = {"xmlns": NAMESPACE, "class": cls, "viewBox": f"0 0 {number(width)} {number(height)}"}
    if sized:
        attrs |= {"width": width, "height": height}
    attrs |= {"role": "img", "focusable": None if focusable is None else str(focusable).lower()}
    if id is None:
        attrs["aria-label"] = title
        head = f"<title>{escape(title)}</title>"
        head += f"<desc>{escape(desc)}</desc>" if desc is not None else ""
    else:
        token = re.sub(r"[^a-z0-9-]", "-", id.lower())
        if not token:
            raise ValueError("an SVG id must not be empty")
        labels = [f"{token}-title"] + ([f"{token}-desc"] if desc is not None else [])
        attrs["aria-labelledby"] = " ".join(labels)
        head = f'<title id="{token}-title">{escape(title)}</title>'
        head += f'<desc id="{token}-desc">{escape(desc)}</desc>' if desc is not None else ""
    return f"<svg{_attributes(attrs)}>{head}{''.join(body)}</svg>"
