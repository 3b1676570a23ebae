from django.apps import AppConfig
from django.core import checks
from django.urls import register_converter

from quizserver.checks import development_key_check
from quizserver.converters import DatabaseIdConverter


class QuizserverConfig(AppConfig):
    """The project package as an app: its system checks (quizserver/checks.py) and the path
    converters every app's URLs use (quizserver/converters.py), set up before any URL is loaded."""

    name = "quizserver"
    verbose_name = "quizserver"

    def ready(self) -> None:
        checks.register(development_key_check, checks.Tags.security, deploy=True)
        register_converter(DatabaseIdConverter, "id")
