"""The OpenAPI schema: valid, complete, served with offline docs, and true to the API (schemathesis)."""

import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from api.base import ExportRateThrottle
from api.tests.api_world import make_world
from quizserver.tests.html_figures import extract_all

ENDPOINTS = [
    "/api/v1/courses/",
    "/api/v1/courses/{slug}/",
    "/api/v1/courses/{slug}/results/",
    "/api/v1/courses/{slug}/statistics/",
    "/api/v1/courses/{slug}/progress/",
    "/api/v1/courses/{slug}/live-sessions/",
    "/api/v1/lectures/",
    "/api/v1/lectures/{id}/",
    "/api/v1/quizzes/",
    "/api/v1/quizzes/{id}/",
    "/api/v1/questions/",
    "/api/v1/questions/{id}/",
    "/api/v1/me/submissions/",
    "/api/v1/me/submissions/{id}/",
    "/api/v1/me/progress/",
]


@pytest.fixture
def schema_dict(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_and_warning_free(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    assert "openapi: 3" in out.read_text()


def test_schema_lists_every_endpoint_with_its_errors_and_parameters(schema_dict):
    paths = schema_dict["paths"]
    assert sorted(paths) == sorted(ENDPOINTS)
    for path, item in paths.items():
        operation = item["get"]
        assert set(item) == {"get"}, path  # read-only API
        assert {"200", "400", "403", "429"} <= set(operation["responses"]), path
        assert "text/csv" in operation["responses"]["200"]["content"], path
        names = {p["name"] for p in operation["parameters"]}
        assert "format" in names, path
        if "{" in path:
            assert "404" in operation["responses"], path
    results = {p["name"] for p in paths["/api/v1/courses/{slug}/results/"]["get"]["parameters"]}
    assert {
        "lecture",
        "quiz",
        "question",
        "student",
        "created_after",
        "created_before",
        "status",
        "cursor",
    } <= results
    security = schema_dict["components"]["securitySchemes"]
    assert {"cookieAuth", "tokenAuth"} <= set(security)


def test_docs_page_works_offline(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # no CDN: every asset is local
    assets = extract_all(r"(?:src|href)=\"/static/([^\"?]+)", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert finders.find(asset), asset
    script = client.get("/api/docs/?script")  # the split view's script: no inline <script> needed
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()


# --- schemathesis over the whole schema, as a student and as staff ---------------------------------
# Each operation gets up to 20 generated requests per mode (positive, negative), derandomized (the
# same cases on every run). Path parameters are often real slugs and ids (of both courses, so
# cross-access is exercised too), otherwise generated; the required course and quiz parameters
# also get real values. Checks: no 5xx; status code, content type and body as
# documented.

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture
def world(db, course, other_course):
    return make_world(course, other_course)


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Requests through the bare WSGI handler must not close the test's connection (in its
    transaction), as Django's test client also ensures; on PostgreSQL they would."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def openapi_schema(django_db_blocker):
    """The schema as the app serves it, loaded once for all the generated tests."""
    with django_db_blocker.unblock():  # the request cycle touches the connection, not the data
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


def known_path_values(world, path: str) -> dict[str, list]:
    if "{slug}" in path:
        return {"slug": [world.dl.slug, world.ml.slug]}
    if "{id}" not in path:
        return {}
    ids = {
        "lectures": [world.dl_quiz.lecture_id, world.ml_quiz.lecture_id],
        "quizzes": [world.dl_quiz.id, world.dl_hidden_quiz.id, world.ml_quiz.id],
        "questions": [world.numeric.id, world.hidden.id, world.ml_numeric.id],
        "submissions": [s.id for s in world.submissions.values()],
    }
    return {"id": next(values for name, values in ids.items() if f"/{name}/" in path)}


@pytest.mark.parametrize("role", ["student", "staff"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_api_conforms_to_its_schema(
    openapi_schema, world, wsgi_keeps_the_test_connection, monkeypatch, path, role
):
    monkeypatch.setattr(ExportRateThrottle, "allow_request", lambda self, request, view: True)
    user = world.bob if role == "student" else world.ingrid  # bob studies both courses, ingrid teaches dl
    headers = {"Authorization": f"Token {world.token(user)}"}
    operation = openapi_schema[path]["GET"]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies = [operation.as_strategy(mode, headers=headers)]
        for name, values in known_path_values(world, path).items():
            strategies += [
                operation.as_strategy(mode, headers=headers, path_parameters={name: v}) for v in values
            ]
        if path == "/api/v1/me/progress/":
            strategies += [operation.as_strategy(mode, headers=headers, query={"course": world.dl.slug})]
        if path == "/api/v1/courses/{slug}/statistics/":
            known = {"path_parameters": {"slug": world.dl.slug}, "query": {"quiz": world.dl_quiz.id}}
            strategies += [operation.as_strategy(mode, headers=headers, **known)]

        @given(case=st.one_of(strategies))
        @settings(
            max_examples=20,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
