"""Workflows of variants: making each student's variant, solving computed ones, precomputing.

A non-computed question's variant is ready at once. A computed question's variant is made with
its parameters sampled (numpy, no torch) and status ``pending``; solving it (PyTorch) is queued
with ``delay_on_commit``: in-process when Celery is eager, on a ``compute`` worker otherwise.
Solving stores answer, values and mistakes, then grades the submissions that were waiting.
"""

import json
import logging
import time
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from quizzes import computed
from quizzes.models import Question, Submission, Variant
from quizzes.seeds import variant_seed

log = logging.getLogger(__name__)


def _new_variants(student, question: Question, numbers: list[int] | None = None) -> list[Variant]:
    """Unsaved variants of ``question`` for ``student``; computed ones sampled and pending."""
    numbers = numbers or [1]
    seeds = [variant_seed(student_id=student.id, question_id=question.id, number=n) for n in numbers]
    variants = [
        Variant(student=student, question=question, number=n, seed=s)
        for n, s in zip(numbers, seeds, strict=True)
    ]
    if question.is_computed:
        try:
            generator, config = computed.generator_for(question), computed.config_for(question)
            params = generator.sample_params(np.array(seeds, dtype=np.uint64), config)
        except Exception as error:  # a broken config must not break the quiz page
            log.exception("sampling failed for question %s", question.id)
            for variant in variants:
                variant.status, variant.error = Variant.Status.ERROR, f"{type(error).__name__}: {error}"
            return variants
        for index, variant in enumerate(variants):
            variant.params = {name: array[index].tolist() for name, array in params.items()}
            variant.status = Variant.Status.PENDING
    return variants


def _queue_solve(variants) -> None:
    ids = [v.id for v in variants if v.status == Variant.Status.PENDING]
    if ids:
        from quizzes.tasks import variants_solve  # tasks import this module

        if variants_solve.app.conf.task_always_eager:
            variants_solve.delay(ids)  # in this process and transaction: the rows are visible now
        else:
            variants_solve.delay_on_commit(ids)  # a worker must not look before the rows are committed


STALE_PENDING_SECONDS = 60


def variants_requeue_stale(variants) -> None:
    """Queue solving again for pending variants whose task was lost (a worker or server restart).

    In eager mode any pending variant is solved now; with workers, one pending for more than
    STALE_PENDING_SECONDS is queued again (solving skips variants that are ready by then).
    """
    from quizzes.tasks import variants_solve

    eager = variants_solve.app.conf.task_always_eager
    cutoff = timezone.now() - timedelta(seconds=STALE_PENDING_SECONDS)
    _queue_solve(
        [v for v in variants if v.status == Variant.Status.PENDING and (eager or v.created_at < cutoff)]
    )


def variants_for(*, student, questions) -> dict[int, Variant]:
    """Each question's current variant for ``student`` (question id -> Variant).

    The current variant is the one with the highest number; a question without one gets
    variant 1 now (computed ones sampled, their solving queued). A fixed number of queries
    whatever the number of questions.
    """
    questions = list(questions)
    current: dict[int, Variant] = {}
    for variant in Variant.objects.filter(student=student, question__in=questions).order_by("-number"):
        current.setdefault(variant.question_id, variant)
    variants_requeue_stale(current.values())
    missing = [q for q in questions if q.id not in current]
    if missing:
        made = [v for q in missing for v in _new_variants(student, q)]
        Variant.objects.bulk_create(made, ignore_conflicts=True)  # a second tab may have made them already
        created = list(Variant.objects.filter(student=student, question__in=missing, number=1))
        current.update({v.question_id: v for v in created})
        _queue_solve(created)
    return current


@transaction.atomic
def variant_new(*, student, question: Question) -> Variant:
    """A fresh variant of a computed question ("new variant"), practice mode only.

    Raises ``quizzes.services.SubmissionRefused`` otherwise.
    """
    from quizzes.services import SubmissionRefused

    if not question.quiz.is_practice or not question.is_computed:
        raise SubmissionRefused(
            "New variants are only available for computed questions in practice mode.", 403
        )
    latest = variants_for(student=student, questions=[question])[question.id]
    variant = _new_variants(student, question, [latest.number + 1])[0]
    variant.save()
    _queue_solve([variant])
    return variant


def variants_solve(*, variant_ids: list[int]) -> int:
    """Solve the pending variants among ``variant_ids`` and grade their waiting submissions.

    A generator error marks the variant ``error`` with the message (the admin shows it).
    Returns how many variants became ready. Safe to run twice (ready variants are skipped).
    """
    from compute.device import device_name

    device = device_name()
    pending = list(
        Variant.objects.filter(id__in=variant_ids, status=Variant.Status.PENDING).select_related(
            "question__quiz"
        )
    )
    for variant in pending:
        question = variant.question
        try:
            generator, config = computed.generator_for(question), computed.config_for(question)
            fields = computed.solve_fields(generator, config, variant.params, variant.seed, device)
        except Exception as error:
            log.exception("solving variant %s failed", variant.id)
            variant.status, variant.error = Variant.Status.ERROR, f"{type(error).__name__}: {error}"
            continue
        for name, value in fields.items():
            setattr(variant, name, value)
        variant.status, variant.error = Variant.Status.READY, ""
    Variant.objects.bulk_update(
        pending, ["status", "error", "answer", "values", "mistakes", "tolerance", "compute_ms", "device"]
    )
    ready = [v for v in pending if v.is_ready]
    if ready:
        submissions_grade_pending(variant_ids=[v.id for v in ready])
    return len(ready)


def submissions_grade_pending(*, variant_ids: list[int]) -> int:
    """Grade the pending submissions of ready variants, oldest first; returns how many."""
    from quizzes.services import submission_grade

    waiting = (
        Submission.objects.filter(
            variant_id__in=variant_ids, status=Submission.Status.PENDING, variant__status=Variant.Status.READY
        )
        .select_related("variant__question__quiz")
        .order_by("created_at", "id")
    )
    count = 0
    for submission in waiting:
        with transaction.atomic():
            submission_grade(submission=submission, now=timezone.now())
        count += 1
    return count


def quiz_precompute(*, quiz_id: int) -> int:
    """Make and solve variant 1 of every computed question of a quiz for every enrolled student.

    One batched compute call per question (vectorized generators solve the whole batch as one
    tensor computation), then one bulk insert. Students who already have the variant are skipped,
    so it is safe to run again after new enrolments. Returns the number of variants made.
    """
    from django.contrib.auth import get_user_model

    from compute.batch import generate_columns, to_rows
    from compute.device import device_name
    from courses.models import Enrolment

    device = device_name()
    quiz_questions = Question.objects.filter(
        quiz_id=quiz_id, kind__in=[Question.Kind.COMPUTED, Question.Kind.COMPUTED_ARRAY]
    )
    students = list(
        get_user_model()
        .objects.filter(
            enrolments__course__lectures__quizzes=quiz_id, enrolments__role=Enrolment.Role.STUDENT
        )
        .values_list("id", flat=True)
    )
    made = 0
    for question in quiz_questions:
        have = set(Variant.objects.filter(question=question, number=1).values_list("student_id", flat=True))
        todo = [s for s in students if s not in have]
        if not todo:
            continue
        generator, config = computed.generator_for(question), computed.config_for(question)
        seeds = [variant_seed(student_id=s, question_id=question.id, number=1) for s in todo]
        start = time.perf_counter()
        rows = to_rows(generate_columns(generator, np.array(seeds, dtype=np.uint64), config, device))
        per_variant_ms = (time.perf_counter() - start) * 1000 / len(rows)
        _insert_ready(question.id, todo, seeds, rows, per_variant_ms, device)
        made += len(rows)
    return made


_INSERT_COLUMNS = ("student_id", "question_id", "number", "seed", "params", "answer", "values", "mistakes",
                   "tolerance", "status", "error", "compute_ms", "device", "created_at")


def _insert_ready(question_id: int, students: list[int], seeds: list[int], rows: list[dict], ms: float,
                  device: str) -> None:
    """Insert solved variants 1 in one executemany, skipping any that exist (two precomputes racing).

    Raw SQL on purpose: bulk_create encodes every JSON field through the field machinery, which
    made precomputing half as fast (bench/precompute.py); the rows are the same either way.
    """
    from django.db import connection

    dumps, now = json.dumps, timezone.now()
    data = [
        (student_id, question_id, 1, seed, dumps(row["params"]), dumps(row["answer"]), dumps(row["values"]),
         dumps(row["mistakes"]), dumps(row["tolerance"]), Variant.Status.READY.value, "", ms, device, now)
        for student_id, seed, row in zip(students, seeds, rows, strict=True)
    ]
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_INSERT_COLUMNS))
    sql = (f"INSERT INTO {connection.ops.quote_name(Variant._meta.db_table)} ({columns}) VALUES ({placeholders}) "
           "ON CONFLICT DO NOTHING")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, data)
