"""Project-wide pytest fixtures: users, a course with a quiz, clients logged in as them, and a
browser page for the browser tests."""

import os

import hypothesis
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from courses.models import Course, Enrolment, Lecture
from quizserver.tests.browser import ARGS, CHROMIUM, PHONE
from quizzes.models import Choice, Quiz
from quizzes.tests.factories import make_question

pytest_plugins = ("celery.contrib.pytest",)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Hypothesis checks properties, not speed: its 200 ms deadline per example and its "too slow"
# health check fail on a busy machine with nothing wrong. Timing belongs to bench/.
hypothesis.settings.register_profile(
    "quizserver", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("quizserver")


def skip_or_fail(reason: str) -> None:
    """Skip a test that needs an absent system service, but fail in CI, where it must run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def _test_settings():
    """Tests talk plain HTTP to the test client and live server, without collected static files.

    Session-wide, so the live server's middleware is built with it too. The production defaults
    (HTTPS redirect, secure cookies, manifest storage) are checked by
    ``quizserver/tests/test_settings.py`` with ``check --deploy`` in a separate process.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STORAGES={**settings.STORAGES,
                  "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
        WHITENOISE_USE_FINDERS=True,
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _media_root(tmp_path_factory):
    """Uploaded files (question images) go to a folder of the test session, not the project's media/."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture
def page(monkeypatch):
    """A phone-sized page in the system Chromium (Playwright); log in with
    ``quizserver.tests.browser.log_in``. Skips without Chromium, fails under CI=true."""
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are
    # still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport=PHONE)
        yield context.new_page()
        browser.close()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **extra):
        return django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)

    return make


@pytest.fixture
def course(db):
    return Course.objects.create(slug="dl", title="Deep Learning", term="WS", enrolment_code="DLCODE")


@pytest.fixture
def other_course(db):
    return Course.objects.create(slug="ml", title="Machine Learning", enrolment_code="MLCODE")


@pytest.fixture
def lecture(course):
    return Lecture.objects.create(course=course, number=2, title="Computation Graphs", slug="graphs")


@pytest.fixture
def quiz(lecture):
    return Quiz.objects.create(lecture=lecture, title="Self-check", is_published=True)


@pytest.fixture
def student(make_user, course):
    user = make_user("alice")
    Enrolment.objects.create(user=user, course=course, role=Enrolment.Role.STUDENT)
    return user


@pytest.fixture
def instructor(make_user, course):
    user = make_user("ingrid", is_staff=True)
    Enrolment.objects.create(user=user, course=course, role=Enrolment.Role.INSTRUCTOR)
    return user


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


@pytest.fixture
def single(quiz):
    question = make_question(
        quiz=quiz,
        position=1,
        kind="single",
        prompt="What is $1+1$?",
        explanation="Because $1+1=2$.",
        hint="Count.",
    )
    Choice.objects.create(question=question, position=1, text="1", feedback="Too small.")
    Choice.objects.create(question=question, position=2, text="2", is_correct=True)
    Choice.objects.create(question=question, position=3, text="3", feedback="Too large.")
    return question


@pytest.fixture
def numeric(quiz):
    return make_question(
        quiz=quiz,
        position=2,
        kind="numeric",
        prompt="$\\sigma'(0)$ = ?",
        numeric_answer=0.25,
        rtol=0.01,
        atol=0.0,
        explanation="$\\sigma(0)(1-\\sigma(0))$",
        hint="Use $\\sigma' = \\sigma(1-\\sigma)$.",
    )
