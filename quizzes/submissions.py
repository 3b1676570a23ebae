"""The whole lifecycle of a submission: stored (valid or not), graded at once or when its variant is
ready, never lost and never counted twice.

``submission_create`` stores a student's answer to their current variant before anything else can
fail, ``submission_grade`` grades it with the question's kind, and ``submissions_grade_pending``
grades the answers that waited for a computed variant (``quizzes.tasks`` calls it after solving).
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.grading import credit_for_try
from quizzes.kinds.base import InvalidAnswer
from quizzes.models import Question, Submission, Variant
from quizzes.refusal import Refused
from quizzes.variants import variants_for


def _check_rate(student) -> None:
    """Refuse more than QUIZSERVER_SUBMISSIONS_PER_MINUTE answers a minute from one student."""
    key = f"submissions:{student.id}:{int(timezone.now().timestamp() // 60)}"
    if cache.add(key, 1, timeout=90):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=90)
        return
    if count > settings.QUIZSERVER_SUBMISSIONS_PER_MINUTE:
        raise Refused("You are answering very fast. Wait a minute, then try again.", status=429)


@transaction.atomic
def submission_create(*, student, question: Question, data, nonce: str = "", now=None) -> Submission:
    """Store the answer in ``data`` (a QueryDict) to the student's current variant, then grade it.

    A repeated ``nonce`` (double click, two tabs, a retried request) returns the submission
    already stored for it. Invalid input is stored as ``invalid`` and costs no try. Raises
    ``Refused`` when the quiz is closed or no try is left, and
    ``quizzes.kinds.base.MalformedAnswer`` for a request that does not fit the question (nothing
    is stored then). The caller has checked that the student may open the quiz.
    """
    now = now or timezone.now()
    quiz = question.quiz
    if not quiz.is_open(now):
        raise Refused("This quiz is closed: answers are no longer accepted.", status=403)
    nonce = nonce.strip()[:64] or uuid.uuid4().hex
    variant_id = variants_for(student=student, questions=[question])[question.id].id
    variant = Variant.objects.select_for_update().get(pk=variant_id)
    existing = variant.submissions.filter(nonce=nonce).first()
    if existing:
        return existing
    _check_rate(student)
    submission = Submission(variant=variant, nonce=nonce, created_at=now, after_reveal=variant.revealed_at is not None)
    kind = question.kind_spec
    refusal = kind.unanswerable(variant)
    if refusal:
        raise Refused(refusal, 503)
    try:
        parsed = kind.parse(question, data, choices=list(question.choices.all()), variant=variant)
    except InvalidAnswer as invalid:
        submission.raw, submission.status, submission.feedback = (
            invalid.raw,
            Submission.Status.INVALID,
            str(invalid),
        )
        return _save(submission)
    tries_used = variant.submissions.filter(try_number__isnull=False).count()
    if quiz.max_tries is not None and tries_used >= quiz.max_tries:
        raise Refused("You have used all your tries on this question.")
    submission.raw, submission.value, submission.try_number = parsed.raw, parsed.value, tries_used + 1
    if variant.is_ready:
        return submission_grade(submission=submission, now=now)
    submission.feedback = "Your answer is saved; it is graded as soon as this question's variant is ready."
    return _save(submission)


def submission_grade(*, submission: Submission, now=None) -> Submission:
    """Grade a stored-or-new submission whose variant is ready, and save it.

    The caller holds a transaction (and, for a new submission, the variant's row lock).
    """
    variant = submission.variant
    question = variant.question
    quiz = question.quiz
    grade = question.kind_spec.grade(question, submission.value, choices=list(question.choices.all()), variant=variant)
    credit = (
        grade.score if quiz.is_practice else credit_for_try(grade.score, submission.try_number, quiz.credits)
    )
    submission.status = Submission.Status.GRADED
    submission.score, submission.points = grade.score, question.points * credit
    submission.feedback, submission.mistake = grade.feedback, grade.mistake
    submission.choice_feedback = {str(cid): mark for cid, mark in grade.choice_marks.items()}
    submission.cell_marks = list(grade.cells)
    submission.graded_at = now or timezone.now()
    return _save(submission)


def _save(submission: Submission) -> Submission:
    """Save, or return the submission a concurrent request stored under the same nonce."""
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        return Submission.objects.get(variant=submission.variant, nonce=submission.nonce)
    return submission


def submissions_grade_pending(*, variant_ids: list[int]) -> int:
    """Grade the pending submissions of ready variants, oldest first, each in its own transaction;
    returns how many."""
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
