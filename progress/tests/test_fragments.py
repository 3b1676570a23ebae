"""The cached report part of the progress page (``progress/fragments.py``): a hit is the HTML a
fresh render gives, and every input the report reads changes the key."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from progress.fragments import CSRF_PLACEHOLDER, report_fragment, report_key
from progress.reports import course_content
from progress.tests.progress_data import Learner
from quizzes.models import Question, Quiz, Submission
from quizzes.tests.factories import make_question


@pytest.fixture
def world(make_user, course, quiz):
    questions = [
        make_question(quiz=quiz, position=p, kind="numeric", title=f"Q{p}", prompt="?", numeric_answer=1.0)
        for p in (1, 2)
    ]
    learner = Learner(make_user, course, "lea", timezone.now() - timedelta(hours=1))
    learner.answer(questions[0], 0.0, value=2.0)
    return learner, questions


def key(learner, course, now=None):
    return report_key(student=learner.user, course=course, content=course_content(course), now=now or timezone.now())


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_hit_is_what_a_fresh_render_gives_with_this_requests_token(world, course):
    learner, _ = world
    cache.clear()
    first, report = report_fragment(request=request_for(learner.user), student=learner.user, course=course)
    assert report is not None and report.total.tries == 1  # rendered
    again, report = report_fragment(request=request_for(learner.user), student=learner.user, course=course)
    assert report is None  # from the cache
    assert CSRF_PLACEHOLDER not in again and "Q1" in again and "Q2" in again
    token = 'name="csrfmiddlewaretoken" value="'
    assert first.split(token)[0] == again.split(token)[0]  # the same page but for the token


def test_every_change_of_the_students_answers_changes_the_key(world, course):
    learner, questions = world
    before = key(learner, course)
    answer = learner.answer(questions[1], None, status=Submission.Status.PENDING)
    pending = key(learner, course)
    assert pending != before
    Submission.objects.filter(pk=answer.pk).update(status="graded", score=1.0, try_number=1)  # graded later
    graded = key(learner, course)
    assert graded != pending
    Submission.objects.filter(pk=answer.pk).update(score=0.5)  # regraded
    assert key(learner, course) != graded
    learner.open(questions[1], number=2)  # a new variant
    assert key(learner, course) not in (before, pending, graded)


def test_content_and_time_change_the_key(world, course, quiz):
    learner, questions = world
    now = timezone.now()
    before = key(learner, course, now)
    assert key(learner, course, now) == before  # deterministic
    Question.objects.filter(pk=questions[1].pk).update(title="Renamed")
    renamed = key(learner, course, now)
    assert renamed != before
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=now + timedelta(minutes=5))
    open_now = key(learner, course, now)
    assert open_now != renamed
    assert key(learner, course, now + timedelta(minutes=10)) != open_now  # closed by then
    assert key(learner, course, now + timedelta(days=1)) != open_now  # another day: weeks and streak


def test_the_page_shows_a_new_answer_after_a_cached_view(client, world, course):
    learner, questions = world
    client.force_login(learner.user)
    page = reverse("progress:progress", args=[course.slug])
    assert "<dt>Tries</dt><dd>1</dd>" in client.get(page).content.decode()
    learner.answer(questions[1], 1.0, value=1.0)
    html = client.get(page).content.decode()
    assert "<dt>Tries</dt><dd>2</dd>" in html


def test_the_new_variant_forms_carry_a_token_of_this_request_hit_or_miss(make_user, course, quiz):
    question = make_question(quiz=quiz, position=1, kind="computed", generator="mlp_backward", prompt="")
    learner = Learner(make_user, course, "lea", timezone.now() - timedelta(hours=1))
    learner.answer(question, 0.0, value=1.0)  # wrong, practice, computed: "Try a new variant" form
    cache.clear()
    pages, tokens = [], []
    for _ in range(2):  # rendered, then from the cache; each request has a secret of its own
        html, _ = report_fragment(request=request_for(learner.user), student=learner.user, course=course)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)
        assert token is not None and CSRF_PLACEHOLDER not in html
        assert len(token.group(1)) == 64 and token.group(1).isalnum()
        pages.append(html.replace(token.group(1), "TOKEN"))
        tokens.append(token.group(1))
    assert pages[0] == pages[1] and "Try a new variant" in pages[0]
    assert tokens[0] != tokens[1]  # the second is not the first request's token served from the cache
