"""The kind registry: a kind is one module, and the rest of the system works with a new one.

``Integer`` below is a throwaway kind registered for these tests only. The quiz page, answering,
grading, statistics and the API handle it without any other module knowing it exists.
"""

from collections.abc import Sequence

import pytest
from django.urls import reverse

from progress.statistics import question_statistics
from quizzes import grading
from quizzes.kinds import REGISTRY, UnknownKind, get_kind, kind_choices
from quizzes.kinds.base import InvalidAnswer, Kind, ParsedAnswer, Setting
from quizzes.models import Submission
from quizzes.tests.factories import make_question

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


class Integer(Kind):
    """A whole number, graded by equality (a kind nobody would miss, made up for this test)."""

    slug = "integer"
    label = "Whole number"
    noun = "Whole-number"
    settings = (Setting("integer_answer", "int", None, "Correct answer", required=True),)

    def parse_text(self, question, raw: str) -> ParsedAnswer:
        text = raw.strip()
        if not text.lstrip("-").isdigit():
            raise InvalidAnswer("Type a whole number, e.g. 42.", raw)
        return ParsedAnswer(raw=raw, value=int(text))

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        ok = value == self.setting(question, "integer_answer")
        return grading.Grade(1.0 if ok else 0.0, grading.CORRECT if ok else grading.NOT_CORRECT)

    def correct_answer(self, question, *, choices: Sequence, variant):
        return self.setting(question, "integer_answer")


@pytest.fixture
def integer_kind(monkeypatch):
    monkeypatch.setitem(REGISTRY, "integer", Integer())


@pytest.fixture
def integer_question(integer_kind, quiz):
    question = make_question(quiz=quiz, position=1, kind="integer", title="Count", prompt="How many layers?",
                             integer_answer=3)
    question.full_clean()  # the registry's kinds are the field's choices, and the kind checks its settings
    return question


def post(client, question, answer: str, nonce: str):
    url = reverse("quizzes:answer", args=[question.quiz.lecture.course.slug, question.quiz_id, question.id])
    return client.post(url, {"answer": answer, "nonce": nonce}, **FETCH)


def test_every_registered_kind_is_its_own_module_with_a_known_slug():
    assert list(REGISTRY) == ["single", "multiple", "true_false", "numeric", "text", "computed", "computed_array",
                              "multi_step"]
    for slug, kind in REGISTRY.items():
        assert kind.slug == slug and type(kind).__module__.startswith("quizzes.kinds.")
        assert (slug, kind.label) in kind_choices()
    assert len({type(kind).__module__ for kind in REGISTRY.values()}) == len(REGISTRY)


def test_an_unknown_kind_names_the_known_ones():
    with pytest.raises(UnknownKind, match="Unknown question kind “essay”. Known kinds: single, multiple"):
        get_kind("essay")


def test_a_new_kind_renders_grades_appears_in_statistics_and_the_api(student_client, student, integer_question):
    quiz = integer_question.quiz
    page = student_client.get(reverse("quizzes:quiz", args=["dl", quiz.id])).content.decode()
    assert 'name="answer"' in page and "How many layers?" in page

    invalid = post(student_client, integer_question, "three", "n1").content.decode()
    assert "Type a whole number" in invalid and "did not use a try" in invalid
    wrong = post(student_client, integer_question, "4", "n2").content.decode()
    assert "Not correct." in wrong
    right = post(student_client, integer_question, " 3 ", "n3").content.decode()
    assert "Correct." in right
    assert [(s.status, s.value, s.score) for s in Submission.objects.order_by("id")] == [
        ("invalid", None, None), ("graded", 4, 0.0), ("graded", 3, 1.0)
    ]

    stats = question_statistics(quiz=quiz)[0]
    assert (stats.students, stats.facility_first, stats.facility_last) == (1, 0.0, 1.0)
    assert stats.wrong_answers == [("4", 1)] and stats.invalid_share == pytest.approx(1 / 3)

    rows = student_client.get("/api/v1/me/submissions/").json()["results"]
    assert {row["value"]: row["answer"] for row in rows if row["status"] == "graded"} == {4: 3, 3: 3}


def test_a_new_kinds_settings_are_checked_by_its_schema(integer_kind, quiz):
    from django.core.exceptions import ValidationError

    question = make_question(quiz=quiz, kind="integer", prompt="?")
    with pytest.raises(ValidationError) as info:
        question.full_clean()
    assert info.value.message_dict == {"integer_answer": ["This setting is required."]}


def test_a_new_kind_goes_out_to_course_files_and_back(integer_question, tmp_path):
    from authoring.services import course_export, course_import

    course = integer_question.quiz.lecture.course
    course_export(course=course, path=tmp_path)
    files = list(tmp_path.glob("*/*.md"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "kind = 'integer'" in text and "integer_answer = 3" in text and text.endswith("How many layers?\n")
    integer_question.delete()
    report = course_import(path=tmp_path)
    back = type(integer_question).objects.get(uid=integer_question.uid)
    assert (report.created, back.kind, back.settings) == (1, "integer", {"integer_answer": 3})
