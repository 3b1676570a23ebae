"""Query filters of the API lists. A bad value is a 400 naming the parameter, never a 500.

Ids in filters only match objects the user may read (a foreign id reads like an unknown one:
"Select a valid choice"), so filters leak nothing either. Dates are ISO 8601: a date
(``2026-11-02``, midnight in the server's time zone) or a date-time with an optional offset.
"""

import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend

from api import access
from courses.models import Lecture
from quizzes.models import Question, Quiz, Submission


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend; a view may pass more arguments to its filterset (``filterset_extra``)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        extra = getattr(view, "filterset_extra", None)
        return {**kwargs, **(extra() if extra else {})}


CHOICE_ERROR = "Select a valid choice: no such id among the objects you may read."


class IsoDateTimeField(forms.DateTimeField):
    """An ISO 8601 date or date-time; a naive one is in the server's time zone."""

    default_error_messages = {"invalid": "Enter an ISO 8601 date or date-time, e.g. 2026-11-02T14:30:00Z."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            parsed = datetime.datetime.fromisoformat(str(value).strip())
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            parsed.astimezone(datetime.UTC)  # years at the edge of the range overflow here
        except (ValueError, OverflowError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return parsed


class IsoDateTimeFilter(django_filters.Filter):
    field_class = IsoDateTimeField


def _id_filter(field_name: str, queryset, label: str) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=queryset,
        label=label,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )


def _readable(read):
    """A django-filter queryset callable: what ``read(user)`` lets the requesting user read."""

    def queryset(request):
        return read(getattr(request, "user", None) or AnonymousUser())

    return queryset


_user_courses = _readable(access.courses_for)
_user_lectures = _readable(access.lectures_for)
_user_quizzes = _readable(access.quizzes_for)
_user_questions = _readable(access.questions_for)


class CourseSlugFilter(django_filters.ModelChoiceFilter):
    """A course given by its slug, among the user's courses."""

    def __init__(self, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault(
            "error_messages", {"invalid_choice": "No course with this slug among your courses."}
        )
        super().__init__(**kwargs)


class LectureFilter(django_filters.FilterSet):
    course = CourseSlugFilter(field_name="course", queryset=_user_courses, label="Course slug.")


class QuizFilter(django_filters.FilterSet):
    course = CourseSlugFilter(field_name="lecture__course", queryset=_user_courses, label="Course slug.")
    lecture = _id_filter("lecture", _user_lectures, "Lecture id.")


class QuestionFilter(django_filters.FilterSet):
    course = CourseSlugFilter(
        field_name="quiz__lecture__course", queryset=_user_courses, label="Course slug."
    )
    lecture = _id_filter("quiz__lecture", _user_lectures, "Lecture id.")
    quiz = _id_filter("quiz", _user_quizzes, "Quiz id.")


class SubmissionFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("created_after"), data.get("created_before")
        if start and end and end <= start:
            self.add_error("created_before", "created_before must be later than created_after.")
        return data


class SubmissionFilter(django_filters.FilterSet):
    """Filters shared by a student's own submissions and a course's results."""

    status = django_filters.ChoiceFilter(
        choices=Submission.Status.choices,
        label="Submission status.",
        error_messages={"invalid_choice": "Unknown status; use one of pending, graded, invalid, error."},
    )
    created_after = IsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        label="Submitted at or after (ISO 8601 date or date-time).",
    )
    created_before = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", label="Submitted before (ISO 8601 date or date-time)."
    )

    class Meta:
        form = SubmissionFilterForm


class MySubmissionFilter(SubmissionFilter):
    course = CourseSlugFilter(
        field_name="variant__question__quiz__lecture__course", queryset=_user_courses, label="Course slug."
    )
    lecture = _id_filter("variant__question__quiz__lecture", _user_lectures, "Lecture id.")
    quiz = _id_filter("variant__question__quiz", _user_quizzes, "Quiz id.")
    question = _id_filter("variant__question", _user_questions, "Question id.")


class ResultFilter(SubmissionFilter):
    """A course's results; ids (and lecture numbers) only match objects of ``course``."""

    lecture = django_filters.ModelChoiceFilter(
        field_name="variant__question__quiz__lecture",
        to_field_name="number",
        queryset=Lecture.objects.none(),
        label="Lecture number in the course (as in the rows' lecture column).",
        error_messages={"invalid_choice": "No lecture with this number in this course."},
    )
    quiz = _id_filter("variant__question__quiz", Quiz.objects.none(), "Quiz id.")
    question = _id_filter("variant__question", Question.objects.none(), "Question id.")
    student = django_filters.ModelChoiceFilter(
        field_name="variant__student",
        queryset=get_user_model().objects.none(),
        label="Student (user) id.",
        error_messages={"invalid_choice": "No student with this id has answered in this course."},
    )

    def __init__(self, *args, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        if course is not None:
            self.filters["lecture"].queryset = course.lectures.all()
            self.filters["quiz"].queryset = Quiz.objects.filter(lecture__course=course)
            self.filters["question"].queryset = Question.objects.filter(quiz__lecture__course=course)
            self.filters["student"].queryset = access.course_students(course)
