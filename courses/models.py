"""Courses, their lectures, and who is enrolled in which role."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


def new_enrolment_code() -> str:
    """A short random code students type to enrol (no 0/O/1/I to avoid misreading)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class CourseQuerySet(models.QuerySet):
    def for_user(self, user):
        """Courses the user is enrolled in, in any role (all courses for superusers)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(enrolments__user=user).distinct()

    def staffed_by(self, user):
        """Courses where the user is a TA or instructor (all courses for superusers)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            enrolments__user=user, enrolments__role__in=Enrolment.Role.staff_roles()
        ).distinct()


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    term = models.CharField(max_length=50, blank=True, help_text="e.g. Winter 2026/27")
    description = models.TextField(blank=True, help_text="Markdown.")
    enrolment_code = models.CharField(
        max_length=32,
        unique=True,
        default=new_enrolment_code,
        help_text="Students enrol by typing this code (case does not matter).",
    )
    enrolment_open = models.BooleanField(default=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.term})" if self.term else self.title

    def save(self, *args, **kwargs):
        self.enrolment_code = self.enrolment_code.strip().upper()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("progress:course", args=[self.slug])


class Lecture(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lectures")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    slug = models.SlugField()
    release_date = models.DateTimeField(null=True, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["course", "number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="lecture_number_unique"),
            models.UniqueConstraint(fields=["course", "slug"], name="lecture_slug_unique"),
        ]

    def __str__(self) -> str:
        return f"L{self.number:02d} {self.title}"

    def is_released(self, now=None) -> bool:
        return self.release_date is None or self.release_date <= (now or timezone.now())


class Enrolment(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", "Student"
        TA = "ta", "Teaching assistant"
        INSTRUCTOR = "instructor", "Instructor"

        @classmethod
        def staff_roles(cls) -> list[str]:
            return [cls.TA, cls.INSTRUCTOR]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="enrolment_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.course} as {self.get_role_display()}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in Enrolment.Role.staff_roles()


class RateCount(models.Model):
    """How often something happened for one key in its current window: the counters of
    ``courses.rate_limits`` (failed logins, wrong enrolment codes, answers per minute)."""

    key = models.CharField(max_length=100, primary_key=True)  # "scope:" + SHA-256 of who, never who
    count = models.PositiveIntegerField()
    expires = models.BigIntegerField(db_index=True)  # Unix seconds: then the window ends, the count restarts

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
