from django.urls import path

from quizzes import progress_views, views

app_name = "quizzes"
urlpatterns = [
    path("<slug:course_slug>/", views.course_page, name="course"),
    path("<slug:course_slug>/quizzes/<int:quiz_id>/", views.quiz_page, name="quiz"),
    path(
        "<slug:course_slug>/quizzes/<int:quiz_id>/questions/<int:question_id>/answer/",
        views.answer,
        name="answer",
    ),
    path(
        "<slug:course_slug>/quizzes/<int:quiz_id>/questions/<int:question_id>/reveal/",
        views.reveal,
        name="reveal",
    ),
    path(
        "<slug:course_slug>/quizzes/<int:quiz_id>/questions/<int:question_id>/new-variant/",
        views.new_variant,
        name="new_variant",
    ),
    path("<slug:course_slug>/progress/", progress_views.progress_page, name="progress"),
    path(
        "<slug:course_slug>/quizzes/<int:quiz_id>/statistics/",
        progress_views.statistics_page,
        name="quiz_statistics",
    ),
    path("<slug:course_slug>/students/", progress_views.students_page, name="students"),
    path(
        "<slug:course_slug>/students/<int:user_id>/",
        progress_views.student_submissions_page,
        name="student_submissions",
    ),
]
