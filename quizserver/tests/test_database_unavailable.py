"""``DatabaseUnavailableMiddleware``: a view that finds the database unreachable answers a clean 503
(an HTML page without a traceback, JSON under /api/), while any other database error stays a 500.

In-process, with every query raising the error as a database that went away makes it; the real
outage (a PostgreSQL cluster stopped under gunicorn, then started again) is ``test_faults.py``.
"""

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.test import Client
from django.urls import reverse

OUTAGES = [OperationalError("connection to server at 127.0.0.1 failed: Connection refused"),
           InterfaceError("connection already closed")]


@pytest.fixture
def browser(student):
    client = Client(raise_request_exception=False)
    client.force_login(student)
    return client


def get_while_failing(client, path: str, error):
    """GET ``path`` while every query raises ``error`` (reading the logged-in session is one)."""

    def execute(*args, **kwargs):
        raise error

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.backends.utils.CursorWrapper.execute", execute)
        return client.get(path)


@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__)
def test_an_unreachable_database_gives_a_clean_503_page(browser, quiz, error):
    response = get_while_failing(browser, reverse("quizzes:quiz", args=["dl", quiz.id]), error)
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "<h1>The site is temporarily unavailable</h1>" in html and "your earlier answers are safe" in html.lower()
    assert "Traceback" not in html and "Connection refused" not in html and "already closed" not in html


@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__)
def test_an_unreachable_database_gives_json_under_the_api(browser, course, error):
    response = get_while_failing(browser, "/api/v1/courses/", error)
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The site is temporarily unavailable. Please try again in a minute; "
                                          "your earlier answers are safe."}


def test_any_other_database_error_stays_a_500(browser, quiz):
    response = get_while_failing(browser, reverse("quizzes:quiz", args=["dl", quiz.id]),
                                 ProgrammingError("column does not exist"))
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()
