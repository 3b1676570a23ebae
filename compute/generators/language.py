"""Lecture 9 (language models and attention): bigrams, perplexity, scaled dot-product attention."""

import math

import numpy as np

from compute import latex
from compute.config import Field, Renamed, Schema, check_index, legacy_index
from compute.contract import COUNTING, HAND_TOLERANCE, Generator
from compute.generators.attention_steps import AttentionSteps
from compute.latex import rounded, shown, shown_array
from compute.sampling import first_valid, pick_valid
from compute.tolerance import told_apart, within
from compute.variant import Solved, Step

ROUND = "Give the answer to at least 3 significant figures."
KEY = Renamed("key", "index")  # the asked key counted from 1 before


def bigram(params: dict) -> tuple[int, int]:
    """(history, next word) of the asked bigram, counting from 0 (a variant stored before words counted
    from 0 has 1-based ``prev`` and ``next`` instead of ``i`` and ``j``)."""
    if "i" in params:
        return int(params["i"]), int(params["j"])
    return int(params["prev"]) - 1, int(params["next"]) - 1


class NgramProbability(Generator):
    slug = "ngram_probability"
    title = "Bigram language model: a conditional probability from counts"
    description = (
        "From a table of bigram counts over a 3-5 word vocabulary: the bigram probability P(w_j | w_i), "
        "by maximum likelihood or with add-one (Laplace) smoothing."
    )
    lectures = (9,)
    schema = Schema((
        Field("vocab", "int", 4, "Vocabulary size V (the count table is V × V).", min=3, max=5),
        Field("smoothing", "choice", "laplace", "none: maximum likelihood; laplace: add-one smoothing.",
              choices=("laplace", "none")),
    ))
    mistakes = {
        "swapped_condition": "That conditions the wrong way: $P(w_j \\mid w_i)$ divides the count of the pair "
                             "by the count of the history $w_i$ (its row), not of $w_j$ (its column).",
        "joint_probability": "That is the joint frequency of the pair among all bigrams; $P(w_j \\mid w_i)$ "
                             "divides by the count of the history $w_i$ only.",
        "unsmoothed": "That is the unsmoothed maximum-likelihood estimate; add-one smoothing adds 1 to every "
                      "count (and $V$ to the denominator).",
        "forgot_vocab_in_denominator": "With add-one smoothing every one of the $V$ possible next words gets "
                                       "$+1$, so the denominator grows by $V$, not by 1.",
    }
    rules = {
        "pair_seen": "the asked pair occurs at least once (its unsmoothed probability is not 0)",
        "condition_shows": "dividing by the wrong count (the column, all bigrams, or without smoothing) gives "
                           "another answer",
    }

    def validity(self, params, config):
        counts, i, j = params["counts"], params["i"].astype(np.int64), params["j"].astype(np.int64)
        v, add = counts.shape[-1], 1.0 if config["smoothing"] == "laplace" else 0.0
        pair = np.take_along_axis(np.take_along_axis(counts, i[..., None, None], -2), j[..., None, None], -1)
        pair = pair[..., 0, 0]
        row = np.take_along_axis(counts.sum(-1), i[..., None], -1)[..., 0]
        column = np.take_along_axis(counts.sum(-2), j[..., None], -1)[..., 0]
        answer, tol = (pair + add) / (row + add * v), self.tolerance(config)
        shows = told_apart((pair + add) / (column + add * v), answer, tol) & told_apart(
            (pair + add) / (counts.sum((-2, -1)) + add * v * v), answer, tol)
        if add:
            shows &= told_apart(pair / row, answer, tol)
        return {"pair_seen": pair >= 1, "condition_shows": shows}

    def sample_batch(self, sampler, config):
        v = config["vocab"]
        counts = sampler.integers(0, 4, shape=(v, v)).astype(np.float64)
        pair = sampler.integers(0, v - 1, shape=(2,))
        rows = np.arange(sampler.size)
        # The asked pair occurs at least once, so the unsmoothed probability is not 0.
        asked = (rows, pair[:, 0], pair[:, 1])
        counts[asked] = np.maximum(counts[asked], 1)
        pair = pair.astype(np.float64)
        return {"counts": counts, "i": pair[:, 0], "j": pair[:, 1]}

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        add = 1.0 if config["smoothing"] == "laplace" else 0.0
        return shown((values["pair"] + add) / (values["row_sum"] + add * len(params["counts"])))

    def solve(self, params, config, device="cpu"):
        import torch

        counts = torch.tensor(params["counts"], dtype=torch.float64, device=device)
        i, j = bigram(params)
        v = counts.shape[0]
        add = 1.0 if config["smoothing"] == "laplace" else 0.0
        probs = (counts + add) / (counts.sum(1, keepdim=True) + add * v)
        answer = probs[i, j].item()
        pair = params["counts"][i][j]
        row = sum(params["counts"][i])
        column = sum(r[j] for r in params["counts"])
        total = sum(map(sum, params["counts"]))
        values = {"pair": pair, "row_sum": row, "probability": answer}
        mistakes = {"swapped_condition": (pair + add) / (column + add * v),
                    "joint_probability": (pair + add) / (total + add * v * v)}
        if add:
            mistakes["unsmoothed"] = pair / row
            mistakes["forgot_vocab_in_denominator"] = (pair + 1) / (row + 1)
        return Solved(answer, values, mistakes)

    def explain(self, params, values, config):
        i, j = bigram(params)
        v = len(params["counts"])
        pair, row = latex.num(values["pair"]), latex.num(values["row_sum"])
        row_terms = " + ".join(latex.num(c) for c in params["counts"][i])
        steps = [Step("Counts", (
            f"The pair $w_{i}\\,w_{j}$ occurs $c(w_{i} w_{j}) = C_{{{i}{j}}} = {pair}$ times. The history "
            f"$w_{i}$ is followed by some word $c(w_{i}) = \\sum_b C_{{{i}b}} = {row_terms} = {row}$ times "
            f"(row {i}).")),
        ]
        if config["smoothing"] == "laplace":
            steps.append(Step("Add-one (Laplace) smoothing", (
                f"Every count gets $+1$, so the denominator grows by the vocabulary size $V = {v}$:\n\n"
                f"$$P(w_{j} \\mid w_{i}) = \\frac{{c(w_{i} w_{j}) + 1}}{{c(w_{i}) + V}} = "
                f"\\frac{{{pair} + 1}}{{{row} + {v}}} = {rounded(values['probability'])}$$")))
        else:
            steps.append(Step("Maximum likelihood", (
                f"$$P(w_{j} \\mid w_{i}) = \\frac{{c(w_{i} w_{j})}}{{c(w_{i})}} = \\frac{{{pair}}}{{{row}}} "
                f"= {rounded(values['probability'])}$$")))
        return steps

    def prompt(self, config):
        rule = ("with **add-one (Laplace) smoothing** over the whole vocabulary"
                if config["smoothing"] == "laplace" else "by **maximum likelihood** (no smoothing)")
        return (
            f"A bigram language model over the vocabulary $w_0, \\dots, w_{{{config['vocab'] - 1}}}$ is estimated "
            "from a corpus whose bigram counts are\n\n$$C = {{ counts }},$$\n\n"
            "where $C_{ab}$ (row $a$, column $b$) is the number of times word $w_b$ directly follows word $w_a$. "
            + COUNTING + " Take the count of a history $w_a$ to be its row sum $\\sum_b C_{ab}$. Estimate "
            "$P(w_{ {{ j }} } \\mid w_{ {{ i }} })$, the probability that the next word is "
            "$w_{ {{ j }} }$ given the previous word $w_{ {{ i }} }$, " + rule + ". " + ROUND
        )


PROBABILITIES = (0.1, 0.2, 0.25, 0.4, 0.5, 0.8)


class Perplexity(Generator):
    slug = "perplexity"
    title = "Perplexity of a language model on a short text"
    description = ("The perplexity exp(−(1/N) Σ ln p_i) of a model that gives the N tokens of a text the "
                   "probabilities p_i.")
    lectures = (9,)
    schema = Schema((Field("tokens", "int", 4, "Number of tokens N.", min=2, max=6),))
    mistakes = {
        "used_sum": "Perplexity uses the mean log-probability per token: it looks like you summed instead of "
                    "dividing by $N$.",
        "mixed_log_bases": "It looks like you mixed logarithm bases ($2$ raised to a natural-log average); use "
                           "$\\exp$ with $\\ln$, or 2 with $\\log_2$.",
        "inverted": "Check the sign of the exponent: perplexity is $\\exp(-\\text{mean} \\ln p)$, at least 1.",
        "arithmetic_mean": "Perplexity is the inverse geometric mean of the probabilities, not the inverse "
                           "arithmetic mean.",
    }
    rules = {"probabilities_differ": "the probabilities differ enough that the inverse arithmetic mean is another "
                                     "answer than the inverse geometric mean (the perplexity)"}

    def validity(self, params, config):
        p = params["p"]
        answer = np.exp(-np.log(p).mean(-1))
        return {"probabilities_differ": told_apart(p.shape[-1] / p.sum(-1), answer, self.tolerance(config))}

    def sample_batch(self, sampler, config):
        return {"p": sampler.choice(PROBABILITIES, shape=(config["tokens"],)).astype(np.float64)}

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        import math

        mean = shown(-sum(shown(v) for v in values["log_p"]) / len(params["p"]))
        return shown(math.exp(mean))

    def solve(self, params, config, device="cpu"):
        import torch

        p = torch.tensor(params["p"], dtype=torch.float64, device=device)
        logs = p.log()
        mean_nll = -logs.mean()
        answer = mean_nll.exp().item()
        m = mean_nll.item()
        n = len(params["p"])
        values = {"log_p": logs.tolist(), "mean_nll": m, "perplexity": answer}
        mistakes = {"used_sum": math.exp(m * n), "mixed_log_bases": 2.0 ** m, "inverted": 1 / answer,
                    "arithmetic_mean": n / sum(params["p"])}
        return Solved(answer, values, mistakes)

    def explain(self, params, values, config):
        n = len(params["p"])
        logs = " + ".join(f"({rounded(v)})" for v in values["log_p"])
        return [
            Step("Mean negative log-likelihood", (
                "With the natural logarithm, the average negative log-probability per token is\n\n"
                f"$$-\\frac{{1}}{{{n}}} \\sum_i \\ln p_i = -\\frac{{1}}{{{n}}}\\left[{logs}\\right] = "
                f"{rounded(values['mean_nll'])}$$")),
            Step("Perplexity", (
                "$$\\mathrm{PPL} = \\exp\\left(-\\frac1N \\sum_i \\ln p_i\\right) = "
                f"e^{{{rounded(values['mean_nll'])}}} = {rounded(values['perplexity'])}$$\n\n"
                "Equivalently, the inverse geometric mean of the probabilities $(\\prod_i p_i)^{-1/N}$.")),
        ]

    def prompt(self, config):
        return (
            f"A language model assigns the {config['tokens']} tokens of a short text the probabilities "
            "$p = {{ p }}$ (each given its prefix). Compute the perplexity "
            "$\\mathrm{PPL} = \\exp\\left(-\\frac1N \\sum_i \\ln p_i\\right)$ (the sum over the $N$ tokens) of "
            "the model on this "
            "text. "
            + ROUND
        )


def _softmax(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (numpy, for sampling checks)."""
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class Attention(AttentionSteps, Generator):
    slug = "attention"
    title = "Scaled dot-product attention for one query"
    description = (
        "The output softmax(q Kᵀ/√d_k) V of scaled dot-product attention for one query over 2-4 keys and "
        "values with small integer entries."
    )
    lectures = (9,)
    answer_kind = "vector"
    schema = Schema((
        Field("d_k", "int", 2, "Dimension of the query and the keys.", min=1, max=4),
        Field("keys", "int", 3, "Number of keys (and values).", min=2, max=4),
        Field("d_v", "int", 2, "Dimension of the values.", min=1, max=3),
    ))
    mistakes = {
        "forgot_scaling": "It looks like you forgot to divide the scores by $\\sqrt{d_k}$ before the softmax.",
        "divided_by_dk": "Scale the scores by $1/\\sqrt{d_k}$, not $1/d_k$.",
        "wrong_axis": "The softmax runs over the keys, so the weights of one query sum to 1; it looks like "
                      "you normalized over the other axis (every weight 1).",
        "forgot_softmax": "The raw scores must go through a softmax (over the keys) before weighting the "
                          "values.",
    }
    rules = {
        "weights_spread": "the attention weights are not all equal and lie between 0.03 and 0.95 (every weight "
                          "for the output, the asked one for a single weight): no key negligible, none taking "
                          "everything",
        "values_matter": "the output: every column of V varies over the keys and some entry is above 0.1 in size",
        "hand_computable": "going on from the 4-figure scores and weights of the worked solution gives every entry "
                           "within half the tolerance",
        "scaling_shows": "for d_k > 1, leaving out the scaling or dividing by d_k gives another answer",
    }

    def weights_rule(self, q, keys, config):
        """(weights, the rule on them) for keys (…, n, d_k) and queries (…, d_k)."""
        dk = q.shape[-1]
        weights = _softmax(np.einsum("...nd,...d->...n", keys, q) / math.sqrt(dk))
        if self.answer_kind == "vector":
            asked = weights
        else:
            k = legacy_index(config, "index", KEY)
            asked = weights[..., k:k + 1]
        ok = (np.ptp(weights, axis=-1) > 1e-9) & (asked.min(axis=-1) >= 0.03) & (weights.max(axis=-1) <= 0.95)
        return weights, ok

    def validity(self, params, config):
        q, keys = params["q"], params["K"]
        weights, spread = self.weights_rule(q, keys, config)
        scores = shown_array(np.einsum("...nd,...d->...n", keys, q) / math.sqrt(q.shape[-1]))
        hand_weights = shown_array(_softmax(scores))
        tol, dk = self.tolerance(config), q.shape[-1]
        raw = np.einsum("...nd,...d->...n", keys, q)
        unscaled, by_dk = _softmax(raw), _softmax(raw / dk)
        if self.answer_kind != "vector":
            k = legacy_index(config, "index", KEY)
            close = within(hand_weights[..., k], weights[..., k], tol["rtol"] / 2, tol["atol"] / 2)
            scaling = (dk == 1) | (told_apart(unscaled[..., k], weights[..., k], tol)
                                   & told_apart(by_dk[..., k], weights[..., k], tol))
            return {"weights_spread": spread, "values_matter": np.ones(spread.shape, dtype=bool),
                    "hand_computable": close, "scaling_shows": scaling}
        values = params["V"]
        out = np.einsum("...n,...nv->...v", weights, values)
        hand = shown_array(np.einsum("...n,...nv->...v", hand_weights, values))
        matter = (np.ptp(values, axis=-2) > 0).all(-1) & (np.abs(out) > 0.1).any(-1)
        scaling = (dk == 1) | (
            told_apart(np.einsum("...n,...nv->...v", unscaled, values), out, tol, axes=(-1,))
            & told_apart(np.einsum("...n,...nv->...v", by_dk, values), out, tol, axes=(-1,)))
        return {"weights_spread": spread, "values_matter": matter,
                "hand_computable": within(hand, out, tol["rtol"] / 2, tol["atol"] / 2).all(-1),
                "scaling_shows": scaling}

    def sample_batch(self, sampler, config):
        n, dk = config["keys"], config["d_k"]
        q = sampler.nice(-1, 1, 1, shape=(dk,), nonzero=True)
        candidates = sampler.nice(-2, 2, 1, shape=(8, n, dk))
        if self.answer_kind != "vector":
            return pick_valid({"q": q[:, None].repeat(8, 1), "K": candidates},
                              self.validity({"q": q[:, None].repeat(8, 1), "K": candidates}, config))
        keys = first_valid(candidates, self.weights_rule(q[:, None], candidates, config)[1])
        # 4 candidate value matrices: keep the first that keeps the rules (if none does, or no K did, the
        # seed is drawn again)
        values = sampler.nice(-2, 2, 1, shape=(4, n, config["d_v"]))
        cands = {"q": q[:, None].repeat(4, 1), "K": keys[:, None].repeat(4, 1), "V": values}
        return pick_valid(cands, self.validity(cands, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        weights = self.hand_weights(values)
        return [shown(sum(a * v[c] for a, v in zip(weights, params["V"], strict=True)))
                for c in range(len(params["V"][0]))]

    @staticmethod
    def hand_weights(values) -> list[float]:
        """The attention weights from the shown scores, as shown."""
        scores = [shown(s) for s in values["scores"]]
        top = max(scores)
        e = [math.exp(s - top) for s in scores]
        return [shown(v / sum(e)) for v in e]

    def _weights(self, params, device):
        """Raw scores Kq, scaled scores Kq/√d_k, and the softmax weights of the scalings 1/√d_k (right),
        none and 1/d_k (two mistakes) as the rows of one tensor."""
        import torch

        q = torch.tensor(params["q"], dtype=torch.float64, device=device)
        k = torch.tensor(params["K"], dtype=torch.float64, device=device)
        raw = k @ q
        dk = q.shape[0]
        scaled = torch.stack((raw / math.sqrt(dk), raw, raw / dk))
        weights = torch.softmax(scaled, dim=1)
        return raw, scaled[0], weights

    def solve(self, params, config, device="cpu"):
        import torch

        raw, scores, weights = self._weights(params, device)
        v = torch.tensor(params["V"], dtype=torch.float64, device=device)
        outs = weights @ v
        answer = outs[0].tolist()
        values = {"raw": raw.tolist(), "scores": scores.tolist(), "weights": weights[0].tolist(),
                  "output": answer}
        mistakes = {"forgot_scaling": outs[1].tolist(), "divided_by_dk": outs[2].tolist(),
                    "wrong_axis": v.sum(0).tolist(), "forgot_softmax": (scores @ v).tolist()}
        return Solved(answer, values, mistakes)

    def explain(self, params, values, config):
        dk = len(params["q"])
        raw = ", ".join(rounded(s) for s in values["raw"])
        scores = ", ".join(rounded(s) for s in values["scores"])
        weights = ", ".join(rounded(w) for w in values["weights"])
        steps = [
            Step("Scores", (
                "Dot product of the query with every key (the rows of $K$), scaled by $1/\\sqrt{d_k}$ with "
                f"$d_k = {dk}$:\n\n$$K q = ({raw}), \\qquad \\frac{{K q}}{{\\sqrt{{{dk}}}}} = ({scores})$$")),
            Step("Attention weights", (
                "Softmax over the keys (the weights of the query sum to 1):\n\n"
                f"$$\\alpha = \\mathrm{{softmax}}\\left(\\frac{{K q}}{{\\sqrt{{d_k}}}}\\right) = "
                f"({weights})$$")),
        ]
        if "output" in values:
            terms = " + ".join(f"{rounded(w)} \\cdot {latex.value(row)}" for w, row in
                               zip(values["weights"], params["V"], strict=True))
            steps.append(Step("Weighted sum of the values", (
                f"$$\\text{{output}} = \\sum_j \\alpha_j v_j = {terms} = {rounded(values['output'])}$$")))
        return steps

    def _setting(self) -> str:
        return ("One query $q = {{ q }}$ attends over keys given as the rows of $$K = {{ K }}$$")

    def prompt(self, config):
        return (
            self._setting() + " with values given as the rows of $$V = {{ V }}.$$ "
            "Compute the output of scaled dot-product attention, "
            "$\\mathrm{softmax}\\left(q K^\\top / \\sqrt{d_k}\\right) V$ (softmax over the keys, "
            "$d_k$ = the dimension of the keys), as a vector. " + ROUND
        )


class AttentionWeight(Attention):
    slug = "attention_weight"
    title = "Scaled dot-product attention: one attention weight"
    description = (
        "One attention weight softmax(q Kᵀ/√d_k)_j for one query over 2-4 keys with small integer entries."
    )
    answer_kind = "scalar"
    schema = Schema((
        Field("d_k", "int", 2, "Dimension of the query and the keys.", min=1, max=4),
        Field("keys", "int", 3, "Number of keys.", min=2, max=4),
        Field("index", "int", 0, "Which key's weight is asked (counting from 0).", min=0, max=3),
    ), renamed=(KEY,))
    mistakes = {
        "forgot_scaling": Attention.mistakes["forgot_scaling"],
        "divided_by_dk": Attention.mistakes["divided_by_dk"],
        "wrong_axis": Attention.mistakes["wrong_axis"],
        "unnormalized": "It looks like you took $\\exp(\\text{score})$ without dividing by the sum over all keys.",
    }

    def check_config(self, config):
        check_index(config, "index", "keys")

    def hand_answer(self, params, values, config):
        return self.hand_weights(values)[legacy_index(config, "index", KEY)]

    def solve(self, params, config, device="cpu"):
        raw, scores, weights = self._weights(params, device)
        j = legacy_index(config, "index", KEY)
        table = weights[:, j].tolist()
        values = {"raw": raw.tolist(), "scores": scores.tolist(), "weights": weights[0].tolist()}
        mistakes = {"forgot_scaling": table[1], "divided_by_dk": table[2], "wrong_axis": 1.0,
                    "unnormalized": math.exp(values["scores"][j])}
        return Solved(table[0], values, mistakes)

    def explain(self, params, values, config):
        steps = super().explain(params, values, config)
        j = legacy_index(config, "index", KEY)
        steps.append(Step(f"Weight of key {j}", f"$$\\alpha_{j} = {rounded(values['weights'][j])}$$"))
        return steps

    def prompt(self, config):
        j = legacy_index(config, "index", KEY)
        return (
            self._setting() + ". With scaled dot-product attention, $\\alpha = \\mathrm{softmax}\\left(q "
                              "K^\\top / "
            "\\sqrt{d_k}\\right)$ (softmax over the keys, $d_k$ = the dimension of the keys), compute the "
            f"attention weight $\\alpha_{j}$ of key {j} (row {j} of $K$). " + COUNTING + " " + ROUND
        )


GENERATORS = [NgramProbability(), Perplexity(), Attention(), AttentionWeight()]
