"""Celery tasks: a thin interface over the workflows (ids in, database out, nothing in a result backend).

``variants_solve`` and ``quiz_precompute`` run on the ``compute`` queue (GPU workers in
production); ``variants_requeue`` runs every minute from Celery beat.
"""

from celery import shared_task
from django.conf import settings

from quizzes import submissions, variants


@shared_task(name=variants.SOLVE_TASK, soft_time_limit=settings.QUIZSERVER_SOLVE_SOFT_TIME_LIMIT,
             time_limit=settings.QUIZSERVER_SOLVE_TIME_LIMIT)  # a generator that hangs: variants_solve
def variants_solve(variant_ids: list[int]) -> int:
    """Solve pending variants, then grade the answers that waited for them; returns how many became ready."""
    ready = variants.variants_solve(variant_ids=variant_ids)
    if ready:
        submissions.submissions_grade_pending(variant_ids=ready)
    return len(ready)


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
