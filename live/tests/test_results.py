"""A session's results afterwards: the results page per question, the CSV of its answers (usernames,
for staff; cells safe in a spreadsheet), the REST API's live sessions of a course, and the results
export's ``live_session`` column."""

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from live.tests.staff_world import answer, control, enrol_students, make_live_world
from quizzes.models import Submission
from quizzes.submissions import submission_create
from quizzes.tests.factories import form_data


@pytest.fixture
def world(course, quiz, instructor):
    world = make_live_world(course=course, quiz=quiz, instructor=instructor)
    tanh, sigmoid, _ = world.pick.choices.order_by("position")
    control(world.session, "open")
    for student, choice in zip(world.students, [tanh, tanh, tanh, sigmoid], strict=True):
        answer(world.session, student, choice=choice.id)
    control(world.session, "next")
    control(world.session, "open")
    answer(world.session, world.students[0], answer="=HYPERLINK(1)")  # invalid, and a formula to a spreadsheet
    answer(world.session, world.students[1], answer="1024")
    control(world.session, "end")
    return world


@pytest.fixture
def staff(client, instructor):
    client.force_login(instructor)
    return client


def url(name, session):
    return reverse(f"live_staff:{name}", args=[session.course.slug, session.id])


def test_the_results_page_shows_each_questions_figures(staff, world):
    page = staff.get(url("results", world.session)).content.decode()
    assert page.count('class="card stat-card"') == 3
    first = page[page.index('id="item-1"'):page.index('id="item-2"')]
    assert "<dt>Answered</dt><dd>4</dd>" in first and "<dt>Right</dt><dd>75%</dd>" in first
    assert "<dt>Wrong</dt><dd>1</dd>" in first
    assert 'id="live-chart-' in first and "presenter-mark" in first  # the right choice marked
    second = page[page.index('id="item-2"'):page.index('id="item-3"')]
    assert "<dt>Answered</dt><dd>2</dd>" in second and "1 not readable" in second
    assert "<dt>Right</dt><dd>100%</dd>" in second  # of the graded answers
    third = page[page.index('id="item-3"'):]
    assert "not asked" in third and "No student answered this question" in third and "live-chart" not in third
    assert url("answers_csv", world.session) in page


def test_the_csv_has_a_row_per_answer_with_usernames_and_safe_cells(staff, world):
    response = staff.get(url("answers_csv", world.session))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="dl-live-{world.session.code}.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 6
    assert [(r["number"], r["student_username"], r["answer"], r["status"]) for r in rows] == [
        ("1", "zoltan_q7", "tanh", "graded"), ("1", "wilhelmina_k3", "tanh", "graded"),
        ("1", "xavier_b9", "tanh", "graded"), ("1", "yolanda_m2", "sigmoid", "graded"),
        ("2", "zoltan_q7", "'=HYPERLINK(1)", "invalid"), ("2", "wilhelmina_k3", "1024", "graded")]
    assert {r["session"] for r in rows} == {world.session.code} and rows[3]["score"] == "0.0"


def test_the_api_lists_the_courses_sessions_with_their_figures(client, world, instructor):
    token = Token.objects.create(user=instructor).key
    response = client.get("/api/v1/courses/dl/live-sessions/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    [row] = response.json()
    assert (row["code"], row["title"], row["quiz"], row["joined"]) == (world.session.code, "Week 3",
                                                                       world.session.quiz_id, 4)
    first, second, third = row["questions"]
    assert (first["number"], first["shape"], first["answered"], first["right_share"]) == (1, "choices", 4, 0.75)
    assert [(b["label"], b["count"], b["correct"]) for b in first["bars"]] == [("A", 3, True), ("B", 1, False),
                                                                              ("C", 0, False)]
    assert (second["answered"], second["graded"], second["right_share"]) == (2, 1, 1.0)
    assert third["opened_at"] is None and third["answered"] == 0
    assert "zoltan_q7" not in response.content.decode()  # figures only


def test_the_api_is_for_the_courses_staff_only(client, world, other_course, make_user):
    from courses.models import Enrolment

    client.force_login(world.students[0])
    assert client.get("/api/v1/courses/dl/live-sessions/").status_code == 403
    outsider = make_user("outsider")
    Enrolment.objects.create(user=outsider, course=other_course, role=Enrolment.Role.TA)
    client.force_login(outsider)
    assert client.get("/api/v1/courses/dl/live-sessions/").status_code == 404


def test_the_results_export_marks_answers_given_in_a_session(client, world, instructor, quiz):
    outside = enrol_students(world.session.course, [("quinn_p", "Quinn", "P")])[0]
    on_page = submission_create(student=outside, question=world.number, data=form_data(answer="1024"))
    client.force_login(instructor)
    response = client.get("/api/v1/courses/dl/results/?format=csv")
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))}
    live = Submission.objects.filter(live_answer__isnull=False)
    assert live.count() == 6 and all(rows[s.id]["live_session"] == world.session.code for s in live)
    assert rows[on_page.id]["live_session"] == ""
