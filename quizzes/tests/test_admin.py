"""Admin authoring: validation messages, previews, the student-view link, course scoping."""

import pytest
from django.urls import reverse

from courses.models import Enrolment, Lecture
from quizserver.tests.html_figures import extract
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


def test_a_multiple_choice_question_graded_by_fractions_is_saved_with_them(author, quiz):
    data = with_choices(question_form(quiz, kind="multiple", multiple_mode="fractions"),
                        ("a", True, "0.5"), ("b", True, "0.5"), ("c", False, "-0.3333333"))
    response = author.post(ADD, data)
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.settings["multiple_mode"] == "fractions"
    assert list(question.choices.values_list("text", "is_correct", "fraction")) == [
        ("a", True, 0.5), ("b", True, 0.5), ("c", False, -0.3333333)]


def test_fractions_that_do_not_add_up_or_disagree_with_correct_are_refused_all_at_once(author, quiz):
    data = with_choices(question_form(quiz, kind="multiple", multiple_mode="fractions"),
                        ("a", True, "0.5"), ("b", False, "0.25"), ("c", False, ""))
    page = author.post(ADD, data).content.decode()
    assert not Question.objects.exists()
    assert "Scoring by Moodle fractions needs a fraction for every choice: choice 3 has none." in page
    assert "these add up to 75 %." in page
    assert "those with a fraction above 0: mark choice 2 as correct." in page


def test_a_single_choice_question_keeps_no_scoring_setting_unless_it_uses_fractions(author, quiz):
    author.post(ADD, with_choices(question_form(quiz, title="plain"), ("a", True), ("b", False)))
    data = with_choices(question_form(quiz, title="fractions", single_mode="fractions"),
                        ("a", True, "1"), ("b", False, "0.5"))
    author.post(ADD, data)
    settings = dict(Question.objects.values_list("title", "settings"))
    assert settings == {"plain": {}, "fractions": {"single_mode": "fractions"}}


def test_the_choice_rows_have_a_fraction_column(author, single):
    page = author.get(reverse("admin:quizzes_question_change", args=[single.id])).content.decode()
    assert 'name="choices-0-fraction"' in page and "Credit for picking this choice" in page


def test_numeric_without_answer_is_refused_with_message(author, quiz):
    response = author.post(ADD, question_form(quiz, kind="numeric", rtol=-1))
    page = response.content.decode()
    assert response.status_code == 200 and not Question.objects.exists()
    assert "numeric_answer" in page and "errorlist" in page


def test_bad_regular_expression_is_refused(author, quiz):
    response = author.post(ADD, question_form(quiz, kind="text", text_mode="regex", text_answers="ab(c"))
    assert response.status_code == 200 and "ab(c" in response.content.decode()
    assert not Question.objects.exists()


def test_catastrophic_regular_expression_is_refused_saying_why(author, quiz):
    data = question_form(quiz, kind="text", text_mode="regex", text_answers="relu\n(a|aa)+$")
    page = author.post(ADD, data).content.decode()
    assert "Answer 2, “(a|aa)+$”, takes too long on long answers (over 50 ms on 31 characters)" in page
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


FILTERED_LISTS = ["quizzes_quiz", "quizzes_question", "quizzes_variant", "courses_lecture", "courses_enrolment"]


@pytest.fixture
def foreign_titles(other_course, make_user):
    """Another course with a lecture, quiz, question, enrolment and variant, all titled "Secret …"."""
    from quizzes.models import Variant

    lecture = Lecture.objects.create(course=other_course, number=7, title="Secret lecture", slug="secret")
    quiz = Quiz.objects.create(lecture=lecture, title="Secret quiz")
    question = make_question(quiz=quiz, kind="numeric", prompt="x", numeric_answer=1.0, title="Secret question")
    mallory = make_user("mallory")
    Enrolment.objects.create(user=mallory, course=other_course)
    Variant.objects.create(student=mallory, question=question)
    return ["Machine Learning", "Secret lecture", "Secret quiz", "Secret question"]


def filter_sidebar(client, changelist: str) -> str:
    page = client.get(reverse(f"admin:{changelist}_changelist")).content.decode()
    return extract(r'(?s)<nav id="changelist-filter".*?</nav>', page)


@pytest.fixture
def two_taught_courses(instructor, student, single):
    """The instructor teaches a second course, so every filter has two own courses to offer (a
    filter with one choice is not shown); the student has a variant in each."""
    from courses.models import Course
    from quizzes.models import Variant

    statistics = Course.objects.create(slug="st", title="Statistics", enrolment_code="STCODE")
    Enrolment.objects.create(user=instructor, course=statistics, role=Enrolment.Role.INSTRUCTOR)
    Enrolment.objects.create(user=student, course=statistics)
    lecture = Lecture.objects.create(course=statistics, number=1, title="Own lecture", slug="own")
    quiz = Quiz.objects.create(lecture=lecture, title="Own quiz")
    question = make_question(quiz=quiz, kind="numeric", prompt="x", numeric_answer=1.0)
    Variant.objects.create(student=student, question=question)
    Variant.objects.create(student=student, question=single)
    return ["Deep Learning", "Statistics"]


@pytest.mark.parametrize("changelist", FILTERED_LISTS)
def test_an_instructors_filter_sidebar_offers_only_their_courses(author, foreign_titles, two_taught_courses,
                                                                 changelist):
    sidebar = filter_sidebar(author, changelist)
    assert [title for title in two_taught_courses if title in sidebar] == two_taught_courses
    assert [title for title in foreign_titles if title in sidebar] == []


@pytest.mark.parametrize("changelist", ["quizzes_quiz", "quizzes_question", "courses_lecture"])
def test_a_superusers_filter_sidebar_offers_every_course(client, make_user, foreign_titles, single, changelist):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    sidebar = filter_sidebar(client, changelist)
    assert "Deep Learning" in sidebar and "Machine Learning" in sidebar
