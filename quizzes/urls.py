from django.urls import path

from quizzes import views

app_name = "quizzes"
urlpatterns = [
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
]
