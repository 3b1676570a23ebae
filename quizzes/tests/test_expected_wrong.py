"""Expected wrong answers of numeric and short-text questions: the author's feedback and credit for a
foreseen slip, counted by name in the statistics; entries that cannot work are refused on save."""

import pytest

from progress.statistics import question_statistics
from quizzes.kinds import get_kind
from quizzes.kinds.base import SettingsError
from quizzes.question_validation import question_errors
from quizzes.submissions import submission_create
from quizzes.tests.factories import form_data, make_question

FORGOT_BIASES = {"name": "forgot the biases", "value": 101632, "credit": 0.25,
                 "feedback": "Each layer also has a bias: $784 \\cdot 128 + 128$."}
STD = {"name": "standard deviation", "value": 0.0707, "rtol": 0.02, "feedback": "That is the standard deviation."}


@pytest.fixture
def count(quiz):
    return make_question(quiz=quiz, kind="numeric", prompt="How many parameters?", numeric_answer=101770,
                         rtol=0.0, atol=0.01, wrong_answers=[FORGOT_BIASES, STD])


def grade(question, value):
    return question.kind_spec.grade(question, value, choices=[], variant=None)


def test_a_foreseen_wrong_value_gets_its_feedback_credit_and_name(count):
    graded = grade(count, 101632.0)
    assert (graded.score, graded.mistake) == (0.25, "forgot the biases")
    assert graded.feedback == "Not correct. Each layer also has a bias: $784 \\cdot 128 + 128$."
    assert grade(count, 101632.5).mistake == ""  # outside the question's tolerance (atol 0.01)
    assert (grade(count, 0.0712).score, grade(count, 0.0712).mistake) == (0.0, "standard deviation")  # own rtol
    assert grade(count, 0.0725).mistake == ""  # beyond the entry's rtol of 2 %
    plain = grade(count, 5.0)
    assert (plain.score, plain.feedback, plain.mistake) == (0.0, "Not correct.", "")
    assert grade(count, 101770.0).score == 1.0 and grade(count, 101770.0).mistake == ""


def test_a_foreseen_answer_is_stored_with_its_mistake_and_counted_in_the_statistics(count, student, make_user,
                                                                                      course):
    from courses.models import Enrolment

    other = make_user("bob")
    Enrolment.objects.create(user=other, course=course, role=Enrolment.Role.STUDENT)
    stored = submission_create(student=student, question=count, data=form_data(answer="101 632"), nonce="a")
    assert (stored.score, stored.mistake, stored.status) == (0.25, "forgot the biases", "graded")
    submission_create(student=other, question=count, data=form_data(answer="7"), nonce="b")
    [statistics] = question_statistics(quiz=count.quiz)
    assert statistics.mistakes == {"forgot the biases": 0.5}


def test_short_text_entries_follow_the_question_comparison(quiz):
    question = make_question(quiz=quiz, kind="text", prompt="Algorithm?", text_answers=["backpropagation"],
                             text_mode="case_insensitive",
                             wrong_answers=[{"name": "forward pass", "text": "Forward  Pass",
                                             "feedback": "Backwards."}])
    assert grade(question, "forward pass").mistake == "forward pass"
    assert grade(question, "forward pass").feedback == "Not correct. Backwards."
    assert grade(question, "backward pass").mistake == ""
    exact = make_question(quiz=quiz, kind="text", prompt="Algorithm?", text_answers=["BPTT"], text_mode="exact",
                          wrong_answers=[{"name": "lower case", "text": "bptt", "feedback": "Capitals."}])
    assert grade(exact, "bptt").mistake == "lower case" and grade(exact, "Bptt").mistake == ""


@pytest.mark.parametrize(("entry", "message"), [
    ({"name": "same", "value": 101770.004, "feedback": "x"}, "would be graded correct"),
    ({"value": 3, "feedback": "x"}, "give a name"),
    ({"name": "n" * 61, "value": 3, "feedback": "x"}, "give a name of 1 to 60"),
    ({"name": "n", "value": 3}, "give the feedback"),
    ({"name": "n", "value": 3, "feedback": "x", "credit": 1}, "credit must be"),
    ({"name": "n", "value": 3, "feedback": "x", "credit": -0.1}, "credit must be"),
    ({"name": "n", "value": "3", "feedback": "x"}, "finite number"),
    ({"name": "n", "value": 3, "feedback": "x", "atol": -1}, "atol must be"),
    ({"name": "n", "value": 3, "feedback": "x", "text": "3"}, "unknown key(s) text"),
])
def test_entries_that_cannot_work_are_refused_with_their_number(quiz, entry, message):
    ok = {"name": "fine", "value": 1.0, "feedback": "x"}
    question = make_question(quiz=quiz, kind="numeric", prompt="?", numeric_answer=101770, rtol=0.0, atol=0.01,
                             wrong_answers=[ok, entry])
    errors = question_errors(question)["wrong_answers"]
    assert len(errors) == 1 and errors[0].startswith("Wrong answer 2:") and message in errors[0], errors


def test_names_must_be_unique_and_text_entries_must_be_wrong(quiz):
    twice = make_question(quiz=quiz, kind="numeric", prompt="?", numeric_answer=1.0,
                          wrong_answers=[{"name": "a", "value": 2, "feedback": "x"},
                                         {"name": "a", "value": 3, "feedback": "y"}])
    assert question_errors(twice)["wrong_answers"] == ["Wrong answer 2: the name “a” is used twice."]
    text = make_question(quiz=quiz, kind="text", prompt="?", text_answers=["BPTT"],
                         wrong_answers=[{"name": "a", "text": "bptt", "feedback": "x"}])
    assert "would be graded correct" in question_errors(text)["wrong_answers"][0]


def test_the_setting_must_be_a_list_of_objects():
    with pytest.raises(SettingsError) as refused:
        get_kind("numeric").clean_settings({"numeric_answer": 1.0, "wrong_answers": {"name": "a"}})
    assert "JSON list of objects" in refused.value.errors["wrong_answers"][0]
    assert get_kind("numeric").clean_settings({"numeric_answer": 1.0})["wrong_answers"] == []
