"""The instructor's authoring flow in Chromium, under the site's Content-Security-Policy: from the
quiz's admin page add a numeric question, watch the live preview follow the typing, save with a
broken formula (refused, the formula named), fix it and save; after a student answered, correct the
answer key and regrade: the dry run first, then the regrade itself."""

import re

import pytest
from django.contrib.auth import get_user_model

from authoring.demo import INSTRUCTOR, STUDENT, demo_load
from courses.models import Lecture
from quizzes.models import Question, Submission
from quizzes.submissions import submission_create
from quizzes.tests.factories import form_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_to_admin(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", INSTRUCTOR[0])
    page.fill("#id_password", INSTRUCTOR[1])
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def test_add_a_question_from_its_quiz_with_live_preview_and_a_formula_error(page, live_server):
    demo_load()
    reports = []
    page.on("console", lambda message: reports.append(message.text) if message.type == "error" else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    quiz = Lecture.objects.get(course__slug="deep-learning", number=1).quizzes.get()
    last = quiz.questions.order_by("-position").first().position
    log_in_to_admin(page, live_server.url)

    page.goto(f"{live_server.url}/admin/quizzes/quiz/{quiz.id}/change/")
    page.locator(".field-add_question a", has_text="Numeric (fixed answer)").click()
    page.wait_for_url(re.compile(r".*/admin/quizzes/question/add/\?kind=numeric&quiz=\d+"))
    assert page.input_value("#id_position") == str(last + 1)
    assert quiz.title in page.locator("#id_quiz option:checked").inner_text()

    preview = page.locator(".live-preview")
    page.fill("#id_prompt", r"What is $\frac{1}{4}$ as a decimal?")
    page.fill("#id_numeric_answer", "0.25")
    page.wait_for_selector(".live-preview mfrac", state="attached")
    assert "No problems" in preview.inner_text()

    page.fill("#id_prompt", r"What is $\fra{1}{4}$ as a decimal?")
    page.wait_for_selector(".live-preview .errorlist", state="attached")
    assert "unknown command \\fra" in preview.inner_text()
    page.locator("input[name=_save]").first.click()
    assert "Formula “\\fra{1}{4}”: unknown command \\fra." in page.locator(".errorlist").first.inner_text()
    assert not Question.objects.filter(quiz=quiz, position=last + 1).exists()

    page.fill("#id_prompt", r"What is $\frac{1}{4}$ as a decimal?")
    page.locator("input[name=_save]").first.click()
    page.wait_for_url(re.compile(r".*/admin/quizzes/question/$"))
    saved = Question.objects.get(quiz=quiz, position=last + 1)
    assert (saved.kind, saved.settings["numeric_answer"]) == ("numeric", 0.25)

    # A student answers 0.3; the author decides the key should have been 0.3 and regrades.
    student = get_user_model().objects.get(username=STUDENT[0])
    submission_create(student=student, question=saved, data=form_data(answer="0.3"), nonce="browser")
    page.goto(f"{live_server.url}/admin/quizzes/question/{saved.id}/change/")
    page.fill("#id_numeric_answer", "0.3")
    page.locator("input[name=_save]").first.click()
    page.wait_for_url(re.compile(r".*/admin/quizzes/question/$"))
    assert "it is now version 2" in page.locator(".messagelist").inner_text()
    page.locator(f"input[name=_selected_action][value='{saved.id}']").check()
    page.select_option("select[name=action]", "regrade")
    page.locator("button[name=index]").click()
    summary = page.locator(".regrade-summary")
    assert "1 would change" in summary.inner_text() and "for 1 student" in summary.inner_text()
    assert Submission.objects.get(nonce="browser").score == 0.0  # a dry run changed nothing
    page.fill("#regrade-reason", "The key was 0.25")
    page.locator("input[value='Apply the regrade']").click()
    page.wait_for_url(re.compile(r".*/admin/quizzes/question/$"))
    assert Submission.objects.get(nonce="browser").score == 1.0
    assert [r for r in reports if "Content Security Policy" in r or "Refused" in r] == []
