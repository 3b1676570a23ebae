"""Review: inputs and states that end in a 500 or in a lost answer (PRODUCT.md "Reliability and
security": "a crash never yields a wrong score or a 500"; "if compute is down it waits as pending and
is graded when compute returns").

The NUL-byte tests pass on SQLite and fail on PostgreSQL, the production database:
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> pytest --create-db <this file>``.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from compute import generators
from quizzes.models import Question, Submission, Variant
from quizzes.tests.factories import make_question
from quizzes.tests.test_computed import Product
from quizzes.variants import ERROR_RETRY_SECONDS, variants_requeue

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def browser(student):
    """A client that returns the 500 page instead of raising, as a browser would see it."""
    client = Client(raise_request_exception=False)
    client.force_login(student)
    return client


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setitem(generators.REGISTRY, "toy_product", Product())


def quiz_url(quiz):
    return reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.id])


# --- the poll endpoint -------------------------------------------------------------------------


def test_poll_with_a_unicode_digit_is_not_a_500(browser, numeric):
    """views.quiz_page checks ``str.isdigit()``, which is true for "²", then calls int("²")."""
    response = browser.get(quiz_url(numeric.quiz), {"question": "²"}, **FETCH)
    assert response.status_code != 500


# --- a computed question whose generator or config fails during a page view --------------------


def test_quiz_page_survives_a_computed_question_whose_config_broke(browser, toy, quiz, numeric):
    """_new_variants catches the broken config and marks the variant ``error``; question_states then
    calls the kind's prompt (empty prompt: the generator's default needs the config), which raised
    ConfigError outside any guard, so the whole quiz page (every other question too) is a 500."""
    question = make_question(quiz=quiz, position=3, kind="computed", generator="toy_product", prompt="")
    broken = {**question.settings, "generator_config": {"scale": 99}}  # e.g. a schema change
    Question.objects.filter(pk=question.pk).update(settings=broken)
    response = browser.get(quiz_url(quiz))
    assert response.status_code == 200
    assert "temporarily unavailable" in response.content.decode()


def test_quiz_page_survives_an_edited_config_for_existing_variants(browser, student, quiz):
    """The product lets an instructor "fix a question"; variants made before keep their old params.
    diagram_for/steps_for combine the old params with the new config: here the SVG template of
    hidden=4 has more slots than a hidden=2 variant has labels (IndexError in str.format)."""
    question = make_question(
        quiz=quiz, position=1, kind="computed", generator="mlp_backward", prompt="",
        generator_config={"hidden": 2},
    )
    assert browser.get(quiz_url(quiz)).status_code == 200
    assert Variant.objects.get(student=student, question=question).is_ready
    question.generator_config = {"hidden": 4}
    question.full_clean()
    question.save()
    assert browser.get(quiz_url(quiz)).status_code == 200


def test_a_transient_solve_failure_does_not_make_the_question_unavailable_for_good(
    student_client, student, toy, quiz, monkeypatch
):
    """variants_solve marks a variant ``error`` on any exception (a CUDA hiccup, a worker killed while
    importing torch, ...) and nothing ever solves an ``error`` variant again: the page keeps saying
    "try again later", answers are refused with 503 (not stored), and in graded mode the student can
    never get another variant."""
    question = make_question(quiz=quiz, position=1, kind="computed", generator="toy_product", prompt="")
    real_solve = Product.solve
    with monkeypatch.context() as patch:
        def flaky(self, params, config, device="cpu"):
            raise RuntimeError("CUDA error: unspecified launch failure")

        patch.setattr(Product, "solve", flaky)
        student_client.get(quiz_url(quiz))
    assert Product.solve is real_solve  # compute is back
    assert Variant.objects.get(student=student, question=question).status == "error"
    assert variants_requeue() == 0  # too early: the failure may not have passed yet
    Variant.objects.update(attempted_at=timezone.now() - timedelta(seconds=ERROR_RETRY_SECONDS + 1))
    student_client.get(quiz_url(quiz))
    assert Variant.objects.get(student=student, question=question).status == "error"  # a page view writes nothing
    assert variants_requeue() == 1  # the periodic task (beat or cron) tries again
    variant = Variant.objects.get(student=student, question=question)
    assert variant.status == "ready", f"still {variant.status!r} after compute came back"


# --- NUL bytes (PostgreSQL text cannot hold them) ----------------------------------------------


@pytest.mark.django_db
def test_nul_byte_in_a_numeric_answer_is_not_a_500(browser, numeric):
    url = reverse("quizzes:answer", args=["dl", numeric.quiz_id, numeric.id])
    response = browser.post(url, {"answer": "1\x00"}, **FETCH)
    assert response.status_code in (200, 400), (connection.vendor, response.status_code)


def test_nul_byte_in_the_nonce_is_not_a_500(browser, numeric):
    url = reverse("quizzes:answer", args=["dl", numeric.quiz_id, numeric.id])
    response = browser.post(url, {"answer": "0.25", "nonce": "a\x00b"}, **FETCH)
    assert response.status_code in (200, 400), (connection.vendor, response.status_code)


def test_nul_byte_in_a_text_answer_is_not_a_500(browser, quiz):
    text = make_question(quiz=quiz, position=3, kind="text", prompt="word?", text_answers="relu")
    url = reverse("quizzes:answer", args=["dl", quiz.id, text.id])
    response = browser.post(url, {"answer": "re\x00lu"}, **FETCH)
    assert response.status_code in (200, 400), (connection.vendor, response.status_code)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/courses/a%00b/",
        "/api/v1/me/progress/?course=a%00b",
        "/api/v1/courses/a%00b/statistics/?quiz=1",
        "/api/v1/courses/a%00b/results/",
    ],
)
def test_nul_byte_in_an_api_slug_is_not_a_500(browser, course, url):
    response = browser.get(url)
    assert response.status_code in (400, 404), (connection.vendor, response.status_code)


# --- a double click on "New variant" ------------------------------------------------------------


def test_new_variant_twice_at_once_is_not_a_500(browser, student, toy, quiz, monkeypatch):
    """variant_new reads the latest number and saves number + 1 with no lock. Two requests that both
    read number 1 (a double click without JavaScript; on PostgreSQL nothing serializes them) both
    save number 2: the second hits variant_number_unique and is a 500. Simulated here by letting the
    second request read what the first read."""
    question = make_question(quiz=quiz, position=1, kind="computed", generator="toy_product", prompt="")
    browser.get(quiz_url(quiz))
    first = Variant.objects.get(student=student, question=question)
    url = reverse("quizzes:new_variant", args=["dl", quiz.id, question.id])
    assert browser.post(url, **FETCH).status_code == 200  # the first request: variant 2
    monkeypatch.setattr("quizzes.variants.variants_for", lambda **kwargs: {question.id: first})
    response = browser.post(url, **FETCH)  # the second request read variant 1 before the first committed
    assert response.status_code != 500
    assert Submission.objects.count() == 0


# --- the config edited after variants exist: prompt and stored answer disagree --------------------


def test_an_edited_config_does_not_grade_a_right_answer_wrong(student_client, student, quiz):
    """A variant keeps the config it was made with: after the instructor switches the activation
    from sigmoid to tanh, the student's existing variant still asks about (and is graded for) the
    sigmoid network; a new variant uses tanh."""
    question = make_question(
        quiz=quiz, position=1, kind="computed", generator="mlp_backward", prompt="",
        generator_config={"activation": "sigmoid", "hidden": 2},
    )
    student_client.get(quiz_url(quiz))
    variant = Variant.objects.get(student=student, question=question)
    question.settings["generator_config"] = {"activation": "tanh", "hidden": 2}
    question.full_clean()
    question.save()
    page = student_client.get(quiz_url(quiz)).content.decode()
    assert "tanh" not in page  # the variant the student sees is still the sigmoid one
    url = reverse("quizzes:answer", args=["dl", quiz.id, question.id])
    student_client.post(url, {"answer": repr(float(variant.answer)), "nonce": "t"})
    assert Submission.objects.get().score == 1.0
    student_client.post(reverse("quizzes:new_variant", args=["dl", quiz.id, question.id]))
    newer = Variant.objects.get(student=student, question=question, number=2)
    assert newer.config["activation"] == "tanh" and "tanh" in student_client.get(quiz_url(quiz)).content.decode()
