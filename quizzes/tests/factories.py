"""Factories for tests: questions with their kind's settings given as keyword arguments.

``make_question(quiz=q, kind="numeric", prompt="…", numeric_answer=0.25)`` splits the keywords
into model fields and the kind's settings (cleaned, defaults filled, not checked: a test may build
a question its author could not save, to see how the rest copes).
"""

from django.http import QueryDict

from quizzes.kinds import get_kind
from quizzes.kinds.base import SettingsError
from quizzes.models import Question

MODEL_FIELDS = {"quiz", "position", "kind", "uid", "title", "prompt", "points", "hint", "explanation", "is_archived"}


def question_fields(*, clean: bool = True, **fields) -> dict:
    """Model fields for ``Question(**...)``: the keywords that are not model fields gathered into
    ``settings``, cleaned by the kind unless ``clean`` is False (to test the cleaning itself); settings
    that do not clean are kept as given."""
    settings = {name: fields.pop(name) for name in list(fields) if name not in MODEL_FIELDS}
    if clean:
        try:
            settings = get_kind(fields.get("kind", "single")).clean_settings(settings)
        except SettingsError as error:  # e.g. a required setting left out on purpose
            settings = {**error.cleaned, **{k: v for k, v in settings.items() if k in error.errors}}
    return {**fields, "settings": settings}


def make_question(**fields) -> Question:
    """A saved question; see the module docstring."""
    return Question.objects.create(**question_fields(**fields))


def form_data(**fields) -> QueryDict:
    """Posted form data as a view receives it; a list value gives the field several values."""
    data = QueryDict(mutable=True)
    for key, value in fields.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = str(value)
    return data
