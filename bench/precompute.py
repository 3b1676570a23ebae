"""End-to-end precompute benchmark: a 10-question quiz for 1,000 enrolled students on SQLite.

Run: .venv/bin/python bench/precompute.py [--students 1000] [--questions 10] [--slug mlp_backward]
Prints variants/s of ``quiz_precompute`` (sampling, batched solve, conversion and database writes
included) and, in the same run, the floor: the same database inserts of rows solved beforehand (no
compute), so the ratio shows what sampling and solving add. Then the page check: a quiz page served
with a broker configured, in a fresh process (RSS, imported modules, whether torch was imported).
"""

import argparse
import os
import statistics
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
        Question.objects.create(quiz=quiz, position=position, kind=kind, settings={"generator": slug}, prompt="")
    users = User.objects.bulk_create([User(username=f"{course.slug}-{i}") for i in range(students)])
    Enrolment.objects.bulk_create([Enrolment(user=u, course=course) for u in users])
    return quiz


def bare_insert_floor(quiz, students: int) -> float:
    """Rows/s of the same database writes without the compute: rows solved beforehand, then inserted
    for a copy of each question exactly as ``quiz_precompute`` inserts them."""
    import numpy as np
    from django.utils import timezone

    from compute.batch import generate_columns, to_rows
    from quizzes.models import Question
    from quizzes.variants import ready_fields, variants_insert

    student_ids = list(quiz.lecture.course.enrolments.values_list("user_id", flat=True))[:students]
    prepared = []
    for question in Question.objects.filter(quiz=quiz):
        kind = question.kind_spec
        generator, config = kind.generator(question), kind.config(question)
        seeds = list(range(1, len(student_ids) + 1))
        rows = to_rows(generate_columns(generator, np.array(seeds, dtype=np.uint64), config, "cpu"))
        copy = Question.objects.create(quiz=quiz, position=question.position + 1000, kind=question.kind,
                                       settings=question.settings)
        prepared.append((copy, generator.slug, config, seeds, rows))
    start = time.perf_counter()
    for question, slug, config, seeds, rows in prepared:
        now = timezone.now()
        variants_insert([
            {"student_id": student_id, "question_id": question.id, "number": 1, "seed": seed, "generator": slug,
             "config": config, "params": row["params"], "created_at": now,
             **ready_fields(row, compute_ms=0.0, device="cpu")}
            for student_id, seed, row in zip(student_ids, seeds, rows, strict=True)
        ])
    return sum(len(rows) for *_, rows in prepared) / (time.perf_counter() - start)


def page_check() -> dict:
    from quizzes.tests.page_without_torch import page_report

    with tempfile.TemporaryDirectory() as tmp:
        return page_report(f"{tmp}/db.sqlite3", "memory://")


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
            floors.append(bare_insert_floor(quiz, args.students))
        rate, floor = statistics.median(rates), statistics.median(floors)
        print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, SQLite, slug {args.slug}")
        print(
            f"precompute {args.questions} questions x {args.students} students = {made} variants: "
            f"median {rate:,.0f} variants/s over {args.repeat} runs (target >= 10,000/s: "
            f"{'PASS' if rate >= 10_000 else 'FAIL'})"
        )
        print(
            f"floor (the same inserts, rows solved beforehand): {floor:,.0f} rows/s; precompute is "
            f"{rate / floor:.0%} of the floor"
        )
    report = page_check()
    print(
        f"page view with a broker configured: HTTP {report['status']}, torch imported: "
        f"{report['torch_imported']}, {report['modules']} modules, max RSS {report['max_rss_mb']} MB"
    )


if __name__ == "__main__":
    main()
