"""Review: inputs and states that end in a 500 or in a lost answer (PRODUCT.md "Reliability and
security": "a crash never yields a wrong score or a 500"; "if compute is down it waits as pending and
is graded when compute returns").

PostgreSQL text cannot hold a NUL byte: ``quizserver.middleware.RejectNulMiddleware`` refuses
a request with one (400) before any view stores it. Run on PostgreSQL, the production database,
with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> pytest --create-db <this file>``.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizserver.middleware import MESSAGE as NUL_REFUSED
from quizzes.models import Question, Submission, Variant
from quizzes.tests.factories import make_question
from quizzes.tests.toy_generators import Product
from quizzes.variants import ERROR_RETRY_SECONDS, variants_requeue

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def browser(student):
    """A client that returns the 500 page instead of raising, as a browser would see it."""
    client = Client(raise_request_exception=False)
    client.force_login(student)
    return client


def quiz_url(quiz):
    return reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.id])


# --- the poll endpoint -------------------------------------------------------------------------


def test_poll_with_a_unicode_digit_is_not_a_poll_and_gets_the_whole_page(browser, numeric):
    """``str.isdigit()`` is true for "²" and ``int("²")`` raises: views.quiz_page takes only ASCII
    digits as a question id, so this request is not a poll and gets the quiz page."""
    response = browser.get(quiz_url(numeric.quiz), {"question": "²"}, **FETCH)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page and "Self-check" in page and f'id="q{numeric.id}"' in page  # the page, not a fragment


# --- a computed question whose generator or config fails during a page view --------------------


def test_quiz_page_survives_a_computed_question_whose_config_broke(browser, toy_generators, quiz, numeric):
    """_new_variants catches the broken config and marks the variant ``error``; question_states then
    calls the kind's prompt (empty prompt: the generator's default needs the config), which raised
    ConfigError outside any guard, so the whole quiz page (every other question too) is a 500."""
    question = make_question(quiz=quiz, position=3, kind="computed", generator="toy_product", prompt="")
    broken = {**question.settings, "generator_config": {"scale": 99}}  # e.g. a schema change
    Question.objects.filter(pk=question.pk).update(settings=broken)
    response = browser.get(quiz_url(quiz))
    page = response.content.decode()
    assert response.status_code == 200
    assert "temporarily unavailable" in page
    assert f'id="q{numeric.id}"' in page and "Check answer" in page  # the other question still works


def test_quiz_page_survives_an_edited_config_for_existing_variants(browser, student, quiz):
    """The product lets an instructor "fix a question"; variants made before keep their old params.
    diagram_for/steps_for combine the old params with the new config: here the SVG template of
    hidden=4 has more slots than a hidden=2 variant has labels (IndexError in str.format)."""
    question = make_question(
        quiz=quiz, position=1, kind="computed", generator="mlp_backward", prompt="",
        generator_config={"hidden": 2},
    )
    assert browser.get(quiz_url(quiz)).status_code == 200
    variant = Variant.objects.get(student=student, question=question)
    assert variant.is_ready
    question.generator_config = {"hidden": 4}
    question.full_clean()
    question.save()
    response = browser.get(quiz_url(quiz))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="q{question.id}"' in page and "Check answer" in page and "temporarily unavailable" not in page
    assert Variant.objects.get(student=student, question=question).params == variant.params  # still the old one


def test_a_transient_solve_failure_does_not_make_the_question_unavailable_for_good(
    student_client, student, toy_generators, quiz, monkeypatch
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


def answer_url(question):
    return reverse("quizzes:answer", args=["dl", question.quiz_id, question.id])


def assert_refused_and_nothing_stored(response) -> None:
    assert response.status_code == 400 and response.content.decode() == NUL_REFUSED
    assert not Submission.objects.exists()


def test_nul_byte_in_a_numeric_answer_is_refused_and_not_stored(browser, numeric):
    assert_refused_and_nothing_stored(browser.post(answer_url(numeric), {"answer": "1\x00"}, **FETCH))
    assert browser.post(answer_url(numeric), {"answer": "1"}, **FETCH).status_code == 200  # without it: stored
    assert Submission.objects.get().raw == "1"


def test_nul_byte_in_the_nonce_is_refused_and_not_stored(browser, numeric):
    response = browser.post(answer_url(numeric), {"answer": "0.25", "nonce": "a\x00b"}, **FETCH)
    assert_refused_and_nothing_stored(response)
    assert browser.post(answer_url(numeric), {"answer": "0.25", "nonce": "ab"}, **FETCH).status_code == 200
    assert Submission.objects.get().nonce == "ab"


def test_nul_byte_in_a_text_answer_is_refused_and_not_stored(browser, quiz):
    text = make_question(quiz=quiz, position=3, kind="text", prompt="word?", text_answers="relu")
    assert_refused_and_nothing_stored(browser.post(answer_url(text), {"answer": "re\x00lu"}, **FETCH))
    assert browser.post(answer_url(text), {"answer": "relu"}, **FETCH).status_code == 200
    assert Submission.objects.get().score == 1.0


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/courses/a%00b/",
        "/api/v1/me/progress/?course=a%00b",
        "/api/v1/courses/a%00b/statistics/?quiz=1",
        "/api/v1/courses/a%00b/results/",
    ],
)
def test_nul_byte_in_an_api_slug_is_refused_in_json(browser, course, url):
    response = browser.get(url)
    assert response.status_code == 400 and response.json() == {"request": [NUL_REFUSED]}


# --- a double click on "New variant" ------------------------------------------------------------


def test_new_variant_twice_at_once_makes_one_new_variant(browser, student, toy_generators, quiz, monkeypatch):
    """Two requests that both read variant 1 as the current one (a double click without JavaScript;
    on PostgreSQL nothing serializes the reads) must not both save number 2: the second would hit
    variant_number_unique (a 500). variant_new locks the current row and gives the second request
    the variant the first made. Simulated by letting the second request read what the first read."""
    question = make_question(quiz=quiz, position=1, kind="computed", generator="toy_product", prompt="")
    browser.get(quiz_url(quiz))
    first = Variant.objects.get(student=student, question=question)
    url = reverse("quizzes:new_variant", args=["dl", quiz.id, question.id])
    assert browser.post(url, **FETCH).status_code == 200  # the first request: variant 2
    second = Variant.objects.get(student=student, question=question, number=2)
    monkeypatch.setattr("quizzes.variants.variants_for", lambda **kwargs: {question.id: first})
    response = browser.post(url, **FETCH)  # the second request read variant 1 before the first committed
    assert response.status_code == 200
    numbers = Variant.objects.filter(student=student, question=question).values_list("number", flat=True)
    assert sorted(numbers) == [1, 2]  # no third variant, and no duplicate 2
    page = response.content.decode()  # the fragment shows variant 2's numbers
    assert f"<mn>{second.params['a']:g}</mn>" in page and f"<mn>{second.params['b']:g}</mn>" in page


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
