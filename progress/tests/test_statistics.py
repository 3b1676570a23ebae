"""Class statistics (quizzes/statistics.py) against numbers computed by hand on a small class.

The class: four students A-D, three numeric questions, one answer a minute after the other:

    A: Q1 wrong (2), Q1 right, Q2 right, Q3 right               last scores 1, 1, 1    total 3
    B: Q1 right, Q2 right, Q3 half                              last scores 1, 1, 0.5  total 2.5
    C: Q1 invalid, Q1 wrong (2), Q2 wrong (5)                   last scores 0, 0, -    total 0
    D: Q1 wrong (3), Q1 wrong ("2,0"), Q1 right, Q2 wrong (5), Q3 wrong
                                                                last scores 1, 0, 0    total 1
"""

import math
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Enrolment, Lecture
from progress.statistics import correlation, histogram, question_statistics, student_overview
from progress.tests.progress_data import Learner
from quizzes.models import Quiz, Submission
from quizzes.tests.factories import make_question

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def numeric_question(quiz, position, title):
    return make_question(
        quiz=quiz, position=position, kind="numeric", title=title, prompt="?", numeric_answer=1.0
    )


@pytest.fixture
def klass(make_user, course, quiz):
    q1, q2, q3 = (numeric_question(quiz, i, f"Q{i}") for i in (1, 2, 3))
    a, b, c, d = (Learner(make_user, course, name, START) for name in "abcd")
    for learner in (a, b, c, d):
        learner.open(q1, q2, q3)
    script = {
        a: [(q1, 0, 2.0), (q1, 1, 1.0), (q2, 1, 1.0), (q3, 1, 1.0)],
        b: [(q1, 1, 1.0), (q2, 1, 1.0), (q3, 0.5, 7.0)],
        c: [(q1, None, None), (q1, 0, 2.0), (q2, 0, 5.0)],  # None: invalid input
        d: [(q1, 0, 3.0), (q1, 0, "2,0"), (q1, 1, 1.0), (q2, 0, 5.0), (q3, 0, 1.5)],
    }
    for learner, answers in script.items():
        for question, score, value in answers:
            if value is None:
                learner.answer(question, None, raw="abc", status=Submission.Status.INVALID)
            elif value == "2,0":
                learner.answer(question, score, raw=value, value=2.0)  # a decimal comma
            else:
                learner.answer(question, score, value=value)
    teacher = Learner(make_user, course, "tina", START, role=Enrolment.Role.TA)
    teacher.answer(q1, 0, value=9.0)  # staff previews never count
    return {"quiz": quiz, "questions": (q1, q2, q3), "learners": (a, b, c, d)}


def by_title(quiz):
    return {s.title: s for s in question_statistics(quiz=quiz)}


class TestQuestionStatistics:
    def test_students_facility_and_standard_deviation(self, klass):
        s = by_title(klass["quiz"])
        assert [s[t].students for t in ("Q1", "Q2", "Q3")] == [4, 4, 3]
        assert s["Q1"].facility_first == pytest.approx(0.25) and s["Q1"].facility_last == pytest.approx(0.75)
        assert s["Q2"].facility_first == pytest.approx(0.5) and s["Q2"].facility_last == pytest.approx(0.5)
        assert s["Q3"].facility_last == pytest.approx(0.5)
        assert s["Q1"].sd == pytest.approx(math.sqrt(0.75 * 0.25))  # population SD of 1, 1, 0, 1
        assert s["Q2"].sd == pytest.approx(0.5)
        assert s["Q3"].sd == pytest.approx(math.sqrt(1 / 6))  # of 1, 0.5, 0

    def test_discrimination_is_corrected_item_total_correlation(self, klass):
        s = by_title(klass["quiz"])
        # Q1: item 1,1,0,1 against rest 2,1.5,0,0: cov sum 0.875, sxx 0.75, syy 3.1875
        assert s["Q1"].discrimination == pytest.approx(0.875 / math.sqrt(0.75 * 3.1875))
        # Q2: item 1,1,0,0 against rest 2,1.5,0,1: 1.25 / sqrt(1 * 2.1875)
        assert s["Q2"].discrimination == pytest.approx(1.25 / math.sqrt(2.1875))
        # Q3: C did not try it and counts 0: item 1,.5,0,0 against rest 2,2,0,1: 1.125 / 1.375
        assert s["Q3"].discrimination == pytest.approx(1.125 / 1.375)

    def test_tries_time_invalid_share_and_histogram(self, klass):
        s = by_title(klass["quiz"])
        assert s["Q1"].median_tries_to_correct == 2  # A 2, B 1, D 3 (C never right)
        assert s["Q2"].median_tries_to_correct == 1
        assert s["Q1"].median_seconds == 120  # A 120, B 60, C 120 (invalid + wrong), D 180
        assert s["Q3"].median_seconds == 60
        assert s["Q1"].invalid_share == pytest.approx(1 / 8)  # 7 graded + 1 invalid (the TA's not counted)
        assert s["Q2"].invalid_share == 0
        assert s["Q3"].histogram == [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]
        assert s["Q1"].histogram == [1, 0, 0, 0, 0, 0, 0, 0, 0, 3]

    def test_wrong_answers_are_normalised_and_counted_per_try(self, klass):
        s = by_title(klass["quiz"])
        assert s["Q1"].wrong_answers == [("2", 3), ("3", 1)]  # "2,0" is 2; the TA's 9 is not counted
        assert s["Q2"].wrong_answers == [("5", 2)]
        assert s["Q1"].mistakes == {}  # not a computed question

    def test_question_without_answers_has_undefined_figures(self, quiz, single, student):
        (s,) = question_statistics(quiz=quiz)
        assert (s.students, s.facility_first, s.facility_last, s.sd) == (0, None, None, None)
        assert (s.discrimination, s.invalid_share, s.median_tries_to_correct, s.median_seconds) == (None,) * 4
        assert s.histogram == [0] * 10 and s.wrong_answers == [] and s.mistakes == {}

    def test_choices_are_named_by_letter_and_text_in_lower_case(self, make_user, course, quiz, single):
        text = make_question(
            quiz=quiz, position=3, kind="text", title="T", prompt="?", text_answers="relu"
        )
        first, _, third = single.choices.order_by("position")
        learner = Learner(make_user, course, "eve", START)
        for picked in (first, third, first):
            learner.answer(single, 0, value=[picked.id])
        for raw in ("  Sigmoid   Function ", "sigmoid function"):
            learner.answer(text, 0, raw=raw)
        stats = {s.question_id: s for s in question_statistics(quiz=quiz)}
        assert stats[single.id].wrong_answers == [("A: 1", 2), ("C: 3", 1)]
        assert stats[text.id].wrong_answers == [("sigmoid function", 2)]

    def test_computed_question_reports_named_mistakes_as_share_of_wrong_tries(
        self, make_user, course, lecture
    ):
        quiz = Quiz.objects.create(lecture=lecture, title="Backprop", is_published=True, position=2)
        question = make_question(quiz=quiz, kind="computed", title="dL/dw", prompt="?", generator="mlp_backward")
        learners = [Learner(make_user, course, f"s{i}", START) for i in range(3)]
        learners[0].answer(question, 0, value=0.2, mistake="forgot_activation_derivative")
        learners[0].answer(question, 1, value=0.1)
        learners[1].answer(question, 0, value=0.3, mistake="forgot_activation_derivative")
        learners[2].answer(question, 0, value=0.4, mistake="forgot_activation_derivative")
        learners[2].answer(question, 0, value=0.9)
        (s,) = question_statistics(quiz=quiz)
        assert s.mistakes == {"forgot_activation_derivative": pytest.approx(0.75)}

    def test_query_count_does_not_grow_with_students(self, klass, make_user, course):
        quiz, (q1, q2, q3) = klass["quiz"], klass["questions"]
        with CaptureQueriesContext(connection) as small:
            question_statistics(quiz=quiz)
        for i in range(6):
            learner = Learner(make_user, course, f"extra{i}", START)
            for question, score, value in [(q1, 1, 1.0), (q2, 0, 4.0), (q3, 1, 1.0)]:
                learner.answer(question, score, value=value)
        with CaptureQueriesContext(connection) as large:
            question_statistics(quiz=quiz)
        assert len(small) == len(large) <= 4


def test_correlation_and_histogram_edges():
    assert correlation([1, 0, 1], [2, 0, 2]) == pytest.approx(1.0)
    assert correlation([1, 1, 1], [0, 1, 2]) is None  # the item does not vary
    assert correlation([1], [1]) is None
    assert histogram([0.0, 0.05, 0.1, 0.99, 1.0]) == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]


class TestStudentOverview:
    def test_rows_by_username_with_progress_per_lecture(self, klass, course, make_user, lecture):
        later = Lecture.objects.create(course=course, number=3, title="Backprop", slug="backprop")
        other = Quiz.objects.create(lecture=later, title="L3 check", is_published=True)
        numeric_question(other, 1, "L3 Q1")
        Learner(make_user, course, "zed", START)  # enrolled, never answered
        rows = student_overview(course=course)
        assert [r.username for r in rows] == ["a", "b", "c", "d", "zed"]  # the TA is not a row
        a, c, zed = rows[0], rows[2], rows[4]
        a2, c2 = a.lectures[lecture.id], c.lectures[lecture.id]
        assert (a2.mastered, a2.total, a2.tries, a2.correct) == (3, 3, 4, 3)
        assert a.lectures[later.id].total == 1 and a.lectures[later.id].tried == 0
        assert (c2.mastered, c2.tried, c2.tries) == (0, 2, 2)
        assert c2.seconds == 180  # invalid input takes time too
        assert (zed.total.total, zed.total.tries, zed.total.mastered) == (4, 0, 0)
        assert a.total.correct_rate == pytest.approx(3 / 4)

    def test_query_count_does_not_grow_with_students(self, klass, course, make_user):
        with CaptureQueriesContext(connection) as small:
            student_overview(course=course)
        q1 = klass["questions"][0]
        for i in range(5):
            Learner(make_user, course, f"more{i}", START).answer(q1, 1, value=1.0)
        with CaptureQueriesContext(connection) as large:
            rows = student_overview(course=course)
        assert len(rows) == 9 and len(small) == len(large) == 5  # enrolments, quizzes, questions, variants, answers
