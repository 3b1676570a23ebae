"""Question texts from Moodle's formats to our Markdown with LaTeX, and back (``to_html``; ``images_as_files``
then shows the course images from Moodle's files).

``to_markdown(text, text_format)`` takes Moodle's four text formats:

- ``markdown``: kept as written;
- ``plain_text``: kept as written (Markdown reads most plain text as itself);
- ``html``: converted, because our renderer leaves Markdown and math inside raw HTML blocks alone.
  Paragraphs (``p``, ``div``) become Markdown paragraphs and list items Markdown lists; inline tags
  (``b``, ``em``, ``sub``, ``a`` ...) stay HTML, which Markdown passes through (and the renderer
  sanitizes again with nh3); ``script``, ``style`` and their content, comments, ``on…`` event and
  ``style`` attributes are dropped here already. ``https://`` images stay ``<img>``; other images
  and links to Moodle's own files are dropped with a note, except as below;
- ``moodle_auto_format``: plain text whose blank lines separate paragraphs, HTML allowed: read as HTML.

Images of the question's own files (``<img src="@@PLUGINFILE@@/my%20plot.png" alt="…">`` in HTML,
``![…](@@PLUGINFILE@@/…)`` in Markdown) become our image references ``![alt](image:NAME)`` when the
caller passes ``files`` (Moodle XML, which carries the files): NAME is the file's path made a valid
image name (``plugin_file_name``), recorded in ``files`` (NAME -> Moodle's path, URL-decoded) so the
caller can find the file and rename the reference. An image without alt text gets its file name as
the text, with a note (students who cannot see it read that). Without ``files`` (GIFT, which cannot
carry files) such an image is left out with a note.

In HTML, TeX written ``\\(…\\)`` becomes ``$…$``; ``\\[…\\]`` and ``$$…$$`` stay display math.
Text outside formulas is escaped where Markdown would read it as markup (``*``, ``_``, backticks, ``<``).
"""

import html
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import markdown

from quizzes.rendering import IMAGE_NAME_PATTERN

FORMATS = {"html", "markdown", "plain_text", "moodle_auto_format"}
DROPPED_CONTENT = {"script", "style", "head", "title", "object", "embed", "iframe", "template"}
VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "col", "area", "base"}
PARAGRAPH = {"p", "div", "section", "article", "header", "footer", "center", "blockquote", "h1", "h2", "h3",
             "h4", "h5", "h6", "figure", "figcaption"}
LISTS = {"ul", "ol"}
KEPT_ATTRIBUTES = {"href", "title", "src", "alt", "width", "height", "start", "align"}
MATH = re.compile(r"\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|\$[^$\n]+?\$", re.DOTALL)
MARKDOWN_SPECIAL = re.compile(r"([*_`\\])")
PLUGINFILE = "@@PLUGINFILE@@/"
MARKDOWN_PLUGIN_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*@@PLUGINFILE@@/(?P<src>[^)\s]+)\s*\)")
ALT_SPECIAL = re.compile(r"([][$])")  # would end the alt text or start a formula
IMAGE_NAME_LENGTH = 100  # IMAGE_NAME_PATTERN: at most 100 characters


def to_markdown(text: str, text_format: str, files: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """``text`` in Moodle's ``text_format`` as our Markdown, and notes on what was dropped. ``files``:
    see the module docstring (images of Moodle's files become ``image:NAME`` references, added to it)."""
    if text_format in ("markdown", "plain_text"):
        notes: list[str] = []
        if text_format == "markdown":
            text = MARKDOWN_PLUGIN_IMAGE.sub(
                lambda m: plugin_image(m["alt"], PLUGINFILE + m["src"], files, notes, markdown=True) or "", text)
        return text.strip(), notes
    if text_format == "moodle_auto_format":
        paragraphs = re.split(r"\n[ \t]*\n", text.strip())
        text = "".join(f"<p>{paragraph.replace(chr(10), '<br>')}</p>" for paragraph in paragraphs)
    converter = _HtmlToMarkdown(files)
    converter.feed(text)
    converter.close()
    return converter.markdown(), converter.notes


def plugin_file_path(src: str) -> str:
    """Moodle's path of the file ``src`` (``@@PLUGINFILE@@/sub/my%20plot.png?time=1``) names, as its
    ``<file path=… name=…>`` gives it, without the leading ``/``: ``sub/my plot.png``."""
    return unquote(src.split(PLUGINFILE, 1)[-1].split("?", 1)[0].split("#", 1)[0]).strip("/")


def plugin_file_name(path: str) -> str:
    """Moodle's file ``path`` as an image name (``quizzes.rendering.IMAGE_NAME_PATTERN``): every run of
    other characters than letters, digits, ``.``, ``-`` and ``_`` (a space, a ``/``, an umlaut) becomes
    ``-``, it starts with a letter or digit (else ``image-`` is put in front) and is cut to 100
    characters, keeping its extension: ``sub/my plot.png`` -> ``sub-my-plot.png``."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", path).strip("-")
    if not name[:1].isalnum():
        name = f"image-{name}".rstrip("-")
    return shortened(name, IMAGE_NAME_LENGTH)


def shortened(name: str, length: int) -> str:
    """``name`` cut to ``length`` characters before its extension (kept when it is short)."""
    if len(name) <= length:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        return name[:length]
    return f"{stem[:length - len(extension) - 1]}.{extension}"


def plugin_image(alt: str, src: str, files: dict[str, str] | None, notes: list[str], *,
                 markdown: bool = False) -> str | None:
    """The Markdown image for Moodle's file ``src`` (its name added to ``files``), or None (left out,
    with a note) when there are no ``files``. ``alt``: plain text, or with ``markdown`` as written in
    Markdown."""
    path = plugin_file_path(src)
    if files is None:
        notes.append(f"image “{path or '?'}” left out: GIFT cannot carry files (export the questions from "
                     "Moodle as Moodle XML to bring their images)")
        return None
    first = plugin_file_name(path or "image")
    name, number = first, 1
    while files.get(name, path) != path:  # another file's name made the same: numbered
        number += 1
        stem, dot, extension = first.rpartition(".")
        name = shortened(f"{stem}-{number}.{extension}" if dot and stem else f"{first}-{number}", IMAGE_NAME_LENGTH)
    files[name] = path
    alt = " ".join(alt.split())
    if not alt:
        alt, markdown = path.rsplit("/", 1)[-1], False
        notes.append(f"image “{path}” has no text saying what it shows (alt text): its file name is used, "
                     "write what it shows")
    if not markdown:
        alt = ALT_SPECIAL.sub(r"\\\1", _escape_plain(alt))
    return f"![{alt}](image:{name})"


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

    def __init__(self, files: dict[str, str] | None = None):
        super().__init__(convert_charrefs=True)
        self.files = files
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
            src = (dict(attrs).get("src") or "").strip()
            if src.startswith(PLUGINFILE):
                image = plugin_image(dict(attrs).get("alt") or "", src, self.files, self.notes)
                if image:
                    self._flush_text()
                    self.line.append(image)
                return
            if not src.startswith("https://"):
                self.notes.append(f"image “{src.rsplit('/', 1)[-1] or '?'}” left out: only https:// images and "
                                  "the question's own files are shown")
                return
        if tag == "a" and (dict(attrs).get("href") or "").strip().startswith(PLUGINFILE):
            self.notes.append(f"the link to the file “{plugin_file_path(dict(attrs)['href'])}” is left out (its "
                              "text is kept): only images of the question's files are imported")
            attrs = [(name, value) for name, value in attrs if name != "href"]
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


IMAGE_SOURCE = re.compile(rf'(<img\b[^>]*?\ssrc=")image:({IMAGE_NAME_PATTERN})(")')


def images_as_files(html_text: str) -> tuple[str, list[str]]:
    """``to_html``'s HTML with each course image ``<img src="image:NAME">`` shown from Moodle's file
    ``@@PLUGINFILE@@/NAME`` instead (the writer adds the file), and the names, in order, each once."""
    names: list[str] = []

    def to_file(match: re.Match) -> str:
        if match[2] not in names:
            names.append(match[2])
        return f"{match[1]}{PLUGINFILE}{match[2]}{match[3]}"

    return IMAGE_SOURCE.sub(to_file, html_text), names
