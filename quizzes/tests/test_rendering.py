import re
import secrets
import time
from html import escape
from html.parser import HTMLParser

import pytest

from quizzes import rendering
from quizzes.mathml import MATHML_TAGS, latex_to_mathml
from quizzes.rendering import AUTHOR_TAGS, render_inline, render_many, render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "<img src=x onerror=alert(1)>",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    "<style>body{display:none}</style><p style='color:red'>x</p>",
    "$\\text{<script>alert(1)</script>}$",
    "$\\href{javascript:alert(1)}{x}$",
    "$\\style{color:red}{x}$",
    "$\\class{x}{y}$",
    "$\\color{javascript:alert(1)}{x}$",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "$\\text{</mtext></math><img src=x onerror=alert(1)>}$",
    "$$\\text{</mtext></math><img src=x onerror=alert(1)>}$$",
    '<span title="$x$" onmouseover="alert(1)">a</span>',
    '![$x$" onerror="alert(1)](https://example.com/a.png)',
]
ALLOWED_TAGS = AUTHOR_TAGS | MATHML_TAGS
SAFE_URL_PREFIXES = ("http://", "https://", "mailto:", "/", "#")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _parsed(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def _assert_inert(html: str) -> None:
    """No active element or attribute. Payload text may survive, escaped, as text or inside an attribute
    value (e.g. an alt); the parser tells the two apart."""
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<style" not in lowered
    assert "javascript:" not in lowered
    assert "data:text/html" not in lowered
    assert not re.search(r"<(img|math|a|span)\s[^>\"]*onerror=", lowered)
    for tag, attrs in _parsed(html):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name not in {"style", "href"} or tag == "a", (tag, name)
            if name in {"href", "src"}:
                assert (value or "").lower().startswith(SAFE_URL_PREFIXES) or "$" in (value or ""), value


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_renders_inert(payload):
    _assert_inert(render_markdown(payload))
    _assert_inert(render_inline(payload))


def test_all_payloads_in_one_prompt_render_inert():
    _assert_inert(render_markdown("\n\n".join(XSS_PAYLOADS)))


@pytest.mark.parametrize(
    "latex",
    [
        "\\text{<script>alert(1)</script>}",
        "\\href{javascript:alert(1)}{x}",
        "\\style{color:red}{x}",
        "\\class{x}{y}",
        "\\color{javascript:alert(1)}{x}",
        "\\text{</mtext></math><img src=x onerror=alert(1)>}",
        "\\mathrm{<b onclick=alert(1)>}",
    ],
)
@pytest.mark.parametrize("display", [False, True])
def test_mathml_serializer_alone_is_inert(latex, display):
    """Without the final nh3 pass in render_markdown: the serializer itself must be safe."""
    html = latex_to_mathml(latex, display=display)
    _assert_inert(html)
    tags = _parsed(html)
    assert [tag for tag, _ in tags].count("math") == 1
    assert all(tag in MATHML_TAGS for tag, _ in tags)
    assert not {name for _, attrs in tags for name, _ in attrs} & {"href", "style", "class", "onclick"}


def test_math_text_is_escaped_not_markup():
    html = render_markdown("$\\text{</mtext></math><img src=x onerror=alert(1)>}$")
    assert "&lt;/mtext&gt;&lt;/math&gt;&lt;img" in html
    assert html.count("<math") == 1 and "<img" not in html


def test_math_commands_that_make_attributes_are_dropped():
    html = render_markdown("$\\href{javascript:alert(1)}{x}$ $\\style{color:red}{y}$ $\\class{c}{z}$")
    assert html.count("<math") == 3
    assert "href" not in html and "style" not in html and "class" not in html
    assert "<mi>x</mi>" in html and "<mi>y</mi>" in html and "<mi>z</mi>" in html


def test_links_get_rel_and_images_need_https():
    html = render_markdown("[a](https://example.com) ![b](https://example.com/b.png) ![c](c.png)")
    assert '<a href="https://example.com" rel="noopener noreferrer">a</a>' in html
    assert 'src="https://example.com/b.png"' in html
    assert "c.png" not in html


def test_comparison_operators_in_inline_math():
    html = render_markdown("$a<b$ and $c>d$")
    assert html.count("<math") == 2
    assert 'display="inline"' in html
    assert "<mo>&lt;</mo>" in html and "<mo>&gt;</mo>" in html


def test_display_math_is_a_block_with_fraction():
    html = render_markdown("$$\\frac{\\partial L}{\\partial w}$$")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in html
    assert "<mfrac>" in html and "<mo>∂</mo>" in html


def test_display_math_inside_a_paragraph_line_is_block():
    html = render_markdown("so $$x^2$$ holds")
    assert html.startswith('<p>so <span class="math-display"><math') and 'display="block"' in html and "<msup>" in html


def test_display_math_scrolls_in_a_block_of_its_own_and_authors_cannot_forge_other_classes():
    html = render_markdown("$$x^2$$\n\n<span class=\"math-display evil\">a</span><span class=\"x\">b</span>")
    assert html.count('class="math-display"') == 1 and "evil" not in html and 'class="x"' not in html


@pytest.mark.parametrize(("latex", "pieces"), [
    (r"x = 1,\quad W = \begin{pmatrix}1 & 2\\ 3 & 4\end{pmatrix},\quad b = \left(1,\quad 2\right)",
     [["x", "= 1,"], ["W", r"= \begin{pmatrix}1 & 2\\ 3 & 4\end{pmatrix},"], ["b", r"= \left(1,\quad 2\right)"]]),
    (r"b_1 = g_1,\; b_t = g_t, \qquad w_t = w_{t-1}", [["b_1", r"= g_1,\; b_t", "= g_t,"], ["w_t", "= w_{t-1}"]]),
    (r"\frac{\partial y}{\partial x_0} = v_0 \cdot 0 \approx 1",
     [[r"\frac{\partial y}{\partial x_0}", r"= v_0 \cdot 0", r"\approx 1"]]),
    (r"\sum_{k=1}^n f(x = k) = \{a = b\}", [[r"\sum_{k=1}^n f(x = k)", r"= \{a = b\}"]]),  # none inside brackets
    (r"t = 0: \quad a, \; b", [["t", r"= 0: \quad a, \; b"]]),  # a bare \quad is no break between givens
    (r"\text{a,\quad b} \ne c", [[r"\text{a,\quad b} \ne c"]]),  # nor one inside braces
    (r"a \qquad", [[r"a \qquad"]]),  # nothing after the break: one piece
    ("= 3", [["= 3"]]),
])
def test_display_pieces_break_only_between_whole_givens_and_before_relations(latex, pieces):
    assert rendering.display_pieces(latex) == pieces


def test_givens_and_chains_in_one_display_formula_wrap_as_pieces():
    html = render_markdown("$$x = 1,\\quad y = 2 \\cdot 3 = 6$$")
    assert 'class="math-display math-list"' in html and html.count('<span class="math-piece">') == 2
    assert html.count('<span class="math-seg"><math') == 5 and html.count('display="block"') == 5
    single = render_markdown("$$\\frac{a}{b}$$")
    assert 'class="math-display"><math' in single and "math-piece" not in single
    forged = render_markdown('<span class="math-piece evil">a</span><span class="math-list">b</span>')
    assert "evil" not in forged and "math-list" not in forged


def test_bracket_delimiters_and_environments():
    html = render_markdown("\\(x+1\\)\n\n\\[\n\\begin{pmatrix}1 & 2\\\\ 3 & 4\\end{pmatrix}\n\\]")
    assert 'display="inline"' in html and 'display="block"' in html
    assert html.count("<mtr>") == 2 and html.count("<mtd>") == 4


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        ("\\mathbb{E}[x]", "<mi>𝔼</mi>"),
        ("a \\odot b", "<mo>⊙</mo>"),
        ("W^\\top", "<msup><mi>W</mi><mo>⊤</mo></msup>"),
        ("\\sigma'(z)", "<msup><mi>σ</mi><mi>′</mi></msup>"),
        ("\\hat{y}", '<mover accent="true">'),
        ("\\sum_{i=1}^n x_i", "<msubsup><mo>∑</mo>"),
        ("\\sqrt{x}", "<msqrt>"),
        ("\\operatorname{ReLU}(x)", "<mo>ReLU</mo>"),
        ("\\left( x \\right)", '<mo fence="true" form="prefix" stretchy="true">(</mo>'),
        ("\\def\\half{\\frac12}\\half", "<mfrac>"),
    ],
)
def test_course_notation_renders(latex, expected):
    assert expected in latex_to_mathml(latex, display=False)


@pytest.mark.parametrize("broken", ["\\frac{1}{", "x^", "\\begin{pmatrix}1 & 2", "\\left(", ""])
def test_broken_latex_gives_math_error(broken):
    assert latex_to_mathml(broken, display=False) == (
        f'<code class="math-error" title="Could not render this formula">{escape(broken)}</code>'
    )


def test_broken_formula_in_markdown_shows_escaped_source():
    html = render_markdown("See $\\frac{1}{$ and $<b$")
    assert '<code class="math-error" title="Could not render this formula">\\frac{1}{</code>' in html
    assert "<math" in html  # $<b$ is fine: an operator and an identifier
    assert "<b>" not in html


def test_overlong_formula_is_capped():
    html = render_markdown("$" + "x+" * 2500 + "x$")
    assert '<code class="math-error"' in html and "<math" not in html


def test_macro_bomb_returns_quickly():
    start = time.perf_counter()
    html = render_markdown("$\\def\\a{\\a\\a}\\a$ $\\def\\b{\\b}\\b$")
    assert time.perf_counter() - start < 1.0
    assert html.count('<code class="math-error"') == 2


def test_markdown_basics_survive():
    html = render_markdown(
        "Some *em* and **strong** and `a < b`\n\n- one\n- two\n\n1. first\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```python\nx = 1\n```"
    )
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html
    assert "<code>a &lt; b</code>" in html
    assert "<ul>" in html and "<li>one</li>" in html and "<ol>" in html
    assert '<th align="left">a</th>' in html and '<td align="right">2</td>' in html
    assert '<pre><code class="language-python">x = 1' in html


def test_math_markers_inside_code_are_left_alone():
    html = render_markdown("`$x$`\n\n```\n$$y$$\n```")
    assert "<math" not in html
    assert "<code>$x$</code>" in html and "$$y$$" in html


def test_underscores_and_stars_in_math_are_not_emphasis():
    html = render_markdown("$a_1 b_2$ and $x_i * y_j$ and $c_1$*")
    assert "<em>" not in html
    assert "<msub><mi>a</mi><mn>1</mn></msub>" in html
    assert "<mo>*</mo>" in html


def test_escaped_and_lone_dollars_stay_text():
    html = render_markdown("It costs \\$5, or $5 and $6.")
    assert "<math" not in html and "$5" in html and "$6" in html


def test_math_inside_attributes_becomes_plain_source():
    html = render_markdown('![$x$](https://example.com/a.png "t $y$") <span title="$z$">s</span>')
    assert 'alt="$x$"' in html and 'title="t $y$"' in html and 'title="$z$"' in html
    assert "<math" not in html


def test_author_cannot_forge_a_placeholder(monkeypatch):
    """Formulas are replaced by placeholders ``qzmath<token>n<i>z`` during a render; the token is
    fresh for each render (``secrets.token_hex``), so knowing an earlier one forges nothing."""
    tokens = []

    def recorded(nbytes=None, real=secrets.token_hex):
        tokens.append(real(nbytes))
        return tokens[-1]

    monkeypatch.setattr(secrets, "token_hex", recorded)
    render_markdown("$y$")
    old_token = tokens[-1]  # the token of the previous render, now public knowledge
    old_prefix = f"qzmath{old_token}n"
    html = render_markdown(f"{old_prefix}0z $x$ {old_prefix}1z")
    assert html.count("<math") == 1 and f"{old_prefix}0z" in html
    # Control: had this render used the same token, the text would have been a placeholder.
    monkeypatch.setattr(secrets, "token_hex", lambda nbytes=None: old_token)
    assert render_markdown(f"{old_prefix}0z $x$").count("<math") == 2


def test_render_inline_drops_single_paragraph():
    assert render_inline("choice *a*") == "choice <em>a</em>"
    assert render_inline("one\n\ntwo").startswith("<p>one</p>")


def test_render_many_caches_per_text(monkeypatch):
    calls = []

    def counting(text):
        calls.append(text)
        return f"<p>{len(calls)}:{text}</p>"

    monkeypatch.setattr(rendering, "render_markdown", counting)
    texts = [f"unique {time.time_ns()} a", f"unique {time.time_ns()} b"]
    first = render_many(texts)
    second = render_many(texts)
    assert first == second == [f"<p>1:{texts[0]}</p>", f"<p>2:{texts[1]}</p>"]
    assert calls == texts
    render_many([texts[0] + " edited"])
    assert len(calls) == 3


def test_render_many_matches_render_markdown():
    texts = ["$x_1$ *a*", "b", "$x_1$ *a*"]
    assert render_many(texts) == [render_markdown(t) for t in texts]
