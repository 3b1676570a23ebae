"""Who may open which course page and quiz: every quiz view starts here."""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.utils import timezone

from courses.models import Course, Enrolment
from courses.services import role_in
from quizzes.models import Quiz


class Unavailable(Exception):
    """The page cannot be shown to this user; ``title``/``message`` explain why, ``status`` is HTTP."""

    def __init__(self, title: str, message: str, status: int, course: Course | None = None):
        super().__init__(message)
        self.title, self.message, self.status, self.course = title, message, status, course


def unavailable_response(request, error: Unavailable) -> TemplateResponse:
    """The page saying why ``error``'s page cannot be shown, with its status."""
    context = {"title": error.title, "message": error.message, "course": error.course}
    return TemplateResponse(request, "unavailable.html", context, status=error.status)


@dataclass(frozen=True)
class CourseAccess:
    course: Course
    role: str

    @property
    def is_staff(self) -> bool:
        return self.role in Enrolment.Role.staff_roles()


def course_access(*, user, course_slug: str, courses=None) -> CourseAccess:
    """The course and the user's role in it; raises ``Unavailable`` (404 unknown, 403 not enrolled).

    ``courses``: the queryset to look the course up in (e.g. with ``select_related``); default all.
    """
    course = (courses if courses is not None else Course.objects).filter(slug=course_slug).first()
    if course is None:
        raise Unavailable("Course not found", "There is no course at this address.", 404)
    role = role_in(user=user, course=course)
    if role is None:
        raise Unavailable(
            "Not enrolled",
            f"You are not enrolled in “{course.title}”. Enrol with the code your instructor gave you.",
            403,
            course,
        )
    return CourseAccess(course=course, role=role)


def quiz_access(*, user, course_slug: str, quiz_id: int, now=None) -> tuple[Quiz, CourseAccess]:
    """The quiz, if ``user`` may open it now (``Quiz.may_be_opened_by``, the rule the API's
    ``Quiz.objects.available_to`` states in SQL).

    Otherwise ``Unavailable``: the course's 404 or 403 (``course_access``), 404 for a quiz that does
    not exist in the course or is not published (its existence is not told), 403 with the date for
    one that opens later. One query when the quiz may be opened (the common case).
    """
    now = now or timezone.now()
    role = Enrolment.objects.filter(user=user, course=OuterRef("lecture__course")).values("role")[:1]
    found = list(
        Quiz.objects.select_related("lecture__course")
        .filter(pk=quiz_id, lecture__course__slug=course_slug)
        .annotate(viewer_role=Subquery(role))
        .order_by()[:1]
    )
    quiz = found[0] if found else None
    if quiz is not None:
        viewer = Enrolment.Role.INSTRUCTOR if user.is_superuser else quiz.viewer_role
        if viewer is not None and quiz.may_be_opened_by(viewer, now):
            return quiz, CourseAccess(course=quiz.lecture.course, role=viewer)
    access = course_access(user=user, course_slug=course_slug)  # the course's own 404 or 403
    if quiz is None or not quiz.is_published:
        raise Unavailable("Quiz not available", "This quiz does not exist or is not published yet.", 404)
    when = max(d for d in (quiz.lecture.release_date, quiz.opens_at) if d is not None)
    local = timezone.localtime(when).strftime("%A %d %B %Y, %H:%M")
    raise Unavailable("Quiz not open yet", f"“{quiz.title}” opens on {local}.", 403, access.course)
