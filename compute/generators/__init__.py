"""The registry of generators: an explicit dict from slug to generator, no import-time magic.

Each module below lists its generators in ``GENERATORS``; importing this package imports no
torch (generators import it inside ``solve``).
"""

from compute.generators import (
    activations,
    autoencoders,
    basics,
    convolution,
    gans,
    graphs,
    language,
    mlp,
    network,
    optimizers,
    regularization,
    sequences,
)
from compute.generators.base import Generator

_MODULES = (
    basics, network, mlp, activations, regularization, optimizers,
    convolution, sequences, language, graphs, autoencoders, gans,
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
