"""End-to-end precompute benchmark: a 10-question quiz for 1,000 enrolled students on SQLite.

Run: .venv/bin/python bench/precompute.py [--students 1000] [--questions 10] [--slug mlp_backward]
Prints variants/s of ``quiz_precompute`` (sampling, batched solve, conversion and database writes
included) and, in the same run, the floor: a bare bulk insert of the same rows into the same table
(no compute), so the ratio shows what the compute adds. Then the page check: a quiz page served
with a broker configured, in a fresh process (RSS, imported modules, whether torch was imported).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(db_path: str) -> None:
    os.environ.update(DJANGO_SETTINGS_MODULE="quizserver.settings", SQLITE_PATH=db_path)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_quiz(students: int, questions: int, slug: str):
    from django.contrib.auth import get_user_model

    from compute.generators import get_generator
    from courses.models import Course, Enrolment, Lecture
    from quizzes.models import Question, Quiz

    User = get_user_model()
    course = Course.objects.create(slug=f"bench-{time.time_ns()}", title="Bench")
    lecture = Lecture.objects.create(course=course, number=1, title="L", slug="l")
    quiz = Quiz.objects.create(lecture=lecture, title="Q", is_published=True)
    kind = "computed" if get_generator(slug).answer_kind == "scalar" else "computed_array"
    for position in range(questions):
        Question.objects.create(quiz=quiz, position=position, kind=kind, generator=slug, prompt="")
    users = User.objects.bulk_create([User(username=f"{course.slug}-{i}") for i in range(students)])
    Enrolment.objects.bulk_create([Enrolment(user=u, course=course) for u in users])
    return quiz


def bare_insert_floor(quiz, rows: int) -> float:
    """Seconds to bulk-insert ``rows`` variant rows carrying the same data (no compute)."""
    from quizzes.models import Variant

    sample = list(Variant.objects.filter(question__quiz=quiz)[:rows])
    for v in sample:
        v.pk, v.number = None, v.number + 1000
    start = time.perf_counter()
    Variant.objects.bulk_create(sample, batch_size=2000)
    return time.perf_counter() - start


def page_check() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SQLITE_PATH": f"{tmp}/db.sqlite3",
            "CELERY_BROKER_URL": "memory://",
            "STATIC_MANIFEST": "0",
        }
        result = subprocess.run(
            [sys.executable, "-m", "quizzes.tests.page_without_torch"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--slug", default="mlp_backward")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(f"{tmp}/bench.sqlite3")
        import torch

        from quizzes.variants import quiz_precompute

        rates, floors = [], []
        for _ in range(args.repeat):
            quiz = make_quiz(args.students, args.questions, args.slug)
            start = time.perf_counter()
            made = quiz_precompute(quiz_id=quiz.id)
            seconds = time.perf_counter() - start
            rates.append(made / seconds)
            floors.append(made / bare_insert_floor(quiz, made))
        rate, floor = statistics.median(rates), statistics.median(floors)
        print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, SQLite, slug {args.slug}")
        print(
            f"precompute {args.questions} questions x {args.students} students = {made} variants: "
            f"median {rate:,.0f} variants/s over {args.repeat} runs (target >= 10,000/s: "
            f"{'PASS' if rate >= 10_000 else 'FAIL'})"
        )
        print(
            f"floor (bare bulk insert of the same rows): {floor:,.0f} rows/s; precompute is "
            f"{rate / floor:.0%} of the floor"
        )
    report = page_check()
    print(
        f"page view with a broker configured: HTTP {report['status']}, torch imported: "
        f"{report['torch_imported']}, {report['modules']} modules, max RSS {report['max_rss_mb']} MB"
    )


if __name__ == "__main__":
    main()
