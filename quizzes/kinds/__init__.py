"""The registry of question kinds: an explicit dict from slug to kind, like the generators'.

Each module below owns one kind (see ``quizzes.kinds.base`` for the contract); adding a kind is
one module and one line here. ``Question.kind`` stores the slug.
"""

from quizzes.kinds import (
    computed,
    computed_array,
    multi_step,
    multiple_choice,
    numeric,
    short_text,
    single_choice,
    true_false,
)
from quizzes.kinds.base import Kind

REGISTRY: dict[str, Kind] = {
    module.KIND.slug: module.KIND
    for module in (single_choice, multiple_choice, true_false, numeric, short_text, computed, computed_array,
                   multi_step)
}


class UnknownKind(KeyError):
    """No kind has this slug; the message lists the known ones."""

    def __str__(self) -> str:
        return self.args[0]


def get_kind(slug: str) -> Kind:
    """The kind registered under ``slug``; raises UnknownKind listing the known slugs."""
    try:
        return REGISTRY[slug]
    except KeyError:
        raise UnknownKind(f"Unknown question kind “{slug}”. Known kinds: {', '.join(REGISTRY)}.") from None


def kind_choices() -> list[tuple[str, str]]:
    """(slug, label) pairs of the registered kinds, for ``Question.kind``'s choices."""
    return [(slug, kind.label) for slug, kind in REGISTRY.items()]
