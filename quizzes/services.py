"""Workflows of the quizzes app: variants, submissions and their grading, revealing solutions."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.answering import InvalidAnswer, grade_answer, parse_answer
from quizzes.grading import credit_for_try
from quizzes.models import Question, Submission, Variant
from quizzes.seeds import variant_seed


class SubmissionRefused(Exception):
    """The answer cannot be taken now (quiz closed, no tries left, too many too fast).

    The message is for the student; ``status`` is the HTTP status to answer with.
    """

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def variants_for(*, student, questions) -> dict[int, Variant]:
    """Each question's current variant for ``student`` (question id -> Variant).

    The current variant is the one with the highest number; a question without one gets
    variant 1 now. A fixed number of queries whatever the number of questions.
    """
    questions = list(questions)
    current: dict[int, Variant] = {}
    for variant in Variant.objects.filter(student=student, question__in=questions).order_by("-number"):
        current.setdefault(variant.question_id, variant)
    missing = [q for q in questions if q.id not in current]
    if missing:
        Variant.objects.bulk_create(
            [
                Variant(
                    student=student,
                    question=q,
                    number=1,
                    seed=variant_seed(student_id=student.id, question_id=q.id, number=1),
                )
                for q in missing
            ],
            ignore_conflicts=True,  # a second tab may have made them a moment ago
        )
        for variant in Variant.objects.filter(student=student, question__in=missing, number=1):
            current[variant.question_id] = variant
    return current


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
    ``quizzes.answering.MalformedAnswer`` for a request that does not fit the question (nothing
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
    choices = list(question.choices.all())
    submission = Submission(variant=variant, nonce=nonce, created_at=now)
    try:
        parsed = parse_answer(question, data, {c.id for c in choices})
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
    grade = grade_answer(question, parsed.value, choices)
    credit = grade.score if quiz.is_practice else credit_for_try(grade.score, tries_used + 1, quiz.credits)
    submission.raw, submission.value = parsed.raw, parsed.value
    submission.status = Submission.Status.GRADED
    submission.try_number = tries_used + 1
    submission.score, submission.points = grade.score, question.points * credit
    submission.feedback = grade.feedback
    submission.choice_feedback = {str(cid): mark for cid, mark in grade.choice_marks.items()}
    submission.graded_at = now
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
