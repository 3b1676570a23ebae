"""LaTeX to MathML, serialized by us so that nothing the author writes can become markup.

latex2mathml's string output (``convert()``) is not safe: it un-escapes its own text, so
``\\text{<script>}`` becomes a live script and ``\\href``/``\\style``/``\\class`` become attributes.
We take its element tree (``convert_to_element()``) and write it out ourselves: only the MathML
tags in ``MATHML_TAGS``, only the attributes in ``MATHML_ATTRIBUTES`` and only when their value is
plain (``SAFE_VALUE``), every text node escaped.
"""

import html
import re
from xml.etree.ElementTree import Element

from latex2mathml.converter import convert_to_element

MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
MAX_FORMULA_LENGTH = 2_000

MATHML_TAGS = frozenset(
    """math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mover munder munderover
    mtable mtr mtd mstyle mpadded mphantom menclose""".split()
)
# Presentation attributes latex2mathml emits; no href, style, class, id, src or event handlers.
MATHML_ATTRIBUTES = frozenset(
    """accent accentunder columnalign columnlines columnspacing depth displaystyle fence form height
    largeop linebreak linethickness lspace mathbackground mathcolor mathsize mathvariant maxsize minsize
    movablelimits notation rowlines rowspacing rspace scriptlevel separator stretchy symmetric voffset
    width""".split()
)
# Lengths, keywords, colour names and #rgb: no quotes, colons, slashes, parentheses or '&'.
SAFE_VALUE = re.compile(r"[A-Za-z0-9 .%#+\-]{0,64}")
# latex2mathml writes symbols as numeric character references inside its text nodes.
_CHAR_REF = re.compile(r"&#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}));")


def latex_to_mathml(latex: str, *, display: bool) -> str:
    """Return one ``<math>`` element for ``latex``; never raises.

    ``display=True`` gives ``<math display="block">``, otherwise ``display="inline"``. The result is
    safe to insert into HTML as-is. Empty, over-long (``MAX_FORMULA_LENGTH``) or unparsable LaTeX,
    and anything latex2mathml raises (macro bombs end in RecursionError), gives ``math_error(latex)``.
    """
    if not latex.strip() or len(latex) > MAX_FORMULA_LENGTH:
        return math_error(latex)
    try:
        root = convert_to_element(latex, display="block" if display else "inline")
        _typeset(root)
        inner = "".join(_serialize(child) for child in root)
    except (Exception, RecursionError):
        return math_error(latex)
    mode = "block" if display else "inline"
    return f'<math xmlns="{MATHML_NAMESPACE}" display="{mode}">{_text(root.text)}{inner}</math>'


# How many children a layout element needs: fewer means a command went without an argument.
_ARITY = {"mfrac": 2, "msup": 2, "msub": 2, "msubsup": 3, "mroot": 2, "munder": 2, "mover": 2, "munderover": 3}
_COMMAND = re.compile(r"\\[A-Za-z]+")
_PARSE_ERRORS = {
    "MissingSuperScriptOrSubscriptError": "a ^ or _ with nothing after it (write x^{2}, x_{i})",
    "ExtraLeftOrMissingRightError": "a \\left without its \\right",
    "MissingEndError": "a \\begin{…} without its \\end{…}",
    "DoubleSubscriptsError": "two subscripts in a row (group them: x_{i_j})",
    "DoubleSuperscriptsError": "two superscripts in a row (group them: x^{a^b})",
    "NoAvailableTokensError": "a command with nothing after it",
}


def formula_problem(latex: str) -> str | None:
    """What is wrong with ``latex``, for its author ("unknown command \\foo"), or None when it renders.

    Finds what ``latex_to_mathml`` shows as an error box, and what latex2mathml renders silently but
    wrongly: unknown commands (shown as their source), unbalanced braces and commands missing an
    argument (``\\frac{1}``).
    """
    if not latex.strip():
        return "the formula is empty"
    if len(latex) > MAX_FORMULA_LENGTH:
        return f"longer than {MAX_FORMULA_LENGTH} characters"
    depth = 0
    for match in re.finditer(r"\\.|[{}]", latex):
        depth += {"{": 1, "}": -1}.get(match.group(), 0)
        if depth < 0:
            return "a } without its {"
    if depth:
        return "a { without its }"
    try:
        root = convert_to_element(latex, display="inline")
    except RecursionError:
        return "macros that expand without end"
    except Exception as error:
        return _PARSE_ERRORS.get(type(error).__name__, f"LaTeX that does not parse ({type(error).__name__})")
    for element in root.iter():
        unknown = _COMMAND.search(_plain(element.text))
        if unknown:
            return f"unknown command {unknown.group()}"
        if element.tag in _ARITY and len(element) < _ARITY[element.tag]:
            return "a command is missing an argument (like \\frac{a}{b} with only {a})"
    return None


def math_error(latex: str) -> str:
    """The escaped LaTeX source in a ``<code class="math-error">`` the admin preview highlights."""
    return f'<code class="math-error" title="Could not render this formula">{html.escape(latex)}</code>'


# --- typesetting fixes on latex2mathml's tree (Chromium renders MathML Core, which knows less) -------

MINUS, PLUS = "\u2212", "+"
# An operator or opening fence before a sign makes the sign unary (a closing bar would be ambiguous).
OPENING = frozenset("([{,;:=<>\u2264\u2265\u2260\u2248\u00b1\u00d7\u22c5\u2212+")
FUNCTION_NAMES = frozenset(
    "ln log exp sin cos tan tanh sinh cosh sigmoid softmax det dim ker arg min max sup inf lim Pr".split()
)
# MathML Core ignores mathvariant except "normal": letters in other alphabets are Unicode characters.
_ALPHABETS = {
    "double-struck": (0x1D538, {"C": "\u2102", "H": "\u210D", "N": "\u2115", "P": "\u2119", "Q": "\u211A",
                                "R": "\u211D", "Z": "\u2124"}),
    "bold": (0x1D400, {}),
    "script": (0x1D49C, {"B": "\u212C", "E": "\u2130", "F": "\u2131", "H": "\u210B", "I": "\u2110",
                         "L": "\u2112", "M": "\u2133", "R": "\u211B"}),
    "fraktur": (0x1D504, {"C": "\u212D", "H": "\u210C", "I": "\u2111", "R": "\u211C", "Z": "\u2128"}),
}


def _plain(text: str | None) -> str:
    return _CHAR_REF.sub(_decode_ref, text or "").strip()


def _typeset(element: Element) -> None:
    """Fix, in place, what Chromium would typeset wrongly from latex2mathml's tree:

    - a sign in front of a number or a term (``= −0.5``, ``(−1)``, ``−x`` at the start) is unary:
      merged into the number, or marked ``form="prefix"`` without spacing, instead of a binary minus
      with spaces around it (``= − 0.5``);
    - a function name (``\\ln``, ``\\log``, ``\\exp``, …) before its argument gets a thin space
      (``ln σ²``, not ``lnσ²``), as TeX sets it;
    - a letter in a double-struck, bold, script or fraktur alphabet becomes the Unicode character
      (``\\mathbb E`` is 𝔼, not an italic E).
    """
    children = list(element)
    for child in children:
        _typeset(child)
    variant = element.get("mathvariant")
    text = _plain(element.text)
    if element.tag == "mi" and variant in _ALPHABETS and len(text) == 1 and text.isascii() and text.isalpha():
        start, exceptions = _ALPHABETS[variant]
        offset = ord(text) - (ord("A") if text.isupper() else ord("a") - 26)
        element.text = exceptions.get(text) or chr(start + offset)
        del element.attrib["mathvariant"]
    for index, child in enumerate(children):
        before = children[index - 1] if index else None
        after = children[index + 1] if index + 1 < len(children) else None
        if child.tag == "mo" and _plain(child.text) in (MINUS, PLUS) and after is not None and (
            before is None or (before.tag == "mo" and _plain(before.text) in OPENING)
        ):
            if after.tag == "mn" and _plain(child.text) == MINUS:
                after.text = MINUS + _plain(after.text)
                element.remove(child)
            else:
                child.attrib.update(form="prefix", lspace="0", rspace="0")
        elif child.tag == "mi" and _plain(child.text) in FUNCTION_NAMES and after is not None and not (
            after.tag == "mo" and _plain(after.text) in ("(", "[")
        ):
            child.tail = None
            position = list(element).index(child)
            element.insert(position + 1, Element("mspace", width="0.1667em"))


def _serialize(element: Element) -> str:
    tag = element.tag
    if not isinstance(tag, str) or tag not in MATHML_TAGS or tag == "math":
        # Unknown (or nested <math>): keep only its text, as plain text in an <mtext>.
        return f"<mtext>{_text(''.join(element.itertext()))}</mtext>{_text(element.tail)}"
    attrs = "".join(
        f' {name}="{value}"'
        for name, value in sorted(element.attrib.items())
        if name in MATHML_ATTRIBUTES and SAFE_VALUE.fullmatch(value)
    )
    children = "".join(_serialize(child) for child in element)
    return f"<{tag}{attrs}>{_text(element.text)}{children}</{tag}>{_text(element.tail)}"


def _text(text: str | None) -> str:
    """Decode latex2mathml's character references, then escape everything for HTML."""
    if not text:
        return ""
    return html.escape(_CHAR_REF.sub(_decode_ref, text))


def _decode_ref(match: re.Match[str]) -> str:
    hex_digits, decimal = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(decimal)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or (code < 0x20 and code not in (0x09, 0x0A)):
        return "\ufffd"
    return chr(code)
