"""Serve a computed question's quiz page with a broker configured; report whether torch was imported.

``page_report(db_path, broker_url)`` runs this module in a fresh process (as test_tasks.py and
bench/precompute.py do) and returns its report. The process migrates a fresh SQLite database,
creates a course with one computed question per registered generator, renders the quiz page as a
student, and prints one JSON line. Importing this module has no side effects.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def page_env(db_path, broker_url: str) -> dict:
    """The environment of a process of this project on SQLite file ``db_path`` with a broker."""
    env = {**os.environ, "SQLITE_PATH": str(db_path), "STATIC_MANIFEST": "0", "CELERY_BROKER_URL": broker_url,
           "DJANGO_SETTINGS_MODULE": "quizserver.settings"}
    env.pop("DATABASE_URL", None)
    return env


def page_report(db_path, broker_url: str) -> dict:
    """The report of a fresh process serving the page; raises AssertionError if it failed."""
    env = page_env(db_path, broker_url)
    result = subprocess.run([sys.executable, "-m", "quizzes.tests.page_without_torch"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include a forking parent's)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizserver.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from compute.generators import REGISTRY
    from courses.models import Course, Enrolment, Lecture
    from quizzes.models import Question, Quiz, Variant

    call_command("migrate", verbosity=0)
    course = Course.objects.create(slug="c", title="C")
    quiz = Quiz.objects.create(
        lecture=Lecture.objects.create(course=course, number=1, title="L", slug="l"),
        title="Q",
        is_published=True,
    )
    for position, slug in enumerate(sorted(REGISTRY), start=1):
        question = Question(quiz=quiz, position=position, kind="computed", settings={"generator": slug}, prompt="")
        if question.kind_spec.answer_kind(question) != "scalar":
            question.kind = "computed_array"
        question.save()
    student = get_user_model().objects.create_user("s", password="pw")
    Enrolment.objects.create(user=student, course=course)
    client = Client()
    client.force_login(student)
    response = client.get(f"/courses/c/quizzes/{quiz.id}/", secure=True)
    print(json.dumps({
        "status": response.status_code,
        "torch_imported": "torch" in sys.modules,
        "modules": len(sys.modules),
        "max_rss_mb": peak_rss_mb(),
        "questions": quiz.questions.count(),
        "pending_variants": Variant.objects.filter(status="pending").count(),
        "page_has_mn": response.content.decode().count("<mn>"),
    }))


if __name__ == "__main__":
    main()
