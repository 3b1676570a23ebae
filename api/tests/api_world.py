"""Two courses, two students, staff of each, and answers in both: the data of the API tests.

- ``dl`` (the ``course`` fixture): alice and bob study it, ingrid teaches it. A practice quiz with
  a single-choice, a numeric and a computed question, and an unpublished quiz.
- ``ml`` (``other_course``): bob studies it too, tom is its TA. A graded quiz whose feedback comes
  after it closes (next week).

The secret values are distinctive numbers and names, so a test can look for them in a body.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token

from courses.models import Course, Enrolment, Lecture
from quizzes.models import Choice, Question, Quiz, Submission, Variant
from quizzes.tests.factories import make_question

NUMERIC_ANSWER = 123.456789
COMPUTED_ANSWER = 9876.54321
SEED = 7777000011112222333
MISTAKE = "forgot_sigma_prime"
TOLERANCE_RTOL = 0.0123456
GENERATOR_CONFIG_MARK = 314159


@dataclass
class World:
    dl: Course
    ml: Course
    alice: object
    bob: object
    ingrid: object  # instructor of dl
    tom: object  # TA of ml
    dl_quiz: Quiz
    dl_hidden_quiz: Quiz
    ml_quiz: Quiz
    single: Question
    numeric: Question
    computed: Question
    hidden: Question
    ml_numeric: Question
    computed_variant: Variant
    submissions: dict[str, Submission] = field(default_factory=dict)

    def token(self, user) -> str:
        return Token.objects.get_or_create(user=user)[0].key


def answer(
    user,
    question,
    *,
    raw: str,
    value,
    score: float | None,
    status="graded",
    mistake="",
    number=1,
    variant_fields=None,
    when=None,
) -> Submission:
    variant, _ = Variant.objects.get_or_create(
        student=user, question=question, number=number, defaults=variant_fields or {}
    )
    tries = variant.submissions.filter(status="graded").count()
    return Submission.objects.create(
        variant=variant,
        nonce=uuid.uuid4().hex,
        raw=raw,
        value=value,
        status=status,
        score=score if status == "graded" else None,
        points=score if status == "graded" else None,
        try_number=tries + 1 if status == "graded" else None,
        feedback="Not quite." if score == 0 else "",
        mistake=mistake,
        created_at=when or timezone.now(),
        graded_at=timezone.now(),
    )


def make_world(course: Course, other_course: Course) -> World:
    users = get_user_model().objects  # no passwords: hashing them would be most of a test's time
    alice, bob = users.create(username="alice"), users.create(username="bob")
    ingrid, tom = users.create(username="ingrid", is_staff=True), users.create(username="tom")
    Enrolment.objects.bulk_create(
        [
            Enrolment(user=alice, course=course),
            Enrolment(user=bob, course=course),
            Enrolment(user=bob, course=other_course),
            Enrolment(user=ingrid, course=course, role=Enrolment.Role.INSTRUCTOR),
            Enrolment(user=tom, course=other_course, role=Enrolment.Role.TA),
        ]
    )
    dl_lecture = Lecture.objects.create(course=course, number=2, title="Computation Graphs", slug="graphs")
    ml_lecture = Lecture.objects.create(course=other_course, number=1, title="Regression", slug="regression")
    dl_quiz = Quiz.objects.create(lecture=dl_lecture, title="Self-check", is_published=True)
    dl_hidden_quiz = Quiz.objects.create(lecture=dl_lecture, title="Draft", position=2)
    ml_quiz = Quiz.objects.create(
        lecture=ml_lecture,
        title="Exam",
        is_published=True,
        mode=Quiz.Mode.GRADED,
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(days=7),
    )
    single = make_question(
        quiz=dl_quiz, position=1, kind="single", prompt="Pick one.", hint="Think."
    )
    Choice.objects.create(question=single, position=1, text="wrong one")
    Choice.objects.create(question=single, position=2, text="right one", is_correct=True, feedback="Yes!")
    numeric = make_question(
        quiz=dl_quiz,
        position=2,
        kind="numeric",
        prompt="How much?",
        numeric_answer=NUMERIC_ANSWER,
        rtol=TOLERANCE_RTOL,
        explanation="Worked solution.",
    )
    computed = make_question(
        quiz=dl_quiz,
        position=3,
        kind="computed",
        prompt="Backprop.",
        generator="mlp_backward",
        generator_config={"mark": GENERATOR_CONFIG_MARK},
    )
    hidden = make_question(
        quiz=dl_hidden_quiz, position=1, kind="numeric", prompt="Draft?", numeric_answer=1.5
    )
    ml_numeric = make_question(
        quiz=ml_quiz, position=1, kind="numeric", prompt="Slope?", numeric_answer=2.5
    )
    secret = {
        "seed": SEED,
        "params": {"x": 1.5},
        "answer": COMPUTED_ANSWER,
        "tolerance": {"rtol": TOLERANCE_RTOL},
        "mistakes": [{"name": MISTAKE, "message": "σ′ missing", "value": 4321.0}],
    }
    world = World(
        course,
        other_course,
        alice,
        bob,
        ingrid,
        tom,
        dl_quiz,
        dl_hidden_quiz,
        ml_quiz,
        single,
        numeric,
        computed,
        hidden,
        ml_numeric,
        computed_variant=None,
    )
    s = world.submissions
    s["alice_numeric"] = answer(alice, numeric, raw="7", value=7.0, score=0.0)
    s["alice_computed"] = answer(
        alice, computed, raw="4321", value=4321.0, score=0.0, mistake=MISTAKE, variant_fields=secret
    )
    s["alice_invalid"] = answer(alice, numeric, raw="abc", value=None, score=None, status="invalid")
    s["bob_numeric"] = answer(bob, numeric, raw="=HYPERLINK(1)", value=None, score=None, status="invalid")
    s["bob_ml"] = answer(bob, ml_numeric, raw="3", value=3.0, score=0.0)
    s["ingrid_preview"] = answer(ingrid, numeric, raw="1", value=1.0, score=0.0)
    world.computed_variant = s["alice_computed"].variant
    return world
