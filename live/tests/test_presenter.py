"""The presenter's view of a live session: what the projector shows (join link, code and QR code of that
link, the question, counts, results on demand, the solution on reveal), that its numbers are the
database's, and that no student's name or username appears in its page, stage, state or events, ever."""

import json
import re

import pytest
from django.urls import reverse

from live import services
from live.models import LiveAnswer, LiveJoin, LiveSession
from live.qr import qr_svg
from live.tests.staff_world import NAMES, answer, control, make_live_world, register_toy_generators
from quizzes.models import Variant
from quizzes.tests.factories import make_question

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def world(course, quiz, instructor):
    return make_live_world(course=course, quiz=quiz, instructor=instructor)


@pytest.fixture
def staff(client, instructor):
    client.force_login(instructor)
    return client


def url(name, session):
    return reverse(f"live_staff:{name}", args=[session.course.slug, session.id])


def state(client, session, results=False) -> dict:
    response = client.get(url("state", session) + ("?results=1" if results else ""))
    assert response.status_code == 200
    return response.json()


def text(data) -> str:
    return json.dumps(data, ensure_ascii=False)  # names with accents as they are


def first_event(client, session, results=False) -> dict:
    response = client.get(url("events", session) + ("?results=1" if results else ""))
    chunks = iter(response.streaming_content)
    assert next(chunks).decode().startswith("retry:")
    first = next(chunks).decode()
    response.close()
    assert first.startswith("event: state\ndata: ")
    return json.loads(first.split("data: ", 1)[1])


def test_the_page_shows_the_join_code_link_and_a_qr_code_of_that_link(staff, world):
    page = staff.get(url("presenter", world.session)).content.decode()
    join_url = f"http://testserver/live/?code={world.session.code}"
    assert f'<p class="presenter-url">{join_url}</p>' in page
    spelled = " ".join(world.session.code)  # read out letter by letter
    assert f'<p class="presenter-code" aria-label="Join code {spelled}">{world.session.code}</p>' in page
    assert qr_svg(join_url, title=f"QR code: {join_url}") in page  # the code of exactly that link, drawn here
    scripts = re.findall(r"<script[^>]*>", page)
    assert len(scripts) == 2 and all("src=" in tag or 'type="application/json"' in tag for tag in scripts)  # CSP
    assert "Which activation is zero-centred?" in page and "Question 1 of 3" in page
    for letter, text in (("A", "tanh"), ("B", "sigmoid"), ("C", "relu")):
        assert re.search(rf'<span class="choice-letter">{letter}</span> <span class="choice-text">(<p>)?{text}', page)


def test_the_counts_and_distribution_match_the_database(staff, world, instructor):
    tanh, sigmoid, _ = world.pick.choices.order_by("position")
    control(world.session, "open")
    for student, choice in zip(world.students[:3], [tanh, tanh, sigmoid], strict=True):
        answer(world.session, student, choice=choice.id)
    services.session_join(session=world.session, student=world.students[3])  # joined, not answered
    answer(world.session, world.students[2], choice=tanh.id)  # changed their mind
    answer(world.session, instructor, choice=sigmoid.id)  # staff do not count
    hidden = state(staff, world.session)
    item = world.item(0)
    assert LiveJoin.objects.filter(session=world.session).count() == 5  # four students and the instructor
    assert (hidden["joined"], hidden["answered"], hidden["distribution"], hidden["shown"]) == (4, 3, None, False)
    assert LiveAnswer.objects.filter(item=item).count() == 5
    shown = state(staff, world.session, results=True)
    assert shown["answered"] == 3 and shown["shown"] is True
    bars = shown["distribution"]["bars"]
    assert [(b["label"], b["count"], b["correct"]) for b in bars] == [("A", 3, None), ("B", 0, None), ("C", 0, None)]
    assert shown["distribution"]["right"] is None  # not revealed: nothing says which is right
    assert first_event(staff, world.session, results=True) == shown
    control(world.session, "reveal")
    revealed = state(staff, world.session)  # revealed: shown without asking
    assert revealed["shown"] is True and revealed["distribution"]["right"] == 3
    assert [b["correct"] for b in revealed["distribution"]["bars"]] == [True, False, False]


def test_results_appear_on_demand_and_the_solution_on_reveal(staff, world):
    tanh = world.pick.choices.get(is_correct=True)
    control(world.session, "open")
    answer(world.session, world.students[0], choice=tanh.id)
    stage = staff.get(url("stage", world.session)).content.decode()
    assert "Results hidden" in stage and "live-chart" not in stage and "tanh</strong> is odd" not in stage
    shown = staff.get(url("stage", world.session) + "?results=1").content.decode()
    assert 'id="live-chart-' in shown and "<strong>1</strong> answered" in shown and "✓" not in shown
    part = staff.get(url("stage", world.session) + "?results=1&part=results").content.decode()
    assert 'id="live-chart-' in part and "Which activation" not in part  # only the results area
    control(world.session, "reveal")
    revealed = staff.get(url("stage", world.session)).content.decode()
    assert "<strong>tanh</strong> is odd." in revealed and "Solution" in revealed
    assert "<strong>100%</strong> right" in revealed and "presenter-mark" in revealed


@pytest.mark.parametrize("results", [False, True])
def test_no_student_name_or_username_reaches_the_projector(staff, world, results):
    tanh, sigmoid, _ = world.pick.choices.order_by("position")
    control(world.session, "open")
    for student, choice in zip(world.students, [tanh, sigmoid, tanh, sigmoid], strict=True):
        answer(world.session, student, choice=choice.id)
    control(world.session, "reveal")
    control(world.session, "next")
    control(world.session, "next")
    control(world.session, "open")
    for student in world.students:  # short texts, each typed by one student: not shown
        answer(world.session, student, answer=f"I am {student.first_name}")
    query = "?results=1" if results else ""
    bodies = [staff.get(url("presenter", world.session) + query).content.decode(),
              staff.get(url("stage", world.session) + query).content.decode(),
              text(state(staff, world.session, results)), text(first_event(staff, world.session, results)),
              text(staff.post(url("control", world.session), {"action": "close", "results": "1"}, **FETCH).json())]
    control(world.session, "previous")
    control(world.session, "previous")  # the choice question, revealed: its distribution
    bodies.append(staff.get(url("stage", world.session) + query).content.decode())
    assert "presenter-results" in bodies[0] and '"joined": 4' in bodies[2] and '"answered": 4' in bodies[3]
    for body in (body.casefold() for body in bodies):
        for name in (part.casefold() for names in NAMES for part in names):
            assert name not in body
        assert "ingrid" not in body  # nor the presenter's own username


def test_an_own_variant_computed_question_shows_example_numbers_labelled_as_such(staff, course, quiz, instructor,
                                                                                monkeypatch):
    register_toy_generators(monkeypatch)
    question = make_question(quiz=quiz, kind="computed", generator="toy_product", prompt="")
    session = services.session_start(course=course, by=instructor, questions=[question], title="Products")
    stage = staff.get(url("stage", session)).content.decode()
    assert "Each student has their own numbers" in stage and "Example" in stage
    mine = Variant.objects.get(student=instructor, question=question, seed=session.items.get().seed)
    a, b = mine.params["a"], mine.params["b"]
    assert f"{a:g}" in stage and f"{b:g}" in stage and "{{" not in stage
    control(session, "reveal")
    revealed = staff.get(url("stage", session)).content.decode()
    assert "Multiply" in revealed and f"{a * b:g}" in revealed  # the worked steps of the example shown


def test_a_shared_variant_shows_the_rooms_own_numbers(staff, course, quiz, instructor, monkeypatch, client):
    register_toy_generators(monkeypatch)
    from live.tests.staff_world import enrol_students

    question = make_question(quiz=quiz, kind="computed", generator="toy_product", prompt="")
    session = services.session_start(course=course, by=instructor, questions=[question], title="Products",
                                     variants=LiveSession.Variants.SHARED)
    stage = staff.get(url("stage", session)).content.decode()
    assert "Each student has their own numbers" not in stage
    control(session, "open")
    student = enrol_students(course, [("sam_s", "Sam", "S")])[0]
    answer(session, student, answer="1")
    theirs = Variant.objects.filter(student=student, question=question).order_by("-number").first()
    mine = Variant.objects.filter(student=instructor, question=question).order_by("-number").first()
    assert theirs.params == mine.params and theirs.seed == mine.seed == session.items.get().seed
    assert f"{theirs.params['a']:g}" in stage


def test_the_page_survives_a_reload_and_the_end(staff, world):
    control(world.session, "open")
    control(world.session, "next")
    control(world.session, "reveal")
    page = staff.get(url("presenter", world.session)).content.decode()
    assert "Question 2 of 3" in page and "What is" in page and "Revealed" in page
    control(world.session, "end")
    ended = staff.get(url("presenter", world.session)).content.decode()
    assert "The session has ended" in ended and url("results", world.session) in ended
    assert first_event(staff, world.session)["ended"] is True


def test_the_presenters_state_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    from live.presenter import presenter_state

    control(world.session, "open")
    for student in world.students:
        answer(world.session, student, choice=world.pick.choices.first().id)
    world.session.refresh_from_db()
    with django_assert_max_num_queries(6):  # the budget its docstring states, whatever the number of answers
        state_ = presenter_state(world.session, shown=True)
    assert state_["answered"] == 4 and state_["distribution"]["bars"][0]["count"] == 4
