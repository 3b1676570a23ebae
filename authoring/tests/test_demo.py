"""The demo course: content/deep-learning/ imported by ``authoring.demo.demo_load`` (``manage.py load_demo``)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from authoring.course_files import read_course
from authoring.demo import DEMO_COURSE, DemoAccounts, demo_load
from authoring.services import course_export
from authoring.tests.course_dirs import snapshot, tree
from compute.generators import get_generator
from courses.models import Course, Enrolment, Lecture
from quizzes.kinds import REGISTRY
from quizzes.kinds.computed import fill_prompt
from quizzes.models import Question, Quiz
from quizzes.question_validation import validate_choices
from quizzes.rendering import render_markdown
from quizzes.tests.factories import make_question

pytestmark = pytest.mark.django_db

TITLES = [
    "Introduction",
    "Computation Graphs",
    "Deep Neural Networks",
    "Deep Neural Networks II",
    "Regularization",
    "Optimization",
    "Convolutional Neural Networks",
    "Sequence Models",
    "Natural Language Processing",
    "Graph Neural Networks",
    "Autoencoders",
    "Generative Adversarial Networks",
]


def test_twelve_lectures_in_order_each_with_a_published_practice_quiz():
    demo_load()
    course = Course.objects.get(slug="deep-learning")
    assert (course.title, course.term) == ("Deep Learning", "Winter 2026/27")
    assert course.enrolment_code == "DEEP-2026"
    lectures = list(course.lectures.order_by("number"))
    assert [lecture.title for lecture in lectures] == TITLES
    assert [lecture.number for lecture in lectures] == list(range(1, 13))
    dates = [lecture.release_date for lecture in lectures]
    assert dates[0].isoformat() == "2026-09-01T08:00:00+00:00"  # 10:00 in Berlin
    assert all((later - earlier).days == 7 for earlier, later in zip(dates, dates[1:], strict=False))
    for lecture in lectures:
        quiz = lecture.quizzes.get()
        assert quiz.is_published and quiz.mode == Quiz.Mode.PRACTICE and quiz.hint_after == 1
        assert quiz.title.startswith(f"L{lecture.number:02d} {lecture.title}")
        assert quiz.uid == f"l{lecture.number:02d}-self-check"
        assert quiz.questions.count() >= 5


def test_every_question_file_is_imported_under_its_uid():
    demo_load()
    files = {path.stem for path in DEMO_COURSE.glob("*/*.md")}
    assert len(files) >= 100
    assert set(Question.objects.values_list("uid", flat=True)) == files
    assert not Question.objects.filter(is_archived=True).exists()


def test_exporting_the_imported_demo_gives_its_files_byte_for_byte(tmp_path):
    demo_load()
    course_export(course=Course.objects.get(slug="deep-learning"), path=tmp_path)
    assert tree(tmp_path) == tree(DEMO_COURSE)


def test_loading_twice_creates_and_changes_nothing():
    accounts = demo_load()
    before = snapshot()
    assert demo_load() == accounts
    assert snapshot() == before
    assert Question.objects.count() >= 60


def test_management_command_prints_the_code_the_counts_and_the_demo_logins():
    first, second = StringIO(), StringIO()
    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=second)
    assert Lecture.objects.count() == 12
    count = Question.objects.count()
    assert f"Questions: created {count}, updated 0, unchanged 0, archived 0, deleted 0." in first.getvalue()
    text = second.getvalue()
    assert f"Questions: created 0, updated 0, unchanged {count}, archived 0, deleted 0." in text
    assert "12 lectures, enrolment code DEEP-2026" in text
    assert "student / student-demo (student)" in text
    assert "instructor / instructor-demo (instructor, admin at /admin/)" in text


def test_every_question_passes_model_validation():
    demo_load()
    for question in Question.objects.all():
        question.full_clean()  # raises ValidationError with the question's problems
        choices = [(choice.text, choice.is_correct, choice.fraction) for choice in question.choices.all()]
        validate_choices(question.kind, choices, question.settings)
        if question.is_computed:  # the generator writes prompt and worked solution
            assert question.title and question.settings["generator"]
        else:
            assert question.title and question.prompt and question.hint and question.explanation


def test_at_least_two_computed_questions_per_lecture():
    demo_load()
    for lecture in Lecture.objects.all():
        computed = Question.objects.filter(quiz__lecture=lecture, kind__in=["computed", "computed_array"])
        assert computed.count() >= 2, lecture


def test_every_demo_text_renders_its_math_without_errors():
    demo_load()
    texts = [lecture.description for lecture in Lecture.objects.all()]
    for question in Question.objects.prefetch_related("choices"):
        texts += [question.prompt, question.hint, question.explanation]
        if question.is_computed:  # the generator's prompt with a variant's numbers, and its solution
            variant = get_generator(question.settings["generator"]).generate(7, question.settings["generator_config"])
            texts += [fill_prompt(variant.prompt, variant.params)] + [step.body for step in variant.steps]
        texts += [text for choice in question.choices.all() for text in (choice.text, choice.feedback)]
    assert len(texts) > 500
    for text in texts:
        assert "math-error" not in render_markdown(text), text


def test_every_question_of_a_quiz_that_promises_hints_has_a_hint():
    """A quiz shows a question's hint after ``hint_after`` wrong tries. Every quiz has it (the loader
    fills in the model's default 1; 0 means from the start, and there is no "never"), and the demo
    quizzes promise "a hint after the first wrong try", so every question they list needs a hint."""
    course, problems = read_course(DEMO_COURSE)
    assert course is not None and not problems, problems
    quizzes = [(lecture, quiz) for lecture in course.lectures for quiz in lecture.quizzes]
    assert len(quizzes) == 12 and all(quiz.fields["hint_after"] is not None for _, quiz in quizzes)
    without = [f"{lecture.folder}/{uid}.md ({quiz.fields['uid']})" for lecture, quiz in quizzes
               for uid in quiz.fields["questions"] if not (lecture.questions[uid].fields.get("hint") or "").strip()]
    assert not without, "These questions of quizzes that promise hints have none: " + ", ".join(without)


def test_every_single_choice_question_has_exactly_one_correct_choice_and_feedback_on_each():
    demo_load()
    singles = Question.objects.filter(kind="single")
    assert singles.count() >= 12
    for question in singles:
        choices = list(question.choices.all())
        assert sum(choice.is_correct for choice in choices) == 1, question.title
        assert all(choice.feedback for choice in choices), question.title


def test_all_question_kinds_are_used():
    demo_load()
    kinds = set(Question.objects.values_list("kind", flat=True))
    assert kinds == set(REGISTRY)


def test_l02_starts_with_a_single_choice_then_a_numeric_question():
    # The browser test answers question 1 right and question 2 wrong with a decimal comma.
    demo_load()
    quiz = Quiz.objects.get(lecture__course__slug="deep-learning", lecture__number=2)
    first, second = quiz.questions.order_by("position")[:2]
    assert (first.kind, second.kind) == ("single", "numeric")
    assert first.choices.get(is_correct=True).text == "The chain rule"
    assert second.settings["numeric_answer"] == 1.5


def test_student_can_log_in_with_the_demo_password(client):
    accounts = demo_load()
    assert accounts == DemoAccounts(
        course_title="Deep Learning (Winter 2026/27)",
        course_code="DEEP-2026",
        student=("student", "student-demo"),
        instructor=("instructor", "instructor-demo"),
    )
    assert client.login(username="student", password="student-demo")
    student = get_user_model().objects.get(username="student")
    assert not student.is_staff
    assert Enrolment.objects.get(user=student).role == Enrolment.Role.STUDENT


def test_a_changed_demo_password_is_reset():
    demo_load()
    student = get_user_model().objects.get(username="student")
    student.set_password("something-else")
    student.save()
    demo_load()
    student.refresh_from_db()
    assert student.check_password("student-demo")


def test_instructor_is_staff_with_course_and_quiz_permissions_but_not_superuser(client):
    demo_load()
    instructor = get_user_model().objects.get(username="instructor")
    assert instructor.is_staff and not instructor.is_superuser
    assert instructor.has_perm("quizzes.change_question")
    assert instructor.has_perm("courses.add_lecture")
    assert not instructor.has_perm("auth.change_user")
    assert Enrolment.objects.get(user=instructor).role == Enrolment.Role.INSTRUCTOR
    assert client.login(username="instructor", password="instructor-demo")


def test_questions_not_in_the_content_are_deleted_or_archived_when_students_have_variants(make_user):
    demo_load()
    quiz = Quiz.objects.get(lecture__course__slug="deep-learning", lecture__number=1)
    count = quiz.questions.count()
    kept = make_question(quiz=quiz, position=count + 1, kind="true_false", prompt="kept")
    kept.variants.create(student=make_user("ada"))
    removed = make_question(quiz=quiz, position=count + 2, kind="true_false", prompt="removed")
    Question.objects.filter(pk=kept.pk).update(uid="kept")
    Question.objects.filter(pk=removed.pk).update(uid="removed")
    demo_load()
    assert list(quiz.questions.filter(position__gt=count).values_list("uid", "is_archived")) == [("kept", True)]
    assert quiz.questions.filter(is_archived=False).count() == count
