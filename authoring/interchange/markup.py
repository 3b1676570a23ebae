"""Question texts from Moodle's formats to our Markdown with LaTeX, and back (``to_html``).

``to_markdown(text, text_format)`` takes Moodle's four text formats:

- ``markdown``: kept as written;
- ``plain_text``: kept as written (Markdown reads most plain text as itself);
- ``html``: converted, because our renderer leaves Markdown and math inside raw HTML blocks alone.
  Paragraphs (``p``, ``div``) become Markdown paragraphs and list items Markdown lists; inline tags
  (``b``, ``em``, ``sub``, ``a`` ...) stay HTML, which Markdown passes through (and the renderer
  sanitizes again with nh3); ``script``, ``style`` and their content, comments, ``on…`` event and
  ``style`` attributes are dropped here already. Images from Moodle's files (``@@PLUGINFILE@@``)
  cannot come with the text, so they are dropped with a note;
- ``moodle_auto_format``: plain text whose blank lines separate paragraphs, HTML allowed: read as HTML.

In HTML, TeX written ``\\(…\\)`` becomes ``$…$``; ``\\[…\\]`` and ``$$…$$`` stay display math.
Text outside formulas is escaped where Markdown would read it as markup (``*``, ``_``, backticks, ``<``).
"""

import html
import re
from html.parser import HTMLParser

import markdown

FORMATS = {"html", "markdown", "plain_text", "moodle_auto_format"}
DROPPED_CONTENT = {"script", "style", "head", "title", "object", "embed", "iframe", "template"}
VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "col", "area", "base"}
PARAGRAPH = {"p", "div", "section", "article", "header", "footer", "center", "blockquote", "h1", "h2", "h3",
             "h4", "h5", "h6", "figure", "figcaption"}
LISTS = {"ul", "ol"}
KEPT_ATTRIBUTES = {"href", "title", "src", "alt", "width", "height", "start", "align"}
MATH = re.compile(r"\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|\$[^$\n]+?\$", re.DOTALL)
MARKDOWN_SPECIAL = re.compile(r"([*_`\\])")


def to_markdown(text: str, text_format: str) -> tuple[str, list[str]]:
    """``text`` in Moodle's ``text_format`` as our Markdown, and notes on what was dropped."""
    if text_format in ("markdown", "plain_text"):
        return text.strip(), []
    if text_format == "moodle_auto_format":
        paragraphs = re.split(r"\n[ \t]*\n", text.strip())
        text = "".join(f"<p>{paragraph.replace(chr(10), '<br>')}</p>" for paragraph in paragraphs)
    converter = _HtmlToMarkdown()
    converter.feed(text)
    converter.close()
    return converter.markdown(), converter.notes


def escape_text(text: str) -> str:
    """Text outside formulas escaped for Markdown; formulas get ``$…$`` for ``\\(…\\)``, otherwise as written."""
    pieces, last = [], 0
    for match in MATH.finditer(text):
        pieces.append(_escape_plain(text[last:match.start()]))
        formula = match.group()
        pieces.append(f"${formula[2:-2].strip()}$" if formula.startswith("\\(") else formula)
        last = match.end()
    pieces.append(_escape_plain(text[last:]))
    return "".join(pieces)


def _escape_plain(text: str) -> str:
    text = MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;")


class _HtmlToMarkdown(HTMLParser):
    """Collects Markdown blocks; see the module docstring for what becomes what."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.line: list[str] = []  # the current block's pieces; text is joined before escaping
        self.text: list[str] = []
        self.lists: list[str] = []  # open ul/ol, innermost last
        self.dropping = 0  # depth inside script, style, ...
        self.pre = 0
        self.notes: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.dropping or tag in DROPPED_CONTENT:
            self.dropping += tag not in VOID
            return
        if tag in PARAGRAPH or tag in LISTS or tag == "li" or tag == "table" or tag == "pre":
            self._end_block()
            if tag in LISTS:
                self.lists.append(tag)
            elif tag == "li":
                self.line.append("  " * max(len(self.lists) - 1, 0) + ("1. " if self.lists[-1:] == ["ol"] else "- "))
            elif tag == "pre":
                self.pre += 1
                self.line.append("<pre>")
            elif tag == "table":
                self.line.append("<table>")
            return
        if tag == "img":
            src = dict(attrs).get("src") or ""
            if "@@PLUGINFILE@@" in src or not src.startswith("https://"):
                self.notes.append(f"image “{src.rsplit('/', 1)[-1] or '?'}” left out (images are not imported yet)")
                return
        kept = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs
                       if name in KEPT_ATTRIBUTES and not (value or "").strip().lower().startswith("javascript:"))
        self._flush_text()
        self.line.append(f"<{tag}{kept}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and not self.dropping:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.dropping:
            self.dropping -= tag in DROPPED_CONTENT or tag not in VOID
            self.dropping = max(self.dropping, 0)
            return
        if tag in DROPPED_CONTENT or tag in VOID:
            return
        if tag in PARAGRAPH or tag == "li":
            self._end_block()
        elif tag in LISTS:
            self._end_block()
            if self.lists:
                self.lists.pop()
        elif tag == "pre":
            self._flush_text()
            self.line.append("</pre>")
            self.pre = max(self.pre - 1, 0)
            self._end_block()
        else:
            self._flush_text()
            self.line.append(f"</{tag}>")
            if tag == "table":
                self._end_block()

    def handle_data(self, data):
        if not self.dropping:
            self.text.append(data)

    def _flush_text(self):
        text = "".join(self.text)
        self.text = []
        if self.pre:
            self.line.append(html.escape(text, quote=False))
        elif text:
            text = re.sub(r"\s+", " ", text)
            so_far = "".join(self.line)
            if not so_far.strip() or so_far.endswith(("- ", "1. ")):  # the start of a block or list item
                text = text.lstrip()
            self.line.append(escape_text(text))

    def _end_block(self):
        self._flush_text()
        block = "".join(self.line).rstrip()
        self.line = []
        if block.strip() and block.strip() not in ("-", "1."):
            self.blocks.append(block if _is_item(block) else block.strip())

    def markdown(self) -> str:
        self._end_block()
        # list items of one list are one block (no blank line between them, so the list stays tight)
        out: list[str] = []
        for block in self.blocks:
            if out and _is_item(block) and _is_item(out[-1].rsplit("\n", 1)[-1]):
                out[-1] += "\n" + block
            else:
                out.append(block)
        return "\n\n".join(out)


def _is_item(block: str) -> bool:
    return bool(re.match(r"\s*(- |1\. )", block))


# --- and back: our Markdown to HTML for Moodle --------------------------------------------------------

# Formulas as ``quizzes.rendering`` finds them in author Markdown, code spans and fenced code left alone.
SOURCE_MATH = re.compile(
    r"(?P<code>^```.*?^```|`[^`\n]+`)"
    r"|(?<!\\)\$\$(?P<display>.+?)\$\$"
    r"|(?<!\\)\\\[(?P<bracket>.+?)\\\]"
    r"|(?<!\\)\\\((?P<paren>.+?)\\\)"
    r"|(?<!\\)\$(?!\s)(?P<dollar>(?:\\.|[^\\$\n]|\n(?![ \t]*\n))+?)(?<!\s)\$",
    re.DOTALL | re.MULTILINE,
)
PLACEHOLDER = re.compile(r"QZFORMULA(\d+)Z")


def to_html(text: str, *, inline: bool = False) -> tuple[str, list[str]]:
    """Our Markdown with LaTeX as HTML for Moodle, formulas left as TeX for Moodle's MathJax filter, and
    the formulas found (their LaTeX, in order, to compare with the renderer's ``formulas_in``).

    Inline ``$…$`` and ``\\(…\\)`` become ``\\(…\\)``, which the filter reads by default (a single ``$`` it
    does not); ``$$…$$`` and ``\\[…\\]`` stay as written. ``inline``: without the ``<p>`` around a single
    paragraph (choices, feedback). The reader (``to_markdown``) turns this HTML back into Markdown.
    """
    formulas: list[tuple[str, str]] = []  # (latex, HTML with delimiters)

    def stash(match: re.Match) -> str:
        if match["code"]:
            return match.group()
        if match["display"] is not None:
            latex, wrapped = match["display"], f"$${html.escape(match['display'], quote=False)}$$"
        elif match["bracket"] is not None:
            latex, wrapped = match["bracket"], f"\\[{html.escape(match['bracket'], quote=False)}\\]"
        else:
            latex = match["paren"] if match["paren"] is not None else match["dollar"]
            wrapped = f"\\({html.escape(latex, quote=False)}\\)"
        formulas.append((latex, wrapped))
        return f"QZFORMULA{len(formulas) - 1}Z"

    body = markdown.markdown(SOURCE_MATH.sub(stash, text), extensions=["tables", "fenced_code", "sane_lists"],
                             output_format="html")
    body = PLACEHOLDER.sub(lambda m: formulas[int(m.group(1))][1], body).strip()
    if inline and body.startswith("<p>") and body.endswith("</p>") and body.count("<p>") == 1:
        body = body[3:-4]
    return body, [latex for latex, _ in formulas]
