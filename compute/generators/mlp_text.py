"""The text of mlp_backward's variants: exact parameters and bracketed factors in LaTeX, the
conventions paragraph, and the SVG diagram's template and labels (pure Python, no torch).

generate() must stay within 2x of a plain-torch floor, so what depends only on the config or on a
grid value is cached: parameters come from small grids, configs are few.
"""

import functools

from compute import latex, svg
from compute.contract import COUNTING

ACT_TEX = {"sigmoid": "\\sigma", "tanh": "\\tanh", "relu": "\\operatorname{ReLU}"}
DERIVATIVE_TEX = {
    "sigmoid": "\\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z))",
    "tanh": "\\tanh'(z) = 1 - \\tanh^2(z)",
    "relu": "\\operatorname{ReLU}'(z) = 1 \\text{ if } z > 0 \\text{ else } 0",
}


@functools.lru_cache(maxsize=4096)
def exact_num(value: float) -> str:
    return latex.num(value)


def exact(value) -> str:
    """A parameter (scalar, vector or matrix) exactly, as latex.value does; numbers cached (small grids)."""
    if not isinstance(value, list):
        return exact_num(value)
    rows = [" & ".join(map(exact_num, row)) for row in value] if value and isinstance(value[0], list) else (
        map(exact_num, value))
    return "\\begin{pmatrix} " + " \\\\ ".join(rows) + " \\end{pmatrix}"


def factor(value: float, digits: int | None = None) -> str:
    """``latex.operand`` (negative numbers in brackets, after an operator), exact numbers cached."""
    text = exact_num(value) if digits is None else latex.num(value, digits)
    return f"({text})" if text.startswith("-") else text


@functools.lru_cache(maxsize=8)
def conventions(activation: str) -> str:
    f = ACT_TEX[activation]
    relu = " (PyTorch takes $\\operatorname{ReLU}'(0) = 0$; no $z$ here is 0)" if activation == "relu" else ""
    return (
        f"Hidden layer $z = W_1 x + b_1$, $a = {f}(z)$; output $\\hat y = W_2 a + b_2$; loss "
        "$L = (\\hat y - y)^2$, so $\\partial L / \\partial \\hat y = 2(\\hat y - y)$ (PyTorch's "
        f"`MSELoss` on one output, no factor $\\tfrac12$). The activation's derivative is "
        f"${DERIVATIVE_TEX[activation]}${relu}. {COUNTING} The drawing numbers its nodes the same way."
    )


@functools.lru_cache(maxsize=4096)
def label(value: float) -> str:
    """A parameter as diagram text (cached: parameters are drawn from small grids)."""
    return svg.escape(latex.num(value))


@functools.lru_cache(maxsize=64)
def diagram_template(hidden: int, activation: str, wrt: str, index: tuple) -> str:
    """The SVG with str.format slots {0}, {1}, … for the labels: W1 row-major, W2, x, b1, b2."""
    height = 70 * hidden + 20
    xs = {"in": 50, "hid": 200, "out": 350}
    ys = {"in": [height / 2 - 45, height / 2 + 45], "hid": [45 + 70 * k for k in range(hidden)],
          "out": [height / 2]}
    parts, slots = [], iter(range(4 * hidden + 3))

    def edge(start, end, bold, at):
        (x1, y1), (x2, y2) = start, end
        parts.append(svg.line(x1 + 18, y1, x2 - 18, y2, stroke="#555", stroke_width=3 if bold else 1, digits=0))
        parts.append(svg.text(x1 + at * (x2 - x1), y1 + at * (y2 - y1) - 3, f"{{{next(slots)}}}", font_size=11,
                              text_anchor="middle", fill="#114", stroke="#fff", stroke_width=3,
                              paint_order="stroke", digits=0))

    def node(column, k):
        return xs[column], ys[column][k]

    for k in range(hidden):
        for j in range(2):
            edge(node("in", j), node("hid", k), wrt == "W1" and index == (k, j), 0.72)
    for k in range(hidden):
        edge(node("hid", k), node("out", 0), wrt == "W2" and index == (0, k), 0.35)
    nodes = [("in", j, f"x{j}", "") for j in range(2)]
    nodes += [("hid", k, f"h{k}", "b=") for k in range(hidden)]
    for column, k, name, prefix in [*nodes, ("out", 0, "ŷ", "b=")]:
        cx, cy = node(column, k)
        parts.append(svg.circle(cx, cy, 18, fill="#eef", stroke="#333", digits=0))
        parts.append(svg.text(cx, cy + 4, name, font_size=12, text_anchor="middle", digits=0))
        parts.append(svg.text(cx, cy + 32, f"{prefix}{{{next(slots)}}}", font_size=11, text_anchor="middle",
                              digits=0))
    title = (f"Network with 2 inputs, {hidden} {activation} hidden units and one linear output; "
             "edges are labelled with their weights, nodes with the inputs and biases")
    return svg.drawing(400, height + 20, parts, title=title)
