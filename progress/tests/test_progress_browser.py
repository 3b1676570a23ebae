"""The progress and statistics pages in a real browser, on a phone: no sideways scrolling, and
the review list works with the keyboard alone. Skips without /usr/bin/chromium (fails under CI).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from progress.tests.progress_data import Learner
from quizserver.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def url(name, course, *args):
    app = "quizzes" if name in ("quiz", "answer", "reveal", "new_variant") else "progress"
    return reverse(f"{app}:{name}", args=[course.slug, *args])


def test_pages_fit_a_phone_and_review_works_with_the_keyboard(
    page, live_server, make_user, course, single, instructor
):
    learner = Learner(make_user, course, "lea", timezone.now() - timedelta(days=1))
    learner.answer(single, 0, value=[single.choices.get(position=1).id])
    log_in(page, live_server.url, "lea", "pw-lea")
    page.goto(live_server.url + url("progress", course))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.get_by_role("img", name="Tries per week").count() == 1  # named by its <title>
    for _ in range(40):  # Tab through the page to the review link, then follow it with Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href') || ''").endswith(f"#q{single.id}"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{url('quiz', course, single.quiz_id)}#q{single.id}")
    page.context.clear_cookies()
    log_in(page, live_server.url, "ingrid", "pw-ingrid")
    for address in (url("quiz_statistics", course, single.quiz_id), url("students", course)):
        page.goto(live_server.url + address)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), address
