"""Charts that fit their data, and a review list a student can act on."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from progress.charts import MAX_BAR, axis_top, bar_chart
from progress.tests.progress_data import Learner
from quizserver.tests.html_figures import extract
from quizzes.tests.factories import make_question


def test_axes_stop_at_the_next_round_number():
    assert axis_top(111) == (120, 20)  # 111 questions: not an axis to 150
    assert axis_top(7) == (8, 2) and axis_top(3) == (3, 1) and axis_top(0) == (1, 1)
    for peak in range(1, 2000, 7):
        top, step = axis_top(peak)
        assert top >= peak and top % step == 0 and top // step <= 6


def test_one_week_is_a_bar_not_a_block():
    svg = bar_chart(chart_id="w", title="Tries", desc="d", labels=["1 Dec"], values=[5])
    width = float(extract(r'<rect class="chart-bar"[^>]* width="([\d.]+)"', svg))
    assert width <= MAX_BAR
    top_given = bar_chart(chart_id="m", title="M", desc="d", labels=["a"], values=[3], top=111)
    assert '>120</text>' in top_given  # the axis reaches the number of questions


def test_review_separates_what_was_wrong_from_what_was_not_tried(client, make_user, course, quiz):
    questions = [make_question(quiz=quiz, position=i, kind="numeric", title=f"Q{i}", prompt="?", numeric_answer=1.0)
                 for i in range(1, 5)]
    learner = Learner(make_user, course, "rita", timezone.now() - timedelta(minutes=10))
    learner.answer(questions[0], 0, value=2.0)
    learner.answer(questions[1], 1, value=1.0)
    client.force_login(learner.user)
    page = client.get(reverse("progress:progress", args=[course.slug])).content.decode()
    assert extract(r"Not right yet <span class=\"muted\">\((\d+)\)", page) == "1"
    assert extract(r"Not tried yet <span class=\"muted\">\((\d+)\)", page) == "2"
    redo = page[page.index("Not right yet"):page.index("Not tried yet")]
    assert ">Q1</a>" in redo and ">Q2</a>" not in redo and ">Q3</a>" not in redo
    later = page[page.index("Not tried yet"):]
    assert re.search(r"<details class=\"review-group\">", later) and ">Q3</a>" in later and ">Q4</a>" in later
