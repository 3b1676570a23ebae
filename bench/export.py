"""Results export benchmark: N submissions as CSV through the real view, on SQLite.

Run: .venv/bin/python bench/export.py [--rows 1000000] [--rounds 2] [--strict]

Makes a temporary SQLite database with one course (12 lectures, 1,000 students, 10 questions per
lecture) and N submissions (bulk insert with executemany, in chunks), then, alternately for
``--rounds`` rounds:

- **view**: GET /api/v1/courses/<slug>/results/?format=csv through the Django test client (the
  whole middleware and DRF stack, token authentication), consuming ``streaming_content``;
- **floor**: the same SQL (compiled from the same queryset) on a raw DB-API cursor, ``fetchmany``
  straight into ``csv.writer`` and a pseudo-buffer: what producing these rows costs at the least
  (the view also makes each row readable: titles, answers as text, seconds; see api/exports.py).

Prints rows/s of each, the ratio view/floor (medians of the rounds), and the view's peak RSS
growth (VmHWM, reset before each export through /proc/self/clear_refs). Targets: >= 100,000
rows/s, >= 50% of the floor, peak RSS growth < 100 MB. Timings are wall-clock on a shared machine.
"""

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STUDENTS, LECTURES, QUESTIONS_PER_LECTURE = 1000, 12, 10


def setup_django(db_path: str) -> None:
    os.environ.update(DJANGO_SETTINGS_MODULE="quizserver.settings", SQLITE_PATH=db_path)
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_course():
    """A course with its lectures, quizzes, questions, students and one variant per student and question."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from courses.models import Course, Enrolment, Lecture
    from quizzes.models import Question, Quiz, Variant

    User = get_user_model()
    course = Course.objects.create(slug="bench", title="Bench")
    questions = []
    for number in range(1, LECTURES + 1):
        lecture = Lecture.objects.create(course=course, number=number, title=f"L{number}", slug=f"l{number}")
        quiz = Quiz.objects.create(lecture=lecture, title="Quiz", is_published=True)
        questions += Question.objects.bulk_create(
            [
                Question(quiz=quiz, position=p, kind="numeric", prompt="?", settings={"numeric_answer": 0.25})
                for p in range(QUESTIONS_PER_LECTURE)
            ]
        )
    students = User.objects.bulk_create([User(username=f"student{i:04d}") for i in range(STUDENTS)])
    Enrolment.objects.bulk_create([Enrolment(user=u, course=course) for u in students])
    staff = User.objects.create(username="instructor")
    Enrolment.objects.create(user=staff, course=course, role=Enrolment.Role.INSTRUCTOR)
    variants = Variant.objects.bulk_create(
        [
            Variant(student=s, question=q, seed=(s.id * 7919 + q.id) << 40)
            for s in students
            for q in questions
        ],
        batch_size=5000,
    )
    return course, Token.objects.create(user=staff).key, [v.id for v in variants]


def insert_submissions(rows: int, variant_ids: list[int], chunk: int = 50_000) -> float:
    """Seconds to insert ``rows`` graded submissions (executemany in chunks, one transaction)."""
    from django.db import connection, transaction

    sql = (
        "INSERT INTO quizzes_submission (variant_id, nonce, raw, value, status, try_number, score, points,"
        " feedback, choice_feedback, cell_marks, step_marks, mistake, after_reveal, created_at, graded_at,"
        " question_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    start = time.perf_counter()
    base = 1_790_000_000
    with transaction.atomic(), connection.cursor() as cursor:
        raw_cursor = cursor.cursor  # the sqlite3 cursor: "?" placeholders, no per-row wrapper
        for first in range(0, rows, chunk):
            batch = []
            for i in range(first, min(first + chunk, rows)):
                when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(base + i)) + f".{i % 1000:03d}000"
                right = i % 3 == 0
                batch.append(
                    (
                        variant_ids[i % len(variant_ids)],
                        f"n{i}",
                        "0,25" if right else f"{i % 97}.5",
                        "0.25" if right else f"{i % 97}.5",
                        "graded",
                        1 + i // len(variant_ids) % 3,
                        1.0 if right else 0.0,
                        1.0 if right else 0.0,
                        "",
                        "{}",
                        "[]",
                        "[]",
                        "" if right else "sign",
                        False,
                        when,
                        when,
                        1,
                    )
                )
            raw_cursor.executemany(sql, batch)
    return time.perf_counter() - start


def peak_rss_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def export_view(client, url: str, token: str) -> tuple[float, int, int, int, float]:
    """Seconds, rows, bytes, peak RSS growth (kB) and seconds to the first rows of one export."""
    reset_peak_rss()
    before = peak_rss_kb()
    start = time.perf_counter()
    response = client.get(url, secure=True, HTTP_AUTHORIZATION=f"Token {token}")  # production settings: HTTPS
    assert response.status_code == 200 and response.streaming, response.status_code
    lines = size = 0
    first_rows = None
    for piece in response.streaming_content:
        lines += piece.count(b"\n")
        size += len(piece)
        if first_rows is None and lines > 1:
            first_rows = time.perf_counter() - start
    response.close()
    return time.perf_counter() - start, lines - 1, size, peak_rss_kb() - before, first_rows


def export_floor(course) -> tuple[float, int, int]:
    """Seconds, rows and bytes of the same rows straight from a cursor into csv."""
    from django.db import connection

    from api import access
    from api.exports import EXPORT_COLUMNS, PendingText, export_expressions

    queryset = access.course_submissions(course).order_by("id").values_list(*export_expressions())
    sql, params = queryset.query.sql_with_params()
    start = time.perf_counter()
    out = PendingText()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    size, rows = len(out.take()), 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            writer.writerows(batch)
            rows += len(batch)
            size += len(out.take())
    return time.perf_counter() - start, rows, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="No directory at")  # static files are not collected here
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        setup_django(str(Path(tmp) / "bench.sqlite3"))
        from django.test import Client

        course, token, variant_ids = make_course()
        seconds = insert_submissions(args.rows, variant_ids)
        print(
            f"SQLite {Path(tmp) / 'bench.sqlite3'}: inserted {args.rows:,} submissions in {seconds:.1f} s "
            f"({args.rows / seconds:,.0f} rows/s), {len(variant_ids):,} variants"
        )
        client, url = Client(), f"/api/v1/courses/{course.slug}/results/?format=csv"
        warm = client.get(
            url.replace("format=csv", "page_size=10"), secure=True, HTTP_AUTHORIZATION=f"Token {token}"
        )
        assert warm.status_code == 200, warm.status_code  # imports and first-request set-up are not measured
        view, floor, growth = [], [], []
        for round_ in range(1, args.rounds + 1):
            v_seconds, v_rows, v_bytes, v_growth, v_first = export_view(client, url, token)
            f_seconds, f_rows, f_bytes = export_floor(course)
            assert v_rows == f_rows == args.rows, (v_rows, f_rows, args.rows)
            view.append(v_rows / v_seconds)
            floor.append(f_rows / f_seconds)
            growth.append(max(v_growth, 0) / 1024)
            print(
                f"round {round_}: view {v_seconds:.2f} s ({view[-1]:,.0f} rows/s, {v_bytes / 1e6:.1f} MB, "
                f"first rows after {v_first:.2f} s, peak RSS +{growth[-1]:.1f} MB)"
                f" | floor {f_seconds:.2f} s ({floor[-1]:,.0f} rows/s, {f_bytes / 1e6:.1f} MB)"
            )
        rate, floor_rate, peak = statistics.median(view), statistics.median(floor), max(growth)
        ratio = rate / floor_rate
        checks = {
            "rows/s >= 100,000": rate >= 100_000,
            "view/floor >= 50%": ratio >= 0.5,
            "peak RSS growth < 100 MB": peak < 100,
        }
        print(
            f"view {rate:,.0f} rows/s (median), floor {floor_rate:,.0f} rows/s, ratio {ratio:.0%}, "
            f"peak RSS growth {peak:.1f} MB (max){'' if reset_peak_rss() else ' (VmHWM not resettable)'}"
        )
        for name, ok in checks.items():
            print(f"  {'PASS' if ok else 'FAIL'}  {name}")
        if args.strict and not all(checks.values()):
            sys.exit(1)


if __name__ == "__main__":
    main()
