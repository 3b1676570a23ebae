"""Lecture 2 (Computation Graphs): the value or a partial derivative of a small three-input graph.

Sampling draws every number of a variant in one ``Sampler.draw`` call (a few candidate sets at
once, the first valid one kept), as in basics.py. ``diagram`` draws the graph the prompt names:
the inputs with this student's values, the operation nodes and the output f, and nothing computed
(no intermediate value or gradient, which would give the answer away).
"""

import functools
import math
from typing import NamedTuple

import numpy as np

from compute import svg
from compute.config import Field, Schema
from compute.contract import HAND_TOLERANCE, MIN_ANSWER, Generator
from compute.latex import num, operand, shown
from compute.sampling import columns, grid, pick_valid
from compute.tolerance import told_apart
from compute.variant import Solved, Step

CANDIDATES = 4

GRAPHS = {
    "add_mul": "(x + y)\\cdot z",
    "square": "(x y + z)^2",
    "sigmoid": "\\sigma(x y + z)",
    "fan_out": "x y + y z",
}
GRAPH_COLUMNS = columns(*[grid(-2, 2, 0.5, nonzero=True)] * 3)


class Op(NamedTuple):
    """One operation node of a drawn graph: its ``symbol``, its ``sources`` (the inputs "x", "y", "z"
    or the index of an earlier node), what it computes (``expression``, for the description) and the
    ``name`` the worked solution gives its output ("u", "f" for the last node, or "")."""

    symbol: str
    sources: tuple
    expression: str
    name: str = ""


OPERATIONS = {"+": "an addition node (+)", "×": "a multiplication node (×)", "σ": "a sigmoid node (σ)",
              "( )²": "a squaring node"}  # each symbol drawn, as a screen reader says it
# The operation nodes of each graph in GRAPHS, in the order the forward pass computes them; the last
# one gives f. The inner node u is the worked solution's.
DRAWN = {
    "add_mul": (Op("+", ("x", "y"), "x + y", "u"), Op("×", (0, "z"), "u · z", "f")),
    "square": (Op("×", ("x", "y"), "xy"), Op("+", (0, "z"), "xy + z", "u"), Op("( )²", (1,), "u²", "f")),
    "sigmoid": (Op("×", ("x", "y"), "xy"), Op("+", (0, "z"), "xy + z", "u"), Op("σ", (1,), "σ(u)", "f")),
    "fan_out": (Op("×", ("x", "y"), "xy", "u"), Op("×", ("y", "z"), "yz"), Op("+", (0, 1), "u + yz", "f")),
}
# GRAPHS as plain text, for the description
WRITTEN = {"add_mul": "(x + y) · z", "square": "(xy + z)²", "sigmoid": "σ(xy + z)", "fan_out": "xy + yz"}
INPUTS = ("x", "y", "z")
# 330 units wide, drawn at that size: it fits the 340 px a question card leaves on a 390 px phone.
WIDTH, HEIGHT, RADIUS = 330, 160, 16


class ComputationGraph(Generator):
    slug = "computation_graph"
    title = "Backward through a small computation graph"
    description = (
        "A three-input expression such as (x·y + z)² or x·y + y·z: its value, or its partial "
        "derivative with respect to one input by the chain rule."
    )
    lectures = (2,)
    schema = Schema((
        Field("graph", "choice", "square", "The expression: (x+y)·z, (xy+z)², σ(xy+z) or xy+yz.",
              choices=tuple(GRAPHS)),
        Field("wrt", "choice", "x", "The input the derivative is taken with respect to.",
              choices=("x", "y", "z")),
        Field("ask", "choice", "gradient", "The forward value f or the partial derivative.",
              choices=("gradient", "value")),
    ))
    mistakes = {
        "forward_value": "That is the value of $f$; the question asks for its derivative.",
        "forgot_chain_factor": "It looks like you forgot the chain-rule factor $\\partial f/\\partial u$ of the "
                               "outer node.",
        "forgot_factor_2": "It looks like you forgot the 2 in $\\frac{d}{du} u^2 = 2u$.",
        "used_sigmoid_not_derivative": "It looks like you multiplied by $\\sigma(u)$ instead of "
                                       "$\\sigma'(u) = \\sigma(u)(1 - \\sigma(u))$.",
        "one_path_only": "$y$ feeds two nodes: add the gradients along both paths.",
        "precedence": "Mind the brackets: $f = (x + y) \\cdot z$, not $x + y \\cdot z$.",
        "forgot_outer": "It looks like you stopped at the inner node $u$ and did not apply the last operation.",
    }
    rules = {
        "inner_in_range": "the inner node u (x + y, xy + z or x + z) is between ½ and 4 in size (3 for the "
                          "sigmoid graph, which stays unsaturated)",
        "answer_clear": f"the answer is at least {MIN_ANSWER} in size",
        "mistakes_differ": "the named mistakes the question is about differ from the answer: the forward value "
                           "and the product without the outer node's factor (for a derivative), the inner node "
                           "alone or x + y·z (for the value)",
    }

    def validity(self, params, config):
        x, y, z = params["x"], params["y"], params["z"]
        graph, wrt = config["graph"], config["wrt"]
        inner = x + y if graph == "add_mul" else (x + z if graph == "fan_out" else x * y + z)
        high = 3 if graph == "sigmoid" else 4
        u = x + y if graph == "add_mul" else (x * y if graph == "fan_out" else x * y + z)
        s = 1 / (1 + np.exp(-u))
        f = {"add_mul": u * z, "square": u * u, "sigmoid": s, "fan_out": u + y * z}[graph]
        outer = {"add_mul": z, "square": 2 * u, "sigmoid": s * (1 - s), "fan_out": np.ones_like(u)}[graph]
        local = {"x": y, "y": x, "z": np.ones_like(x)}[wrt] if graph in ("square", "sigmoid") else np.ones_like(x)
        grad = {"add_mul": {"x": z, "y": z, "z": u}, "fan_out": {"x": y, "y": x + z, "z": y}}.get(
            graph, {wrt: outer * local})[wrt]
        tol = HAND_TOLERANCE
        if config["ask"] == "value":
            answer, differ = f, np.ones_like(f, dtype=bool)
            if graph in ("square", "sigmoid"):
                differ = told_apart(u, f, tol)
            elif graph == "add_mul":
                differ = told_apart(x + y * z, f, tol)
        else:
            answer = grad
            differ = told_apart(f, grad, tol)
            if graph in ("square", "sigmoid") or (graph == "add_mul" and wrt != "z"):
                differ &= told_apart(local, grad, tol)
        return {"inner_in_range": (np.abs(inner) >= 0.5) & (np.abs(inner) <= high),
                "answer_clear": np.abs(answer) >= MIN_ANSWER, "mistakes_differ": differ}

    def sample_batch(self, sampler, config):
        v = sampler.draw(GRAPH_COLUMNS, CANDIDATES)
        cands = {"x": v[..., 0], "y": v[..., 1], "z": v[..., 2]}
        return pick_valid(cands, self.validity(cands, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        # u is a multiple of ¼ (shown exactly); the student carries f and the outer factor as shown
        graph, f = config["graph"], shown(values["f"])
        if config["ask"] == "value":
            return f
        outer = shown(f * (1 - f)) if graph == "sigmoid" else values["outer"]
        if graph == "fan_out" or (graph == "add_mul" and config["wrt"] == "z"):
            return shown(values["grads"]["xyz".index(config["wrt"])])  # a sum or product of the inputs
        return shown(outer * values["local"])

    def solve(self, params, config, device="cpu"):
        import torch

        v = torch.tensor([params["x"], params["y"], params["z"]], dtype=torch.float64, device=device,
                         requires_grad=True)
        x, y, z = v
        graph = config["graph"]
        if graph == "add_mul":
            u = x + y
            f = u * z
        elif graph == "fan_out":
            u = x * y
            f = u + y * z
        else:
            u = x * y + z
            f = u * u if graph == "square" else torch.sigmoid(u)
        f.backward()
        grads, u_value, f_value = v.grad.tolist(), u.item(), f.item()
        xv, yv, zv = params["x"], params["y"], params["z"]
        outer = {"add_mul": zv, "square": 2 * u_value, "sigmoid": f_value * (1 - f_value),
                 "fan_out": 1.0}[graph]
        local = {"x": yv, "y": xv, "z": 1.0}[config["wrt"]] if graph in ("square", "sigmoid") else 1.0
        values = {"u": u_value, "f": f_value, "outer": outer, "local": local, "grads": grads}
        if config["ask"] == "value":
            answer = f_value
            mistakes = {"precedence": xv + yv * zv} if graph == "add_mul" else (
                {"forgot_outer": u_value} if graph in ("square", "sigmoid") else {})
            return Solved(answer=answer, values=values, mistakes=mistakes)
        index = "xyz".index(config["wrt"])
        answer = grads[index]
        mistakes = {"forward_value": f_value}
        if graph in ("square", "sigmoid") or (graph == "add_mul" and index < 2):
            mistakes["forgot_chain_factor"] = local
        if graph == "square":
            mistakes["forgot_factor_2"] = u_value * local
        elif graph == "sigmoid":
            mistakes["used_sigmoid_not_derivative"] = f_value * local
        elif graph == "add_mul" and index == 2:  # read as x + y·z: ∂/∂z = y
            mistakes["precedence"] = yv
        elif graph == "fan_out" and index == 1:
            mistakes["one_path_only"] = xv
        return Solved(answer=answer, values=values, mistakes=mistakes)

    def explain(self, params, values, config):
        graph, wrt = config["graph"], config["wrt"]
        u, f = num(values["u"], 4), num(values["f"], 4)
        x, y, z = num(params["x"]), num(params["y"]), num(params["z"])
        inner = {"add_mul": "x + y", "fan_out": "x y"}.get(graph, "x y + z")
        last = {"add_mul": "u \\cdot z", "square": "u^2", "sigmoid": "\\sigma(u)",
                "fan_out": "u + y z"}[graph]
        steps = [Step(
            "Forward pass",
            f"With $x = {x}$, $y = {y}$, $z = {z}$: the inner node $u = {inner} = {u}$, then "
            f"$f = {last} = {f}$.")]
        if config["ask"] == "value":
            return steps
        grad = num(values["grads"]["xyz".index(wrt)], 4)
        if graph == "fan_out":
            body = ({"x": f"$x$ reaches $f$ only through $u = xy$: $\\partial f/\\partial x = y = {grad}$.",
                     "z": f"$z$ reaches $f$ only through $yz$: $\\partial f/\\partial z = y = {grad}$.",
                     "y": "$y$ feeds both products, so the multivariate chain rule adds both paths:\n\n"
                          f"$$\\frac{{\\partial f}}{{\\partial y}} = x + z = {x} + ({z}) = {grad}$$"}[wrt])
        elif graph == "add_mul" and wrt == "z":
            body = f"$f = u \\cdot z$, so $\\partial f/\\partial z = u = {grad}$."
        else:
            outer_text = {"add_mul": "z", "square": "2u", "sigmoid": "\\sigma(u)(1 - \\sigma(u))"}[graph]
            local_text = {"x": "y", "y": "x", "z": "1"}[wrt] if graph != "add_mul" else "1"
            body = ("Chain rule through $u$: $\\frac{\\partial f}{\\partial "
                    f"{wrt}}} = \\frac{{\\partial f}}{{\\partial u}} \\cdot "
                    f"\\frac{{\\partial u}}{{\\partial {wrt}}}"
                    f" = {outer_text} \\cdot {local_text}$:\n\n"
                    f"$$\\frac{{\\partial f}}{{\\partial {wrt}}} = {num(values['outer'], 4)} \\cdot "
                    f"{operand(values['local'], 4)} = {grad}$$")
        steps.append(Step("Backward pass", body))
        return steps

    def prompt(self, config):
        asked = ("the value of $f$" if config["ask"] == "value"
                 else f"the partial derivative $\\partial f / \\partial {config['wrt']}$")
        return (
            f"Consider the computation graph of $f(x, y, z) = {GRAPHS[config['graph']]}$ drawn below"
            + (", with $\\sigma(u) = 1/(1 + e^{-u})$" if config["graph"] == "sigmoid" else "")
            + ", evaluated at $x = {{ x }}$, $y = {{ y }}$, $z = {{ z }}$.\n\n"
            f"Compute {asked} at this point. Give the answer to at least 3 significant figures."
        )

    def diagram(self, params, config):
        """The graph of ``config["graph"]`` as inline SVG: the inputs with their values as the prompt shows
        them, the operation nodes and f, and never a computed value (``graph_template``)."""
        values = {name: svg.escape(num(params[name])) for name in INPUTS}
        return graph_template(config["graph"]).format(**values)


def _label(x: float, y: float, content: str, size: int = 13, anchor: str = "middle", halo: bool = False) -> str:
    """A label in the style of the network diagrams; a halo (white outline) keeps it readable over edges."""
    outline = {"stroke": "#fff", "stroke_width": 3, "paint_order": "stroke"} if halo else {}
    return svg.text(x, y, content, font_size=size, font_family="sans-serif", text_anchor=anchor, fill="#111",
                    **outline, digits=0)


def _arrow(start: tuple, end: tuple) -> list[str]:
    """An edge from one node's circle to the next one's, with its arrowhead at the second."""
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1)
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    tip_x, tip_y = x2 - RADIUS * dx, y2 - RADIUS * dy
    base_x, base_y = tip_x - 7 * dx, tip_y - 7 * dy
    return [svg.line(x1 + RADIUS * dx, y1 + RADIUS * dy, base_x, base_y, stroke="#555", stroke_width=1.5),
            svg.polygon([(base_x - 4 * dy, base_y + 4 * dx), (tip_x, tip_y), (base_x + 4 * dy, base_y - 4 * dx)],
                        fill="#555")]


@functools.lru_cache(maxsize=len(GRAPHS))
def graph_template(graph: str) -> str:
    """The SVG of ``graph`` with str.format slots {x}, {y}, {z} for the input values (already escaped).

    Inputs in the first column, each operation one column right of its last source, f in the last;
    a node sits at the mean height of its sources. Edges run left to right, and the one leaving the
    inner node u is labelled u, as in the worked solution.
    """
    ops = DRAWN[graph]
    spot = {name: (0, 30 + 50 * k) for k, name in enumerate(INPUTS)}  # (column, y)
    for k, op in enumerate(ops):
        column = 1 + max(spot[s][0] for s in op.sources)
        spot[k] = (column, sum(spot[s][1] for s in op.sources) / len(op.sources))
    spot["f"] = (spot[len(ops) - 1][0] + 1, spot[len(ops) - 1][1])
    gap = (WIDTH - 24 - 50) / spot["f"][0]
    at = {key: (50 + gap * column, y) for key, (column, y) in spot.items()}

    edges, labels, nodes = [], [], []
    for k, op in enumerate(ops):
        for source in op.sources:
            edges += _arrow(at[source], at[k])
            if source in INPUTS or not ops[source].name:
                continue
            (x1, y1), (x2, y2) = at[source], at[k]
            labels.append(_label((x1 + x2) / 2, (y1 + y2) / 2 - 6, ops[source].name, 12, halo=True))
        nodes.append(svg.circle(*at[k], RADIUS, fill="#fff", stroke="#333", stroke_width=1))
        nodes.append(_label(at[k][0], at[k][1] + 5, op.symbol, 14))
    edges += _arrow(at[len(ops) - 1], at["f"])
    for name in (*INPUTS, "f"):
        nodes.append(svg.circle(*at[name], RADIUS, fill="#eef", stroke="#333", stroke_width=1))
        nodes.append(_label(at[name][0], at[name][1] + 5, name, 14))
        if name != "f":
            nodes.append(_label(at[name][0] - RADIUS - 5, at[name][1] + 4, f"{{{name}}}", 12, "end", halo=True))
    return svg.drawing(WIDTH, HEIGHT, edges + labels + nodes, title=describe(graph), sized=True)


def describe(graph: str) -> str:
    """One line for screen readers: the graph node by node, with {x}, {y}, {z} slots for the values."""

    def source(item):
        return item if item in INPUTS else (ops[item].name or ops[item].expression)

    ops = DRAWN[graph]
    steps = [f"{OPERATIONS[op.symbol]} takes {' and '.join(map(source, op.sources))} and "
             f"gives {f'{op.name} = ' if op.name else ''}{op.expression}" for op in ops]
    return (f"Computation graph of f(x, y, z) = {WRITTEN[graph]}, left to right. Inputs x = {{x}}, y = {{y}}, "
            f"z = {{z}}; " + "; ".join(steps) + ".")


GENERATORS = [ComputationGraph()]
