"""The student's flow on a question: what the page offers when, and badges that never contradict
the feedback (issue: "the student's flow")."""

import pytest
from django.urls import reverse

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def url(name, question):
    return reverse(f"quizzes:{name}", args=[question.quiz.lecture.course.slug, question.quiz_id, question.id])


def page(client, quiz):
    return client.get(reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.id])).content.decode()


def test_show_solution_is_offered_only_after_a_try_and_says_what_it_costs(student_client, numeric):
    assert "Show solution" not in page(student_client, numeric.quiz)
    fragment = student_client.post(url("answer", numeric), {"answer": "3"}, **FETCH).content.decode()
    assert "Not correct" in fragment and "Show solution" in fragment
    assert "counts as mastered only after starting over" in fragment


def test_a_right_answer_after_the_solution_is_not_called_partly_right(student_client, numeric):
    student_client.post(url("answer", numeric), {"answer": "3"}, **FETCH)
    student_client.post(url("reveal", numeric), **FETCH)
    fragment = student_client.post(url("answer", numeric), {"answer": "0.25"}, **FETCH).content.decode()
    assert "Correct." in fragment
    assert "Right, after seeing the solution" in fragment
    assert "Partly right" not in fragment and ">Mastered<" not in fragment


@pytest.mark.usefixtures("toy_generators")
def test_a_new_variant_keeps_the_mastered_badge_the_progress_page_counts(student_client, student, quiz):
    from progress.reports import course_progress
    from quizzes.models import Variant
    from quizzes.tests.factories import make_question

    question = make_question(quiz=quiz, position=1, kind="computed", generator="toy_product", prompt="")
    page(student_client, quiz)
    variant = Variant.objects.get(student=student, question=question)
    right = variant.params["a"] * variant.params["b"]
    fragment = student_client.post(url("answer", question), {"answer": f"{right:g}"}, **FETCH).content.decode()
    assert ">Mastered<" in fragment and "stays mastered until you answer the new one wrongly" in fragment
    fragment = student_client.post(url("new_variant", question), **FETCH).content.decode()
    assert ">Mastered<" in fragment  # the new numbers are not answered yet: still mastered
    assert course_progress(student=student, course=quiz.lecture.course)[quiz.lecture_id].mastered == 1
    newer = Variant.objects.get(student=student, question=question, number=2)
    wrong = newer.params["a"] * newer.params["b"] + 1
    fragment = student_client.post(url("answer", question), {"answer": f"{wrong:g}"}, **FETCH).content.decode()
    assert ">To review<" in fragment and ">Mastered<" not in fragment
    assert course_progress(student=student, course=quiz.lecture.course)[quiz.lecture_id].mastered == 0


def test_number_boxes_get_a_keyboard_with_a_minus_sign(student_client, numeric):
    html = page(student_client, numeric.quiz)
    box = html[html.index(f'id="q{numeric.id}-answer"') - 200:html.index(f'id="q{numeric.id}-answer"') + 400]
    assert 'name="answer"' in box and "inputmode" not in box  # iOS's numeric keypads lack "−"
    assert html.count(f'id="q{numeric.id}-format"') == 1  # the format help once per question


@pytest.mark.usefixtures("toy_generators")
def test_a_named_mistake_message_shows_its_math(student_client, student, quiz, monkeypatch):
    from quizzes.models import Variant
    from quizzes.tests.factories import make_question
    from quizzes.tests.toy_generators import Product

    monkeypatch.setitem(Product.mistakes, "added", "You added: $a + b$ instead of $a \\cdot b$.")
    question = make_question(quiz=quiz, position=1, kind="computed", generator="toy_product", prompt="")
    page(student_client, quiz)
    variant = Variant.objects.get(student=student, question=question)
    added = variant.params["a"] + variant.params["b"]
    fragment = student_client.post(url("answer", question), {"answer": f"{added:g}"}, **FETCH).content.decode()
    feedback = fragment[fragment.index('class="feedback"'):fragment.index("</div>", fragment.index('class="feedback"'))]
    assert "You added:" in feedback and "<math" in feedback and "$a" not in feedback


@pytest.mark.usefixtures("toy_generators")
def test_vector_boxes_are_numbered_from_0_like_the_prompts(student_client, student, quiz):
    from quizzes.tests.factories import make_question

    question = make_question(quiz=quiz, position=1, kind="computed_array", generator="toy_doubled", prompt="")
    html = page(student_client, quiz)
    assert 'aria-label="Entry [0]' in html and 'aria-label="Entry [2]' in html and "Entry [3]" not in html
    fragment = student_client.post(url("answer", question), {"cell": ["1", "x", "2"]}, **FETCH).content.decode()
    assert "In entry [1]:" in fragment
