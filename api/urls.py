"""API routes: /api/v1/ (read endpoints), /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI, offline),
/api/token/ (the page where staff create and revoke their API token)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import course_views, live_views, views
from courses import api_tokens

router = SimpleRouter()
router.register("courses", views.CourseViewSet, basename="course")
router.register("lectures", views.LectureViewSet, basename="lecture")
router.register("quizzes", views.QuizViewSet, basename="quiz")
router.register("questions", views.QuestionViewSet, basename="question")
router.register("me/submissions", views.MySubmissionViewSet, basename="my-submission")
router.register(r"courses/(?P<slug>[^/]+)/results", course_views.ResultViewSet, basename="course-result")

app_name = "api"
v1 = [
    path("me/progress/", views.MyProgressView.as_view(), name="my-progress"),
    path("courses/<str:slug>/statistics/", course_views.StatisticsView.as_view(), name="course-statistics"),
    path("courses/<str:slug>/progress/", course_views.CourseProgressView.as_view(), name="course-progress"),
    path("courses/<str:slug>/live-sessions/", live_views.LiveSessionsView.as_view(), name="course-live-sessions"),
    *router.urls,
]
urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",  # its script comes from ?script and its style from a file: no inline code (CSP)
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("token/", api_tokens.token_page, name="token"),
    re_path(r"^", views.NotFoundView.as_view()),  # any other /api/ address: a JSON 404, not an HTML page
]
