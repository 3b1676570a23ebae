"""A multi-step question in a real browser at phone width (Playwright, the system Chromium): the
student slips at step 2 of the L03 MLP question and computes every later step correctly from that
slip; the page names step 2 as the first wrong step, outlines it in the steps diagram, and gives
the later steps their carried credit."""

import re
from pathlib import Path

import numpy as np
import pytest

from authoring.demo import demo_load
from compute.steps import step_chain
from courses.models import Lecture
from quizserver.tests.browser import log_in
from quizzes.models import Question, Submission, Variant

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_student_slips_at_step_2_and_sees_it_named_outlined_and_carried(page, live_server):
    from django.contrib.auth import get_user_model

    demo_load()
    quiz = Lecture.objects.get(course__slug="deep-learning", number=3).quizzes.get()
    question = Question.objects.get(quiz=quiz, kind="multi_step")
    log_in(page, live_server.url, "student", "student-demo")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}#q{question.id}")
    section = page.locator(f"#q{question.id}")
    section.locator(".steps-diagram").wait_for()

    variant = Variant.objects.get(student=get_user_model().objects.get(username="student"), question=question)
    generator = question.kind_spec.generator(question, variant)
    asked = [step.name for step in question.kind_spec.asked(question, variant)]
    exact = step_chain(generator, variant.params, variant.config)
    slip = {"z1": exact["z1"], "a1": [a + 0.25 for a in exact["a1"]]}  # step 2 wrong by 0.25 per entry
    carried = step_chain(generator, variant.params, variant.config, slip)
    answers = {**slip, **{name: carried[name] for name in asked if name not in slip}}
    for name in asked:
        boxes = section.locator(f"input[name='step-{name}']")
        values = np.ravel(answers[name]).tolist()
        assert boxes.count() == len(values)
        for index, value in enumerate(values):
            boxes.nth(index).fill(f"{value:.6g}".replace(".", ","))  # decimal commas, as typed by hand
    section.locator("button", has_text="Check answer").click()
    section.locator(".first-wrong").wait_for()

    assert "First wrong step: step 2" in section.locator(".first-wrong").inner_text()
    first_box = section.locator(".steps-diagram .step-first-wrong")
    assert first_box.count() == 1
    assert "Step 2" in first_box.locator("xpath=..").locator("title").text_content()
    submission = Submission.objects.get(variant=variant)
    marks = {m["step"]: m["mark"] for m in submission.step_marks}
    assert marks["z1"] == "right" and marks["a1"] == "wrong"
    later = [name for name in asked[2:] if marks[name] == "carried"]
    assert later, f"the later steps follow from the slip: {marks}"
    for name in later:
        feedback = section.locator(f"#q{question.id}-step-{name} .step-feedback").inner_text()
        assert "Carried" in feedback and re.search(r"(see|back to) steps? (\d+, )*(\d+ and )?2\b", feedback), feedback
    credits = {m["step"]: m["credit"] for m in submission.step_marks}
    assert all(credits[name] == 0.5 for name in later)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at phone width"
    ARTIFACTS.mkdir(exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / "l03-multi-step-phone.png"))
