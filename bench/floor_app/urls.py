"""The project's URLs plus the floor page (``ROOT_URLCONF`` of ``bench.settings``)."""

from django.urls import path

from bench.floor_app import views
from quizserver.urls import urlpatterns as site

urlpatterns = [path("bench/floor/", views.floor, name="bench_floor"), *site]
