"""The presenter's page in a real browser at projector size (Playwright, the system Chromium, 1920×1080):
started from the course's Live page, driven by a clicker's keys, its counts and results following the
students' answers without a reload, a refused control explained on screen."""

import time
from pathlib import Path

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from authoring.demo import demo_load
from courses.models import Course, Enrolment, Lecture
from live.models import LiveSession
from live.tests.staff_world import answer, enrol_students
from quizserver.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WAIT = 10_000  # ms: an update takes a fraction of a second; this bounds a slow machine
PROJECTOR = {"width": 1920, "height": 1080}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def answered(session, student, **fields):
    """A student's answer, again after a moment while the test database is locked (the tests' in-memory
    SQLite locks a table while the presenter's stream, in another thread, reads it)."""
    for _ in range(40):
        try:
            return answer(session, student, **fields)
        except OperationalError:
            time.sleep(0.05)
    raise AssertionError("the database stayed locked")


def test_an_instructor_starts_and_runs_a_session_with_a_clicker(page, live_server):
    demo_load()
    course = Course.objects.get(slug="deep-learning")
    quiz = Lecture.objects.get(course=course, number=2).quizzes.get()
    first = quiz.questions.active().order_by("position", "id").first()
    assert first.kind == "single"
    students = enrol_students(course)
    page.set_viewport_size(PROJECTOR)
    log_in(page, live_server.url, "instructor", "instructor-demo")

    page.goto(f"{live_server.url}/courses/{course.slug}/live/?quiz={quiz.id}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live-start.png"), full_page=True)
    page.get_by_role("button", name="Start the session").click()
    page.locator("[data-presenter]").wait_for()
    session = LiveSession.objects.get()
    assert session.quiz == quiz and session.items.count() == quiz.questions.active().count()
    assert page.locator(".presenter-code").inner_text() == session.code
    assert page.locator(".presenter-qr svg").bounding_box()["width"] > 250  # scannable from the room
    page.evaluate("window.__sameDocument = true")

    page.keyboard.press("o")
    page.get_by_text("Open for answers").first.wait_for(timeout=WAIT)
    right = first.choices.get(is_correct=True)
    for student in students[:3]:
        answered(session, student, choice=right.id)
    expect(page.locator("[data-count=answered]")).to_have_text("3", timeout=WAIT)

    page.keyboard.press("s")
    page.locator(".presenter-results svg.chart").wait_for(timeout=WAIT)
    assert "results=1" in page.url
    answered(session, students[3], choice=right.id)
    expect(page.locator(".live-figures strong").first).to_have_text("4", timeout=WAIT)

    page.keyboard.press("r")
    page.locator(".presenter-solution").wait_for(timeout=WAIT)
    page.locator(".presenter-choices li.is-correct").wait_for(timeout=WAIT)
    page.screenshot(path=str(ARTIFACTS / "live-presenter.png"))

    page.keyboard.press("c")  # closing a revealed question: refused, and said so
    page.get_by_text("Answers are not open.").wait_for(timeout=WAIT)
    status = page.locator("[data-presenter-status]")
    page.keyboard.press("PageDown")
    expect(status).to_contain_text("Question 2 of", timeout=WAIT)
    page.keyboard.press("PageDown")
    page.keyboard.press("PageUp")  # pressed at once: sent after the one before
    page.keyboard.press("ArrowLeft")
    expect(status).to_contain_text("Question 1 of", timeout=WAIT)
    expect(page.locator(".presenter-number")).to_contain_text("Question 1", timeout=WAIT)
    assert page.evaluate("window.__sameDocument") is True  # no reload: all in place
    session.refresh_from_db()
    assert (session.position, session.phase) == (0, LiveSession.Phase.REVEALED)
    assert Enrolment.objects.filter(course=course, role=Enrolment.Role.STUDENT).count() == 5  # demo student too

    page.get_by_role("link", name="results page").click()
    expect(page.locator("#item-1 dd").first).to_have_text("4")  # answered
    page.screenshot(path=str(ARTIFACTS / "live-results.png"), full_page=True)
