"""Checks of a question before it is saved, with messages for its author: the one set of rules the
admin, the course-file import and ``Question.clean`` all use.

``validate_question`` checks one ``Question`` (common fields, then its kind's settings, which it
leaves cleaned in ``question.settings``); ``validate_choices`` checks the choices that will be saved
with it. Both raise Django's ``ValidationError``; neither touches the database (the names of the course's
images come from the caller, asked only when a text shows an image).
"""

import math
from collections.abc import Callable, Collection, Mapping, Sequence

from django.core.exceptions import ValidationError

from quizzes.kinds import UnknownKind, get_kind
from quizzes.kinds.base import ChoiceDraft, SettingsError
from quizzes.mathml import formula_problem
from quizzes.rendering import formulas_in, image_references

TEXT_FIELDS = ("prompt", "hint", "explanation")  # author Markdown, whose formulas are checked on save


def question_errors(question, *, image_names: Callable[[], Collection[str]] | None = None) -> dict[str, list[str]]:
    """Field or setting name -> messages for everything that stops ``question`` from grading ({} when
    fine). Cleans ``question.settings`` into its stored form as far as it cleans. ``image_names`` gives
    the names of the course's images (called once, only when a text shows one); without it, image
    names are not checked, alt texts still are."""
    errors: dict[str, list[str]] = {}
    if question.points is None or not (math.isfinite(question.points) and question.points > 0):
        errors["points"] = ["Points must be a number greater than 0."]
    try:
        kind = get_kind(question.kind)
    except UnknownKind as error:
        return {**errors, "kind": [str(error)]}
    if not question.prompt.strip() and kind.needs_prompt:
        errors["prompt"] = ["Write the question's prompt (only computed questions may leave it empty)."]
    for name in TEXT_FIELDS:
        messages = formula_errors(getattr(question, name) or "")
        messages += image_errors(getattr(question, name) or "", image_names=image_names)
        if messages:
            errors.setdefault(name, []).extend(messages)
    try:
        question.settings = kind.clean_settings(question.settings)
    except SettingsError as error:
        question.settings = error.cleaned
        errors.update(error.errors)
    for name, messages in kind.check(question).items():
        if name not in errors:  # a setting that did not clean is reported once, for its type
            errors[name] = messages
    return errors


def formula_errors(text: str, where: str = "") -> list[str]:
    """A message for each formula in Markdown ``text`` that does not render as written, naming the
    formula and its problem; ``where`` starts each message (e.g. "Choice 2: ")."""
    messages = []
    for latex in formulas_in(text):
        problem = formula_problem(latex)
        if problem:
            messages.append(f"{where}Formula “{latex}”: {problem}.")
    return messages


def image_errors(text: str, where: str = "", *, image_names: Callable[[], Collection[str]] | None = None) -> list[str]:
    """A message for each ``image:NAME`` image in Markdown ``text`` without alt text (students who cannot
    see it read that instead) or, when ``image_names`` is given, naming no image of the course."""
    references = image_references(text) if "image:" in text else []
    messages = [f"{where}Image “{name}” needs a text saying what it shows: ![the text](image:{name})."
                for name, alt in references if not alt.strip()]
    if references and image_names is not None:
        known = image_names()
        messages += [f"{where}Image “{name}”: the course has no image of that name (upload it first)."
                     for name in dict.fromkeys(name for name, _ in references) if name not in known]
    return messages


def validate_question(question) -> None:
    """Raise ValidationError({name: [messages]}) if ``question`` cannot grade (see ``question_errors``)."""
    errors = question_errors(question)
    if errors:
        raise ValidationError(errors)


def validate_choices(kind: str, choices: Sequence[tuple], settings: Mapping | None = None) -> None:
    """Raise ValidationError([messages]) if ``choices`` do not suit a question of ``kind`` with ``settings``.

    ``choices`` are the (text, is_correct) or (text, is_correct, fraction) tuples of the choices that
    will remain after saving (deleted inline rows left out); ``settings`` are the question's, cleaned
    (they say, e.g., whether the choices are graded by their fractions; None: the kind's defaults).
    Every message comes at once. An unknown kind raises ``quizzes.kinds.UnknownKind``.
    """
    drafts = [ChoiceDraft(*choice) for choice in choices]
    messages = get_kind(kind).check_choices(drafts, settings)
    for number, draft in enumerate(drafts, start=1):
        messages += formula_errors(draft.text, f"Choice {number}: ")
        messages += image_errors(draft.text, f"Choice {number}: ")
    if messages:
        raise ValidationError(messages)
