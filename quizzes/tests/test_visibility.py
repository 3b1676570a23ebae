"""What a student may see (quizzes/visibility.py) and who may open what (QuerySet methods): each rule
in its Python and its SQL form, agreeing on every combination."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Enrolment, Lecture
from quizzes import visibility
from quizzes.access import Unavailable, quiz_access
from quizzes.models import Question, Quiz

NOW = timezone.now()
WHEN = {"never": None, "past": NOW - timedelta(days=1), "future": NOW + timedelta(days=1)}


@pytest.mark.django_db
def test_feedback_rule_in_python_and_sql_agree(lecture):
    quizzes = []
    for mode, policy, closes in itertools.product(("practice", "graded"), ("immediate", "after_close"), WHEN):
        quizzes.append(Quiz.objects.create(lecture=lecture, title=f"{mode} {policy} {closes}", mode=mode,
                                           feedback_policy=policy, closes_at=WHEN[closes]))
    withheld = set(Quiz.objects.feedback_withheld(NOW).values_list("id", flat=True))
    assert {q.id for q in quizzes if not visibility.feedback_visible(q, NOW)} == withheld
    assert len(withheld) == 2  # graded, feedback after close, not closed (never or in the future)


def test_solution_rules():
    practice, graded = Quiz(mode="practice"), Quiz(mode="graded", try_credits="100,50", closes_at=WHEN["future"])
    assert not visibility.solution_visible(practice, NOW, ever_correct=False, revealed=False, tries_left=None)
    assert visibility.solution_visible(practice, NOW, ever_correct=False, revealed=True, tries_left=None)
    assert not visibility.solution_visible(graded, NOW, ever_correct=False, revealed=True, tries_left=1)
    assert visibility.solution_visible(graded, NOW, ever_correct=False, revealed=False, tries_left=0)
    graded.feedback_policy = "after_close"
    assert not visibility.solution_visible(graded, NOW, ever_correct=True, revealed=False, tries_left=0)
    assert visibility.tries_left(graded, 3) == 0 and visibility.tries_left(practice, 3) is None


@pytest.mark.django_db
def test_who_may_open_a_quiz_agrees_between_the_page_and_the_queryset(course, make_user, student, instructor):
    outsider = make_user("olaf")
    cases = []
    for published, released, opens in itertools.product((True, False), WHEN, WHEN):
        lecture = Lecture.objects.create(course=course, number=len(cases) + 10, title="L", slug=f"l{len(cases)}",
                                         release_date=WHEN[released])
        quiz = Quiz.objects.create(lecture=lecture, title="Q", is_published=published, opens_at=WHEN[opens])
        cases.append(quiz)
    for user in (student, instructor, outsider):
        available = set(Quiz.objects.available_to(user, NOW).values_list("id", flat=True))
        for quiz in cases:
            try:
                quiz_access(user=user, course_slug=course.slug, quiz_id=quiz.id, now=NOW)
                opened = True
            except Unavailable:
                opened = False
            assert opened == (quiz.id in available), (user.username, quiz.is_published, quiz.opens_at)
    student_ids = set(Quiz.objects.available_to(student, NOW).values_list("id", flat=True))
    assert student_ids == {q.id for q in cases if q.is_published and q.lecture.is_released(NOW) and q.has_opened(NOW)}
    assert set(Quiz.objects.available_to(instructor, NOW).values_list("id", flat=True)) == {q.id for q in cases}
    assert not Quiz.objects.available_to(outsider, NOW).exists()
    assert Enrolment.objects.filter(user=outsider).count() == 0


@pytest.mark.django_db
def test_archived_questions_are_hidden_from_students_but_not_from_staff(student, instructor, quiz, single):
    single.is_archived = True
    single.save()
    assert not Question.objects.available_to(student, NOW).filter(pk=single.pk).exists()
    assert Question.objects.available_to(instructor, NOW).filter(pk=single.pk).exists()
