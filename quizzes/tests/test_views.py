"""View tests with the Django test client: every student page and every bad-input case."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, Lecture
from quizzes.models import Choice, Quiz, Submission
from quizzes.tests.factories import make_question

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def quiz_url(quiz):
    return reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.id])


def answer_url(question):
    return reverse("quizzes:answer", args=[question.quiz.lecture.course.slug, question.quiz_id, question.id])


def reveal_url(question):
    return reverse("quizzes:reveal", args=[question.quiz.lecture.course.slug, question.quiz_id, question.id])


class TestQuizPage:
    def test_shows_rendered_prompt_and_no_answer(self, student_client, single, numeric):
        page = student_client.get(quiz_url(single.quiz)).content.decode()
        assert "<math" in page and "What is" in page
        assert "Because" not in page  # explanation hidden before a correct answer
        assert "0.25" not in page and "is_correct" not in page
        assert 'aria-live="polite"' in page and f'for="q{numeric.id}-answer"' in page

    def test_anonymous_is_sent_to_login(self, client, quiz):
        response = client.get(quiz_url(quiz))
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_not_enrolled_gets_clear_403(self, client, make_user, quiz):
        client.force_login(make_user("mallory"))
        response = client.get(quiz_url(quiz))
        assert response.status_code == 403 and "not enrolled" in response.content.decode()

    def test_unpublished_quiz_is_404_for_students_and_visible_to_staff(
        self, client, student, instructor, quiz
    ):
        quiz.is_published = False
        quiz.save()
        client.force_login(student)
        assert client.get(quiz_url(quiz)).status_code == 404
        client.force_login(instructor)
        response = client.get(quiz_url(quiz))
        assert response.status_code == 200 and "Not published" in response.content.decode()

    def test_a_course_the_student_is_not_enrolled_in_is_403_whatever_the_quiz(self, student_client, other_course, quiz):
        url = reverse("quizzes:quiz", args=[other_course.slug, quiz.id])
        response = student_client.get(url)
        assert response.status_code == 403 and "not enrolled in “Machine Learning”" in response.content.decode()

    def test_quiz_of_another_course_is_404_under_the_students_course(self, student_client, course, other_course):
        ml_lecture = Lecture.objects.create(course=other_course, number=1, title="Intro", slug="intro")
        ml_quiz = Quiz.objects.create(lecture=ml_lecture, title="ML check", is_published=True)
        response = student_client.get(reverse("quizzes:quiz", args=[course.slug, ml_quiz.id]))
        assert response.status_code == 404 and "ML check" not in response.content.decode()

    def test_not_yet_open_quiz_says_when(self, student_client, quiz):
        quiz.opens_at = timezone.now() + timedelta(days=2)
        quiz.save()
        response = student_client.get(quiz_url(quiz))
        assert response.status_code == 403 and "opens on" in response.content.decode()

    def test_unreleased_lecture_is_not_open(self, student_client, quiz):
        quiz.lecture.release_date = timezone.now() + timedelta(days=7)
        quiz.lecture.save()
        response = student_client.get(quiz_url(quiz))
        assert response.status_code == 403 and "opens on" in response.content.decode()

    def test_closed_quiz_is_readable_but_not_answerable(self, student_client, quiz, numeric):
        quiz.closes_at = timezone.now() - timedelta(hours=1)
        quiz.save()
        page = student_client.get(quiz_url(quiz)).content.decode()
        assert "This quiz is closed" in page and "Check answer" not in page
        response = student_client.post(answer_url(numeric), {"answer": "0.25"})
        assert response.status_code == 403 and "closed" in response.content.decode()
        assert Submission.objects.count() == 0

    @pytest.mark.parametrize("count", [3, 30])
    def test_query_count_does_not_grow_with_questions(self, student_client, quiz, count):
        for position in range(count):
            question = make_question(
                quiz=quiz, position=position, kind="single", prompt=f"Q{position}"
            )
            Choice.objects.create(question=question, text="a", is_correct=True)
            Choice.objects.create(question=question, text="b")
        student_client.get(quiz_url(quiz))  # first visit creates the variants
        with CaptureQueriesContext(connection) as queries:
            assert student_client.get(quiz_url(quiz)).status_code == 200
        # session, user, the quiz with the viewer's role (the access check), questions, choices,
        # variants, submissions
        assert len(queries) == 7, [q["sql"] for q in queries]

    @pytest.mark.parametrize("count", [3, 30])
    def test_query_count_without_cached_fragments_does_not_grow_with_questions(self, student_client, quiz, count):
        """The states hold light variants and answers; rendering the fragments loads the rest of
        every one of them in one query each, never one per instance."""
        questions = [make_question(quiz=quiz, position=p, kind="numeric", numeric_answer=1.0) for p in range(count)]
        student_client.get(quiz_url(quiz))
        for question in questions:
            assert student_client.post(answer_url(question), {"answer": "2", "nonce": "n"}).status_code == 302
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            page = student_client.get(quiz_url(quiz)).content.decode()
        assert page.count("Not correct.") == count  # every fragment rendered with its answer's feedback
        # the 7 above, then the rest of the variants' and of the answers' fields
        assert len(queries) == 9, [q["sql"] for q in queries]


class TestAnswering:
    def test_fetch_answer_query_budget(self, student_client, numeric):
        """session, user, quiz (access), question, its choices, variant, nonce seen?, rate count,
        then under the variant's lock: variant, nonce and tries (one query), insert; then for the
        fragment: the quiz's question ids, variant, answers. (Savepoints, left out, stand for the
        transactions' BEGIN and COMMIT outside the test's transaction.)"""
        student_client.post(answer_url(numeric), {"answer": "0.3", "nonce": "n0"}, **FETCH)  # opens the rate window
        with CaptureQueriesContext(connection) as queries:
            response = student_client.post(answer_url(numeric), {"answer": "0.25", "nonce": "n1"}, **FETCH)
        assert response.status_code == 200 and "Correct." in response.content.decode()
        sql = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
        assert len(sql) == 14, sql

    def test_plain_post_redirects_back_to_the_question(self, student_client, single):
        right = single.choices.get(is_correct=True)
        response = student_client.post(answer_url(single), {"choice": right.id, "nonce": "n1"})
        assert response.status_code == 302 and response["Location"].endswith(f"#q{single.id}")
        page = student_client.get(response["Location"]).content.decode()
        assert "Correct." in page and "Because" in page  # explanation after a correct answer

    def test_fetch_gets_the_question_fragment(self, student_client, numeric):
        response = student_client.post(answer_url(numeric), {"answer": "0,3"}, **FETCH)
        fragment = response.content.decode()
        assert response.status_code == 200 and fragment.lstrip().startswith("<section")
        assert "Not correct." in fragment and "<html" not in fragment
        assert "Hint" in fragment  # hint after one wrong try (quiz default)

    def test_invalid_number_is_shown_back_with_its_error(self, student_client, numeric):
        fragment = student_client.post(answer_url(numeric), {"answer": "12abc"}, **FETCH).content.decode()
        assert "Not a valid answer" in fragment and 'value="12abc"' in fragment
        assert "did not use a try" in fragment
        assert Submission.objects.get().status == "invalid"

    def test_foreign_choice_gets_400_with_message(self, student_client, single, quiz):
        other = make_question(quiz=quiz, position=5, kind="single", prompt="other")
        foreign = Choice.objects.create(question=other, text="x", is_correct=True)
        response = student_client.post(answer_url(single), {"choice": foreign.id})
        assert response.status_code == 400 and "does not belong" in response.content.decode()
        fetched = student_client.post(answer_url(single), {"choice": "abc"}, **FETCH)
        assert fetched.status_code == 400 and Submission.objects.count() == 0

    def test_question_of_another_quiz_is_404(self, student_client, single, lecture):
        other_quiz = Quiz.objects.create(lecture=lecture, title="Other", is_published=True)
        url = reverse("quizzes:answer", args=[lecture.course.slug, other_quiz.id, single.id])
        assert student_client.post(url, {"choice": single.choices.get(is_correct=True).id}).status_code == 404
        assert not Submission.objects.exists()

    def test_get_is_not_allowed(self, student_client, single):
        assert student_client.get(answer_url(single)).status_code == 405

    def test_csrf_is_enforced(self, student, single):
        client = Client(enforce_csrf_checks=True)
        client.force_login(student)
        assert client.post(answer_url(single), {"choice": single.choices.get(is_correct=True).id}).status_code == 403
        assert not Submission.objects.exists()

    def test_double_submit_records_one_submission(self, student_client, numeric):
        for _ in range(2):
            student_client.post(answer_url(numeric), {"answer": "1", "nonce": "same"}, **FETCH)
        assert Submission.objects.count() == 1

    def test_show_solution_reveals_explanation(self, student_client, numeric):
        fragment = student_client.post(reveal_url(numeric), **FETCH).content.decode()
        assert "Worked solution" in fragment and "Show solution" not in fragment

    def test_other_students_submissions_are_not_shown(self, client, student, make_user, course, numeric):
        bob = make_user("bob")
        Enrolment.objects.create(user=bob, course=course)
        client.force_login(student)
        client.post(answer_url(numeric), {"answer": "-777.125"})
        client.force_login(bob)
        assert "-777.125" not in client.get(quiz_url(numeric.quiz)).content.decode()


class TestCoursePages:
    def test_course_page_shows_lectures_and_progress(self, student_client, single, numeric):
        course = single.quiz.lecture.course
        assert "0 / 2 mastered" in student_client.get(course.get_absolute_url()).content.decode()
        student_client.post(answer_url(single), {"choice": single.choices.get(is_correct=True).id})
        page = student_client.get(course.get_absolute_url()).content.decode()
        assert "1 / 2 mastered" in page and "Computation Graphs" in page

    def test_unknown_course_is_404(self, student_client):
        assert student_client.get("/courses/nope/").status_code == 404

    def test_course_list_empty_state_and_enrolment(self, client, make_user, course):
        client.force_login(make_user("newbie"))
        assert "not enrolled in any course" in client.get(reverse("courses:list")).content.decode()
        response = client.post(reverse("courses:enrol"), {"code": " dlcode "})
        assert response.status_code == 302 and response["Location"] == course.get_absolute_url()
        assert "Deep Learning" in client.get(reverse("courses:list")).content.decode()

    def test_wrong_enrolment_code_gets_clear_message(self, client, make_user, course):
        client.force_login(make_user("newbie"))
        response = client.post(reverse("courses:enrol"), {"code": "WRONG"})
        assert response.status_code == 400 and "No course has the enrolment code" in response.content.decode()
        assert not Enrolment.objects.exists()

    def test_home_and_login_pages(self, client):
        assert "Create an account" in client.get("/").content.decode()
        assert client.get(reverse("login")).status_code == 200

    def test_register_logs_in_and_rejects_duplicate_email(self, client, db):
        data = {
            "username": "carol",
            "email": "c@example.org",
            "password1": "a-Strong-pass-9",
            "password2": "a-Strong-pass-9",
        }
        assert client.post(reverse("register"), data).status_code == 302
        assert client.get(reverse("courses:list")).status_code == 200
        client.logout()
        data["username"] = "carol2"
        response = client.post(reverse("register"), data)
        assert response.status_code == 200 and "exists already" in response.content.decode()



def test_course_and_quiz_descriptions_are_rendered_markdown(student_client, quiz):
    course = quiz.lecture.course
    course.description = "Watch the **video** first. <script>alert(1)</script>"
    course.save()
    quiz.description = "About $\\sigma$."
    quiz.save()
    page = student_client.get(course.get_absolute_url()).content.decode()
    assert "<strong>video</strong>" in page and "<script>alert" not in page
    assert "<math" in student_client.get(quiz_url(quiz)).content.decode()
