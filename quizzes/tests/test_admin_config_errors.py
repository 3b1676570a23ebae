"""Review: generator configs that made the question form a 500 instead of a form error.

check_computed (quizzes/computed.py) caught only ConfigError around clean_config/sample, and
Field.clean (compute/config.py) called int() on a float that JSON may parse as infinity.
"""

import pytest
from django.test import Client

from quizzes.models import Question
from quizzes.tests.admin_forms import ADD, question_form, with_choices


@pytest.fixture
def author_browser(author, instructor):
    """The author (admin permissions) on a client that returns the 500 page instead of raising."""
    client = Client(raise_request_exception=False)
    client.force_login(instructor)
    return client


def computed_form(quiz, config: str) -> dict:
    return question_form(quiz, kind="computed", generator="mlp_backward", prompt="", generator_config=config)


@pytest.mark.parametrize(
    "config, message",
    [
        ('{"fixed": {"x": "abc"}}', "The fixed value of “x” must be a finite number"),  # np.asarray: ValueError
        ('{"fixed": {"x": [1, [2]]}}', "Rows must have equal lengths"),  # ragged: ValueError
        ('{"hidden": 1e400}', "“hidden” must be a whole number, not Infinity"),  # int(inf): OverflowError
    ],
)
def test_a_bad_generator_config_is_a_form_error(author_browser, quiz, config, message):
    response = author_browser.post(ADD, computed_form(quiz, config))
    page = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert "errorlist" in page and message in page
    assert not Question.objects.exists()


def test_a_good_generator_config_is_saved(author_browser, quiz):
    """Control for the test above: the same form with a config that cleans is saved."""
    assert author_browser.post(ADD, computed_form(quiz, '{"hidden": 2}')).status_code == 302
    question = Question.objects.get()
    assert question.kind == "computed" and question.settings["generator_config"]["hidden"] == 2


@pytest.mark.parametrize("config", ["", "null"])
def test_an_emptied_config_box_saves_the_question(author_browser, quiz, config):
    """The form's JSONField turns an empty box (or "null") into None; the model column is NOT NULL
    (JSONField(default=dict, blank=True)), so saving any question with the box cleared was an
    IntegrityError."""
    data = with_choices(question_form(quiz, generator_config=config), ("a", True), ("b", False))
    response = author_browser.post(ADD, data)
    assert response.status_code == 302, response.status_code
    question = Question.objects.get()
    assert question.kind == "single" and question.choices.filter(is_correct=True).count() == 1


def test_a_json_syntax_error_says_where(author_browser, quiz):
    response = author_browser.post(ADD, computed_form(quiz, '{"hidden": 2,\n "activation": }'))
    page = response.content.decode()
    assert response.status_code == 200 and "Not valid JSON: line 2, column 16: Expecting value." in page
    assert not Question.objects.exists()


def test_a_broken_formula_in_the_prompt_is_named_on_save(author_browser, quiz):
    data = with_choices(question_form(quiz, prompt=r"Pick $\frac{1}$ or $\foo$"), ("a", True), ("b", False))
    page = author_browser.post(ADD, data).content.decode()
    assert "errorlist" in page and "Formula “\\frac{1}”: a command is missing an argument" in page
    assert "Formula “\\foo”: unknown command \\foo." in page
    assert not Question.objects.exists()
