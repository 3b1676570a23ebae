"""Live sessions, the staff's side: under /courses/<slug>/live/ (mounted in quizserver/urls.py).

``<id:...>``: a database id of at most 18 digits; a longer one is a 404 (quizserver/converters.py)."""

from django.urls import path

from live import staff_views as views

app_name = "live_staff"
urlpatterns = [
    path("<slug:course_slug>/live/", views.sessions, name="sessions"),
    path("<slug:course_slug>/live/<id:session_id>/", views.presenter, name="presenter"),
    path("<slug:course_slug>/live/<id:session_id>/stage/", views.stage, name="stage"),
    path("<slug:course_slug>/live/<id:session_id>/state/", views.state, name="state"),
    path("<slug:course_slug>/live/<id:session_id>/events/", views.events, name="events"),
    path("<slug:course_slug>/live/<id:session_id>/control/", views.control, name="control"),
    path("<slug:course_slug>/live/<id:session_id>/results/", views.results, name="results"),
    path("<slug:course_slug>/live/<id:session_id>/results/answers.csv", views.answers_csv, name="answers_csv"),
]
