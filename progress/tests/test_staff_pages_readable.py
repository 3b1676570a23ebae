"""Staff pages people can read (progress/answer_labels.py, the histogram of charts.py, the download
links): choices as their rendered texts, named mistakes as their messages, every histogram bin
labelled, and CSV/XLSX downloads that only the course's staff may fetch."""

import html
import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from progress.tests.progress_data import Learner
from quizzes.images import image_store
from quizzes.models import Choice
from quizzes.tests.factories import make_question

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
GIF = b"GIF89a" + b"\x00" * 40


def url(name, course, *args):
    return reverse(f"progress:{name}", args=[course.slug, *args])


def section(page: str, start: str, end: str) -> str:
    """The text of ``page`` from ``start`` up to the next ``end`` (both must be found)."""
    at = page.index(start)
    return page[at: page.index(end, at)]


@pytest.fixture
def instructor_client(instructor):
    client = Client()
    client.force_login(instructor)
    return client


@pytest.fixture
def answered(make_user, course, quiz):
    """A choice question with Markdown choices and a computed question, answered wrong by three students."""
    pick = make_question(quiz=quiz, position=1, kind="single", title="Pick", prompt="Which?")
    wrong = Choice.objects.create(question=pick, position=1, text="the *chain* rule")
    right = Choice.objects.create(question=pick, position=2, text="right", is_correct=True)
    computed = make_question(quiz=quiz, position=2, kind="computed", title="Backprop", prompt="",
                             generator="mlp_backward")
    learners = [Learner(make_user, course, f"s{i}", T0) for i in range(3)]
    for i, learner in enumerate(learners):
        learner.answer(pick, 0, value=[wrong.id], raw=str(wrong.id))
        learner.answer(computed, 0, value=1.5, raw="1.5", mistake="forgot_factor_2")
        if i:
            learner.answer(pick, 1, value=[right.id], raw=str(right.id))
    return {"pick": pick, "wrong": wrong, "computed": computed, "learners": learners}


class TestStatisticsPage:
    def test_wrong_choices_show_their_rendered_text_not_their_ids(self, instructor_client, course, quiz, answered):
        page = instructor_client.get(url("quiz_statistics", course, quiz.id)).content.decode()
        card = section(page, f'id="q{answered["pick"].id}"', "</article>")
        wrong = section(card, "Most common wrong answers", "</ol>")
        found = re.search(r'<span class="choice-letter">(\w):</span> (.*?)</span> — (\d+) tr', wrong)
        assert found, wrong
        assert found.groups() == ("A", "the <em>chain</em> rule", "3")
        assert f"<code>{answered['wrong'].id}</code>" not in card and "*chain*" not in card

    def test_named_mistakes_show_their_message_with_the_name_as_a_label(self, instructor_client, course, quiz,
                                                                        answered):
        page = instructor_client.get(url("quiz_statistics", course, quiz.id)).content.decode()
        card = section(page, f'id="q{answered["computed"].id}"', "</article>")
        mistakes = section(card, "Known mistakes", "</ul>")
        found = re.search(r'<span class="mistake-message">(.*?)</span> <small class="muted"><code>(\w+)</code>'
                          r'</small>: (\d+)% of wrong tries', mistakes)
        assert found, mistakes
        message, name, share = found.groups()
        assert (name, share) == ("forgot_factor_2", "100")
        assert message.startswith("It looks like you dropped the factor 2") and "<math" in message  # Markdown rendered
        assert "$" not in message

    def test_every_histogram_bin_is_labelled(self, instructor_client, course, quiz, answered):
        page = instructor_client.get(url("quiz_statistics", course, quiz.id)).content.decode()
        card = section(page, f'id="q{answered["pick"].id}"', "</article>")
        chart = section(card, "<svg", "</svg>")
        edges = re.findall(r'<text[^>]*class="chart-label"[^>]*>(\d+%)</text>', chart)
        assert edges == [f"{10 * i}%" for i in range(11)]
        values = [int(v) for v in re.findall(r'<text[^>]*class="chart-value[^"]*"[^>]*>(\d+)</text>', chart)]
        titles = re.findall(r"<title>(\d+–\d+%): (\d+)</title>", chart)
        assert len(values) == len(titles) == 10
        assert values == [int(count) for _, count in titles]
        assert values[0] == 1 and values[9] == 2 and sum(values) == 3  # last tries: one wrong, two right

    def test_download_links_export_this_quiz(self, instructor_client, course, quiz, answered):
        page = instructor_client.get(url("quiz_statistics", course, quiz.id)).content.decode()
        links = [html.unescape(h) for h in re.findall(r'href="([^"]*format=(?:csv|xlsx)[^"]*)"', page)]
        assert links == [f"/api/v1/courses/{course.slug}/results/?format={f}&quiz={quiz.id}" for f in ("csv", "xlsx")]
        rows = instructor_client.get(links[0]).getvalue().decode().splitlines()
        assert len(rows) == 1 + 8 and "the *chain* rule" in rows[1]  # header and every answer
        workbook = instructor_client.get(links[1])
        assert workbook.status_code == 200 and workbook.getvalue()[:2] == b"PK"

    def test_students_may_not_download(self, student_client, instructor_client, course, quiz, answered):
        page = instructor_client.get(url("quiz_statistics", course, quiz.id)).content.decode()
        links = [html.unescape(h) for h in re.findall(r'href="([^"]*format=(?:csv|xlsx)[^"]*)"', page)]
        assert len(links) == 2
        for link in links:
            assert student_client.get(link).status_code == 403


class TestStudentPages:
    def test_students_page_offers_results_and_progress_downloads(self, instructor_client, course, answered):
        page = instructor_client.get(url("students", course)).content.decode()
        links = [html.unescape(h) for h in re.findall(r'href="([^"]*format=(?:csv|xlsx)[^"]*)"', page)]
        base = f"/api/v1/courses/{course.slug}"
        assert links == [f"{base}/results/?format=csv", f"{base}/results/?format=xlsx",
                         f"{base}/progress/?format=csv", f"{base}/progress/?format=xlsx"]
        for link in links:
            assert instructor_client.get(link).status_code == 200, link

    def test_submissions_show_choice_texts_and_mistake_messages(self, instructor_client, course, answered):
        student = answered["learners"][0].user
        page = instructor_client.get(url("student_submissions", course, student.id)).content.decode()
        table = section(page, "<tbody>", "</tbody>")
        choices = re.findall(r'<span class="choice-letter">(\w):</span> (.*?)</span>', table)
        assert choices == [("A", "the <em>chain</em> rule")]
        mistakes = re.findall(r'<span class="mistake-message">(.*?)</span> <small class="muted"><code>(\w+)</code>',
                              table)
        assert len(mistakes) == 1 and mistakes[0][1] == "forgot_factor_2"
        assert mistakes[0][0].startswith("It looks like you dropped the factor 2")
        links = [html.unescape(h) for h in re.findall(r'href="([^"]*format=(?:csv|xlsx)[^"]*)"', page)]
        assert links == [f"/api/v1/courses/{course.slug}/results/?format={f}&student={student.id}"
                         for f in ("csv", "xlsx")]
        rows = instructor_client.get(links[0]).getvalue().decode().splitlines()
        assert len(rows) == 1 + 2


def test_expected_wrong_answers_show_the_authors_feedback(make_user, course, quiz, instructor_client):
    entry = {"name": "no_biases", "value": 784, "feedback": "Each neuron also has a *bias*."}
    numeric = make_question(quiz=quiz, kind="numeric", title="Count", prompt="?", numeric_answer=794,
                            wrong_answers=[entry])
    Learner(make_user, course, "lea", T0).answer(numeric, 0, value=784.0, raw="784", mistake="no_biases")
    page = instructor_client.get(url("quiz_statistics", course, quiz.id)).content.decode()
    mistakes = section(page, "Known mistakes", "</ul>")
    found = re.search(r'<span class="mistake-message">(.*?)</span> <small class="muted"><code>(\w+)</code>', mistakes)
    assert found, mistakes
    assert found.groups() == ("Each neuron also has a <em>bias</em>.", "no_biases")


def test_images_in_choices_and_feedback_show_the_courses_stored_image(make_user, course, other_course, quiz,
                                                                      instructor_client):
    plot, _ = image_store(course=course, name="plot.png", data=PNG)
    image_store(course=other_course, name="plot.png", data=GIF)  # the same name in another course
    pick = make_question(quiz=quiz, kind="single", title="Which plot", prompt="Which?")
    wrong = Choice.objects.create(question=pick, position=1, text="![A falling curve](image:plot.png)")
    Choice.objects.create(question=pick, position=2, text="right", is_correct=True)
    entry = {"name": "flat", "value": "flat", "feedback": "Not flat: ![The curve again](image:plot.png)"}
    text = make_question(quiz=quiz, kind="text", title="Shape", prompt="?", text_answers=["falling"],
                         wrong_answers=[entry])
    learner = Learner(make_user, course, "lea", T0)
    learner.answer(pick, 0, value=[wrong.id], raw=str(wrong.id))
    learner.answer(text, 0, value="flat", raw="flat", mistake="flat")
    statistics = instructor_client.get(url("quiz_statistics", course, quiz.id)).content.decode()
    submissions = instructor_client.get(url("student_submissions", course, learner.user.id)).content.decode()
    for page in (statistics, submissions):
        images = re.findall(r'<img alt="([^"]*)" src="([^"]*)"', page)
        assert sorted(images) == [("A falling curve", plot.get_absolute_url()),
                                  ("The curve again", plot.get_absolute_url())]
        assert "image:plot.png" not in page
