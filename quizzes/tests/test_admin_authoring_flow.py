"""The admin as an instructor builds a quiz: add a question from the quiz's page (quiz and next
position filled in), the kind links keep the quiz, change lists show answers and facility, duplicate."""

import re

from django.urls import reverse

from quizzes.models import Question
from quizzes.submissions import submission_create
from quizzes.tests.admin_forms import ADD
from quizzes.tests.factories import form_data, make_question


def test_the_quiz_page_links_to_adding_each_kind_to_this_quiz(author, quiz):
    page = author.get(reverse("admin:quizzes_quiz_change", args=[quiz.id])).content.decode()
    links = re.findall(r'href="([^"]*/quizzes/question/add/\?kind=(\w+)&amp;quiz=(\d+))"', page)
    assert {kind for _, kind, _ in links} >= {"single", "multiple", "numeric", "text", "computed"}
    assert {int(q) for _, _, q in links} == {quiz.id}


def test_the_add_page_fills_in_the_quiz_and_the_next_position_and_its_kind_links_keep_the_quiz(author, quiz):
    make_question(quiz=quiz, position=1, prompt="a", numeric_answer=1.0, kind="numeric")
    make_question(quiz=quiz, position=4, prompt="b", numeric_answer=1.0, kind="numeric")
    page = author.get(f"{ADD}?kind=numeric&quiz={quiz.id}").content.decode()
    assert re.search(rf'<option value="{quiz.id}" selected>', page), "the quiz is not preselected"
    position = re.search(r'name="position" value="(\d+)"', page)
    assert position is not None and position.group(1) == "5"
    assert f"?kind=text&amp;quiz={quiz.id}" in page  # switching the kind keeps the quiz


def test_the_question_list_shows_answers_and_facility(author, quiz, student):
    question = make_question(quiz=quiz, kind="numeric", prompt="?", numeric_answer=2.0, title="Two")
    for nonce, answer in (("a", "2"), ("b", "3"), ("c", "2"), ("d", "x")):  # "x" is invalid: no try
        submission_create(student=student, question=question, data=form_data(answer=answer), nonce=nonce)
    page = author.get(reverse("admin:quizzes_question_changelist")).content.decode()
    row = re.search(r"<tr>.*?Two.*?</tr>", page, re.S)
    assert row is not None, page[:3000]
    cells = re.findall(r'<td class="field-(answer_count|facility)">([^<]*)</td>', row.group(0))
    assert dict(cells) == {"answer_count": "3", "facility": "0.67"}


def test_duplicate_copies_a_question_with_its_choices_at_the_end_of_its_quiz(author, quiz):
    original = make_question(quiz=quiz, kind="single", prompt="Pick $x$", title="Pick", position=2)
    original.choices.create(position=1, text="$x$", is_correct=True, feedback="yes", fraction=1.0)
    original.choices.create(position=2, text="$y$", is_correct=False, feedback="no")
    make_question(quiz=quiz, kind="numeric", prompt="?", numeric_answer=1.0, position=7)
    response = author.post(reverse("admin:quizzes_question_changelist"),
                           {"action": "duplicate", "_selected_action": [original.id]}, follow=True)
    assert "1 question(s) duplicated" in response.content.decode()
    copy = Question.objects.exclude(pk=original.pk).get(title="Pick (copy)")
    assert (copy.position, copy.kind, copy.prompt, copy.settings) == (8, "single", "Pick $x$", original.settings)
    assert copy.uid != original.uid
    assert list(copy.choices.values_list("text", "is_correct", "feedback", "fraction")) == [
        ("$x$", True, "yes", 1.0), ("$y$", False, "no", None)]


PREVIEW = reverse("admin:quizzes_question_preview")


def test_the_live_preview_renders_the_unsaved_form_and_lists_what_would_stop_saving(author, quiz):
    from quizzes.tests.admin_forms import question_form, with_choices

    data = with_choices(question_form(quiz, prompt=r"Which is $\frac{1}{2}$?"), (r"$0.5$", True), ("two", False))
    page = author.post(PREVIEW, data).content.decode()
    assert "No problems: this question can be saved." in page and "<mfrac>" in page
    assert page.count("<li>") == 2 and "✓" in page  # the two posted choices, the right one marked
    broken = with_choices(question_form(quiz, prompt=r"Pick $\foo$"), ("a", True), ("b", True))
    page = author.post(PREVIEW, broken).content.decode()
    assert "Formula “\\foo”: unknown command \\foo." in page and "exactly one correct choice" in page
    assert not Question.objects.exists()  # nothing was saved


def test_the_live_preview_shows_fractions_and_their_problems(author, quiz):
    from quizzes.tests.admin_forms import question_form, with_choices

    data = with_choices(question_form(quiz, single_mode="fractions"), ("a", True, "1"), ("b", False, "0.5"))
    page = author.post(PREVIEW, data).content.decode()
    assert "No problems" in page and "✓ (100 %)" in page and "(50 %)" in page
    broken = with_choices(question_form(quiz, single_mode="fractions"), ("a", True, "0.9"), ("b", False, "half"))
    page = author.post(PREVIEW, broken).content.decode()
    assert "Choice 2: the fraction “half” is not a number." in page
    assert "needs a choice worth 100 % (fraction 1); the highest here is 90 %." in page
    assert "choice 2 has none" in page  # the unreadable fraction counts as missing
    assert not Question.objects.exists()


def test_the_live_preview_of_a_computed_question_shows_its_first_variants(author, quiz):
    from quizzes.tests.admin_forms import question_form

    data = question_form(quiz, kind="computed", generator="mlp_backward", prompt="", generator_config="{}")
    page = author.post(PREVIEW, data).content.decode()
    assert page.count('<details class="variant-preview">') == 5 and "No problems" in page


def test_the_live_preview_is_for_authors_only(client, student, quiz):
    client.force_login(student)
    response = client.post(PREVIEW, {"kind": "single", "prompt": "x"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(PREVIEW).status_code in (302, 405)
