"""The whole lifecycle of a submission: stored (valid or not), graded at once or when its variant is
ready, never lost and never counted twice.

``submission_create`` stores a student's answer to their current variant, graded when the variant
is ready, ``submission_grade`` grades a stored pending one with the question's kind, and
``submissions_grade_pending`` grades the answers that waited for a computed variant
(``quizzes.tasks`` calls it after solving).

Grading runs before the transaction that stores its result, never inside it: a kind's ``grade`` is
pure given the question, its choices and the variant, and a ready variant's answer never changes,
so the grade computed from the variant as read stays right. The transaction then only takes the
variant's row lock, deduplicates the nonce, checks the tries and stores. A slow grade (an author's
regular expression runs up to ``QUIZSERVER_REGEX_TIMEOUT_MS`` per pattern) thus never holds the
row lock, nor on SQLite the database's write lock, while other students' answers wait.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from courses import rate_limits
from quizserver.celery import app as celery_app
from quizzes.grading import Grade, credit_for_try
from quizzes.kinds.base import InvalidAnswer, ParsedAnswer
from quizzes.models import Question, Submission, Variant
from quizzes.refusal import Refused
from quizzes.variants import STALE_PENDING_SECONDS, send_task, variants_for

STORE_ATTEMPTS = 3  # reads of a variant that changed state meanwhile (pending -> ready, rarely -> error)
PENDING_FEEDBACK = "Your answer is saved; it is graded as soon as this question's variant is ready."
CHECKING_FEEDBACK = "Your answer is saved and being checked step by step."
GRADE_TASK = "quizzes.tasks.submissions_grade"
RATE_SCOPE = "answers"  # answers per student (ident: the student's id) in ``courses.rate_limits``


def _check_rate(student) -> None:
    """Refuse more than QUIZSERVER_SUBMISSIONS_PER_MINUTE answers a minute from one student (counted
    in the database, shared by every worker: ``courses.rate_limits``)."""
    count = rate_limits.hits_add(scope=RATE_SCOPE, ident=str(student.id), window=60)
    if count > settings.QUIZSERVER_SUBMISSIONS_PER_MINUTE:
        raise Refused("You are answering very fast. Wait a minute, then try again.", status=429)


@dataclass(frozen=True)
class _Prepared:
    """An answer parsed and, if its variant was ready, graded, before any lock is taken."""

    variant_status: str  # the variant's status it was prepared against
    parsed: ParsedAnswer | None = None  # None: invalid input
    invalid: InvalidAnswer | None = None
    grade: Grade | None = None  # None: the variant was not ready (or the input invalid)


def submission_create(*, student, question: Question, data, nonce: str = "", now=None,
                      live: bool = False) -> Submission:
    """Store the answer in ``data`` (a QueryDict) to the student's current variant, graded if the
    variant is ready.

    A repeated ``nonce`` (double click, two tabs, a retried request) returns the submission
    already stored for it. Invalid input is stored as ``invalid`` and costs no try. Raises
    ``Refused`` when the quiz is closed, no try is left or the student answers too fast, and
    ``quizzes.kinds.base.MalformedAnswer`` for a request that does not fit the question (nothing
    is stored then). The caller has checked that the student may open the quiz, and holds no
    transaction: parsing and grading run outside the one that stores (see the module docstring).
    ``live``: given in a live session, whose open question takes answers whatever the quiz's dates
    (``live.services`` checks the session instead).
    """
    now = now or timezone.now()
    quiz = question.quiz
    if not live and not quiz.is_open(now):
        raise Refused("This quiz is closed: answers are no longer accepted.", status=403)
    nonce = nonce.strip()[:64] or uuid.uuid4().hex
    variant = variants_for(student=student, questions=[question])[question.id]
    existing = _stored(variant.pk, nonce)
    if existing:
        return existing
    _check_rate(student)
    choices = list(question.choices.all())
    for _ in range(STORE_ATTEMPTS):
        prepared = _prepare(question, data, choices, variant)
        stored = _store(question, variant.pk, prepared, nonce=nonce, now=now)
        if stored is not None:
            if stored.status == Submission.Status.PENDING and prepared.variant_status == Variant.Status.READY:
                queue_grading(variant.pk)  # a live-graded kind's answer (its variant is ready)
            return stored
        variant.refresh_from_db()  # solved or failed since we read it: prepare against its new state
    raise Refused("This question is being updated. Send your answer again in a moment.", 503)


def _prepare(question: Question, data, choices: list, variant: Variant) -> _Prepared:
    """Parse and grade ``data`` against ``variant`` as read, without a transaction."""
    kind = question.kind_spec
    refusal = kind.unanswerable(variant)
    if refusal:
        raise Refused(refusal, 503)
    try:
        parsed = kind.parse(question, data, choices=choices, variant=variant)
    except InvalidAnswer as invalid:
        return _Prepared(variant.status, invalid=invalid)
    graded_now = variant.is_ready and not (kind.grades_live and not grading_in_process())
    grade = kind.grade(question, parsed.value, choices=choices, variant=variant) if graded_now else None
    return _Prepared(variant.status, parsed=parsed, grade=grade)


def grading_in_process() -> bool:
    """Whether answers whose grading runs a generator (``Kind.grades_live``) are graded in the request:
    without a broker (Celery eager). With one they wait as pending for ``queue_grading``'s task."""
    return bool(celery_app.conf.task_always_eager)


def queue_grading(variant_id: int) -> None:
    """Queue grading the pending answers of a ready variant on the compute queue, after the commit;
    a broker that cannot be reached leaves them pending for ``submissions_grade_lost``."""
    task = celery_app.tasks[GRADE_TASK]
    transaction.on_commit(lambda: send_task(task, [variant_id]))


def _stored(variant_id: int, nonce: str) -> Submission | None:
    """The answer already stored under ``nonce`` for the variant, if any. (variant, nonce) is unique:
    no ordering needed, and ``Submission``'s default one would join up to the course to sort."""
    return Submission.objects.filter(variant_id=variant_id, nonce=nonce).order_by("pk").first()


@transaction.atomic
def _store(question: Question, variant_id: int, prepared: _Prepared, *, nonce: str, now) -> Submission | None:
    """Store a prepared answer under the variant's row lock; None when the variant's status is no
    longer the one the answer was prepared against."""
    variant = Variant.objects.select_for_update().get(pk=variant_id)
    if variant.status != prepared.variant_status:
        return None
    # The nonce's answer and the tries used, in one query (both read under the lock).
    seen = variant.submissions.order_by().aggregate(
        stored=Max("pk", filter=Q(nonce=nonce)), tries_used=Count("pk", filter=Q(try_number__isnull=False))
    )
    if seen["stored"] is not None:
        return Submission.objects.get(pk=seen["stored"])
    submission = Submission(variant=variant, nonce=nonce, created_at=now, after_reveal=variant.revealed_at is not None,
                            question_version=question.version)
    if prepared.invalid is not None:
        submission.raw, submission.status = prepared.invalid.raw, Submission.Status.INVALID
        submission.feedback = str(prepared.invalid)
        return _save(submission)
    quiz = question.quiz
    tries_used = seen["tries_used"]
    if quiz.max_tries is not None and tries_used >= quiz.max_tries:
        raise Refused("You have used all your tries on this question.")
    submission.raw, submission.value = prepared.parsed.raw, prepared.parsed.value
    submission.try_number = tries_used + 1
    if prepared.grade is None:
        submission.feedback = CHECKING_FEEDBACK if prepared.variant_status == Variant.Status.READY else PENDING_FEEDBACK
        return _save(submission)
    grade_apply(submission, prepared.grade, question=question, now=now)
    return _save(submission)


def submission_grade(*, submission: Submission, now=None) -> Submission:
    """Grade a stored pending submission whose variant is ready, and save it.

    Grades first, then saves in a short transaction of its own; the caller holds no transaction.
    """
    variant = submission.variant
    question = variant.question
    grade = question.kind_spec.grade(question, submission.value, choices=list(question.choices.all()), variant=variant)
    grade_apply(submission, grade, question=question, now=now or timezone.now())
    return _save(submission)


def grade_apply(submission: Submission, grade: Grade, *, question: Question, now) -> None:
    """Set the grade's fields on ``submission`` (not saved), with the points its try earns under the
    quiz's credits; ``graded_at`` becomes ``now``. Grading and regrading (``quizzes.regrading``) share it."""
    quiz = question.quiz
    credit = (
        grade.score if quiz.is_practice else credit_for_try(grade.score, submission.try_number, quiz.credits)
    )
    submission.status = Submission.Status.GRADED
    submission.score, submission.points = grade.score, question.points * credit
    submission.feedback, submission.mistake = grade.feedback, grade.mistake
    submission.choice_feedback = {str(cid): mark for cid, mark in grade.choice_marks.items()}
    submission.cell_marks = list(grade.cells)
    submission.step_marks = list(grade.steps)
    submission.graded_at = now


def _save(submission: Submission) -> Submission:
    """Save, or return the submission a concurrent request stored under the same nonce."""
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        return Submission.objects.get(variant=submission.variant, nonce=submission.nonce)
    return submission


def submissions_grade_pending(*, variant_ids: list[int]) -> int:
    """Grade the pending submissions of ready variants, oldest first, each saved on its own (graded
    outside any transaction); returns how many."""
    waiting = (
        Submission.objects.filter(
            variant_id__in=variant_ids, status=Submission.Status.PENDING, variant__status=Variant.Status.READY
        )
        .select_related("variant__question__quiz")
        .order_by("created_at", "id")
    )
    count = 0
    for submission in waiting:
        submission_grade(submission=submission, now=timezone.now())
        count += 1
    return count


def submissions_grade_lost(*, now=None) -> int:
    """Grade the pending answers of variants solved more than STALE_PENDING_SECONDS ago: their grading
    was lost (a worker killed between storing the solved variants and grading). Returns how many.
    Runs with the periodic re-queue (``quizzes.tasks.variants_requeue``)."""
    stale = (now or timezone.now()) - timedelta(seconds=STALE_PENDING_SECONDS)
    solved_long_ago = Q(attempted_at__lt=stale) | Q(attempted_at__isnull=True, created_at__lt=stale)
    lost = Variant.objects.filter(solved_long_ago, status=Variant.Status.READY,
                                  submissions__status=Submission.Status.PENDING).values_list("id", flat=True)
    return submissions_grade_pending(variant_ids=list(lost.distinct()))
