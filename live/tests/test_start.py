"""Starting a live session from the course's Live page: from a quiz (its active questions in order) or
hand-picked questions (in course order), the title and variants; refusals on the form; the list of
sessions, running first; the links from the quiz's statistics page and the course page."""

import pytest
from django.urls import reverse

from courses.models import Lecture
from live import services
from live.models import LiveSession
from quizzes.models import Quiz
from quizzes.tests.factories import make_question


@pytest.fixture
def staff(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def questions(quiz):
    later = Quiz.objects.create(lecture=Lecture.objects.create(course=quiz.lecture.course, number=3, title="MLPs",
                                                               slug="mlps"), title="MLP check")
    return {
        "second": make_question(quiz=quiz, position=2, kind="numeric", prompt="Two?", numeric_answer=2.0),
        "first": make_question(quiz=quiz, position=1, kind="numeric", prompt="One?", numeric_answer=1.0),
        "archived": make_question(quiz=quiz, position=3, kind="numeric", prompt="Old?", numeric_answer=3.0,
                                  is_archived=True),
        "later": make_question(quiz=later, position=1, kind="text", prompt="Name it.", text_answers=["relu"]),
    }


def page_url(course):
    return reverse("live_staff:sessions", args=[course.slug])


def test_a_session_from_a_quiz_asks_its_active_questions_in_order(staff, course, quiz, questions):
    response = staff.post(page_url(course), {"source": "quiz", "quiz": quiz.id, "title": "", "variants": "own"})
    session = LiveSession.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("live_staff:presenter", args=[course.slug, session.id])
    assert [i.question for i in session.items.order_by("position")] == [questions["first"], questions["second"]]
    assert (session.title, session.quiz, session.variants) == (quiz.title, quiz, LiveSession.Variants.OWN)


def test_hand_picked_questions_come_in_course_order_whatever_the_order_ticked(staff, course, questions):
    picked = [questions["later"].id, questions["second"].id]
    staff.post(page_url(course), {"source": "pick", "questions": picked, "title": "Review", "variants": "shared"})
    session = LiveSession.objects.get()
    assert [i.question for i in session.items.order_by("position")] == [questions["second"], questions["later"]]
    assert (session.title, session.quiz, session.variants) == ("Review", None, LiveSession.Variants.SHARED)


@pytest.mark.parametrize("data, message", [
    ({"source": "quiz"}, "Choose the quiz whose questions to ask."),
    ({"source": "pick"}, "Tick at least one question."),
    ({"source": "pick", "questions": [987654]}, "Select a valid choice. 987654 is not one of the available choices."),
    ({"source": "quiz", "quiz": 987654}, "Select a valid choice. That choice is not one of the available choices."),
    ({"source": "other"}, "Select a valid choice. other is not one of the available choices."),
])
def test_a_form_that_does_not_fit_is_refused_on_the_page(staff, course, questions, data, message):
    response = staff.post(page_url(course), {"variants": "own", **data})
    assert response.status_code == 400 and message in response.content.decode()
    assert not LiveSession.objects.exists()


def test_an_archived_question_or_another_courses_cannot_be_picked(staff, course, questions, other_course):
    foreign_lecture = Lecture.objects.create(course=other_course, number=1, title="X", slug="x")
    foreign = make_question(quiz=Quiz.objects.create(lecture=foreign_lecture, title="Theirs"), kind="numeric",
                            prompt="?", numeric_answer=1.0)
    for question in (foreign, questions["archived"]):
        response = staff.post(page_url(course), {"source": "pick", "questions": [question.id], "variants": "own"})
        assert response.status_code == 400 and f"{question.id} is not one of the available choices" in (
            response.content.decode())
    empty = Quiz.objects.create(lecture=questions["first"].quiz.lecture, title="Empty", position=5)
    response = staff.post(page_url(course), {"source": "quiz", "quiz": empty.id, "variants": "own"})
    assert "“Empty” has no questions yet." in response.content.decode()
    assert not LiveSession.objects.exists()


def test_the_page_preselects_a_quiz_and_lists_running_sessions_first(staff, course, quiz, questions, instructor):
    old = services.session_start(course=course, by=instructor, questions=[questions["first"]], title="Old one")
    services.session_control(session_id=old.id, action="end")
    running = services.session_start(course=course, by=instructor, questions=[questions["first"]], title="Now")
    page = staff.get(page_url(course) + f"?quiz={quiz.id}").content.decode()
    assert f'<option value="{quiz.id}" selected>' in page
    assert page.index("Now") < page.index("Old one")
    assert f'href="{reverse("live_staff:presenter", args=[course.slug, running.id])}"' in page
    assert f'href="{reverse("live_staff:presenter", args=[course.slug, old.id])}"' not in page  # ended: results
    assert reverse("live_staff:results", args=[course.slug, old.id]) in page
    assert "Name it." in page and "Old?" not in page  # the checkboxes: active questions of the course
    assert staff.get(page_url(course) + "?quiz=99999999999999999999999").status_code == 200  # ignored


def test_the_statistics_and_course_pages_link_to_it_for_staff_only(staff, client, course, quiz, student):
    start = f'{page_url(course)}?quiz={quiz.id}'
    statistics = staff.get(reverse("progress:quiz_statistics", args=[course.slug, quiz.id])).content.decode()
    assert f'href="{start}"' in statistics and "Start a live session" in statistics
    assert f'href="{page_url(course)}"' in staff.get(reverse("progress:course", args=[course.slug])).content.decode()
    client.force_login(student)
    assert page_url(course) not in client.get(reverse("progress:course", args=[course.slug])).content.decode()
