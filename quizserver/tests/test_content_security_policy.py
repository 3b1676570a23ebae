"""The Content-Security-Policy (settings ``CONTENT_SECURITY_POLICY``): on every kind of page, no
inline code in our templates, and the site, the admin and the API docs run under it in Chromium.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from authoring.demo import INSTRUCTOR, STUDENT, demo_load
from courses.models import Lecture
from quizserver.tests.browser import log_in
from quizzes.models import Question

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE)
DATA_BLOCK = re.compile(r"""type\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)
VIOLATION = ("Content Security Policy", "Refused to")


def directives(response) -> dict[str, set[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: set(values) for name, *values in parts}


def inline_code(source: str) -> list[str]:
    """Inline scripts with code, event-handler attributes, javascript: URLs and inline styles in a
    template's source."""
    found = [
        f"<script{attributes}>"
        for attributes, body in SCRIPT_TAG.findall(source)
        if body.strip() and not DATA_BLOCK.search(attributes)  # a JSON data block runs nothing
    ]
    found += [match.group(0) for match in EVENT_HANDLER.finditer(source)]
    found += [match.group(0) for match in STYLE.finditer(source)]
    found += [match.group(0) for match in JAVASCRIPT_URL.finditer(source)]
    return found


def test_the_scan_finds_inline_code():
    assert inline_code('<script>alert(1)</script><a href="#" onclick="go()">') == [
        "<script>",
        '<a href="#" onclick=',
    ]
    assert inline_code('<div\n  onmouseover = "x()">') == ['<div\n  onmouseover =']
    assert inline_code('<p style="color:red">') == [' style=']
    assert inline_code('<a href="javascript:go()">') == ['="javascript:']
    assert inline_code('<script src="/static/js/quiz.js" defer></script>') == []
    assert inline_code('<script type="application/json" id="d">{"a": 1}</script>') == []
    assert inline_code("<p>Press the button, then wait for the reaction online=yes</p>") == []


def test_no_template_has_inline_script_handler_or_style():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20 and TEMPLATES / "base.html" in templates
    offenders = {str(t.relative_to(TEMPLATES)): inline_code(t.read_text()) for t in templates}
    assert {name: found for name, found in offenders.items() if found} == {}


@pytest.mark.django_db
def test_policy_allows_no_inline_code_and_no_framing(client, student, quiz, single, numeric):
    client.force_login(student)
    response = client.get(reverse("quizzes:quiz", args=["dl", quiz.id]))
    assert "<math" in response.content.decode()  # rendered prompts with formulas, and no inline code:
    assert inline_code(response.content.decode()) == []
    policy = directives(response)
    assert policy["script-src"] == {"'self'"} and policy["style-src"] == {"'self'"}
    assert policy["default-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"} and policy["object-src"] == {"'none'"}
    assert policy["base-uri"] == {"'self'"} and policy["form-action"] == {"'self'"}
    assert not any("unsafe" in value for values in policy.values() for value in values)


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/accounts/login/", "/admin/login/", "/api/docs/", "/api/docs/?script"])
def test_every_kind_of_page_carries_the_policy(client, address):
    response = client.get(address)
    assert response.status_code == 200
    assert directives(response)["script-src"] == {"'self'"}
    if response["Content-Type"].startswith("text/html"):
        assert inline_code(response.content.decode()) == []


@pytest.mark.django_db
def test_student_and_admin_pages_carry_the_policy(client, admin_client, student, quiz, single):
    client.force_login(student)
    assert directives(client.get(reverse("progress:course", args=["dl"])))["script-src"] == {"'self'"}
    response = admin_client.get(reverse("admin:quizzes_question_change", args=[single.id]))
    assert response.status_code == 200
    assert directives(response)["style-src"] == {"'self'"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_site_admin_and_api_docs_run_without_violations(page, live_server):
    """A student answers through quiz.js (fetch), staff open the admin and the API docs: the
    browser reports no blocked script, style or request on the way."""
    demo_load()
    reports = []
    page.on("console", lambda message: reports.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: reports.append(f"{page.url}: page error: {error}"))
    quiz = Lecture.objects.get(course__slug="deep-learning", number=2).quizzes.get()
    first = Question.objects.filter(quiz=quiz).order_by("position").first()
    assert first.kind == "single"

    log_in(page, live_server.url, *STUDENT)
    page.goto(f"{live_server.url}/courses/deep-learning/")
    assert page.locator("#lecture-2 .progress-bar rect").count() == 1
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.evaluate("window.__sameDocument = true")
    page.locator(f"label[for='c{first.choices.get(is_correct=True).id}']").click()
    page.locator(f"#q{first.id} button", has_text="Check answer").click()
    page.wait_for_selector(f"#q{first.id} .feedback-correct")
    assert page.evaluate("window.__sameDocument") is True  # quiz.js sent it: the script ran
    l03 = Lecture.objects.get(course__slug="deep-learning", number=3).quizzes.get()
    page.goto(f"{live_server.url}{l03.get_absolute_url()}")
    assert page.locator("figure.diagram svg").count() > 0 and page.locator("math").count() > 0
    page.goto(f"{live_server.url}/courses/deep-learning/progress/")
    assert page.locator("svg").count() > 0  # the charts

    page.context.clear_cookies()
    log_in(page, live_server.url, *INSTRUCTOR)
    page.goto(f"{live_server.url}/admin/")
    assert page.locator("#site-name").count() == 1
    page.goto(f"{live_server.url}/admin/quizzes/question/")
    assert page.locator("#result_list").count() == 1
    page.goto(f"{live_server.url}/admin/quizzes/question/{first.id}/change/")
    page.wait_for_selector(".quiz-preview")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)  # the operations: the UI ran

    violations = [text for text in reports if any(marker in text for marker in VIOLATION)]
    assert violations == [], violations
    assert not [text for text in reports if "page error" in text], reports
