"""Authoring workflows on whole questions: duplicating one (with its choices), and its versions."""

import hashlib
import json

from django.db import transaction
from django.db.models import Max

from quizzes.models import Choice, Question, Submission, new_uid


@transaction.atomic
def question_duplicate(*, question: Question) -> Question:
    """A copy of ``question`` with its choices, after the last question of its quiz: the same kind,
    settings and texts, titled "… (copy)", with a uid of its own. The copy has no variants or answers."""
    last = Question.objects.filter(quiz_id=question.quiz_id).aggregate(last=Max("position"))["last"] or 0
    title = f"{question.title or f'Question {question.position}'} (copy)"[:200]
    copy = Question.objects.create(
        quiz_id=question.quiz_id, position=last + 1, kind=question.kind, uid=new_uid(title), title=title,
        prompt=question.prompt, points=question.points, hint=question.hint, explanation=question.explanation,
        settings=question.settings,
    )
    Choice.objects.bulk_create([
        Choice(question=copy, position=c.position, text=c.text, is_correct=c.is_correct, feedback=c.feedback,
               fraction=c.fraction)
        for c in question.choices.all()
    ])
    return copy


def question_fingerprint(question: Question) -> str:
    """A hash of what students see and how they are graded: kind, prompt, points, settings and the
    choices (text, right or not, fraction when set: a choice without one hashes as before fractions
    existed). Hints, explanations, titles and positions are not in it. Migration 0006 calls it with
    historical models, whose choices have no fraction yet (read as None)."""
    choices = [[c.text, c.is_correct, *([fraction] if (fraction := getattr(c, "fraction", None)) is not None else [])]
               for c in question.choices.order_by("position", "id")]
    payload = [question.kind, question.prompt, question.points, question.settings, choices]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def question_version_update(*, question: Question) -> bool:
    """Give ``question`` a new version when what it grades or shows changed since answers came in;
    True when it did. Call after the question and its choices are saved (the admin, course imports).

    The first call on a question only records its fingerprint. Answers remember the version they
    answered (``Submission.question_version``), so statistics can be split by version and a regrade
    (``quizzes.regrading``) says which version it applied.
    """
    fingerprint = question_fingerprint(question)
    if fingerprint == question.fingerprint:
        return False
    changed = bool(question.fingerprint) and Submission.objects.filter(variant__question=question).exists()
    question.fingerprint = fingerprint
    if changed:
        question.version += 1
    Question.objects.filter(pk=question.pk).update(fingerprint=fingerprint, version=question.version)
    return changed


def question_save(*, question: Question, choices: list[Choice], surplus: list[Choice] = ()) -> bool:
    """Save ``question`` with its ``choices`` (given their question now), delete its ``surplus``
    choices, then update its version (``question_version_update``); True when that made a new one.
    The one way imports write a question; the caller holds the transaction."""
    question.save()
    for choice in choices:
        choice.question = question
        choice.save()
    if surplus:
        Choice.objects.filter(pk__in=[choice.pk for choice in surplus]).delete()
    return question_version_update(question=question)
