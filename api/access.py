"""What each user may read through the API: every view's queryset starts here, from ``request.user``.

DRF's generic list views apply no object permissions, so nothing is listed or looked up except
through these functions. Objects outside them answer 404, whatever the reason (not enrolled,
another course, another student, not published yet), so an id never tells whether it exists.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from courses.models import Course, Enrolment, Lecture
from quizzes import mastery, visibility
from quizzes.models import Question, Quiz, Submission, Variant


def courses_for(user):
    """Courses the user is enrolled in, in any role (superusers: all)."""
    return Course.objects.for_user(user)


def staffed_course_ids(user) -> set[int]:
    """Ids of the courses the user teaches (TA or instructor; superusers: all)."""
    return set(Course.objects.staffed_by(user).values_list("id", flat=True))


def lectures_for(user):
    return Lecture.objects.filter(course__in=courses_for(user))


def quizzes_for(user):
    """Quizzes of the user's courses: staff see unpublished ones too, students only published ones."""
    return Quiz.objects.visible_to(user)


def questions_for(user, now=None):
    """Questions staff may read, and those students may answer now (``Question.objects.available_to``)."""
    return Question.objects.available_to(user, now or timezone.now())


def own_submissions(user):
    """The user's own submissions, in any course."""
    return Submission.objects.for_user(user)


@dataclass(frozen=True)
class Shown:
    """What a student may see of one variant now (the quiz page's rules, ``quizzes.visibility``)."""

    feedback: bool
    solution: bool


def shown_for(*, user, submissions, now) -> dict[int, Shown]:
    """Variant id -> what ``user`` may see of it now, for ``submissions`` (theirs).

    Callers pass submissions with ``variant__question__quiz`` loaded; one query whatever their number.
    """
    variants = {s.variant_id: s.variant for s in submissions}
    tries = own_submissions(user).filter(try_number__isnull=False).only("id", "variant_id", "status", "score")
    if len(variants) <= 500:
        tries = tries.filter(variant_id__in=list(variants))
    used: dict[int, int] = dict.fromkeys(variants, 0)
    correct: set[int] = set()
    for submission in tries:
        if submission.variant_id in used:
            used[submission.variant_id] += 1
            if mastery.is_correct(submission):
                correct.add(submission.variant_id)
    shown = {}
    for variant_id, variant in variants.items():
        quiz = variant.question.quiz
        shown[variant_id] = Shown(
            feedback=visibility.feedback_visible(quiz, now),
            solution=visibility.solution_visible(
                quiz, now, ever_correct=variant_id in correct, revealed=variant.revealed_at is not None,
                tries_left=visibility.tries_left(quiz, used[variant_id]),
            ),
        )
    return shown


def staffed_course(*, user, slug: str) -> Course:
    """The course ``slug`` if ``user`` teaches it.

    404 for a course the user is not enrolled in (or that does not exist), 403 for a student of
    the course (who knows the course exists, and learns nothing more).
    """
    course = Course.objects.staffed_by(user).filter(slug=slug).first()
    if course is None:
        get_object_or_404(courses_for(user), slug=slug)
        raise PermissionDenied("Only the course's instructors and teaching assistants may read this.")
    return course


def course_staff_ids(course):
    """The course's TAs and instructors, as a subquery of user ids."""
    return Enrolment.objects.filter(course=course, role__in=Enrolment.Role.staff_roles()).values("user_id")


def course_submissions(course):
    """The submissions of ``course``'s students (not the staff's previews); the caller checked access.

    The course's variants as a subquery rather than a join up to the course: SQLite then reads the
    submissions with far less sorting (the export of 1M rows: first rows in half the time)."""
    variants = Variant.objects.filter(question__quiz__lecture__course=course).values("id")
    return Submission.objects.filter(variant_id__in=Subquery(variants)).exclude(
        variant__student_id__in=course_staff_ids(course)
    )


def course_students(course):
    """Users with a variant in ``course`` who are not its staff (students, also former ones)."""
    users = get_user_model().objects.filter(variants__question__quiz__lecture__course=course)
    return users.exclude(id__in=course_staff_ids(course)).distinct()
