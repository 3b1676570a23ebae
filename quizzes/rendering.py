"""Author Markdown with LaTeX math to safe HTML.

Pipeline, in this order, so that author HTML can never reach the math and the math never passes
through the author sanitizer:

1. Markdown (tables, fenced code, sane lists). ``_MathExtension`` takes every formula out of the
   text (``$...$``, ``\\(...\\)``, ``$$...$$`` inline or as its own paragraph, ``\\[...\\]`` and
   ``\\begin{env}...\\end{env}`` as their own paragraph; code spans and code blocks are left alone)
   and leaves a placeholder carrying a random per-call token, which an author cannot forge.
2. nh3 with ``AUTHOR_TAGS``/``AUTHOR_ATTRIBUTES``: no MathML, SVG, style or script; links only
   http(s), mailto or relative, with ``rel="noopener noreferrer"``; images only from ``https://`` or
   as ``image:NAME``, the course's own images (any other ``src`` is dropped). ``image:NAME`` stays in
   the (cached) HTML; ``quizzes.images.images_resolved`` turns it into the image's URL afterwards, so
   the same text renders (and caches) the same in every course.
3. Placeholders in text become MathML from ``latex_to_mathml`` (trusted serializer); a placeholder
   that ended up inside a tag (image alt, link title or href) becomes the escaped LaTeX source.
4. A last nh3 pass allowing author tags plus MathML, as a second layer.
"""

import hashlib
import html
import re
import secrets
import threading
import xml.etree.ElementTree as etree

import markdown
import nh3
from django.core.cache import cache
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import ETX, STX, AtomicString
from pymdownx.arithmatex import RE_BRACKET_BLOCK, RE_DOLLAR_BLOCK, RE_TEX_BLOCK
from pymdownx.util import escape_chars

from quizzes.mathml import MATHML_ATTRIBUTES, MATHML_NAMESPACE, MATHML_TAGS, SAFE_VALUE, latex_to_mathml

RENDER_VERSION = 5  # bump when the output for the same text changes: old cache entries are ignored
CACHE_TIMEOUT = 60 * 60 * 24 * 30

AUTHOR_TAGS = frozenset(
    """a abbr b blockquote br caption cite code dd del div dl dt em h1 h2 h3 h4 h5 h6 hr i img ins kbd
    li mark ol p pre q s samp small span strong sub sup table tbody td tfoot th thead tr u ul var""".split()
)
AUTHOR_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "code": {"class", "title"},  # class: only language-* and math-error (see _attribute_filter)
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "span": {"class"},  # class: only the math layout's (see _attribute_filter)
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEME = "image:"  # ![alt](image:relu-plot.png): an image of the question's course (quizzes.images)
IMAGE_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._\-]{0,99}"
_IMAGE_REFERENCE = re.compile(rf"image:{IMAGE_NAME_PATTERN}")
_CODE_CLASS = re.compile(r"language-[A-Za-z0-9_+\-]{1,32}|math-error")
_SPAN_CLASSES = frozenset({"math-display", "math-display math-list", "math-piece", "math-seg"})


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src":
        return value if value.lower().startswith("https://") or _IMAGE_REFERENCE.fullmatch(value) else None
    if tag == "a" and name == "href" and value.lower().startswith(IMAGE_SCHEME):
        return None  # the scheme names images, not pages
    if tag == "code" and name == "class":
        return value if _CODE_CLASS.fullmatch(value) else None
    if tag == "span" and name == "class":
        return value if value in _SPAN_CLASSES else None
    if tag == "math" and name == "xmlns":
        return value if value == MATHML_NAMESPACE else None
    if tag in MATHML_TAGS:
        return value if SAFE_VALUE.fullmatch(value) else None
    return value


_AUTHOR_CLEANER = nh3.Cleaner(
    tags=set(AUTHOR_TAGS),
    attributes={tag: set(names) for tag, names in AUTHOR_ATTRIBUTES.items()},
    attribute_filter=_attribute_filter,
    url_schemes=set(URL_SCHEMES | {"image"}),
    link_rel="noopener noreferrer",
)
_FINAL_CLEANER = nh3.Cleaner(
    tags=set(AUTHOR_TAGS | MATHML_TAGS),
    attributes={
        **{tag: set(names) for tag, names in AUTHOR_ATTRIBUTES.items()},
        **{
            tag: set(MATHML_ATTRIBUTES) | ({"xmlns", "display"} if tag == "math" else set())
            for tag in MATHML_TAGS
        },
    },
    attribute_filter=_attribute_filter,
    url_schemes=set(URL_SCHEMES | {"image"}),
    link_rel="noopener noreferrer",
)

# nh3 serializes every attribute value in double quotes (with '"' as &quot;) and escapes '<' in text,
# so in its output this matches exactly the tags.
_TAG = r'<[^>"]*(?:"[^"]*"[^>"]*)*>'

# Inline math. A run of escaped backslashes before a delimiter is consumed first (as arithmatex does)
# so that \\$ is a backslash and a dollar. Single dollars are "smart": no space just inside them, so
# "$5 and $6" stays text. \x02/\x03 mark Markdown's stashed code spans: math never spans them.
_INLINE_MATH = re.compile(
    r"(?<!\\)(?P<escapes>(?:\\{2})+)(?=\$|\\\()"
    r"|(?<!\\)\$\$(?P<display>(?:\\.|[^\\$\x02\x03])+?)\$\$"
    r"|(?<!\\)\$(?!\s)(?P<dollar>(?:\\.|[^\\$\x02\x03])+?)(?<!\s)\$"
    r"|(?<!\\)\\\((?P<paren>(?:\\[^)]|[^\\\x02\x03])+?)\\\)"
)
_ESCAPED_BACKSLASH = f"{STX}92{ETX}"  # how Markdown stashes an escaped backslash (ord 92)
_BLOCK_MATH = re.compile(rf"(?s)^(?:{RE_DOLLAR_BLOCK}|{RE_BRACKET_BLOCK}|{RE_TEX_BLOCK})[ ]*$")


class _MathExtension(Extension):
    """Replaces formulas by placeholders; ``formulas[i]`` is (latex, display, source) of placeholder i."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.registerExtension(self)
        escape_chars(md, ["$"])
        # Below code spans (190), above escapes (180) and everything else inline.
        md.inlinePatterns.register(_InlineMath(_INLINE_MATH.pattern, self), "math-inline", 189.9)
        # Above paragraphs, below indented code (80).
        md.parser.blockprocessors.register(_BlockMath(md.parser, self), "math-block", 79.9)
        self.reset()

    def reset(self) -> None:
        self.formulas: list[tuple[str, bool, str]] = []
        self.prefix = f"qzmath{secrets.token_hex(8)}n"
        self.placeholder = re.compile(re.escape(self.prefix) + r"(?P<n>\d+)z")

    def add(self, latex: str, *, display: bool, source: str) -> str:
        self.formulas.append((latex, display, source))
        return f"{self.prefix}{len(self.formulas) - 1}z"


class _InlineMath(InlineProcessor):
    def __init__(self, pattern: str, math: _MathExtension) -> None:
        super().__init__(pattern)
        self.math = math

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # noqa: N802
        if m["escapes"]:
            # Each escaped backslash pair becomes one backslash, as Markdown's escape pattern would do.
            return m["escapes"].replace("\\\\", _ESCAPED_BACKSLASH), m.start(0), m.end(0)
        display = m["display"] is not None
        latex = m["display"] or m["dollar"] or m["paren"]
        return self.math.add(latex, display=display, source=m[0]), m.start(0), m.end(0)


class _BlockMath(BlockProcessor):
    def __init__(self, parser, math: _MathExtension) -> None:
        super().__init__(parser)
        self.math = math

    def test(self, parent: etree.Element, block: str) -> bool:
        return _BLOCK_MATH.match(block) is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        m = _BLOCK_MATH.match(block)
        latex = m["math"] or m["math2"] or m["math3"]
        el = etree.SubElement(parent, "div")
        el.text = AtomicString(self.math.add(latex, display=True, source=block.strip()))


_local = threading.local()


def _markdown() -> tuple[markdown.Markdown, _MathExtension]:
    """One Markdown instance per thread: building one costs more than a render, and they are not
    thread-safe."""
    if not hasattr(_local, "md"):
        math = _MathExtension()
        _local.md = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists", math],
            extension_configs={"tables": {"use_align_attribute": True}},
            output_format="html",
        )
        _local.math = math
    return _local.md, _local.math


def render_markdown(text: str) -> str:
    """Render author Markdown with math to HTML that is safe to mark safe in a template. Pure, no cache.

    Broken formulas come out as ``<code class="math-error">`` with their source; never raises for
    any author input.
    """
    md, math = _markdown()
    md.reset()  # also gives the math extension a fresh token
    body = md.convert(text)
    body = _AUTHOR_CLEANER.clean(body)
    formulas, placeholder = math.formulas, math.placeholder

    # Markdown writes a placeholder inside inline raw HTML with a backslash before it: drop that too.
    in_tag_placeholder = re.compile(r"\\?" + placeholder.pattern)

    def in_tag(m: re.Match[str]) -> str:
        return html.escape(formulas[int(m["n"])][2])

    def substitute(m: re.Match[str]) -> str:
        if m["tag"]:
            return in_tag_placeholder.sub(in_tag, m["tag"])
        latex, display, _ = formulas[int(m["n"])]
        if not display:
            return latex_to_mathml(latex, display=False)
        return _display_block(latex)

    body = re.sub(f"(?P<tag>{_TAG})|{placeholder.pattern}", substitute, body)
    return _FINAL_CLEANER.clean(body)


# Where a display formula may break: between givens (a comma, then \quad or \qquad, or a bare
# \qquad), and before a relation of a chain (a = b = c), which then starts the next line.
_BREAK = re.compile(r",\s*(?:\\[,;: ]\s*)*\\q?quad(?![A-Za-z])\s*|\\qquad(?![A-Za-z])\s*")
_RELATION = re.compile(r"=|\\approx(?![A-Za-z])")
_GROUP = re.compile(r"\\(?:left|begin)(?![A-Za-z])|\\(?:right|end)(?![A-Za-z])|\\[{}=]|[{}()\[\]]")
_OPENS = {"{", "\\{", "(", "[", "\\left", "\\begin"}
_CLOSES = {"}", "\\}", ")", "]", "\\right", "\\end"}


def _top_level(latex: str, pattern: re.Pattern) -> list[re.Match]:
    """The matches of ``pattern`` in ``latex`` outside brackets of any kind, ``\\left…\\right`` and
    environments (an unbalanced interval like ``[0, 1)`` only means fewer cuts)."""
    depth, found = 0, []
    groups = [(m.start(), m.group()) for m in _GROUP.finditer(latex)]
    for m in pattern.finditer(latex):
        while groups and groups[0][0] < m.start():
            token = groups.pop(0)[1]
            depth += (token in _OPENS) - (token in _CLOSES)
        if depth == 0 and not (m.start() and latex[m.start() - 1] == "\\"):
            found.append(m)
    return found


def display_pieces(latex: str) -> list[list[str]]:
    """``latex`` cut where a display formula may break: givens (``_BREAK``: ``a = 1,\\quad b = 2``
    gives ``a = 1,`` and ``b = 2``), each cut before the relations of its chain (``y = 2 \\cdot 3 = 6``
    gives ``y``, ``= 2 \\cdot 3``, ``= 6``). Never cuts inside braces, ``\\left…\\right`` or an
    environment, so each piece is a whole formula. ``[[latex]]`` when there is nothing to cut."""
    givens, start = [], 0
    for m in _top_level(latex, _BREAK):
        givens.append(latex[start:m.start()] + ("," if m.group().startswith(",") else ""))
        start = m.end()
    givens.append(latex[start:])
    pieces = []
    for given in givens:
        cuts = [m.start() for m in _top_level(given, _RELATION) if m.start() > 0]
        parts = [given[a:b] for a, b in zip([0, *cuts], [*cuts, len(given)], strict=True)]
        pieces.append([part.strip() for part in parts])
    if not all(part for given in pieces for part in given):
        return [[latex]]
    return pieces


def _display_block(latex: str) -> str:
    """A display formula as a block that scrolls sideways on its own when wider than its column
    (site.css shows that it does). A formula with givens or a chain of relations becomes pieces
    that wrap onto new lines on a narrow screen instead (``display_pieces``)."""
    pieces = display_pieces(latex)
    if pieces == [[latex]]:
        return f'<span class="math-display">{latex_to_mathml(latex, display=True)}</span>'
    inner = "".join(
        '<span class="math-piece">'
        + "".join(f'<span class="math-seg">{latex_to_mathml(part, display=True)}</span>' for part in given)
        + "</span>"
        for given in pieces
    )
    return f'<span class="math-display math-list">{inner}</span>'


def formulas_in(text: str) -> list[str]:
    """The LaTeX of every formula in author Markdown ``text``, in order, as the renderer finds them."""
    md, math = _markdown()
    md.reset()
    md.convert(text)
    return [latex for latex, _, _ in math.formulas]


_IMG = re.compile(r'<img(?P<attributes>(?:\s+[\w:-]+="[^"]*")*)\s*/?>')
_ATTRIBUTE = re.compile(r'(?P<name>[\w:-]+)="(?P<value>[^"]*)"')


def image_references(text: str) -> list[tuple[str, str]]:
    """(name, alt text) of every ``image:NAME`` image in author Markdown ``text``, in order, as rendered."""
    found = []
    for m in _IMG.finditer(render_markdown(text)):
        attributes = {a["name"]: html.unescape(a["value"]) for a in _ATTRIBUTE.finditer(m["attributes"])}
        src = attributes.get("src", "")
        if src.startswith(IMAGE_SCHEME):
            found.append((src[len(IMAGE_SCHEME):], attributes.get("alt", "")))
    return found


def render_inline(text: str) -> str:
    """``render_markdown`` without the ``<p>`` around a single paragraph (choice labels, short texts)."""
    return without_paragraph(render_markdown(text))


def without_paragraph(rendered: str) -> str:
    """Rendered HTML without the ``<p>`` around it when it is a single paragraph."""
    rendered = rendered.strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


def render_many_inline(texts: list[str]) -> list[str]:
    """``render_many`` (cached), each without the ``<p>`` around a single paragraph."""
    return [without_paragraph(html) for html in render_many(texts)]


def render_many(texts: list[str]) -> list[str]:
    """``render_markdown`` of each text, in order, cached by content.

    The key is a sha256 of the text plus ``RENDER_VERSION``, so an edited text is a new key and
    nothing needs invalidating. One ``cache.get_many`` per call, and one ``cache.set_many`` when
    something was missing.
    """
    keys = [_cache_key(text) for text in texts]
    cached = cache.get_many(keys)
    missing = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in cached and key not in missing:
            missing[key] = render_markdown(text)
    if missing:
        cache.set_many(missing, timeout=CACHE_TIMEOUT)
    return [cached[key] if key in cached else missing[key] for key in keys]


def _cache_key(text: str) -> str:
    return f"quizzes.rendering:{RENDER_VERSION}:{hashlib.sha256(text.encode()).hexdigest()}"
