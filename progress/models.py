"""The leaderboard's settings: whether a course offers one, and who chose to appear on it.

Progress itself is not stored: it is derived from submissions (``progress.reports``).
"""

from django.db import models

from courses.models import Course, Enrolment


class Leaderboard(models.Model):
    """A course's opt-in leaderboard per lecture, under pseudonyms students choose. Off by default."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, primary_key=True, related_name="leaderboard")
    enabled = models.BooleanField(
        default=False, help_text="Offer students an opt-in leaderboard per lecture, under pseudonyms they choose."
    )

    def __str__(self) -> str:
        return f"Leaderboard of {self.course} ({'on' if self.enabled else 'off'})"

    @classmethod
    def is_enabled(cls, course: Course) -> bool:
        """Whether ``course`` offers its leaderboard; no query when the course was loaded with
        ``select_related("leaderboard")``."""
        try:
            return course.leaderboard.enabled
        except cls.DoesNotExist:
            return False


class LeaderboardEntry(models.Model):
    """One student's leaderboard settings in one course: the pseudonym shown and whether to appear."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, primary_key=True, related_name="leaderboard_entry"
    )
    pseudonym = models.CharField(max_length=40, blank=True, help_text="Shown on the leaderboard instead of the name.")
    opt_in = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "leaderboard entries"

    def __str__(self) -> str:
        return f"{self.pseudonym or '(no pseudonym)'} in {self.enrolment.course}"
