from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self):
        # Register the Celery tasks in every process (web included): ``quizzes.variants`` queues
        # solving by task name, so that it need not import the tasks module that calls into it.
        from quizzes import tasks  # noqa: F401
