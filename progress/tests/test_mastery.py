"""The one rule of mastery (quizzes/mastery.py) and every place that shows it agreeing."""

from datetime import timedelta

from django.utils import timezone

from progress.reports import class_progress, course_progress, student_progress
from progress.tests.progress_data import Learner
from quizzes.mastery import counts_for_mastery, is_correct, is_try, mastered
from quizzes.models import Submission


class Row:
    def __init__(self, status, score, after_reveal=False):
        self.status, self.score, self.after_reveal = status, score, after_reveal


def test_the_rules():
    assert is_try(Row("graded", 0.0)) and not is_try(Row("invalid", None)) and not is_try(Row("pending", None))
    assert is_correct(Row("graded", 1.0)) and not is_correct(Row("graded", 0.99)) and not is_correct(Row("pending", 1))
    assert counts_for_mastery(Row("graded", 1.0)) and not counts_for_mastery(Row("graded", 1.0, after_reveal=True))
    assert mastered([Row("graded", 0.0), Row("graded", 1.0)])
    assert not mastered([Row("graded", 1.0), Row("graded", 0.5)])  # the latest try decides
    assert not mastered([Row("graded", 0.0), Row("graded", 1.0, after_reveal=True)])  # a copied solution
    assert mastered([Row("graded", 1.0), Row("invalid", None), Row("graded", 1.0, after_reveal=True)])
    assert not mastered([])


def test_a_copied_solution_is_not_mastery_on_any_page_chart_or_table(make_user, course, single):
    """The weekly "questions mastered" chart once counted an answer given after the solution was
    shown, while the lecture table and the course page did not."""
    learner = Learner(make_user, course, "copy", timezone.now() - timedelta(minutes=5))
    learner.answer(single, 0.0)
    learner.answer(single, 1.0, after_reveal=True)  # right, but after "show solution"
    assert not mastered(Submission.objects.order_by("created_at"))
    report = student_progress(student=learner.user, course=course)
    lecture = single.quiz.lecture_id
    assert report.weeks and report.weeks[-1].mastered == 0
    assert report.total.mastered == 0 and report.total.tries == 2
    assert course_progress(student=learner.user, course=course)[lecture].mastered == 0
    assert class_progress(course=course, student_ids=[learner.user.id])[learner.user.id][lecture].mastered == 0
