"""Read endpoints of /api/v1/ for every enrolled user: courses, lectures, quizzes, questions, and
the user's own submissions and progress. Staff endpoints of a course are in ``course_views``.

Every queryset starts from ``request.user`` (``api.access``): an object the user may not
read is a 404, in a list as in a detail.
"""

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api import access, openapi, serializers
from api.base import ApiView, LatestFirstCursorPagination, ReadOnlyViewSet
from api.filters import LectureFilter, MySubmissionFilter, QuestionFilter, QuizFilter
from courses.models import Course, Enrolment, Lecture
from progress.reports import class_progress
from quizzes.models import Choice, Question, Quiz, Submission

COURSE = OpenApiParameter("course", OpenApiTypes.STR, description="Course slug.", required=True)


@extend_schema_view(
    list=openapi.read_schema(serializers.CourseSerializer, summary="Your courses", errors=(400, 403, 429)),
    retrieve=openapi.read_schema(serializers.CourseSerializer, summary="One of your courses"),
)
class CourseViewSet(ReadOnlyViewSet):
    """Courses you are enrolled in, with your role; a course is looked up by its slug."""

    queryset = Course.objects.none()  # for the schema; the rows come from get_queryset()
    serializer_class = serializers.CourseSerializer
    lookup_field = "slug"

    def get_queryset(self):
        role = Enrolment.objects.filter(course=OuterRef("pk"), user=self.request.user).values("role")[:1]
        return access.courses_for(self.request.user).annotate(api_role=Subquery(role)).order_by("id")


@extend_schema_view(
    list=openapi.read_schema(serializers.LectureSerializer, summary="Lectures of your courses"),
    retrieve=openapi.read_schema(serializers.LectureSerializer, summary="One lecture"),
)
class LectureViewSet(ReadOnlyViewSet):
    """Lectures of your courses (filter: `course`)."""

    queryset = Lecture.objects.none()  # for the schema; the rows come from get_queryset()
    serializer_class = serializers.LectureSerializer
    filterset_class = LectureFilter

    def get_queryset(self):
        return access.lectures_for(self.request.user).select_related("course")


@extend_schema_view(
    list=openapi.read_schema(
        serializers.QuizSerializer,
        summary="Quizzes of your courses",
        description="Students see published ones.",
    ),
    retrieve=openapi.read_schema(serializers.QuizSerializer, summary="One quiz"),
)
class QuizViewSet(ReadOnlyViewSet):
    """Quizzes of your courses: students see published ones (filters: `course`, `lecture`)."""

    queryset = Quiz.objects.none()  # for the schema; the rows come from get_queryset()
    serializer_class = serializers.QuizSerializer
    filterset_class = QuizFilter

    def get_queryset(self):
        return access.quizzes_for(self.request.user).select_related("lecture__course")


QUESTIONS = (
    "Students see the questions they may answer now (published quiz, released lecture, quiz opened), "
    "without answers: `grading` is there only for staff of the question's course."
)


@extend_schema_view(
    list=openapi.read_schema(serializers.QuestionSerializer, summary="Questions", description=QUESTIONS),
    retrieve=openapi.read_schema(
        serializers.QuestionSerializer, summary="One question", description=QUESTIONS
    ),
)
class QuestionViewSet(ReadOnlyViewSet):
    """Questions: students see those they may answer now, without answers; staff also `grading`."""

    queryset = Question.objects.none()  # for the schema; the rows come from get_queryset()
    serializer_class = serializers.QuestionSerializer
    filterset_class = QuestionFilter

    def get_queryset(self):
        choices = Prefetch("choices", queryset=Choice.objects.order_by("position", "id"))
        return (
            access.questions_for(self.request.user).select_related("quiz__lecture").prefetch_related(choices)
        )

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "staffed_course_ids": access.staffed_course_ids(self.request.user),
        }


MY_SUBMISSIONS = (
    "Your own answers, newest first. `score`, `points` and `feedback` are withheld while the quiz "
    "withholds feedback; `answer` is null until the variant's solution is visible to you."
)


@extend_schema_view(
    list=openapi.read_schema(
        serializers.MySubmissionSerializer, summary="Your submissions", description=MY_SUBMISSIONS
    ),
    retrieve=openapi.read_schema(
        serializers.MySubmissionSerializer, summary="One of your submissions", description=MY_SUBMISSIONS
    ),
)
class MySubmissionViewSet(ReadOnlyViewSet):
    """Your own submissions, newest first (filters: course, lecture, quiz, question, status, dates)."""

    queryset = Submission.objects.none()  # for the schema; the rows come from get_queryset()
    serializer_class = serializers.MySubmissionSerializer
    filterset_class = MySubmissionFilter
    pagination_class = LatestFirstCursorPagination

    def get_queryset(self):
        return (
            access.own_submissions(self.request.user)
            .select_related("variant__question__quiz__lecture__course")
            .prefetch_related("variant__question__choices")
            .order_by("-created_at", "-id")
        )

    def serialize(self, objects, many: bool = True):
        items = list(objects) if many else [objects]
        shown = access.shown_for(user=self.request.user, submissions=items, now=timezone.now())
        context = {**self.get_serializer_context(), "shown": shown}
        return self.get_serializer(items if many else objects, many=many, context=context).data


class MyProgressView(ApiView):
    """Your progress per lecture in one course."""

    @openapi.read_schema(
        serializers.LectureProgressSerializer(many=True),
        summary="Your progress in a course",
        description="One row per lecture: questions mastered (latest graded try correct), tried, total.",
        parameters=[COURSE],
        errors=(400, 403, 429),
    )
    def get(self, request):
        slug = request.query_params.get("course")
        if not slug:
            raise ValidationError({"course": ["This parameter is required: a course slug."]})
        course = access.courses_for(request.user).filter(slug=slug).first()
        if course is None:
            raise ValidationError({"course": ["No course with this slug among your courses."]})
        progress = class_progress(course=course, student_ids=[request.user.id], for_students=True)[request.user.id]
        rows = [
            lecture_row(lecture, progress.get(lecture.id)) for lecture in course.lectures.order_by("number")
        ]
        return Response(serializers.LectureProgressSerializer(rows, many=True).data)


def lecture_row(lecture, progress) -> dict:
    """A lecture's progress as an API row (zeros for a lecture without questions)."""
    names = ("total", "tried", "mastered", "percent", "tries", "correct", "seconds")
    counts = {name: getattr(progress, name) if progress else 0 for name in names}
    counts["seconds"] = round(counts["seconds"], 1)  # 50.6, not 50.564180999999984
    return {"lecture": lecture.id, "number": lecture.number, "title": lecture.title, **counts}


@extend_schema(exclude=True)
class NotFoundView(ApiView):
    """Any /api/ address that is no endpoint: a JSON 404 like every other API error."""

    permission_classes = []

    def get(self, request, *args, **kwargs):
        raise NotFound("No API endpoint at this address (addresses end with a slash).")

    post = put = patch = delete = get
