"""Review: double submits from two tabs, and mastery earned by copying a revealed solution.

PRODUCT.md: "A double submit (two tabs, double click, retry) records one submission."
The nonce that deduplicates is a fresh uuid4 per rendering (``QuestionState.nonce``), so two tabs
of the same page carry different nonces: in a graded quiz the second tab's click costs a try.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from progress.reports import course_progress
from quizserver.tests.html_figures import extract
from quizzes.models import Quiz, Submission, Variant
from quizzes.tests.factories import make_question


def quiz_url(quiz):
    return reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.id])


def nonce_of(page: str) -> str:
    return extract(r'name="nonce" value="([^"]+)"', page)


@pytest.fixture
def graded(quiz):
    quiz.mode = Quiz.Mode.GRADED
    quiz.try_credits = "100,50"
    quiz.save()
    return quiz


def test_the_same_answer_sent_from_two_tabs_records_one_submission(student_client, graded, numeric):
    tab_one = student_client.get(quiz_url(graded)).content.decode()
    tab_two = student_client.get(quiz_url(graded)).content.decode()
    url = reverse("quizzes:answer", args=["dl", graded.id, numeric.id])
    for page in (tab_one, tab_two):
        student_client.post(url, {"answer": "0.3", "nonce": nonce_of(page)})
    tries = Submission.objects.filter(try_number__isnull=False).count()
    assert tries == 1, f"two tabs of one page used {tries} of the 2 graded tries"


def test_copying_a_revealed_solution_does_not_count_as_mastered(student_client, student, numeric, course):
    """Practice mode: "Show solution", then type the shown answer: the question counts as mastered
    (course page, progress page, leaderboard), the same as solving it. Policy question, see report."""
    student_client.post(reverse("quizzes:reveal", args=["dl", numeric.quiz_id, numeric.id]))
    student_client.post(
        reverse("quizzes:answer", args=["dl", numeric.quiz_id, numeric.id]), {"answer": "0.25", "nonce": "c"}
    )
    progress = course_progress(student=student, course=course)[numeric.quiz.lecture_id]
    assert progress.mastered == 0, "a copied solution counts as mastered (and ranks on the leaderboard)"


def test_new_variant_is_refused_once_the_quiz_is_closed(student_client, student, quiz, toy_generators):
    """can_new_variant hides the button after close, but variant_new does not check is_open."""
    question = make_question(quiz=quiz, position=1, kind="computed", generator="toy_product", prompt="")
    student_client.get(quiz_url(quiz))
    assert Variant.objects.filter(student=student, question=question).count() == 1  # the page made variant 1
    quiz.closes_at = timezone.now() - timedelta(minutes=1)
    quiz.save()
    response = student_client.post(reverse("quizzes:new_variant", args=["dl", quiz.id, question.id]))
    assert response.status_code == 403 and "This quiz is closed" in response.content.decode()
    assert Variant.objects.filter(student=student, question=question).count() == 1

