"""Review: generator configs that make the question form a 500 instead of a form error.

check_computed (quizzes/computed.py) catches only ConfigError around clean_config/sample, and
Field.clean (compute/config.py) calls int() on a float that JSON may parse as infinity.
"""

import pytest
from django.test import Client

from quizzes.tests.test_admin import ADD, author, question_form  # noqa: F401  (author is a fixture)


@pytest.mark.parametrize(
    "config",
    [
        '{"fixed": {"x": "abc"}}',  # np.asarray(..., float64): ValueError
        '{"fixed": {"x": [1, [2]]}}',  # ragged: ValueError
        '{"hidden": 1e400}',  # json gives inf; int(inf): OverflowError
    ],
)
def test_a_bad_generator_config_is_a_form_error_not_a_500(instructor, author, quiz, config):  # noqa: F811
    client = Client(raise_request_exception=False)
    client.force_login(instructor)
    data = question_form(quiz, kind="computed", generator="mlp_backward", prompt="", generator_config=config)
    response = client.post(ADD, data)
    assert response.status_code == 200, response.status_code
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize("config", ["", "null"])
def test_an_emptied_config_box_is_not_a_500(instructor, author, quiz, config):  # noqa: F811
    """The form's JSONField turns an empty box (or "null") into None; the model column is NOT NULL
    (JSONField(default=dict, blank=True)), so saving any question with the box cleared is an
    IntegrityError."""
    from quizzes.tests.test_admin import with_choices

    client = Client(raise_request_exception=False)
    client.force_login(instructor)
    data = with_choices(question_form(quiz, generator_config=config), ("a", True), ("b", False))
    response = client.post(ADD, data)
    assert response.status_code in (200, 302), response.status_code
