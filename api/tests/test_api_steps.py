"""Multi-step answers in the API and the results exports: per-step answers, marks, named mistakes and
exact values for staff; for a student their own steps, marks only while feedback is shown, exact
values only once they may see them, and never a named mistake; one ``steps`` cell in the CSV/XLSX.

The answers go through the real service and are graded with carried errors (``progress.tests.step_class``):

    alice: the slip (z₁ wrong, the later steps right from it), then every step right but ∂L/∂ŷ
           without its factor 2 (forgot_factor_2)
    bob:   every step right
"""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi import checks as openapi_checks

from api.exports import EXPORT_COLUMNS
from api.tests.test_api_schema import openapi_schema, wsgi_keeps_the_test_connection  # noqa: F401 (fixtures)
from api.tests.test_exports import by_id, sheet_rows
from courses.models import Enrolment
from progress.step_answers import value_text
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
from quizzes.models import Quiz, Submission, Variant
from quizzes.submissions import submission_create
from quizzes.tests.factories import form_data, make_question

RESULTS = "/api/v1/courses/dl/results/"


@pytest.fixture
def steps(make_user, course, quiz):
    question = multi_step_question(quiz)
    alice, bob = enrol(make_user, course, "alice"), enrol(make_user, course, "bob")
    teacher = enrol(make_user, course, "ingrid", role=Enrolment.Role.INSTRUCTOR)
    variant = same_numbers(question, [alice, bob])
    right, slip, forgot = exact(variant), slipped_z1(variant), forgot_factor_2(variant)
    numeric = make_question(quiz=quiz, position=2, kind="numeric", prompt="?", numeric_answer=0.25)
    submission_create(student=alice, question=numeric, data=form_data(answer="0.5"))
    return {
        "question": question, "variant": variant, "alice": alice, "bob": bob, "teacher": teacher, "right": right,
        "slip": slip, "forgot": forgot, "numeric": numeric,
        "slipped": answer(alice, question, slip),
        "forgot_try": answer(alice, question, {**right, "dL_dyhat": forgot}),
        "bob_right": answer(bob, question, right),
    }


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_by_id(response) -> dict[int, dict]:
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


class TestStaffResults:
    def test_rows_carry_each_steps_answer_mark_credit_mistake_and_exact_value(self, steps):
        rows = rows_by_id(client_of(steps["teacher"]).get(RESULTS))
        slipped, forgot = rows[steps["slipped"].id]["steps"], rows[steps["forgot_try"].id]["steps"]
        assert [s["step"] for s in slipped] == list(STEPS)
        assert [(s["mark"], s["credit"]) for s in slipped] == [("wrong", 0.0)] + [("carried", 0.5)] * 4
        assert slipped[0]["answer"] == pytest.approx(steps["slip"]["z1"])
        assert slipped[0]["correct"] == pytest.approx(steps["right"]["z1"])
        assert [s["mark"] for s in forgot] == ["right"] * 4 + ["wrong"]
        assert forgot[4]["mistake"] == "forgot_factor_2" and forgot[4]["answer"] == pytest.approx(steps["forgot"])
        assert forgot[4]["correct"] == pytest.approx(steps["right"]["dL_dyhat"])
        assert all(s["mistake"] == "" for s in forgot[:4])

    def test_other_questions_have_no_steps(self, steps):
        rows = rows_by_id(client_of(steps["teacher"]).get(f"{RESULTS}?question={steps['numeric'].id}"))
        assert len(rows) == 1 and next(iter(rows.values()))["steps"] == []


class TestOwnSubmissions:
    def own(self, steps, user="alice") -> dict[int, dict]:
        return rows_by_id(client_of(steps[user]).get("/api/v1/me/submissions/"))

    def test_a_student_sees_their_steps_and_marks_but_no_mistake_and_no_exact_value(self, steps):
        response = client_of(steps["alice"]).get("/api/v1/me/submissions/")
        assert "mistake" not in response.content.decode() and "forgot_factor_2" not in response.content.decode()
        rows = rows_by_id(response)
        assert set(rows) == {steps["slipped"].id, steps["forgot_try"].id,
                             Submission.objects.get(variant__question=steps["numeric"]).id}
        forgot = rows[steps["forgot_try"].id]["steps"]
        assert [set(s) for s in forgot] == [{"step", "answer", "mark", "credit", "correct"}] * 5
        assert [(s["mark"], s["credit"]) for s in forgot] == [("right", 1.0)] * 4 + [("wrong", 0.0)]
        assert forgot[4]["answer"] == pytest.approx(steps["forgot"])
        assert all(s["correct"] is None for row in rows.values() for s in row["steps"])
        assert rows[steps["slipped"].id]["answer"] is None  # the rule steps follow

    def test_exact_values_come_once_the_solution_is_visible(self, steps):
        Variant.objects.filter(pk=steps["variant"].pk).update(revealed_at=timezone.now())
        rows = self.own(steps)
        forgot = rows[steps["forgot_try"].id]["steps"]
        for step in forgot:
            assert step["correct"] == pytest.approx(steps["right"][step["step"]]), step["step"]
        bob = self.own(steps, "bob")[steps["bob_right"].id]  # right: his solution is visible too
        assert bob["steps"][3]["correct"] == pytest.approx(steps["right"]["L"])

    def test_marks_are_withheld_with_the_feedback(self, steps, quiz):
        Quiz.objects.filter(pk=quiz.pk).update(mode=Quiz.Mode.GRADED, feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE,
                                               closes_at=timezone.now() + timedelta(days=7))
        slipped = self.own(steps)[steps["slipped"].id]
        assert slipped["score"] is None
        assert [(s["mark"], s["credit"], s["correct"]) for s in slipped["steps"]] == [(None, None, None)] * 5
        assert slipped["steps"][0]["answer"] == pytest.approx(steps["slip"]["z1"])  # their own answer stays

    def test_a_step_shown_on_request_has_its_exact_value(self, make_user, course, quiz):
        question = multi_step_question(quiz, position=3, mode="guided")
        student = enrol(make_user, course, "gus")
        variant = same_numbers(question, [student])
        right = exact(variant)
        answer(student, question, {"z1": right["z1"]})
        fields = {"step-z1": [f"{x:.10g}" for x in right["z1"]], "show": "a1"}
        shown = submission_create(student=student, question=question, data=form_data(**fields))
        assert shown.value["shown"] == ["a1"]
        row = rows_by_id(client_of(student).get("/api/v1/me/submissions/"))[shown.id]
        by_step = {s["step"]: s for s in row["steps"]}
        assert by_step["a1"]["mark"] == "shown" and by_step["a1"]["answer"] is None
        assert by_step["a1"]["correct"] == pytest.approx(right["a1"])
        assert by_step["z1"]["correct"] is None and by_step["yhat"]["correct"] is None


class TestStatistics:
    def test_statistics_carry_the_steps_of_multi_step_questions_only(self, steps, quiz):
        response = client_of(steps["teacher"]).get(f"/api/v1/courses/dl/statistics/?quiz={quiz.id}")
        assert response.status_code == 200
        by_question = {row["question"]: row for row in response.json()}
        assert by_question[steps["numeric"].id]["steps"] is None
        figures = by_question[steps["question"].id]["steps"]
        assert (figures["students"], figures["none_wrong"]) == (2, 1)  # bob: all right
        z1, gradient = figures["steps"][0], figures["steps"][4]
        assert (z1["step"], z1["symbol"], z1["tries"], z1["right"], z1["wrong"]) == ("z1", "z_1", 2, 1.0, 0.0)
        assert (gradient["right"], gradient["wrong"], gradient["first_wrong"]) == (0.5, 0.5, 1)
        assert (gradient["wrong_count"], gradient["wrong_mistake"]) == (1, "forgot_factor_2")
        assert (z1["wrong_count"], z1["first_wrong"]) == (1, 0)  # alice's first try; her last has z1 right


def export(client, format: str = "csv") -> dict[int, dict]:
    response = client.get(f"{RESULTS}?format={format}")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(data.decode()))) if format == "csv" else sheet_rows(data)
    assert rows[0] == list(EXPORT_COLUMNS) and rows[0][-1] == "steps"
    return by_id(rows)


class TestExportColumn:
    @pytest.mark.parametrize("format", ["csv", "xlsx"])
    def test_steps_read_on_one_line(self, steps, format):
        rows = export(client_of(steps["teacher"]), format)
        right, slip = steps["right"], steps["slip"]
        assert rows[steps["forgot_try"].id]["steps"] == " | ".join(
            [f"{n} {name} = {value_text(right[name])} (right)" for n, name in enumerate(STEPS[:4], start=1)]
            + [f"5 dL_dyhat = {value_text(steps['forgot'])} (wrong: forgot_factor_2)"])
        assert rows[steps["slipped"].id]["steps"] == " | ".join(
            [f"1 z1 = {value_text(slip['z1'])} (wrong)"]
            + [f"{n} {name} = {value_text(slip[name])} (carried)" for n, name in enumerate(STEPS[1:], start=2)])
        numeric = Submission.objects.get(variant__question=steps["numeric"]).id
        assert rows[numeric]["steps"] == "" and rows[numeric]["answer"] == "0.5"

    def test_the_answer_and_correct_answer_name_the_steps(self, steps):
        row = export(client_of(steps["teacher"]))[steps["bob_right"].id]
        assert row["answer"].startswith("z1 = [") and " | dL_dyhat = " in row["answer"]
        assert row["correct_answer"].startswith("z1 = [") and row["mistake"] == ""


@pytest.mark.parametrize("user", ["alice", "teacher"])
def test_answers_with_steps_conform_to_the_schema(openapi_schema, wsgi_keeps_the_test_connection,  # noqa: F811
                                                  steps, quiz, user):
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=steps[user])[0].key}"}
    slug = {"path_parameters": {"slug": "dl"}}
    requests = [("/api/v1/me/submissions/", {}, '"mark":"wrong"')] if user == "alice" else [
        ("/api/v1/courses/{slug}/results/", slug, '"mistake":"forgot_factor_2"'),
        ("/api/v1/courses/{slug}/statistics/", {**slug, "query": {"quiz": quiz.id}},
         '"wrong_mistake":"forgot_factor_2"'),
    ]
    for path, known, found in requests:  # a step's mark, named mistake, figures: not just empty lists
        case = openapi_schema[path]["GET"].Case(**known)
        response = case.call_and_validate(headers=headers, checks=[openapi_checks.response_schema_conformance])
        assert response.status_code == 200 and found in response.text, path
