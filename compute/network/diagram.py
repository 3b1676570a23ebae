"""SVG diagrams of a declarative network (``compute.network.plan``): pure Python, no torch.

``network_svg(plan, params)`` returns one accessible inline SVG drawn with ``compute.svg``
(role="img", a <title> and an aria-label describing it, every text escaped, presentation
attributes only: no scripts, styles or external references). A network of linear layers and
activations with at most 8 units per column is drawn as neurons in columns, the edges labelled
with their weights when a layer is at most 4×4; any other network as a left-to-right chain of
labelled boxes with the shapes between them.
The drawing is at most 640 units wide and scales with its viewBox.
"""

import functools

from compute import latex, svg
from compute.network import layers as ly

WIDTH = 640
SLOT = "\x00"  # where a number goes in a cached drawing
_SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU",
           "gelu": "GELU", "softplus": "softplus"}


def _text(x: float, y: float, text: str, size: int = 12, anchor: str = "middle", halo: bool = False) -> str:
    """A label in the diagrams' style; a halo (white outline) keeps it readable over the edges."""
    outline = {"stroke": "#fff", "stroke_width": 3, "paint_order": "stroke"} if halo else {}
    return svg.text(x, y, text, font_size=size, font_family="sans-serif", text_anchor=anchor, fill="#111",
                    **outline, digits=0)


def _shape(shape: tuple) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def describe(plan) -> str:
    """One line for screen readers: the layers in order with their shapes."""
    steps = [f"input {_shape(plan.layers[0].in_shape)}"]
    for layer in plan.layers:
        steps.append(f"{layer.type.replace('_', ' ')} to {_shape(layer.out_shape)}")
    loss = "" if plan.loss == "none" else f", loss {plan.loss.replace('_', ' ')}"
    batch = f" (batch of {plan.batch})" if plan.batch > 1 else ""
    return f"Network{batch}: " + ", ".join(steps) + loss


def network_svg(plan, params: dict) -> str:
    """The diagram of a planned network with its parameter values (``params`` as shown)."""
    template, slots = _template(plan.key)
    if not slots:
        return template
    return template.format(*(svg.escape(latex.num(_entry(params[name], index))) for name, index in slots))


def _entry(value, index: tuple) -> float:
    for i in index:
        value = value[i] if isinstance(value, list) else value
    return value


@functools.lru_cache(maxsize=256)
def _template(key: str) -> tuple[str, tuple]:
    """The SVG of a plan with "{}" where a parameter's value goes, and those (name, index) slots."""
    from compute.network.plan import cached_plan

    plan = cached_plan(key)
    columns = _columns(plan)
    drawn, slots = _neurons(plan, columns) if columns else (_boxes(plan), ())
    return drawn.replace("{", "{{").replace("}", "}}").replace(SLOT, "{}"), tuple(slots)


def _columns(plan) -> list[dict] | None:
    """Neuron columns of an MLP (linear layers and activations), or None for any other network."""
    if any(layer.type != "linear" and layer.type not in ly.ACTIVATIONS for layer in plan.layers):
        return None
    columns = [{"size": plan.layers[0].in_shape[0], "name": "x", "acts": [], "layer": None}]
    for i, layer in enumerate(plan.layers):
        if layer.type == "linear":
            columns.append({"size": layer.opts["out"], "name": plan.outs[i], "acts": [], "layer": i})
        else:
            columns[-1]["acts"].append((_SYMBOL[layer.type], plan.outs[i]))
    if len(columns) < 2 or max(c["size"] for c in columns) > 8:
        return None
    return columns


def _neurons(plan, columns: list[dict]) -> tuple[str, list]:
    tallest = max(c["size"] for c in columns)
    height, gap = 70 + 56 * tallest, (WIDTH - 120) / (len(columns) - 1)
    xs = [60 + gap * k for k in range(len(columns))]

    def ys(size: int) -> list[float]:
        return [height / 2 + 56 * (j - (size - 1) / 2) - 6 for j in range(size)]

    edges, nodes, labels, slots = [], [], [], []
    for k in range(1, len(columns)):
        column, before = columns[k], columns[k - 1]
        small = column["size"] <= 4 and before["size"] <= 4
        weights = plan.roles[column["layer"]]["W"] if small else None
        for j, y2 in enumerate(ys(column["size"])):
            for i, y1 in enumerate(ys(before["size"])):
                edges.append(svg.line(xs[k - 1] + 16, y1, xs[k] - 16, y2, stroke="#777", stroke_width=1, digits=0))
                if weights is not None:
                    # staggered along the edges, so that one source's labels do not collide
                    at = 0.25 + 0.5 * (j + 0.5) / column["size"]
                    slots.append((weights, (j, i)))
                    x, y = xs[k - 1] + at * (xs[k] - xs[k - 1]), y1 + at * (y2 - y1) - 3
                    labels.append(_text(x, y, SLOT, 11, halo=True))
    for k, column in enumerate(columns):
        for j, y in enumerate(ys(column["size"])):
            nodes.append(svg.circle(xs[k], y, 16, fill="#eef", stroke="#333", stroke_width=1, digits=0))
            nodes.append(_text(xs[k], y + 4, f"x{j + 1}" if k == 0 else str(j + 1), 11))
            if k == 0 and plan.batch == 1:
                slots.append(("x", (j,)))
                nodes.append(_text(xs[k] - 20, y + 4, SLOT, 11, "end"))
        caption = column["name"] + "".join(f" → {symbol} → {name}" for symbol, name in column["acts"])
        nodes.append(_text(xs[k], height - 14, caption + " = ŷ" * (k == len(columns) - 1), 12))
    label = describe(plan) + (". Edges are labelled with the weights." if labels else ".")
    return svg.drawing(WIDTH, height, edges + labels + nodes, title=label, sized=True), slots


def _detail(layer) -> str:
    o = layer.opts
    if layer.type == "linear":
        return f"{o['in']} → {o['out']}"
    if layer.type.startswith("conv"):
        return f"{o['in_channels']} → {o['out_channels']}, k{o['kernel']} s{o['stride']} p{o['padding']}"
    if "pool" in layer.type:
        return f"k{o['kernel']} s{o['stride']}"
    if layer.type in ly.CELLS:
        return f"{o['input_size']} → {o['hidden_size']}, {o['steps']} steps"
    if layer.type == "graph_conv":
        return f"{o['nodes']} nodes, {o['in']} → {o['out']}"
    return {"batchnorm1d": o.get("mode", ""), "dropout": f"p = {o.get('p')}", "elu": f"α = {o.get('alpha')}",
            "leaky_relu": f"slope {o.get('slope')}", "softplus": f"β = {o.get('beta')}"}.get(layer.type, "")


def _boxes(plan) -> str:
    per_row, box_w, box_h, gap = 4, 118, 46, 42
    items = [("input", f"x {_shape(plan.layers[0].in_shape)}", "")]
    items += [(layer.type.replace("_", " "), _detail(layer), f"{plan.outs[i]} {_shape(layer.out_shape)}")
              for i, layer in enumerate(plan.layers)]
    rows = (len(items) + per_row - 1) // per_row
    height = 20 + rows * (box_h + 46)
    parts = []
    for n, (title, detail, out) in enumerate(items):
        row, col = divmod(n, per_row)
        x, y = 20 + col * (box_w + gap), 16 + row * (box_h + 46)
        parts.append(svg.rect(x, y, box_w, box_h, rx=6, fill="#eef", stroke="#333", stroke_width=1))
        parts.append(_text(x + box_w / 2, y + 19, title, 13))
        parts.append(_text(x + box_w / 2, y + 36, detail, 11))
        if out:
            parts.append(_text(x + box_w / 2, y + box_h + 15, out, 11))
        if n + 1 < len(items):
            if col + 1 < per_row:
                x1, y1 = x + box_w, y + box_h / 2
                parts.append(svg.line(x1, y1, x1 + gap - 6, y1, stroke="#333", stroke_width=1.5))
                tip = x1 + gap
                parts.append(svg.polygon([(tip - 6, y1 - 4), (tip, y1), (tip - 6, y1 + 4)], fill="#333"))
            else:  # round the row's end, down to the start of the next row
                x1, y1, y2, y3 = x + box_w, y + box_h / 2, y + box_h + 26, y + box_h + 46
                route = [(x1, y1), (x1 + 12, y1), (x1 + 12, y2), (79, y2), (79, y3 - 6)]
                parts.append(svg.polyline(route, fill="none", stroke="#333", stroke_width=1.5))
                parts.append(svg.polygon([(75, y3 - 6), (79, y3), (83, y3 - 6)], fill="#333"))
    return svg.drawing(WIDTH, height, parts, title=describe(plan) + ".", sized=True)
