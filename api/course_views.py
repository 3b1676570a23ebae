"""Staff endpoints of one course (/api/v1/courses/<slug>/...): results, statistics, progress.

Only the course's TAs and instructors (and superusers) get an answer: a student of the course
gets 403, anyone else 404. The full results export (CSV) streams in constant memory.
"""

import dataclasses

from django.db.models import F
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import access, openapi, serializers
from api.base import ApiView, LatestFirstCursorPagination, ListViewSet, file_format, wants_file
from api.exports import RESULT_COLUMNS, results_response
from api.filters import ResultFilter
from api.views import lecture_row
from progress.statistics import question_statistics, student_overview
from quizzes.models import Quiz, Submission

SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="Course slug.")
QUIZ = OpenApiParameter(
    "quiz", OpenApiTypes.INT, description="Quiz id (a quiz of the course).", required=True
)
RESULTS = (
    "One row per submission of the course's students (staff previews left out). JSON: cursor pages, "
    "newest first. CSV or XLSX (`format=xlsx`, an Excel workbook): every matching row in one streamed file, "
    "oldest first, with more columns than the JSON rows: the course, lecture, quiz and question titles, "
    "`answer` (choices by their texts joined with \"; \", anything else as typed), `correct_answer`, "
    "`max_points`, `mistake_message` and `seconds` (see docs/api.md); timestamps in UTC; cells that a "
    "spreadsheet would run as formulas start with an apostrophe."
)


class CourseStaffMixin:
    def course(self):
        if not hasattr(self, "_course"):
            self._course = access.staffed_course(user=self.request.user, slug=self.kwargs["slug"])
        return self._course


@extend_schema_view(
    list=openapi.read_schema(
        serializers.ResultSerializer, summary="Results of a course", description=RESULTS, parameters=[SLUG]
    ),
)
class ResultViewSet(CourseStaffMixin, ListViewSet):
    """Every submission of the course: JSON pages, or one streamed CSV file."""

    queryset = Submission.objects.none()  # for the schema; the rows come from get_queryset()
    serializer_class = serializers.ResultSerializer
    filterset_class = ResultFilter
    pagination_class = LatestFirstCursorPagination

    def get_queryset(self):
        return access.course_submissions(self.course())

    def filterset_extra(self) -> dict:
        return {"course": self.course()}

    def list(self, request, *args, **kwargs):
        submissions = self.filter_queryset(self.get_queryset())
        if wants_file(request):
            course = self.course()
            return results_response(submissions, course=course, filename=f"{course.slug}-results",
                                    format=file_format(request))
        rows = submissions.values(
            *(name for name, path in RESULT_COLUMNS.items() if name == path),
            **{name: F(path) for name, path in RESULT_COLUMNS.items() if name != path},
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.serialize(page))


def statistics_row(item) -> dict:
    """A ``QuestionStatistics`` as an API row (lists of objects instead of tuples and a mapping)."""
    row = dataclasses.asdict(item)
    row["wrong_answers"] = [{"answer": answer, "count": count} for answer, count in item.wrong_answers]
    row["mistakes"] = [{"name": name, "share": share} for name, share in item.mistakes.items()]
    row["steps"] = None if item.steps is None else {
        "students": item.steps.students,
        "none_wrong": item.steps.none_wrong,
        "steps": [{"number": f.number, "step": f.step, "symbol": f.symbol, "title": f.title, "tries": f.marked,
                   **f.shares, "first_wrong": f.first_wrong, "wrong_value": f.wrong_value,
                   "wrong_count": f.wrong_count, "wrong_mistake": f.wrong_mistake} for f in item.steps.steps],
    }
    return row


class StatisticsView(CourseStaffMixin, ApiView):
    """Per-question statistics of one quiz of the course."""

    @extend_schema(parameters=[SLUG])
    @openapi.read_schema(
        serializers.QuestionStatisticsSerializer(many=True),
        summary="Statistics per question of a quiz",
        description="One row per question of the quiz, in quiz order, over the course's students.",
        parameters=[QUIZ],
    )
    def get(self, request, slug):
        course, quiz_id = self.course(), request.query_params.get("quiz", "")
        if not quiz_id:
            raise ValidationError({"quiz": ["This parameter is required: a quiz id."]})
        quiz = None
        if quiz_id.isascii() and quiz_id.isdigit() and int(quiz_id) < 2**63:
            quiz = Quiz.objects.filter(lecture__course=course, pk=int(quiz_id)).first()
        if quiz is None:
            raise ValidationError({"quiz": ["No quiz with this id in this course."]})
        rows = [statistics_row(item) for item in question_statistics(quiz=quiz)]
        return Response(serializers.QuestionStatisticsSerializer(rows, many=True).data)


class CourseProgressView(CourseStaffMixin, ApiView):
    """Progress per lecture of every student of the course."""

    @extend_schema(parameters=[SLUG])
    @openapi.read_schema(
        serializers.StudentProgressSerializer(many=True),
        summary="Progress of every student of a course",
        description=(
            "JSON: one row per student (by username) with a row per lecture. "
            "CSV: one row per student and lecture."
        ),
    )
    def get(self, request, slug):
        course = self.course()
        lectures = list(course.lectures.order_by("number"))
        rows = [
            {
                "student_id": row.user_id,
                "student_username": row.username,
                "lectures": [lecture_row(lecture, row.lectures.get(lecture.id)) for lecture in lectures],
            }
            for row in student_overview(course=course)
        ]
        data = serializers.StudentProgressSerializer(rows, many=True).data
        if wants_file(request):
            data = [{"student": item["student"], **lecture} for item in data for lecture in item["lectures"]]
        return Response(data)
