"""The pages added for live sessions, multi-step statistics and imports fit a phone (390 px): nothing
makes the page scroll sideways (a wide table scrolls inside its own region)."""

import pytest

from authoring.demo import demo_load
from courses.models import Course, Lecture
from live import services
from quizserver.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_live_statistics_and_import_pages_fit_a_phone(page, live_server, django_user_model):
    demo_load()
    course = Course.objects.get(slug="deep-learning")
    quiz = Lecture.objects.get(course=course, number=3).quizzes.get()
    instructor = django_user_model.objects.get(username="instructor")
    session = services.session_start(course=course, by=instructor, questions=list(quiz.questions.active()),
                                     title="Week 3", quiz=quiz)
    services.session_control(session_id=session.id, action="open")
    log_in(page, live_server.url, "instructor", "instructor-demo")
    paths = [f"/courses/{course.slug}/live/", f"/courses/{course.slug}/live/{session.id}/",
             f"/courses/{course.slug}/live/{session.id}/results/", "/live/", f"/live/{session.code}/",
             f"/courses/{course.slug}/quizzes/{quiz.id}/statistics/", "/admin/quizzes/quiz/import/"]
    widths = {}
    for path in paths:
        assert page.goto(live_server.url + path).status == 200, path
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    assert {path: width for path, width in widths.items() if width > 390} == {}
