"""The API's behaviour: formats, the streaming export, filters and their errors, pages, tokens,
throttling, and a number of queries that does not grow with the rows (access: test_api_access)."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from api.base import ExportRateThrottle
from api.exports import EXPORT_COLUMNS, csv_chunks
from api.renderers import spreadsheet_safe
from api.tests.api_world import SEED, answer, make_world
from quizzes.models import Submission
from quizzes.tests.factories import make_question


@pytest.fixture
def world(db, course, other_course):
    return make_world(course, other_course)


@pytest.fixture
def staff(client, world):
    client.force_login(world.ingrid)
    return client


def body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def parse_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


LISTS = [
    "/api/v1/courses/",
    "/api/v1/lectures/",
    "/api/v1/quizzes/",
    "/api/v1/questions/",
    "/api/v1/me/submissions/",
    "/api/v1/me/progress/?course=dl",
    "/api/v1/courses/dl/results/",
    "/api/v1/courses/dl/progress/",
    "/api/v1/courses/dl/statistics/?quiz={quiz}",
]


def rows_of(response) -> list[dict]:
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


class TestFormats:
    @pytest.mark.parametrize("url", LISTS)
    def test_every_list_is_csv_by_format_parameter_and_by_accept_header(self, staff, world, url):
        url = url.format(quiz=world.dl_quiz.id)
        json_rows = rows_of(staff.get(url))
        assert json_rows, "the world has rows for every list"
        joiner = "&" if "?" in url else "?"
        by_param = staff.get(f"{url}{joiner}format=csv")
        by_header = staff.get(url, HTTP_ACCEPT="text/csv")
        for response in (by_param, by_header):
            assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
            rows = parse_csv(response)
            if "progress/" in url and "/me/" not in url:  # CSV: one row per student and lecture
                assert len(rows) == sum(len(row["lectures"]) for row in json_rows)
            else:
                assert len(rows) == len(json_rows)
            if "id" in json_rows[0]:
                assert {int(row["id"]) for row in rows} == {row["id"] for row in json_rows}

    def test_nested_objects_become_columns_and_lists_json(self, staff, world):
        rows = parse_csv(staff.get("/api/v1/questions/?format=csv"))
        single = next(row for row in rows if row["id"] == str(world.single.id))
        assert single["grading_correct_choices"] == f"[{world.single.choices.get(is_correct=True).id}]"
        assert single["choices"].startswith('[{"id": ')

    def test_errors_are_json_even_when_csv_was_asked_for(self, staff):
        response = staff.get("/api/v1/courses/dl/results/?format=csv&status=done")
        assert response.status_code == 400 and response.json() == {
            "status": ["Unknown status; use one of pending, graded, invalid, error."]
        }

    def test_spreadsheet_formulas_are_neutralised_but_signed_numbers_kept(self):
        assert spreadsheet_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
        assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
        assert spreadsheet_safe("-2+3") == "'-2+3"
        assert [spreadsheet_safe(x) for x in ("-0.5", "+1e-3", "-1,5", "12")] == [
            "-0.5",
            "+1e-3",
            "-1,5",
            "12",
        ]


class TestResultsExport:
    def test_export_streams_every_row_with_its_columns(self, staff, world):
        response = staff.get("/api/v1/courses/dl/results/?format=csv")
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Disposition"] == 'attachment; filename="dl-results.csv"'
        rows = parse_csv(response)
        assert list(rows[0]) == list(EXPORT_COLUMNS)
        by_id = {int(row["id"]): row for row in rows}
        computed = by_id[world.submissions["alice_computed"].id]
        assert computed["student_username"] == "alice" and computed["variant_seed"] == str(SEED)
        assert (computed["lecture"], computed["quiz"], computed["question"]) == (
            "2",
            str(world.dl_quiz.id),
            str(world.computed.id),
        )
        assert (computed["raw"], computed["value"], computed["score"], computed["status"]) == (
            "4321",
            "4321.0",
            "0.0",
            "graded",
        )
        assert computed["mistake"] == "forgot_sigma_prime" and computed["created_at"].endswith("+00:00")
        assert (computed["correct_answer"], computed["answer"], computed["max_points"]) == ("9876.54321", "4321", "1.0")
        invalid = by_id[world.submissions["bob_numeric"].id]
        assert invalid["raw"] == "'=HYPERLINK(1)" and invalid["value"] == "" and invalid["score"] == ""
        assert [int(row["id"]) for row in rows] == sorted(by_id)  # oldest first

    def test_export_honours_filters(self, staff, world):
        rows = parse_csv(staff.get(f"/api/v1/courses/dl/results/?format=csv&student={world.bob.id}"))
        assert [int(row["id"]) for row in rows] == [world.submissions["bob_numeric"].id]

    def test_chunks_hold_a_bounded_number_of_rows(self):
        rows = ((i, f"r{i}") for i in range(2500))
        chunks = list(csv_chunks(["id", "raw"], rows, chunk_rows=1000))
        assert [chunk.count(b"\n") for chunk in chunks] == [1, 1000, 1000, 500]

    def test_exports_have_a_stricter_rate(self, staff, monkeypatch):
        monkeypatch.setattr(ExportRateThrottle, "rate", "2/hour", raising=False)
        codes = [staff.get("/api/v1/courses/dl/results/?format=csv").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert staff.get("/api/v1/courses/dl/results/").status_code == 200  # JSON lists are not exports


class TestFilters:
    def result_ids(self, client, query: str) -> set[int]:
        response = client.get(f"/api/v1/courses/dl/results/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    def test_each_filter_narrows_the_results(self, staff, world):
        s = world.submissions
        late = answer(
            world.alice, world.single, raw="1", value=[1], score=0.0, when=timezone.now() + timedelta(days=3)
        )
        assert self.result_ids(staff, "lecture=2") == {
            s["alice_numeric"].id,
            s["alice_computed"].id,
            s["alice_invalid"].id,
            s["bob_numeric"].id,
            late.id,
        }
        assert self.result_ids(staff, f"question={world.computed.id}") == {s["alice_computed"].id}
        assert self.result_ids(staff, f"quiz={world.dl_quiz.id}&status=invalid") == {
            s["alice_invalid"].id,
            s["bob_numeric"].id,
        }
        assert self.result_ids(staff, f"student={world.bob.id}") == {s["bob_numeric"].id}
        after = (timezone.localdate() + timedelta(days=1)).isoformat()  # a date means local midnight
        assert self.result_ids(staff, f"created_after={after}") == {late.id}
        assert late.id not in self.result_ids(staff, f"created_before={after}T00:00:00%2B00:00")

    @pytest.mark.parametrize(
        ("query", "param"),
        [
            ("created_after=yesterday", "created_after"),
            ("created_before=2026-13-01", "created_before"),
            ("created_after=0001-01-01", "created_after"),
            ("created_after=2026-02-01&created_before=2026-01-01", "created_before"),
            ("status=done", "status"),
            ("quiz=abc", "quiz"),
            ("quiz=999999", "quiz"),
            ("question=99999999999999999999999", "question"),
            ("student=-1", "student"),
            ("lecture=99", "lecture"),
            ("format=xml", "format"),
            ("cursor=bz14", "cursor"),  # base64 of "o=x": a cursor with a bad offset
            ("cursor=cD1ub3RhZGF0ZQ==", "cursor"),  # "p=notadate": a well-formed cursor, a bad position
        ],
    )
    def test_invalid_filters_are_400_naming_the_parameter(self, staff, world, query, param):
        response = staff.get(f"/api/v1/courses/dl/results/?{query}")
        assert response.status_code == 400 and list(response.json()) == [param]
        assert response.json()[param][0]  # a message

    @pytest.mark.parametrize(
        ("url", "param"),
        [
            ("/api/v1/me/progress/", "course"),
            ("/api/v1/me/progress/?course=ml", "course"),
            ("/api/v1/courses/dl/statistics/", "quiz"),
            ("/api/v1/courses/dl/statistics/?quiz=x", "quiz"),
            ("/api/v1/questions/?quiz=0", "quiz"),
            ("/api/v1/quizzes/?course=nope", "course"),
            ("/api/v1/me/submissions/?lecture=1.5", "lecture"),
        ],
    )
    def test_required_and_unknown_parameters_elsewhere(self, staff, url, param):
        response = staff.get(url)
        assert response.status_code == 400 and param in response.json()

    def test_my_progress_counts_per_lecture(self, client, world):
        client.force_login(world.alice)
        rows = client.get("/api/v1/me/progress/?course=dl").json()
        assert [(r["number"], r["total"], r["tried"], r["mastered"], r["tries"]) for r in rows] == [
            (2, 3, 2, 0, 2)
        ]


class TestPagination:
    def test_cursor_pages_walk_every_row_newest_first(self, client, world):
        start = timezone.now()
        made = [
            answer(
                world.alice,
                world.numeric,
                raw=str(i),
                value=float(i),
                score=0.0,
                when=start + timedelta(seconds=i),
            )
            for i in range(7)
        ]
        client.force_login(world.alice)
        url, seen = f"/api/v1/me/submissions/?page_size=3&question={world.numeric.id}&status=graded", []
        while url:
            page = client.get(url).json()
            assert len(page["results"]) <= 3
            seen += [row["id"] for row in page["results"]]
            url = page["next"]
        assert seen == [s.id for s in reversed(made)] + [world.submissions["alice_numeric"].id]


class TestTokens:
    def test_token_authenticates_and_revoked_or_replaced_tokens_fail(self, client, world):
        token = world.token(world.ingrid)
        auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
        assert client.get("/api/v1/courses/dl/results/", **auth).status_code == 200
        client.force_login(world.ingrid)
        page = client.post("/api/token/", {"action": "create"})
        new_key = Token.objects.get(user=world.ingrid).key
        assert new_key != token and new_key in page.content.decode()
        client.logout()
        refused = client.get("/api/v1/courses/dl/results/", **auth)  # the replaced token
        assert refused.status_code == 403 and refused.json() == {"detail": "Invalid token."}
        new_auth = {"HTTP_AUTHORIZATION": f"Token {new_key}"}
        assert client.get("/api/v1/courses/dl/results/?format=csv", **new_auth).status_code == 200
        client.force_login(world.ingrid)
        assert client.post("/api/token/", {"action": "revoke"}).status_code == 302
        client.logout()
        assert client.get("/api/v1/courses/dl/results/", **new_auth).json() == {"detail": "Invalid token."}

    def test_token_page_shows_a_key_once_and_only_to_staff(self, client, world):
        client.force_login(world.tom)  # a TA: not is_staff, but teaches ml
        client.post("/api/token/", {"action": "create"})
        key = Token.objects.get(user=world.tom).key
        later = client.get("/api/token/").content.decode()
        assert key not in later and "Revoke token" in later
        client.force_login(world.alice)
        assert client.get("/api/token/").status_code == 403
        assert client.post("/api/token/", {"action": "create"}).status_code == 403
        assert not Token.objects.filter(user=world.alice).exists()

    def test_token_page_needs_csrf_and_login(self, world):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(world.ingrid)
        assert strict.post("/api/token/", {"action": "create"}).status_code == 403
        assert Client().get("/api/token/").status_code == 302

    def test_session_requests_are_csrf_checked(self, world):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(world.ingrid)
        assert strict.get("/api/v1/courses/").status_code == 200
        refused = strict.post("/api/v1/courses/")
        assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]

    def test_staff_header_links_to_the_token_page(self, staff):
        assert 'href="/api/token/"' in staff.get("/api/token/").content.decode()


def more_rows(world, count: int) -> None:
    """``count`` more rows of every list: lectures, quizzes, questions, choices, submissions."""
    for i in range(count):
        lecture = world.dl.lectures.create(number=10 + i, title=f"L{i}", slug=f"l{i}")
        quiz = lecture.quizzes.create(title=f"Q{i}", is_published=True)
        question = quiz.questions.create(kind="single", prompt="More?")
        question.choices.create(text="a", is_correct=True)
        make_question(quiz=world.dl_quiz, position=10 + i, kind="numeric", prompt="More?", numeric_answer=1)
        answer(world.alice, world.numeric, raw=str(i), value=float(i), score=0.0, number=2 + i)
        answer(world.alice, question, raw=str(i), value=[1], score=1.0)
        answer(world.bob, world.ml_numeric, raw=str(i), value=float(i), score=0.0, number=2 + i)


@pytest.mark.parametrize("user", ["alice", "ingrid"])
@pytest.mark.parametrize("url", LISTS + [u + ("&" if "?" in u else "?") + "format=csv" for u in LISTS])
def test_queries_do_not_grow_with_rows(client, world, user, url):
    url = url.format(quiz=world.dl_quiz.id)
    client.force_login(getattr(world, user))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body(response)
        return len(queries), response.status_code

    small = count()
    more_rows(world, 6)
    assert count() == small
    assert Submission.objects.count() > 12
