"""Progress rules (streak, time spent, weeks, review list), charts, leaderboard and the pages.

Covers quizzes/progress.py, charts.py, leaderboard.py and progress_views.py: who may see what,
empty states, and query counts that do not grow with the rows shown.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, Lecture
from progress.charts import bar_chart, line_chart
from progress.models import Leaderboard
from progress.reports import answer_seconds, streak, student_progress, week_of
from progress.tests.progress_data import Learner, join_leaderboard, pseudonym_of
from quizzes.models import Quiz
from quizzes.tests.factories import make_question

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday


def numeric_question(quiz, position, title=""):
    return make_question(
        quiz=quiz, position=position, kind="numeric", title=title, prompt="?", numeric_answer=1.0
    )


def url(name, course, *args):
    app = "quizzes" if name in ("quiz", "answer", "reveal", "new_variant") else "progress"
    return reverse(f"{app}:{name}", args=[course.slug, *args])


class TestRules:
    def test_streak_counts_weeks_in_a_row_up_to_this_or_last_week(self):
        weeks = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
        assert streak(weeks, today=date(2026, 3, 18)) == 3
        assert streak(weeks, today=date(2026, 3, 22)) == 3  # Sunday of the last active week
        assert streak(weeks, today=date(2026, 3, 25)) == 3  # this week idle: ends last week
        assert streak(weeks, today=date(2026, 4, 1)) == 0  # two idle weeks break it
        assert streak([date(2026, 3, 2), date(2026, 3, 16)], today=date(2026, 3, 17)) == 1
        new_year = [date(2025, 12, 22), date(2025, 12, 29)]  # the second is ISO week 1 of 2026
        assert streak(new_year, today=date(2026, 1, 2)) == 2
        assert streak([], today=date(2026, 3, 18)) == 0

    def test_weeks_are_iso_weeks_in_local_time(self):
        assert week_of(date(2026, 3, 8)) == date(2026, 3, 2)  # Sunday belongs to the week before
        sunday_night_utc = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)  # already Monday in Berlin
        assert week_of(sunday_night_utc) == date(2026, 3, 9)

    def test_time_spent_is_the_gap_since_the_previous_event_capped_at_ten_minutes(self):
        minutes = [T0 + timedelta(seconds=30), T0 + timedelta(minutes=40), T0 + timedelta(minutes=41)]
        assert answer_seconds([T0], minutes) == [30, 600, 60]
        assert answer_seconds([T0, T0 + timedelta(minutes=20)], [T0 + timedelta(minutes=22)]) == [120]
        assert answer_seconds([], [T0, T0 + timedelta(seconds=5)]) == [0, 5]


class TestStudentProgress:
    def test_lectures_weeks_streak_and_review(self, make_user, course, quiz, single):
        q1, q3 = numeric_question(quiz, 2, "Q1"), numeric_question(quiz, 3, "Q3")
        learner = Learner(make_user, course, "lea", T0)
        learner.open(q1, single, q3)
        learner.answer(q1, 0, value=2.0)  # week of 2 March
        learner.answer(q1, 1, value=1.0, after=timedelta(days=8))  # week of 9 March: capped at 10 min
        learner.answer(single, 0, value=[single.choices.first().id])
        report = student_progress(
            student=learner.user, course=course, now=datetime(2026, 3, 18, 12, tzinfo=UTC)
        )
        (lecture,) = report.lectures
        p = lecture.progress
        assert (p.total, p.tried, p.mastered, p.tries, p.correct, p.seconds) == (3, 2, 1, 3, 1, 60 + 600 + 60)
        assert [(w.week, w.tries, w.mastered) for w in report.weeks] == [
            (date(2026, 3, 2), 1, 0),
            (date(2026, 3, 9), 2, 1),
            (date(2026, 3, 16), 0, 1),
        ]
        assert report.streak == 2
        assert [(r.question_id, r.status) for r in report.review] == [
            (single.id, "wrong"),
            (q3.id, "not_tried"),
        ]
        assert report.review[0].url == url("quiz", course, quiz.id) + f"#q{single.id}"
        assert report.review[0].new_variant_url == ""  # not a computed question

    def test_review_offers_a_new_variant_and_skips_what_cannot_be_redone(self, make_user, course, lecture):
        practice = Quiz.objects.create(lecture=lecture, title="Practice", is_published=True)
        computed = make_question(quiz=practice, kind="computed", title="C", prompt="?", generator="mlp_backward")
        graded = Quiz.objects.create(
            lecture=lecture, title="Graded", is_published=True, mode="graded", try_credits="100"
        )
        used_up = numeric_question(graded, 1)
        later = Lecture.objects.create(
            course=course,
            number=9,
            title="Later",
            slug="later",
            release_date=timezone.now() + timedelta(days=30),
        )
        numeric_question(Quiz.objects.create(lecture=later, title="Soon", is_published=True), 1)
        learner = Learner(make_user, course, "lea", timezone.now() - timedelta(hours=1))
        learner.answer(computed, 0, value=3.0)
        learner.answer(used_up, 0, value=2.0)
        (item,) = student_progress(student=learner.user, course=course).review
        assert item.question_id == computed.id
        assert item.new_variant_url == reverse(
            "quizzes:new_variant", args=[course.slug, practice.id, computed.id]
        )


class TestCharts:
    def test_svg_is_labelled_escaped_and_without_scripts_or_styles(self):
        svg = bar_chart(
            chart_id="h1", title="<script>alert(1)</script>", desc="a & b", labels=["<i>", "y"], values=[2, 5]
        )
        assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="h1-title h1-desc"' in svg
        assert '<title id="h1-title">&lt;script&gt;alert(1)&lt;/script&gt;</title>' in svg
        assert '<desc id="h1-desc">a &amp; b</desc>' in svg and "&lt;i&gt;" in svg
        assert "<script" not in svg and "style=" not in svg and svg.count("<rect") == 2
        line = line_chart(chart_id="m", title="M", desc="d", labels=["a", "b", "c"], values=[0, 1, 3], top=4)
        assert line.count("<circle") == 3 and "<polyline" in line and "style=" not in line


@pytest.fixture
def instructor_client(instructor):
    """A client of its own, so a test can use it next to ``student_client``."""
    client = Client()
    client.force_login(instructor)
    return client


def leaderboard_boards(page: str) -> str:
    """The leaderboard tables of a progress page (after the pseudonym form)."""
    start = page.index("</form>", page.index('id="leaderboard-heading"'))
    return page[start : page.index("</section>", start)]


class TestProgressPage:
    def test_empty_state_for_a_student_who_has_not_started(self, student_client, course, single):
        page = student_client.get(url("progress", course)).content.decode()
        assert "You have not answered a question yet" in page and f"#q{single.id}" in page
        assert "<svg" not in page and "Leaderboard" not in page  # off by default

    def test_shows_figures_charts_with_text_alternatives_and_review(
        self, client, make_user, course, quiz, single
    ):
        wrong = make_question(
            quiz=quiz, position=5, kind="computed", title="Backprop", prompt="?", generator="mlp_backward"
        )
        learner = Learner(make_user, course, "lea", timezone.now() - timedelta(days=7, minutes=2))
        learner.answer(single, 1, value=[single.choices.get(is_correct=True).id])  # last week
        learner.answer(wrong, 0, value=3.0, after=timedelta(days=7))  # this week
        client.force_login(learner.user)
        page = client.get(url("progress", course)).content.decode()
        assert page.count('role="img"') == 2 and "<desc" in page and "The numbers behind the charts" in page
        assert "Tries per week" in page and "1 of 2 now" in page
        assert "2 weeks" in page  # the streak
        review = page[page.index('id="review-heading"') :]
        assert f"#q{wrong.id}" in review and f"#q{single.id}" not in review
        assert reverse("quizzes:new_variant", args=[course.slug, quiz.id, wrong.id]) in review

    def test_a_student_never_sees_another_students_data(
        self, student_client, make_user, course, quiz, numeric
    ):
        Leaderboard.objects.create(course=course, enabled=True)
        bob = Learner(make_user, course, "bob", timezone.now() - timedelta(hours=1))
        bob.answer(numeric, 1, raw="-777.125", value=-777.125)
        page = student_client.get(url("progress", course)).content.decode()
        assert "You have not answered a question yet" in page
        assert "bob" not in page and "-777.125" not in page

    def test_leaderboard_shows_only_opted_in_pseudonyms(
        self, student_client, student, make_user, course, numeric
    ):
        Leaderboard.objects.create(course=course, enabled=True)
        for name, pseudonym, opt_in in [
            ("bob", "Bobster", False),
            ("carol", "Carol9", True),
            ("dan", "", True),
        ]:
            learner = Learner(make_user, course, name, timezone.now() - timedelta(hours=1))
            learner.answer(numeric, 1, value=0.25)
            join_leaderboard(learner.user, course, pseudonym, opt_in)
        response = student_client.post(
            url("progress", course), {"pseudonym": "  Gradient   Gal ", "opt_in": "on"}
        )
        assert response.status_code == 302
        assert pseudonym_of(student, course) == "Gradient Gal"
        board = leaderboard_boards(student_client.get(url("progress", course)).content.decode())
        assert "Carol9" in board and "Bobster" not in board
        assert "Gradient Gal" not in board  # alice has mastered nothing yet, so she is not ranked
        student_client.post(
            reverse("quizzes:answer", args=[course.slug, numeric.quiz_id, numeric.id]), {"answer": "0.25"}
        )
        board = leaderboard_boards(student_client.get(url("progress", course)).content.decode())
        assert "Gradient Gal <strong>(you)</strong>" in board and "Carol9" in board
        for username in ("bob", "carol", "dan", "alice"):
            assert username not in board

    @pytest.mark.parametrize(
        "pseudonym, opt_in, message",
        [
            ("ab", "on", "3 to 40 characters"),
            ("<b>bold</b>", "on", "Use only letters"),
            ("carol9", "on", "Another student"),
            ("Bob", "on", "not a username"),
            ("", "on", "Choose a pseudonym"),
        ],
    )
    def test_pseudonym_is_validated(
        self, student_client, student, make_user, course, pseudonym, opt_in, message
    ):
        Leaderboard.objects.create(course=course, enabled=True)
        bob = Learner(make_user, course, "bob", T0)
        join_leaderboard(bob.user, course, "Carol9", False)
        response = student_client.post(url("progress", course), {"pseudonym": pseudonym, "opt_in": opt_in})
        assert response.status_code == 400 and message in response.content.decode()
        assert "<b>bold</b>" not in response.content.decode()
        assert pseudonym_of(student, course) == ""

    def test_no_leaderboard_to_join_when_the_course_has_none(self, student_client, instructor_client, course):
        assert (
            student_client.post(url("progress", course), {"pseudonym": "Neo", "opt_in": "on"}).status_code
            == 403
        )
        Leaderboard.objects.create(course=course, enabled=True)
        assert instructor_client.post(url("progress", course), {"pseudonym": "Prof"}).status_code == 403

    def test_query_count_does_not_grow_with_answers_or_leaderboard_rows(
        self, client, make_user, course, quiz
    ):
        Leaderboard.objects.create(course=course, enabled=True)
        questions = [numeric_question(quiz, i) for i in range(1, 4)]
        start = timezone.now() - timedelta(days=20)
        lea, first = Learner(make_user, course, "lea", start), Learner(make_user, course, "first", start)
        join_leaderboard(first.user, course, "First", True)
        lea.answer(questions[0], 0, value=2.0)
        first.answer(questions[0], 1, value=1.0)
        client.force_login(lea.user)

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url("progress", course)).status_code == 200
            return len(queries)

        small = count()
        for i in range(4):
            other = Learner(make_user, course, f"o{i}", start)
            join_leaderboard(other.user, course, f"Pseudo{i}", True)
            for question in questions:
                other.answer(question, 1, value=1.0, after=timedelta(days=3))
                lea.answer(question, 1, value=1.0, after=timedelta(days=1))
        assert count() == small


class TestStaffPages:
    def test_students_get_a_clear_403(self, student_client, course, quiz, student):
        for page in (
            url("quiz_statistics", course, quiz.id),
            url("students", course),
            url("student_submissions", course, student.id),
        ):
            response = student_client.get(page)
            assert (
                response.status_code == 403
                and "for its instructors and teaching assistants" in response.content.decode()
            )

    def test_staff_of_another_course_get_403_and_foreign_ids_404(
        self, client, make_user, course, other_course, quiz, student
    ):
        ml_teacher = make_user("mlt")
        Enrolment.objects.create(user=ml_teacher, course=other_course, role=Enrolment.Role.INSTRUCTOR)
        client.force_login(ml_teacher)
        assert client.get(url("quiz_statistics", course, quiz.id)).status_code == 403
        assert client.get(url("students", course)).status_code == 403
        assert client.get(url("quiz_statistics", other_course, quiz.id)).status_code == 404
        assert client.get(url("student_submissions", other_course, student.id)).status_code == 404

    def test_superuser_and_ta_may_see_them(self, client, make_user, course, quiz, single):
        client.force_login(make_user("root", is_superuser=True, is_staff=True))
        response = client.get(url("quiz_statistics", course, quiz.id))
        assert response.status_code == 200 and "No student has answered this quiz yet" in response.content.decode()
        ta = make_user("tara")
        Enrolment.objects.create(user=ta, course=course, role=Enrolment.Role.TA)
        client.force_login(ta)
        response = client.get(url("students", course))
        assert response.status_code == 200 and "No student is enrolled yet" in response.content.decode()

    def test_statistics_page_shows_figures_histogram_and_escaped_answers(
        self, instructor_client, make_user, course, quiz
    ):
        text = make_question(
            quiz=quiz, kind="text", title="Name it", prompt="?", text_answers="relu"
        )
        for i, raw in enumerate(["<script>alert(1)</script>", "relu"]):
            Learner(make_user, course, f"s{i}", T0).answer(text, 1 if raw == "relu" else 0, raw=raw)
        page = instructor_client.get(url("quiz_statistics", course, quiz.id)).content.decode()
        assert "Name it" in page and 'role="img"' in page and "Histogram as a table" in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
        assert "0.50" in page  # facility

    def test_empty_states(self, instructor_client, course, quiz):
        assert (
            "has no questions yet"
            in instructor_client.get(url("quiz_statistics", course, quiz.id)).content.decode()
        )
        numeric_question(quiz, 1, "Q")
        page = instructor_client.get(url("quiz_statistics", course, quiz.id)).content.decode()
        assert "No student has answered this quiz yet" in page
        assert "No student is enrolled yet" in instructor_client.get(url("students", course)).content.decode()

    def test_students_page_links_to_each_students_submissions(
        self, instructor_client, make_user, course, numeric
    ):
        lea = Learner(make_user, course, "lea", T0)
        lea.answer(numeric, 0, raw="0,3", value=0.3)
        page = instructor_client.get(url("students", course)).content.decode()
        assert url("student_submissions", course, lea.user.id) in page and "0/1" in page
        page = instructor_client.get(url("student_submissions", course, lea.user.id)).content.decode()
        assert "Submissions of lea" in page and "0,3" in page

    def test_course_page_links(self, student_client, instructor_client, course, quiz):
        student_page = student_client.get(course.get_absolute_url()).content.decode()
        assert url("progress", course) in student_page and url("students", course) not in student_page
        assert url("quiz_statistics", course, quiz.id) not in student_page
        staff_page = instructor_client.get(course.get_absolute_url()).content.decode()
        assert url("quiz_statistics", course, quiz.id) in staff_page and url("students", course) in staff_page

    def test_admin_quiz_list_links_to_statistics(self, instructor_client, instructor, quiz):
        instructor.user_permissions.set(Permission.objects.filter(content_type__app_label="quizzes"))
        page = instructor_client.get(reverse("admin:quizzes_quiz_changelist")).content.decode()
        assert url("quiz_statistics", quiz.lecture.course, quiz.id) in page

    def test_query_counts_do_not_grow_with_rows(self, instructor_client, make_user, course, quiz):
        questions = [numeric_question(quiz, i, f"Q{i}") for i in range(1, 3)]
        first = Learner(make_user, course, "first", T0)
        first.answer(questions[0], 0, value=2.0)
        pages = [
            url("quiz_statistics", course, quiz.id),
            url("students", course),
            url("student_submissions", course, first.user.id),
        ]

        def counts():
            result = []
            for page in pages:
                with CaptureQueriesContext(connection) as queries:
                    assert instructor_client.get(page).status_code == 200
                result.append(len(queries))
            return result

        small = counts()
        for i in range(5):
            learner = Learner(make_user, course, f"l{i}", T0)
            for question in questions:
                learner.answer(question, 0.5, value=0.5)
                learner.answer(question, 1, value=1.0)
                first.answer(question, 1, value=1.0)
        assert counts() == small

