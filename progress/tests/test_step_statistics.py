"""Where a class goes wrong in a multi-step question (progress/step_statistics.py, its rows on the
statistics page and its first-wrong-step chart) against a small class answering through the real
service, graded with carried errors.

The class (one set of numbers, five steps z₁, a₁, ŷ, L, ∂L/∂ŷ; "slip": z₁ wrong, the later steps
computed right from it):

    A: the slip, then every step right                      last try: all right
    B: every step right but ∂L/∂ŷ without its factor 2     last try: 4 right, ∂L/∂ŷ wrong (forgot_factor_2)
    C: the slip (typed with 8 digits)                       last try: z₁ wrong, the rest carried
    D: z₁ right, a₁ ŷ L blank, ∂L/∂ŷ without its factor 2   last try: right, 3 blank, wrong
    a TA sends the slip too: staff never count.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Enrolment
from progress.statistics import question_statistics
from progress.step_answers import StepAnswer, step_answers, steps_text
from progress.tests.step_class import (
    STEPS,
    answer,
    enrol,
    exact,
    forgot_factor_2,
    multi_step_question,
    same_numbers,
    slipped_z1,
)
from quizzes.kinds.base import number_key


@pytest.fixture
def klass(make_user, course, quiz):
    question = multi_step_question(quiz)
    a, b, c, d = (enrol(make_user, course, name) for name in "abcd")
    ta = enrol(make_user, course, "tina", role=Enrolment.Role.TA)
    variant = same_numbers(question, [a, b, c, d, ta])
    right, slip, forgot = exact(variant), slipped_z1(variant), forgot_factor_2(variant)
    answer(a, question, slip)
    answer(a, question, right)
    answer(b, question, {**right, "dL_dyhat": forgot})
    answer(c, question, slip, digits=8)
    answer(d, question, {"z1": right["z1"], "dL_dyhat": forgot}, digits=8)
    answer(ta, question, slip)
    return {"question": question, "quiz": quiz, "slip": slip, "forgot": forgot}


def figures(quiz):
    (stats,) = question_statistics(quiz=quiz)
    return stats.steps


class TestStepStatistics:
    def test_shares_are_over_each_students_last_try(self, klass):
        steps = figures(klass["quiz"])
        assert steps.students == 4
        shares = {f.step: f.shares for f in steps.steps}
        assert [f.step for f in steps.steps] == list(STEPS)
        assert shares["z1"] == {"right": 0.75, "carried": 0, "wrong": 0.25, "shown": 0, "blank": 0}
        for name in ("a1", "yhat", "L"):
            assert shares[name] == {"right": 0.5, "carried": 0.25, "wrong": 0, "shown": 0, "blank": 0.25}, name
        assert shares["dL_dyhat"] == {"right": 0.25, "carried": 0.25, "wrong": 0.5, "shown": 0, "blank": 0}
        assert all(f.marked == 4 for f in steps.steps)

    def test_first_wrong_step_counts_students(self, klass):
        steps = figures(klass["quiz"])
        assert {f.step: f.first_wrong for f in steps.steps} == {"z1": 1, "a1": 0, "yhat": 0, "L": 0, "dL_dyhat": 2}
        assert steps.none_wrong == 1  # A's last try

    def test_most_common_wrong_value_over_all_tries_with_its_named_mistake(self, klass):
        by_step = {f.step: f for f in figures(klass["quiz"]).steps}
        z1, gradient = by_step["z1"], by_step["dL_dyhat"]
        # A's first try and C's (8 digits, the same to 6 significant digits); not the TA's
        assert (z1.wrong_value, z1.wrong_count, z1.wrong_mistake) == (number_key(klass["slip"]["z1"]), 2, "")
        assert (gradient.wrong_value, gradient.wrong_count) == (number_key(klass["forgot"]), 2)
        assert gradient.wrong_mistake == "forgot_factor_2"
        for name in ("a1", "yhat", "L"):  # carried is not wrong
            assert (by_step[name].wrong_value, by_step[name].wrong_count) == ("", 0), name

    def test_a_question_without_answers_has_its_steps_and_no_figures(self, quiz):
        multi_step_question(quiz)
        steps = figures(quiz)
        assert (steps.students, steps.none_wrong) == (0, 0)
        assert [(f.number, f.step, f.symbol) for f in steps.steps][:3] == [(1, "z1", "z_1"), (2, "a1", "a_1"),
                                                                           (3, "yhat", "\\hat y")]
        assert steps.steps[0].title == "hidden pre-activation"
        assert all(set(f.shares.values()) == {None} and f.wrong_count == 0 for f in steps.steps)

    def test_other_questions_have_no_steps(self, quiz, numeric):
        (stats,) = question_statistics(quiz=quiz)
        assert stats.steps is None

    def test_query_count_does_not_grow_with_students(self, klass, make_user, course):
        quiz, question = klass["quiz"], klass["question"]
        with CaptureQueriesContext(connection) as small:
            question_statistics(quiz=quiz)
        more = [enrol(make_user, course, f"extra{i}") for i in range(4)]
        variant = same_numbers(question, more)
        for student in more:
            answer(student, question, slipped_z1(variant))
        with CaptureQueriesContext(connection) as large:
            steps = figures(quiz)
        assert steps.students == 8 and steps.steps[0].first_wrong == 5
        assert len(small) == len(large) <= 4


class TestStepAnswers:
    MARKS = [{"step": "z1", "mark": "wrong", "credit": 0.0, "message": "", "mistake": ""},
             {"step": "a1", "mark": "carried", "credit": 0.5, "message": "", "mistake": ""},
             {"step": "yhat", "mark": "shown", "credit": 0.0, "message": "", "mistake": ""},
             {"step": "dL_dyhat", "mark": "wrong", "credit": 0.0, "message": "", "mistake": "forgot_factor_2"}]
    VALUE = {"answers": {"dL_dyhat": 0.25, "a1": [0.5, 0.0], "z1": [[1, 2.5], [3, 4]], "yhat": None},
             "shown": ["yhat"]}

    def test_graded_steps_follow_the_marks_and_read_on_one_line(self):
        rows = step_answers(self.VALUE, self.MARKS)
        assert [r.step for r in rows] == ["z1", "a1", "yhat", "dL_dyhat"]
        assert rows[2] == StepAnswer(3, "yhat", None, "shown", 0.0, "", True)
        assert steps_text(rows) == ("1 z1 = [1; 2.5]; [3; 4] (wrong) | 2 a1 = 0.5; 0 (carried) | 3 yhat (shown) | "
                                    "4 dL_dyhat = 0.25 (wrong: forgot_factor_2)")

    def test_pending_steps_follow_the_asked_order_without_marks(self):
        rows = step_answers(self.VALUE, [], order=["z1", "a1", "yhat", "L", "dL_dyhat"])
        assert [(r.step, r.mark, r.credit) for r in rows] == [
            ("z1", "", None), ("a1", "", None), ("yhat", "", None), ("dL_dyhat", "", None)]
        assert steps_text(rows).startswith("1 z1 = [1; 2.5]; [3; 4] | 2 a1 = 0.5; 0 | 3 yhat | 4 dL_dyhat = 0.25")

    def test_answers_of_other_kinds_have_no_steps(self):
        assert step_answers(0.5, []) == step_answers(None, []) == step_answers([1, 2], []) == []
        assert steps_text([]) == ""


def statistics_page(client, quiz) -> str:
    response = client.get(reverse("progress:quiz_statistics", args=[quiz.lecture.course.slug, quiz.id]))
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, start: str, end: str) -> str:
    at = page.index(start)
    return page[at: page.index(end, at)]


@pytest.fixture
def instructor_client(instructor):
    client = Client()
    client.force_login(instructor)
    return client


class TestStatisticsPage:
    def test_steps_table_with_math_symbols_and_shares(self, instructor_client, klass):
        card = section(statistics_page(instructor_client, klass["quiz"]), f'id="q{klass["question"].id}"',
                       "</article>")
        table = section(card, '<table class="data-table step-marks">', "</table>")
        assert "last try (4 students), as shares" in table
        rows = re.findall(r'<tr>\s*<th scope="row">(\d)\. (.*?) <span class="muted">(.*?)</span></th>(.*?)</tr>',
                          table, re.S)
        assert [row[0] for row in rows] == ["1", "2", "3", "4", "5"]
        number, symbol, title, cells = rows[0]
        assert "<math" in symbol and "$" not in symbol and title == "hidden pre-activation"
        assert re.findall(r'<td class="num">(.*?)</td>', cells) == ["75%", "0%", "25%", "0%", "0%", "1"]
        assert re.findall(r'<td class="num">(.*?)</td>', rows[4][3]) == ["25%", "25%", "50%", "0%", "0%", "2"]
        none = re.search(r'No wrong step</th><td class="num">(\d+)</td>', table)
        assert none and none.group(1) == "1"

    def test_first_wrong_chart_has_a_bar_per_step_and_none(self, instructor_client, klass):
        card = section(statistics_page(instructor_client, klass["quiz"]), f'id="q{klass["question"].id}"',
                       "</article>")
        chart = section(card, f'id="first-wrong-{klass["question"].id}-title"', "</svg>")
        bars = re.findall(r'class="chart-bar"[^>]*><title>(.*?)</title>', chart)
        assert bars == ["step 1 (z1): 1 student", "step 2 (a1): 0 students", "step 3 (yhat): 0 students",
                        "step 4 (L): 0 students", "step 5 (dL_dyhat): 2 students", "no wrong step: 1 student"]
        assert re.findall(r'class="chart-label" x="[\d.]+" y="180" text-anchor="middle">(\w+)</text>', chart) == [
            "1", "2", "3", "4", "5", "none"]
        assert "of 4 who tried: step 1 (z1): 1; step 2 (a1): 0;" in chart

    def test_most_common_wrong_value_shows_its_mistakes_message(self, instructor_client, klass):
        card = section(statistics_page(instructor_client, klass["quiz"]), f'id="q{klass["question"].id}"',
                       "</article>")
        table = section(card, '<table class="data-table step-wrong-values">', "</table>")
        found = re.search(r'<th scope="row">5\. .*?</th>\s*<td><code>(.*?)</code></td>\s*<td class="num">(\d+)</td>'
                          r'\s*<td><span class="mistake-message">(.*?)</span> <small class="muted"><code>(\w+)</code>',
                          table, re.S)
        assert found, table
        value, count, message, name = found.groups()
        assert (value, count, name) == (number_key(klass["forgot"]), "2", "forgot_factor_2")
        assert message.startswith("It looks like you dropped the factor 2") and "<math" in message
        z1 = re.search(r'<th scope="row">1\. .*?</th>\s*<td><code>(.*?)</code></td>\s*<td class="num">(\d+)</td>'
                       r'\s*<td>(.*?)</td>', table, re.S)
        assert z1 and z1.groups() == (number_key(klass["slip"]["z1"]), "2", "—")
        assert table.count("Never marked wrong") == 3  # a1, yhat, L: carried, not wrong

    def test_a_question_without_answers_reads_well(self, instructor_client, quiz):
        question = multi_step_question(quiz)
        card = section(statistics_page(instructor_client, quiz), f'id="q{question.id}"', "</article>")
        assert "No student has tried this question yet" in card and "No wrong values yet." in card
        assert f"first-wrong-{question.id}" not in card
        table = section(card, '<table class="data-table step-marks">', "</table>")
        assert table.count("<math") == 5 and table.count(">—</td>") == 25  # five steps, five shares each

    def test_query_count_does_not_grow_with_students(self, instructor_client, klass, make_user, course):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                statistics_page(instructor_client, klass["quiz"])
            return len(queries)

        small = count()
        more = [enrol(make_user, course, f"extra{i}") for i in range(3)]
        variant = same_numbers(klass["question"], more)
        for student in more:
            answer(student, klass["question"], {**exact(variant), "dL_dyhat": forgot_factor_2(variant)})
        assert count() == small
