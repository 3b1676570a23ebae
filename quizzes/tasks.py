"""Celery tasks: a thin interface over the workflows (ids in, database out, nothing in a result backend).

``variants_solve``, ``submissions_grade``, ``quiz_precompute`` and ``question_regrade`` (which solves computed variants
again) run on the ``compute`` queue (GPU workers in production); ``variants_requeue`` runs every
minute from Celery beat.
"""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model

from quizzes import regrading, submissions, variants
from quizzes.models import Question


@shared_task(name=variants.SOLVE_TASK, soft_time_limit=settings.QUIZSERVER_SOLVE_SOFT_TIME_LIMIT,
             time_limit=settings.QUIZSERVER_SOLVE_TIME_LIMIT)  # a generator that hangs: variants_solve
def variants_solve(variant_ids: list[int]) -> int:
    """Solve pending variants, then grade the answers that waited for them; returns how many became ready."""
    ready = variants.variants_solve(variant_ids=variant_ids)
    if ready:
        submissions.submissions_grade_pending(variant_ids=ready)
    return len(ready)


@shared_task(name=submissions.GRADE_TASK)
def submissions_grade(variant_ids: list[int]) -> int:
    """Grade the pending answers of ready variants (multi-step answers, whose grading runs the
    generator's steps); returns how many."""
    return submissions.submissions_grade_pending(variant_ids=variant_ids)


@shared_task(name="quizzes.tasks.quiz_precompute")
def quiz_precompute(quiz_id: int) -> int:
    """Make and solve every enrolled student's variant 1 of every computed question of a quiz."""
    return variants.quiz_precompute(quiz_id=quiz_id)


@shared_task(name="quizzes.tasks.variants_requeue")
def variants_requeue() -> int:
    """Queue again the variants whose solving was lost or failed a while ago, and grade the answers
    whose grading was lost after their variant was solved; returns how many variants were queued."""
    queued = variants.variants_requeue()
    submissions.submissions_grade_lost()
    return queued


@shared_task(name="quizzes.tasks.question_regrade")
def question_regrade(question_id: int, user_id: int | None = None, reason: str = "") -> int:
    """Regrade every graded answer to a question (``quizzes.regrading``); returns how many changed."""
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    report = regrading.question_regrade(question=Question.objects.get(pk=question_id), dry_run=False, by=by,
                                        reason=reason)
    return len(report.changes)
