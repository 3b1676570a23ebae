"""Authoring workflows on whole questions: duplicating one (with its choices)."""

from django.db import transaction
from django.db.models import Max

from quizzes.models import Choice, Question, new_uid


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
        Choice(question=copy, position=c.position, text=c.text, is_correct=c.is_correct, feedback=c.feedback)
        for c in question.choices.all()
    ])
    return copy
