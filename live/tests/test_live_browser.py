"""A whole live session in real browsers (Playwright, the system Chromium): a presenter at projector
size and three phones. The presenter opens the question, the phones answer (one of them lost its
connection meanwhile and rejoins), the presenter closes, shows the results, reveals and moves on; the
presenter's numbers match what was answered, and each phone shows its own feedback."""

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from authoring.demo import demo_load
from courses.models import Course, Lecture
from live.models import LiveAnswer, LiveSession
from live.tests.staff_world import enrol_students
from quizserver.tests.browser import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WAIT = 10_000  # ms: an update takes a fraction of a second; this bounds a slow machine
PROJECTOR = {"width": 1920, "height": 1080}
ROOT = Path(__file__).resolve().parents[2]


def phone_for(browser, live_server, user):
    """A phone-sized page logged in as ``user`` (the session cookie of a server-side login)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    return context.new_page()


def test_a_presenter_and_three_phones_one_of_which_rejoins(page, live_server):
    demo_load()
    course = Course.objects.get(slug="deep-learning")
    quiz = Lecture.objects.get(course=course, number=2).quizzes.get()
    first = quiz.questions.active().order_by("position", "id").first()
    assert first.kind == "single"
    right = first.choices.get(is_correct=True)
    wrong = first.choices.filter(is_correct=False).first()
    ann, bob, cleo = enrol_students(course)[:3]

    page.set_viewport_size(PROJECTOR)
    log_in(page, live_server.url, "instructor", "instructor-demo")
    page.goto(f"{live_server.url}/courses/{course.slug}/live/?quiz={quiz.id}")
    page.get_by_role("button", name="Start the session").click()
    page.locator("[data-presenter]").wait_for()
    session = LiveSession.objects.get()

    phones = [phone_for(page.context.browser, live_server, user) for user in (ann, bob, cleo)]
    for phone in phones:
        phone.goto(f"{live_server.url}/live/?code={session.code}")
        phone.get_by_text("Waiting for the first question").wait_for(timeout=WAIT)
    expect(page.locator("[data-count=joined]")).to_have_text("3", timeout=WAIT)

    phones[2].context.set_offline(True)  # Cleo's phone loses its connection before the question opens
    page.keyboard.press("o")
    for phone in phones[:2]:
        phone.locator(f"#q{first.id}").wait_for(timeout=WAIT)
    for phone, choice in ((phones[0], right), (phones[1], wrong)):
        phone.locator(f"label[for='c{choice.id}']").click()
        phone.get_by_role("button", name="Send answer").click()
        phone.get_by_text("Answer received").wait_for(timeout=WAIT)
    phones[2].context.set_offline(False)  # back: it reconnects and shows the open question
    phones[2].locator(f"#q{first.id}").wait_for(timeout=WAIT)
    phones[2].locator(f"label[for='c{right.id}']").click()
    phones[2].get_by_role("button", name="Send answer").click()
    phones[2].get_by_text("Answer received").wait_for(timeout=WAIT)
    expect(page.locator("[data-count=answered]")).to_have_text("3", timeout=WAIT)

    page.keyboard.press("c")
    phones[0].get_by_text("The answers are closed").wait_for(timeout=WAIT)
    page.keyboard.press("s")
    page.locator(".presenter-results svg.chart").wait_for(timeout=WAIT)
    table = page.locator(".presenter-results table").inner_text()
    item = session.items.get(position=0)
    stored = {choice: LiveAnswer.objects.filter(item=item, submission__value=[choice.id]).count()
              for choice in (right, wrong)}
    assert stored == {right: 2, wrong: 1} and LiveAnswer.objects.filter(item=item).count() == 3
    assert "67%" in table and "33%" in table  # 2 of 3 right, 1 of 3 the wrong choice: as stored

    page.keyboard.press("r")
    page.locator(".presenter-solution").wait_for(timeout=WAIT)
    phones[0].locator(".feedback-correct").wait_for(timeout=WAIT)
    phones[1].locator(".feedback-incorrect").wait_for(timeout=WAIT)
    phones[2].locator(".feedback-correct").wait_for(timeout=WAIT)
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "test-artifacts" / "live-presenter-3-phones.png"))

    page.keyboard.press("PageDown")
    for phone in phones:
        expect(phone.locator("[data-live-status]")).to_contain_text("Question 2 of", timeout=WAIT)
    session.refresh_from_db()
    assert (session.position, session.phase) == (1, LiveSession.Phase.WAITING)
    for phone in phones:
        phone.context.close()
