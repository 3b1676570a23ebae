"""What each user may read through the API: every view's queryset starts here, from ``request.user``.

DRF's generic list views apply no object permissions, so nothing is listed or looked up except
through these functions. Objects outside them answer 404, whatever the reason (not enrolled,
another course, another student, not published yet), so an id never tells whether it exists.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from courses.models import Course, Enrolment, Lecture
from quizzes.models import Question, Quiz, Submission
from quizzes.states import QuestionState


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
    """Questions staff may read, and those students may answer now (published, released, open)."""
    now = now or timezone.now()
    studying = (
        Q(
            quiz__lecture__course__in=courses_for(user),
            quiz__is_published=True,
        )
        & (Q(quiz__lecture__release_date__isnull=True) | Q(quiz__lecture__release_date__lte=now))
        & (Q(quiz__opens_at__isnull=True) | Q(quiz__opens_at__lte=now))
    )
    teaching = Q(quiz__lecture__course__in=Course.objects.staffed_by(user))
    return Question.objects.filter(studying | teaching)


def own_submissions(user):
    """The user's own submissions, in any course."""
    return Submission.objects.for_user(user)


def own_submission_states(*, user, submissions, now) -> dict[int, QuestionState]:
    """Variant id -> the quiz page's state of that variant for ``user``, for ``submissions`` (theirs).

    The state decides, as on the quiz page, whether the variant's solution and the grading
    feedback may be shown. Callers pass submissions with ``variant__question__quiz`` loaded;
    one query whatever their number.
    """
    variants = {s.variant_id: s.variant for s in submissions}
    graded = (
        own_submissions(user)
        .graded()
        .only("id", "variant_id", "status", "score")
        .order_by("created_at", "id")
    )
    if len(variants) <= 500:
        graded = graded.filter(variant_id__in=list(variants))
    tries: dict[int, list[Submission]] = {variant_id: [] for variant_id in variants}
    for submission in graded:
        if submission.variant_id in tries:
            tries[submission.variant_id].append(submission)
    return {
        variant_id: QuestionState(
            quiz=variant.question.quiz,
            question=variant.question,
            number=0,
            variant=variant,
            submissions=tries[variant_id],
            html={},
            choice_html={},
            now=now,
        )
        for variant_id, variant in variants.items()
    }


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
    """The submissions of ``course``'s students (not the staff's previews); the caller checked access."""
    return Submission.objects.filter(variant__question__quiz__lecture__course=course).exclude(
        variant__student_id__in=course_staff_ids(course)
    )


def course_students(course):
    """Users with a variant in ``course`` who are not its staff (students, also former ones)."""
    users = get_user_model().objects.filter(variants__question__quiz__lecture__course=course)
    return users.exclude(id__in=course_staff_ids(course)).distinct()
