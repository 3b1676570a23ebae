"""Tests of quizzes.submissions (storing, grading and deduplicating submissions) and of the
variant workflows they rely on (quizzes.variants: variants per student, reveal)."""

import contextlib
import logging
import signal
import threading
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from quizzes.kinds.base import MalformedAnswer
from quizzes.kinds.short_text import ShortText
from quizzes.models import Submission, Variant
from quizzes.refusal import Refused
from quizzes.submissions import submission_create
from quizzes.tests.factories import form_data as post
from quizzes.tests.factories import make_question
from quizzes.variants import variant_reveal, variants_for


def correct_choice(question):
    return question.choices.get(is_correct=True)


def test_variants_for_is_stable_and_seeded_per_student(student, make_user, single, numeric):
    first = variants_for(student=student, questions=[single, numeric])
    again = variants_for(student=student, questions=[single, numeric])
    assert {q: v.id for q, v in first.items()} == {q: v.id for q, v in again.items()}
    other = variants_for(student=make_user("bob"), questions=[single])
    assert other[single.id].seed != first[single.id].seed
    assert Variant.objects.count() == 3


def test_right_choice_scores_one_and_keeps_raw(student, single):
    submission = submission_create(
        student=student, question=single, data=post(choice=correct_choice(single).id)
    )
    assert submission.status == "graded" and submission.score == 1.0 and submission.points == 1.0
    assert submission.try_number == 1 and submission.raw == str(correct_choice(single).id)


def test_choices_graded_by_moodle_fractions_score_as_moodle_scores_them(student, quiz):
    multiple = make_question(quiz=quiz, position=5, kind="multiple", prompt="Which?", points=2,
                             multiple_mode="fractions")
    a, b, c = (multiple.choices.create(position=n, text=t, is_correct=f > 0, fraction=f)
               for n, (t, f) in enumerate((("a", 0.5), ("b", 0.5), ("c", -1 / 3)), start=1))
    picked = submission_create(student=student, question=multiple, data=post(choice=[a.id, c.id]))
    assert picked.score == pytest.approx(0.5 - 1 / 3) and picked.points == pytest.approx(2 * (0.5 - 1 / 3))
    assert picked.choice_feedback == {str(a.id): "correct", str(c.id): "wrong", str(b.id): "missed"}
    single = make_question(quiz=quiz, position=6, kind="single", prompt="Which?", single_mode="fractions")
    full = single.choices.create(position=1, text="x", is_correct=True, fraction=1.0)
    half = single.choices.create(position=2, text="y", is_correct=False, fraction=0.5)
    negative = single.choices.create(position=3, text="z", is_correct=False, fraction=-0.5)
    scores = [submission_create(student=student, question=single, data=post(choice=choice.id)).score
              for choice in (half, negative, full)]
    assert scores == [0.5, 0.0, 1.0]


def test_decimal_comma_numeric_is_graded_against_the_answer(student, numeric):
    right = submission_create(student=student, question=numeric, data=post(answer="0,25"))
    wrong = submission_create(student=student, question=numeric, data=post(answer="0,3"))
    assert (right.score, wrong.score) == (1.0, 0.0)
    assert (right.try_number, wrong.try_number) == (1, 2)


def test_invalid_numeric_is_stored_with_message_and_uses_no_try(student, numeric):
    invalid = submission_create(student=student, question=numeric, data=post(answer="1/0"))
    assert invalid.status == Submission.Status.INVALID and invalid.raw == "1/0"
    assert "zero" in invalid.feedback.lower() and invalid.try_number is None
    graded = submission_create(student=student, question=numeric, data=post(answer="0.25"))
    assert graded.try_number == 1


def test_foreign_choice_is_malformed_and_stores_nothing(student, single, quiz):
    from quizzes.models import Choice

    other = make_question(quiz=quiz, position=9, kind="single", prompt="x")
    foreign = Choice.objects.create(question=other, text="y", is_correct=True)
    with pytest.raises(MalformedAnswer, match="does not belong"):
        submission_create(student=student, question=single, data=post(choice=foreign.id))
    assert Submission.objects.count() == 0


def test_repeated_nonce_records_one_submission(student, single):
    data = post(choice=correct_choice(single).id)
    first = submission_create(student=student, question=single, data=data, nonce="abc")
    second = submission_create(student=student, question=single, data=data, nonce="abc")
    assert first.pk == second.pk and Submission.objects.count() == 1


def test_graded_mode_limits_tries_and_scales_points(student, quiz, numeric):
    quiz.mode, quiz.try_credits = "graded", "100,50"
    quiz.save()
    numeric.points = 10
    numeric.save()
    wrong = submission_create(student=student, question=numeric, data=post(answer="1"))
    right = submission_create(student=student, question=numeric, data=post(answer="0.25"))
    assert (wrong.points, right.points) == (0.0, 5.0)
    with pytest.raises(Refused, match="all your tries"):
        submission_create(student=student, question=numeric, data=post(answer="0.25"))


def test_closed_quiz_refuses_answers(student, quiz, numeric):
    quiz.closes_at = timezone.now() - timedelta(minutes=1)
    quiz.save()
    with pytest.raises(Refused, match="closed"):
        submission_create(student=student, question=numeric, data=post(answer="0.25"))
    assert Submission.objects.count() == 0


def test_rate_limit_refuses_the_answer_after_the_limit(student, numeric, settings):
    settings.QUIZSERVER_SUBMISSIONS_PER_MINUTE = 3
    for _ in range(3):
        submission_create(student=student, question=numeric, data=post(answer="1"))
    with pytest.raises(Refused) as refused:
        submission_create(student=student, question=numeric, data=post(answer="1"))
    assert refused.value.status == 429 and Submission.objects.count() == 3


def test_rate_limit_holds_when_each_answer_reaches_a_worker_with_an_empty_cache(student, numeric, settings):
    """Without CACHE_URL each gunicorn worker has its own cache; the count is in the database."""
    settings.QUIZSERVER_SUBMISSIONS_PER_MINUTE = 3
    for _ in range(3):
        submission_create(student=student, question=numeric, data=post(answer="1"))
        cache.clear()
    with pytest.raises(Refused) as refused:
        submission_create(student=student, question=numeric, data=post(answer="1"))
    assert refused.value.status == 429 and Submission.objects.count() == 3


def test_reveal_marks_variant_in_practice_only(student, quiz, single):
    variant = variant_reveal(student=student, question=single)
    assert variant.revealed_at is not None
    quiz.mode = "graded"
    quiz.save()
    single.refresh_from_db()
    with pytest.raises(Refused):
        variant_reveal(student=student, question=single)


# --- slow grades: an author's regex runs with a time limit, outside the storing transaction -------


@contextlib.contextmanager
def deadline(seconds: float):
    """Fail the block with TimeoutError after ``seconds`` (SIGALRM; the regex module checks for
    signals while it matches), so a grade that never ends fails instead of hanging the run."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_catastrophic_regex_in_the_database_is_graded_not_correct_within_its_time_limit(
    student, quiz, caplog
):
    # Written directly, as before the check existed: the admin and course import refuse it now.
    question = make_question(quiz=quiz, kind="text", prompt="?", text_answers=["(a|aa)+$"], text_mode="regex")
    start = time.perf_counter()
    with deadline(5), caplog.at_level(logging.WARNING, logger="quizzes.kinds.short_text"):
        submission = submission_create(student=student, question=question, data=post(answer="a" * 199 + "!"))
    assert time.perf_counter() - start < 2
    assert (submission.status, submission.score, submission.feedback) == ("graded", 0.0, "Not correct.")
    assert submission.try_number == 1 and Submission.objects.count() == 1  # stored, and it cost a try
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"question {question.id}:" in warning and "(a|aa)+$" in warning


@pytest.mark.django_db(transaction=True)
def test_grading_runs_outside_the_transaction_that_stores_the_answer(student, quiz, monkeypatch):
    question = make_question(quiz=quiz, kind="text", prompt="?", text_answers=["relu"], text_mode="exact")
    real_grade, in_transaction = ShortText.grade, []

    def spy(self, question, value, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return real_grade(self, question, value, **kwargs)

    monkeypatch.setattr(ShortText, "grade", spy)
    submission = submission_create(student=student, question=question, data=post(answer="relu"))
    assert in_transaction == [False] and submission.score == 1.0


@pytest.mark.django_db(transaction=True)
def test_another_students_answer_is_stored_while_a_slow_answer_is_graded(quiz, make_user, monkeypatch):
    """On SQLite a transaction holds the database's write lock: before grading moved out of it, the
    second answer failed ("database table is locked") or waited for the first one's grade."""
    question = make_question(quiz=quiz, kind="text", prompt="?", text_answers=["relu"], text_mode="exact")
    slow, quick = make_user("slow"), make_user("quick")
    real_grade = ShortText.grade
    grading, other_stored = threading.Event(), threading.Event()

    def slow_grade(self, question, value, **kwargs):
        if value == "slowly":
            grading.set()
            other_stored.wait(10)
        return real_grade(self, question, value, **kwargs)

    def answer_slowly():
        try:
            submission_create(student=slow, question=question, data=post(answer="slowly"))
        finally:
            connection.close()

    monkeypatch.setattr(ShortText, "grade", slow_grade)
    worker = threading.Thread(target=answer_slowly)
    worker.start()
    try:
        assert grading.wait(10), "the slow answer never reached grading"
        start = time.perf_counter()
        stored = submission_create(student=quick, question=question, data=post(answer="relu"))
        seconds = time.perf_counter() - start
    finally:
        other_stored.set()
        worker.join(10)
    assert stored.score == 1.0 and seconds < 1
    assert list(Submission.objects.order_by("id").values_list("variant__student__username", "score")) == [
        ("quick", 1.0), ("slow", 0.0)]
