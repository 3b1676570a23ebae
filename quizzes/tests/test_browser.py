"""What a student does, in a real browser (Playwright driving the system Chromium).

The ``page`` fixture (conftest.py) skips where /usr/bin/chromium is missing; under CI=true it
fails instead.
"""

from pathlib import Path

import pytest

from authoring.demo import demo_load
from courses.models import Lecture
from quizserver.tests.browser import log_in
from quizzes.models import Question

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_answers_l02_quiz_without_reload_and_progress_changes(page, live_server):
    demo_load()
    lecture = Lecture.objects.get(course__slug="deep-learning", number=2)
    quiz = lecture.quizzes.get()
    first, second = Question.objects.filter(quiz=quiz).order_by("position")[:2]
    assert (first.kind, second.kind) == ("single", "numeric")
    right_choice = first.choices.get(is_correct=True)
    wrong_value = f"{second.settings['numeric_answer'] + 1.5:.2f}".replace(".", ",")  # decimal comma

    log_in(page, live_server.url, "student", "student-demo")
    page.goto(f"{live_server.url}/courses/deep-learning/")
    progress = page.locator("#lecture-2 [data-progress]")
    before = progress.inner_text()
    assert before.startswith("0 /")
    page.locator("#lecture-2 .quiz-links a").first.click()
    page.wait_for_selector(f"#q{first.id}")
    page.evaluate("window.__sameDocument = true")

    page.locator(f"label[for='c{right_choice.id}']").click()
    page.locator(f"#q{first.id} button", has_text="Check answer").click()
    page.wait_for_selector(f"#q{first.id} .feedback-correct")
    assert "Correct." in page.locator(f"#q{first.id} .feedback").inner_text()

    page.locator(f"#q{second.id}-answer").fill(wrong_value)
    page.locator(f"#q{second.id} button", has_text="Check answer").click()
    page.wait_for_selector(f"#q{second.id} .feedback-incorrect")
    assert "Not correct." in page.locator(f"#q{second.id} .feedback").inner_text()
    assert page.locator(f"#q{second.id}-answer").input_value() == wrong_value

    assert page.evaluate("window.__sameDocument") is True  # no page reload happened
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "l02-quiz-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/courses/deep-learning/")
    after = page.locator("#lecture-2 [data-progress]").inner_text()
    assert after.startswith("1 /") and after != before


def test_l03_student_computes_own_network_gradient(page, live_server):
    """The L03 flow: own network diagram, a known mistake named, the worked solution, a stable variant."""
    from django.contrib.auth import get_user_model

    from quizzes.models import Variant

    demo_load()
    quiz = Lecture.objects.get(course__slug="deep-learning", number=3).quizzes.get()
    question = Question.objects.filter(quiz=quiz, settings__generator="mlp_backward").order_by("position").first()
    assert question is not None, "the demo's L03 quiz has an mlp_backward question"
    log_in(page, live_server.url, "student", "student-demo")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    section = page.locator(f"#q{question.id}")
    assert section.locator("figure.diagram svg").is_visible()
    prompt_before = section.locator(".prompt").inner_text()

    student = get_user_model().objects.get(username="student")
    variant = Variant.objects.get(student=student, question=question)
    assert variant.status == "ready" and variant.mistakes
    mistake = variant.mistakes[0]
    section.locator(f"#q{question.id}-answer").fill(f"{mistake['value']:.6g}".replace(".", ","))
    section.locator("button", has_text="Check answer").click()
    page.wait_for_selector(f"#q{question.id} .feedback-incorrect")
    feedback = page.locator(f"#q{question.id} .feedback")
    words = mistake["message"].split("$")[0].strip()  # the message's text up to its first formula
    assert len(words) > 10 and words in feedback.inner_text()
    assert feedback.locator("math").count() > 0 and "$" not in feedback.inner_text()  # its math typeset

    page.locator(f"#q{question.id}-answer").fill(f"{variant.answer:.10g}")
    page.locator(f"#q{question.id} button", has_text="Check answer").click()
    page.wait_for_selector(f"#q{question.id} .solution")
    solution = page.locator(f"#q{question.id} .solution")
    assert "Worked solution" in solution.inner_text() and solution.locator("li").count() >= 3
    assert solution.locator("math").count() > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "l03-computed-phone.png"), full_page=True)

    page.reload()
    assert page.locator(f"#q{question.id} .prompt").inner_text() == prompt_before
    assert Variant.objects.filter(student=student, question=question).count() == 1
