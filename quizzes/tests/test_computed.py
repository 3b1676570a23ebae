"""Computed questions end to end with the Django test client, using small test generators.

The real generators are exercised by compute/tests; here the two toy generators of
quizzes/tests/toy_generators.py (registered for each test) make the flow easy to follow:
variants, prompts, mistakes, cells, pending grading.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Submission, Variant
from quizzes.tasks import variants_solve as variants_solve_task
from quizzes.tests.factories import make_question
from quizzes.tests.toy_generators import Product
from quizzes.variants import STALE_PENDING_SECONDS, quiz_precompute, variants_requeue

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}

pytestmark = pytest.mark.usefixtures("toy_generators")


@pytest.fixture
def product(quiz):
    return make_question(quiz=quiz, position=1, kind="computed", generator="toy_product", prompt="")


@pytest.fixture
def doubled(quiz):
    return make_question(
        quiz=quiz, position=2, kind="computed_array", generator="toy_doubled", prompt="", per_cell_credit=True
    )


def page(client, quiz):
    return client.get(reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.id])).content.decode()


def post(client, question, action="answer", **data):
    url = reverse(
        f"quizzes:{action}", args=[question.quiz.lecture.course.slug, question.quiz_id, question.id]
    )
    return client.post(url, data, **FETCH)


def test_student_sees_own_numbers_but_not_the_answer_and_reload_keeps_them(student_client, student, product):
    html = page(student_client, product.quiz)
    variant = Variant.objects.get(student=student, question=product)
    assert variant.status == "ready" and variant.params is not None
    a, b = int(variant.params["a"]), int(variant.params["b"])
    assert f"<mn>{a}</mn>" in html and f"<mn>{b}</mn>" in html
    assert f">{a * b}<" not in html and f"<mn>{a * b}</mn>" not in html  # the answer is nowhere in the page
    assert "Multiply" not in html
    again = page(student_client, product.quiz)
    assert f"<mn>{a}</mn>" in again and f"<mn>{b}</mn>" in again
    assert Variant.objects.filter(student=student, question=product).count() == 1


def test_known_mistake_gets_its_message_and_right_answer_shows_solution(student_client, student, product):
    page(student_client, product.quiz)
    variant = Variant.objects.get(student=student, question=product)
    a, b = variant.params["a"], variant.params["b"]
    wrong = post(student_client, product, answer=f"{a + b:g}").content.decode()
    assert "You added a and b" in wrong and Submission.objects.get().mistake == "added"
    right = post(student_client, product, answer=f"{a * b:g},0").content.decode()  # decimal comma
    assert "Correct." in right and "Worked solution" in right and "Multiply" in right


def test_new_variant_changes_numbers_in_practice_only(student_client, student, product, quiz):
    page(student_client, product.quiz)
    first = Variant.objects.get(student=student, question=product)
    post(student_client, product, action="new_variant")
    second = Variant.objects.filter(student=student, question=product).order_by("-number").first()
    assert second.number == 2 and second.seed != first.seed
    quiz.mode = "graded"
    quiz.save()
    assert post(student_client, product, action="new_variant").status_code == 403


def test_vector_answer_gets_per_cell_marks_and_credit(student_client, student, doubled):
    page(student_client, doubled.quiz)
    x = Variant.objects.get(student=student, question=doubled).params["x"]
    cells = [f"{2 * x[0]:g}", f"{2 * x[1]:g}", "999"]
    fragment = post(student_client, doubled, cell=cells).content.decode()
    submission = Submission.objects.get()
    assert submission.cell_marks == [True, True, False]
    assert submission.score == pytest.approx(2 / 3)
    assert "2 of 3 entries are right" in fragment and "(wrong)" in fragment


def test_invalid_cell_is_kept_with_its_position_and_costs_no_try(student_client, doubled):
    page(student_client, doubled.quiz)
    fragment = post(student_client, doubled, cell=["1", "abc", "2"]).content.decode()
    submission = Submission.objects.get()
    assert (
        submission.status == "invalid" and "In entry [1]:" in submission.feedback and submission.try_number is None
    )
    assert 'value="abc"' in fragment


def test_wrong_number_of_cells_is_a_400(student_client, doubled):
    page(student_client, doubled.quiz)
    response = post(student_client, doubled, cell=["1", "2"])
    assert response.status_code == 400 and not Submission.objects.exists(), response.content.decode()


def test_answer_before_the_variant_is_solved_waits_and_is_graded_later(
    student_client, student, product, monkeypatch
):
    monkeypatch.setattr("quizzes.variants.queue_solve", lambda variants: None)  # no worker has run yet
    html = page(student_client, product.quiz)
    variant = Variant.objects.get(student=student, question=product)
    assert variant.status == "pending" and "Check answer" in html
    a, b = variant.params["a"], variant.params["b"]
    fragment = post(student_client, product, answer=f"{a * b:g}").content.decode()
    assert Submission.objects.get().status == "pending" and "graded as soon as" in fragment
    poll_url = reverse("quizzes:quiz", args=[product.quiz.lecture.course.slug, product.quiz_id])
    poll = student_client.get(poll_url, {"question": product.id}, **FETCH).content.decode()
    assert poll.lstrip().startswith("<section") and "data-pending" in poll
    assert variants_solve_task(variant_ids=[variant.id]) == 1  # what the worker runs: solve, then grade
    submission = Submission.objects.get()
    assert submission.status == "graded" and submission.score == 1.0
    poll = student_client.get(poll_url, {"question": product.id}, **FETCH).content.decode()
    assert "data-pending" not in poll and "Correct." in poll


def test_generator_error_marks_variant_and_question_unavailable(
    student_client, student, product, monkeypatch
):
    def broken(self, params, config, device="cpu"):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(Product, "solve", broken)
    html = page(student_client, product.quiz)
    variant = Variant.objects.get(student=student, question=product)
    assert variant.status == "error" and "boom" in variant.error
    assert "temporarily unavailable" in html and "Check answer" not in html
    response = post(student_client, product, answer="1")  # kept, graded once the variant is solved again
    assert response.status_code == 200 and Submission.objects.get().status == "pending"


def test_precompute_makes_every_students_variant_like_a_page_view(student, make_user, course, product):
    from courses.models import Enrolment

    others = [make_user(f"s{i}") for i in range(5)]
    for user in others:
        Enrolment.objects.create(user=user, course=course)
    assert quiz_precompute(quiz_id=product.quiz_id) == 6
    assert quiz_precompute(quiz_id=product.quiz_id) == 0  # idempotent
    stored = Variant.objects.get(student=others[0], question=product)
    expected = Product().generate(stored.seed, {})
    assert stored.status == "ready" and stored.answer == expected.answer and stored.params == expected.params


def test_prompt_with_unknown_placeholder_is_refused(product):
    from django.core.exceptions import ValidationError

    product.prompt = "What is {{ c }}?"
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "{{ c }}" in str(error.value) and "a, b" in str(error.value)


def test_bad_config_and_kind_mismatch_are_refused(product, doubled):
    from django.core.exceptions import ValidationError

    product.settings["generator_config"] = {"scale": 99}
    with pytest.raises(ValidationError, match="at most 10"):
        product.full_clean()
    doubled.kind = "computed"
    with pytest.raises(ValidationError, match="vector"):
        doubled.full_clean()


def test_a_variant_whose_solve_task_was_lost_is_solved_by_the_periodic_requeue(
    student_client, student, product, monkeypatch
):
    with monkeypatch.context() as patch:
        patch.setattr("quizzes.variants.queue_solve", lambda variants: None)  # the task is lost
        page(student_client, product.quiz)
    assert Variant.objects.get(student=student, question=product).status == "pending"
    page(student_client, product.quiz)  # a page view writes nothing: still pending
    assert Variant.objects.get(student=student, question=product).status == "pending"
    assert variants_requeue() == 0  # not stale yet: its task may still be in a queue
    later = timezone.now() + timedelta(seconds=STALE_PENDING_SECONDS + 1)
    assert variants_requeue(now=later) == 1  # eager mode: solved at once
    variant = Variant.objects.get(student=student, question=product)
    assert variant.status == "ready" and "data-pending" not in page(student_client, product.quiz)
