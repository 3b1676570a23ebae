"""Who may open the staff's side of a live session: its course's staff only. A student of the course gets
403 from every page and data endpoint (presenter view, stage, state, events, controls, results, CSV, the
session list), a TA of another course the course's 403, an anonymous visitor the login page; a session
of another course is a 404 even for staff."""

import pytest
from django.urls import reverse

from courses.models import Enrolment, Lecture
from live import services
from live.models import LiveSession
from live.tests.staff_world import make_live_world
from quizzes.models import Quiz
from quizzes.tests.factories import make_question

SESSION_VIEWS = ["presenter", "stage", "state", "events", "results", "answers_csv"]


@pytest.fixture
def world(course, quiz, instructor):
    return make_live_world(course=course, quiz=quiz, instructor=instructor)


@pytest.fixture
def other_ta(make_user, other_course):
    user = make_user("tom_ta", is_staff=True)
    Enrolment.objects.create(user=user, course=other_course, role=Enrolment.Role.TA)
    return user


def url(name, session, slug=None):
    return reverse(f"live_staff:{name}", args=[slug or session.course.slug, session.id])


def get(client, name, session, slug=None):
    response = client.get(url(name, session, slug))
    if response.streaming:
        response.close()  # an event stream: its status is all this test needs
    return response


@pytest.mark.parametrize("name", SESSION_VIEWS)
def test_a_student_of_the_course_gets_403_and_no_data(client, world, name):
    client.force_login(world.students[0])
    response = get(client, name, world.session)
    assert response.status_code == 403
    assert not response.streaming and "For course staff only" in response.content.decode()
    assert world.session.code not in response.content.decode()


@pytest.mark.parametrize("name", SESSION_VIEWS)
def test_a_ta_of_another_course_gets_403(client, world, other_ta, name):
    client.force_login(other_ta)
    assert get(client, name, world.session).status_code == 403


@pytest.mark.parametrize("name", SESSION_VIEWS)
def test_the_staff_of_the_course_get_it(client, world, instructor, name):
    client.force_login(instructor)
    response = get(client, name, world.session)
    assert response.status_code == 200
    if name == "events":
        assert response["Content-Type"] == "text/event-stream"


@pytest.mark.parametrize("name", SESSION_VIEWS)
def test_anonymous_visitors_are_sent_to_log_in(client, world, name):
    response = get(client, name, world.session)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_nobody_but_its_staff_may_control_a_session(client, world, other_ta, instructor):
    for user in (world.students[0], other_ta):
        client.force_login(user)
        assert client.post(url("control", world.session), {"action": "open"}).status_code == 403
    world.session.refresh_from_db()
    assert world.session.phase == LiveSession.Phase.WAITING and world.session.version == 1
    client.force_login(instructor)
    assert client.get(url("control", world.session)).status_code == 405  # a control is a POST
    assert client.post(url("control", world.session), {"action": "open"}).status_code == 302
    world.session.refresh_from_db()
    assert world.session.phase == LiveSession.Phase.OPEN


def test_a_session_of_another_course_is_404_even_for_its_staff(client, world, other_course, other_ta):
    lecture = Lecture.objects.create(course=other_course, number=1, title="Regression", slug="regression")
    question = make_question(quiz=Quiz.objects.create(lecture=lecture, title="Q"), kind="numeric", prompt="1?",
                             numeric_answer=1.0)
    theirs = services.session_start(course=other_course, by=other_ta, questions=[question], title="Theirs")
    client.force_login(other_ta)
    assert get(client, "presenter", theirs).status_code == 200
    for name in SESSION_VIEWS:  # their session through another course's address
        assert get(client, name, theirs, slug=world.session.course.slug).status_code == 403  # not in that course
    Enrolment.objects.create(user=other_ta, course=world.session.course, role=Enrolment.Role.TA)
    for name in SESSION_VIEWS:
        assert get(client, name, theirs, slug=world.session.course.slug).status_code == 404
    assert client.post(url("control", theirs, slug=world.session.course.slug), {"action": "open"}).status_code == 404


def test_the_session_list_and_start_form_are_for_staff_only(client, world, other_ta, instructor):
    sessions = reverse("live_staff:sessions", args=[world.session.course.slug])
    for user in (world.students[0], other_ta):
        client.force_login(user)
        assert client.get(sessions).status_code == 403
        assert client.post(sessions, {"source": "quiz", "quiz": world.session.quiz_id}).status_code == 403
    assert LiveSession.objects.count() == 1
    client.force_login(instructor)
    assert client.get(sessions).status_code == 200
    assert client.get(reverse("live_staff:sessions", args=["no-such-course"])).status_code == 404
