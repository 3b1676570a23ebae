"""Celery: the task path on an in-memory worker, a real worker process on Redis, a web process
that serves computed questions without importing torch, and the periodic task's sweep of lost grading."""

import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from celery.signals import task_postrun
from django.urls import reverse
from django.utils import timezone

from conftest import skip_or_fail
from quizserver.tests.services import RedisServer, redis_binary, scratch_folder, stop, wait_for
from quizzes import tasks
from quizzes.models import Submission, Variant
from quizzes.tests.factories import make_question
from quizzes.tests.page_without_torch import page_env, page_report
from quizzes.variants import SOLVE_TASK, STALE_PENDING_SECONDS, variants_for
from quizzes.variants import variants_solve as solve_only

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def celery_config():
    return {
        "broker_url": "memory://",
        "result_backend": "cache+memory://",
        "broker_transport_options": {"polling_interval": 0.05},
    }


@pytest.fixture(scope="session")
def celery_app(celery_config):
    """The project's app, switched from eager mode to the in-memory broker for the worker tests."""
    import celery.contrib.testing.tasks  # noqa: F401  (the worker's ping task)

    from quizserver.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, **celery_config)
    yield app
    app.conf.update(saved)


@pytest.fixture(scope="session")
def celery_worker_parameters():
    # Our tasks store results in the database and ignore Celery results, so skip the result-based ping.
    # A loaded machine may take a while to stop the worker thread: allow it a minute, not 10 s.
    return {"perform_ping_check": False, "queues": ("compute", "celery"), "shutdown_timeout": 60.0}


@pytest.fixture
def solve_finished():
    """An event set when the worker has finished running a solve task (whatever its outcome).

    The test database is in-memory SQLite with a shared cache, in which a connection that meets
    another's write lock gets "database table is locked" at once (the busy timeout does not apply).
    So a test with the in-memory worker thread must not touch the database while the task runs:
    it waits for this event instead of polling the table.
    """
    finished = threading.Event()

    def on_postrun(sender=None, **kwargs):
        if sender is not None and sender.name == SOLVE_TASK:
            finished.set()

    task_postrun.connect(on_postrun, weak=False)
    yield finished
    task_postrun.disconnect(on_postrun)


@pytest.mark.django_db(transaction=True)
def test_variant_is_solved_by_an_in_memory_worker(
    celery_app, celery_worker, solve_finished, toy_generators, student, quiz
):
    question = make_question(quiz=quiz, kind="computed", generator="toy_product", prompt="")
    variant = variants_for(student=student, questions=[question])[question.id]  # committed, then queued
    assert variant.status == "pending"  # not eager: queued for the worker
    assert solve_finished.wait(timeout=120), "the worker did not run the solve task"
    stored = Variant.objects.get(pk=variant.pk)
    assert stored.status == "ready", (stored.status, stored.error)
    assert stored.answer == stored.params["a"] * stored.params["b"] and stored.device in {"cpu", "cuda"}


@pytest.fixture
def private_redis():
    """A redis-server of this test's own on a Unix socket: another test run on the same machine
    (sharing 127.0.0.1:6379) can never take this run's tasks."""
    if not redis_binary():
        skip_or_fail("redis-server is not installed (apt-get install redis-server)")
    folder = scratch_folder("qs-redis-")
    server = RedisServer(folder)
    server.start()
    yield server
    stop(server.process)
    shutil.rmtree(folder, ignore_errors=True)


def test_real_worker_process_on_redis_solves_a_queued_variant(tmp_path, private_redis):
    broker = private_redis.broker_url
    report = page_report(tmp_path / "db.sqlite3", broker)
    assert report["pending_variants"] == report["questions"] > 0
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "quizserver",
            "worker",
            "-Q",
            "compute,celery",
            "-c",
            "1",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=page_env(tmp_path / "db.sqlite3", broker),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def statuses():
            with sqlite3.connect(tmp_path / "db.sqlite3") as db:
                return dict(
                    db.execute("select status, count(*) from quizzes_variant group by status").fetchall()
                )

        assert wait_for(lambda: statuses().get("pending", 0) == 0, timeout=300), statuses()
        assert statuses() == {"ready": report["questions"]}
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "Traceback" not in output, output[-3000:]


def test_page_view_with_a_broker_does_not_import_torch(tmp_path):
    report = page_report(tmp_path / "db.sqlite3", "memory://")
    assert report["status"] == 200 and report["page_has_mn"] > 0
    assert report["torch_imported"] is False, report
    assert report["pending_variants"] == report["questions"]


def test_periodic_requeue_grades_answers_whose_grading_was_lost(student_client, student, toy_generators, quiz,
                                                                 monkeypatch):
    """A worker killed after storing its solved variants but before grading leaves their answers
    pending behind a ready variant; nothing would queue that variant again. The periodic task grades
    them once the variant has been solved for a while, and only then (a worker may still be at it)."""
    question = make_question(quiz=quiz, kind="computed", generator="toy_product", prompt="")
    monkeypatch.setattr("quizzes.variants.queue_solve", lambda variants: None)  # the worker gets it later
    variant = variants_for(student=student, questions=[question])[question.id]
    answer = variant.params["a"] * variant.params["b"]
    response = student_client.post(reverse("quizzes:answer", args=["dl", quiz.id, question.id]),
                                   {"answer": f"{answer:g}"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200 and Submission.objects.get().status == "pending"
    assert solve_only(variant_ids=[variant.id]) == [variant.id]  # solved and stored; then the worker died
    assert tasks.variants_requeue() == 0 and Submission.objects.get().status == "pending"  # too early
    Variant.objects.filter(pk=variant.pk).update(
        attempted_at=timezone.now() - timedelta(seconds=STALE_PENDING_SECONDS + 1))
    assert tasks.variants_requeue() == 0  # no variant to queue, but the answer is graded
    submission = Submission.objects.get()
    assert submission.status == "graded" and submission.score == 1.0
