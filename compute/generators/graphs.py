"""Lecture 10 (graph neural networks): normalized adjacency, one GCN layer, one message-passing step."""

import math

import numpy as np

from compute import latex, svg
from compute.config import Field, Renamed, Schema, check_index, legacy_index
from compute.contract import COUNTING, HAND_TOLERANCE, Generator
from compute.generators.gcn_steps import GcnSteps
from compute.latex import rounded, shown, shown_array
from compute.sampling import pick_valid
from compute.tolerance import told_apart, within
from compute.variant import Solved, Step

ROUND = "Give the answer to at least 3 significant figures."
NODES = Field("nodes", "int", 4, "Number of nodes of the (connected, undirected) graph.", min=3, max=5)
NODE = Field("index", "int", 0, "The node whose output is asked (nodes count from 0).", min=0, max=4)
NODE_RENAMED = Renamed("node", "index")  # the node counted from 1 before


NUMBERING = COUNTING + " Nodes are numbered the same way, as in the drawing and in the rows of the matrices. "


def asked_node(config: dict) -> int:
    """The asked node, counting from 0 (also for a config cleaned when nodes counted from 1)."""
    return legacy_index(config, "index", NODE_RENAMED)


def adjacency_entry(params: dict) -> tuple[int, int]:
    """The asked entry (u, v) of the normalized adjacency, counting from 0 (a variant stored before nodes
    counted from 0 has 1-based ``i`` and ``j`` instead of ``u`` and ``v``)."""
    if "u" in params:
        return int(params["u"]), int(params["v"])
    return int(params["i"]) - 1, int(params["j"]) - 1


def normalized(adjacency: np.ndarray) -> np.ndarray:
    """D̂^{-1/2} (A + I) D̂^{-1/2} over leading axes (numpy, for the validity rules)."""
    a_hat = adjacency + np.eye(adjacency.shape[-1])
    inv_sqrt = a_hat.sum(-1) ** -0.5
    return inv_sqrt[..., :, None] * a_hat * inv_sqrt[..., None, :]


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
    """The graph drawn with its nodes on a circle (labels from 0); ``highlight`` nodes are filled."""
    n = len(adjacency)
    angles = [2 * math.pi * k / n for k in range(n)]
    pos = [(90 + 62 * math.sin(a), 90 - 62 * math.cos(a)) for a in angles]
    edges = _edges(adjacency)
    text = ", ".join(f"{a}–{b}" for a, b in edges)
    parts = [svg.line(*pos[a], *pos[b], stroke="#555555", stroke_width=2) for a, b in edges]
    for k, (x, y) in enumerate(pos):
        fill = "#fcd34d" if k in highlight else "#e5e7eb"
        parts.append(svg.circle(x, y, 15, fill=fill, stroke="#111111", stroke_width=1.5))
        parts.append(svg.text(x, y + 5, k, text_anchor="middle", font_size=14, font_family="sans-serif",
                              fill="#111111"))
    label = f"Undirected graph with {n} nodes (numbered from 0) and edges {text}; {note}"
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
        "without_self_loops": "That normalizes $A$ without the self-loops; the GCN uses $\\hat A = A + I$ and "
                              "its degrees.",
        "mean_normalization": "That is the row (mean) normalization $\\hat D^{-1} \\hat A$; the GCN uses the "
                              "symmetric $\\hat D^{-1/2} \\hat A \\hat D^{-1/2}$, dividing by "
                              "$\\sqrt{\\hat d_u \\hat d_v}$.",
        "degree_without_self_loop": "The degrees $\\hat d$ come from $\\hat A = A + I$, so each counts the "
                                    "self-loop ($+1$).",
    }
    rules = {
        "entry_nonzero": "the asked entry of Â = A + I is 1 (an edge or the diagonal), so the answer is not 0",
        "symmetric_shows": "the two nodes have different degrees d̂ᵤ ≠ d̂ᵥ, so the mean normalization D̂⁻¹Â gives "
                           "another answer than the symmetric one (this leaves out the diagonal)",
    }

    def validity(self, params, config):
        a_hat = params["A"] + np.eye(params["A"].shape[-1])
        u, v = params["u"].astype(np.int64), params["v"].astype(np.int64)
        entry = np.take_along_axis(np.take_along_axis(a_hat, u[..., None, None], -2), v[..., None, None], -1)
        deg = a_hat.sum(-1)
        d_u, d_v = (np.take_along_axis(deg, k[..., None], -1)[..., 0] for k in (u, v))
        return {"entry_nonzero": entry[..., 0, 0] > 0, "symmetric_shows": d_u != d_v}

    def sample_batch(self, sampler, config):
        n = config["nodes"]
        adjacency = _random_graph(sampler, n)
        a_hat = adjacency + np.eye(n)
        deg = a_hat.sum(-1)
        mask = ((a_hat > 0) & (deg[:, :, None] != deg[:, None, :])).reshape(sampler.size, n * n)
        # A uniformly chosen edge between nodes of different degrees (a graph without one is drawn again).
        cell = sampler.true_index(mask)
        return {"A": adjacency, "u": (cell // n).astype(np.float64), "v": (cell % n).astype(np.float64)}

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        u, v = adjacency_entry(params)
        deg = values["degrees"]  # whole numbers
        return shown((float(u == v) + params["A"][u][v]) / math.sqrt(deg[u] * deg[v]))

    def solve(self, params, config, device="cpu"):
        import torch

        a = torch.tensor(params["A"], dtype=torch.float64, device=device)
        a_hat = a + torch.eye(a.shape[0], dtype=torch.float64, device=device)
        inv_sqrt = a_hat.sum(1).rsqrt()
        norm = inv_sqrt[:, None] * a_hat * inv_sqrt[None, :]
        i, j = adjacency_entry(params)
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
        i, j = adjacency_entry(params)
        deg = values["degrees"]
        hat_ij = float(i == j) + params["A"][i][j]
        return [
            Step("Add self-loops", (
                "The GCN propagates with $\\hat A = A + I$; the degrees $\\hat d$ are the row sums of $\\hat "
                "A$ "
                f"(each node's neighbours plus itself): $\\hat d = {latex.value(deg)}$.")),
            Step("Symmetric normalization", (
                "$(\\hat D^{-1/2} \\hat A \\hat D^{-1/2})_{u,v} = \\hat A_{u,v} / \\sqrt{\\hat d_u \\hat "
                "d_v}$, so\n\n"
                f"$$\\frac{{\\hat A_{{{i},{j}}}}}{{\\sqrt{{\\hat d_{i} \\hat d_{j}}}}} = "
                f"\\frac{{{latex.num(hat_ij)}}}{{\\sqrt{{{latex.num(deg[i])} \\cdot "
                f"{latex.num(deg[j])}}}}} = {rounded(values['normalized'][i][j])}$$\n\n"
                f"The whole matrix: $${rounded(values['normalized'])}$$")),
        ]

    def diagram(self, params, config):
        i, j = adjacency_entry(params)
        note = f"node {i} highlighted." if i == j else f"nodes {i} and {j} highlighted."
        return _graph_svg(params["A"], (i, j), note)

    def prompt(self, config):
        return (
            "An undirected graph (drawn alongside) has the adjacency matrix $$A = {{ A }}$$ (no self-loops). "
            "A graph convolutional network (Kipf & Welling) propagates with "
            "$\\tilde A = \\hat D^{-1/2} \\hat A \\hat D^{-1/2}$, where $\\hat A = A + I$ and $\\hat D$ is "
            "the diagonal degree matrix of $\\hat A$. Compute the entry $\\tilde A_{ {{ u }},{{ v }} }$ "
            "(row ${{ u }}$, column ${{ v }}$). " + NUMBERING + ROUND
        )


class GcnLayer(GcnSteps, Generator):
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
    ), renamed=(NODE_RENAMED,))
    mistakes = {
        "forgot_self_loops": "It looks like you left out the self-loops: the GCN uses $\\hat A = A + I$ (and "
                             "its degrees).",
        "mean_normalization": "That is the mean (row) normalization $\\hat D^{-1} \\hat A$; the GCN uses the "
                              "symmetric $\\hat D^{-1/2} \\hat A \\hat D^{-1/2}$.",
        "forgot_normalization": "It looks like you did not normalize $\\hat A = A + I$ by the degrees.",
        "forgot_relu": "The layer ends with a ReLU: negative entries become 0.",
    }
    rules = {
        "output_clear": "some entry of the node's output is above 0.05 (the answer is not the zero vector) and "
                        "no pre-activation is within 0.01 of the ReLU's kink",
        "normalization_shows": "leaving out the self-loops or using the mean normalization gives another answer",
        "hand_computable": "going on from the 4-figure normalized adjacency and aggregation of the worked "
                           "solution gives every entry within half the tolerance",
    }

    def node_of(self, config: dict) -> int:
        """The asked node (for the steps of ``GcnSteps``)."""
        return asked_node(config)

    def check_config(self, config):
        check_index(config, "index", "nodes")

    def validity(self, params, config):
        adjacency, h, w, v = params["A"], params["H"], params["W"], asked_node(config)
        tol = self.tolerance(config)

        def output(propagation, rnd=lambda x: x):
            aggregated = rnd(np.einsum("...n,...nf->...f", rnd(propagation[..., v, :]), h))
            pre = rnd(np.einsum("...f,...fo->...o", aggregated, w))
            return pre, np.maximum(pre, 0.0)

        pre, out = output(normalized(adjacency))
        hand = output(normalized(adjacency), shown_array)[1]
        a_hat = adjacency + np.eye(adjacency.shape[-1])
        deg = adjacency.sum(-1)
        with np.errstate(divide="ignore"):
            loops = adjacency / np.sqrt(deg[..., :, None] * deg[..., None, :])
        shows = (told_apart(output(loops)[1], out, tol, axes=(-1,))
                 & told_apart(output(a_hat / a_hat.sum(-1)[..., None])[1], out, tol, axes=(-1,)))
        return {"output_clear": (pre > 0.05).any(-1) & (np.abs(pre) >= 0.01).all(-1),
                "normalization_shows": shows,
                "hand_computable": within(hand, out, tol["rtol"] / 2, tol["atol"] / 2).all(-1)}

    def sample_batch(self, sampler, config):
        n, f_in, f_out = config["nodes"], config["in_features"], config["out_features"]
        adjacency = _random_graph(sampler, n)
        features = sampler.nice(-2, 2, 1, shape=(8, n, f_in))
        weights = sampler.nice(-1, 1, 0.5, shape=(8, f_in, f_out), nonzero=True)
        cands = {"A": adjacency[:, None].repeat(8, 1), "H": features, "W": weights}
        return pick_valid(cands, self.validity(cands, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        v = asked_node(config)
        row = [shown(c) for c in values["normalized"][v]]
        aggregated = [shown(sum(c * hrow[f] for c, hrow in zip(row, params["H"], strict=True)))
                      for f in range(len(params["H"][0]))]
        pre = [shown(sum(a * wrow[o] for a, wrow in zip(aggregated, params["W"], strict=True)))
               for o in range(len(params["W"][0]))]
        return [max(p, 0.0) for p in pre]

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
        v = asked_node(config)
        node_out = out[:, v].tolist()
        values = {"degrees": deg_hat.tolist(), "normalized": props[0].tolist(),
                  "aggregated": aggregated[0].tolist(),
                  "pre": pre[0, v].tolist(), "output": node_out[0]}
        mistakes = {"forgot_self_loops": node_out[1], "mean_normalization": node_out[2],
                    "forgot_normalization": node_out[3], "forgot_relu": values["pre"]}
        return Solved(node_out[0], values, mistakes)

    def explain(self, params, values, config):
        v = asked_node(config)
        row = values["normalized"][v]
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
                f"neighbours:\n\n$$(\\tilde A H)_{{{v}}} = {terms} = {rounded(values['aggregated'][v])}$$")),
            Step("Transform and ReLU", (
                f"$$(\\tilde A H W)_{{{v}}} = {rounded(values['aggregated'][v])}^\\top W = "
                f"{rounded(values['pre'])}, \\qquad \\mathrm{{ReLU}} \\Rightarrow {rounded(values['output'])}$$")),
        ]

    def diagram(self, params, config):
        return _graph_svg(params["A"], (asked_node(config),), f"node {asked_node(config)} highlighted.")

    def prompt(self, config):
        return (
            "An undirected graph (drawn alongside) has the adjacency matrix $$A = {{ A }}$$ (no self-loops); "
            "row $i$ of $$H = {{ H }}$$ holds the features of node $i$, and the layer's weight is "
            "$$W = {{ W }}.$$ One GCN layer (Kipf & Welling) computes "
            "$H' = \\mathrm{ReLU}\\left(\\hat D^{-1/2} \\hat A \\hat D^{-1/2} H W\\right)$ with $\\hat A = A "
            "+ I$ and $\\hat D$ the diagonal degree matrix of $\\hat A$. Compute the output of node "
            f"{asked_node(config)} (row {asked_node(config)} of $H'$). " + NUMBERING + ROUND
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
    ), renamed=(NODE_RENAMED,))
    mistakes = {
        "other_aggregation": "Check the aggregation: the question asks for the other one (sum versus mean "
                             "over the neighbours).",
        "included_self": "$N(v)$ are the neighbours only; the node's own features enter through "
                         "$W_{self}$, not the aggregation.",
        "forgot_relu": "The update ends with a ReLU: negative entries become 0.",
        "swapped_weights": "$W_{self}$ multiplies the node's own features and $W_{neigh}$ the aggregated "
                           "neighbours.",
    }
    rules = {
        "output_clear": "some entry of the update is above 0.05 (the answer is not the zero vector) and no "
                        "pre-activation is within 0.01 of the ReLU's kink",
        "aggregation_shows": "the other aggregation and the aggregation that includes the node itself give "
                             "other answers",
        "hand_computable": "going on from the 4-figure aggregation of the worked solution gives every entry within "
                           "half the tolerance",
    }

    def check_config(self, config):
        check_index(config, "index", "nodes")

    def validity(self, params, config):
        adjacency, h, v = params["A"], params["H"], asked_node(config)
        w_self, w_neigh, tol = params["W_self"], params["W_neigh"], self.tolerance(config)
        mask = adjacency[..., v, :]
        total = np.einsum("...n,...nf->...f", mask, h)
        count = mask.sum(-1)[..., None]
        own = h[..., v, :]
        mean = config["aggregation"] == "mean"

        def update(aggregated, rnd=lambda x: x):
            pre = rnd(np.einsum("...of,...f->...o", w_self, own) + np.einsum("...of,...f->...o", w_neigh,
                                                                             rnd(aggregated)))
            return pre, np.maximum(pre, 0.0)

        right, other = (total / count, total) if mean else (total, total / count)
        with_self = (total + own) / (count + 1) if mean else total + own
        pre, out = update(right)
        hand = update(right, shown_array)[1]
        return {"output_clear": (pre > 0.05).any(-1) & (np.abs(pre) >= 0.01).all(-1),
                "aggregation_shows": told_apart(update(other)[1], out, tol, axes=(-1,))
                & told_apart(update(with_self)[1], out, tol, axes=(-1,)),
                "hand_computable": within(hand, out, tol["rtol"] / 2, tol["atol"] / 2).all(-1)}

    def sample_batch(self, sampler, config):
        n, v = config["nodes"], asked_node(config)
        adjacency = _random_graph(sampler, n, keep=v)
        features = sampler.nice(-2, 2, 1, shape=(8, n, 2))
        weights = sampler.nice(-1, 1, 0.5, shape=(8, 2, 2, 2))  # 8 candidates of H and (W_self, W_neigh)
        cands = {"A": adjacency[:, None].repeat(8, 1), "H": features, "W_self": weights[:, :, 0],
                 "W_neigh": weights[:, :, 1]}
        return pick_valid(cands, self.validity(cands, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        aggregated = [shown(a) for a in values["aggregated"]]
        own = params["H"][asked_node(config)]
        return [max(shown(sum(ws * o for ws, o in zip(rs, own, strict=True))
                          + sum(wn * a for wn, a in zip(rn, aggregated, strict=True))), 0.0)
                for rs, rn in zip(params["W_self"], params["W_neigh"], strict=True)]

    def solve(self, params, config, device="cpu"):
        import torch

        v = asked_node(config)
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
        v = asked_node(config)
        nbrs = [u for u, edge in enumerate(params["A"][v]) if edge]
        rows = " + ".join(latex.value(params["H"][u]) for u in nbrs)
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
        return _graph_svg(params["A"], (asked_node(config),), f"node {asked_node(config)} highlighted.")

    def prompt(self, config):
        v, agg = asked_node(config), config["aggregation"]
        rule = "\\sum_{u \\in N(v)} h_u" if agg == "sum" else "\\frac{1}{|N(v)|} \\sum_{u \\in N(v)} h_u"
        return (
            "An undirected graph (drawn alongside) has the adjacency matrix $$A = {{ A }}$$ and node "
            "features given as the rows of $$H = {{ H }}.$$ One message-passing layer updates every node $v$ "
            "by\n\n"
            f"$$h'_v = \\mathrm{{ReLU}}\\left(W_{{self}}\\, h_v + W_{{neigh}}\\, m_v\\right), \\qquad m_v = "
            f"{rule},$$\n\n"
            "where $N(v)$ are the neighbours of $v$ (without $v$ itself), "
            "$$W_{self} = {{ W_self }}, \\quad W_{neigh} = {{ W_neigh }}.$$ "
            f"Compute $h'_{v}$, the new features of node {v}. " + NUMBERING + ROUND
        )


GENERATORS = [NormalizedAdjacency(), GcnLayer(), MessagePassing()]
