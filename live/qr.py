"""The QR code of a session's join link, drawn on the server as inline SVG (``segno``: pure Python, no
external service, nothing leaves the server).

The SVG is one ``<path>`` of presentation attributes on a white square (phones read a dark code on a
light ground, whatever the page around it), with a ``<title>``; no script, no style attribute (CSP).
"""

import segno
from django.utils.safestring import SafeString, mark_safe

BORDER = 4  # modules of quiet zone around the code, as the standard asks: phones find it faster


def qr_svg(url: str, *, title: str) -> SafeString:
    """An inline ``<svg role="img">`` of the QR code of ``url`` (error correction M: a projector's glare
    or a smudged screen still scans), scaling to its box; ``title`` names it for screen readers."""
    code = segno.make(url, error="m", boost_error=False)
    svg = code.svg_inline(scale=1, border=BORDER, dark="#000", light="#fff", title=title, svgclass="qr-code",
                          lineclass=None, omitsize=True)
    return mark_safe(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))  # segno escapes the title
