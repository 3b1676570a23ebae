"""``/healthz`` (quizserver/health.py): 200 when the database and the broker answer, 503 naming what
failed; anonymous, cookie-free and reachable over plain HTTP behind the HTTPS redirect."""

import socket
import time

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from conftest import skip_or_fail

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_healthy_without_a_broker_says_eager(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "broker": "eager"}


def test_the_check_is_anonymous_sets_no_cookie_and_is_not_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200  # no redirect to the login page
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200  # balancers that send HEAD
    assert client.post("/healthz").status_code == 405


def test_database_down_is_503_naming_the_database(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refuse)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "broker": "eager"}


def test_unreachable_broker_is_503_naming_the_broker_within_the_timeout(client):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=url):
        start = time.monotonic()
        response = client.get("/healthz")
        seconds = time.monotonic() - start
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}
    assert seconds < 5  # one connection try, not Celery's retry loop (2 s and more per retry)


def test_reachable_broker_is_ok(client):
    if not redis_answers():
        skip_or_fail("Redis is not running on 127.0.0.1:6379")
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:6379/0"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_plain_http_check_is_not_redirected_to_https(client):
    # A fresh client builds its middleware on its first request, so SecurityMiddleware sees these.
    with override_settings(SECURE_SSL_REDIRECT=True):
        page = client.get("/accounts/login/")
        health = client.get("/healthz")
    assert page.status_code == 301 and page["Location"].startswith("https://")  # the redirect is on
    assert health.status_code == 200
