"""Faults, each with real processes: a compute worker SIGKILLed mid-batch, Redis stopped, PostgreSQL
restarted, a generator that hangs.

Every server here is our own (``quizserver.tests.services``): Redis on a Unix socket in a scratch
folder, a throwaway PostgreSQL cluster on a free port, so the machine's shared services are never
stopped. The site runs as the fault site (``quizserver.tests.fault_site``: a long-lived process
driven line by line) on a SQLite file shared with the workers, or as gunicorn on PostgreSQL. The
tests read the SQLite file directly to count rows. Without redis-server or PostgreSQL's programs
they skip, and fail under CI=true.
"""

import http.client
import json
import os
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from conftest import skip_or_fail
from quizserver.tests.fault_site import FaultSite
from quizserver.tests.services import (
    PostgresServer,
    RedisServer,
    free_port,
    postgres_bindir,
    postgres_user_missing,
    redis_binary,
    scratch_folder,
    site_env,
    start_gunicorn,
    start_worker,
    stop,
    tail,
    wait_for,
)

FAULT_GENERATORS = "quizserver.tests.fault_generators"  # toy_counted, toy_hangs: the site and workers only
STUDENTS = ("s1", "s2", "s3")


class Stack:
    """What a test started, stopped in reverse order when it ends (pass or fail), and its logs."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.stops: list = []

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def logs(self) -> str:
        return "\n".join(f"--- {path.name}\n{tail(path, 2500)}" for path in sorted(self.folder.glob("*.log")))

    def redis(self) -> RedisServer:
        if not redis_binary():
            skip_or_fail("redis-server is not installed (apt-get install redis-server)")
        server = RedisServer(self.folder)
        server.start()
        self.stops.append(lambda: stop(server.process))
        return server

    def site(self, env: dict) -> FaultSite:
        site = FaultSite(env, self.log("site"))
        self.stops.append(lambda: stop(site.process))
        return site

    def worker(self, env: dict, name: str, **options):
        process = start_worker(env, self.log(name), name=name, **options)
        self.stops.append(lambda: stop(process))
        return process


@pytest.fixture
def stack():
    folder = scratch_folder("qs-fault-")
    started = Stack(folder)
    yield started
    for stopping in reversed(started.stops):
        stopping()
    shutil.rmtree(folder, ignore_errors=True)


def counts(db: Path, sql: str) -> dict:
    """``{value: count}`` of a ``select value, count(*) ... group by value`` on the shared SQLite file."""
    with sqlite3.connect(db, timeout=30) as connection:
        return dict(connection.execute(sql).fetchall())


def variant_statuses(db: Path) -> dict:
    return counts(db, "select status, count(*) from quizzes_variant group by status")


def submission_statuses(db: Path) -> dict:
    return counts(db, "select status, count(*) from quizzes_submission group by status")


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute(sql).fetchall()


# --- a compute worker SIGKILLed mid-batch -------------------------------------------------------------


def test_worker_killed_mid_batch_every_variant_is_solved_once_and_every_waiting_answer_graded(stack):
    redis = stack.redis()
    db, marks = stack.folder / "db.sqlite3", stack.folder / "marks"
    marks.mkdir()
    # The fifth solve never returns: the first worker is then inside its second batch, for sure.
    env = site_env(SQLITE_PATH=str(db), CELERY_BROKER_URL=redis.broker_url,
                   QUIZSERVER_TEST_SOLVE_MARKS=str(marks), QUIZSERVER_TEST_SOLVE_HANG_AT="5")
    site = stack.site(env)
    questions = site.do("setup", students=len(STUDENTS), questions=["toy_counted"] * 3)["questions"]
    for student in STUDENTS:  # each page view queues one batch: the student's three variants
        assert site.do("page", student=student)["status"] == 200
        for question in questions:
            answered = site.do("answer", student=student, question=question, nonce=f"{student}-{question}")
            assert answered["status"] == 200 and "graded as soon as" in answered["body"], answered
    assert variant_statuses(db) == {"pending": 9} and submission_statuses(db) == {"pending": 9}

    first = stack.worker(env, "first", include=(FAULT_GENERATORS,))
    assert wait_for(lambda: (marks / "5").exists(), 180), stack.logs()
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    # Mid-batch: the first batch is stored and graded, the second was being solved, the third is queued.
    assert variant_statuses(db) == {"ready": 3, "pending": 6}
    assert submission_statuses(db) == {"graded": 3, "pending": 6}

    stack.worker(env, "second", include=(FAULT_GENERATORS,))
    assert wait_for(lambda: variant_statuses(db) == {"ready": 6, "pending": 3}, 180), (variant_statuses(db),
                                                                                        stack.logs())
    # The killed batch's message is not redelivered before the broker's visibility timeout (an
    # hour); the periodic re-queue finds its variants pending.
    assert site.do("requeue") == {"queued": 3}
    assert wait_for(lambda: submission_statuses(db) == {"graded": 9}, 180), (submission_statuses(db),
                                                                               stack.logs())

    assert variant_statuses(db) == {"ready": 9}
    assert rows(db, "select count(*), count(distinct student_id || '-' || question_id || '-' || number) "
                    "from quizzes_variant") == [(9, 9)]
    for params, answer in rows(db, "select params, answer from quizzes_variant"):
        numbers = json.loads(params)
        assert json.loads(answer) == numbers["a"] * numbers["b"]
    # Solved exactly once after the kill: 5 solves by the first worker (the last one killed), then
    # 3 for the queued batch and 3 for the re-queued one.
    assert len(os.listdir(marks)) == 11, sorted(os.listdir(marks))
    graded = rows(db, "select nonce, score, try_number from quizzes_submission order by nonce")
    assert graded == [(f"{s}-{q}", 1.0, 1) for s in STUDENTS for q in sorted(questions, key=str)], graded
    assert "Traceback" not in tail(stack.log("second"), 100_000), stack.logs()


# --- Redis (broker and cache) stopped ------------------------------------------------------------------


def test_redis_stopped_pages_render_answers_wait_and_are_graded_when_it_is_back(stack):
    redis = stack.redis()
    db = stack.folder / "db.sqlite3"
    env = site_env(SQLITE_PATH=str(db), CELERY_BROKER_URL=redis.broker_url, CACHE_URL=redis.cache_url)
    site = stack.site(env)
    numeric, computed = site.do("setup", students=2, questions=["numeric", "toy_counted"])["questions"]
    assert site.do("page", student="s1")["status"] == 200  # Redis up: s1's solving is queued (and lost below)

    redis.stop()
    page = site.do("page", student="s2")  # makes s2's variant; queueing its solving fails
    assert page["status"] == 200 and page["questions"] == 2 and page["unavailable"] == 0, page
    for student in ("s1", "s2"):
        answered = site.do("answer", student=student, question=computed, nonce=f"{student}-computed")
        assert answered["status"] == 200 and "graded as soon as" in answered["body"], answered
    answered = site.do("answer", student="s2", question=numeric, nonce="s2-numeric")
    assert answered["status"] == 200 and "Correct" in answered["body"], answered  # no broker needed
    assert submission_statuses(db) == {"pending": 2, "graded": 1}
    log = tail(stack.log("site"), 100_000)
    assert "broker unreachable" in log and "Redis cache unreachable" in log, log

    redis.start()  # empty: what was queued before the outage is gone
    stack.worker(env, "worker", include=(FAULT_GENERATORS,))
    assert site.do("requeue") == {"queued": 2}
    assert wait_for(lambda: submission_statuses(db) == {"graded": 3}, 180), (submission_statuses(db), stack.logs())
    assert rows(db, "select nonce, score from quizzes_submission order by nonce") == [
        ("s1-computed", 1.0), ("s2-computed", 1.0), ("s2-numeric", 1.0)]
    assert variant_statuses(db) == {"ready": 4}
    assert site.do("page", student="s2")["status"] == 200


# --- PostgreSQL restarted ------------------------------------------------------------------------------


def get(port: int, path: str, session: str) -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={session}"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_postgres_restart_gives_a_clean_503_and_the_site_recovers_by_itself(stack):
    if postgres_bindir() is None or postgres_user_missing():
        skip_or_fail("PostgreSQL's programs (initdb, pg_ctl) or the postgres user are missing")
    cluster = stack.folder / "pg"
    cluster.mkdir()
    database = PostgresServer(cluster)
    database.init()
    database.start()
    stack.stops.append(lambda: database.answers() and database.stop())
    env = site_env(DATABASE_URL=database.url, CONN_MAX_AGE="60")  # persistent connections, as in production
    site = stack.site(env)
    quiz = site.do("setup", students=1, questions=["numeric"])["quiz"]
    session = site.do("session", student="s1")["sessionid"]
    site.close()
    port = free_port()
    web = start_gunicorn(env, stack.log("gunicorn"), port)
    stack.stops.append(lambda: stop(web))
    page, api = f"/courses/c/quizzes/{quiz}/", "/api/v1/courses/"
    for _ in range(4):  # both gunicorn workers hold a connection
        assert get(port, page, session)[0] == 200 and get(port, api, session)[0] == 200, stack.logs()

    database.stop()
    for _ in range(4):
        status, headers, body = get(port, page, session)
        assert status == 503 and "temporarily unavailable" in body and "Traceback" not in body, (status, body)
        assert headers.get("Retry-After") == "30"
        status, headers, body = get(port, api, session)
        assert status == 503 and "temporarily unavailable" in json.loads(body)["detail"], (status, body)

    database.start()
    for _ in range(4):  # no restart of gunicorn: each worker reconnects by itself
        status, _, body = get(port, page, session)
        assert status == 200 and 'id="q' in body, (status, body[-2000:])
        assert get(port, api, session)[0] == 200
    log = tail(stack.log("gunicorn"), 200_000)
    assert "database unavailable" in log and "Traceback" not in log, log[-5000:]


# --- a generator that hangs ----------------------------------------------------------------------------


def test_a_generator_that_hangs_is_stopped_by_the_time_limit_marked_error_and_scores_nothing(stack):
    redis = stack.redis()
    db, marks = stack.folder / "db.sqlite3", stack.folder / "marks"
    marks.mkdir()
    env = site_env(SQLITE_PATH=str(db), CELERY_BROKER_URL=redis.broker_url, QUIZSERVER_TEST_SOLVE_MARKS=str(marks),
                   QUIZSERVER_SOLVE_SOFT_TIME_LIMIT="5", QUIZSERVER_SOLVE_TIME_LIMIT="60")
    site = stack.site(env)
    first, hangs, last = site.do("setup", students=1, questions=["toy_counted", "toy_hangs", "toy_counted"])[
        "questions"]
    assert site.do("page", student="s1")["status"] == 200  # one batch: first, hangs, last
    for question in (first, hangs, last):
        assert site.do("answer", student="s1", question=question, nonce=f"n{question}")["status"] == 200

    # Time limits need the prefork pool. torch is imported before the fork, as a warm compute worker
    # has it, so the 5 s are the generator's alone.
    worker = stack.worker(env, "worker", pool="prefork", include=("torch", FAULT_GENERATORS))
    assert wait_for(lambda: variant_statuses(db) == {"ready": 2, "error": 1}
                    and submission_statuses(db) == {"graded": 2, "pending": 1}, 120), stack.logs()
    [(error,)] = rows(db, f"select error from quizzes_variant where question_id = {hangs}")
    assert error == "Solving took longer than the time limit (5 s) and was stopped."
    assert rows(db, "select v.question_id, s.status, s.score from quizzes_submission s "
                    "join quizzes_variant v on v.id = s.variant_id order by v.question_id") == [
        (first, "graded", 1.0), (hangs, "pending", None), (last, "graded", 1.0)]
    assert len(os.listdir(marks)) == 2  # the one after the hung one was queued again and solved once

    page = site.do("page", student="s1")
    assert page["status"] == 200 and page["questions"] == 3 and page["unavailable"] == 1, page
    assert site.do("requeue") == {"queued": 0}  # not a loop: a failed variant is tried again minutes later
    log = tail(stack.log("worker"), 100_000)
    assert worker.poll() is None and "Hard time limit" not in log and "Traceback" not in log, log
