"""Live sessions: the student's side at /live/ (short, to type from a projector)."""

from django.urls import path

from live import views

app_name = "live"

urlpatterns = [
    path("", views.join, name="join"),
    path("<str:code>/", views.phone, name="phone"),
    path("<str:code>/question/", views.question, name="question"),
    path("<str:code>/answer/", views.answer, name="answer"),
    path("<str:code>/events/", views.events, name="events"),
]
