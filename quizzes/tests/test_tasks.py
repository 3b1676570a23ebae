"""Celery: the task path on an in-memory worker, a real worker process on Redis, and a web process
that serves computed questions without importing torch."""

import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import skip_or_fail
from quizzes.models import Variant
from quizzes.tests.factories import make_question
from quizzes.tests.page_without_torch import page_env, page_report
from quizzes.variants import variants_for

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
    return {"perform_ping_check": False, "queues": ("compute", "celery")}


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_variant_is_solved_by_an_in_memory_worker(celery_app, celery_worker, toy_generators, student, quiz):
    question = make_question(quiz=quiz, kind="computed", generator="toy_product", prompt="")
    variant = variants_for(student=student, questions=[question])[question.id]
    assert variant.status == "pending"  # not eager: queued for the worker
    assert wait_for(lambda: Variant.objects.get(pk=variant.pk).status == "ready")
    stored = Variant.objects.get(pk=variant.pk)
    assert stored.answer == stored.params["a"] * stored.params["b"] and stored.device in {"cpu", "cuda"}


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_real_worker_process_on_redis_solves_a_queued_variant(tmp_path):
    if not redis_answers():
        skip_or_fail("Redis is not running on 127.0.0.1:6379")
    broker = "redis://127.0.0.1:6379/15"
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

        assert wait_for(lambda: statuses().get("pending", 0) == 0, timeout=120), statuses()
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
