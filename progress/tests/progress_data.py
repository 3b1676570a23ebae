"""Test data for progress and statistics: students who open a quiz and answer at known times.

Submissions are written directly (no grading) so that scores, times and statuses are exactly
what a test states.
"""

import uuid
from datetime import datetime, timedelta

from courses.models import Enrolment
from progress.models import LeaderboardEntry
from quizzes.models import Question, Submission, Variant

STEP = timedelta(seconds=60)


class Learner:
    """A student with a clock: ``open`` makes variants at the current time, ``answer`` advances it."""

    def __init__(self, make_user, course, username: str, start: datetime, role=Enrolment.Role.STUDENT):
        self.user = make_user(username)
        Enrolment.objects.create(user=self.user, course=course, role=role)
        self.clock = start

    def open(self, *questions: Question, number: int = 1) -> None:
        for question in questions:
            variant, _ = Variant.objects.get_or_create(student=self.user, question=question, number=number)
            Variant.objects.filter(pk=variant.pk).update(created_at=self.clock)

    def answer(
        self,
        question: Question,
        score: float | None,
        *,
        value=None,
        raw: str = "",
        mistake: str = "",
        status: str = Submission.Status.GRADED,
        after: timedelta = STEP,
        after_reveal: bool = False,
    ) -> Submission:
        """An answer ``after`` the previous event, to the newest variant (opened now if none)."""
        variant = Variant.objects.filter(student=self.user, question=question).order_by("-number").first()
        if variant is None:
            self.open(question)
            variant = Variant.objects.get(student=self.user, question=question, number=1)
        self.clock += after
        tries = variant.submissions.filter(try_number__isnull=False).count()
        graded = status == Submission.Status.GRADED
        return Submission.objects.create(
            variant=variant,
            nonce=uuid.uuid4().hex,
            raw=raw or ("" if value is None else str(value)),
            value=value,
            status=status,
            score=score if graded else None,
            try_number=tries + 1 if graded else None,
            mistake=mistake,
            after_reveal=after_reveal,
            created_at=self.clock,
        )


def join_leaderboard(user, course, pseudonym: str, opt_in: bool) -> LeaderboardEntry:
    """``user``'s leaderboard settings in ``course``, written directly (the form is tested on its own)."""
    enrolment = Enrolment.objects.get(user=user, course=course)
    entry, _ = LeaderboardEntry.objects.update_or_create(
        enrolment=enrolment, defaults={"pseudonym": pseudonym, "opt_in": opt_in}
    )
    return entry


def pseudonym_of(user, course) -> str:
    """The pseudonym ``user`` chose in ``course`` ("" for none)."""
    entry = LeaderboardEntry.objects.filter(enrolment__user=user, enrolment__course=course).first()
    return entry.pseudonym if entry else ""
