"""Admin authoring: validation messages, previews, the student-view link, course scoping."""

from django.urls import reverse

from courses.models import Enrolment, Lecture
from quizzes.models import Question, Quiz
from quizzes.tests.admin_forms import ADD, question_form, with_choices
from quizzes.tests.factories import make_question


def test_single_choice_with_two_correct_choices_is_refused(author, quiz):
    response = author.post(ADD, with_choices(question_form(quiz), ("a", True), ("b", True)))
    assert response.status_code == 200
    assert "exactly one correct choice" in response.content.decode()
    assert not Question.objects.exists()


def test_valid_single_choice_is_saved(author, quiz):
    response = author.post(ADD, with_choices(question_form(quiz), ("a", True), ("b", False)))
    assert response.status_code == 302
    assert Question.objects.get().choices.filter(is_correct=True).count() == 1


def test_numeric_without_answer_is_refused_with_message(author, quiz):
    response = author.post(ADD, question_form(quiz, kind="numeric", rtol=-1))
    page = response.content.decode()
    assert response.status_code == 200 and not Question.objects.exists()
    assert "numeric_answer" in page and "errorlist" in page


def test_bad_regular_expression_is_refused(author, quiz):
    response = author.post(ADD, question_form(quiz, kind="text", text_mode="regex", text_answers="ab(c"))
    assert response.status_code == 200 and "ab(c" in response.content.decode()
    assert not Question.objects.exists()


def test_change_page_previews_markdown_and_links_to_student_view(author, single):
    page = author.get(reverse("admin:quizzes_question_change", args=[single.id])).content.decode()
    assert "<math" in page and "View as student" in page
    assert f"/quizzes/{single.quiz_id}/#q{single.id}" in page


def test_staff_see_only_their_courses(author, other_course, quiz):
    foreign_lecture = Lecture.objects.create(course=other_course, number=1, title="Other", slug="other")
    foreign = Quiz.objects.create(lecture=foreign_lecture, title="Secret quiz")
    page = author.get(reverse("admin:quizzes_quiz_changelist")).content.decode()
    assert quiz.title in page and "Secret quiz" not in page
    assert author.get(reverse("admin:quizzes_quiz_change", args=[foreign.id])).status_code == 302


def test_quiz_try_credits_are_validated(author, lecture):
    response = author.post(
        reverse("admin:quizzes_quiz_add"),
        {
            "lecture": lecture.id,
            "title": "G",
            "position": 1,
            "description": "",
            "mode": "graded",
            "hint_after": 1,
            "try_credits": "50,70",
            "feedback_policy": "immediate",
            "questions-TOTAL_FORMS": 0,
            "questions-INITIAL_FORMS": 0,
            "questions-MIN_NUM_FORMS": 0,
            "questions-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 200 and "cannot earn more" in response.content.decode()


def test_student_is_kept_out_of_admin(client, student):
    client.force_login(student)
    assert client.get(reverse("admin:index")).status_code == 302
    assert Enrolment.objects.filter(user=student).exists()


def test_computed_question_with_broken_config_is_refused_with_its_message(author, quiz):
    data = question_form(quiz, kind="computed", generator="mlp_backward", prompt="",
                         generator_config='{"activation": "swish"}')
    response = author.post(ADD, data)
    page = response.content.decode()
    assert response.status_code == 200 and not Question.objects.exists()
    assert "activation" in page and "sigmoid" in page  # names the setting and what is allowed


def test_computed_question_with_unknown_generator_lists_the_known_ones(author, quiz):
    data = question_form(quiz, kind="computed", generator="", prompt="", generator_config="{}")
    data["generator"] = "no_such_generator"
    response = author.post(ADD, data)
    assert response.status_code == 200 and not Question.objects.exists()
    assert "no_such_generator" in response.content.decode()


def test_computed_question_preview_shows_five_variants_with_answers(author, quiz):
    data = question_form(quiz, kind="computed", generator="mlp_backward", prompt="", generator_config="{}")
    response = author.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get()
    page = author.get(reverse("admin:quizzes_question_change", args=[question.id])).content.decode()
    assert page.count('class="variant-preview"') == 5
    assert page.count("Worked solution") >= 5 and "<svg" in page and "Known mistakes" in page


def test_variant_errors_are_listed_for_the_instructor(author, quiz, student):
    from quizzes.models import Variant

    question = make_question(quiz=quiz, kind="computed", generator="mlp_backward", prompt="")
    Variant.objects.create(student=student, question=question, status="error", error="ZeroDivisionError: boom")
    page = author.get(reverse("admin:quizzes_question_change", args=[question.id])).content.decode()
    assert "ZeroDivisionError: boom" in page
    listing = author.get(reverse("admin:quizzes_variant_changelist") + "?status__exact=error").content.decode()
    assert "alice" in listing
