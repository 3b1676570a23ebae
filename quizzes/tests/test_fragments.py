"""The quiz page's cached question fragments (quizzes/fragments.py): rendered once per state, never stale."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizserver.tests.html_figures import extract
from quizzes import fragments
from quizzes.models import Submission

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def quiz_url(quiz):
    return reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.id])


def answer_url(question):
    return reverse("quizzes:answer", args=[question.quiz.lecture.course.slug, question.quiz_id, question.id])


@pytest.fixture
def renders(monkeypatch):
    """The questions rendered by the fragment cache, by id, in order of rendering."""
    rendered = []
    real = fragments.render_to_string

    def counting(template, context):
        rendered.append(context["state"].question.id)
        return real(template, context)

    monkeypatch.setattr(fragments, "render_to_string", counting)
    return rendered


def test_an_unchanged_question_is_rendered_once(student_client, single, numeric, renders):
    first = student_client.get(quiz_url(single.quiz)).content.decode()
    second = student_client.get(quiz_url(single.quiz)).content.decode()
    assert sorted(renders) == sorted([single.id, numeric.id])  # the second view rendered nothing
    assert first.count('data-question') == second.count('data-question') == 2


def test_an_answer_renders_only_its_question_again_with_its_feedback(student_client, single, numeric, renders):
    student_client.get(quiz_url(single.quiz))
    renders.clear()
    fragment = student_client.post(answer_url(numeric), {"answer": "0,3"}, **FETCH).content.decode()
    assert renders == [numeric.id] and "Not correct" in fragment
    page = student_client.get(quiz_url(single.quiz)).content.decode()
    assert renders == [numeric.id] and "Not correct" in page  # the page reuses the new fragment


def test_a_quiz_that_closes_shows_closed_without_any_edit(student_client, single, renders):
    assert "Check answer" in student_client.get(quiz_url(single.quiz)).content.decode()
    single.quiz.closes_at = timezone.now() + timedelta(seconds=1)
    single.quiz.save()
    page = student_client.get(quiz_url(single.quiz)).content.decode()
    assert "Check answer" in page
    later = timezone.now() + timedelta(seconds=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: later)
        closed = student_client.get(quiz_url(single.quiz)).content.decode()
    assert "Check answer" not in closed and "This quiz is closed" in closed


def test_an_edited_prompt_is_shown_at_once(student_client, single):
    assert "What is" in student_client.get(quiz_url(single.quiz)).content.decode()
    single.prompt = "Which number is $2$?"
    single.save()
    page = student_client.get(quiz_url(single.quiz)).content.decode()
    assert "Which number is" in page and "What is" not in page


def test_every_form_carries_this_visitors_csrf_token(student, single):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(student)
    page = browser.get(quiz_url(single.quiz)).content.decode()
    token = extract(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert fragments.CSRF_PLACEHOLDER not in page
    choice = single.choices.get(is_correct=True)
    response = browser.post(answer_url(single), {"choice": choice.id, "csrfmiddlewaretoken": token}, **FETCH)
    assert response.status_code == 200 and "Correct." in response.content.decode()
    assert Submission.objects.get().score == 1.0
    other = Client(enforce_csrf_checks=True)
    other.force_login(student)
    other_page = other.get(quiz_url(single.quiz)).content.decode()
    other_token = extract(r'name="csrfmiddlewaretoken" value="([^"]+)"', other_page)
    assert other_token != token  # a cached fragment never hands one visitor's token to another
