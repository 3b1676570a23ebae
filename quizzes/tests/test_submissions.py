"""Tests of quizzes.submissions (storing, grading and deduplicating submissions) and of the
variant workflows they rely on (quizzes.variants: variants per student, reveal)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes.kinds.base import MalformedAnswer
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


def test_reveal_marks_variant_in_practice_only(student, quiz, single):
    variant = variant_reveal(student=student, question=single)
    assert variant.revealed_at is not None
    quiz.mode = "graded"
    quiz.save()
    single.refresh_from_db()
    with pytest.raises(Refused):
        variant_reveal(student=student, question=single)
