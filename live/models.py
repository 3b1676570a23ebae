"""A live session of the weekly meeting: questions pushed to every phone, one at a time.

A ``LiveSession`` walks through its ``LiveItem``s (the questions, in order); the current one is at
``position`` and in a ``phase``: waiting (shown on the projector, not yet open), open (answers
taken), closed, revealed (distribution, feedback and solution shown). ``version`` grows with every
change of what phones or the presenter show, so a phone that reconnects knows whether it missed
something. Answers are the quizzes' own ``Submission``s; a ``LiveAnswer`` marks one as given in the
session (for the session's results and the student's progress).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from courses.models import Course
from quizzes.models import Question, Quiz, Submission


class LiveSession(models.Model):
    class Phase(models.TextChoices):
        WAITING = "waiting", "Waiting (not open yet)"
        OPEN = "open", "Open for answers"
        CLOSED = "closed", "Closed"
        REVEALED = "revealed", "Revealed"

    class Variants(models.TextChoices):
        OWN = "own", "Each student their own numbers"
        SHARED = "shared", "One variant for the whole room"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="live_sessions")
    quiz = models.ForeignKey(Quiz, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_sessions",
                             help_text="The quiz its questions came from (empty: hand-picked).")
    title = models.CharField(max_length=200)
    code = models.CharField(max_length=8, unique=True, help_text="What students type to join.")
    variants = models.CharField(max_length=10, choices=Variants.choices, default=Variants.OWN)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    position = models.PositiveSmallIntegerField(default=0, help_text="The current question, from 0.")
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.WAITING)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("live:phone", args=[self.code])

    @property
    def is_running(self) -> bool:
        return self.ended_at is None


class LiveItem(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="live_items")
    position = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField(default=0, help_text="Shared variant: the seed every student gets.")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [models.UniqueConstraint(fields=["session", "position"], name="live_item_position_unique")]

    def __str__(self) -> str:
        return f"{self.session.code} #{self.position + 1}: {self.question}"


class LiveJoin(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="joins")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_joins")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "student"], name="live_join_unique")]

    def __str__(self) -> str:
        return f"{self.student} in {self.session.code}"


class LiveAnswer(models.Model):
    """A submission given in a live session, to the session's question ``item``."""

    item = models.ForeignKey(LiveItem, on_delete=models.CASCADE, related_name="answers")
    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="live_answer")

    class Meta:
        indexes = [models.Index(fields=["item"])]

    def __str__(self) -> str:
        return f"answer {self.submission_id} to {self.item_id}"
