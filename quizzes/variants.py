"""The whole lifecycle of a variant: made, shown, solved, retried, revealed, renewed, precomputed.

A variant is one student's instance of a question (``quizzes.models.Variant``). A question whose
kind needs no numbers gets a variant that is ready at once. A computed question's variant is made
with its numbers sampled (numpy, no torch) and status ``pending``; solving it (PyTorch) is queued:
in this process and transaction when Celery is eager (the laptop default), on a ``compute`` worker
after the commit otherwise. Answers that waited for a variant are graded by
``quizzes.submissions`` once it is ready (``quizzes.tasks`` runs the two in turn).

Reads do not write: showing a quiz only adds the variants that are missing. Re-queueing variants
whose task was lost and retrying failed ones is ``variants_requeue``, a periodic task (Celery beat)
and a management command for sites that run cron instead.
"""

import json
import logging
import operator
import time
from datetime import timedelta

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from quizserver.celery import app as celery_app
from quizzes.models import Question, Submission, Variant
from quizzes.refusal import Refused
from quizzes.seeds import variant_seed

log = logging.getLogger(__name__)
SOLVE_TASK = "quizzes.tasks.variants_solve"  # looked up by name: the tasks module calls into this one
STALE_PENDING_SECONDS = 60  # a pending variant this old lost its task (a worker or server restart)
ERROR_RETRY_SECONDS = 300  # a failed variant is tried again this long after the failure


def _new_variants(student, question: Question, numbers: list[int] | None = None,
                  seeds: list[int] | None = None) -> list[Variant]:
    """Unsaved variants of ``question`` for ``student``: ready at once, or (computed) sampled and pending.
    ``seeds``: given seeds (a live session's shared variant), else each number's own."""
    numbers = numbers or [1]
    seeds = seeds or [variant_seed(student_id=student.id, question_id=question.id, number=n) for n in numbers]
    variants = [
        Variant(student=student, question=question, number=n, seed=s)
        for n, s in zip(numbers, seeds, strict=True)
    ]
    try:
        sampled = question.kind_spec.sample(question, seeds)
    except Exception as error:  # a broken config must not break the quiz page
        log.exception("sampling failed for question %s", question.id)
        for variant in variants:
            variant.status, variant.error = Variant.Status.ERROR, f"{type(error).__name__}: {error}"
        return variants
    if sampled is not None:
        for variant, fields in zip(variants, sampled, strict=True):
            for name, value in fields.items():
                setattr(variant, name, value)
            variant.status = Variant.Status.PENDING
    return variants


def queue_solve(variants) -> None:
    """Queue solving the pending ones among ``variants`` (see the module docstring).

    Never raises for an unreachable broker: the variants stay ``pending`` (and answers to them are
    stored as pending) until ``variants_requeue`` queues them again once the broker is back.
    """
    ids = [v.id for v in variants if v.status == Variant.Status.PENDING]
    if not ids:
        return
    task = celery_app.tasks[SOLVE_TASK]
    if task.app.conf.task_always_eager:
        task.delay(ids)  # in this process and transaction: the rows are visible now
    else:
        # After the commit: a worker must not look before the rows are committed. Not
        # delay_on_commit, whose broker error would turn the committed request into a 500.
        transaction.on_commit(lambda: send_task(task, ids))


def send_task(task, ids: list[int]) -> None:
    """Send ``task`` for ``ids``; a broker that cannot be reached is logged, not raised."""
    try:
        task.delay(ids)
    except (KombuOperationalError, OSError) as error:
        log.warning("broker unreachable, %s for %d variant(s) left for the periodic re-queue: %s", task.name,
                    len(ids), error)


def variants_for(*, student, questions, only: tuple[str, ...] | None = None,
                 create: bool = True) -> dict[int, Variant]:
    """Each question's current variant for ``student`` (question id -> Variant).

    The current variant is the one with the highest number; a question without one gets
    variant 1 now (computed ones sampled, their solving queued). A fixed number of queries
    whatever the number of questions. ``only``: load just these fields of the variants that exist
    (``QuerySet.only``; the caller loads the rest itself before reading it, e.g.
    ``quizzes.states.add_html``); variants made now come whole. Without ``create`` (staff looking at
    a student's quiz) questions without a variant are left out and nothing is written.
    """
    questions = list(questions)
    current: dict[int, Variant] = {}
    existing = Variant.objects.filter(student=student, question__in=questions).order_by("-number")
    for variant in existing.only(*only) if only else existing:
        current.setdefault(variant.question_id, variant)
    missing = [q for q in questions if q.id not in current]
    if missing and create:
        made = [v for q in missing for v in _new_variants(student, q)]
        Variant.objects.bulk_create(made, ignore_conflicts=True)  # a second tab may have made them already
        created = list(Variant.objects.filter(student=student, question__in=missing, number=1))
        current.update({v.question_id: v for v in created})
        queue_solve(created)
    return current


@transaction.atomic
def variant_new(*, student, question: Question) -> Variant:
    """A fresh variant ("new variant"; "start over" for a question without a generator, which
    makes it count again after its solution was shown): open practice quizzes only.

    Raises ``Refused`` otherwise. Two requests at once (a double click) are serialized on the
    current variant's row and both get the same new variant.
    """
    quiz = question.quiz
    if not quiz.is_practice:
        raise Refused("New variants are only available in practice mode.", 403)
    if not quiz.is_open():
        raise Refused("This quiz is closed: no new variants.", 403)
    current_id = variants_for(student=student, questions=[question])[question.id].id
    latest = Variant.objects.select_for_update().get(pk=current_id)
    newer = Variant.objects.filter(student=student, question=question, number__gt=latest.number).first()
    if newer is not None:  # made by a request that held the lock before us
        return newer
    variant = _new_variants(student, question, [latest.number + 1])[0]
    try:
        with transaction.atomic():
            variant.save()
    except IntegrityError:  # a concurrent request made it between our read and write
        return Variant.objects.get(student=student, question=question, number=latest.number + 1)
    queue_solve([variant])
    return variant


@transaction.atomic
def variant_seeded(*, student, question: Question, seed: int) -> Variant:
    """The student's current variant if it has ``seed``, else a new current one with it (a live
    session's variant shared by the whole room: the same numbers for everyone). Idempotent; two
    requests at once are serialized on the current variant's row."""
    current_id = variants_for(student=student, questions=[question])[question.id].id
    latest = Variant.objects.select_for_update().get(pk=current_id)
    if latest.seed == seed or not question.is_computed:
        return latest
    variant = _new_variants(student, question, [latest.number + 1], seeds=[seed])[0]
    variant.save()
    queue_solve([variant])
    return variant


@transaction.atomic
def variant_reveal(*, student, question: Question, now=None) -> Variant:
    """Show the worked solution of the student's current variant ("show solution" / give up).

    Practice mode only: raises ``Refused`` in graded mode. Idempotent.
    """
    if not question.quiz.is_practice:
        raise Refused("Solutions of a graded quiz are shown after it closes.", status=403)
    variant = variants_for(student=student, questions=[question])[question.id]
    if variant.revealed_at is None:
        variant.revealed_at = now or timezone.now()
        variant.save(update_fields=["revealed_at"])
    return variant


def variants_solve(*, variant_ids: list[int]) -> list[int]:
    """Solve the pending variants among ``variant_ids``; returns the ids of those that became ready
    (their waiting answers are for ``quizzes.submissions.submissions_grade_pending``).

    A generator error marks the variant ``error`` with the message (the admin shows it). Safe to
    run twice (ready variants are skipped). When the solve task's soft time limit strikes (a generator
    that hangs, ``QUIZSERVER_SOLVE_SOFT_TIME_LIMIT``), the variant being solved is marked ``error``,
    the ones solved before it are stored, and the rest are queued again as a new task.
    """
    from compute.device import device_name  # imports torch: only solving processes pay for it

    device = device_name()
    pending = list(
        Variant.objects.filter(id__in=variant_ids, status=Variant.Status.PENDING)
        .select_related("question__quiz").order_by("id")
    )
    for index, variant in enumerate(pending):
        question = variant.question
        variant.attempted_at = timezone.now()
        start = time.perf_counter()
        try:
            row = question.kind_spec.solve(question, variant, device)
        except SoftTimeLimitExceeded:
            log.error("solving variant %s passed the time limit", variant.id)
            variant.status, variant.error = Variant.Status.ERROR, (
                f"Solving took longer than the time limit ({settings.QUIZSERVER_SOLVE_SOFT_TIME_LIMIT} s) "
                "and was stopped."
            )
            queue_solve(pending[index + 1:])  # a fresh time limit for the ones not tried yet
            del pending[index + 1:]
            break
        except Exception as error:
            log.exception("solving variant %s failed", variant.id)
            variant.status, variant.error = Variant.Status.ERROR, f"{type(error).__name__}: {error}"
            continue
        for name, value in ready_fields(row, compute_ms=(time.perf_counter() - start) * 1000, device=device).items():
            setattr(variant, name, value)
    Variant.objects.bulk_update(
        pending,
        ["status", "error", "answer", "values", "mistakes", "tolerance", "compute_ms", "device", "attempted_at"],
    )
    return [v.id for v in pending if v.is_ready]


@transaction.atomic
def variants_requeue(*, now=None) -> int:
    """Queue solving again for variants that should be solved by now; returns how many.

    - pending ones whose task was lost (a worker or server restart), STALE_PENDING_SECONDS after
      they were made or last tried;
    - failed ones, ERROR_RETRY_SECONDS after the failed attempt: the failure may have been transient
      (a GPU hiccup, a worker killed), and answers waiting for them get graded then.
    Run by Celery beat every minute (``CELERY_BEAT_SCHEDULE``) or ``manage.py variants_requeue``.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=STALE_PENDING_SECONDS)
    lost = models.Q(status=Variant.Status.PENDING) & (
        models.Q(attempted_at__lt=stale) | models.Q(attempted_at__isnull=True, created_at__lt=stale)
    )
    failed = models.Q(status=Variant.Status.ERROR, params__isnull=False,
                      attempted_at__lt=now - timedelta(seconds=ERROR_RETRY_SECONDS))
    again = list(Variant.objects.select_for_update(skip_locked=True).filter(lost | failed))
    for variant in again:
        variant.status = Variant.Status.PENDING
    Variant.objects.filter(id__in=[v.id for v in again]).update(status=Variant.Status.PENDING, attempted_at=now)
    queue_solve(again)
    return len(again)


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
    quiz_questions = [q for q in Question.objects.filter(quiz_id=quiz_id) if q.is_computed]
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
        kind = question.kind_spec
        generator, config = kind.generator(question), kind.config(question)
        seeds = [variant_seed(student_id=s, question_id=question.id, number=1) for s in todo]
        start = time.perf_counter()
        rows = [kind.finish_row(question, row, config)
                for row in to_rows(generate_columns(generator, np.array(seeds, dtype=np.uint64), config, device))]
        per_variant_ms = (time.perf_counter() - start) * 1000 / len(rows)
        now = timezone.now()
        variants_insert([
            {"student_id": student_id, "question_id": question.id, "number": 1, "seed": seed,
             "generator": generator.slug, "config": config, "params": row["params"], "created_at": now,
             **ready_fields(row, compute_ms=per_variant_ms, device=device)}
            for student_id, seed, row in zip(todo, seeds, rows, strict=True)
        ])
        made += len(rows)
    return made


def ready_fields(row: dict, *, compute_ms: float, device: str) -> dict:
    """The Variant fields of a solved variant, from its stored form (``Generator.stored_row``).

    The one way a variant becomes ready: ``variants_solve`` sets these on each solved variant and
    ``quiz_precompute`` inserts them with its new rows.
    """
    return {"answer": row["answer"], "values": row["values"], "mistakes": row["mistakes"],
            "tolerance": row["tolerance"], "status": Variant.Status.READY.value, "error": "",
            "compute_ms": compute_ms, "device": device}


def variants_insert(rows: list[dict]) -> None:
    """Insert variants given as {field attname: value} in one executemany, skipping any that exist
    (two precomputes racing). Every concrete column of Variant is written: a field a row leaves out
    takes the field's default.

    Raw SQL on purpose: bulk_create encodes every JSON field through the field machinery, which
    made precomputing half as fast (bench/precompute.py); the rows are the same either way.
    """
    from django.db import connection

    fields = [f for f in Variant._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    values_of = operator.itemgetter(*defaults)
    json_positions = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    dumped: dict[int, str] = {}  # the same object (a quiz's config) is encoded once

    def dumps(value) -> str:
        key = id(value)
        if key not in dumped:
            dumped[key] = json.dumps(value)
        return dumped[key]

    data = []
    for row in rows:
        values = list(values_of({**defaults, **row}))
        for i in json_positions:
            if values[i] is not None:
                values[i] = dumps(values[i])
        data.append(values)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (f"INSERT INTO {connection.ops.quote_name(Variant._meta.db_table)} ({columns}) VALUES ({placeholders}) "
           "ON CONFLICT DO NOTHING")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, data)


@transaction.atomic
def variants_retry_errors(*, question: Question) -> int:
    """Solve again the variants of ``question`` that failed (after the instructor saved it).

    A variant made with the same generator and config is just queued again (the failure may have
    been transient). One made with another config is sampled anew with the current one; answers
    waiting for it were typed for other numbers, so they are closed as ``error`` (kept, no try
    used) instead of being graded against the new numbers. Returns how many variants were queued.
    """
    failed = list(Variant.objects.select_for_update().filter(question=question, status=Variant.Status.ERROR))
    if not question.is_computed or not failed:
        return 0
    kind = question.kind_spec
    current = (kind.setting(question, "generator"), kind.config(question))
    changed = [v for v in failed if v.params is None or (v.generator, v.config) != current]
    if changed:
        for variant, fields in zip(changed, kind.sample(question, [v.seed for v in changed]), strict=True):
            for name, value in fields.items():
                setattr(variant, name, value)
        Submission.objects.filter(variant__in=changed, status=Submission.Status.PENDING).update(
            status=Submission.Status.ERROR, try_number=None,
            feedback="The question was changed before this answer could be graded; please answer again.",
        )
    for variant in failed:
        variant.status, variant.error = Variant.Status.PENDING, ""
    Variant.objects.bulk_update(failed, ["status", "error", "params", "generator", "config"])
    queue_solve(failed)
    return len(failed)
