"""quizserver project package; loads the Celery app so that tasks bind to it."""

from quizserver.celery import app as celery_app

__all__ = ("celery_app",)
