"""Lecture 10 (graph neural networks): normalized adjacency, one GCN layer, one message-passing step."""

import math

import numpy as np

from compute import latex, svg
from compute.config import Field, Schema, check_index
from compute.contract import Generator
from compute.latex import rounded
from compute.sampling import first_valid
from compute.variant import Solved, Step

ROUND = "Give the answer to at least 3 significant figures."
NODES = Field("nodes", "int", 4, "Number of nodes of the (connected, undirected) graph.", min=3, max=5)
NODE = Field("node", "int", 1, "The node (1-based) whose output is asked.", min=1, max=5)


def _random_graph(sampler, n: int, keep: int | None = None) -> np.ndarray:
    """Adjacency matrices (batch, n, n) of connected undirected graphs without self-loops.

    A random recursive tree (node k joins one of the nodes before it) makes the graph connected;
    each remaining pair is an edge with probability 1/3. With ``keep`` (0-based), that node gets
    at least two neighbours, so sum and mean aggregation differ there.
    """
    rows = np.arange(sampler.size)
    adjacency = np.zeros((sampler.size, n, n))
    parents = (sampler.uniform((n - 1,)) * np.arange(1, n)).astype(np.int64)
    for k in range(1, n):
        adjacency[rows, k, parents[:, k - 1]] = 1
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    extra = sampler.integers(0, 2, shape=(n, n)) == 0
    adjacency = np.maximum(adjacency, extra & upper)
    if keep is not None:
        adjacency[:, keep, [(keep + 1) % n, (keep + 2) % n]] = 1
    return np.maximum(adjacency, adjacency.transpose(0, 2, 1))


def _edges(adjacency) -> list[tuple[int, int]]:
    n = len(adjacency)
    return [(a, b) for a in range(n) for b in range(a + 1, n) if adjacency[a][b]]


def _graph_svg(adjacency, highlight: tuple[int, ...], note: str) -> str:
    """The graph drawn with its nodes on a circle (1-based labels); ``highlight`` nodes are filled."""
    n = len(adjacency)
    angles = [2 * math.pi * k / n for k in range(n)]
    pos = [(90 + 62 * math.sin(a), 90 - 62 * math.cos(a)) for a in angles]
    edges = _edges(adjacency)
    text = ", ".join(f"{a + 1}–{b + 1}" for a, b in edges)
    parts = [svg.line(*pos[a], *pos[b], stroke="#555555", stroke_width=2) for a, b in edges]
    for k, (x, y) in enumerate(pos):
        fill = "#fcd34d" if k in highlight else "#e5e7eb"
        parts.append(svg.circle(x, y, 15, fill=fill, stroke="#111111", stroke_width=1.5))
        parts.append(svg.text(x, y + 5, k + 1, text_anchor="middle", font_size=14, font_family="sans-serif",
                              fill="#111111"))
    label = f"Undirected graph with {n} nodes and edges {text}; {note}"
    return svg.drawing(180, 180, parts, title=label, sized=True)


class NormalizedAdjacency(Generator):
    slug = "normalized_adjacency"
    title = "GCN: an entry of the normalized adjacency matrix"
    description = (
        "One nonzero entry of the GCN propagation matrix D̂^{−1/2}(A + I)D̂^{−1/2} of a small connected "
        "graph (D̂ = degrees counting the self-loop)."
    )
    lectures = (10,)
    schema = Schema((NODES,))
    mistakes = {
        "without_self_loops": "That normalizes A without the self-loops; the GCN uses Â = A + I and its "
                              "degrees.",
        "mean_normalization": "That is the row (mean) normalization D̂⁻¹Â; the GCN uses the symmetric "
                              "D̂^{−1/2} Â D̂^{−1/2}, dividing by √(d̂_i d̂_j).",
        "degree_without_self_loop": "The degrees d̂ come from Â = A + I, so each counts the self-loop (+1).",
    }

    def sample_batch(self, sampler, config):
        n = config["nodes"]
        adjacency = _random_graph(sampler, n)
        mask = (adjacency + np.eye(n)).reshape(sampler.size, n * n) > 0
        # A uniformly chosen nonzero entry of A + I: the first cell whose running count passes the pick.
        cell = sampler.true_index(mask)
        return {"A": adjacency, "i": (cell // n + 1).astype(np.float64),
                "j": (cell % n + 1).astype(np.float64)}

    def solve(self, params, config, device="cpu"):
        import torch

        a = torch.tensor(params["A"], dtype=torch.float64, device=device)
        a_hat = a + torch.eye(a.shape[0], dtype=torch.float64, device=device)
        inv_sqrt = a_hat.sum(1).rsqrt()
        norm = inv_sqrt[:, None] * a_hat * inv_sqrt[None, :]
        i, j = int(params["i"]) - 1, int(params["j"]) - 1
        answer = norm[i, j].item()
        deg_hat = a_hat.sum(1).tolist()
        deg = [d - 1 for d in deg_hat]
        a_ij, hat_ij = params["A"][i][j], float(i == j) + params["A"][i][j]
        values = {"degrees": deg_hat, "normalized": norm.tolist()}
        mistakes = {"without_self_loops": a_ij / math.sqrt(deg[i] * deg[j]),
                    "mean_normalization": hat_ij / deg_hat[i],
                    "degree_without_self_loop": hat_ij / math.sqrt(deg[i] * deg[j])}
        return Solved(answer, values, mistakes)

    def explain(self, params, values, config):
        i, j = int(params["i"]), int(params["j"])
        deg = values["degrees"]
        hat_ij = float(i == j) + params["A"][i - 1][j - 1]
        return [
            Step("Add self-loops", (
                "The GCN propagates with $\\hat A = A + I$; the degrees $\\hat d$ are the row sums of $\\hat "
                "A$ "
                f"(each node's neighbours plus itself): $\\hat d = {latex.value(deg)}$.")),
            Step("Symmetric normalization", (
                "$(\\hat D^{-1/2} \\hat A \\hat D^{-1/2})_{ij} = \\hat A_{ij} / \\sqrt{\\hat d_i \\hat "
                "d_j}$, so\n\n"
                f"$$\\frac{{\\hat A_{{{i}{j}}}}}{{\\sqrt{{\\hat d_{i} \\hat d_{j}}}}} = "
                f"\\frac{{{latex.num(hat_ij)}}}{{\\sqrt{{{latex.num(deg[i - 1])} \\cdot "
                f"{latex.num(deg[j - 1])}}}}} = {rounded(values['normalized'][i - 1][j - 1])}$$\n\n"
                f"The whole matrix: $${rounded(values['normalized'])}$$")),
        ]

    def diagram(self, params, config):
        i, j = int(params["i"]) - 1, int(params["j"]) - 1
        note = f"node {i + 1} highlighted." if i == j else f"nodes {i + 1} and {j + 1} highlighted."
        return _graph_svg(params["A"], (i, j), note)

    def prompt(self, config):
        return (
            "An undirected graph (drawn alongside) has the adjacency matrix $$A = {{ A }}$$ (no self-loops). "
            "A graph convolutional network (Kipf & Welling) propagates with "
            "$\\tilde A = \\hat D^{-1/2} \\hat A \\hat D^{-1/2}$, where $\\hat A = A + I$ and $\\hat D$ is "
            "the diagonal degree matrix of $\\hat A$. Compute the entry $\\tilde A_{ {{ i }}{{ j }} }$ "
            "(row ${{ i }}$, column ${{ j }}$). " + ROUND
        )


class GcnLayer(Generator):
    slug = "gcn_layer"
    title = "GCN: one graph convolution layer"
    description = (
        "One GCN layer H′ = ReLU(D̂^{−1/2}(A + I)D̂^{−1/2} H W) on a small graph: the output feature vector "
        "of one node."
    )
    lectures = (10,)
    answer_kind = "vector"
    schema = Schema((
        NODES, NODE,
        Field("in_features", "int", 2, "Input features per node.", min=1, max=3),
        Field("out_features", "int", 2, "Output features per node.", min=1, max=3),
    ))
    mistakes = {
        "forgot_self_loops": "It looks like you left out the self-loops: the GCN uses Â = A + I (and its "
                             "degrees).",
        "mean_normalization": "That is the mean (row) normalization D̂⁻¹Â; the GCN uses the symmetric "
                              "D̂^{−1/2} Â D̂^{−1/2}.",
        "forgot_normalization": "It looks like you did not normalize Â = A + I by the degrees.",
        "forgot_relu": "The layer ends with a ReLU: negative entries become 0.",
    }

    def check_config(self, config):
        check_index(config, "node", "nodes")

    def sample_batch(self, sampler, config):
        n, f_in, f_out = config["nodes"], config["in_features"], config["out_features"]
        adjacency = _random_graph(sampler, n)
        features = sampler.nice(-2, 2, 1, shape=(8, n, f_in))
        weights = sampler.nice(-1, 1, 0.5, shape=(8, f_in, f_out), nonzero=True)
        # The asked node's pre-activation for 8 candidate (H, W): keep the first with an entry above 0,
        # so the answer is not the zero vector (else flip the first W's sign).
        a_hat = adjacency + np.eye(n)
        inv_sqrt = a_hat.sum(2) ** -0.5
        row = inv_sqrt[:, config["node"] - 1, None] * a_hat[:, config["node"] - 1] * inv_sqrt
        aggregated = np.einsum("bn,bcnf->bcf", row, features)
        pre = np.einsum("bcf,bcfo->bco", aggregated, weights)
        ok = (pre > 0.05).any(axis=2)
        chosen = first_valid({"H": features, "W": weights}, ok)
        sign = np.where(ok.any(axis=1), 1.0, -1.0)[:, None, None]
        return {"A": adjacency, "H": chosen["H"], "W": chosen["W"] * sign}

    def solve(self, params, config, device="cpu"):
        import torch

        a = torch.tensor(params["A"], dtype=torch.float64, device=device)
        h = torch.tensor(params["H"], dtype=torch.float64, device=device)
        w = torch.tensor(params["W"], dtype=torch.float64, device=device)
        a_hat = a + torch.eye(a.shape[0], dtype=torch.float64, device=device)
        deg_hat = a_hat.sum(1)
        inv_sqrt = deg_hat.rsqrt()
        deg = deg_hat - 1
        # The right propagation matrix and the three wrong ones, multiplied in one batch.
        props = torch.stack((
            inv_sqrt[:, None] * a_hat * inv_sqrt[None, :],
            a / (deg[:, None] * deg[None, :]).sqrt(),
            a_hat / deg_hat[:, None],
            a_hat,
        ))
        aggregated = props @ h
        pre = aggregated @ w
        out = torch.relu(pre)
        v = config["node"] - 1
        node_out = out[:, v].tolist()
        values = {"degrees": deg_hat.tolist(), "normalized": props[0].tolist(),
                  "aggregated": aggregated[0].tolist(),
                  "pre": pre[0, v].tolist(), "output": node_out[0]}
        mistakes = {"forgot_self_loops": node_out[1], "mean_normalization": node_out[2],
                    "forgot_normalization": node_out[3], "forgot_relu": values["pre"]}
        return Solved(node_out[0], values, mistakes)

    def explain(self, params, values, config):
        v = config["node"]
        row = values["normalized"][v - 1]
        terms = " + ".join(f"{rounded(c)} \\cdot {latex.value(hrow)}"
                           for c, hrow in zip(row, params["H"], strict=True) if c)
        return [
            Step("Self-loops and degrees", (
                "$\\hat A = A + I$; the degrees $\\hat d$ are its row sums (neighbours plus the node "
                "itself): "
                f"$\\hat d = {latex.value(values['degrees'])}$.")),
            Step("Normalized adjacency", (
                "$\\tilde A = \\hat D^{-1/2} \\hat A \\hat D^{-1/2}$, i.e. "
                "$\\tilde A_{ij} = \\hat A_{ij} / \\sqrt{\\hat d_i \\hat d_j}$:\n\n"
                f"$$\\tilde A = {rounded(values['normalized'])}$$")),
            Step(f"Aggregate around node {v}", (
                f"Row {v} of $\\tilde A H$ is a weighted sum of the feature rows of node {v} and its "
                f"neighbours:\n\n$$(\\tilde A H)_{{{v}}} = {terms} = {rounded(values['aggregated'][v - 1])}$$")),
            Step("Transform and ReLU", (
                f"$$(\\tilde A H W)_{{{v}}} = {rounded(values['aggregated'][v - 1])}^\\top W = "
                f"{rounded(values['pre'])}, \\qquad \\mathrm{{ReLU}} \\Rightarrow {rounded(values['output'])}$$")),
        ]

    def diagram(self, params, config):
        return _graph_svg(params["A"], (config["node"] - 1,), f"node {config['node']} highlighted.")

    def prompt(self, config):
        return (
            "An undirected graph (drawn alongside) has the adjacency matrix $$A = {{ A }}$$ (no self-loops); "
            "row $i$ of $$H = {{ H }}$$ holds the features of node $i$, and the layer's weight is "
            "$$W = {{ W }}.$$ One GCN layer (Kipf & Welling) computes "
            "$H' = \\mathrm{ReLU}\\left(\\hat D^{-1/2} \\hat A \\hat D^{-1/2} H W\\right)$ with $\\hat A = A "
            "+ I$ and $\\hat D$ the diagonal degree matrix of $\\hat A$. Compute the output of node "
            f"{config['node']} (row {config['node']} of $H'$). " + ROUND
        )


class MessagePassing(Generator):
    slug = "message_passing"
    title = "GNN: one message-passing step with sum or mean aggregation"
    description = (
        "One message-passing update h′_v = ReLU(W_self h_v + W_neigh · AGG_{u ∈ N(v)} h_u) with sum or mean "
        "aggregation over the neighbours: the new feature vector of one node."
    )
    lectures = (10,)
    answer_kind = "vector"
    schema = Schema((
        NODES, NODE,
        Field("aggregation", "choice", "sum", "Aggregate the neighbours' features by their sum or their "
                                              "mean.",
              choices=("sum", "mean")),
    ))
    mistakes = {
        "other_aggregation": "Check the aggregation: the question asks for the other one (sum versus mean "
                             "over the neighbours).",
        "included_self": "N(v) are the neighbours only; the node's own features enter through W_self, not "
                         "the aggregation.",
        "forgot_relu": "The update ends with a ReLU: negative entries become 0.",
        "swapped_weights": "W_self multiplies the node's own features and W_neigh the aggregated neighbours.",
    }

    def check_config(self, config):
        check_index(config, "node", "nodes")

    def sample_batch(self, sampler, config):
        n, v = config["nodes"], config["node"] - 1
        adjacency = _random_graph(sampler, n, keep=v)
        features = sampler.nice(-2, 2, 1, shape=(8, n, 2))
        weights = sampler.nice(-1, 1, 0.5, shape=(8, 2, 2, 2))  # 8 candidates of H and (W_self, W_neigh)
        neighbours = np.einsum("bn,bcnf->bcf", adjacency[:, v], features)
        if config["aggregation"] == "mean":
            neighbours = neighbours / adjacency[:, v].sum(1)[:, None, None]
        pre = (np.einsum("bcof,bcf->bco", weights[:, :, 0], features[:, :, v])
               + np.einsum("bcof,bcf->bco", weights[:, :, 1], neighbours))
        ok = (pre > 0.05).any(axis=2)
        chosen = first_valid({"H": features, "W": weights}, ok)
        # Without a candidate whose update has an entry above 0, flip the first one's weights.
        weights = chosen["W"] * np.where(ok.any(axis=1), 1.0, -1.0)[:, None, None, None]
        return {"A": adjacency, "H": chosen["H"], "W_self": weights[:, 0], "W_neigh": weights[:, 1]}

    def solve(self, params, config, device="cpu"):
        import torch

        v = config["node"] - 1
        a = torch.tensor(params["A"], dtype=torch.float64, device=device)
        h = torch.tensor(params["H"], dtype=torch.float64, device=device)
        w = torch.tensor([params["W_self"], params["W_neigh"]], dtype=torch.float64, device=device)
        mask = a[v]
        total = mask @ h
        count = mask.sum()
        # The asked aggregation, the other one, and the one that wrongly includes the node itself.
        aggs = torch.stack((total, total / count, total + h[v], (total + h[v]) / (count + 1)))
        if config["aggregation"] == "mean":
            aggs = aggs[[1, 0, 3]]
        own = w[0] @ h[v]
        pre = own + aggs[:3] @ w[1].T
        out = torch.relu(pre).tolist()
        swapped = torch.relu(w[1] @ h[v] + w[0] @ aggs[0]).tolist()
        values = {"aggregated": aggs[0].tolist(), "own": own.tolist(), "pre": pre[0].tolist(),
                  "output": out[0]}
        mistakes = {"other_aggregation": out[1], "included_self": out[2], "forgot_relu": values["pre"],
                    "swapped_weights": swapped}
        return Solved(out[0], values, mistakes)

    def explain(self, params, values, config):
        v = config["node"]
        nbrs = [u + 1 for u, edge in enumerate(params["A"][v - 1]) if edge]
        rows = " + ".join(latex.value(params["H"][u - 1]) for u in nbrs)
        agg = f"\\frac{{1}}{{{len(nbrs)}}}\\left({rows}\\right)" if config["aggregation"] == "mean" else rows
        return [
            Step("Neighbours", (
                f"Node {v}'s neighbours (row {v} of $A$) are nodes {', '.join(map(str, nbrs))}; the node "
                f"itself "
                "is not among them.")),
            Step(f"Aggregate ({config['aggregation']})", (
                f"$$m_{{{v}}} = {agg} = {rounded(values['aggregated'])}$$")),
            Step("Update", (
                f"$$W_{{self}} h_{{{v}}} + W_{{neigh}} m_{{{v}}} = {rounded(values['own'])} + W_{{neigh}} "
                f"{rounded(values['aggregated'])} = {rounded(values['pre'])}$$\n\n"
                f"After the ReLU: $$h'_{{{v}}} = {rounded(values['output'])}$$")),
        ]

    def diagram(self, params, config):
        return _graph_svg(params["A"], (config["node"] - 1,), f"node {config['node']} highlighted.")

    def prompt(self, config):
        v, agg = config["node"], config["aggregation"]
        rule = "\\sum_{u \\in N(v)} h_u" if agg == "sum" else "\\frac{1}{|N(v)|} \\sum_{u \\in N(v)} h_u"
        return (
            "An undirected graph (drawn alongside) has the adjacency matrix $$A = {{ A }}$$ and node "
            "features given as the rows of $$H = {{ H }}.$$ One message-passing layer updates every node $v$ "
            "by\n\n"
            f"$$h'_v = \\mathrm{{ReLU}}\\left(W_{{self}}\\, h_v + W_{{neigh}}\\, m_v\\right), \\qquad m_v = "
            f"{rule},$$\n\n"
            "where $N(v)$ are the neighbours of $v$ (without $v$ itself), "
            "$$W_{self} = {{ W_self }}, \\quad W_{neigh} = {{ W_neigh }}.$$ "
            f"Compute $h'_{v}$, the new features of node {v}. " + ROUND
        )


GENERATORS = [NormalizedAdjacency(), GcnLayer(), MessagePassing()]
