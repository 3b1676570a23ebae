"""The presenter's controls through the control endpoint: open → close → reveal → next, refusals said
clearly (409 with the reason for the page's script; a message on the page for a plain form), CSRF on."""

import pytest
from django.test import Client
from django.urls import reverse

from live.models import LiveSession
from live.tests.staff_world import make_live_world

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def world(course, quiz, instructor):
    return make_live_world(course=course, quiz=quiz, instructor=instructor)


@pytest.fixture
def staff(client, instructor):
    client.force_login(instructor)
    return client


def press(client, session, action, **extra):
    return client.post(reverse("live_staff:control", args=[session.course.slug, session.id]), {"action": action},
                       **extra)


def test_open_close_reveal_next_each_answer_the_new_state(staff, world):
    seen = []
    for action in ("open", "close", "reveal", "next", "open", "previous"):
        response = press(staff, world.session, action, **FETCH)
        assert response.status_code == 200
        state = response.json()
        seen.append((state["number"], state["phase"], state["shown"]))
    assert seen == [(1, "open", False), (1, "closed", False), (1, "revealed", True), (2, "waiting", False),
                    (2, "open", False), (1, "revealed", True)]  # back on a revealed question: still revealed
    world.session.refresh_from_db()
    assert (world.session.position, world.session.phase) == (0, LiveSession.Phase.REVEALED)
    item = world.item(0)
    assert item.opened_at <= item.closed_at <= item.revealed_at
    assert world.item(1).closed_at is not None  # moving on closed its answers


@pytest.mark.parametrize("actions, refused, message", [
    ([], "close", "Answers are not open."),
    ([], "previous", "This is the first question."),
    (["next", "next"], "next", "This is the last question."),
    ([], "dance", "Unknown action “dance”: use open, close, reveal, next, previous, end."),
    (["end"], "open", "This session has ended."),
])
def test_a_control_that_does_not_fit_is_refused_with_its_reason(staff, world, actions, refused, message):
    for action in actions:
        assert press(staff, world.session, action, **FETCH).status_code == 200
    before = LiveSession.objects.get(pk=world.session.pk)
    response = press(staff, world.session, refused, **FETCH)
    assert response.status_code == 409 and response.content.decode() == message
    after = LiveSession.objects.get(pk=world.session.pk)
    assert (after.version, after.phase, after.position) == (before.version, before.phase, before.position)


def test_a_plain_form_is_redirected_back_with_the_refusal_on_the_page(staff, world):
    response = press(staff, world.session, "close")
    presenter = reverse("live_staff:presenter", args=[world.session.course.slug, world.session.id])
    assert response.status_code == 302 and response.url == presenter
    page = staff.get(presenter).content.decode()
    assert '<li class="message error">Answers are not open.</li>' in page
    kept = staff.post(reverse("live_staff:control", args=[world.session.course.slug, world.session.id]),
                      {"action": "open", "results": "1"})
    assert kept.url == presenter + "?results=1"  # the results stay shown after a reload


def test_a_control_needs_the_csrf_token(world, instructor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    assert press(client, world.session, "open", **FETCH).status_code == 403
    world.session.refresh_from_db()
    assert world.session.phase == LiveSession.Phase.WAITING


def test_the_page_lists_its_keyboard_shortcuts_and_buttons(staff, world):
    page = staff.get(reverse("live_staff:presenter", args=[world.session.course.slug, world.session.id])).content
    page = page.decode()
    for action in ("previous", "open", "close", "reveal", "next", "end"):
        assert f'name="action" value="{action}"' in page
    assert "<kbd>PageDown</kbd>" in page and "<kbd>S</kbd> show/hide results" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_done_control_whose_state_cannot_be_read_answers_204(staff, world, monkeypatch):
    from django.db import OperationalError

    from live import staff_views

    def locked(*args, **kwargs):
        raise OperationalError("database table is locked")

    monkeypatch.setattr(staff_views, "presenter_state", locked)
    response = press(staff, world.session, "open", **FETCH)
    assert response.status_code == 204  # the page's event stream brings the state
    world.session.refresh_from_db()
    assert world.session.phase == LiveSession.Phase.OPEN
