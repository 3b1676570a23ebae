"""Phones in a real browser (Playwright, the system Chromium, phone size): the question appears by
itself when opened (Server-Sent Events), the answer is received without a reload, the feedback comes
with the reveal, and a phone that was offline catches up when it is back."""

import time

import pytest
from django.db import OperationalError

from authoring.demo import demo_load
from courses.models import Course, Lecture
from live import services
from live.models import LiveAnswer
from quizserver.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WAIT = 10_000  # ms: the push itself takes a fraction of a second; this bounds a slow machine


def control(session, action):
    """The presenter's action, again after a moment while the test database is locked: the tests'
    in-memory SQLite locks a whole table while a phone's stream (another thread) reads it."""
    for _ in range(40):
        try:
            return services.session_control(session_id=session.id, action=action)
        except OperationalError:
            time.sleep(0.05)
    raise AssertionError(f"the database stayed locked: {action} failed")


def test_a_phone_follows_the_session_and_an_offline_phone_catches_up(page, live_server, django_user_model):
    demo_load()
    course = Course.objects.get(slug="deep-learning")
    quiz = Lecture.objects.get(course=course, number=2).quizzes.get()
    questions = list(quiz.questions.active().order_by("position")[:2])
    assert questions[0].kind == "single"
    instructor = django_user_model.objects.get(username="instructor")
    session = services.session_start(course=course, by=instructor, questions=questions, title="Week 2", quiz=quiz)

    log_in(page, live_server.url, "student", "student-demo")
    page.goto(f"{live_server.url}/live/?code={session.code.lower()}")
    page.get_by_text("Waiting for the first question").wait_for()
    page.evaluate("window.__sameDocument = true")

    control(session, "open")
    first = page.locator(f"#q{questions[0].id}")
    first.wait_for(timeout=WAIT)
    right = questions[0].choices.get(is_correct=True)
    page.locator(f"label[for='c{right.id}']").click()
    page.get_by_role("button", name="Send answer").click()
    page.get_by_text("Answer received").wait_for(timeout=WAIT)
    assert LiveAnswer.objects.filter(item__session=session).count() == 1

    control(session, "reveal")
    page.locator(".feedback-correct").wait_for(timeout=WAIT)
    assert page.evaluate("window.__sameDocument") is True  # no reload: pushed and fetched in place

    page.context.set_offline(True)  # the phone loses its connection (a tunnel, a sleeping phone)
    control(session, "next")
    control(session, "open")
    page.wait_for_timeout(500)
    page.context.set_offline(False)  # back: EventSource reconnects and gets the current state first
    page.locator(f"#q{questions[1].id}").wait_for(timeout=WAIT)
    assert "Question 2 of 2" in page.locator("[data-live-status]").inner_text()
