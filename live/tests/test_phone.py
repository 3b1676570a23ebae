"""The student's side of a live session with the Django test client: joining, the question appearing
only once opened, answers through the submission service (once per nonce, marked live), feedback
only on reveal, shared variants, the event stream's first state, and who may join."""

import json

import pytest
from django.urls import reverse

from live import services
from live.models import LiveAnswer, LiveJoin, LiveSession
from quizzes.models import Choice, Submission, Variant
from quizzes.tests.factories import make_question

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def questions(quiz):
    pick = make_question(quiz=quiz, position=1, kind="single", prompt="Which activation is zero-centred?")
    Choice.objects.create(question=pick, position=1, text="tanh", is_correct=True, feedback="Yes: odd function.")
    Choice.objects.create(question=pick, position=2, text="sigmoid", is_correct=False, feedback="Its mean is ½.")
    number = make_question(quiz=quiz, position=2, kind="numeric", prompt="What is $2^{10}$?", numeric_answer=1024.0)
    return [pick, number]


@pytest.fixture
def session(course, instructor, questions, quiz):
    return services.session_start(course=course, by=instructor, questions=questions, title="Week 3", quiz=quiz)


def phone(client, session, path="phone", **extra):
    return client.get(reverse(f"live:{path}", args=[session.code]), **extra)


def send(client, session, **data):
    return client.post(reverse("live:answer", args=[session.code]), data, **FETCH)


def control(session, action):
    return services.session_control(session_id=session.id, action=action)


def test_joining_with_the_code_any_case_and_the_question_appears_only_once_opened(student_client, session):
    response = student_client.post(reverse("live:join"), {"code": f" {session.code.lower()} "})
    assert response.status_code == 302 and response.url == reverse("live:phone", args=[session.code])
    page = phone(student_client, session).content.decode()
    assert "Waiting for the first question" in page and "zero-centred" not in page
    assert LiveJoin.objects.filter(session=session).count() == 1
    control(session, "open")
    fragment = phone(student_client, session, "question").content.decode()
    assert "zero-centred" in fragment and "Send answer" in fragment


def test_an_answer_is_received_without_feedback_until_the_reveal_and_counted_once(student_client, student, session,
                                                                                   questions):
    control(session, "open")
    item = session.items.get(position=0)
    right = questions[0].choices.get(is_correct=True)
    first = send(student_client, session, item=item.id, nonce="n1", choice=right.id).content.decode()
    send(student_client, session, item=item.id, nonce="n1", choice=right.id)  # a double tap
    assert "Answer received" in first and "Yes: odd function" not in first and "✓</strong> Correct" not in first
    assert Submission.objects.count() == 1 and LiveAnswer.objects.get().item == item
    assert Submission.objects.get().score == 1.0  # graded at once, shown later
    control(session, "reveal")
    revealed = phone(student_client, session, "question").content.decode()
    assert "Correct." in revealed and "Solution" in revealed


def test_answers_are_refused_when_closed_or_for_another_question(student_client, session):
    item = session.items.get(position=0)
    assert send(student_client, session, item=item.id, nonce="a", choice=1).status_code == 409  # not open yet
    control(session, "open")
    control(session, "next")
    assert send(student_client, session, item=item.id, nonce="b", choice=1).status_code == 409
    assert "not being asked now" in send(student_client, session, item=item.id, nonce="c", choice=1).content.decode()
    assert send(student_client, session, item="x", nonce="d").status_code == 400
    assert send(student_client, session, item="9" * 400, nonce="e").status_code == 400  # no overflow, no 500
    assert not Submission.objects.exists()


def test_the_event_stream_starts_with_the_current_state(student_client, session):
    control(session, "open")
    response = phone(student_client, session, "events")
    assert response["Content-Type"] == "text/event-stream" and response["Cache-Control"] == "no-cache"
    chunks = iter(response.streaming_content)
    assert next(chunks).decode().startswith("retry:")
    first = next(chunks).decode()
    assert first.startswith("event: state\ndata: ")
    state = json.loads(first.split("data: ", 1)[1])
    session.refresh_from_db()
    assert state == {"v": session.version, "phase": "open", "item": session.items.get(position=0).id,
                     "number": 1, "total": 2, "ended": False}
    response.close()


def test_a_shared_session_gives_every_student_the_same_numbers(client, make_user, course, instructor, quiz):
    from courses.models import Enrolment

    question = make_question(quiz=quiz, kind="computed", generator="mlp_backward", prompt="")
    shared = services.session_start(course=course, by=instructor, questions=[question], title="Shared",
                                    variants=LiveSession.Variants.SHARED)
    control(shared, "open")
    seeds = set()
    for name in ("ann", "bob"):
        user = make_user(name)
        Enrolment.objects.create(user=user, course=course, role=Enrolment.Role.STUDENT)
        client.force_login(user)
        assert phone(client, shared, "question").status_code == 200
        seeds.add(Variant.objects.filter(student=user, question=question).order_by("-number").first().seed)
    assert seeds == {shared.items.get().seed}


def test_only_logged_in_members_of_the_course_may_join_or_listen(client, make_user, other_course, session):
    from courses.models import Enrolment

    assert phone(client, session).status_code == 302  # to the login page
    outsider = make_user("outsider")
    Enrolment.objects.create(user=outsider, course=other_course, role=Enrolment.Role.STUDENT)
    client.force_login(outsider)
    for path in ("phone", "question", "events"):
        assert phone(client, session, path).status_code == 404
    assert client.post(reverse("live:answer", args=[session.code]), {"item": 1}).status_code == 404
    assert client.post(reverse("live:join"), {"code": session.code}).status_code == 404
    assert not LiveJoin.objects.exists()


def test_the_ended_session_says_so_and_takes_no_answers(student_client, session):
    control(session, "open")
    control(session, "end")
    assert "The session has ended" in phone(student_client, session, "question").content.decode()
    item = session.items.get(position=0)
    assert send(student_client, session, item=item.id, nonce="z", choice=1).status_code == 409


def test_opening_a_question_pushes_it_to_every_phone_once_rendered(session, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    """The state sent when a fixed question opens carries its form (for everyone the same; the
    phone fills in its CSRF token and a nonce)."""
    from live import bus

    sent = {}
    monkeypatch.setattr(bus, "notify", lambda key, payload: sent.__setitem__(key, payload))
    with django_capture_on_commit_callbacks(execute=True):
        control(session, "open")
    state = json.loads(sent[bus.state_key(session.id)])
    assert state["phase"] == "open" and "zero-centred" in state["html"]
    assert 'data-fill="csrf"' in state["html"] and 'data-fill="nonce"' in state["html"]
    assert 'name="csrfmiddlewaretoken" value=""' in state["html"]  # nobody's token baked in


def test_the_join_page_lists_the_sessions_a_student_took_part_in(student_client, session, questions):
    phone(student_client, session)
    control(session, "open")
    right = questions[0].choices.get(is_correct=True)
    send(student_client, session, item=session.items.get(position=0).id, nonce="j1", choice=right.id)
    page = student_client.get(reverse("live:join")).content.decode()
    assert "Week 3" in page and "1 question answered, 1 right" in page


def test_a_multi_step_question_is_answered_on_the_phone_step_by_step(student_client, student, course, instructor,
                                                                       quiz):
    import numpy as np

    from compute.steps import step_chain

    question = make_question(quiz=quiz, kind="multi_step", generator="mlp_backward", prompt="",
                             generator_config={"hidden": 2, "activation": "relu"},
                             steps=[{"step": "z1"}, {"step": "a1"}])
    session = services.session_start(course=course, by=instructor, questions=[question], title="Steps")
    control(session, "open")
    fragment = phone(student_client, session, "question").content.decode()
    assert fragment.count('name="step-z1"') == 2 and "Step 2:" in fragment
    variant = Variant.objects.get(student=student, question=question)
    exact = step_chain(question.kind_spec.generator(question, variant), variant.params, variant.config)
    fields = {f"step-{name}": [f"{x:.10g}" for x in np.ravel(exact[name])] for name in ("z1", "a1")}
    received = send(student_client, session, item=session.items.get().id, nonce="ms", **fields).content.decode()
    assert "Answer received" in received and "✓ Right" not in received  # marks wait for the reveal
    control(session, "reveal")
    revealed = phone(student_client, session, "question").content.decode()
    assert "Correct." in revealed and revealed.count("✓ Right") == 2
