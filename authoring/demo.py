"""The demo course: its files in content/deep-learning/ (imported like any course) and two demo accounts."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from authoring.services import course_import
from courses.models import Course, Enrolment

DEMO_COURSE = settings.BASE_DIR / "content" / "deep-learning"
INSTRUCTOR = ("instructor", "instructor-demo")
STUDENT = ("student", "student-demo")
STAFF_APPS = ("courses", "quizzes")  # the demo instructor may change everything in these apps' admin


@dataclass(frozen=True)
class DemoAccounts:
    """The demo course and its logins as (username, password) pairs."""

    course_title: str
    course_code: str
    student: tuple[str, str]
    instructor: tuple[str, str]


@transaction.atomic
def demo_load() -> DemoAccounts:
    """Import the demo course (``course_import`` of DEMO_COURSE) and set up its demo accounts."""
    report = course_import(path=DEMO_COURSE)
    return demo_accounts_load(course=Course.objects.get(slug=report.course))


@transaction.atomic
def demo_accounts_load(*, course: Course) -> DemoAccounts:
    """Create or update the demo instructor (staff, with the permissions of STAFF_APPS) and the demo
    student, enrolled in ``course``. Idempotent; a demo password someone changed is reset."""
    instructor = _user_load(*INSTRUCTOR, is_staff=True, first_name="Demo", last_name="Instructor")
    instructor.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=STAFF_APPS))
    student = _user_load(*STUDENT, is_staff=False, first_name="Demo", last_name="Student")
    for user, role in ((instructor, Enrolment.Role.INSTRUCTOR), (student, Enrolment.Role.STUDENT)):
        Enrolment.objects.update_or_create(user=user, course=course, defaults={"role": role})
    return DemoAccounts(
        course_title=str(course), course_code=course.enrolment_code, student=STUDENT, instructor=INSTRUCTOR
    )


def _user_load(username: str, password: str, *, is_staff: bool, first_name: str, last_name: str):
    user, _ = get_user_model().objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@example.com",
            "is_staff": is_staff,
            "is_superuser": False,
            "is_active": True,
        },
    )
    # Checked first so that an unchanged password keeps its hash (a new salt would be a change).
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user
