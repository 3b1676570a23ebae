"""The development SECRET_KEY in production: the WSGI and ASGI entry points refuse to start on it
with DEBUG off, and ``check --deploy`` reports it as an error; importing the settings still works."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.checks import Error
from django.test import override_settings

from quizserver.checks import MESSAGE, development_key_check

ROOT = Path(__file__).resolve().parents[2]
REAL_KEY = "kR7-vQ2_xL9pW4mZ8nB3cY6tH1sJ5dF0gA7eU2iO9rT4yE6wQ3zX8"


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    unset = {"DJANGO_DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def start(entry_point: str, **env: str) -> subprocess.CompletedProcess:
    return run("-c", f"import {entry_point} as m; print(type(m.application).__name__)", **env)


def test_wsgi_refuses_to_start_with_debug_off_and_no_secret_key():
    result = start("quizserver.wsgi", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Refusing to start with DEBUG off" in result.stderr
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_wsgi_refuses_an_empty_secret_key():
    result = start("quizserver.wsgi", DJANGO_DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_asgi_refuses_to_start_with_debug_off_and_no_secret_key():
    result = start("quizserver.asgi", DJANGO_DEBUG="0")
    assert result.returncode != 0 and "Refusing to start with DEBUG off" in result.stderr


def test_wsgi_and_asgi_start_with_a_secret_key():
    wsgi = start("quizserver.wsgi", DJANGO_DEBUG="0", SECRET_KEY=REAL_KEY)
    assert wsgi.returncode == 0, wsgi.stderr
    assert wsgi.stdout.strip() == "WSGIHandler"
    asgi = start("quizserver.asgi", DJANGO_DEBUG="0", SECRET_KEY=REAL_KEY)
    assert asgi.returncode == 0, asgi.stderr
    assert asgi.stdout.strip() == "ASGIHandler"


def test_wsgi_starts_on_the_development_key_while_debugging():
    result = start("quizserver.wsgi", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "WSGIHandler"


def test_the_settings_import_with_debug_off_and_the_development_key():
    code = "from django.conf import settings; print(settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY)"
    result = run("-c", code, DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="quizserver.settings")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_the_check_reports_the_development_key_as_an_error():
    [error] = development_key_check()
    assert isinstance(error, Error) and error.id == "quizserver.E001" and error.msg == MESSAGE
    with override_settings(SECRET_KEY=REAL_KEY):
        assert development_key_check() == []


def test_check_deploy_fails_on_the_development_key():
    result = run("manage.py", "check", "--deploy", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "quizserver.E001" in result.stderr and "SECRET_KEY" in result.stderr
