"""Celery tasks: a thin interface over the variant workflows (ids in, database out).

``variants_solve`` and ``quiz_precompute`` run on the ``compute`` queue (GPU workers in
production); answers are stored in the database, never in a result backend.
"""

from celery import shared_task

from quizzes import variants


@shared_task(name="quizzes.tasks.variants_solve")
def variants_solve(variant_ids: list[int]) -> int:
    """Solve pending variants and grade the submissions waiting for them."""
    return variants.variants_solve(variant_ids=variant_ids)


@shared_task(name="quizzes.tasks.quiz_precompute")
def quiz_precompute(quiz_id: int) -> int:
    """Make and solve every enrolled student's variant 1 of every computed question of a quiz."""
    return variants.quiz_precompute(quiz_id=quiz_id)
