"""Who reads what through the API: two students, two courses, staff of each.

Students see only their own rows and their own courses; staff see only their own courses; an id
or slug the user may not read answers 404 (a student of the course gets 403 on staff endpoints);
answers, tolerances, seeds, configs and mistakes never reach a student before the solution is
visible to them.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from api.tests.api_world import (
    COMPUTED_ANSWER,
    GENERATOR_CONFIG_MARK,
    MISTAKE,
    NUMERIC_ANSWER,
    SEED,
    TOLERANCE_RTOL,
    answer,
    make_world,
)
from quizzes.models import Variant


@pytest.fixture
def world(db, course, other_course):
    return make_world(course, other_course)


def get(client, user, url, **extra):
    client.force_login(user)
    response = client.get(url, **extra)
    streamed = b"".join(response.streaming_content) if response.streaming else response.content
    response.body_text = streamed.decode()
    return response


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.body_text)))


STAFF_ENDPOINTS = [
    "results/",
    "results/?format=csv",
    "progress/",
    "progress/?format=csv",
    "statistics/?quiz={quiz}",
]


class TestStudentsSeeOnlyTheirOwn:
    def test_my_submissions_list_detail_and_csv_are_own_rows(self, client, world):
        s = world.submissions
        alice_ids = {s["alice_numeric"].id, s["alice_computed"].id, s["alice_invalid"].id}
        assert ids(get(client, world.alice, "/api/v1/me/submissions/")) == alice_ids
        assert ids(get(client, world.bob, "/api/v1/me/submissions/")) == {s["bob_numeric"].id, s["bob_ml"].id}
        rows = csv_rows(get(client, world.alice, "/api/v1/me/submissions/?format=csv"))
        assert {int(row["id"]) for row in rows} == alice_ids
        assert get(client, world.alice, f"/api/v1/me/submissions/{s['bob_numeric'].id}/").status_code == 404
        assert get(client, world.alice, f"/api/v1/me/submissions/{s['alice_numeric'].id}/").status_code == 200

    def test_courses_lectures_quizzes_questions_of_other_courses_are_invisible(self, client, world):
        assert [c["slug"] for c in get(client, world.alice, "/api/v1/courses/").json()["results"]] == ["dl"]
        bob_courses = get(client, world.bob, "/api/v1/courses/").json()["results"]
        assert {c["slug"]: c["role"] for c in bob_courses} == {"dl": "student", "ml": "student"}
        assert get(client, world.alice, "/api/v1/courses/ml/").status_code == 404
        assert ids(get(client, world.alice, "/api/v1/lectures/")) == {world.dl_quiz.lecture_id}
        assert ids(get(client, world.alice, "/api/v1/quizzes/")) == {world.dl_quiz.id}
        questions = {world.single.id, world.numeric.id, world.computed.id}
        assert ids(get(client, world.alice, "/api/v1/questions/")) == questions
        for url in (
            f"/api/v1/lectures/{world.ml_quiz.lecture_id}/",
            f"/api/v1/quizzes/{world.ml_quiz.id}/",
            f"/api/v1/questions/{world.ml_numeric.id}/",
        ):
            assert get(client, world.alice, url).status_code == 404, url
        csv_ids = {int(r["id"]) for r in csv_rows(get(client, world.alice, "/api/v1/questions/?format=csv"))}
        assert csv_ids == questions

    def test_unpublished_quiz_and_its_questions_are_404_for_students_only(self, client, world):
        for url in (f"/api/v1/quizzes/{world.dl_hidden_quiz.id}/", f"/api/v1/questions/{world.hidden.id}/"):
            assert get(client, world.alice, url).status_code == 404
            assert get(client, world.ingrid, url).status_code == 200

    def test_questions_of_a_quiz_not_open_yet_are_hidden_from_students(self, client, world):
        world.dl_quiz.opens_at = timezone.now() + timedelta(days=1)
        world.dl_quiz.save()
        assert ids(get(client, world.alice, "/api/v1/questions/")) == set()
        assert ids(get(client, world.alice, "/api/v1/quizzes/")) == {
            world.dl_quiz.id
        }  # listed, not answerable
        assert len(ids(get(client, world.ingrid, "/api/v1/questions/"))) == 4

    @pytest.mark.parametrize("endpoint", STAFF_ENDPOINTS)
    def test_staff_endpoints_are_403_for_students_of_the_course_and_404_elsewhere(
        self, client, world, endpoint
    ):
        url = "/api/v1/courses/{slug}/" + endpoint
        assert get(client, world.alice, url.format(slug="dl", quiz=world.dl_quiz.id)).status_code == 403
        assert get(client, world.alice, url.format(slug="ml", quiz=world.ml_quiz.id)).status_code == 404
        assert get(client, world.alice, url.format(slug="nope", quiz=1)).status_code == 404

    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/courses/",
            "/api/v1/courses/dl/",
            "/api/v1/lectures/",
            "/api/v1/quizzes/",
            "/api/v1/questions/",
            "/api/v1/me/submissions/",
            "/api/v1/me/progress/?course=dl",
            "/api/v1/courses/dl/results/",
            "/api/v1/courses/dl/results/?format=csv",
            "/api/v1/courses/dl/progress/",
            "/api/v1/courses/dl/statistics/",
        ],
    )
    def test_anonymous_requests_are_refused(self, client, world, url):
        response = client.get(url)
        assert response.status_code == 403 and "credentials" in response.json()["detail"]


class TestStaffSeeOnlyTheirCourses:
    def test_results_list_and_export_hold_only_the_courses_student_rows(self, client, world):
        s = world.submissions
        dl_rows = {s[name].id for name in ("alice_numeric", "alice_computed", "alice_invalid", "bob_numeric")}
        assert ids(get(client, world.ingrid, "/api/v1/courses/dl/results/")) == dl_rows  # not the preview
        export = get(client, world.ingrid, "/api/v1/courses/dl/results/?format=csv")
        assert {int(row["id"]) for row in csv_rows(export)} == dl_rows
        assert ids(get(client, world.tom, "/api/v1/courses/ml/results/")) == {s["bob_ml"].id}
        for user, foreign in ((world.ingrid, "ml"), (world.tom, "dl")):
            for endpoint in ("results/", "results/?format=csv", "progress/", "statistics/?quiz=1"):
                assert get(client, user, f"/api/v1/courses/{foreign}/{endpoint}").status_code == 404

    def test_progress_and_statistics_cover_only_the_course(self, client, world):
        progress = get(client, world.tom, "/api/v1/courses/ml/progress/").json()
        assert [row["student"]["username"] for row in progress] == ["bob"]
        assert [lec["lecture"] for lec in progress[0]["lectures"]] == [world.ml_quiz.lecture_id]
        stats = get(client, world.ingrid, f"/api/v1/courses/dl/statistics/?quiz={world.dl_quiz.id}").json()
        assert [row["question"] for row in stats] == [world.single.id, world.numeric.id, world.computed.id]
        foreign = get(client, world.ingrid, f"/api/v1/courses/dl/statistics/?quiz={world.ml_quiz.id}")
        assert foreign.status_code == 400 and "quiz" in foreign.json()

    @pytest.mark.parametrize("param", ["quiz", "question", "student"])
    def test_filters_with_another_courses_ids_are_rejected(self, client, world, param):
        foreign = {"quiz": world.ml_quiz.id, "question": world.ml_numeric.id, "student": world.tom.id}[param]
        response = get(client, world.ingrid, f"/api/v1/courses/dl/results/?{param}={foreign}")
        assert response.status_code == 400 and list(response.json()) == [param]

    def test_staff_get_grading_only_for_their_courses_questions(self, client, world, make_user):
        world.tom.enrolments.create(course=world.dl)  # tom studies dl, teaches ml
        rows = get(client, world.tom, "/api/v1/questions/").json()["results"]
        grading = {row["id"]: "grading" in row for row in rows}
        assert grading == {
            world.single.id: False,
            world.numeric.id: False,
            world.computed.id: False,
            world.ml_numeric.id: True,
        }
        ingrid_rows = {r["id"]: r for r in get(client, world.ingrid, "/api/v1/questions/").json()["results"]}
        assert ingrid_rows[world.numeric.id]["grading"]["settings"]["numeric_answer"] == NUMERIC_ANSWER
        assert ingrid_rows[world.single.id]["grading"]["correct_choices"] == [
            world.single.choices.get(is_correct=True).id
        ]

    def test_superusers_read_every_course(self, client, world):
        root = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
        slugs = {c["slug"]: c["role"] for c in get(client, root, "/api/v1/courses/").json()["results"]}
        assert slugs == {"dl": "instructor", "ml": "instructor"}
        assert get(client, root, "/api/v1/courses/ml/results/").status_code == 200


class TestSecretsNeverReachStudents:
    SECRETS = [
        str(NUMERIC_ANSWER),
        str(COMPUTED_ANSWER),
        str(SEED),
        MISTAKE,
        str(TOLERANCE_RTOL),
        str(GENERATOR_CONFIG_MARK),
        "mlp_backward",
        "Worked solution",
        "Think.",
        "Yes!",
        "is_correct",
    ]

    def assert_no_secrets(self, text: str):
        for secret in self.SECRETS:
            assert secret not in text, secret

    @pytest.mark.parametrize("fmt", ["json", "csv"])
    def test_questions_carry_only_public_fields(self, client, world, fmt):
        response = get(client, world.alice, f"/api/v1/questions/?format={fmt}")
        self.assert_no_secrets(response.body_text)
        if fmt == "json":
            for row in response.json()["results"]:
                assert set(row) == {"id", "quiz", "position", "kind", "title", "prompt", "points", "choices"}
                assert all(set(choice) == {"id", "text"} for choice in row["choices"])
        detail = get(client, world.alice, f"/api/v1/questions/{world.numeric.id}/?format={fmt}")
        self.assert_no_secrets(detail.body_text)

    @pytest.mark.parametrize("fmt", ["json", "csv"])
    def test_own_submissions_hide_answers_seeds_and_mistakes(self, client, world, fmt):
        response = get(client, world.alice, f"/api/v1/me/submissions/?format={fmt}")
        self.assert_no_secrets(response.body_text)
        assert "seed" not in response.body_text and "mistake" not in response.body_text
        if fmt == "json":
            rows = response.json()["results"]
            assert all(row["answer"] is None and row["solution_visible"] is False for row in rows)

    def test_answer_appears_once_the_solution_is_revealed_or_earned(self, client, world):
        Variant.objects.filter(pk=world.computed_variant.pk).update(revealed_at=timezone.now())
        answer(world.alice, world.numeric, raw="123,4568", value=123.4568, score=1.0)
        rows = get(client, world.alice, "/api/v1/me/submissions/").json()["results"]
        by_question = {}
        for row in rows:
            by_question.setdefault(row["question"], set()).add(row["answer"])
        assert by_question[world.computed.id] == {COMPUTED_ANSWER}
        assert by_question[world.numeric.id] == {NUMERIC_ANSWER}
        text = get(client, world.alice, "/api/v1/me/submissions/").content.decode()
        assert str(SEED) not in text and MISTAKE not in text  # still never shown
        # bob's variant of the same question was not revealed: nothing for him
        bob = get(client, world.bob, "/api/v1/me/submissions/").json()["results"]
        assert all(row["answer"] is None for row in bob)

    def test_graded_quiz_withholds_score_and_answer_until_it_closes(self, client, world):
        row = get(client, world.bob, f"/api/v1/me/submissions/{world.submissions['bob_ml'].id}/").json()
        assert (row["score"], row["points"], row["feedback"], row["answer"]) == (None, None, "", None)
        world.ml_quiz.closes_at = timezone.now() - timedelta(minutes=1)
        world.ml_quiz.save()
        row = get(client, world.bob, f"/api/v1/me/submissions/{world.submissions['bob_ml'].id}/").json()
        assert (row["score"], row["feedback"], row["answer"], row["solution_visible"]) == (
            0.0,
            "Not quite.",
            2.5,
            True,
        )

    def test_choice_question_answer_is_the_correct_choice_ids_once_visible(self, client, world):
        right = world.single.choices.get(is_correct=True)
        answer(world.alice, world.single, raw=str(right.id), value=[right.id], score=1.0)
        rows = get(client, world.alice, f"/api/v1/me/submissions/?question={world.single.id}").json()[
            "results"
        ]
        assert [row["answer"] for row in rows] == [[right.id]]
