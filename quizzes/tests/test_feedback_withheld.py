"""Review: a graded quiz whose feedback comes after it closes must not tell a student, before it
closes, whether an answer was right (PRODUCT.md: "The correct answer is never in a page or API
response a student can see before the answer is revealed"; Quiz.FeedbackPolicy.AFTER_CLOSE).

Each test lets alice answer right and bob answer wrong, then compares what the two see. Any
difference tells alice (or bob) whether the answer was right, which is what the policy withholds.
Each figure compared is extracted and must be found; after the quiz closes the same figures
differ, which shows that the comparison looks at the figures that would tell.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment
from progress.models import Leaderboard
from progress.tests.progress_data import join_leaderboard
from quizserver.tests.html_figures import extract, extract_all
from quizzes.models import Quiz
from quizzes.tests.factories import make_question

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def after_close(quiz):
    quiz.mode = Quiz.Mode.GRADED
    quiz.feedback_policy = Quiz.FeedbackPolicy.AFTER_CLOSE
    quiz.closes_at = timezone.now() + timedelta(days=7)
    quiz.save()
    return make_question(
        quiz=quiz, position=1, kind="numeric", prompt="$2+2$?", numeric_answer=4.0, rtol=0.0, atol=1e-6
    )


@pytest.fixture
def answered(client, student, make_user, course, after_close):
    """alice answered 4 (right), bob answered 5 (wrong); returns (alice, bob)."""
    bob = make_user("bob")
    Enrolment.objects.create(user=bob, course=course, role=Enrolment.Role.STUDENT)
    url = reverse("quizzes:answer", args=[course.slug, after_close.quiz_id, after_close.id])
    for user, value in ((student, "4"), (bob, "5")):
        client.force_login(user)
        assert client.post(url, {"answer": value, "nonce": f"n-{user.id}"}).status_code == 302
    return student, bob


def seen_by(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_question_fragment_itself_withholds_the_verdict(client, answered, after_close):
    """Control: the question's own section is the same for both (the policy works there)."""
    alice, bob = answered
    url = reverse("quizzes:quiz", args=["dl", after_close.quiz_id])
    pages = [seen_by(client, user, url) for user in (alice, bob)]
    assert all("Feedback appears after the quiz closes" in page for page in pages)
    assert all("Correct." not in page and "Not correct" not in page for page in pages)


def close(quiz) -> None:
    quiz.closes_at = timezone.now() - timedelta(minutes=1)
    quiz.save()


POINTS = r"Your points: <strong>([^<]*)</strong>"


def test_quiz_page_points_do_not_reveal_a_right_answer_before_close(client, answered, after_close):
    alice, bob = answered
    url = reverse("quizzes:quiz", args=["dl", after_close.quiz_id])
    pages = [seen_by(client, u, url) for u in (alice, bob)]
    # Before: alice read "Your points: 1 of 1", bob "0 of 1", while feedback was withheld.
    assert all("Your points" not in page for page in pages), "points tell right from wrong before close"
    close(after_close.quiz)
    shown = [extract(POINTS, seen_by(client, u, url)) for u in (alice, bob)]
    assert shown == ["1", "0"]  # after close the points are shown: the line the check above looks for


def test_course_page_mastery_does_not_reveal_a_right_answer_before_close(client, answered, course, after_close):
    alice, bob = answered
    texts = [extract_all(r"\d+ / \d+ mastered", seen_by(client, u, course.get_absolute_url())) for u in (alice, bob)]
    assert texts == [["0 / 1 mastered"], ["0 / 1 mastered"]], (
        f"the course page tells right from wrong before the quiz closes: {texts}"
    )
    close(after_close.quiz)
    texts = [extract_all(r"\d+ / \d+ mastered", seen_by(client, u, course.get_absolute_url())) for u in (alice, bob)]
    assert texts == [["1 / 1 mastered"], ["0 / 1 mastered"]]


LECTURE_ROW = r"(?s)<th scope=\"row\"><span class=\"lecture-number\">L02</span>.*?</tr>"
CELL = r"<td[^>]*>(?:<meter[^>]*></meter>)?\s*([^<]*?)\s*</td>"


def test_progress_page_does_not_reveal_a_right_answer_before_close(client, answered, course, after_close):
    alice, bob = answered
    url = reverse("progress:progress", args=[course.slug])

    def figures(page: str) -> tuple:
        """The lecture row: mastered, tries, correct, time."""
        return tuple(extract_all(CELL, extract(LECTURE_ROW, page)))

    def review_badge(page: str) -> str:
        """Where the review list (open quizzes only) puts the question: "not tried", or its badge."""
        link = extract(rf'(href="[^"]*#q{after_close.id}")', page)
        if "Not tried yet" in page and page.rindex(link) > page.index("Not tried yet"):
            return "not tried"
        return extract(rf'href="[^"]*#q{after_close.id}">[^<]*</a>\s*<span class="badge[^"]*">([^<]*)</span>', page)

    pages = [seen_by(client, u, url) for u in (alice, bob)]
    seen = [(figures(page), review_badge(page)) for page in pages]
    assert seen[0] == seen[1], f"the progress page tells right from wrong before the quiz closes: {seen}"
    assert seen[0] == (("0 / 1", "0", "—", "0 s"), "not tried")  # withheld answers are not counted yet
    close(after_close.quiz)
    after = [figures(seen_by(client, u, url))[:3] for u in (alice, bob)]
    assert after == [("1 / 1", "1", "100%"), ("0 / 1", "1", "0%")]  # shown once the quiz has closed


def test_progress_api_does_not_reveal_a_right_answer_before_close(client, answered, course, after_close):
    alice, bob = answered

    def rows() -> list:
        seen = []
        for user in (alice, bob):
            client.force_login(user)
            data = client.get("/api/v1/me/progress/", {"course": course.slug}).json()
            seen.append([(row["mastered"], row["correct"]) for row in data])
        return seen

    before = rows()
    assert before[0] == before[1], f"/api/v1/me/progress/ tells right from wrong before the quiz closes: {before}"
    assert before[0] == [(0, 0)]  # one lecture, its withheld answers not counted yet
    close(after_close.quiz)
    assert rows() == [[(1, 1)], [(0, 0)]]  # counted once the quiz has closed


def test_leaderboard_does_not_reveal_a_right_answer_before_close(client, answered, course, after_close):
    alice, bob = answered
    Leaderboard.objects.create(course=course, enabled=True)
    join_leaderboard(alice, course, "Fox", True)
    page = seen_by(client, bob, reverse("progress:progress", args=[course.slug]))
    # Bob (and everyone) could read that alice's withheld answer was right.
    assert "Fox" not in page, "the leaderboard counts a graded after-close answer as mastered before close"
    close(after_close.quiz)
    assert "Fox" in seen_by(client, bob, reverse("progress:progress", args=[course.slug]))  # ranked after close
