"""Every question of the demo course read on a phone (390 px): nothing runs off its card unless it
sits in a region that scrolls sideways and shows that it does (scroll shadows).

Before the pages are opened, the student has answered every question once (wrong, so feedback
shows) and asked for every solution, so prompts, diagrams, feedback and worked solutions are all
on the page. Set SCREENSHOTS=<folder> to also save full-page screenshots of L03, L08 and L11.
"""

import os
from pathlib import Path

import numpy as np
import pytest

from authoring.demo import demo_load
from courses.models import Course, Enrolment
from quizserver.tests.browser import log_in
from quizzes.models import Question, Quiz
from quizzes.submissions import submission_create
from quizzes.tests.factories import form_data
from quizzes.variants import variant_reveal, variants_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For each card: parts of the prompt, the feedback and the solution that reach past the card's
# right edge although no scrolling ancestor (inside the card) with scroll shadows holds them.
OVERFLOWS = """
() => {
  const problems = [];
  const scrolls = (el) => {
    const style = getComputedStyle(el);
    return ["auto", "scroll"].includes(style.overflowX) && style.backgroundImage.includes("gradient");
  };
  for (const card of document.querySelectorAll("section.question")) {
    const right = card.getBoundingClientRect().right;
    for (const part of card.querySelectorAll(".prompt, .diagram, .feedback, .solution, .hint")) {
      for (const el of [part, ...part.querySelectorAll("*")]) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.right <= right + 1) continue;
        let held = false;
        for (let up = el.parentElement; up && up !== card; up = up.parentElement) {
          if (scrolls(up) && up.getBoundingClientRect().right <= right + 1) { held = true; break; }
        }
        if (!held) {
          const tag = el.tagName.toLowerCase();
          const ends = Math.round(box.right);
          problems.push(`${card.id} ${part.className}: <${tag}> ends at ${ends} > ${Math.round(right)}`);
          break;
        }
      }
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push("the page scrolls sideways");
  return problems;
}
"""


def wrong_answer(question) -> dict:
    if question.has_choices:
        wrong = [c.id for c in question.choices.all() if not c.is_correct][:1]
        return {"choice": wrong or [question.choices.first().id]}
    if question.kind == "true_false":
        return {"answer": "false" if question.settings["true_false_answer"] else "true"}
    return {"answer": "12345" if question.kind != "text" else "no idea"}


def answer_and_reveal_everything(student) -> None:
    """One wrong answer to every question, then its solution (practice quizzes reveal on request);
    the caller lifts the answer rate limit (one student answering everything at once)."""
    for question in Question.objects.filter(quiz__lecture__course__slug="deep-learning").prefetch_related("choices"):
        data = wrong_answer(question)
        if question.kind in ("computed_array", "multi_step"):
            variant = variants_for(student=student, questions=[question])[question.id]
            variant.refresh_from_db()  # solved by the eager task after it was read
            if question.kind == "computed_array":
                data = {"cell": ["12345"] * int(np.size(variant.answer))}
            else:  # every step wrong
                data = {f"step-{name}": ["12345"] * int(np.size(value)) for name, value in variant.answer.items()}
        submission_create(student=student, question=question, data=form_data(**data), nonce=f"n{question.id}")
        variant_reveal(student=student, question=question)


def test_every_demo_question_fits_a_phone(live_server, page, django_user_model, settings):
    settings.QUIZSERVER_SUBMISSIONS_PER_MINUTE = 10_000
    demo_load()
    student = django_user_model.objects.get(username="student")
    assert Enrolment.objects.filter(user=student, course=Course.objects.get(slug="deep-learning")).exists()
    answer_and_reveal_everything(student)
    log_in(page, live_server.url, "student", "student-demo")
    shots = os.environ.get("SCREENSHOTS")
    problems = {}
    for quiz in Quiz.objects.filter(lecture__course__slug="deep-learning").select_related("lecture"):
        page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
        assert page.locator("section.question").count() == quiz.questions.count()
        assert page.locator(".solution").count() >= 1  # the worked solutions are on the page
        found = page.evaluate(OVERFLOWS)
        if found:
            problems[quiz.title] = found
        if shots and quiz.lecture.number in (3, 8, 11):
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/l{quiz.lecture.number:02d}-phone.jpg", full_page=True, quality=70)
    assert problems == {}
