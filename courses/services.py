"""Workflows of the courses app: enrolling with a code."""

from django.db import transaction

from courses.models import Course, Enrolment


class EnrolmentError(Exception):
    """The enrolment code cannot be used; the message says why, for the student."""


@transaction.atomic
def enrolment_create(*, user, code: str) -> Enrolment:
    """Enrol ``user`` as a student in the course whose code is ``code`` (case-insensitive).

    Idempotent: a user already enrolled keeps their enrolment (and role). Raises
    ``EnrolmentError`` for an empty or unknown code or a course closed to enrolment.
    """
    code = code.strip().upper()
    if not code:
        raise EnrolmentError("Please type the enrolment code your instructor gave you.")
    course = Course.objects.filter(enrolment_code=code).first()
    if course is None:
        raise EnrolmentError(
            f"No course has the enrolment code “{code}”. Check the spelling with your instructor."
        )
    existing = Enrolment.objects.filter(user=user, course=course).first()
    if existing:
        return existing
    if not course.enrolment_open:
        raise EnrolmentError(f"Enrolment in “{course.title}” is closed. Ask your instructor.")
    return Enrolment.objects.create(user=user, course=course, role=Enrolment.Role.STUDENT)


def role_in(*, user, course: Course) -> str | None:
    """The user's role in ``course`` ("student", "ta", "instructor"), or None if not enrolled.

    Superusers count as instructors everywhere.
    """
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Enrolment.Role.INSTRUCTOR
    return Enrolment.objects.filter(user=user, course=course).values_list("role", flat=True).first()
