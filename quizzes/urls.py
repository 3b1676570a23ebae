from django.urls import path

from quizzes import image_views, views

app_name = "quizzes"
# <id:...>: a database id of at most 18 digits; a longer one is a 404 (quizserver/converters.py).
urlpatterns = [
    path("<slug:course_slug>/images/<str:digest>/<str:name>", image_views.image, name="image"),
    path("<slug:course_slug>/quizzes/<id:quiz_id>/", views.quiz_page, name="quiz"),
    path("<slug:course_slug>/quizzes/<id:quiz_id>/as/<id:user_id>/", views.quiz_as_student, name="quiz_as_student"),
    path(
        "<slug:course_slug>/quizzes/<id:quiz_id>/questions/<id:question_id>/answer/",
        views.answer,
        name="answer",
    ),
    path(
        "<slug:course_slug>/quizzes/<id:quiz_id>/questions/<id:question_id>/reveal/",
        views.reveal,
        name="reveal",
    ),
    path(
        "<slug:course_slug>/quizzes/<id:quiz_id>/questions/<id:question_id>/new-variant/",
        views.new_variant,
        name="new_variant",
    ),
]
