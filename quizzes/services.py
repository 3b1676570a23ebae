"""Workflows of the quizzes app: variants, submissions and their grading, revealing solutions."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.grading import credit_for_try
from quizzes.kinds.base import InvalidAnswer
from quizzes.models import Question, Submission, Variant
from quizzes.variants import variants_for


class SubmissionRefused(Exception):
    """The answer cannot be taken now (quiz closed, no tries left, too many too fast).

    The message is for the student; ``status`` is the HTTP status to answer with.
    """

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


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
        raise SubmissionRefused("You are answering very fast. Wait a minute, then try again.", status=429)


@transaction.atomic
def submission_create(*, student, question: Question, data, nonce: str = "", now=None) -> Submission:
    """Store the answer in ``data`` (a QueryDict) to the student's current variant, then grade it.

    A repeated ``nonce`` (double click, two tabs, a retried request) returns the submission
    already stored for it. Invalid input is stored as ``invalid`` and costs no try. Raises
    ``SubmissionRefused`` when the quiz is closed or no try is left, and
    ``quizzes.kinds.base.MalformedAnswer`` for a request that does not fit the question (nothing
    is stored then). The caller has checked that the student may open the quiz.
    """
    now = now or timezone.now()
    quiz = question.quiz
    if not quiz.is_open(now):
        raise SubmissionRefused("This quiz is closed: answers are no longer accepted.", status=403)
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
        raise SubmissionRefused(refusal, 503)
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
        raise SubmissionRefused("You have used all your tries on this question.")
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


@transaction.atomic
def variant_reveal(*, student, question: Question, now=None) -> Variant:
    """Show the worked solution of the student's current variant ("show solution" / give up).

    Practice mode only: raises ``SubmissionRefused`` in graded mode. Idempotent.
    """
    if not question.quiz.is_practice:
        raise SubmissionRefused("Solutions of a graded quiz are shown after it closes.", status=403)
    variant = variants_for(student=student, questions=[question])[question.id]
    if variant.revealed_at is None:
        variant.revealed_at = now or timezone.now()
        variant.save(update_fields=["revealed_at"])
    return variant
