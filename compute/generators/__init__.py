"""The registry of generators: an explicit dict from slug to generator, no import-time magic.

Each module below lists its generators in ``GENERATORS`` (mlp_text.py holds none; the contract
they keep is ``compute.contract``; the declarative network's generator lives with its engine in
``compute.network.generator``); importing this package imports no torch (generators import it
inside ``solve``).
"""

from compute.contract import Generator
from compute.generators import (
    activations,
    autoencoders,
    basics,
    bptt,
    computation_graph,
    convolution,
    convolution_backward,
    convolution_shapes,
    fixed_steps,
    formula,
    gans,
    graphs,
    initialization,
    language,
    mlp,
    optimizers,
    regularization,
    sequences,
    softmax,
)
from compute.network import generator as network

_MODULES = (
    basics, computation_graph, network, mlp, activations, softmax, initialization, regularization, optimizers,
    convolution_shapes, convolution, convolution_backward, sequences, bptt, language, graphs, autoencoders, gans,
    formula, fixed_steps,
)
REGISTRY: dict[str, Generator] = {g.slug: g for module in _MODULES for g in module.GENERATORS}


class UnknownGenerator(KeyError):
    """No generator has this slug; the message lists the known ones."""

    def __str__(self) -> str:
        return self.args[0]


def get_generator(slug: str) -> Generator:
    """The generator registered under ``slug``; raises UnknownGenerator listing the known slugs."""
    try:
        return REGISTRY[slug]
    except KeyError:
        known = ", ".join(sorted(REGISTRY)) or "(none)"
        raise UnknownGenerator(f"Unknown generator “{slug}”. Known generators: {known}.") from None
