"""Lecture 2 (Computation Graphs): the value or a partial derivative of a small three-input graph.

Sampling draws every number of a variant in one ``Sampler.draw`` call (a few candidate sets at
once, the first valid one kept), as in basics.py.
"""

import numpy as np

from compute.config import Field, Schema
from compute.contract import Generator
from compute.latex import num, operand
from compute.sampling import columns, first_valid, grid
from compute.variant import Solved, Step

CANDIDATES = 4

GRAPHS = {
    "add_mul": "(x + y)\\cdot z",
    "square": "(x y + z)^2",
    "sigmoid": "\\sigma(x y + z)",
    "fan_out": "x y + y z",
}
GRAPH_COLUMNS = columns(*[grid(-2, 2, 0.5, nonzero=True)] * 3)


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
        "forward_value": "That is the value of f; the question asks for its derivative.",
        "forgot_chain_factor": "It looks like you forgot the chain-rule factor ∂f/∂u of the outer node.",
        "forgot_factor_2": "It looks like you forgot the 2 in d(u²)/du = 2u.",
        "used_sigmoid_not_derivative": "It looks like you multiplied by σ(u) instead of "
                                       "σ′(u) = σ(u)(1 − σ(u)).",
        "one_path_only": "y feeds two nodes: add the gradients along both paths.",
        "precedence": "Mind the brackets: f = (x + y)·z, not x + y·z.",
        "forgot_outer": "It looks like you stopped at the inner node u and did not apply the last operation.",
    }

    def sample_batch(self, sampler, config):
        v = sampler.draw(GRAPH_COLUMNS, CANDIDATES)
        x, y, z = v[..., 0], v[..., 1], v[..., 2]
        graph = config["graph"]
        inner = x + y if graph == "add_mul" else (x + z if graph == "fan_out" else x * y + z)
        high = 3 if graph == "sigmoid" else 4  # σ not saturated
        v = first_valid(v, (np.abs(inner) >= 0.5) & (np.abs(inner) <= high))
        return {"x": v[:, 0], "y": v[:, 1], "z": v[:, 2]}

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
        elif index == 1:
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
            f"Consider the computation graph of $f(x, y, z) = {GRAPHS[config['graph']]}$"
            + (" with $\\sigma(u) = 1/(1 + e^{-u})$" if config["graph"] == "sigmoid" else "")
            + ", evaluated at $x = {{ x }}$, $y = {{ y }}$, $z = {{ z }}$.\n\n"
            f"Compute {asked} at this point. Give the answer to at least 3 significant figures."
        )


GENERATORS = [ComputationGraph()]
