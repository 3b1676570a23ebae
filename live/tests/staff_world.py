"""A course with a live session for the staff-side tests: its questions, its students, their answers.

Students have distinctive usernames and full names (``NAMES``), so a test can look for them in what the
projector gets. Answers go through ``live.services.live_answer``, as a phone sends them.
"""

import itertools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.http import QueryDict

from courses.models import Enrolment
from live import services
from live.models import LiveSession
from quizzes.models import Choice, Question
from quizzes.tests.factories import make_question

NAMES = [("zoltan_q7", "Zoltán", "Quixotic"), ("wilhelmina_k3", "Wilhelmina", "Kowalczyk"),
         ("xavier_b9", "Xavier", "Bergström"), ("yolanda_m2", "Yolanda", "Mbeki")]
_nonces = itertools.count()


@dataclass
class LiveWorld:
    session: LiveSession
    pick: Question  # single choice: tanh (right), sigmoid, relu
    number: Question  # numeric: 2**10 = 1024
    text: Question  # short text: "gradient"
    students: list

    def item(self, position: int):
        return self.session.items.get(position=position)


def enrol_students(course, names=NAMES) -> list:
    """Students of ``course`` (no password: hashing one would be most of a test's time)."""
    users = []
    for username, first, last in names:
        user = get_user_model().objects.create(username=username, first_name=first, last_name=last)
        Enrolment.objects.create(user=user, course=course, role=Enrolment.Role.STUDENT)
        users.append(user)
    return users


def make_live_world(*, course, quiz, instructor, variants=LiveSession.Variants.OWN) -> LiveWorld:
    pick = make_question(quiz=quiz, position=1, kind="single", prompt="Which activation is zero-centred?",
                         explanation="**tanh** is odd.")
    for position, (text, right) in enumerate([("tanh", True), ("sigmoid", False), ("relu", False)], start=1):
        Choice.objects.create(question=pick, position=position, text=text, is_correct=right)
    number = make_question(quiz=quiz, position=2, kind="numeric", prompt="What is $2^{10}$?", numeric_answer=1024.0)
    text = make_question(quiz=quiz, position=3, kind="text", prompt="What does backprop compute?",
                         text_answers=["gradient"])
    session = services.session_start(course=course, by=instructor, questions=[pick, number, text], title="Week 3",
                                     quiz=quiz, variants=variants)
    return LiveWorld(session, pick, number, text, enrol_students(course))


def answer(session, student, *, item=None, **fields):
    """``student`` answers the session's current question (or ``item``) as a phone does."""
    session.refresh_from_db()
    item = item or session.items.get(position=session.position)
    services.session_join(session=session, student=student)
    data = QueryDict(mutable=True)
    for key, value in fields.items():
        data.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return services.live_answer(session_id=session.id, item_id=item.id, student=student, data=data,
                                nonce=f"n{next(_nonces)}")


def control(session, action: str):
    return services.session_control(session_id=session.id, action=action)


def register_toy_generators(monkeypatch) -> None:
    """``toy_product`` and ``toy_doubled`` (quizzes/tests/toy_generators.py) registered for one test."""
    from compute import generators
    from quizzes.tests.toy_generators import TOY_GENERATORS

    for generator in TOY_GENERATORS:
        monkeypatch.setitem(generators.REGISTRY, generator.slug, generator())
