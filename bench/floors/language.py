"""Plain-torch floors for compute/generators/language.py (default configs): the same computation only."""

import math

import torch
import torch.nn.functional as F

F64 = torch.float64


def _ngram_inputs(params):
    return torch.tensor(params["counts"], dtype=F64), int(params["i"]), int(params["j"])


def _ngram(counts, i, j):
    return ((counts[i, j] + 1) / (counts[i].sum() + counts.shape[0])).item()


def _attention_inputs(params):
    q, k = torch.tensor(params["q"], dtype=F64), torch.tensor(params["K"], dtype=F64)
    return (q, k, torch.tensor(params["V"], dtype=F64)) if "V" in params else (q, k)


def _attention(q, k, v):
    return F.scaled_dot_product_attention(q[None], k, v)[0].tolist()


def _attention_weight(q, k):
    return torch.softmax(k @ q / math.sqrt(q.shape[0]), 0)[0].item()


FLOORS = {
    "ngram_probability": (_ngram_inputs, _ngram),
    "perplexity": (lambda params: (torch.tensor(params["p"], dtype=F64),),
                   lambda p: p.log().mean().neg().exp().item()),
    "attention": (_attention_inputs, _attention),
    "attention_weight": (_attention_inputs, _attention_weight),
}
