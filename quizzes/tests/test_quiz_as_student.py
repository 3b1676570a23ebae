"""Staff see a quiz as one student sees it now: read-only, only what the student opened, nothing
written; students cannot look at each other's."""

import re

from django.urls import reverse

from courses.models import Enrolment
from quizzes.models import Variant
from quizzes.submissions import submission_create
from quizzes.tests.factories import form_data, make_question
from quizzes.variants import variants_for


def as_student(quiz, student):
    return reverse("quizzes:quiz_as_student", args=[quiz.lecture.course.slug, quiz.id, student.id])


def test_staff_see_the_students_answers_read_only_and_nothing_is_written(client, instructor, student, quiz):
    opened = make_question(quiz=quiz, kind="numeric", prompt="Half of one?", numeric_answer=0.5, position=1)
    make_question(quiz=quiz, kind="numeric", prompt="Never opened", numeric_answer=1.0, position=2)
    variants_for(student=student, questions=[opened])
    submission_create(student=student, question=opened, data=form_data(answer="0.7"), nonce="a")
    variants = Variant.objects.count()
    client.force_login(instructor)
    page = client.get(as_student(quiz, student)).content.decode()
    assert "You are viewing this quiz as <strong>alice</strong>" in page
    fieldset = re.search(r'<fieldset class="questions as-student" disabled>(.*)</fieldset>', page, re.S)
    assert fieldset is not None and "Half of one?" in fieldset.group(1) and 'value="0.7"' in fieldset.group(1)
    assert "Never opened" not in page and "1 question of this quiz is not opened" in page
    assert Variant.objects.count() == variants  # no variant made for the unopened question


def test_students_cannot_view_another_students_quiz(client, student, make_user, course, quiz):
    bob = make_user("bob")
    Enrolment.objects.create(user=bob, course=course, role=Enrolment.Role.STUDENT)
    client.force_login(bob)
    assert client.get(as_student(quiz, student)).status_code == 403


def test_only_students_of_the_course_can_be_viewed(client, instructor, quiz, make_user):
    stranger = make_user("mallory")
    client.force_login(instructor)
    assert client.get(as_student(quiz, stranger)).status_code == 404
    assert client.get(as_student(quiz, instructor)).status_code == 404  # staff are not students


def test_the_students_page_links_to_each_quiz_as_the_student_sees_it(client, instructor, student, quiz):
    client.force_login(instructor)
    page = client.get(reverse("progress:student_submissions", args=["dl", student.id])).content.decode()
    assert f'href="{as_student(quiz, student)}"' in page
