"""Serve a computed question's quiz page with a broker configured; report whether torch was imported.

Run as a script (by test_tasks.py and bench/precompute.py's page check) with SQLITE_PATH and
CELERY_BROKER_URL set: it migrates a fresh database, creates a course with one computed question
per registered generator, renders the quiz page as a student, and prints one JSON line.
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizserver.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from compute.generators import REGISTRY  # noqa: E402
from courses.models import Course, Enrolment, Lecture  # noqa: E402
from quizzes import computed  # noqa: E402
from quizzes.models import Question, Quiz, Variant  # noqa: E402


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include a forking parent's)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def main() -> None:
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    course = Course.objects.create(slug="c", title="C")
    quiz = Quiz.objects.create(
        lecture=Lecture.objects.create(course=course, number=1, title="L", slug="l"),
        title="Q",
        is_published=True,
    )
    for position, slug in enumerate(sorted(REGISTRY), start=1):
        question = Question(quiz=quiz, position=position, kind="computed", generator=slug, prompt="")
        if computed.answer_kind(question) != "scalar":
            question.kind = "computed_array"
        question.save()
    student = get_user_model().objects.create_user("s", password="pw")
    Enrolment.objects.create(user=student, course=course)
    client = Client()
    client.force_login(student)
    response = client.get(f"/courses/c/quizzes/{quiz.id}/", secure=True)
    print(
        json.dumps(
            {
                "status": response.status_code,
                "torch_imported": "torch" in sys.modules,
                "modules": len(sys.modules),
                "max_rss_mb": peak_rss_mb(),
                "questions": quiz.questions.count(),
                "pending_variants": Variant.objects.filter(status="pending").count(),
                "page_has_mn": response.content.decode().count("<mn>"),
            }
        )
    )


if __name__ == "__main__":
    main()
